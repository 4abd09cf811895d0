//! A copy of an index's last commit as one stream of bytes, and its unpacking into an empty
//! directory: how a new node takes its index from a peer instead of building it from the
//! database (minutes at 10M lines, and load on the database the other nodes share).
//!
//! The stream: a first line `portal-search-index 1`, then for each file of the commit a line
//! `file <name> <length>` and its bytes, then `meta <length>` and the commit's `meta.json`, then
//! `end`. The receiver writes everything into a directory of its own and renames it into place
//! only once `end` has arrived, so an interrupted copy never looks like an index.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use tantivy::directory::{Directory, META_LOCK};
use tantivy::Index;

use crate::IndexError;

const HEADER: &str = "portal-search-index 1";
/// At most this many files and this large a `meta.json` are accepted from a peer.
const MAX_FILES: usize = 100_000;
const MAX_META: u64 = 64 << 20;

/// The files of one commit, opened: they stay readable while sent even if a merge removes them
/// from the directory meanwhile.
pub struct Snapshot {
    meta: Vec<u8>,
    files: Vec<(String, File, u64)>,
    /// The commit's marker (see `SearchIndex::commit`).
    pub marker: Option<String>,
}

/// What a peer's copy brought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub files: usize,
    pub bytes: u64,
}

impl Snapshot {
    /// Opens the files of `index`'s last commit in `dir`. Holds tantivy's meta lock while doing
    /// so, as its own readers do, so that no file of that commit is collected before it is open.
    pub(crate) fn take(index: &Index, dir: &Path) -> Result<Self, IndexError> {
        let _lock = index.directory().acquire_lock(&META_LOCK).map_err(|e| IndexError::Snapshot(e.to_string()))?;
        let metas = index.load_metas()?;
        let meta = serde_json::to_vec_pretty(&metas).map_err(|e| IndexError::Snapshot(e.to_string()))?;
        let mut names: Vec<PathBuf> = metas.list_segment_files().into_iter().collect();
        names.sort();
        let mut files = Vec::with_capacity(names.len());
        for name in names {
            // Listed components a segment never wrote (no deletions, say) are simply absent.
            let file = match File::open(dir.join(&name)) {
                Ok(file) => file,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            let len = file.metadata()?.len();
            files.push((name.to_string_lossy().into_owned(), file, len));
        }
        Ok(Snapshot { meta, files, marker: metas.payload })
    }

    /// Bytes of the files and `meta.json`.
    pub fn bytes(&self) -> u64 {
        self.files.iter().map(|(_, _, len)| len).sum::<u64>() + self.meta.len() as u64
    }

    /// Writes the stream (blocking).
    pub fn write_to(self, out: &mut impl Write) -> io::Result<()> {
        writeln!(out, "{HEADER}")?;
        for (name, file, len) in self.files {
            writeln!(out, "file {name} {len}")?;
            let copied = io::copy(&mut file.take(len), out)?;
            if copied != len {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, format!("{name} ended early")));
            }
        }
        writeln!(out, "meta {}", self.meta.len())?;
        out.write_all(&self.meta)?;
        writeln!(out, "end")?;
        out.flush()
    }
}

