//! How a model's links score against gold: the two ways of assigning talk to commits (the
//! hook's oldest first, backfill's best first), and the figures and calibration table of each.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use git_screenlink::claimed::{Claimed, Work};
use git_screenlink::score::features::N;

use super::Row;

/// (features, keyword, semantic) → (rank, confidence).
pub type Score<'a> = dyn Fn(&[f64], f64, f64) -> (f64, f64) + 'a;

#[derive(Default, Clone)]
pub struct Figures {
    pub gold: usize,
    pub pairs: usize,
    pub correct: usize,
    pub reachable: usize,
    pub top1: usize,
    /// Wrong links on commits that have no gold talk at all.
    pub false_links: usize,
    /// (confidence, right) of every commit's best candidate.
    pub tops: Vec<(f64, bool)>,
    /// Where each of `tops` is: (row, candidate).
    pub top_at: Vec<(usize, usize)>,
    /// `tops` with a link to the gold talk of a commit making the same change counted right
    /// (set by [`Figures::with_same_change`]).
    pub tops_same_change: Vec<(f64, bool)>,
    /// Row → (candidate, confidence) of every link made.
    pub linked: BTreeMap<usize, (usize, f64)>,
    /// Wrong links that took the gold talk of another commit making the same change
    /// (`same_change`): set by [`Figures::with_same_change`].
    pub same_change: usize,
    /// Commits with gold left unlinked whose gold talk went to a commit making the same change.
    pub talk_to_same_change: usize,
}

impl Figures {
    /// Count the wrong links whose talk is mostly another commit's gold talk, that commit
    /// making the same change (a common issue key, or the same subject).
    pub fn with_same_change(mut self, rows: &[&Row]) -> Figures {
        let mut owner: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for (ri, r) in rows.iter().enumerate() {
            for c in r.cands.iter().filter(|c| c.label) {
                owner.extend(c.ids.iter().map(|id| (*id, ri)));
            }
        }
        // The commit whose gold talk a wrong link took, when that commit makes the same change.
        let took = |ri: usize, ci: usize| -> Option<usize> {
            let c = &rows[ri].cands[ci];
            let mut count: BTreeMap<usize, usize> = BTreeMap::new();
            c.ids.iter().filter_map(|id| owner.get(id)).for_each(|o| *count.entry(*o).or_default() += 1);
            let (o, n) = count.into_iter().max_by_key(|(_, n)| *n)?;
            (!c.label && o != ri && 2 * n >= c.ids.len() && super::same_change::same_change(&rows[o].message, &rows[ri].message)).then_some(o)
        };
        let owners: Vec<usize> = self.linked.iter().filter_map(|(ri, (ci, _))| took(*ri, *ci)).collect();
        self.same_change = owners.len();
        self.talk_to_same_change = owners.iter().collect::<HashSet<_>>().into_iter().filter(|o| !self.linked.contains_key(o)).count();
        self.tops_same_change = self.tops.iter().zip(&self.top_at).map(|((c, right), (ri, ci))| (*c, *right || took(*ri, *ci).is_some())).collect();
        self
    }

    /// Precision with the links [`with_same_change`](Self::with_same_change) counted right.
    pub fn precision_same_change(&self) -> f64 {
        (self.correct + self.same_change) as f64 / self.pairs.max(1) as f64
    }

    /// Recall with a commit whose gold talk went to a commit making the same change counted
    /// linked: the talk is in the dataset, paired with the change it asked for.
    pub fn recall_same_change(&self) -> f64 {
        (self.correct + self.talk_to_same_change) as f64 / self.gold.max(1) as f64
    }

    /// [`prf`](Self::prf) for a macro: precision not a number when nothing was linked.
    pub fn macro_row(&self) -> [f64; 3] {
        let (p, r, f) = self.prf();
        [self.precision_for_macro(p), r, f]
    }

    /// A precision `p` of these links as a macro reads it: not a number when nothing was linked.
    pub fn precision_for_macro(&self, p: f64) -> f64 {
        if self.pairs == 0 {
            f64::NAN
        } else {
            p
        }
    }

