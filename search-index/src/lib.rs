//! The portal's full-text index: items, documents and publicity lines, segmented with jieba so
//! that Chinese words (not single characters) are matched. Knows nothing of Leptos or SQL: the
//! server feeds it `Entry` values and asks it for `Results`.
//!
//! Design in short:
//! - One tantivy document per entry. `title`, `aliases` and `body` are full-text fields analysed
//!   by [`WordTokenizer`] (jieba words, lower-cased, punctuation dropped). `kind`, `key`, `title`
//!   and `body` are stored so that hits and snippets can be built without the database.
//! - Department, year, county, township and kind are also written as facets (`/department/县民政局`,
//!   `/year/2026`, ...) in one facet field: filters are exact term queries on it. The facet
//!   counts come from one fast field holding all five together (see [`facet_sets`]).
//! - Which entries a text matches is decided on one more field, `words`, holding every word of
//!   the entry; the fields above only score those entries (see [`scored`]).
//! - What a search found is kept at two levels. Its whole results (per text, filters and page)
//!   until the next commit. And, per segment of the index, what its words and filters match
//!   there (count, facet counts, best hits, each hit's title and snippet) for as long as that
//!   segment and its deletions stay as they are: a commit adds a small segment and leaves the
//!   large ones alone, so the first search of a common word after a commit only counts and
//!   scores what the commit added. For the best hits to stay valid across commits, scores use
//!   BM25 statistics rounded to three significant digits ([`RoundedStatistics`]), which a
//!   commit of a few entries rarely moves.
//! - The search text is never parsed as query syntax: it is cut into words by the same tokenizer
//!   that indexed the fields, and the query is built from those words directly, so characters
//!   such as `: + - ( ) " * \` have no meaning and cannot make a query fail.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use facet_sets::{FacetSetCollector, FacetTally};
use scored::MatchThenScore;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::index::SegmentId;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Occur, TermQuery,
    Weight,
};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, Searcher, SegmentReader, TantivyDocument,
    Term,
};
use tantivy_jieba::JiebaTokenizer;

mod facet_sets;
mod scored;
pub mod snapshot;

/// Name under which [`WordTokenizer`] is registered for the text fields.
const TOKENIZER: &str = "jieba";
/// Memory the writer may use for not yet flushed documents (shared by its indexing threads).
const WRITER_HEAP_BYTES: usize = 100_000_000;

/// Score multipliers: an abbreviation listed in `aliases` says more than a word of the title,
/// which says more than a word somewhere in the body. See [`SearchIndex::word_scoring`].
const ALIASES_BOOST: f32 = 4.0;
const TITLE_BOOST: f32 = 3.0;
const BODY_BOOST: f32 = 1.0;
/// BM25's `k1`, as tantivy uses it: a word's BM25 score is at most `idf * (K1 + 1)`.
const BM25_K1: f32 = 1.2;

/// Page size when the caller asks for 0 hits, and the largest page served.
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;
/// Only the first words of a (possibly pasted) search text are used.
const MAX_QUERY_WORDS: usize = 32;
/// Longest snippet, in characters, not counting the "…" marking a cut.
const SNIPPET_CHARS: usize = 120;
/// How many characters a snippet shows before its first highlighted word, when it has to cut.
const SNIPPET_LEAD_CHARS: usize = 20;
/// Only this much of a body is analysed for the snippet (a very long document is shown from
/// the best place within its first part).
const SNIPPET_SCAN_BYTES: usize = 60_000;
/// At most this many searches' results are kept (then all are forgotten and keeping starts
/// again); a kept result is a page of hits and the facet lists, a few kilobytes.
const MAX_KEPT: usize = 512;
/// A segment's answers are kept only when it holds at least this many entries: a smaller one
/// (what a commit adds) costs less to search again than to keep. This crate's tests, whose
/// indexes are small, keep from 1,000.
const KEEP_SEGMENT_ENTRIES: u32 = if cfg!(test) { 1_000 } else { 10_000 };
/// At most this many segment answers are kept (each a count, facet counts and a page of hits),
/// and four times as many hits as shown (title and snippet); when full, all are forgotten.
const MAX_SEGMENT_ANSWERS: usize = 2_048;
/// A segment's best hits are kept only for pages within the first this many hits: a page far
/// down (offset 100,000) is computed each time rather than keeping 100,000 hits per segment.
const KEEP_BEST_HITS: usize = 1_000;
/// Significant digits kept of BM25's statistics (see [`RoundedStatistics`]).
const STATISTICS_DIGITS: u32 = 3;
/// Longer "words" are junk (base64, long digit runs) and are not indexed.
const MAX_WORD_BYTES: usize = 100;

/// Facet roots: every facet value is `/<root>/<value>`.
const KIND_FACET: &str = "kind";
const DEPARTMENT_FACET: &str = "department";
const YEAR_FACET: &str = "year";
const TOWNSHIP_FACET: &str = "township";
const COUNTY_FACET: &str = "county";
/// Every facet root, in the order an entry's values are kept in [`facet_sets::FIELD`].
const ROOTS: [&str; 5] = [KIND_FACET, DEPARTMENT_FACET, YEAR_FACET, COUNTY_FACET, TOWNSHIP_FACET];

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open the index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("cannot create the index directory: {0}")]
    Io(#[from] std::io::Error),
    /// The directory holds an index written by another version of this crate. Nothing is
    /// deleted automatically: remove the directory and rebuild the index from the database.
    #[error("the index in {0} has an older layout; delete the directory so that it is rebuilt")]
    SchemaChanged(PathBuf),
    /// A copy of the index between nodes failed (see [`snapshot`]).
    #[error("index copy: {0}")]
    Snapshot(String),
}

