//! The portal's full-text index: items, documents and publicity lines, segmented with jieba so
//! that Chinese words (not single characters) are matched. Knows nothing of Leptos or SQL: the
//! server feeds it `Entry` values and asks it for `Results`.
//!
//! Design in short:
//! - One tantivy document per entry. `title`, `aliases` and `body` are full-text fields analysed
//!   by [`WordTokenizer`] (jieba words, lower-cased, punctuation dropped). `kind`, `key`, `title`
//!   and `body` are stored so that hits and snippets can be built without the database.
//! - Department, year, county, township and kind are also written as facets (`/department/县民政局`,
//!   `/year/2026`, ...) in one facet field: filters are exact term queries on it and the facet
//!   counts come from tantivy's `FacetCollector`, which counts per segment from the columnar
//!   data without loading documents.
//! - What a search found is kept until the next commit changes what it would find: its whole
//!   results (per text, filters and page), and the total and facet counts of its text alone,
//!   which every filter and page of that text shares. A common word (an item name matching a
//!   fifth of all entries) costs its counting and scoring once per commit, not once per visitor.
//! - The search text is never parsed as query syntax: it is cut into words by the same tokenizer
//!   that indexed the fields, and the query is built from those words directly, so characters
//!   such as `: + - ( ) " * \` have no meaning and cannot make a query fail.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, Occur, TermQuery};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};
use tantivy_jieba::JiebaTokenizer;

/// Name under which [`WordTokenizer`] is registered for the text fields.
const TOKENIZER: &str = "jieba";
/// Memory the writer may use for not yet flushed documents (shared by its indexing threads).
const WRITER_HEAP_BYTES: usize = 100_000_000;

/// Score multipliers: an abbreviation listed in `aliases` says more than a word of the title,
/// which says more than a word somewhere in the body. See [`SearchIndex::word_query`].
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
/// Longer "words" are junk (base64, long digit runs) and are not indexed.
const MAX_WORD_BYTES: usize = 100;

/// Facet roots: every facet value is `/<root>/<value>`.
const KIND_FACET: &str = "kind";
const DEPARTMENT_FACET: &str = "department";
const YEAR_FACET: &str = "year";
const TOWNSHIP_FACET: &str = "township";
const COUNTY_FACET: &str = "county";

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
    facets: Field,
}

/// The index. All methods take `&self`; it can be shared between threads (e.g. in an `Arc`).
/// Changes become visible to searches after [`SearchIndex::commit`].
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// Payload of the last commit, cached so that `marker()` does not read the disk.
    marker: Mutex<Option<String>>,
    kept: Mutex<Kept>,
}

/// What searches found, valid for one generation of the reader (a commit starts the next).
#[derive(Default)]
struct Kept {
    generation: u64,
    /// Per search text (its words): what its unfiltered first pass counted.
    counts: HashMap<Vec<String>, Counts>,
    /// Per whole search: its results.
    results: HashMap<KeptQuery, Results>,
}

/// The entries matching a text, ignoring filters: how many, their facets, and whether that is
/// all of its words or (none having them all) any of them.
#[derive(Clone)]
struct Counts {
    total: usize,
    facets: Facets,
    all_words: bool,
}

/// A search as the results depend on it: its words, filters and page.
#[derive(Clone, PartialEq, Eq, Hash)]
struct KeptQuery {
    words: Vec<String>,
    kind: Option<Kind>,
    department: Option<String>,
    year: Option<i32>,
    township: Option<String>,
    county: Option<String>,
    offset: usize,
    limit: usize,
}

impl Kept {
    /// Forgets everything when the reader has moved on to a newer generation.
    fn at(&mut self, generation: u64) -> &mut Self {
        if self.generation != generation {
            *self = Kept { generation, ..Kept::default() };
        }
        self
    }

    fn keep_counts(&mut self, words: Vec<String>, counts: Counts) {
        if self.counts.len() >= MAX_KEPT {
            self.counts.clear();
        }
        self.counts.insert(words, counts);
    }

