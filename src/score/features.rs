//! What the fitted scorer sees of one (commit, passage) candidate: a fixed vector of
//! features, each in about [−1, 1], built from scores that mean the same on any talk.
//!
//! A raw cosine means something different on every kind of talk (meetings, bug reports,
//! the sample worlds), so most features are *relative*: how far a passage stands out from
//! the commit's other candidates, and (backfill only, where later commits are known) how far
//! the commit stands out from the other commits the same passage could have motivated. A
//! report is usually fixed by the most similar of the commits that follow it.

use std::collections::HashMap;

/// Feature names, in vector order (the order of the shipped weights).
pub const NAMES: [&str; 12] = [
    "semantic",
    "keyword",
    "bm25",
    "semantic_margin",
    "keyword_margin",
    "semantic_over_mean",
    "passage_semantic_margin",
    "passage_bm25_margin",
    "best_for_passage",
    "gap",
    "identifiers_said",
    "author_speaks",
];
pub const N: usize = NAMES.len();

/// Features that need the commits after this one (backfill); the hook's model leaves them out.
pub const NEEDS_LATER_COMMITS: [usize; 3] = [6, 7, 8];

/// What the keyword stage measured of one candidate, before the semantic stage.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Raw {
    pub keyword: f64,
    /// BM25 (binary term frequency) over the talk in play, divided by the query's IDF mass.
    pub bm25: f64,
    pub semantic: f64,
    /// Hours from the end of the passage to the commit.
    pub gap_hours: f64,
    /// Distinctive code names (identifiers, file stems) said verbatim, capped at 3.
    pub identifiers_said: usize,
    pub author_speaks: bool,
}

/// One candidate as [`derive`] wants it: the passage index and its raw scores.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub passage: usize,
    pub raw: Raw,
}

/// Feature vectors for every commit's candidates (same shape as `commits`). With
/// `later_commits` false (the hook), the passage-side features are 0.
pub fn derive(commits: &[Vec<Candidate>], later_commits: bool) -> Vec<Vec<[f64; N]>> {
    // Per passage, the two best semantic and bm25 scores over commits, to compare each
    // commit with the best *other* commit.
    let mut by_passage: HashMap<usize, (Top2, Top2)> = HashMap::new();
    if later_commits {
        for (ci, cands) in commits.iter().enumerate() {
            for c in cands {
                let e = by_passage.entry(c.passage).or_default();
                e.0.offer(ci, c.raw.semantic);
                e.1.offer(ci, c.raw.bm25);
            }
        }
    }
    commits
        .iter()
        .enumerate()
        .map(|(ci, cands)| {
            let sems: Vec<f64> = cands.iter().map(|c| c.raw.semantic).collect();
            let kws: Vec<f64> = cands.iter().map(|c| c.raw.keyword).collect();
            let mean_sem = if sems.is_empty() { 0.0 } else { sems.iter().sum::<f64>() / sems.len() as f64 };
            cands
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let r = c.raw;
                    let (p_sem, p_bm25, best) = match by_passage.get(&c.passage) {
                        Some((s, b)) => {
                            let m = r.semantic - s.best_other(ci);
                            (m, r.bm25 - b.best_other(ci), f64::from(u8::from(m >= 0.0)))
                        }
                        None => (0.0, 0.0, 0.0),
                    };
                    [
                        r.semantic,
                        r.keyword,
                        r.bm25.min(1.5),
                        r.semantic - best_other(&sems, i),
                        r.keyword - best_other(&kws, i),
                        r.semantic - mean_sem,
                        p_sem,
                        p_bm25.clamp(-1.5, 1.5),
                        best,
                        (1.0 + r.gap_hours.max(0.0)).ln() / (1.0 + 168.0f64).ln(),
                        r.identifiers_said.min(3) as f64 / 3.0,
                        f64::from(u8::from(r.author_speaks)),
                    ]
                })
                .collect()
        })
        .collect()
}

/// The best of `xs` other than `xs[i]` (0 when there is no other).
fn best_other(xs: &[f64], i: usize) -> f64 {
    xs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, x)| *x).fold(0.0, f64::max)
}

/// The two best (owner, value) seen, to answer "best other than me" in O(1).
#[derive(Debug, Default, Clone, Copy)]
struct Top2 {
    first: Option<(usize, f64)>,
    second: Option<(usize, f64)>,
}