/// What kind of thing an entry is; the kind is part of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Item,
    Document,
    Publicity,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Item, Kind::Document, Kind::Publicity];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Item => "item",
            Kind::Document => "document",
            Kind::Publicity => "publicity",
        }
    }

    /// The inverse of [`Kind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Kind::ALL.into_iter().find(|kind| kind.as_str() == s)
    }
}

/// One searchable thing. `key` is unique per kind (item code + year, document id, publicity
/// entry id...). Empty facet strings count as absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub kind: Kind,
    pub key: String,
    pub title: String,
    pub body: String,
    /// Common abbreviations, e.g. "低保 低保金 五保"; scored above title and body.
    pub aliases: String,
    pub department: Option<String>,
    pub year: Option<i32>,
    pub township: Option<String>,
    /// The county it belongs to, on a portal of several (a province's document: none).
    pub county: Option<String>,
}

/// A search request. `text` is plain text typed by a person; the filters are exact values as
/// given in [`Entry`] (an empty string means no filter). `limit` 0 means 10; at most 100.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Query<'a> {
    pub text: &'a str,
    pub kind: Option<Kind>,
    pub department: Option<&'a str>,
    pub year: Option<i32>,
    pub township: Option<&'a str>,
    pub county: Option<&'a str>,
    pub offset: usize,
    pub limit: usize,
}

/// A piece of a title or snippet. The caller renders highlighted pieces (e.g. in `<mark>`) and
/// escapes the text itself: the index never produces HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fragment {
    pub text: String,
    pub highlighted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub kind: Kind,
    pub key: String,
    /// The whole title, with the searched words highlighted.
    pub title: Vec<Fragment>,
    /// At most about 120 characters of the body around the searched words; a cut is marked
    /// with "…" in the neighbouring non-highlighted piece. Empty when the body is.
    pub snippet: Vec<Fragment>,
    pub score: f32,
}

/// Counts of the entries matching the search text, ignoring the filters, so that every choice
/// can be offered with its count. Each list is sorted by count (descending), then by value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    pub kinds: Vec<(Kind, u64)>,
    pub departments: Vec<(String, u64)>,
    pub years: Vec<(i32, u64)>,
    pub townships: Vec<(String, u64)>,
    pub counties: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Number of entries matching the text and the filters (all pages).
    pub total: usize,
    /// The requested page, best first.
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

struct Fields {
    /// "kind:key", the identity used to replace and delete.
    uid: Field,
    kind: Field,
    key: Field,
    title: Field,
    aliases: Field,
    body: Field,
    /// Every word of title, aliases and body, for matching only (see [`SearchIndex::text_query`]).
    words: Field,
    facets: Field,
    /// All of an entry's facets as one value (see [`facet_sets`]).
    facet_set: Field,
}

/// The index. All methods take `&self`; it can be shared between threads (e.g. in an `Arc`).
/// Changes become visible to searches after [`SearchIndex::commit`].
pub struct SearchIndex {
    index: Index,
    /// The directory it lives in (`None`: in memory).
    dir: Option<PathBuf>,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Payload of the last commit, cached so that `marker()` does not read the disk.
    marker: Mutex<Option<String>>,
    kept: Mutex<Kept>,
    segments: Mutex<SegmentAnswers>,
    /// How many segment answers were computed rather than found kept (for tests).
    #[cfg(test)]
    computed: std::sync::atomic::AtomicUsize,
}

/// Whole results of searches, valid for one generation of the reader (a commit starts the next).
#[derive(Default)]
struct Kept {
    generation: u64,
    results: HashMap<KeptQuery, Results>,
}

/// A search as the results depend on it: its words, filters and page.
#[derive(Clone, PartialEq, Eq, Hash)]
struct KeptQuery {
    words: Vec<String>,
    filters: Filters,
    offset: usize,
    limit: usize,
}

/// A search's filters, as exact values (an empty string is no filter).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
struct Filters {
    kind: Option<Kind>,
    department: Option<String>,
    year: Option<i32>,
    township: Option<String>,
    county: Option<String>,
}

impl Filters {
    fn of(query: &Query) -> Self {
        let owned = |value: Option<&str>| non_empty(value).map(str::to_string);
        Filters {
            kind: query.kind,
            department: owned(query.department),
            year: query.year,
            township: owned(query.township),
            county: owned(query.county),
        }
    }

    fn is_empty(&self) -> bool {
        *self == Filters::default()
    }
}

impl Kept {
    /// The kept results of `generation`: everything older is forgotten when the reader has
    /// moved on, and a search still holding an older reader neither reads nor keeps anything.
    fn at(&mut self, generation: u64) -> Option<&mut Self> {
        if generation > self.generation {
            *self = Kept { generation, ..Kept::default() };
        }
        (generation == self.generation).then_some(self)
    }

    fn keep(&mut self, query: KeptQuery, results: Results) {
        if self.results.len() >= MAX_KEPT {
            self.results.clear();
        }
        self.results.insert(query, results);
    }
}

