//! Keeps this node's search index in step with the database: a full build when the index is
//! empty or was built from another database, then only the changes recorded since (the change
//! log), so a change made through any node becomes searchable on every node. An index whose
//! entries an older version wrote is rebuilt on start (see `ENTRIES_VERSION`).

use super::changes;
use super::Db;
pub mod entries;
use search_index::{IndexError, Kind, SearchIndex};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("indexing thread failed: {0}")]
    Worker(String),
    #[error("the server is stopping")]
    Stopped,
}

/// Why a search gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("every search slot stayed taken for {} s", QUEUE_WAIT.as_secs())]
    Busy,
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("search thread failed: {0}")]
    Worker(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// How long a search waits for a free slot before the visitor is asked to try again.
const QUEUE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The index and whether it has caught up with the database since the server started.
#[derive(Clone)]
pub struct Search {
    pub index: Arc<SearchIndex>,
    ready: Arc<AtomicBool>,
    stopped: Arc<AtomicBool>,
    /// One slot per core: searches run on the blocking pool, never on the async workers, and
    /// a flood of heavy searches waits here instead of stalling the self-check and the pages.
    slots: Arc<tokio::sync::Semaphore>,
    /// Payment lines of periods before the public years are left out of the index.
    retention: crate::domain::publicity::Retention,
}

const BATCH: i64 = 20_000;

/// What an entry holds, as a version: raise it whenever `entries` puts other words or fields into
/// an entry (2: periods in words; 3: the county, items keyed by code and county), and every node rebuilds its index once on its next start
/// instead of following the change log from an index whose entries lack them.
const ENTRIES_VERSION: u32 = 3;

/// What the index has applied: which version of the entries, which database, from which year
/// payment lines are in it, up to which change.
fn marker(instance: &str, first: i32, change: i64) -> String {
    format!("entries={ENTRIES_VERSION};instance={instance};public_from={first};change={change}")
}

/// The database, first public year and change of a marker written with this version's entries;
/// `None` for any other (an older version's index, or none), which is rebuilt.
fn parse_marker(marker: &str) -> Option<(String, i32, i64)> {
    let rest = marker.strip_prefix(&format!("entries={ENTRIES_VERSION};"))?;
    let (rest, change) = rest.split_once(";change=")?;
    let (instance, first) = rest.split_once(";public_from=")?;
    Some((instance.strip_prefix("instance=")?.to_string(), first.parse().ok()?, change.parse().ok()?))
}

impl Search {
    pub fn new(index: SearchIndex, retention: crate::domain::publicity::Retention) -> Self {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Search {
            index: Arc::new(index),
            ready: Arc::new(AtomicBool::new(false)),
            stopped: Arc::new(AtomicBool::new(false)),
            slots: Arc::new(tokio::sync::Semaphore::new(cores)),
            retention,
        }
    }

    /// The earliest period year whose payment lines the index holds today.
    fn first_public_year(&self) -> i32 {
        self.retention.first_public_year(super::clock::local_year())
    }

    /// Runs a query against the index in a free slot, off the async workers.
    pub async fn query<T: Send + 'static>(
        &self,
        work: impl FnOnce(&SearchIndex) -> Result<T, IndexError> + Send + 'static,
    ) -> Result<T, QueryError> {
        let slot = tokio::time::timeout(QUEUE_WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| QueryError::Busy)?
            .map_err(|_| QueryError::Busy)?;
        let index = self.index.clone();
        let result = tokio::task::spawn_blocking(move || {
            let _slot = slot;
            work(&index)
        })
        .await
        .map_err(|e| QueryError::Worker(e.to_string()))?;
        Ok(result?)
    }

    /// Asks a sync in progress to stop before its next batch and not to commit (server shutdown).
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
    }

    fn stopping(&self) -> Result<(), SyncError> {
        if self.stopped.load(Ordering::Acquire) {
            Err(SyncError::Stopped)
        } else {
            Ok(())
        }
    }

    /// True once the first sync after start has finished.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Brings the index up to date: a full build if needed (another database, or a new year whose
    /// first public year has moved on), else the changes since the last sync.
    /// Returns the number of entries written.
    pub async fn sync(&self, db: &Db) -> Result<u64, SyncError> {
        let instance = entries::instance_id(db).await?;
        let first = self.first_public_year();
        let applied = self
            .index
            .marker()
            .and_then(|m| parse_marker(&m))
            .filter(|(i, f, _)| *i == instance && *f == first)
            .map(|(_, _, c)| c);
        let written = match applied {
            None => self.rebuild(db, |_, _| {}).await?,
            Some(change) => self.apply_changes(db, &instance, first, change).await?,
        };
        self.ready.store(true, Ordering::Release);
        Ok(written)
    }

    /// Rebuilds everything from the database; `progress(done, total)` is called along the way.
    pub async fn rebuild(&self, db: &Db, mut progress: impl FnMut(u64, u64)) -> Result<u64, SyncError> {
        let instance = entries::instance_id(db).await?;
        let first = self.first_public_year();
        let change = entries::last_change(db).await?;
        let items = entries::items(db, None).await?;
        let documents = entries::documents(db, None).await?;
        let total = (items.len() + documents.len()) as u64 + entries::publicity_count(db, first).await? as u64;
        self.index.clear()?;
        let mut done = self.write(items.into_iter().chain(documents).collect()).await?;
        progress(done, total);
        let mut after = 0;
        loop {
            self.stopping()?;
            let batch = entries::publicity_batch(db, after, BATCH, first).await?;
            let Some((last, _)) = batch.last() else { break };
            after = *last;
            done += self.write(batch.into_iter().map(|(_, e)| e).collect()).await?;
            progress(done, total);
        }
        self.stopping()?;
        let index = self.index.clone();
        let marker = marker(&instance, first, change);
        blocking(move || index.commit(&marker)).await?;
        Ok(done)
    }

    /// Upserts a batch on a blocking thread: tokenizing is CPU work that must not hold up
    /// the threads serving requests.
    async fn write(&self, entries: Vec<search_index::Entry>) -> Result<u64, SyncError> {
        let index = self.index.clone();
        blocking(move || {
            for entry in &entries {
                index.upsert(entry)?;
            }
            Ok(entries.len() as u64)
        })
        .await
    }

    async fn apply_changes(&self, db: &Db, instance: &str, first: i32, mut applied: i64) -> Result<u64, SyncError> {
        let mut written = 0;
        loop {
            let batch = entries::changes_after(db, applied, 1_000).await?;
            let Some((last, ..)) = batch.last() else { break };
            let last = *last;
            // Read from the database here; tokenize, write and commit on a blocking thread.
            let mut deletes = Vec::new();
            let mut upserts = Vec::new();
            for (_, entity, id, deleted) in batch {
                let (kind, found) = match entity.as_str() {
                    changes::ITEM => (Kind::Item, entries::items(db, Some(id)).await?),
                    changes::DOCUMENT => (Kind::Document, entries::documents(db, Some(id)).await?),
                    changes::PUBLICITY => {
                        (Kind::Publicity, entries::publicity_one(db, id, first).await?.into_iter().collect())
                    }
                    _ => continue,
                };
                // An item is keyed by code and county (and stays); a deleted document or line by its id.
                if (deleted || found.is_empty()) && kind != Kind::Item {
                    deletes.push((kind, id.to_string()));
                }
                upserts.extend(found);
            }
            applied = last;
            self.stopping()?;
            let index = self.index.clone();
            let marker = marker(instance, first, applied);
            written += blocking(move || {
                for (kind, key) in &deletes {
                    index.delete(*kind, key);
                }
                for entry in &upserts {
                    index.upsert(entry)?;
                }
                index.commit(&marker)?;
                Ok(upserts.len() as u64)
            })
            .await?;
        }
        Ok(written)
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, IndexError> + Send + 'static,
) -> Result<T, SyncError> {
    tokio::task::spawn_blocking(work).await.map_err(|e| SyncError::Worker(e.to_string()))?.map_err(SyncError::Index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip() {
        assert_eq!(parse_marker(&marker("ab12", 2022, 42)), Some(("ab12".into(), 2022, 42)));
        assert_eq!(parse_marker("garbage"), None);
        // An index written before entries had a version (or by another version) is rebuilt.
        assert_eq!(parse_marker("instance=ab12;change=42"), None);
        assert_eq!(parse_marker("entries=1;instance=ab12;change=42"), None);
        // So is one written before it knew the public years.
        assert_eq!(parse_marker(&format!("entries={ENTRIES_VERSION};instance=ab12;change=42")), None);
    }
}
