//! A query that finds its entries with one query and scores them with others: the entries are
//! those of `matching` (single posting lists, intersected by skipping), and each scoring clause
//! is moved only to those entries. tantivy's own boolean query would merge the scoring clauses
//! into unions that read thousands of entries ahead of every entry they are asked about, which
//! is what a rare word next to a common one paid (a masked name and its village: 26 ms at ten
//! million lines for 16 entries).

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError};

/// Entries of `matching`, scored by the sum of the `scoring` clauses that also hold them. With
/// scoring disabled it is `matching` alone.
pub(crate) struct MatchThenScore {
    pub matching: Box<dyn Query>,
    pub scoring: Vec<Box<dyn Query>>,
}

impl Clone for MatchThenScore {
    fn clone(&self) -> Self {
        MatchThenScore {
            matching: self.matching.box_clone(),
            scoring: self.scoring.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl fmt::Debug for MatchThenScore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MatchThenScore").field("matching", &self.matching).field("scoring", &self.scoring).finish()
    }
}

impl Query for MatchThenScore {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let unscored = match enable_scoring.searcher() {
            Some(searcher) => EnableScoring::disabled_from_searcher(searcher),
            None => EnableScoring::disabled_from_schema(enable_scoring.schema()),
        };
        let matching = self.matching.weight(unscored)?;
        if !enable_scoring.is_scoring_enabled() {
            return Ok(matching);
        }
        let scoring = self.scoring.iter().map(|q| q.weight(enable_scoring)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(MatchThenScoreWeight { matching, scoring }))
    }
}

struct MatchThenScoreWeight {
    matching: Box<dyn Weight>,
    scoring: Vec<Box<dyn Weight>>,
}

impl Weight for MatchThenScoreWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let matching = self.matching.scorer(reader, boost)?;
        let scoring = self.scoring.iter().map(|w| w.scorer(reader, boost)).collect::<tantivy::Result<_>>()?;
        Ok(Box::new(MatchThenScoreScorer { matching, scoring }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!("document {doc} does not match")));
        }
        Ok(Explanation::new("sum of the scoring clauses holding the entry", scorer.score()))
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.matching.count(reader)
    }
}

struct MatchThenScoreScorer {
    matching: Box<dyn Scorer>,
    scoring: Vec<Box<dyn Scorer>>,
}

impl DocSet for MatchThenScoreScorer {
    fn advance(&mut self) -> DocId {
        self.matching.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.matching.seek(target)
    }

    fn doc(&self) -> DocId {
        self.matching.doc()
    }

    fn size_hint(&self) -> u32 {
        self.matching.size_hint()
    }
}

impl Scorer for MatchThenScoreScorer {
    fn score(&mut self) -> Score {
        let doc = self.matching.doc();
        let mut sum = 0.0;
        for clause in &mut self.scoring {
            let mut at = clause.doc();
            if at < doc {
                at = clause.seek(doc);
            }
            if at == doc {
                sum += clause.score();
            }
        }
        sum
    }
}