/// What a text (all its words, or any) and filters match in one segment as it stands.
#[derive(Clone, PartialEq, Eq, Hash)]
struct SegmentMatch {
    segment: SegmentId,
    /// Deletions only grow within a segment: their number tells its states apart.
    deleted: u32,
    words: Vec<String>,
    all_words: bool,
    filters: Filters,
}

/// The best `n` hits of a [`SegmentMatch`], scored with the rounded statistics `statistics`.
#[derive(Clone, PartialEq, Eq, Hash)]
struct SegmentBest {
    matching: SegmentMatch,
    n: usize,
    statistics: Vec<u64>,
}

/// A segment's best hits, best first: score and document.
type Best = Vec<(Score, DocId)>;

/// A search's query prepared for scoring (the page) and for counting only (counts and facets).
struct Weights {
    scored: Box<dyn Weight>,
    counted: Box<dyn Weight>,
}

/// How many entries of a segment match, and (for a text without filters) their facet counts.
#[derive(Clone)]
struct Tally {
    count: usize,
    facets: Option<FacetTally>,
}

/// What a search matches over all segments: the count, the facet counts (for a text without
/// filters) and the page asked for.
struct Matches {
    count: usize,
    facets: Option<FacetTally>,
    page: Vec<(Score, DocAddress)>,
}

/// An entry of a segment as shown for a search's words (its title and snippet do not change
/// while the segment exists: an edited entry is a new document in another segment).
#[derive(Clone, PartialEq, Eq, Hash)]
struct SegmentHit {
    segment: SegmentId,
    doc: DocId,
    words: Vec<String>,
}

/// Per-segment answers kept across commits (see the crate's documentation).
#[derive(Default)]
struct SegmentAnswers {
    /// The generation whose segments the answers were last pruned to.
    generation: u64,
    tallies: HashMap<SegmentMatch, Tally>,
    best: HashMap<SegmentBest, Best>,
    hits: HashMap<SegmentHit, Hit>,
}

impl SegmentAnswers {
    /// Drops the answers of segments that `searcher` no longer has as they were.
    fn prune(&mut self, searcher: &Searcher, generation: u64) {
        if generation <= self.generation {
            return;
        }
        self.generation = generation;
        let current: HashSet<(SegmentId, u32)> =
            searcher.segment_readers().iter().map(|r| (r.segment_id(), r.num_deleted_docs())).collect();
        self.tallies.retain(|m, _| current.contains(&(m.segment, m.deleted)));
        self.best.retain(|b, _| current.contains(&(b.matching.segment, b.matching.deleted)));
        let segments: HashSet<SegmentId> = current.into_iter().map(|(segment, _)| segment).collect();
        self.hits.retain(|h, _| segments.contains(&h.segment));
    }

    fn keep_tally(&mut self, matching: SegmentMatch, tally: Tally) {
        if self.tallies.len() >= MAX_SEGMENT_ANSWERS {
            self.tallies.clear();
        }
        self.tallies.insert(matching, tally);
    }

    fn keep_best(&mut self, best: SegmentBest, hits: Best) {
        if self.best.len() >= MAX_SEGMENT_ANSWERS {
            self.best.clear();
        }
        self.best.insert(best, hits);
    }

    fn keep_hit(&mut self, shown: SegmentHit, hit: Hit) {
        if self.hits.len() >= MAX_SEGMENT_ANSWERS * 4 {
            self.hits.clear();
        }
        self.hits.insert(shown, hit);
    }
}

/// BM25's statistics (entries, words per field, entries per word) rounded to
/// [`STATISTICS_DIGITS`] significant digits. A commit of a few entries among a million leaves
/// them, and so every score, as they were, which lets a segment's best hits be kept across
/// commits; the order differs from exact statistics only between nearly equal scores. Rounding
/// is monotonic, so no word is counted in more entries than there are.
struct RoundedStatistics<'a>(&'a Searcher);

impl Bm25StatisticsProvider for RoundedStatistics<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.0, field).map(round_significant)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.0).map(round_significant)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.0.doc_freq(term).map(round_significant)
    }
}

