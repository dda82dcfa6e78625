//! The fitted scorer: `confidence` is the calibrated probability that a link is right.
//!
//! Two logistic models in a row. The *ranker* scores every candidate from its features
//! ([`super::features`]); the best candidate per commit is then the link, and the
//! *calibration* (one weight and a bias on the ranker's logit, fitted on the links alone)
//! turns its score into how often such a link is right, so 0.8 means right 8 times in 10.
//!
//! Two sets of weights ship: backfill's, which sees the commits on both sides of a passage,
//! and the hook's, which sees only the past (the passage-side features are left out; the
//! kind of talk is what the commits before it met, `score::history`); and each again fitted
//! without `semantic_centred`, for a run with no centre to read it against (`score::centre`).
//! They are fitted by `tools/fit_linker.sh` (see [`SHIPPED_FIT`]); a repository's own
//! answers can refit them (`score::user`).

use serde::{Deserialize, Serialize};

use super::features::{self, Candidate, BASE, N};
use super::logistic::Logistic;
use super::recalibration::{HookView, Recalibration};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fitted {
    pub ranker: Logistic,
    /// Which of the commits after a passage it motivated (backfill's passage-side features).
    pub passage_ranker: Logistic,
    pub calibration: Logistic,
    /// Inputs of the calibration it leaves out ([`decision_input`] indices; weights fitted
    /// before this existed read every input).
    #[serde(default)]
    pub calibration_leaves_out: Vec<usize>,
}

impl Fitted {
    /// The weights that ship, for backfill (`later_commits`) or the hook.
    pub fn shipped(later_commits: bool) -> Fitted {
        Fitted::of(if later_commits { BACKFILL } else { HOOK }, PASSAGE_RANKER, later_commits)
    }

    /// The weights that ship for a run with no centre to read `semantic_centred` against (a
    /// hook or a small backfill in a repository that remembers none yet): fitted without it.
    pub fn shipped_uncentred(later_commits: bool) -> Fitted {
        Fitted::of(if later_commits { BACKFILL_UNCENTRED } else { HOOK_UNCENTRED }, PASSAGE_RANKER_UNCENTRED, later_commits)
    }

    fn of((w, b, cal, cb): Weights, passage_ranker: [f64; BASE], later_commits: bool) -> Fitted {
        Fitted {
            ranker: Logistic { weights: w.to_vec(), bias: b },
            passage_ranker: Logistic { weights: passage_ranker.to_vec(), bias: 0.0 },
            calibration: Logistic { weights: cal.to_vec(), bias: cb },
            calibration_leaves_out: leaves_out(later_commits),
        }
    }

    /// Weights saved before `talk_of_like_commits` existed (a repository's refit), laid out as
    /// today with its weight at 0, so they score as they did.
    pub fn upgraded(mut self) -> Fitted {
        super::stored::widen(&mut self.ranker.weights, 0, BASE);
        super::stored::widen(&mut self.passage_ranker.weights, 0, BASE);
        super::stored::widen(&mut self.calibration.weights, 1, N + 1);
        self
    }

    /// The ranker's score, for ordering a commit's candidates.
    pub fn rank(&self, f: &[f64; N]) -> f64 {
        self.ranker.logit(&f[..BASE])
    }

    /// Every feature of every commit's candidates, context from this ranker; `known`: the
    /// talk level for commits too few to measure it; `changes`: each commit's patch digest
    /// (none: not known; see [`features::add_context`]).
    pub fn features(&self, commits: &[Vec<Candidate>], changes: &[&str], later_commits: bool, known: Option<f64>) -> Vec<Vec<[f64; N]>> {
        features::derive(commits, changes, &self.ranker, &self.passage_ranker, later_commits, known)
    }

    /// The calibrated probability that `f`, taken as the commit's link, is right.
    pub fn confidence(&self, f: &[f64; N]) -> f64 {
        self.confidence_at(self.rank(f), f)
    }

    /// [`confidence`](Self::confidence) when the ranker's score `rank` is already known.
    pub fn confidence_at(&self, rank: f64, f: &[f64; N]) -> f64 {
        self.confidence_recalibrated(rank, f, &Recalibration::default())
    }

    /// [`confidence_at`](Self::confidence_at) with its log-odds mapped by `r` (the hook's
    /// prior, [`hook_prior_shift`], or its recalibration on this repository).
    pub fn confidence_recalibrated(&self, rank: f64, f: &[f64; N], r: &Recalibration) -> f64 {
        super::logistic::sigmoid(r.apply(self.calibration_logit(rank, f)))
    }

