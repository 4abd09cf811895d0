//! The portal's full-text index: items, documents and publicity lines, segmented with jieba so
//! that Chinese words (not single characters) are matched. Knows nothing of Leptos or SQL: the
//! server feeds it `Entry` values and asks it for `Hit`s.

use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::TopDocs;
use tantivy::directory::MmapDirectory;
use tantivy::query::QueryParser;
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING,
};
use tantivy::{doc, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use tantivy_jieba::JiebaTokenizer;

const TOKENIZER: &str = "jieba";
const WRITER_HEAP_BYTES: usize = 50_000_000;

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open the index directory: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("cannot create the index directory: {0}")]
    Io(#[from] std::io::Error),
}

/// What kind of thing an entry is; the kind is part of its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Item,
    Document,
    Publicity,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Item => "item",
            Kind::Document => "document",
            Kind::Publicity => "publicity",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "item" => Some(Kind::Item),
            "document" => Some(Kind::Document),
            "publicity" => Some(Kind::Publicity),
            _ => None,
        }
    }
}

/// One searchable thing. `key` is unique per kind (e.g. the item code or document id).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: Kind,
    pub key: String,
    pub title: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: Kind,
    pub key: String,
    pub title: String,
    pub score: f32,
}

struct Fields {
    uid: Field,
    kind: Field,
    key: Field,
    title: Field,
    body: Field,
}

pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) when missing.
    pub fn open_or_create(dir: &Path) -> Result<Self, IndexError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        Self::from_index(index, fields)
    }

    /// An index held in memory only (tests, one-off tools).
    pub fn in_memory() -> Result<Self, IndexError> {
        let (schema, fields) = schema();
        Self::from_index(Index::create_in_ram(schema), fields)
    }

    fn from_index(index: Index, fields: Fields) -> Result<Self, IndexError> {
        index.tokenizers().register(TOKENIZER, JiebaTokenizer::new());
        let writer = index.writer(WRITER_HEAP_BYTES)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Self { index, reader, writer: Mutex::new(writer), fields })
    }

    /// Adds the entry, replacing an earlier one with the same kind and key. Visible after `commit`.
    pub fn upsert(&self, entry: &Entry) -> Result<(), IndexError> {
        let f = &self.fields;
        let uid = uid(entry.kind, &entry.key);
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_term(Term::from_field_text(f.uid, &uid));
        writer.add_document(doc!(
            f.uid => uid,
            f.kind => entry.kind.as_str(),
            f.key => entry.key.clone(),
            f.title => entry.title.clone(),
            f.body => entry.body.clone(),
        ))?;
        Ok(())
    }

    pub fn delete(&self, kind: Kind, key: &str) {
        let writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        writer.delete_term(Term::from_field_text(self.fields.uid, &uid(kind, key)));
    }

    /// Makes everything upserted or deleted so far visible to searches.
    pub fn commit(&self) -> Result<(), IndexError> {
        self.writer.lock().unwrap_or_else(|e| e.into_inner()).commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Number of entries visible to searches.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Best matches for free text typed by a person; syntax errors are forgiven, never returned.
    pub fn search(&self, text: &str, limit: usize) -> Result<Vec<Hit>, IndexError> {
        let f = &self.fields;
        let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body]);
        parser.set_field_boost(f.title, 3.0);
        let (query, _ignored) = parser.parse_query_lenient(text);
        let searcher = self.reader.searcher();
        let top = searcher.search(&query, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text_of = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            if let Some(kind) = Kind::parse(&text_of(f.kind)) {
                hits.push(Hit { kind, key: text_of(f.key), title: text_of(f.title), score });
            }
        }
        Ok(hits)
    }
}

fn uid(kind: Kind, key: &str) -> String {
    format!("{}:{key}", kind.as_str())
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let chinese = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        uid: builder.add_text_field("uid", STRING),
        kind: builder.add_text_field("kind", STRING | STORED),
        key: builder.add_text_field("key", STRING | STORED),
        title: builder.add_text_field("title", chinese.clone()),
        body: builder.add_text_field("body", chinese),
    };
    (builder.build(), fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: Kind, key: &str, title: &str, body: &str) -> Entry {
        Entry { kind, key: key.into(), title: title.into(), body: body.into() }
    }

    #[test]
    fn finds_chinese_words_and_replaces_on_upsert() {
        let dir = tempfile::tempdir().unwrap();
        let index = SearchIndex::open_or_create(dir.path()).unwrap();
        index.upsert(&entry(Kind::Item, "14-01", "最低生活保障金", "困难群众救助资金 县民政局 按月发放")).unwrap();
        index.upsert(&entry(Kind::Item, "01", "耕地地力保护补贴资金", "县农业农村局 按年发放")).unwrap();
        index.upsert(&entry(Kind::Document, "3", "泗水县一卡通发放试点工作方案", "社会保障卡的身份凭证和金融支付功能")).unwrap();
        index.commit().unwrap();
        assert_eq!(index.len(), 3);

        let hits = index.search("生活保障", 10).unwrap();
        assert_eq!(hits.first().map(|h| h.key.as_str()), Some("14-01"));
        let hits = index.search("金融支付", 10).unwrap();
        assert_eq!(hits.first().map(|h| (h.kind, h.key.as_str())), Some((Kind::Document, "3")));

        index.upsert(&entry(Kind::Item, "01", "耕地地力保护补贴", "按年发放")).unwrap();
        index.commit().unwrap();
        assert_eq!(index.len(), 3, "upsert replaces, it does not add");
        index.delete(Kind::Item, "01");
        index.commit().unwrap();
        assert!(index.search("耕地", 10).unwrap().is_empty());
        drop(index);

        // What was committed is there after reopening.
        let reopened = SearchIndex::open_or_create(dir.path()).unwrap();
        assert_eq!(reopened.len(), 2);
    }

    #[test]
    fn junk_queries_give_no_error() {
        let index = SearchIndex::in_memory().unwrap();
        index.upsert(&entry(Kind::Item, "1", "高龄津贴", "")).unwrap();
        index.commit().unwrap();
        for q in ["", "   ", "AND OR", "\"unclosed", "title:(", "*", "高龄 AND"] {
            assert!(index.search(q, 5).is_ok(), "{q}");
        }
    }
}
