//! The tantivy index over search keys. Exact keys are answered from a hash
//! map in `Kb`; tantivy's Levenshtein automata find the near misses: the
//! whole key (one raw term per name) and each word (a tokenised field).

use crate::error::Result;
use std::path::Path;
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{FAST, Field, IndexRecordOption, STRING, Schema, TEXT};
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, Term, doc};

pub(crate) struct NameIndex {
    _reader: IndexReader,
    searcher: Searcher,
    key: Field,
    words: Field,
    ids: Vec<Column<u64>>,
}

fn schema() -> (Schema, Field, Field, Field) {
    let mut b = Schema::builder();
    let key = b.add_text_field("key", STRING);
    let words = b.add_text_field("words", TEXT);
    let id = b.add_u64_field("id", FAST);
    (b.build(), key, words, id)
}

/// Edit budget by word length: short words get none, or everything matches.
pub(crate) fn budget(len: usize) -> u8 {
    match len {
        0..=3 => 0,
        4..=6 => 1,
        _ => 2,
    }
}

impl NameIndex {
    pub fn create(dir: &Path, keys: &[String]) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| crate::error::ClinicalError::io(dir, e))?;
        let (schema, key, words, id) = schema();
        let index = Index::create_in_dir(dir, schema)?;
        let mut writer = index.writer_with_num_threads(1, 200_000_000)?;
        for (i, k) in keys.iter().enumerate() {
            writer.add_document(doc!(key => k.as_str(), words => k.as_str(), id => i as u64))?;
        }
        writer.commit()?;
        writer.wait_merging_threads()?;
        Ok(())
    }

    pub fn open(dir: &Path) -> Result<Self> {
        let (_, key, words, _) = schema();
        let index = Index::open_in_dir(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        let ids = searcher
            .segment_readers()
            .iter()
            .map(|s| s.fast_fields().u64("id"))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(NameIndex {
            _reader: reader,
            searcher,
            key,
            words,
            ids,
        })
    }

    fn run(&self, query: &dyn Query, limit: usize) -> Result<Vec<(f32, u32)>> {
        let hits = self
            .searcher
            .search(query, &TopDocs::with_limit(limit).order_by_score())?;
        Ok(hits
            .into_iter()
            .filter_map(|(score, addr)| {
                let col = self.ids.get(addr.segment_ord as usize)?;
                Some((score, col.first(addr.doc_id)? as u32))
            })
            .collect())
    }

    /// Keys within the edit budget of the whole folded query. One edit is
    /// tried first: its automaton is far cheaper than two edits', and most
    /// typos are single.
    pub fn near_keys(&self, folded: &str, limit: usize) -> Result<Vec<u32>> {
        let mut max = budget(folded.chars().count());
        if folded.contains(' ') {
            // Several words: the word search handles the rest more cheaply.
            max = max.min(1);
        }
        for d in 1..=max {
            let q = FuzzyTermQuery::new(Term::from_field_text(self.key, folded), d, true);
            let hits: Vec<u32> = self.run(&q, limit)?.into_iter().map(|(_, id)| id).collect();
            if !hits.is_empty() {
                return Ok(hits);
            }
        }
        Ok(Vec::new())
    }

    /// Keys sharing (fuzzily) words with the query; score = words matched.
    /// A word present in the index is matched exactly; a missing one within
    /// one edit, then (if nothing matched at all) within its full budget:
    /// two-edit automata are the expensive part of a search.
    pub fn word_keys(&self, words: &[&str], limit: usize) -> Result<Vec<(f32, u32)>> {
        let words: Vec<&str> = words.iter().copied().filter(|w| w.len() >= 3).collect();
        let mut exact = Vec::with_capacity(words.len());
        for w in &words {
            exact.push(
                self.searcher
                    .doc_freq(&Term::from_field_text(self.words, w))?
                    > 0,
            );
        }
        let can_widen = words
            .iter()
            .zip(&exact)
            .any(|(w, e)| !e && budget(w.len()) > 1);
        for widen in [false, true] {
            if widen && !can_widen {
                break;
            }
            let clauses: Vec<(Occur, Box<dyn Query>)> = words
                .iter()
                .zip(&exact)
                .map(|(w, &e)| {
                    let term = Term::from_field_text(self.words, w);
                    let q: Box<dyn Query> = if e {
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic))
                    } else {
                        let d = if widen {
                            budget(w.len())
                        } else {
                            budget(w.len()).min(1)
                        };
                        Box::new(FuzzyTermQuery::new(term, d, true))
                    };
                    (
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(q, 1.0)) as Box<dyn Query>,
                    )
                })
                .collect();
            if clauses.is_empty() {
                break;
            }
            let hits = self.run(&BooleanQuery::new(clauses), limit)?;
            if !hits.is_empty() {
                return Ok(hits);
            }
        }
        Ok(Vec::new())
    }
}
