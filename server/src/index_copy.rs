//! The search index copied between nodes: `GET /internal/search-index` sends this node's last
//! commit to the portal's own network, and a node started with an empty index directory and
//! `PORTAL_INDEX_PEER` takes it from there before following the change log, instead of building
//! the whole index from the database (see `search_index::snapshot`).

use app::ssr::AppContext;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use search_index::snapshot::{self, Received};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

type Chunk = Result<Bytes, io::Error>;

/// `GET /internal/search-index`: the stream of the index's last commit (404 to anyone outside
/// the portal's network, as `/metrics`).
pub async fn send(
    Extension(cx): Extension<AppContext>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    if !crate::addresses::internal(peer.ip(), &headers) {
        return StatusCode::NOT_FOUND.into_response();
    }
    if !cx.search.is_ready() {
        return (StatusCode::SERVICE_UNAVAILABLE, "this node's index is not ready yet").into_response();
    }
    let index = cx.search.index.clone();
    let snapshot = match tokio::task::spawn_blocking(move || index.snapshot()).await {
        Ok(Ok(snapshot)) => snapshot,
        Ok(Err(e)) => return unavailable(&e.to_string()),
        Err(e) => return unavailable(&e.to_string()),
    };
    let (tx, rx) = mpsc::channel::<Chunk>(4);
    tokio::task::spawn_blocking(move || {
        let (started, bytes) = (Instant::now(), snapshot.bytes());
        let mut out = io::BufWriter::with_capacity(1 << 20, Chunks(tx.clone()));
        match snapshot.write_to(&mut out) {
            Ok(()) => tracing::info!(bytes, seconds = started.elapsed().as_secs_f32(), %peer, "search index copy sent"),
            Err(e) => {
                tracing::warn!(error = %e, %peer, "search index copy not finished");
                let _ = tx.blocking_send(Err(e));
            }
        }
    });
    let body = Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    ([(header::CONTENT_TYPE, "application/octet-stream")], body).into_response()
}

fn unavailable(error: &str) -> Response {
    tracing::error!(error, "search index copy");
    (StatusCode::SERVICE_UNAVAILABLE, "the index cannot be copied now").into_response()
}

/// A blocking writer feeding the response body.
struct Chunks(mpsc::Sender<Chunk>);

impl Write for Chunks {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the receiving node went away"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    #[error("asking {0}: {1}")]
    Request(String, reqwest::Error),
    #[error("{0} answered {1}")]
    Status(String, StatusCode),
    #[error(transparent)]
    Index(#[from] search_index::IndexError),
    #[error("unpacking thread failed: {0}")]
    Worker(String),
}

/// True when `dir` holds nothing (or is missing): only then is a copy taken.
pub fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map(|mut entries| entries.next().is_none()).unwrap_or(true)
}

/// Fills the empty index directory `dir` with the last commit of the node at `peer`
/// (`http://host:port`).
pub async fn fetch(peer: &str, dir: &Path) -> Result<Received, CopyError> {
    let url = format!("{}/internal/search-index", peer.trim_end_matches('/'));
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| CopyError::Request(url.clone(), e))?;
    let mut response = client.get(&url).send().await.map_err(|e| CopyError::Request(url.clone(), e))?;
    if response.status() != StatusCode::OK {
        return Err(CopyError::Status(url, response.status()));
    }
    let (tx, rx) = mpsc::channel::<Bytes>(8);
    let target: PathBuf = dir.to_path_buf();
    let unpacking = tokio::task::spawn_blocking(move || snapshot::receive(Incoming(rx, Bytes::new()), &target));
    // A failed read ends the stream early, which the unpacking refuses.
    while let Ok(Some(chunk)) = response.chunk().await {
        if tx.send(chunk).await.is_err() {
            break;
        }
    }
    drop(tx);
    Ok(unpacking.await.map_err(|e| CopyError::Worker(e.to_string()))??)
}

/// The response body as a blocking reader, for the unpacking thread.
struct Incoming(mpsc::Receiver<Bytes>, Bytes);

impl Read for Incoming {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.1.is_empty() {
            match self.0.blocking_recv() {
                Some(chunk) => self.1 = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.1.len());
        buf[..n].copy_from_slice(&self.1[..n]);
        self.1 = self.1.slice(n..);
        Ok(n)
    }
}
