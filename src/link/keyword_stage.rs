//! Stage 1 of the cascade: the passages of a commit's window that say its terms, found
//! through an inverted index of the talk's terms and scored by keyword overlap and BM25;
//! the best `candidateLimit` go on to the semantic stage.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::{CommitLinks, Params, Scored};
use crate::candidates::{self, Passage};
use crate::commits::CommitInfo;
use crate::score::features::{Raw, N};
use crate::score::keywords::{CommitTerms, Idf};
use crate::score::said;
use crate::talk_terms::TalkTerms;
use crate::workspace::Workspace;

/// The crates a commit touches, and their package and target names as extra keywords.
pub fn crates_of(commit: &CommitInfo, ws: &Workspace) -> (Vec<String>, Vec<String>) {
    let mut crates = BTreeSet::new();
    let mut words = BTreeSet::new();
    for f in &commit.files {
        if let Some(p) = ws.package_of(&f.path) {
            crates.insert(p.name.clone());
            words.insert(p.name.clone());
            words.extend(p.targets.iter().cloned());
        }
    }
    (crates.into_iter().collect(), words.into_iter().collect())
}

/// Passages reduced to their terms once, and how rare each term is among them. Terms are
/// interned: each passage keeps sorted term ids, so a year of talk (44k passages, ~4M term
/// occurrences) takes tens of megabytes rather than hundreds.
pub struct PassageTerms<'t> {
    /// The talk's vocabulary: a term no passage says has no postings and no set holds it.
    talk: &'t TalkTerms,
    sets: Vec<Box<[u32]>>,
    pub idf: Idf,
    /// Terms per passage (with repeats), for BM25's length normalisation, and their mean.
    pub lens: Vec<usize>,
    pub mean_len: f64,
    /// term id → the passages that say it, by start time: a commit's candidates are found
    /// from its own terms' postings inside its window, so the keyword stage costs what the
    /// commit says and how much talk its window holds, not how much talk there is.
    pub postings: Vec<Vec<u32>>,
    /// Each passage's start, in milliseconds, to find a window in a posting list.
    starts: Vec<i64>,
}