/// Unpacks a stream written by [`Snapshot::write_to`] into `dir`, which must not hold an index
/// yet. Nothing is left in `dir` unless the whole stream arrived.
pub fn receive(input: impl Read, dir: &Path) -> Result<Received, IndexError> {
    let bad = |what: &str| IndexError::Snapshot(what.to_string());
    if std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(bad("the index directory is not empty"));
    }
    let incoming = dir.with_extension("incoming");
    if incoming.exists() {
        std::fs::remove_dir_all(&incoming)?;
    }
    std::fs::create_dir_all(&incoming)?;
    let mut input = BufReader::with_capacity(1 << 20, input);
    if next_line(&mut input)? != HEADER {
        return Err(bad("not an index copy"));
    }
    let mut names = Vec::new();
    let mut bytes = 0;
    loop {
        let line = next_line(&mut input)?;
        let mut parts = line.split(' ');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some("file"), Some(name), Some(len), None) => {
                if !plain_name(name) || names.len() >= MAX_FILES {
                    return Err(bad("a file name or count a peer may not send"));
                }
                let len: u64 = len.parse().map_err(|_| bad("a file length"))?;
                let mut file = File::create(incoming.join(name))?;
                if io::copy(&mut (&mut input).take(len), &mut file)? != len {
                    return Err(bad("the copy ended early"));
                }
                file.sync_all()?;
                names.push(name.to_string());
                bytes += len;
            }
            (Some("meta"), Some(len), None, None) => {
                let len: u64 = len.parse().map_err(|_| bad("the meta length"))?;
                if len > MAX_META {
                    return Err(bad("meta.json too large"));
                }
                let mut meta = Vec::with_capacity(len as usize);
                if (&mut input).take(len).read_to_end(&mut meta)? as u64 != len {
                    return Err(bad("the copy ended early"));
                }
                if next_line(&mut input)? != "end" {
                    return Err(bad("the copy ended early"));
                }
                // tantivy deletes only the files it manages: name every file, so that merges
                // on this node collect them like its own.
                let mut managed = names.clone();
                managed.push("meta.json".to_string());
                std::fs::write(
                    incoming.join(".managed.json"),
                    serde_json::to_vec(&managed).map_err(|e| bad(&e.to_string()))?,
                )?;
                write_synced(&incoming.join("meta.json"), &meta)?;
                bytes += len;
                break;
            }
            _ => return Err(bad("an unexpected line")),
        }
    }
    if dir.exists() {
        // Empty (checked on entry); `rename` needs it gone.
        std::fs::remove_dir(dir)?;
    }
    std::fs::rename(&incoming, dir)?;
    Ok(Received { files: names.len() + 1, bytes })
}

fn write_synced(path: &Path, data: &[u8]) -> io::Result<()> {
    let mut file = File::create(path)?;
    file.write_all(data)?;
    file.sync_all()
}

/// A header line, at most 300 bytes.
fn next_line(input: &mut impl BufRead) -> Result<String, IndexError> {
    let mut line = Vec::new();
    input.take(300).read_until(b'\n', &mut line)?;
    if line.pop() != Some(b'\n') {
        return Err(IndexError::Snapshot("the copy ended early".to_string()));
    }
    String::from_utf8(line).map_err(|_| IndexError::Snapshot("a header line is not text".to_string()))
}