    fn keep_results(&mut self, query: KeptQuery, results: Results) {
        if self.results.len() >= MAX_KEPT {
            self.results.clear();
        }
        self.results.insert(query, results);
    }
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
        Self::from_index(index, fields)
    }

    /// An index held in memory only (tests, one-off tools).
    pub fn in_memory() -> Result<Self, IndexError> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields)
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self, IndexError> {
        index.tokenizers().register(TOKENIZER, WordTokenizer::default());
        let marker = index.load_metas()?.payload;
        let writer = index.writer(WRITER_HEAP_BYTES)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            marker: Mutex::new(marker),
            kept: Mutex::new(Kept::default()),
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
        doc.add_facet(f.facets, facet(KIND_FACET, entry.kind.as_str()));
        if let Some(department) = non_empty(entry.department.as_deref()) {
            doc.add_facet(f.facets, facet(DEPARTMENT_FACET, department));
        }
        if let Some(year) = entry.year {
            doc.add_facet(f.facets, facet(YEAR_FACET, &year.to_string()));
        }
        if let Some(county) = non_empty(entry.county.as_deref()) {
            doc.add_facet(f.facets, facet(COUNTY_FACET, county));
        }
        if let Some(township) = non_empty(entry.township.as_deref()) {
            doc.add_facet(f.facets, facet(TOWNSHIP_FACET, township));
        }
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
        let kept_query = KeptQuery {
            words: words.clone(),
            kind: query.kind,
            department: non_empty(query.department).map(str::to_string),
            year: query.year,
            township: non_empty(query.township).map(str::to_string),
            county: non_empty(query.county).map(str::to_string),
            offset,
            limit,
        };
        if let Some(results) = self.kept().at(generation).results.get(&kept_query) {
            return Ok(results.clone());
        }
        let results = self.compute(&searcher, generation, &words, query, offset, limit)?;
        self.kept().at(generation).keep_results(kept_query, results.clone());
        Ok(results)
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// [`SearchIndex::search`] without its kept results.
    fn compute(
        &self,
        searcher: &Searcher,
        generation: u64,
        words: &[String],
        query: &Query,
        offset: usize,
        limit: usize,
    ) -> Result<Results, IndexError> {
        let filters = self.filters(query);
        let top_docs = || TopDocs::with_limit(limit).and_offset(offset).order_by_score();
        let kept_counts = self.kept().at(generation).counts.get(words).cloned();
        // First pass, without filters: total and facets (kept per text), and also the page when
        // unfiltered.
        let (counts, text_query, page) = match kept_counts {
            Some(counts) => {
                let occur = if counts.all_words { Occur::Must } else { Occur::Should };
                (counts, self.text_query(searcher, words, occur), None)
            }
            None => {
                let first_pass = |text_query: &dyn tantivy::query::Query| {
                    let page_here = filters.is_empty().then(top_docs);
                    searcher.search(text_query, &(Count, self.facet_collector(), page_here))
                };
                let mut all_words = true;
                let mut text_query = self.text_query(searcher, words, Occur::Must);
                let (mut total, mut facet_counts, mut page) = first_pass(&*text_query)?;
                if total == 0 && words.len() > 1 {
                    all_words = false;
                    text_query = self.text_query(searcher, words, Occur::Should);
                    (total, facet_counts, page) = first_pass(&*text_query)?;
                }
                let counts = Counts { total, facets: facets_from(&facet_counts), all_words };
                self.kept().at(generation).keep_counts(words.to_vec(), counts.clone());
                (counts, text_query, page)
            }
        };
        // The page when the first pass did not give it: unfiltered, on its own; with filters, a
        // second pass for the page and its filtered total.
        let (total, page) = match page {
            Some(page) => (counts.total, page),
            None if filters.is_empty() => (counts.total, searcher.search(&*text_query, &top_docs())?),
            None => {
                let mut clauses: Vec<(Occur, Box<dyn tantivy::query::Query>)> = vec![(Occur::Must, text_query)];
                clauses.extend(filters.into_iter().map(|filter| (Occur::Must, filter)));
                searcher.search(&BooleanQuery::new(clauses), &(Count, top_docs()))?
            }
        };

        let mut hits = Vec::with_capacity(page.len());
        for (score, address) in page {
            let doc: TantivyDocument = searcher.doc(address)?;
            let f = &self.fields;
            let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default();
            let Some(kind) = Kind::parse(text_of(f.kind)) else { continue };
            let title = text_of(f.title);
            let body = text_of(f.body);
            hits.push(Hit {
                kind,
                key: text_of(f.key).to_string(),
                title: fragments(title, &word_ranges(title, words)),
                snippet: snippet(body, words),
                score,
            });
        }
        Ok(Results { total, hits, facets: counts.facets })
    }

    /// Forgets every kept result, as a commit does (for measuring a search's first time).
    pub fn forget_kept(&self) {
        *self.kept() = Kept::default();
    }

    /// For one word: the word in aliases, title or body, the field scores added up.
    ///
    /// Title and body are scored by tantivy's BM25, times their boost. Aliases are not: tantivy
    /// averages a field's length over all documents, and nearly all of them (publicity lines)
    /// have no aliases, so length normalisation would crush the score of every alias list.
    /// An alias match is instead scored as the best BM25 score the word can have (a saturated
    /// term frequency, no length penalty): `idf * (k1 + 1)`, times the aliases boost.
    fn word_query(&self, searcher: &Searcher, word: &str) -> Box<dyn tantivy::query::Query> {
        let f = &self.fields;
        let bm25 = |field, boost| -> (Occur, Box<dyn tantivy::query::Query>) {
            let term = TermQuery::new(Term::from_field_text(field, word), IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(BoostQuery::new(Box::new(term), boost)))
        };
        let alias_term = Term::from_field_text(f.aliases, word);
        // Statistics errors only cost the alias its bonus; the term still matches.
        let docs: u64 = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        let with_alias = searcher.doc_freq(&alias_term).unwrap_or(0).min(docs);
        // BM25's idf, as tantivy computes it: ln(1 + (N - n + 0.5) / (n + 0.5)).
        let idf = (1.0 + ((docs - with_alias) as f32 + 0.5) / (with_alias as f32 + 0.5)).ln();
        let alias_score = ALIASES_BOOST * idf * (BM25_K1 + 1.0);
        let alias = TermQuery::new(alias_term, IndexRecordOption::Basic);
        Box::new(BooleanQuery::new(vec![
            (Occur::Should, Box::new(ConstScoreQuery::new(Box::new(alias), alias_score))),
            bm25(f.title, TITLE_BOOST),
            bm25(f.body, BODY_BOOST),
        ]))
    }

    /// All words (`Occur::Must`) or any word (`Occur::Should`).
    fn text_query(&self, searcher: &Searcher, words: &[String], occur: Occur) -> Box<dyn tantivy::query::Query> {
        let clauses = words.iter().map(|w| (occur, self.word_query(searcher, w))).collect();
        Box::new(BooleanQuery::new(clauses))
    }

    /// The query's filters as exact facet terms; they do not change the score.
    fn filters(&self, query: &Query) -> Vec<Box<dyn tantivy::query::Query>> {
        let year = query.year.map(|year| year.to_string());
        let wanted = [
            (KIND_FACET, query.kind.map(Kind::as_str)),
            (DEPARTMENT_FACET, non_empty(query.department)),
            (YEAR_FACET, year.as_deref()),
            (TOWNSHIP_FACET, non_empty(query.township)),
            (COUNTY_FACET, non_empty(query.county)),
        ];
        wanted
            .into_iter()
            .filter_map(|(root, value)| Some(facet(root, value?)))
            .map(|value| {
                let term = Term::from_facet(self.fields.facets, &value);
                let exact = TermQuery::new(term, IndexRecordOption::Basic);
                Box::new(ConstScoreQuery::new(Box::new(exact), 0.0)) as Box<dyn tantivy::query::Query>
            })
            .collect()
    }

    fn facet_collector(&self) -> FacetCollector {
        let name = self.index.schema().get_field_name(self.fields.facets).to_string();
        let mut collector = FacetCollector::for_field(name);
        for root in [KIND_FACET, DEPARTMENT_FACET, YEAR_FACET, TOWNSHIP_FACET, COUNTY_FACET] {
            collector.add_facet(Facet::from_path([root]));
        }
        collector
    }
}