/// `value` rounded (half up) to [`STATISTICS_DIGITS`] significant digits.
fn round_significant(value: u64) -> u64 {
    let limit = 10u64.pow(STATISTICS_DIGITS);
    let mut unit = 1u64;
    while value / unit >= limit {
        unit *= 10;
    }
    if unit == 1 {
        return value;
    }
    (value / unit + u64::from(value % unit >= unit / 2)).saturating_mul(unit)
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) when missing. An index
    /// written with a different layout is reported as [`IndexError::SchemaChanged`].
    pub fn open_or_create(dir: &Path) -> Result<Self, IndexError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = match Index::open_or_create(MmapDirectory::open(dir)?, schema) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(_)) => return Err(IndexError::SchemaChanged(dir.to_path_buf())),
            Err(e) => return Err(e.into()),
        };
        Self::from_index(index, Some(dir.to_path_buf()), fields)
    }

    /// An index held in memory only (tests, one-off tools).
    pub fn in_memory() -> Result<Self, IndexError> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), None, fields)
    }

    fn from_index(index: Index, dir: Option<PathBuf>, fields: Fields) -> Result<Self, IndexError> {
        index.tokenizers().register(TOKENIZER, WordTokenizer::default());
        let marker = index.load_metas()?.payload;
        let writer = index.writer(WRITER_HEAP_BYTES)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self {
            index,
            dir,
            reader,
            writer: Mutex::new(writer),
            fields,
            marker: Mutex::new(marker),
            kept: Mutex::new(Kept::default()),
            segments: Mutex::new(SegmentAnswers::default()),
            #[cfg(test)]
            computed: Default::default(),
        })
    }

    fn writer(&self) -> std::sync::MutexGuard<'_, IndexWriter> {
        // A panic elsewhere while holding the lock leaves the writer itself usable.
        self.writer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds the entry, replacing an earlier one with the same kind and key.
    pub fn upsert(&self, entry: &Entry) -> Result<(), IndexError> {
        let f = &self.fields;
        let uid = uid(entry.kind, &entry.key);
        let mut doc = TantivyDocument::default();
        doc.add_text(f.uid, &uid);
        doc.add_text(f.kind, entry.kind.as_str());
        doc.add_text(f.key, &entry.key);
        doc.add_text(f.title, &entry.title);
        doc.add_text(f.aliases, &entry.aliases);
        doc.add_text(f.body, &entry.body);
        for text in [&entry.title, &entry.aliases, &entry.body] {
            doc.add_text(f.words, text);
        }
        // In the order of `ROOTS`.
        let year = entry.year.map(|year| year.to_string());
        let values = [
            Some(entry.kind.as_str()),
            non_empty(entry.department.as_deref()),
            year.as_deref(),
            non_empty(entry.county.as_deref()),
            non_empty(entry.township.as_deref()),
        ]
        .map(|value| value.map(facet_value));
        for (root, value) in ROOTS.iter().zip(&values) {
            if let Some(value) = value {
                doc.add_facet(f.facets, facet(root, value));
            }
        }
        doc.add_text(f.facet_set, facet_sets::value(&values.each_ref().map(Option::as_deref)));
        // Delete and add under one lock, so that two upserts of one key cannot interleave.
        let writer = self.writer();
        writer.delete_term(Term::from_field_text(f.uid, &uid));
        writer.add_document(doc)?;
        Ok(())
    }

    /// Removes the entry (if any).
    pub fn delete(&self, kind: Kind, key: &str) {
        self.writer().delete_term(Term::from_field_text(self.fields.uid, &uid(kind, key)));
    }

    /// Removes every entry, including those upserted since the last commit; entries upserted
    /// after this call are kept. Used for a rebuild: `clear`, upsert everything, `commit`.
    pub fn clear(&self) -> Result<(), IndexError> {
        self.writer().delete_query(Box::new(AllQuery))?;
        Ok(())
    }

    /// Makes everything upserted or deleted so far visible to searches and durable, and stores
    /// `marker` with it (even when nothing changed). The caller uses the marker to remember
    /// which database change the index reflects.
    pub fn commit(&self, marker: &str) -> Result<(), IndexError> {
        let mut writer = self.writer();
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(marker);
        prepared.commit()?;
        self.reader.reload()?;
        *self.marker.lock().unwrap_or_else(|e| e.into_inner()) = Some(marker.to_string());
        Ok(())
    }

    /// The files of the last commit, opened, to be sent to a node that has no index yet
    /// ([`snapshot::receive`] unpacks them there).
    pub fn snapshot(&self) -> Result<snapshot::Snapshot, IndexError> {
        let dir = self.dir.as_deref().ok_or_else(|| IndexError::Snapshot("an index in memory".to_string()))?;
        snapshot::Snapshot::take(&self.index, dir)
    }

    /// The marker stored by the last commit (also one from before reopening), if any.
    pub fn marker(&self) -> Option<String> {
        self.marker.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Number of entries visible to searches.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Searches for entries containing all words of `query.text`, or, when no entry has them
    /// all, any of them. Any text is accepted; text without words gives empty results.
    pub fn search(&self, query: &Query) -> Result<Results, IndexError> {
        let words = query_words(query.text);
        if words.is_empty() {
            return Ok(Results::default());
        }
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let limit = match query.limit {
            0 => DEFAULT_LIMIT,
            n => n.min(MAX_LIMIT),
        };
        // Past the last document there is nothing to skip to; this also bounds the memory the
        // top-docs collector reserves (offset + limit).
        let offset = query.offset.min(usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX));
        let kept_query = KeptQuery { words, filters: Filters::of(query), offset, limit };
        if let Some(results) = self.kept().at(generation).and_then(|kept| kept.results.get(&kept_query)) {
            return Ok(results.clone());
        }
        self.segments().prune(&searcher, generation);
        let results = self.compute(&searcher, &kept_query)?;
        if let Some(kept) = self.kept().at(generation) {
            kept.keep(kept_query, results.clone());
        }
        Ok(results)
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn segments(&self) -> std::sync::MutexGuard<'_, SegmentAnswers> {
        self.segments.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`SearchIndex::search`] without its kept whole results.
    fn compute(&self, searcher: &Searcher, query: &KeptQuery) -> Result<Results, IndexError> {
        let words = &query.words;
        let statistics = RoundedStatistics(searcher);
        // The text alone, for the facets (which ignore the filters): all words, or any when no
        // entry has them all. Without filters this is also the page's search.
        let mut all_words = true;
        let mut text = self.matches(searcher, &statistics, words, all_words, &Filters::default(), query)?;
        if text.count == 0 && words.len() > 1 {
            all_words = false;
            text = self.matches(searcher, &statistics, words, all_words, &Filters::default(), query)?;
        }
        let facets = text.facets.as_ref().map(facets_from).unwrap_or_default();
        let found = match query.filters.is_empty() {
            true => text,
            false => self.matches(searcher, &statistics, words, all_words, &query.filters, query)?,
        };

        let mut hits = Vec::with_capacity(found.page.len());
        for (score, address) in found.page {
            let shown = SegmentHit {
                segment: searcher.segment_reader(address.segment_ord).segment_id(),
                doc: address.doc_id,
                words: words.clone(),
            };
            let kept = self.segments().hits.get(&shown).cloned();
            let hit = match kept {
                Some(hit) => hit,
                None => {
                    let Some(hit) = self.hit(searcher, address, words)? else { continue };
                    self.segments().keep_hit(shown, hit.clone());
                    hit
                }
            };
            hits.push(Hit { score, ..hit });
        }
        Ok(Results { total: found.count, hits, facets })
    }

    /// An entry as a hit for `words`: its title and a snippet of its body with the words
    /// highlighted (score 0; the caller sets it). `None` for a document of an unknown kind.
    fn hit(&self, searcher: &Searcher, address: DocAddress, words: &[String]) -> Result<Option<Hit>, IndexError> {
        let doc: TantivyDocument = searcher.doc(address)?;
        let f = &self.fields;
        let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
        let Some(kind) = Kind::parse(text_of(f.kind)) else { return Ok(None) };
        let title = text_of(f.title);
        let body = text_of(f.body);
        Ok(Some(Hit {
            kind,
            key: text_of(f.key).to_string(),
            title: fragments(title, &word_ranges(title, words)),
            snippet: snippet(body, words),
            score: 0.0,
        }))
    }

    /// The entries matching `words` (all or any) and `filters`: their number, their facet
    /// counts when unfiltered, and the page `query` asks for. Each segment's part is taken
    /// from the kept segment answers when its segment is unchanged, else computed (in one pass
    /// for whatever is missing) and kept when its segment is large.
    fn matches(
        &self,
        searcher: &Searcher,
        statistics: &RoundedStatistics,
        words: &[String],
        all_words: bool,
        filters: &Filters,
        query: &KeptQuery,
    ) -> Result<Matches, IndexError> {
        let occur = if all_words { Occur::Must } else { Occur::Should };
        let unfiltered = filters.is_empty();
        // The page is needed from this search when it is the one the visitor asked for.
        let wants_page = *filters == query.filters;
        let n = query.offset + query.limit;
        let signature = self.statistics_signature(statistics, words)?;
        let mut built: Option<Weights> = None;
        let weights = || -> Result<Weights, IndexError> {
            let whole = self.text_query(statistics, words, occur, filters);
            let scored = tantivy::query::Query::weight(
                &whole,
                EnableScoring::enabled_from_statistics_provider(statistics, searcher),
            )?;
            let counted = tantivy::query::Query::weight(&whole, EnableScoring::disabled_from_searcher(searcher))?;
            Ok(Weights { scored, counted })
        };

        let (mut count, mut facet_parts, mut page_parts) = (0, Vec::new(), Vec::new());
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let ord = ord as u32;
            let matching = SegmentMatch {
                segment: reader.segment_id(),
                deleted: reader.num_deleted_docs(),
                words: words.to_vec(),
                all_words,
                filters: filters.clone(),
            };
            let best_key =
                wants_page.then(|| SegmentBest { matching: matching.clone(), n, statistics: signature.clone() });
            let (tally, best) = {
                let segments = self.segments();
                let best = best_key.as_ref().and_then(|key| segments.best.get(key).cloned());
                (segments.tallies.get(&matching).cloned(), best)
            };
            let (tally, best, computed) = match (tally, best) {
                (Some(tally), best) if best.is_some() || !wants_page => (tally, best, false),
                (tally, _) => {
                    // Prepared once per search, for the first segment that needs it.
                    let prepared = match built.take() {
                        Some(prepared) => prepared,
                        None => weights()?,
                    };
                    let answer = self.answer(reader, ord, &prepared, tally, unfiltered, wants_page.then_some(n));
                    built = Some(prepared);
                    let (tally, best) = answer?;
                    (tally, best, true)
                }
            };
            if computed && reader.max_doc() >= KEEP_SEGMENT_ENTRIES {
                let mut segments = self.segments();
                segments.keep_tally(matching, tally.clone());
                if let (Some(key), Some(best)) = (best_key, &best) {
                    if n <= KEEP_BEST_HITS {
                        segments.keep_best(key, best.clone());
                    }
                }
            }
            count += tally.count;
            facet_parts.extend(tally.facets);
            if let Some(best) = best {
                page_parts.extend(best.into_iter().map(|(score, doc)| (score, DocAddress::new(ord, doc))));
            }
        }
        let facets = match unfiltered {
            true => Some(facet_set_collector().merge_fruits(facet_parts)?),
            false => None,
        };
        // Best first; between equal scores, the earlier entry.
        page_parts.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        let page = page_parts.into_iter().skip(query.offset).take(query.limit).collect();
        Ok(Matches { count, facets, page })
    }

    /// Computes one segment's tally (unless given) and best `n` hits (if asked), in one pass.
    fn answer(
        &self,
        reader: &SegmentReader,
        ord: u32,
        weights: &Weights,
        tally: Option<Tally>,
        unfiltered: bool,
        n: Option<usize>,
    ) -> Result<(Tally, Option<Best>), IndexError> {
        let Weights { scored, counted } = weights;
        let (scored, counted) = (scored.as_ref(), counted.as_ref());
        #[cfg(test)]
        self.computed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let top = |n| TopDocs::with_limit(n).order_by_score();
        // The segment's best hits as found (merging one segment's part sorts it).
        let best_of = |n, part| -> Result<Best, IndexError> {
            let hits = top(n).merge_fruits(vec![part])?;
            Ok(hits.into_iter().map(|(score, address)| (score, address.doc_id)).collect())
        };
        Ok(match (tally, n) {
            (Some(tally), Some(n)) => {
                let part = top(n).collect_segment(scored, ord, reader)?;
                (tally, Some(best_of(n, part)?))
            }
            (None, Some(n)) => {
                let collector = (Count, unfiltered.then(facet_set_collector), top(n));
                let (count, facets, part) = collector.collect_segment(scored, ord, reader)?;
                (Tally { count, facets }, Some(best_of(n, part)?))
            }
            (tally, None) => {
                let collector = (Count, unfiltered.then(facet_set_collector));
                let (count, facets) = collector.collect_segment(counted, ord, reader)?;
                (tally.unwrap_or(Tally { count, facets }), None)
            }
        })
    }

    /// The rounded statistics the scores of `words` depend on: equal signatures, equal scores.
    fn statistics_signature(&self, statistics: &RoundedStatistics, words: &[String]) -> Result<Vec<u64>, IndexError> {
        let f = &self.fields;
        let mut signature = vec![
            statistics.total_num_docs()?,
            statistics.total_num_tokens(f.title)?,
            statistics.total_num_tokens(f.body)?,
        ];
        for word in words {
            for field in [f.aliases, f.title, f.body] {
                signature.push(statistics.doc_freq(&Term::from_field_text(field, word))?);
            }
        }
        Ok(signature)
    }

    /// Forgets every kept result and segment answer (for measuring a search's first time).
    pub fn forget_kept(&self) {
        *self.kept() = Kept::default();
        *self.segments() = SegmentAnswers::default();
    }

    /// For one word, how it scores: in aliases, title or body, the field scores added up.
    ///
    /// Title and body are scored by tantivy's BM25, times their boost. Aliases are not: tantivy
    /// averages a field's length over all documents, and nearly all of them (publicity lines)
    /// have no aliases, so length normalisation would crush the score of every alias list.
    /// An alias match is instead scored as the best BM25 score the word can have (a saturated
    /// term frequency, no length penalty): `idf * (k1 + 1)`, times the aliases boost.
    fn word_scoring(&self, statistics: &RoundedStatistics, word: &str) -> [Box<dyn tantivy::query::Query>; 3] {
        let f = &self.fields;
        let bm25 = |field, boost| -> Box<dyn tantivy::query::Query> {
            let term = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
            Box::new(BoostQuery::new(Box::new(term), boost))
        };
        let alias_term = Term::from_field_text(f.aliases, word);
        // Statistics errors only cost the alias its bonus; the term still matches.
        let docs = statistics.total_num_docs().unwrap_or(0);
        let with_alias = statistics.doc_freq(&alias_term).unwrap_or(0).min(docs);
        // BM25's idf, as tantivy computes it: ln(1 + (N - n + 0.5) / (n + 0.5)).
        let idf = (1.0 + ((docs - with_alias) as f32 + 0.5) / (with_alias as f32 + 0.5)).ln();
        let alias_score = ALIASES_BOOST * idf * (BM25_K1 + 1.0);
        let alias = TermQuery::new(alias_term, IndexRecordOption::Basic);
        [
            Box::new(ConstScoreQuery::new(Box::new(alias), alias_score)),
            bm25(f.title, TITLE_BOOST),
            bm25(f.body, BODY_BOOST),
        ]
    }

    /// Entries holding all words (`Occur::Must`) or any word (`Occur::Should`) and passing the
    /// filters, scored by [`SearchIndex::word_scoring`]. Which entries match is decided on the
    /// `words` field alone: one posting list per word, so a rare word skips through a common
    /// one instead of reading it all, and each field's scoring is asked only about those.
    fn text_query(
        &self,
        statistics: &RoundedStatistics,
        words: &[String],
        occur: Occur,
        filters: &Filters,
    ) -> Box<dyn tantivy::query::Query> {
        let term = |word: &String| -> Box<dyn tantivy::query::Query> {
            Box::new(TermQuery::new(Term::from_field_text(self.fields.words, word), IndexRecordOption::Basic))
        };
        let text: Box<dyn tantivy::query::Query> =
            Box::new(BooleanQuery::new(words.iter().map(|w| (occur, term(w))).collect()));
        let mut matching = vec![(Occur::Must, text)];
        matching.extend(self.filters(filters).into_iter().map(|filter| (Occur::Must, filter)));
        Box::new(MatchThenScore {
            matching: Box::new(BooleanQuery::new(matching)),
            scoring: words.iter().flat_map(|w| self.word_scoring(statistics, w)).collect(),
        })
    }

    /// The filters as exact facet terms (they only decide what matches).
    fn filters(&self, filters: &Filters) -> Vec<Box<dyn tantivy::query::Query>> {
        let year = filters.year.map(|year| year.to_string());
        let wanted = [
            (KIND_FACET, filters.kind.map(Kind::as_str)),
            (DEPARTMENT_FACET, filters.department.as_deref()),
            (YEAR_FACET, year.as_deref()),
            (TOWNSHIP_FACET, filters.township.as_deref()),
            (COUNTY_FACET, filters.county.as_deref()),
        ];
        wanted
            .into_iter()
            .filter_map(|(root, value)| Some(facet(root, value?)))
            .map(|value| {
                let term = Term::from_facet(self.fields.facets, &value);
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn tantivy::query::Query>
            })
            .collect()
    }
}