    pub fn prf(&self) -> (f64, f64, f64) {
        let p = self.correct as f64 / self.pairs.max(1) as f64;
        let r = self.correct as f64 / self.gold.max(1) as f64;
        (p, r, if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
    }
}

/// The hook's (and the guide's) way: commits in time order, each takes its best free talk.
pub fn oldest_first(rows: &[&Row], feats: &[Vec<[f64; N]>], score: &Score<'_>, threshold: f64) -> Figures {
    let c = |ri: usize, ci: usize| &rows[ri].cands[ci];
    oldest_first_by(rows, &|ri, ci| score(&feats[ri][ci], c(ri, ci).keyword, c(ri, ci).semantic), threshold, true)
}

/// The guide's way: [`oldest_first`], one commit per talk whatever the commits name.
pub fn oldest_first_unshared(rows: &[&Row], feats: &[Vec<[f64; N]>], score: &Score<'_>, threshold: f64) -> Figures {
    let c = |ri: usize, ci: usize| &rows[ri].cands[ci];
    oldest_first_by(rows, &|ri, ci| score(&feats[ri][ci], c(ri, ci).keyword, c(ri, ci).semantic), threshold, false)
}

/// Each row's pieces of work as the product reads them (`git_screenlink::claimed`): talk is
/// shared within them, unless `share` is off (the guide's way) or `LINK_EVAL_SHARE=0` (to
/// compare).
fn work(rows: &[&Row], share: bool) -> Vec<Work> {
    static SHARE: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| std::env::var("LINK_EVAL_SHARE").map_or(true, |v| v != "0"));
    rows.iter().map(|r| if share && *SHARE { Arc::new(git_screenlink::commits::work(&r.message, &r.patch)) } else { Work::default() }).collect()
}

/// [`oldest_first`] with candidate `ci` of row `ri` scored by `score(ri, ci)` → (rank, confidence).
pub fn oldest_first_by(rows: &[&Row], score: &dyn Fn(usize, usize) -> (f64, f64), threshold: f64, share: bool) -> Figures {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (rows[i].time, rows[i].sha.clone()));
    let work = work(rows, share);
    let mut claimed = Claimed::default();
    let mut f = Figures::default();
    for ri in order {
        let r = rows[ri];
        f.gold += usize::from(r.has_gold);
        let mut ranked: Vec<(f64, f64, &super::Cand)> = r
            .cands
            .iter()
            .enumerate()
            .map(|(ci, c)| {
                let (rank, conf) = score(ri, ci);
                (rank, conf, c)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        if r.cands.iter().any(|c| c.label) {
            f.reachable += 1;
            f.top1 += usize::from(ranked[0].2.label);
        }
        let Some(best) = ranked.into_iter().find(|(_, _, c)| claimed.free_for(&c.ids, &work[ri])) else { continue };
        let ci = r.cands.iter().position(|c| std::ptr::eq(c, best.2)).expect("a candidate of this row");
        f.tops.push((best.1, best.2.label));
        f.top_at.push((ri, ci));
        if best.1 >= threshold {
            f.pairs += 1;
            f.correct += usize::from(best.2.label);
            f.false_links += usize::from(!r.has_gold);
            f.linked.insert(ri, (ci, best.1));
            claimed.claim(&best.2.ids, &work[ri]);
        }
    }
    f
}

/// Backfill's way: best pairs first over every commit; a commit links once, a passage's
/// rows once.
pub fn greedy(rows: &[&Row], feats: &[Vec<[f64; N]>], score: &Score<'_>, threshold: f64) -> Figures {
    greedy_after(rows, feats, score, threshold, &Figures::default())
}

/// [`greedy`] over the commits `before` (an earlier pass, the hook's) left unlinked, the
/// talk it linked taken; the figures of both passes together.
pub fn greedy_after(rows: &[&Row], feats: &[Vec<[f64; N]>], score: &Score<'_>, threshold: f64, before: &Figures) -> Figures {
    let mut f = Figures { pairs: before.pairs, correct: before.correct, false_links: before.false_links, linked: before.linked.clone(), ..Figures::default() };
    let mut all: Vec<(f64, f64, usize, usize)> = Vec::new();
    for (ri, (r, fs)) in rows.iter().zip(feats).enumerate() {
        f.gold += usize::from(r.has_gold);
        let mut best: Option<(f64, usize)> = None;
        for (ci, (c, x)) in r.cands.iter().zip(fs).enumerate() {
            let (rank, conf) = score(x, c.keyword, c.semantic);
            all.push((conf, rank, ri, ci));
            if best.is_none_or(|b| rank > b.0) {
                best = Some((rank, ci));
            }
        }
        if r.cands.iter().any(|c| c.label) {
            f.reachable += 1;
            f.top1 += usize::from(best.is_some_and(|b| r.cands[b.1].label));
        }
    }
    all.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.total_cmp(&a.1)));
    let mut done: HashSet<usize> = before.linked.keys().copied().collect();
    let work = work(rows, true);
    let mut claimed = Claimed::default();
    for (ri, (ci, _)) in &before.linked {
        claimed.claim(&rows[*ri].cands[*ci].ids, &work[*ri]);
    }
    for (conf, _, ri, ci) in all {
        let c = &rows[ri].cands[ci];
        if done.contains(&ri) || !claimed.free_for(&c.ids, &work[ri]) {
            continue;
        }
        done.insert(ri);
        f.tops.push((conf, c.label));
        f.top_at.push((ri, ci));
        if conf >= threshold {
            f.pairs += 1;
            f.correct += usize::from(c.label);
            f.false_links += usize::from(!rows[ri].has_gold);
            f.linked.insert(ri, (ci, conf));
            claimed.claim(&c.ids, &work[ri]);
        }
    }
    f
}