impl Top2 {
    fn offer(&mut self, who: usize, v: f64) {
        match self.first {
            Some((_, f)) if v <= f => {
                if self.second.is_none_or(|(_, s)| v > s) {
                    self.second = Some((who, v));
                }
            }
            _ => {
                self.second = self.first;
                self.first = Some((who, v));
            }
        }
    }

    fn best_other(&self, me: usize) -> f64 {
        match (self.first, self.second) {
            (Some((w, _)), second) if w == me => second.map_or(0.0, |s| s.1),
            (Some((_, f)), _) => f,
            _ => 0.0,
        }
    }
}

/// Distinctive code names of a commit, lower-cased: identifiers and file stems long enough
/// (6+ characters) or compound enough (camelCase, snake_case) that saying one is no accident.
pub fn distinctive_names<'a>(identifiers: impl Iterator<Item = &'a str>, paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let stems = paths.filter_map(|p| p.rsplit('/').next()).map(|f| f.split('.').next().unwrap_or(f));
    let mut out: Vec<String> = Vec::new();
    for name in identifiers.chain(stems) {
        let compound = name.contains('_') || name.chars().skip(1).any(|c| c.is_uppercase());
        if name.len() >= 6 || (compound && name.len() >= 4) {
            let lower = name.to_lowercase();
            if !out.contains(&lower) {
                out.push(lower);
            }
        }
    }
    out
}

/// How many of `names` occur in `text_lower` as whole words.
pub fn names_said(names: &[String], text_lower: &str) -> usize {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    names
        .iter()
        .filter(|n| {
            text_lower.match_indices(n.as_str()).any(|(at, _)| {
                let before = text_lower[..at].chars().next_back();
                let after = text_lower[at + n.len()..].chars().next();
                !before.is_some_and(word) && !after.is_some_and(word)
            })
        })
        .count()
}

/// Whether the commit's author is among the speakers (full name, or first name alone).
pub fn author_speaks(author: &str, speakers: &[String]) -> bool {
    let author = author.trim().to_lowercase();
    let first = author.split_whitespace().next().unwrap_or("");
    !author.is_empty()
        && speakers.iter().any(|s| {
            let s = s.trim().to_lowercase();
            s == author || (!first.is_empty() && s.split_whitespace().next() == Some(first))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(passage: usize, semantic: f64, bm25: f64) -> Candidate {
        Candidate { passage, raw: Raw { keyword: bm25 / 2.0, bm25, semantic, gap_hours: 23.0, identifiers_said: 1, author_speaks: true } }
    }

    #[test]
    fn margins_compare_with_the_commits_and_passages_best_other() {
        // Commit 0 sees passages 1 and 2; commit 1 sees passage 1 only, less similar.
        let commits = vec![vec![cand(1, 0.8, 0.6), cand(2, 0.5, 0.2)], vec![cand(1, 0.6, 0.3)]];
        let f = derive(&commits, true);
        let a = f[0][0];
        assert!((a[0] - 0.8).abs() < 1e-12);
        assert!((a[3] - 0.3).abs() < 1e-12, "semantic margin over passage 2");
        assert!((a[5] - 0.15).abs() < 1e-12, "over the mean of 0.8 and 0.5");
        assert!((a[6] - 0.2).abs() < 1e-12, "passage 1: 0.8 against commit 1's 0.6");
        assert!((a[7] - 0.3).abs() < 1e-12);
        assert_eq!(a[8], 1.0);
        assert_eq!(f[1][0][8], 0.0, "commit 1 is not passage 1's best");
        assert!((f[1][0][6] + 0.2).abs() < 1e-12);
        assert!((a[9] - 24f64.ln() / 169f64.ln()).abs() < 1e-12);
        assert!((a[10] - 1.0 / 3.0).abs() < 1e-12 && a[11] == 1.0);
        let hook = derive(&commits, false);
        assert_eq!((hook[0][0][6], hook[0][0][7], hook[0][0][8]), (0.0, 0.0, 0.0));
    }

    #[test]
    fn names_said_whole_words_only() {
        let names = distinctive_names(["HttpSessionStore", "setAttribute", "foo", "page_size"].into_iter(), ["src/Session.java"].into_iter());
        assert_eq!(names, ["httpsessionstore", "setattribute", "page_size", "session"]);
        assert_eq!(names_said(&names, "httpsessionstore#setattribute is duplicated; page_sizes"), 2);
        assert!(author_speaks("Ana Lima", &["ana".into()]));
        assert!(!author_speaks("Ana Lima", &["Bob".into()]));
    }
}