fn facet_set_collector() -> FacetSetCollector {
    FacetSetCollector { roots: &ROOTS }
}

fn uid(kind: Kind, key: &str) -> String {
    format!("{}:{key}", kind.as_str())
}

/// `Some` only for a non-empty string.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// `/<root>/<value>`; the value is one path step, whatever characters it holds ('/' included),
/// except NUL, tantivy's internal separator, which is dropped (see [`facet_value`]).
fn facet(root: &str, value: &str) -> Facet {
    Facet::from_path([root, &facet_value(value)])
}

/// A facet's value as kept: without NUL, tantivy's separator of path steps.
fn facet_value(value: &str) -> String {
    value.replace('\0', "")
}

/// The children of each facet root with their counts, in the order promised by [`Facets`].
fn facets_from(counts: &FacetTally) -> Facets {
    fn children<T: Ord>(counts: &FacetTally, root: &str, parse: impl Fn(&str) -> Option<T>) -> Vec<(T, u64)> {
        let mut list: Vec<(T, u64)> = counts
            .0
            .iter()
            .filter(|((of, _), count)| *of == root && **count > 0)
            .filter_map(|((_, value), count)| Some((parse(value)?, *count)))
            .collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        list
    }
    Facets {
        kinds: children(counts, KIND_FACET, Kind::parse),
        departments: children(counts, DEPARTMENT_FACET, |s| Some(s.to_string())),
        years: children(counts, YEAR_FACET, |s| s.parse().ok()),
        townships: children(counts, TOWNSHIP_FACET, |s| Some(s.to_string())),
        counties: children(counts, COUNTY_FACET, |s| Some(s.to_string())),
    }
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Frequencies and lengths for BM25; no positions, as there are no phrase queries.
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(TOKENIZER).set_index_option(IndexRecordOption::WithFreqs),
    );
    // Aliases and the words of the whole entry only need to match (see `SearchIndex::text_query`):
    // which entries hold a word, no frequencies or lengths.
    let matched_only = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    );
    let fields = Fields {
        uid: builder.add_text_field("uid", STRING),
        kind: builder.add_text_field("kind", STORED),
        key: builder.add_text_field("key", STORED),
        title: builder.add_text_field("title", words.clone().set_stored()),
        aliases: builder.add_text_field("aliases", matched_only.clone()),
        body: builder.add_text_field("body", words.set_stored()),
        words: builder.add_text_field("words", matched_only),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
        facet_set: builder.add_text_field(facet_sets::FIELD, TextOptions::default().set_fast("raw")),
    };
    (builder.build(), fields)
}

