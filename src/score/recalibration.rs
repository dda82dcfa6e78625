//! The hook's confidence, recalibrated on this repository by what backfill and review said.
//!
//! The hook sees only the past, so its shipped calibration is right on average over the fit's
//! kinds of talk and wrong on any one of them (on meeting talk it said 0.03 where links were
//! right a third of the time). Backfill and review see the commits after a passage and are
//! calibrated on any talk (their calibration reads only how candidates compare). So each
//! commit they score also records what the hook would have said of it ([`HookView`]: its
//! calibration's log-odds for the passage it ranks first) and what they say of that same
//! passage. Once [`MIN_VIEWS`] are known, a one-input logistic fit (Platt scaling, with
//! backfill's confidence as a soft label, pulled towards "as shipped") maps the one onto the
//! other. Held out (README, "Link quality"): the hook on unseen meeting talk linked 31–40
//! commits of 87–108 at precision 0.80–0.93 instead of 3–6; on the plain worlds its precision
//! went 0.69–0.74 to 0.71–0.91; realtext's hook calibration stayed within 0.10 in all but one bin.

use serde::{Deserialize, Serialize};

use super::logistic::Logistic;

/// Commits with a hook view needed before the hook is recalibrated (as for the prior).
pub const MIN_VIEWS: usize = super::features::TALK_LEVEL_MIN_COMMITS;

/// How hard the fit is pulled towards the shipped calibration (slope 1, no shift). Held out,
/// 0.1 to 20 gave the same figures within 0.02.
pub const L2: f64 = 1.0;

/// What the hook would have said of a commit that backfill or review scored.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HookView {
    /// The hook's calibration log-odds for the passage its ranker puts first (no prior).
    pub logit: f64,
    /// Backfill's (or review's) confidence in that same passage.
    pub later: f64,
}

/// An affine map of the hook's calibration log-odds: `scale · logit + shift`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Recalibration {
    pub scale: f64,
    pub shift: f64,
}

impl Default for Recalibration {
    /// As shipped.
    fn default() -> Recalibration {
        Recalibration { scale: 1.0, shift: 0.0 }
    }
}

impl Recalibration {
    /// A shift of the log-odds only (the hook's prior, `fitted::hook_prior_shift`).
    pub fn shifted(shift: f64) -> Recalibration {
        Recalibration { scale: 1.0, shift }
    }

    pub fn apply(&self, logit: f64) -> f64 {
        self.scale * logit + self.shift
    }

    /// The map that best turns each view's `logit` into its `later` confidence; `None` for
    /// fewer than [`MIN_VIEWS`] views or values that are not finite.
    pub fn fit(views: &[HookView]) -> Option<Recalibration> {
        let views: Vec<&HookView> = views.iter().filter(|v| v.logit.is_finite() && v.later.is_finite()).collect();
        if views.len() < MIN_VIEWS {
            return None;
        }
        // A soft label as two weighted examples: right with weight `later`, wrong with the rest.
        let xs: Vec<Vec<f64>> = views.iter().flat_map(|v| [vec![v.logit], vec![v.logit]]).collect();
        let ys: Vec<bool> = views.iter().flat_map(|_| [true, false]).collect();
        let ws: Vec<f64> = views.iter().map(|v| v.later.clamp(0.0, 1.0)).flat_map(|p| [p, 1.0 - p]).collect();
        let shipped = Logistic { weights: vec![1.0], bias: 0.0 };
        let m = Logistic::fit_weighted(&xs, &ys, &ws, L2, Some(&shipped));
        Some(Recalibration { scale: m.weights[0], shift: m.bias })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::logistic::sigmoid;

    fn views(n: usize, later: impl Fn(f64) -> f64) -> Vec<HookView> {
        (0..n).map(|k| -4.0 + 8.0 * k as f64 / (n - 1) as f64).map(|logit| HookView { logit, later: later(logit) }).collect()
    }

    #[test]
    fn too_few_views_leave_the_hook_as_shipped() {
        assert_eq!(Recalibration::fit(&views(MIN_VIEWS - 1, |l| sigmoid(l + 2.0))), None);
        let mut bad = views(MIN_VIEWS, sigmoid);
        bad[0].later = f64::NAN;
        assert_eq!(Recalibration::fit(&bad), None, "a value that is not finite does not count");
        assert_eq!(Recalibration::default().apply(0.75), 0.75);
        assert_eq!(Recalibration::shifted(-0.5).apply(0.75), 0.25);
    }

    #[test]
    fn a_hook_that_agrees_with_backfill_stays_as_shipped() {
        let r = Recalibration::fit(&views(100, sigmoid)).unwrap();
        assert!((r.scale - 1.0).abs() < 0.02 && r.shift.abs() < 0.02, "{r:?}");
    }

    #[test]
    fn an_underconfident_hook_is_raised_and_a_flat_one_steepened() {
        // Backfill is 1.5 log-odds surer than the hook on every commit.
        let r = Recalibration::fit(&views(100, |l| sigmoid(l + 1.5))).unwrap();
        assert!((r.scale - 1.0).abs() < 0.1 && (r.shift - 1.5).abs() < 0.15, "{r:?}");
        // Backfill reads twice the hook's lead: the slope grows towards 2.
        let r = Recalibration::fit(&views(100, |l| sigmoid(2.0 * l))).unwrap();
        assert!(r.scale > 1.6 && r.shift.abs() < 0.1, "{r:?}");
    }
}
