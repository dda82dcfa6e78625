//! The talk's terms, row by row: split once, read by both the topic cuts (which rows change
//! topic) and the keyword index (which passages say a commit's terms), and kept in a cache
//! so a warm run over unchanged talk never splits a row again (issue 13, item 2).
//!
//! A passage's terms are its rows' terms: a discussion's text is its rows' spans joined by
//! spaces and a term never crosses a space, so nothing is lost by splitting per row (a
//! two-word filler is judged within its row: `keywords::talk_terms`).

pub mod cache;

use std::collections::HashMap;

use crate::score::keywords;
use crate::source::discussion::Discussion;
pub use cache::TermCache;

/// One row's terms: their ids (sorted, each once), how many it says with repeats (BM25's
/// length), and its words (a passage's length limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowTerms {
    pub ids: Box<[u32]>,
    pub len: u32,
    pub words: u32,
}

/// Every row of every discussion, as term ids into one vocabulary.
#[derive(Default)]
pub struct TalkTerms {
    vocab: HashMap<Box<str>, u32>,
    rows: Vec<Vec<RowTerms>>,
    /// Discussions split here, not read from the cache (a warm run: 0).
    pub split: usize,
}

/// A discussion's rows with terms as indices into its own word list: the form the cache
/// stores, before the terms are interned into the run's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local {
    pub words: Vec<String>,
    /// Per row: local ids (sorted, each once), terms with repeats, words.
    pub rows: Vec<(Vec<u32>, u32, u32)>,
}

impl Local {
    /// Split every row of `d` into terms.
    pub fn split(d: &Discussion) -> Local {
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut words = Vec::new();
        let rows = d
            .rows
            .iter()
            .map(|r| {
                let text = &d.text[r.span.0..r.span.1];
                let all = keywords::talk_terms(text);
                let len = all.len() as u32;
                let mut ids: Vec<u32> = all
                    .into_iter()
                    .map(|t| {
                        let next = words.len() as u32;
                        *index.entry(t).or_insert_with_key(|t| {
                            words.push(t.clone());
                            next
                        })
                    })
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                (ids, len, text.split_whitespace().count() as u32)
            })
            .collect();
        Local { words, rows }
    }
}

impl TalkTerms {
    /// Split every row of `discussions` (no cache).
    pub fn new(discussions: &[Discussion]) -> TalkTerms {
        Self::build(discussions, None)
    }

    /// The rows' terms from `cache` where it holds the discussion, split (on every core)
    /// and stored where it does not.
    pub fn build(discussions: &[Discussion], mut cache: Option<&mut TermCache>) -> TalkTerms {
        let keys: Vec<cache::Key> = match &cache {
            Some(_) => crate::par::par_map(discussions, cache::key),
            None => Vec::new(),
        };
        let mut found = cache.as_mut().map(|c| c.get_many(&keys)).unwrap_or_default();
        let todo: Vec<(usize, &Discussion)> = discussions.iter().enumerate().filter(|(i, _)| !found.contains_key(i)).collect();
        let split = crate::par::par_map(&todo, |(_, d)| Local::split(d));
        if let Some(c) = cache.as_mut() {
            c.put_many(todo.iter().zip(&split).map(|((i, _), local)| (&keys[*i], local)));
        }
        let mut fresh = todo.iter().map(|(i, _)| *i).zip(split).collect::<HashMap<usize, Local>>();
        let mut out = TalkTerms { split: fresh.len(), ..TalkTerms::default() };
        for i in 0..discussions.len() {
            let local = found.remove(&i).or_else(|| fresh.remove(&i)).expect("every discussion is found or split");
            out.intern(local);
        }
        out
    }

    fn intern(&mut self, local: Local) {
        let ids: Vec<u32> = local
            .words
            .into_iter()
            .map(|w| {
                let next = self.vocab.len() as u32;
                *self.vocab.entry(w.into_boxed_str()).or_insert(next)
            })
            .collect();
        let rows = local
            .rows
            .into_iter()
            .map(|(local_ids, len, words)| {
                let mut g: Vec<u32> = local_ids.iter().map(|&l| ids[l as usize]).collect();
                g.sort_unstable();
                RowTerms { ids: g.into_boxed_slice(), len, words }
            })
            .collect();
        self.rows.push(rows);
    }

    /// The rows of discussion `d` (its index in the slice the terms were built from).
    pub fn rows(&self, d: usize) -> &[RowTerms] {
        &self.rows[d]
    }

    pub fn id(&self, term: &str) -> Option<u32> {
        self.vocab.get(term).copied()
    }

    /// Every term and its id.
    pub fn vocab(&self) -> impl Iterator<Item = (&str, u32)> {
        self.vocab.iter().map(|(t, &id)| (&**t, id))
    }

    pub fn vocab_len(&self) -> usize {
        self.vocab.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn discussion(rows: &[&str]) -> Discussion {
        Discussion::of_rows(rows, chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(), chrono::Duration::zero())
    }

    #[test]
    fn a_rows_terms_are_what_its_text_says() {
        let d = discussion(&["The HTTPClient retries retries", "idempotency_keys in caches", "um yeah"]);
        let terms = TalkTerms::new(std::slice::from_ref(&d));
        for (row, r) in d.rows.iter().zip(terms.rows(0)) {
            let text = &d.text[row.span.0..row.span.1];
            let mut want: Vec<u32> = keywords::talk_terms(text).iter().map(|t| terms.id(t).unwrap()).collect();
            assert_eq!(r.len as usize, want.len());
            want.sort_unstable();
            want.dedup();
            assert_eq!(&*r.ids, &want[..]);
            assert_eq!(r.words as usize, text.split_whitespace().count());
        }
        assert_eq!(terms.rows(0)[2].ids.len(), 0, "fillers and stop words say nothing");
        assert_eq!(terms.split, 1);
    }

    #[test]
    fn a_warm_build_reads_the_cache_and_splits_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let ds = vec![discussion(&["export times out", "for big customers"]), discussion(&["retry budget", "TokenBucket refill"])];
        let cold = TalkTerms::build(&ds, Some(&mut TermCache::open(dir.path())));
        assert_eq!(cold.split, 2);
        let warm = TalkTerms::build(&ds, Some(&mut TermCache::open(dir.path())));
        assert_eq!(warm.split, 0);
        for d in 0..ds.len() {
            let words = |t: &TalkTerms, r: &RowTerms| {
                let names: HashMap<u32, &str> = t.vocab().map(|(w, id)| (id, w)).collect();
                r.ids.iter().map(|id| names[id].to_string()).collect::<std::collections::BTreeSet<_>>()
            };
            for (a, b) in cold.rows(d).iter().zip(warm.rows(d)) {
                assert_eq!(words(&cold, a), words(&warm, b));
                assert_eq!((a.len, a.words), (b.len, b.words));
            }
        }
        // Changed talk is split again; the rest still comes from the cache.
        let changed = vec![ds[0].clone(), discussion(&["retry budget", "TokenBucket refill now"])];
        assert_eq!(TalkTerms::build(&changed, Some(&mut TermCache::open(dir.path()))).split, 1);
    }
}