fn uid(kind: Kind, key: &str) -> String {
    format!("{}:{key}", kind.as_str())
}

/// `Some` only for a non-empty string.
fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// `/<root>/<value>`; the value is one path step, whatever characters it holds ('/' included),
/// except NUL, tantivy's internal separator, which is dropped.
fn facet(root: &str, value: &str) -> Facet {
    if value.contains('\0') {
        Facet::from_path([root, &value.replace('\0', "")])
    } else {
        Facet::from_path([root, value])
    }
}

/// The children of each facet root with their counts, in the order promised by [`Facets`].
fn facets_from(counts: &FacetCounts) -> Facets {
    fn children<T: Ord>(counts: &FacetCounts, root: &str, parse: impl Fn(&str) -> Option<T>) -> Vec<(T, u64)> {
        let mut list: Vec<(T, u64)> = counts
            .get(Facet::from_path([root]))
            .filter(|(_, count)| *count > 0)
            .filter_map(|(facet, count)| Some((parse(facet.to_path().last()?)?, count)))
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
    // Aliases only need to match (see `SearchIndex::word_query`).
    let aliases = TextOptions::default().set_indexing_options(
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
        aliases: builder.add_text_field("aliases", aliases),
        body: builder.add_text_field("body", words.set_stored()),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
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
            if token.text.len() <= MAX_WORD_BYTES && token.text.chars().any(char::is_alphanumeric) {
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
fn word_ranges(text: &str, words: &[String]) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for_each_word(text, |word, range| {
        if words.iter().any(|w| w == word) {
            ranges.push(range);
        }
    });
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