// ---------------------------------------------------------------------------------------------
// Words

/// jieba (search mode, which also emits the shorter words inside a long one) with what tantivy
/// needs around it: tokens lower-cased, and spaces, punctuation, emoji and over-long junk
/// dropped, since jieba returns those as tokens too. Used for indexing, for the words of a
/// query and for highlighting, so that all three agree on what a word is.
#[derive(Clone, Default)]
struct WordTokenizer {
    jieba: JiebaTokenizer,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream {
        let mut tokens = Vec::new();
        let mut jieba = self.jieba.token_stream(text);
        while jieba.advance() {
            let token = jieba.token();
            if token.text.len() <= MAX_WORD_BYTES && token.text.chars().any(|c| is_ideograph(c) || c.is_alphanumeric())
            {
                let mut token = token.clone();
                if token.text.chars().any(char::is_uppercase) {
                    token.text = token.text.to_lowercase();
                }
                tokens.push(token);
            }
        }
        WordStream { tokens, next: 0 }
    }
}

struct WordStream {
    tokens: Vec<Token>,
    /// Index of the token after the current one.
    next: usize,
}

impl TokenStream for WordStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next.saturating_sub(1)]
    }
}

/// A CJK unified ideograph (a Chinese character): a letter, never upper-case. Asked first, as
/// it is the common case and Unicode's tables are slow to look such characters up in.
fn is_ideograph(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}')
}

