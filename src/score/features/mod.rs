//! What the fitted scorer sees of one (commit, passage) candidate: a fixed vector of
//! features, each in about [−1, 1], built from scores that mean the same on any talk.
//!
//! A raw cosine means something different on every kind of talk (meetings, bug reports,
//! the sample worlds), so most features are *relative*. The first [`BASE`] describe the
//! candidate against the commit's other candidates; the ranker (a logistic model over them)
//! orders a commit's candidates. The last [`CONTEXT`] are computed from the ranker's scores:
//! how far the candidate leads the commit's runner-up, and (backfill only, where later
//! commits are known) how far this commit leads the other commits the same passage could
//! have motivated. A report is usually fixed by the most similar of the commits after it,
//! and a commit that only resembles talk another commit matches better was not motivated by it.
//! The last, `talk_level`, says what kind of talk this is: a cosine of 0.4 is a strong match
//! in a meeting and a weak one in a bug report. Backfill measures it over its run; the hook,
//! one commit at a time, over the commits it remembers (`score::history`). The features in
//! cosine units are read at that level ([`talk_scale`]) before anything ranks them, so a lead
//! of 0.1 in quiet talk counts as a lead of 0.2 where cosines run twice as high.

use std::collections::HashMap;

use super::logistic::Logistic;

/// Feature names, in vector order (the order of the shipped weights).
pub const NAMES: [&str; 17] = [
    "semantic",
    "semantic_message",
    "keyword",
    "bm25",
    "semantic_margin",
    "keyword_margin",
    "semantic_over_mean",
    "gap",
    "identifiers_said",
    "author_speaks",
    "talk_of_like_commits",
    "semantic_centred",
    "rank_margin",
    "passage_rank_margin",
    "best_for_passage",
    "passage_semantic_over_mean",
    "talk_level",
];
pub const N: usize = NAMES.len();
/// Where `talk_of_like_commits` went in (session 20). Vectors stored before it, a pair's or an
/// answer's features and a repository's refit weights, hold one entry fewer from here on:
/// [`super::stored`] lays them out as today, with it at 0.
pub const LIKE_COMMITS_INDEX: usize = 10;
/// Where `semantic_centred` went in (session 25), after `talk_of_like_commits`.
pub const CENTRED_INDEX: usize = 11;
/// Where `talk_level` is: last.
pub const TALK_LEVEL_INDEX: usize = N - 1;
/// Features the ranker reads: the first `BASE`.
pub const BASE: usize = 12;
/// Features from the ranker's scores: the last `CONTEXT`.
pub const CONTEXT: usize = N - BASE;

/// Features the shipped weights do not read (their weights are 0): `author_speaks`. Held out
/// (`link_eval fit`, leave one group out), leaving it out lost nothing anywhere and raised
/// recall on meeting talk: meeting worlds P / R 0.855 / 0.461 → 0.855 / 0.507 (mean of three
/// seeds), realtext macro 0.817 / 0.703 → 0.820 / 0.697, plain worlds 0.834 / 0.879 → 0.837 /
/// 0.879. Who speaks is only named in the sample worlds, whose speakers the generator picks,
/// so what the model learnt of it held for one generator's talk and not the next. It is still
/// measured: a repository's own answers may weigh it (`score::user`).
pub const SHIPPED_LEAVES_OUT: [usize; 1] = [9];

/// Features that need the commits after this one (backfill); the hook's model leaves them out.
pub const NEEDS_LATER_COMMITS: [usize; 4] = [10, 13, 14, 15];

/// `talk_level` when fewer than [`TALK_LEVEL_MIN_COMMITS`] commits are known: the
/// average of the fitted groups' levels (plain worlds 0.64, meeting worlds 0.32, realtext
/// 0.27–0.47), so a run too small to say is scored as an average kind of talk.
pub const TALK_LEVEL_NEUTRAL: f64 = 0.44;
pub const TALK_LEVEL_MIN_COMMITS: usize = 20;

/// `f` as the hook sees it: the features that need later commits at 0.
pub fn hook_view(f: &[f64]) -> Vec<f64> {
    f.iter().enumerate().map(|(i, v)| if NEEDS_LATER_COMMITS.contains(&i) { 0.0 } else { *v }).collect()
}

/// What the keyword stage measured of one candidate, before the semantic stage.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Raw {
    pub keyword: f64,
    /// BM25 (binary term frequency) over the talk in play, divided by the query's IDF mass.
    pub bm25: f64,
    pub semantic: f64,
    /// Cosine of the passage and the commit's message alone.
    pub semantic_message: f64,
    /// Hours from the end of the passage to the commit.
    pub gap_hours: f64,
    /// Distinctive code names (identifiers, file stems) said verbatim, capped at 3.
    pub identifiers_said: usize,
    pub author_speaks: bool,
    /// How much more than the commit's other candidates the passage sounds like the talk that
    /// motivated commits like this one ([`super::like_commits`]; backfill only).
    pub like_commits: f64,
    /// The cosine less the run's centre ([`super::centre`]); 0 where no centre is known.
    pub semantic_centred: f64,
}

