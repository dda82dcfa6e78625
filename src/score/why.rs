//! What made a link sure, for the person asked about it: the calibration's log-odds split
//! into one share per feature. The split is exact: the ranker's score is linear in the
//! features, so its weight in the calibration passes to each feature through the ranker's
//! weights. A link can be sure with a low keyword and semantic score (a report is fixed by
//! the commit after it that fits it best), and the prompt shows those two scores; this says
//! what else counted.

use super::features::{BASE, N};
use super::fitted::{decision_input, Fitted};

/// Each feature's share of the calibration's log-odds for `f` (the ranker's score taken as
/// `fitted.rank(f)`); with [`unshared`] they sum to [`Fitted::calibration_logit`].
pub fn shares(fitted: &Fitted, f: &[f64; N]) -> [f64; N] {
    let x = decision_input(0.0, f, &fitted.calibration_leaves_out);
    let c = &fitted.calibration.weights;
    let through_rank = rank_weight(fitted);
    std::array::from_fn(|i| {
        let direct = c.get(i + 1).copied().unwrap_or(0.0) * x[i + 1];
        let ranked = if i < BASE { through_rank * fitted.ranker.weights.get(i).copied().unwrap_or(0.0) * f[i] } else { 0.0 };
        direct + ranked
    })
}

/// The log-odds no feature holds: the calibration's bias, and the ranker's through it.
pub fn unshared(fitted: &Fitted) -> f64 {
    fitted.calibration.bias + rank_weight(fitted) * fitted.ranker.bias
}

fn rank_weight(fitted: &Fitted) -> f64 {
    if fitted.calibration_leaves_out.contains(&0) {
        0.0
    } else {
        fitted.calibration.weights.first().copied().unwrap_or(0.0)
    }
}

/// A share of the log-odds worth naming: it moves a link from even odds to about 0.6.
pub const NAMED: f64 = 0.4;

/// Features that say one thing: `passage_rank_margin` and `best_for_passage` (the talk fits
/// this commit best of those after it, and by how much).
const SAY_ONE_THING: [[usize; 2]; 1] = [[13, 14]];

/// The features that raised the link's odds most (at least [`NAMED`] each), largest first,
/// at most `most`, each thing said once.
pub fn reasons(fitted: &Fitted, f: &[f64; N], most: usize) -> Vec<usize> {
    let shares = shares(fitted, f);
    let mut named: Vec<usize> = (0..N).filter(|&i| shares[i] >= NAMED).collect();
    named.sort_by(|&a, &b| shares[b].total_cmp(&shares[a]).then(a.cmp(&b)));
    // Two features that say one thing are named once, by the larger share.
    let mut said = Vec::new();
    named.retain(|&i| {
        let thing = SAY_ONE_THING.iter().find(|g| g.contains(&i)).map_or(i, |g| g[0]);
        let first = !said.contains(&thing);
        said.push(thing);
        first
    });
    named.truncate(most);
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pair backfill linked on realtext wicket (WICKET-1677) with keyword 0.19 and semantic
    /// 0.30 at confidence 0.83: the talk's best fit among the commits after it.
    const WICKET_1677: [f64; N] = [0.3027, 0.334, 0.1861, 0.0319, -0.1978, 0.1073, -0.0176, 0.8961, 0.3333, 0.0, 0.1404, 0.0, 0.2107, 0.7616, 1.0, 0.0, 0.44];

    #[test]
    fn the_shares_sum_to_the_calibrations_log_odds_in_both_modes() {
        for later_commits in [true, false] {
            for fitted in [Fitted::shipped(later_commits), Fitted::shipped_uncentred(later_commits)] {
                for f in [WICKET_1677, [0.0; N], std::array::from_fn(|i| 0.1 * i as f64 - 0.5)] {
                    let sum = unshared(&fitted) + shares(&fitted, &f).iter().sum::<f64>();
                    let logit = fitted.calibration_logit(fitted.rank(&f), &f);
                    assert!((sum - logit).abs() < 1e-9, "{later_commits}: {sum} against {logit}");
                }
            }
        }
    }

    #[test]
    fn a_sure_link_with_low_scores_is_named_for_what_made_it_sure() {
        let backfill = Fitted::shipped(true);
        let named = reasons(&backfill, &WICKET_1677, 2);
        // passage_rank_margin 4.03 × 0.76, then talk_of_like_commits 4.29 × 0.14 (0.60, ahead
        // of best_for_passage's 0.56); the rest below NAMED.
        assert_eq!(named, [13, 10]);
        let s = shares(&backfill, &WICKET_1677);
        assert!((s[13] - 4.0342 * 0.7616).abs() < 1e-9 && (s[10] - 4.29 * 0.1404).abs() < 1e-9, "{s:?}");
        // Without the centre, best_for_passage weighs more: it says what passage_rank_margin
        // says, so it is not named after it.
        let uncentred = Fitted::shipped_uncentred(true);
        let s = shares(&uncentred, &WICKET_1677);
        assert!(s[13] >= NAMED && s[14] >= NAMED, "{s:?}");
        assert!(!reasons(&uncentred, &WICKET_1677, 3).contains(&14));
        // The same link with no commit after the talk to compare: nothing of the passage side.
        let mut alone = WICKET_1677;
        alone[13..16].fill(0.0);
        assert!(reasons(&backfill, &alone, 3).iter().all(|i| !(13..16).contains(i)));
        // Nothing raises the odds of a link with every feature at 0.
        assert!(reasons(&backfill, &[0.0; N], 3).is_empty());
    }
}