impl<'t> PassageTerms<'t> {
    /// The passages' terms from their rows' (`talk`, built from the discussions the passages
    /// were cut from): nothing is split here.
    pub fn new(passages: &[Passage], talk: &'t TalkTerms) -> PassageTerms<'t> {
        let mut df: Vec<usize> = vec![0; talk.vocab_len()];
        let mut sets: Vec<Box<[u32]>> = Vec::with_capacity(passages.len());
        let mut lens = Vec::with_capacity(passages.len());
        let mut ids: Vec<u32> = Vec::new();
        for p in passages {
            let rows = &talk.rows(p.discussion_index)[p.rows.clone()];
            ids.clear();
            ids.extend(rows.iter().flat_map(|r| r.ids.iter().copied()));
            ids.sort_unstable();
            ids.dedup();
            for &id in &ids {
                df[id as usize] += 1;
            }
            lens.push(rows.iter().map(|r| r.len as usize).sum());
            sets.push(ids.as_slice().into());
        }
        // Only the terms some passage says: a term of the vocabulary no passage holds weighs
        // as any term the talk never says.
        let idf = Idf::from_counts(passages.len(), talk.vocab().filter(|(_, id)| df[*id as usize] > 0).map(|(t, id)| (t.to_string(), df[id as usize])));
        let mean_len = lens.iter().sum::<usize>() as f64 / lens.len().max(1) as f64;
        let starts: Vec<i64> = passages.iter().map(|p| p.start.timestamp_millis()).collect();
        // Passages come by discussion, and discussions of the two kinds (microphone, system
        // output) overlap in time: order by start, ties by index.
        let mut by_start: Vec<u32> = (0..passages.len() as u32).collect();
        by_start.sort_by_key(|&i| (starts[i as usize], i));
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); talk.vocab_len()];
        for &i in &by_start {
            for &id in sets[i as usize].iter() {
                postings[id as usize].push(i);
            }
        }
        PassageTerms { talk, sets, idf, lens, mean_len, postings, starts }
    }

    /// Whether passage `i` says `term`.
    pub fn says(&self, i: usize, term: &str) -> bool {
        self.talk.id(term).is_some_and(|id| self.sets[i].binary_search(&id).is_ok())
    }

    /// The passages that start in `[from, to)` (to the millisecond, rounded outwards) and say
    /// at least one of `terms`, in passage order. Each term's postings are cut to the window by binary search: a year of talk
    /// costs a commit no more than a week of it.
    pub fn sharing<'q>(&self, terms: impl Iterator<Item = &'q str>, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<usize> {
        // Whole milliseconds, rounded outwards (exact for whole-millisecond times; the
        // keyword stage checks the exact window after).
        let (from, to) = (from.timestamp_millis(), to.timestamp_millis() + i64::from(!to.timestamp_subsec_nanos().is_multiple_of(1_000_000)));
        let mut out: Vec<usize> = Vec::new();
        for id in terms.filter_map(|t| self.talk.id(t)) {
            let list = &self.postings[id as usize];
            let lo = list.partition_point(|&i| self.starts[i as usize] < from);
            let hi = lo + list[lo..].partition_point(|&i| self.starts[i as usize] < to);
            out.extend(list[lo..hi].iter().map(|&i| i as usize));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// BM25 of passage `i` for `query` (term frequency counted once), divided by the
    /// query's IDF mass, so 1 is "says every term of the commit, at average length".
    pub fn bm25(&self, i: usize, query: &[(String, f64)]) -> f64 {
        const K1: f64 = 1.2;
        const B: f64 = 0.75;
        let norm = K1 * (1.0 - B + B * self.lens[i] as f64 / self.mean_len.max(1.0));
        let tf = (K1 + 1.0) / (1.0 + norm);
        let mass: f64 = query.iter().map(|(_, w)| w).sum();
        let hit: f64 = query.iter().filter(|(t, _)| self.says(i, t)).map(|(_, w)| w * tf).sum();
        if mass > 0.0 {
            hit / mass
        } else {
            0.0
        }
    }
}

/// Stage 1, for one commit: keyword scores of the passages in its window, pruned.
pub fn keyword_stage(commit: &CommitInfo, ws: &Workspace, passages: &[Passage], pterms: &PassageTerms, params: &Params) -> CommitLinks {
    let (crates, crate_words) = crates_of(commit, ws);
    let message: Vec<&str> = vec![&commit.subject, &commit.body];
    let mut code: Vec<&str> = commit.files.iter().map(|f| f.path.as_str()).collect();
    code.extend(commit.identifiers.iter().map(String::as_str));
    code.extend(crate_words.iter().map(String::as_str));
    let mut terms = if params.grouped {
        CommitTerms::grouped(vec![message, code], &params.keywords)
    } else {
        CommitTerms::new(message.into_iter().chain(code), &params.keywords)
    };
    if params.idf {
        terms = terms.with_idf(&pterms.idf);
    }
    let query: Vec<(String, f64)> = terms.terms().map(|t| (t.to_string(), pterms.idf.bm25_weight(t))).collect();
    let (start, end) = candidates::window(commit, params.time_window_days, params.commit_offset_hours);
    let mut scored: Vec<Scored> = pterms
        .sharing(terms.terms(), start, end)
        .into_iter()
        .filter(|&i| passages[i].start >= start && passages[i].end < end)
        .filter_map(|i| {
            let (keyword, matched) = terms.score_with(|t| pterms.says(i, t));
            (keyword > 0.0).then(|| {
                let raw = Raw { keyword, bm25: pterms.bm25(i, &query), ..Raw::default() };
                Scored { passage: i, keyword, semantic: 0.0, confidence: 0.0, matched, raw, features: [0.0; N], why: Vec::new() }
            })
        })
        .collect();
    scored.sort_by(|a, b| prefilter(b).total_cmp(&prefilter(a)).then(a.passage.cmp(&b.passage)));
    if params.candidate_limit > 0 {
        scored.truncate(params.candidate_limit);
        // Every passage sharing a term was scored; keep only the room the kept ones need
        // (1,500 commits × hundreds of scored passages would otherwise stay allocated).
        scored.shrink_to_fit();
    }
    let names = said::distinctive_names(commit.identifiers.iter().map(String::as_str), commit.files.iter().map(|f| f.path.as_str()));
    for s in &mut scored {
        let p = &passages[s.passage];
        s.raw.gap_hours = (commit.committer_time - p.end).num_seconds() as f64 / 3600.0;
        s.raw.identifiers_said = said::names_said(&names, &p.text.to_lowercase());
        s.raw.author_speaks = said::author_speaks(&commit.author, &p.speakers());
    }
    CommitLinks { commit: 0, crates, candidates: scored, work: Default::default() }
}

/// The keyword stage's order: which passages go on to be embedded.
fn prefilter(s: &Scored) -> f64 {
    s.keyword
}