/// Visits the words of `text` with their byte ranges.
fn for_each_word(text: &str, mut visit: impl FnMut(&str, Range<usize>)) {
    let mut stream = WordTokenizer::default().token_stream(text);
    while stream.advance() {
        let token = stream.token();
        visit(&token.text, token.offset_from..token.offset_to);
    }
}

/// The distinct words of a search text, in order, at most `MAX_QUERY_WORDS`.
fn query_words(text: &str) -> Vec<String> {
    // Cut at a character boundary well beyond what the word limit can use.
    let text = prefix_bytes(text, MAX_QUERY_WORDS * MAX_WORD_BYTES);
    let mut words: Vec<String> = Vec::new();
    for_each_word(text, |word, _| {
        if words.len() < MAX_QUERY_WORDS && !words.iter().any(|w| w == word) {
            words.push(word.to_string());
        }
    });
    words
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
fn prefix_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

// ---------------------------------------------------------------------------------------------
// Highlighting

/// Byte ranges of `text` holding one of `words`, sorted, overlapping and touching ranges merged
/// (jieba's search mode yields overlapping words, e.g. "保障" inside "保障金").
///
/// Only the lines that hold one of the words are cut into words: jieba cuts each run of word
/// characters (CJK, ASCII letters and digits, `+#&._%-`) on its own, and a line break is never
/// inside one, so a line gives the same words alone as within the whole text. A long notice is
/// then cut only where the words are, not all of it.
fn word_ranges(text: &str, words: &[String]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if may_hold(line, words) {
            for_each_word(line, |word, range| {
                if words.iter().any(|w| w == word) {
                    ranges.push(range.start + line_start..range.end + line_start);
                }
            });
        }
        line_start += line.len();
    }
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// Whether `line` may hold one of `words` (which are lower-cased) as a word: it holds one as
/// text, ignoring ASCII case; a line with other upper-case letters is always cut to find out.
fn may_hold(line: &str, words: &[String]) -> bool {
    if line.chars().any(|c| !c.is_ascii() && !is_ideograph(c) && c.is_uppercase()) {
        return true;
    }
    let lower;
    let line = if line.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = line.to_ascii_lowercase();
        lower.as_str()
    } else {
        line
    };
    words.iter().any(|w| line.contains(w.as_str()))
}