/// One candidate as [`derive`] wants it: the passage index and its raw scores.
#[derive(Debug, Clone, Copy)]
pub struct Candidate {
    pub passage: usize,
    pub raw: Raw,
}

/// The [`BASE`] features of every commit's candidates.
pub fn base(cands: &[Candidate]) -> Vec<[f64; N]> {
    let sems: Vec<f64> = cands.iter().map(|c| c.raw.semantic).collect();
    let kws: Vec<f64> = cands.iter().map(|c| c.raw.keyword).collect();
    let mean_sem = if sems.is_empty() { 0.0 } else { sems.iter().sum::<f64>() / sems.len() as f64 };
    cands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let r = c.raw;
            let mut f = [0.0; N];
            f[..BASE].copy_from_slice(&[
                r.semantic,
                r.semantic_message,
                r.keyword,
                r.bm25.min(1.5),
                r.semantic - best_other(&sems, i),
                r.keyword - best_other(&kws, i),
                r.semantic - mean_sem,
                (1.0 + r.gap_hours.max(0.0)).ln() / (1.0 + 168.0f64).ln(),
                r.identifiers_said.min(3) as f64 / 3.0,
                f64::from(u8::from(r.author_speaks)),
                r.like_commits,
                r.semantic_centred,
            ]);
            f
        })
        .collect()
}

/// Fill in the [`CONTEXT`] features from the ranker's scores. `passages[c][i]` names the
/// passage of commit `c`'s candidate `i`; `later_commits` false (the hook) leaves the
/// passage-side features at 0. `known`: the talk level to use when these commits are too
/// few to measure it (the hook's one commit, a small backfill): the repository's history
/// (`score::history`); `None`: [`TALK_LEVEL_NEUTRAL`].
/// The passage side compares commits with `passage_ranker`, fitted for that question: of the
/// commits after a passage, which one did it motivate. `changes[c]`, when given and not empty,
/// is commit `c`'s patch digest: the same change committed twice is one piece of work, and its
/// commits do not compete for a passage. (Commits that only name one issue do compete:
/// told otherwise, held-out realtext fell to 0.731 / 0.751; docs/link-quality.md, "Talk shared by the
/// commits of one issue".)
pub fn add_context(
    feats: &mut [Vec<[f64; N]>],
    passages: &[Vec<usize>],
    changes: &[&str],
    ranker: &Logistic,
    passage_ranker: &Logistic,
    later_commits: bool,
    known: Option<f64>,
) {
    let level = talk_level(feats).unwrap_or(known.unwrap_or(TALK_LEVEL_NEUTRAL));
    let scale = talk_scale(level);
    for f in feats.iter_mut().flatten() {
        COSINE_FEATURES.iter().for_each(|&i| f[i] *= scale);
    }
    let ranks: Vec<Vec<f64>> = feats.iter().map(|fs| fs.iter().map(|f| ranker.logit(&f[..BASE])).collect()).collect();
    let pranks: Vec<Vec<f64>> = feats.iter().map(|fs| fs.iter().map(|f| passage_ranker.logit(&f[..BASE])).collect()).collect();
    // Each commit's piece of work: the first commit with its change, or itself.
    let mut first_with: HashMap<&str, usize> = HashMap::new();
    let group: Vec<usize> = (0..feats.len()).map(|c| changes.get(c).filter(|p| !p.is_empty()).map_or(c, |p| *first_with.entry(p).or_insert(c))).collect();
    let mut by_passage: HashMap<usize, Top2> = HashMap::new();
    // Per passage: the sum and count of its semantic scores over the commits that see it.
    let mut sem_sum: HashMap<usize, (f64, usize)> = HashMap::new();
    if later_commits {
        for (ci, (ps, rs)) in passages.iter().zip(&pranks).enumerate() {
            for (i, (p, r)) in ps.iter().zip(rs).enumerate() {
                by_passage.entry(*p).or_default().offer(group[ci], *r);
                let e = sem_sum.entry(*p).or_default();
                e.0 += feats[ci][i][0];
                e.1 += 1;
            }
        }
    }
    for (ci, fs) in feats.iter_mut().enumerate() {
        let rs = &ranks[ci];
        for (i, f) in fs.iter_mut().enumerate() {
            let runner_up = rs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, r)| *r).fold(f64::NEG_INFINITY, f64::max);
            f[BASE] = squash(if runner_up.is_finite() { rs[i] - runner_up } else { 4.0 });
            if let Some(t) = later_commits.then(|| by_passage.get(&passages[ci][i])).flatten() {
                let other = t.best_other(group[ci]);
                let m = if other.is_finite() { pranks[ci][i] - other } else { 4.0 };
                f[BASE + 1] = squash(m);
                f[BASE + 2] = f64::from(u8::from(m >= 0.0));
                let (sum, n) = sem_sum[&passages[ci][i]];
                f[BASE + 3] = f[0] - sum / n as f64;
            }
            f[BASE + 4] = level;
        }
    }
}