    /// The calibration's log-odds for `f` with the ranker's score `rank`.
    pub fn calibration_logit(&self, rank: f64, f: &[f64; N]) -> f64 {
        self.calibration.logit(&decision_input(rank, f, &self.calibration_leaves_out))
    }
}

/// What `hook` (the shipped hook's weights) would have said of a commit that backfill or
/// review scored: the candidates' features in the hook's mode, read at the talk `level` the
/// run measured; the passage its ranker puts first, and its calibration's log-odds; `later`:
/// the run's own confidence in a passage.
pub fn view_as_hook(hook: &Fitted, cands: &[Candidate], level: f64, later: impl Fn(usize) -> Option<f64>) -> Option<HookView> {
    let feats = hook.features(std::slice::from_ref(&cands.to_vec()), &[], false, Some(level)).pop()?;
    let (i, rank) = feats.iter().map(|f| hook.rank(f)).enumerate().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
    Some(HookView { logit: hook.calibration_logit(rank, &feats[i]), later: later(cands[i].passage)? })
}

/// What the calibration sees of a link: the ranker's score and the features themselves
/// (whether a commit's best candidate is right depends on more than how far it leads), with
/// the inputs `leave_out` names at 0.
pub fn decision_input(rank: f64, f: &[f64], leave_out: &[usize]) -> Vec<f64> {
    let mut x: Vec<f64> = std::iter::once(rank).chain(f.iter().copied()).collect();
    for i in leave_out {
        x[*i] = 0.0;
    }
    x
}

/// The inputs backfill's calibration leaves out: the ranker's score, the raw scores
/// (semantic, message, keyword, BM25) and the gap in hours. Their levels belong to a kind of
/// talk (a cosine of 0.4 is high in a meeting and low in a bug report), so a calibration that
/// reads them is right on the talk it was fitted on and wrong on the next; the margins and
/// the passage-side comparisons mean the same on any talk. Held out (README, "Link quality"):
/// realtext recall 0.667 to 0.697 at the same precision, meeting-talk recall doubled, and the
/// pooled calibration table closer to the diagonal. The hook keeps them: without the
/// passage side it has too few relative inputs (held out, realtext P/R fell to 0.58/0.24).
pub const ABSOLUTE_INPUTS: [usize; 6] = [0, 1, 2, 3, 4, 8];

/// `semantic_centred`'s place among the calibration's inputs. Only the rankers read it: a run
/// too small to measure its centre, in a repository that remembers none, has it at 0, and
/// held out the calibrations were as good without it (backfill's better: realtext 0.820 /
/// 0.731 reading it, 0.821 / 0.755 not).
pub const CENTRED_INPUT: usize = 1 + super::features::CENTRED_INDEX;

/// The calibration inputs the shipped weights leave out in each mode: backfill, the absolute
/// inputs and the centred cosine; the hook, the centred cosine.
pub fn leaves_out(later_commits: bool) -> Vec<usize> {
    if later_commits {
        ABSOLUTE_INPUTS.iter().copied().chain([CENTRED_INPUT]).collect()
    } else {
        vec![CENTRED_INPUT]
    }
}

/// How and on what [`BACKFILL`] and [`HOOK`] were fitted: `tools/fit_linker.sh`, which
/// runs `examples/link_eval.rs` over labelled candidates (up to `candidateLimit` per commit,
/// default settings) of five groups, each weighing the same: the sample worlds' plain talk
/// (month, seeds 1–3), their meeting talk (month, seeds 1–3), and realtext's wicket,
/// accumulo, log4j2 and maven, mixed lists. Both rankers read the cosine features at their set's
/// talk level (`features::talk_scale`), as the engine does; the features of
/// `features::SHIPPED_LEAVES_OUT` (`author_speaks`) are left out (weight 0). Ranker: L2 1.0 on every candidate. Passage
/// ranker: listwise over the commits that see each passage (60 passes, step 2, L2 0.001). Calibration:
/// L2 1.0 on every candidate, then Platt-scaled on the links each mode makes (backfill:
/// best first; hook: oldest first); neither reads `semantic_centred` ([`leaves_out`]), each
/// set's measured against its whole run's centre (`score::centre`). Leave-one-group-out figures
/// are in README.
pub const SHIPPED_FIT: &str = "fitted by tools/fit_linker.sh on the sample worlds (plain and meeting talk, seeds 1-3) and realtext's four projects (mixed)";

