//! Facet counts from one column: an entry's facets (kind, department, year, county, township)
//! are kept together as one value of a fast field, so counting an entry is one column read and
//! one addition, and each distinct set of facets is read once per segment. tantivy's facet
//! collector looked up five ordinals per entry, a quarter of a search matching a fifth of all
//! lines.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The fast field holding each entry's facets.
pub(crate) const FIELD: &str = "facet_set";

/// One facet: its root (see `ROOTS` in the crate) and value.
pub(crate) type FacetValue = (&'static str, String);

/// The column's value for an entry with these facets, given in the order of `roots`: a JSON
/// list of the values, `null` for an absent one.
pub(crate) fn value(values: &[Option<&str>]) -> String {
    serde_json::to_string(values).unwrap_or_default()
}

/// How many matching entries have each facet.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FacetTally(pub HashMap<FacetValue, u64>);

/// Counts the facets of the entries it is given, per segment from the column.
pub(crate) struct FacetSetCollector {
    /// The roots, in the order of the values in the column.
    pub roots: &'static [&'static str],
}

impl Collector for FacetSetCollector {
    type Fruit = FacetTally;
    type Child = FacetSetSegment;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<FacetSetSegment> {
        let column = reader.fast_fields().str(FIELD)?;
        let counts = vec![0; column.as_ref().map_or(0, |c| c.num_terms())];
        Ok(FacetSetSegment { roots: self.roots, column, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetTally>) -> tantivy::Result<FacetTally> {
        let mut all = FacetTally::default();
        for fruit in fruits {
            for (facet, count) in fruit.0 {
                *all.0.entry(facet).or_default() += count;
            }
        }
        Ok(all)
    }
}

pub(crate) struct FacetSetSegment {
    roots: &'static [&'static str],
    /// `None` in a segment without the field (nothing written to it).
    column: Option<StrColumn>,
    /// Entries counted per distinct set of facets (the column's term ordinal).
    counts: Vec<u64>,
}

impl SegmentCollector for FacetSetSegment {
    type Fruit = FacetTally;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(ord) = self.column.as_ref().and_then(|c| c.ords().first(doc)) {
            self.counts[ord as usize] += 1;
        }
    }

    fn harvest(self) -> FacetTally {
        let mut tally = FacetTally::default();
        let Some(column) = &self.column else { return tally };
        let mut text = String::new();
        for (ord, &count) in self.counts.iter().enumerate().filter(|(_, count)| **count > 0) {
            text.clear();
            if !column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                continue;
            }
            let values: Vec<Option<String>> = serde_json::from_str(&text).unwrap_or_default();
            for (root, value) in self.roots.iter().zip(values) {
                if let Some(value) = value {
                    *tally.0.entry((*root, value)).or_default() += count;
                }
            }
        }
        tally
    }
}