/// The features measured in cosine units (the semantic scores, their margin and their lead
/// over the mean), which [`add_context`] reads in units of the talk's level.
pub const COSINE_FEATURES: [usize; 4] = [0, 1, 4, 6];

/// What the cosine features are multiplied by: [`TALK_LEVEL_NEUTRAL`] over the talk's level,
/// so a cosine is read against its talk (on meeting talk every cosine, and every lead, is about
/// half what it is on the plain worlds; 0.32 against 0.64). Bounded to [½, 2].
pub fn talk_scale(level: f64) -> f64 {
    (TALK_LEVEL_NEUTRAL / level.max(1e-6)).clamp(0.5, 2.0)
}

/// The kind of talk in play: the median, over the commits with candidates, of their best
/// candidate's cosine (meeting talk ~0.32, the plain worlds ~0.64). The calibration reads it
/// to judge a cosine against its talk: held out, recall on meeting talk the model never saw
/// went 0.25 → 0.31, and the hook's realtext recall 0.30 → 0.35 (README, "Link quality").
/// `None` for fewer than [`TALK_LEVEL_MIN_COMMITS`] commits with candidates.
fn talk_level(feats: &[Vec<[f64; N]>]) -> Option<f64> {
    let tops: Vec<f64> = feats.iter().filter_map(best_cosine).collect();
    (tops.len() >= TALK_LEVEL_MIN_COMMITS).then(|| median_level(tops))
}

/// The best cosine among one commit's candidates' features (`None` without candidates).
pub fn best_cosine<'a>(feats: impl IntoIterator<Item = &'a [f64; N]>) -> Option<f64> {
    feats.into_iter().map(|f| f[0]).reduce(f64::max)
}

/// The median of commits' best cosines; [`TALK_LEVEL_NEUTRAL`] for fewer than
/// [`TALK_LEVEL_MIN_COMMITS`].
pub fn median_level(mut tops: Vec<f64>) -> f64 {
    if tops.len() < TALK_LEVEL_MIN_COMMITS {
        return TALK_LEVEL_NEUTRAL;
    }
    tops.sort_by(|a, b| a.total_cmp(b));
    tops[tops.len() / 2]
}

/// Every feature of every commit's candidates: [`base`], then [`add_context`] (`changes`: see
/// there).
pub fn derive(
    commits: &[Vec<Candidate>],
    changes: &[&str],
    ranker: &Logistic,
    passage_ranker: &Logistic,
    later_commits: bool,
    known: Option<f64>,
) -> Vec<Vec<[f64; N]>> {
    let mut feats: Vec<Vec<[f64; N]>> = commits.iter().map(|c| base(c)).collect();
    let passages: Vec<Vec<usize>> = commits.iter().map(|c| c.iter().map(|x| x.passage).collect()).collect();
    add_context(&mut feats, &passages, changes, ranker, passage_ranker, later_commits, known);
    feats
}

/// A difference of logits, into [−1, 1] (4 logits ≈ 1).
fn squash(x: f64) -> f64 {
    (x / 4.0).tanh()
}

/// The best of `xs` other than `xs[i]` (0 when there is no other).
fn best_other(xs: &[f64], i: usize) -> f64 {
    xs.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, x)| *x).fold(0.0, f64::max)
}

/// The two best (piece of work, value) offered, each piece of work by its best value, to
/// answer "best other than mine" in O(1).
#[derive(Debug, Default, Clone, Copy)]
struct Top2 {
    first: Option<(usize, f64)>,
    second: Option<(usize, f64)>,
}

impl Top2 {
    fn offer(&mut self, who: usize, v: f64) {
        match self.first {
            Some((w, f)) if w == who => self.first = Some((w, f.max(v))),
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

    /// The best value offered by any piece of work but `me` (−∞ when none other offered).
    fn best_other(&self, me: usize) -> f64 {
        match (self.first, self.second) {
            (Some((w, _)), second) if w == me => second.map_or(f64::NEG_INFINITY, |s| s.1),
            (Some((_, f)), _) => f,
            _ => f64::NEG_INFINITY,
        }
    }
}

#[cfg(test)]
mod tests;