/// A file name as tantivy writes them: letters, digits, `.`, `_`, `-`, not starting with `.`.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('.')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && name != "meta.json"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Entry, Kind, Query, SearchIndex};

    fn line(n: usize) -> Entry {
        Entry {
            kind: Kind::Publicity,
            key: n.to_string(),
            title: format!("张*{n} 最低生活保障金"),
            body: format!("青山镇 白岩村 第{n}户 城乡低保"),
            aliases: String::new(),
            department: Some("县民政局".into()),
            year: Some(2026),
            township: Some("青山镇".into()),
            county: None,
        }
    }

    fn filled(dir: &Path, lines: std::ops::Range<usize>, marker: &str) -> SearchIndex {
        let index = SearchIndex::open_or_create(dir).unwrap();
        for n in lines {
            index.upsert(&line(n)).unwrap();
        }
        index.commit(marker).unwrap();
        index
    }

    fn found(index: &SearchIndex, text: &str) -> (usize, Vec<String>) {
        let r = index.search(&Query { text, limit: 100, ..Default::default() }).unwrap();
        (r.total, r.hits.into_iter().map(|h| h.key).collect())
    }

    #[test]
    fn a_copy_answers_as_its_original_and_goes_on_by_itself() {
        let root = tempfile::tempdir().unwrap();
        let original = filled(&root.path().join("one"), 0..300, "change=7");
        original.delete(Kind::Publicity, "5");
        original.commit("change=8").unwrap();
        let snapshot = original.snapshot().unwrap();
        assert_eq!(snapshot.marker.as_deref(), Some("change=8"));
        let size = snapshot.bytes();
        let mut stream = Vec::new();
        snapshot.write_to(&mut stream).unwrap();

        let dir = root.path().join("two");
        let received = receive(stream.as_slice(), &dir).unwrap();
        assert_eq!(received.bytes, size);
        let copy = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!(copy.marker().as_deref(), Some("change=8"));
        assert_eq!(copy.len(), 299);
        for text in ["最低生活保障金", "张*17", "第5户", "城乡低保 白岩村"] {
            assert_eq!(found(&copy, text), found(&original, text), "{text}");
        }
        // The copy takes changes of its own, and its merges collect the files it was sent.
        let sent: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains('.') && !name.starts_with('.') && name != "meta.json")
            .collect();
        assert_eq!(sent.len() + 1, received.files);
        for n in 300..340 {
            copy.upsert(&line(n)).unwrap();
            copy.commit(&format!("change={n}")).unwrap();
        }
        let segments = copy.index.searchable_segment_ids().unwrap();
        copy.writer().merge(&segments).wait().unwrap();
        copy.commit("change=341").unwrap();
        copy.writer().garbage_collect_files().wait().unwrap();
        let left: Vec<&String> = sent.iter().filter(|name| dir.join(name).exists()).collect();
        assert!(left.is_empty(), "files sent by the peer outlived a merge: {left:?}");
        assert_eq!(copy.len(), 339);
        drop(copy);
        let reopened = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!(reopened.len(), 339);
        assert_eq!(found(&reopened, "第320户").0, 1);
    }

    #[test]
    fn a_snapshot_stays_whole_while_its_index_merges_away() {
        let root = tempfile::tempdir().unwrap();
        let original = filled(&root.path().join("one"), 0..100, "change=1");
        let snapshot = original.snapshot().unwrap();
        // Commits and a merge later, the files of that first commit are gone from the directory.
        for n in 100..110 {
            original.upsert(&line(n)).unwrap();
            original.commit(&format!("change={n}")).unwrap();
        }
        let segments = original.index.searchable_segment_ids().unwrap();
        original.writer().merge(&segments).wait().unwrap();
        original.commit("change=111").unwrap();
        original.writer().garbage_collect_files().wait().unwrap();
        let gone = snapshot.files.iter().filter(|(name, ..)| !root.path().join("one").join(name).exists()).count();
        assert!(gone > 0, "the merge removed none of the snapshot's files");
        let mut stream = Vec::new();
        snapshot.write_to(&mut stream).unwrap();
        let dir = root.path().join("two");
        receive(stream.as_slice(), &dir).unwrap();
        let copy = SearchIndex::open_or_create(&dir).unwrap();
        assert_eq!((copy.len(), copy.marker().as_deref()), (100, Some("change=1")));
    }

    #[test]
    fn a_broken_copy_leaves_no_index_behind() {
        let root = tempfile::tempdir().unwrap();
        let original = filled(&root.path().join("one"), 0..200, "change=3");
        let mut stream = Vec::new();
        original.snapshot().unwrap().write_to(&mut stream).unwrap();
        let dir = root.path().join("two");
        // Cut anywhere (in a header line, in a file, before `end`): refused, nothing in place.
        for cut in [0, 10, stream.len() / 3, stream.len() / 2, stream.len() - 4, stream.len() - 1] {
            let e = receive(&stream[..cut], &dir).unwrap_err();
            assert!(matches!(e, IndexError::Snapshot(_) | IndexError::Io(_)), "{cut}: {e}");
            assert!(!dir.join("meta.json").exists(), "{cut}");
        }
        // A name a peer may not write.
        let evil = format!("{HEADER}\nfile ../../etc/passwd 1\nx");
        assert!(receive(evil.as_bytes(), &dir).is_err());
        assert!(!root.path().join("etc").exists());
        // The whole stream then works; a second one into the same directory is refused.
        receive(stream.as_slice(), &dir).unwrap();
        assert!(receive(stream.as_slice(), &dir).is_err());
        assert_eq!(SearchIndex::open_or_create(&dir).unwrap().len(), 200);
    }
}