/// The passage-side ranker's weights (features `..BASE`), fitted listwise: for each passage,
/// the softmax over the commits that see it, towards the one it motivated.
pub const PASSAGE_RANKER: [f64; BASE] = [2.4878, 2.5747, 2.2363, 1.3850, 1.6529, 1.6871, 1.0710, -0.3445, 2.7380, 0.0000, 0.8609, 3.8556];

type Weights = ([f64; BASE], f64, [f64; N + 1], f64);

/// Ranker weights (feature order of `features::NAMES`) and bias; calibration weights (the
/// ranker's score, then the features) and bias.
pub const BACKFILL: Weights = (
    [-0.9496, 3.0845, -1.6261, -0.4400, -1.5940, 3.3310, 3.2178, -0.3404, 1.1326, 0.0000, 2.2844, 8.0941],
    -5.5071,
    [0.0000, 0.0000, 0.0000, 0.0000, 0.0000, -2.2434, 0.8848, 2.9663, 0.0000, 1.2936, 0.0000, 4.2900, 0.0000, 2.1390, 4.0342, 0.5635, 5.7236, -1.7126],
    -3.0393,
);
pub const HOOK: Weights = (
    [-0.9496, 3.0845, -1.6261, -0.4400, -1.5940, 3.3310, 3.2178, -0.3404, 1.1326, 0.0000, 2.2844, 8.0941],
    -5.5071,
    [1.3908, -1.8247, -1.0279, -0.2109, 0.3107, -0.2702, -0.6030, -1.0361, 0.1482, -0.1413, 0.0000, 0.0000, 0.0000, 0.5187, 0.0000, 0.0000, 0.0000, -3.4005],
    4.3132,
);

/// The weights without `semantic_centred` ([`Fitted::shipped_uncentred`]): fitted as the
/// ones above, with it at 0 (`LINK_EVAL_ZERO=11 link_eval fit`; the weights shipped before it).
pub const PASSAGE_RANKER_UNCENTRED: [f64; BASE] = [3.4415, 3.4268, 2.8428, 1.7906, 2.1730, 2.0237, 1.4355, -0.4169, 3.1385, 0.0000, 1.0291, 0.0000];
pub const BACKFILL_UNCENTRED: Weights = (
    [0.3970, 5.7944, 0.6849, 3.4949, -0.8714, 2.1713, 4.2067, -0.6568, 1.4492, 0.0000, 1.7400, 0.0000],
    -6.3900,
    [0.0000, 0.0000, 0.0000, 0.0000, 0.0000, -1.8927, 1.2199, 3.6529, 0.0000, 1.2440, 0.0000, 4.6641, 0.0000, 1.6005, 3.5051, 1.1685, 7.0633, -1.4233],
    -3.5125,
);
pub const HOOK_UNCENTRED: Weights = (
    [0.3970, 5.7944, 0.6849, 3.4949, -0.8714, 2.1713, 4.2067, -0.6568, 1.4492, 0.0000, 1.7400, 0.0000],
    -6.3900,
    [1.2122, -1.6930, -0.4853, -1.3909, 0.3940, 0.3100, 1.2382, 0.2755, 0.1636, 0.1003, 0.0000, 0.0000, 0.0000, -0.1383, 0.0000, 0.0000, 0.0000, 1.3398],
    1.6202,
);

/// The mean over the fit's groups of the log-odds of the share of commits backfill links
/// there (held out: realtext 0.11–0.21, the meeting worlds 0.49–0.56, the plain worlds
/// 0.76–0.84; `link_eval fit` prints it beside the weights).
pub const HOOK_PRIOR_LOG_ODDS: f64 = -0.8656;

