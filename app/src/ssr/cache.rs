//! A small per-node cache for figures that are costly to total and may be a little stale (home
//! page totals, publicity totals, every page's header): each value lives for `TTL` (or less, as
//! its caller asks), and at most `MAX_ENTRIES` are kept (callers key by what a request resolves
//! to, never by what a visitor typed).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const TTL: Duration = Duration::from_secs(30);
pub const MAX_ENTRIES: usize = 256;

/// A value and when it was loaded.
type Entry = (Instant, Arc<dyn std::any::Any + Send + Sync>);

#[derive(Clone, Default)]
pub struct Cache {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl Cache {
    /// The cached value for `key`, or `load()`'s result, cached when it succeeds.
    pub async fn get_or_load<T, E, F>(&self, key: &str, load: F) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, E>>,
    {
        self.get_or_load_within(key, TTL, load).await
    }

    /// [`Cache::get_or_load`] for a value that may be at most `max_age` old (at most `TTL`).
    pub async fn get_or_load_within<T, E, F>(&self, key: &str, max_age: Duration, load: F) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
        F: std::future::Future<Output = Result<T, E>>,
    {
        if let Some(hit) = self.lookup::<T>(key, max_age) {
            return Ok(hit);
        }
        let value = load.await?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.retain(|_, (at, _)| at.elapsed() < TTL);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key.to_string(), (Instant::now(), Arc::new(value.clone())));
        Ok(value)
    }

    /// Values kept now.
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lookup<T: Clone + 'static>(&self, key: &str, max_age: Duration) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (at, value) = entries.get(key)?;
        (at.elapsed() < max_age.min(TTL)).then(|| value.downcast_ref::<T>().cloned()).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::Cache;

    #[test]
    fn loads_once_then_serves_the_copy() {
        let cache = Cache::default();
        let loads = std::cell::Cell::new(0);
        let load = |v: i32| {
            let loads = &loads;
            async move {
                loads.set(loads.get() + 1);
                Ok::<i32, ()>(v)
            }
        };
        assert_eq!(block_on(cache.get_or_load("k", load(1))), Ok(1));
        assert_eq!(block_on(cache.get_or_load("k", load(2))), Ok(1), "served from the cache");
        assert_eq!(loads.get(), 1, "the second load never ran");
        let failed: Result<i32, &str> = block_on(cache.get_or_load("e", async { Err("no") }));
        assert!(failed.is_err());
        let after: Result<i32, &str> = block_on(cache.get_or_load("e", async { Ok(3) }));
        assert_eq!(after, Ok(3), "failures are not cached");
    }

    #[test]
    fn a_value_older_than_asked_for_is_loaded_again() {
        let cache = Cache::default();
        assert_eq!(block_on(cache.get_or_load("k", async { Ok::<i32, ()>(1) })), Ok(1));
        let fresh = std::time::Duration::ZERO;
        assert_eq!(block_on(cache.get_or_load_within("k", fresh, async { Ok::<i32, ()>(2) })), Ok(2));
        assert_eq!(block_on(cache.get_or_load("k", async { Ok::<i32, ()>(3) })), Ok(2), "the new value is kept");
    }

    #[test]
    fn holds_a_bounded_number_of_values() {
        let cache = Cache::default();
        for n in 0..(super::MAX_ENTRIES * 3) {
            assert_eq!(block_on(cache.get_or_load(&format!("year/{n}"), async move { Ok::<usize, ()>(n) })), Ok(n));
            assert!(cache.len() <= super::MAX_ENTRIES, "{} values kept", cache.len());
        }
    }

    /// Runs a future that never waits (the loads above are ready at once).
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        use std::task::{Context, Poll, Waker};
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => unreachable!("test futures are ready at once"),
        }
    }
}