/// Cuts `text` into pieces at the given (sorted, disjoint, in-bounds, char-aligned) ranges.
fn fragments(text: &str, ranges: &[Range<usize>]) -> Vec<Fragment> {
    let mut pieces = Vec::with_capacity(ranges.len() * 2 + 1);
    let mut push = |text: &str, highlighted: bool| {
        if !text.is_empty() {
            pieces.push(Fragment { text: text.to_string(), highlighted });
        }
    };
    let mut at = 0;
    for range in ranges {
        push(&text[at..range.start], false);
        push(&text[range.clone()], true);
        at = range.end;
    }
    push(&text[at..], false);
    pieces
}

/// At most `SNIPPET_CHARS` characters of `body`, taken where the most different words of the
/// query are, with those words highlighted; the start of the body when none occurs.
fn snippet(body: &str, words: &[String]) -> Vec<Fragment> {
    let scanned = prefix_bytes(body, SNIPPET_SCAN_BYTES);
    let ranges = word_ranges(scanned, words);
    // Byte offset of every character, and the end: char i spans starts[i]..starts[i + 1].
    let starts: Vec<usize> = scanned.char_indices().map(|(i, _)| i).chain(std::iter::once(scanned.len())).collect();
    let char_count = starts.len() - 1;
    if scanned.len() == body.len() && char_count <= SNIPPET_CHARS {
        return fragments(body, &ranges);
    }
    let char_at = |byte: usize| starts.partition_point(|&s| s < byte);

    // Candidate windows start a little before each highlighted range; the best one holds the
    // most distinct words, then the most ranges; the earliest wins a tie.
    let window_at = |first_char: usize| {
        let start = first_char.min(char_count.saturating_sub(SNIPPET_CHARS));
        start..(start + SNIPPET_CHARS).min(char_count)
    };
    let mut best = window_at(0);
    let mut best_score = (0, 0);
    for range in ranges.iter().take(500) {
        let window = window_at(char_at(range.start).saturating_sub(SNIPPET_LEAD_CHARS));
        let (from, to) = (starts[window.start], starts[window.end]);
        let inside: Vec<&str> =
            ranges.iter().filter(|r| r.start >= from && r.end <= to).map(|r| &scanned[r.clone()]).collect();
        let distinct = inside.iter().collect::<HashSet<_>>().len();
        if (distinct, inside.len()) > best_score {
            best_score = (distinct, inside.len());
            best = window;
        }
    }

    let (from, to) = (starts[best.start], starts[best.end]);
    let clipped: Vec<Range<usize>> = ranges
        .iter()
        .filter(|r| r.end > from && r.start < to)
        .map(|r| r.start.max(from) - from..r.end.min(to) - from)
        .collect();
    let mut pieces = fragments(&scanned[from..to], &clipped);
    if from > 0 {
        add_ellipsis(&mut pieces, true);
    }
    if to < body.len() {
        add_ellipsis(&mut pieces, false);
    }
    pieces
}

/// Adds "…" at the start or end, inside the neighbouring non-highlighted piece if there is one.
fn add_ellipsis(pieces: &mut Vec<Fragment>, at_start: bool) {
    let plain = |text: String| Fragment { text, highlighted: false };
    if at_start {
        match pieces.first_mut() {
            Some(first) if !first.highlighted => first.text.insert(0, '…'),
            _ => pieces.insert(0, plain("…".into())),
        }
    } else {
        match pieces.last_mut() {
            Some(last) if !last.highlighted => last.text.push('…'),
            _ => pieces.push(plain("…".into())),
        }
    }
}

#[cfg(test)]
mod tests;
