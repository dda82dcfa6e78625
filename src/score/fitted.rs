//! The fitted scorer: `confidence` is the calibrated probability that a link is right.
//!
//! Two logistic models in a row. The *ranker* scores every candidate from its features
//! ([`super::features`]); the best candidate per commit is then the link, and the
//! *calibration* (one weight and a bias on the ranker's logit, fitted on the links alone)
//! turns its score into how often such a link is right, so 0.8 means right 8 times in 10.
//!
//! Two sets of weights ship: backfill's, which sees the commits on both sides of a passage,
//! and the hook's, which sees only the past (the passage-side features are left out).
//! They are fitted by `tools/fit_linker.sh` (see [`SHIPPED_FIT`]); a repository's own
//! answers can refit them (`score::user`).

use serde::{Deserialize, Serialize};

use super::features::N;
use super::logistic::Logistic;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fitted {
    pub ranker: Logistic,
    pub calibration: Logistic,
}

impl Fitted {
    /// The weights that ship, for backfill (`later_commits`) or the hook.
    pub fn shipped(later_commits: bool) -> Fitted {
        let (w, b, cal, cb) = if later_commits { BACKFILL } else { HOOK };
        Fitted {
            ranker: Logistic { weights: w.to_vec(), bias: b },
            calibration: Logistic { weights: cal.to_vec(), bias: cb },
        }
    }

    /// The ranker's score, for ordering a commit's candidates.
    pub fn rank(&self, f: &[f64; N]) -> f64 {
        self.ranker.logit(f)
    }

    /// The calibrated probability that `f`, taken as the commit's link, is right.
    pub fn confidence(&self, f: &[f64; N]) -> f64 {
        self.calibration.predict(&decision_input(self.rank(f), f))
    }
}

/// What the calibration sees of a link: the ranker's score and the features themselves
/// (whether a commit's best candidate is right depends on more than how far it leads).
pub fn decision_input(rank: f64, f: &[f64]) -> Vec<f64> {
    std::iter::once(rank).chain(f.iter().copied()).collect()
}

/// How and on what [`BACKFILL`] and [`HOOK`] were fitted.
pub const SHIPPED_FIT: &str = "placeholder";

type Weights = ([f64; N], f64, [f64; N + 1], f64);

/// Ranker weights (feature order of `features::NAMES`) and bias; calibration weights (the
/// ranker's score, then the features) and bias.
pub const BACKFILL: Weights = (
    [4.0, 2.0, 1.0, 3.0, 1.0, 2.0, 3.0, 1.0, 1.0, -0.5, 1.0, 0.5],
    -6.0,
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    0.0,
);
pub const HOOK: Weights = (
    [4.0, 2.0, 1.0, 3.0, 1.0, 2.0, 0.0, 0.0, 0.0, -0.5, 1.0, 0.5],
    -5.0,
    [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    0.0,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_weights_ignore_what_the_hook_cannot_see() {
        let hook = Fitted::shipped(false);
        for i in super::super::features::NEEDS_LATER_COMMITS {
            assert_eq!(hook.ranker.weights[i], 0.0, "{}", super::super::features::NAMES[i]);
        }
    }
}