/// How far the hook's confidence moves for a repository where backfill and review linked
/// `share` of the commits they scored: a prior shift (Saerens et al. 2002, with the prior
/// measured rather than estimated). The hook cannot see the commits after a passage, so a
/// lead it sees means less where few commits have talk (a bug tracker's project, where most
/// commits follow no report) than where most do (a team that talks its work through).
/// `None` (too few known) is no shift.
pub fn hook_prior_shift(share: Option<f64>) -> f64 {
    share.map_or(0.0, |s| super::history::prior_log_odds(s) - HOOK_PRIOR_LOG_ODDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::score::features::Raw;

    #[test]
    fn the_hooks_prior_moves_its_confidence_by_the_repositorys_share_of_linked_commits() {
        assert_eq!(hook_prior_shift(None), 0.0, "not known: the shipped calibration as fitted");
        // A share whose log-odds is the fit's mean moves nothing.
        let neutral = 1.0 / (1.0 + (-HOOK_PRIOR_LOG_ODDS).exp());
        assert!(hook_prior_shift(Some(neutral)).abs() < 1e-12);
        // Where backfill linked 3 commits in 4, log-odds ln 3 − (−0.8656).
        assert!((hook_prior_shift(Some(0.75)) - (3f64.ln() + 0.8656)).abs() < 1e-9);
        // Clamped at 2 % and 98 %: a run that linked nothing does not silence the hook.
        assert_eq!(hook_prior_shift(Some(0.0)), hook_prior_shift(Some(0.02)));
        let m = Fitted::shipped(false);
        let mut f = [0.0; N];
        f[0] = 0.4;
        f[1] = 0.45;
        let rank = m.rank(&f);
        let base = m.confidence_at(rank, &f);
        let up = m.confidence_recalibrated(rank, &f, &Recalibration::shifted(hook_prior_shift(Some(0.75))));
        let down = m.confidence_recalibrated(rank, &f, &Recalibration::shifted(hook_prior_shift(Some(0.1))));
        assert!(down < base && base < up, "{down} {base} {up}");
        let logit = |p: f64| (p / (1.0 - p)).ln();
        assert!((logit(up) - logit(base) - hook_prior_shift(Some(0.75))).abs() < 1e-9, "an exact log-odds shift");
    }

    #[test]
    fn a_fitted_model_scores_fixed_features_exactly() {
        // Ranker: 2 × semantic − 1; calibration: rank + 3 × rank_margin − 0.5.
        let mut rw = vec![0.0; BASE];
        rw[0] = 2.0;
        let mut cw = vec![0.0; N + 1];
        cw[0] = 1.0;
        cw[1 + BASE] = 3.0;
        let m = Fitted {
            ranker: Logistic { weights: rw.clone(), bias: -1.0 },
            passage_ranker: Logistic { weights: rw, bias: 0.0 },
            calibration: Logistic { weights: cw, bias: -0.5 },
            calibration_leaves_out: Vec::new(),
        };
        let mut f = [0.0; N];
        f[0] = 0.75;
        f[BASE] = 0.2;
        assert!((m.rank(&f) - 0.5).abs() < 1e-12);
        // logit = 0.5 + 0.6 − 0.5 = 0.6
        assert!((m.confidence(&f) - 0.645_656_306_225_795).abs() < 1e-12, "{}", m.confidence(&f));
    }

    #[test]
    fn weights_saved_before_talk_of_like_commits_score_as_they_did() {
        // A refit saved with fifteen features: ranker 10 weights, calibration 16. (Today's
        // layout has two base features more: talk_of_like_commits at 10, semantic_centred at 11.)
        let old = Fitted {
            ranker: Logistic { weights: (1..=10).map(f64::from).collect(), bias: -1.0 },
            passage_ranker: Logistic { weights: vec![0.5; 10], bias: 0.0 },
            calibration: Logistic { weights: (0..16).map(f64::from).collect(), bias: 0.2 },
            calibration_leaves_out: vec![1],
        };
        let now = old.clone().upgraded();
        assert_eq!((now.ranker.weights.len(), now.passage_ranker.weights.len(), now.calibration.weights.len()), (BASE, BASE, N + 1));
        assert_eq!((now.ranker.weights[10], now.ranker.weights[11], now.calibration.weights[11], now.calibration.weights[12]), (0.0, 0.0, 0.0, 0.0));
        assert_eq!(now.calibration.weights[13], 11.0);
        // The same link, as stored then and as measured now, scores the same.
        let stored: Vec<f64> = (0..15).map(|i| 0.1 * f64::from(i)).collect();
        let old_logit = old.calibration.logit(&decision_input(old.ranker.logit(&stored[..10]), &stored, &[1]));
        let f = super::super::stored::upgrade(&stored).unwrap();
        assert!((now.calibration_logit(now.rank(&f), &f) - old_logit).abs() < 1e-12);
        assert_eq!(now.clone().upgraded(), now, "today's layout is kept");
    }

    #[test]
    fn shipped_weights_tell_a_clear_link_from_a_clear_miss() {
        let raw = |semantic: f64, keyword: f64, ids: usize, centred: f64| Raw {
            keyword,
            bm25: keyword,
            semantic,
            semantic_message: semantic,
            gap_hours: 20.0,
            identifiers_said: ids,
            author_speaks: false,
            like_commits: 0.0,
            semantic_centred: centred,
        };
        // One commit, three passages: one says what the commit does, two are unrelated. Less
        // the run's centre, the unrelated ones have nearly nothing in common with the commit.
        let commits = vec![vec![
            Candidate { passage: 0, raw: raw(0.72, 0.8, 2, 0.6) },
            Candidate { passage: 1, raw: raw(0.18, 0.1, 0, 0.05) },
            Candidate { passage: 2, raw: raw(0.15, 0.1, 0, 0.0) },
        ]];
        for later in [true, false] {
            // With a centre, and without one (the weights fitted without it).
            for m in [Fitted::shipped(later), Fitted::shipped_uncentred(later)] {
                let f = m.features(&commits, &[], later, None);
                let (good, bad) = (m.confidence(&f[0][0]), m.confidence(&f[0][1]));
                assert!(m.rank(&f[0][0]) > m.rank(&f[0][1]) && m.rank(&f[0][0]) > m.rank(&f[0][2]));
                assert!(good > 0.8 && bad < 0.3, "later commits {later}: {good} {bad}");
            }
        }
    }

    #[test]
    fn a_run_without_a_centre_scores_with_the_weights_fitted_without_it() {
        for later in [true, false] {
            let (with, without) = (Fitted::shipped(later), Fitted::shipped_uncentred(later));
            let i = super::super::features::CENTRED_INDEX;
            assert!(with.ranker.weights[i] > 1.0, "the ranker reads it");
            assert_eq!((without.ranker.weights[i], without.passage_ranker.weights[i]), (0.0, 0.0));
            for m in [&with, &without] {
                assert_eq!(m.calibration.weights[CENTRED_INPUT], 0.0, "no calibration reads it");
                assert!(m.calibration_leaves_out.contains(&CENTRED_INPUT));
            }
        }
    }

    #[test]
    fn backfill_confidence_does_not_move_with_the_level_of_the_talk() {
        // The same two commits and passages, once as quiet talk (low cosines, few shared
        // words) and once as talk that says more of the code's words: every raw score up by
        // the same amount and the gaps a day longer. Backfill's confidence reads only how
        // candidates compare, so it is the same; the hook's reads levels, so it moves.
        let raw = |semantic: f64, keyword: f64| Raw {
            keyword,
            bm25: keyword,
            semantic,
            semantic_message: semantic,
            gap_hours: 20.0,
            identifiers_said: 1,
            author_speaks: false,
            like_commits: 0.0,
            semantic_centred: 0.0,
        };
        let world = |lift: f64, later: f64| {
            // Less the run's centre, the cosines do not carry the talk's level.
            let c = |p: usize, s: f64, k: f64| Candidate { passage: p, raw: Raw { gap_hours: 20.0 + later, semantic_centred: s, ..raw(s + lift, k + lift) } };
            vec![vec![c(0, 0.30, 0.20), c(1, 0.10, 0.05)], vec![c(0, 0.22, 0.10), c(2, 0.12, 0.10)]]
        };
        for later in [true, false] {
            let m = Fitted::shipped(later);
            let confs = |w: &[Vec<Candidate>]| -> Vec<f64> { m.features(w, &[], later, None).iter().flatten().map(|f| m.confidence(f)).collect() };
            let (quiet, loud) = (confs(&world(0.0, 0.0)), confs(&world(0.25, 24.0)));
            let moved = quiet.iter().zip(&loud).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            if later {
                assert!(moved < 1e-9, "backfill moved by {moved}: {quiet:?} {loud:?}");
            } else {
                assert!(moved > 0.01, "the hook reads levels: {quiet:?} {loud:?}");
            }
        }
    }

    #[test]
    fn shipped_weights_leave_out_what_did_not_transfer() {
        for later in [true, false] {
            let m = Fitted::shipped(later);
            for i in super::super::features::SHIPPED_LEAVES_OUT {
                let name = super::super::features::NAMES[i];
                assert_eq!((m.ranker.weights[i], m.passage_ranker.weights[i], m.calibration.weights[i + 1]), (0.0, 0.0, 0.0), "{name}");
            }
        }
    }

    #[test]
    fn hook_weights_ignore_what_the_hook_cannot_see() {
        let hook = Fitted::shipped(false);
        for i in super::super::features::NEEDS_LATER_COMMITS {
            assert_eq!(hook.calibration.weights[i + 1], 0.0, "{}", super::super::features::NAMES[i]);
        }
    }
}