pub fn line(label: &str, f: &Figures) -> String {
    let (p, r, f1) = f.prf();
    format!(
        "| {label:<28} | {:>5} | {:>5} | {p:>9.3} | {r:>6.3} | {f1:>5.3} | {:>5.3} | {:>5.3} | {:>5} | {:>6.3} | {:>6.3} |",
        f.gold,
        f.pairs,
        f.reachable as f64 / f.gold.max(1) as f64,
        f.top1 as f64 / f.reachable.max(1) as f64,
        f.false_links,
        f.precision_same_change(),
        f.recall_same_change()
    )
}

pub fn calibration(f: &Figures) -> String {
    calibration_of(&f.tops)
}

/// [`calibration`] of any (confidence, right) list.
pub fn calibration_of(tops: &[(f64, bool)]) -> String {
    let mut bins = [(0usize, 0usize, 0f64); 10];
    for (c, right) in tops {
        let b = ((c * 10.0) as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += usize::from(*right);
        bins[b].2 += c;
    }
    bins.iter()
        .enumerate()
        .filter(|(_, b)| b.0 > 0)
        .map(|(i, b)| format!("{:.1}-{:.1}: n={} conf={:.2} obs={:.2}", i as f64 / 10.0, (i + 1) as f64 / 10.0, b.0, b.2 / b.0 as f64, b.1 as f64 / b.0 as f64))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The guide's formula as a [`Score`]: 0.3 · keyword + 0.7 · cosine, its own rank.
pub fn guide(_: &[f64], keyword: f64, semantic: f64) -> (f64, f64) {
    let c = 0.3 * keyword + 0.7 * semantic;
    (c, c)
}

/// The mean of each of `K` figures over the sets where it is defined (a macro average;
/// [`Figures::macro_row`] per set): a set that linked nothing has no precision, so it is left
/// out of the precision's mean (it counted as 0 until session 31) while its recall, 0, counts.
pub fn mean<const K: usize>(per_set: &[[f64; K]]) -> [f64; K] {
    std::array::from_fn(|k| {
        let defined: Vec<f64> = per_set.iter().map(|x| x[k]).filter(|v| !v.is_nan()).collect();
        defined.iter().sum::<f64>() / defined.len().max(1) as f64
    })
}

/// How many of the sets a macro's first figure (precision) leaves out for linking nothing.
pub fn undefined<const K: usize>(per_set: &[[f64; K]]) -> String {
    match per_set.iter().filter(|x| x[0].is_nan()).count() {
        0 => String::new(),
        n => format!(" (precision over {} of {} sets: {n} linked nothing)", per_set.len() - n, per_set.len()),
    }
}

/// What asking a person about links below the threshold buys: for each lowest confidence a
/// person is asked at, the links asked about (every commit's pick at or above it, in commit
/// order; a pick below the threshold whose talk an earlier accepted one took is not asked), how many are right
/// (each a pair the person accepts) and wrong (each a reject), and the recall of the pairs
/// kept. At the threshold itself, as today.
pub fn asking(rows: &[&Row], f: &Figures) -> String {
    let mut picks: Vec<(usize, usize, f64, bool)> = f.top_at.iter().zip(&f.tops).map(|(&(ri, ci), &(c, right))| (ri, ci, c, right)).collect();
    picks.sort_by_key(|p| (rows[p.0].time, rows[p.0].sha.clone()));
    ASK_FROM
        .iter()
        .map(|&from| {
            let (mut asked, mut right) = (0usize, 0usize);
            let mut taken: HashSet<i64> = HashSet::new();
            for &(ri, ci, c, ok) in &picks {
                let ids = &rows[ri].cands[ci].ids;
                if c < from || (c < ASK_FROM[0] && ids.iter().any(|i| taken.contains(i))) {
                    continue;
                }
                asked += 1;
                if ok {
                    right += 1;
                    taken.extend(ids.iter().copied());
                }
            }
            format!("from {from}: {asked} asked, {right} right (recall {:.3}), {} wrong", right as f64 / f.gold.max(1) as f64, asked - right)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The lowest confidences [`asking`] tries, the threshold first.
pub const ASK_FROM: [f64; 5] = [0.6, 0.5, 0.4, 0.3, 0.2];
