//! Did the adapter do better than the base model, or is the difference what chance gives on
//! this many pairs? A run's test split is the newest tenth of a dataset, often 5 to 30 pairs,
//! where a mean that moved by two points of chrF may be one lucky pair. Each measure is
//! compared pair by pair (the same prompt on both sides): the mean of adapter − base, how many
//! pairs went each way, and a 95 % interval for that mean from a paired bootstrap (the pairs'
//! differences resampled with replacement, `RESAMPLES` times, with a fixed seed, so a report
//! is the same each time it is made from the same generations). A bootstrap of few pairs is
//! too sure of itself (4 pairs that gained among 25 that did not move put the whole interval
//! above zero), so a verdict of better or worse also needs the sign test: that many more wins
//! than losses would come from a fair coin less than one time in twenty.

use serde::{Deserialize, Serialize};

pub const RESAMPLES: usize = 10_000;
const SEED: u64 = 0x5c12_ee41;
/// Below this many pairs no interval is given: a bootstrap of four values says little.
pub const MIN_PAIRS: usize = 5;
/// The sign test's two-sided level.
const SIGN_LEVEL: f64 = 0.05;

/// What the comparison says of one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is on the better side of zero, and the sign test agrees.
    Better,
    /// The whole interval is on the worse side, and the sign test agrees.
    Worse,
    /// The interval holds zero, or the sign test does not rule out chance: this many pairs
    /// cannot tell the two apart.
    Unclear,
    /// Every pair scored the same on both sides.
    Same,
    /// Fewer than `MIN_PAIRS` pairs.
    TooFew,
}

/// One measure, adapter against base, over the pairs both sides have a value for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub pairs: usize,
    /// The mean of adapter − base.
    pub difference: f64,
    /// The 95 % paired bootstrap interval of that mean (none below `MIN_PAIRS` pairs).
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Pairs on which the adapter did better, worse, the same.
    pub better: usize,
    pub worse: usize,
    pub same: usize,
    /// The sign test's two-sided p-value for the wins and losses (ties left out); 1, which
    /// says nothing, in a report written before it was kept.
    #[serde(default = "says_nothing")]
    pub sign_p: f64,
    pub verdict: Verdict,
}

fn says_nothing() -> f64 {
    1.0
}

/// Compare `(base, adapter)` values, one per pair; `higher_is_better` for chrF and
/// identifier recall, not for a loss. None without pairs.
pub fn compare(values: &[(f64, f64)], higher_is_better: bool) -> Option<Comparison> {
    let diffs: Vec<f64> = values.iter().map(|(b, a)| a - b).collect();
    let n = diffs.len();
    if n == 0 {
        return None;
    }
    let gain = |d: f64| if higher_is_better { d } else { -d };
    let better = diffs.iter().filter(|&&d| gain(d) > 0.0).count();
    let worse = diffs.iter().filter(|&&d| gain(d) < 0.0).count();
    let difference = mean(&diffs);
    let (low, high) = if n >= MIN_PAIRS {
        let (l, h) = interval(&diffs);
        (Some(l), Some(h))
    } else {
        (None, None)
    };
    let sign_p = sign_test(better, worse);
    let verdict = match (low, high) {
        _ if better + worse == 0 => Verdict::Same,
        (Some(l), Some(h)) if gain(l) > 0.0 && gain(h) > 0.0 && sign_p < SIGN_LEVEL => Verdict::Better,
        (Some(l), Some(h)) if gain(l) < 0.0 && gain(h) < 0.0 && sign_p < SIGN_LEVEL => Verdict::Worse,
        (Some(_), Some(_)) => Verdict::Unclear,
        _ => Verdict::TooFew,
    };
    Some(Comparison { pairs: n, difference, low, high, better, worse, same: n - better - worse, sign_p, verdict })
}

/// The exact two-sided sign test: how often a fair coin tossed `wins + losses` times gives
/// a split at least this uneven.
fn sign_test(wins: usize, losses: usize) -> f64 {
    let n = wins + losses;
    let k = wins.max(losses);
    // ln C(n, i) − n ln 2, summed for i = k..=n, in logs so that no term underflows.
    let mut ln_c = 0.0; // ln C(n, 0)
    let mut tail = 0.0;
    for i in 0..=n {
        if i >= k {
            tail += (ln_c - n as f64 * std::f64::consts::LN_2).exp();
        }
        ln_c += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
    }
    (2.0 * tail).min(1.0)
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The 2.5th and 97.5th percentiles of the resampled means.
fn interval(diffs: &[f64]) -> (f64, f64) {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let n = diffs.len();
    let mut means: Vec<f64> = (0..RESAMPLES).map(|_| (0..n).map(|_| diffs[rng.usize(..n)]).sum::<f64>() / n as f64).collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((RESAMPLES as f64 * q) as usize).min(RESAMPLES - 1)];
    (at(0.025), at(0.975))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(base: &[f64], adapter: &[f64]) -> Vec<(f64, f64)> {
        base.iter().copied().zip(adapter.iter().copied()).collect()
    }

    #[test]
    fn a_gain_on_every_pair_is_better_and_its_interval_lies_within_the_gains() {
        let c = compare(&pairs(&[10.0, 20.0, 30.0, 40.0, 50.0, 60.0], &[12.0, 23.0, 31.0, 44.0, 52.0, 63.0]), true).unwrap();
        assert_eq!((c.pairs, c.better, c.worse, c.same), (6, 6, 0, 0));
        assert!((c.difference - 15.0 / 6.0).abs() < 1e-12);
        let (l, h) = (c.low.unwrap(), c.high.unwrap());
        // Every resampled mean is a mean of gains between 1 and 4.
        assert!((1.0..=4.0).contains(&l) && (1.0..=4.0).contains(&h) && l < c.difference && c.difference < h, "{l} {h}");
        assert_eq!(c.verdict, Verdict::Better);
        assert!((c.sign_p - 2.0 / 64.0).abs() < 1e-12, "six wins of six: 2 × ½⁶");
        // A loss that falls on every pair is better too; one that rises is worse.
        let (high, low) = ([2.0, 2.1, 2.2, 2.3, 2.4, 2.5], [1.5, 1.9, 1.7, 2.0, 2.3, 2.4]);
        assert_eq!(compare(&pairs(&high, &low), false).unwrap().verdict, Verdict::Better);
        assert_eq!(compare(&pairs(&low, &high), false).unwrap().verdict, Verdict::Worse);
        // Five wins of five: the interval is above zero, but a coin gives that one time in 16.
        let c = compare(&pairs(&high[..5], &low[..5]), false).unwrap();
        assert!(c.high.unwrap() < 0.0 && (c.sign_p - 0.0625).abs() < 1e-12);
        assert_eq!(c.verdict, Verdict::Unclear);
    }

    #[test]
    fn a_few_pairs_that_moved_among_many_that_did_not_are_no_verdict() {
        // Four of 29 gained and none lost: every resample but about 1 in 70 holds a gain, so
        // the interval is above zero; the sign test (4 wins, 0 losses: p = 0.125) says chance.
        let adapter: Vec<f64> = (0..29).map(|i| if i < 4 { 0.3 } else { 0.0 }).collect();
        let c = compare(&pairs(&[0.0; 29], &adapter), true).unwrap();
        assert!(c.low.unwrap() > 0.0, "{c:?}");
        assert!((c.sign_p - 0.125).abs() < 1e-12);
        assert_eq!(c.verdict, Verdict::Unclear);
        // Many pairs in a long run: the tail stays exact (no underflow).
        assert!((sign_test(600, 600) - 1.0).abs() < 1e-9 && sign_test(700, 500) < 1e-6 && sign_test(700, 500) > 0.0);
        assert!((sign_test(3, 1) - 0.625).abs() < 1e-12, "P(3 or more of 4) = 5/16, twice");
    }

    #[test]
    fn gains_and_losses_that_cancel_are_unclear() {
        // Half the pairs gain 5, half lose 5, one a little: the interval holds zero.
        let base = [50.0; 10];
        let adapter = [55.0, 45.0, 55.0, 45.0, 55.0, 45.0, 55.0, 45.0, 55.0, 46.0];
        let c = compare(&pairs(&base, &adapter), true).unwrap();
        assert_eq!((c.better, c.worse), (5, 5));
        assert!(c.low.unwrap() < 0.0 && c.high.unwrap() > 0.0);
        assert_eq!(c.verdict, Verdict::Unclear);
        // One large gain among small losses is not a better model either.
        let c = compare(&pairs(&[50.0; 8], &[90.0, 49.0, 48.0, 49.0, 47.0, 49.0, 48.0, 49.0]), true).unwrap();
        assert!(c.difference > 0.0);
        assert_eq!(c.verdict, Verdict::Unclear, "{c:?}");
    }

    #[test]
    fn the_same_scores_are_same_and_few_pairs_get_no_interval() {
        let c = compare(&pairs(&[1.0, 2.0, 3.0, 4.0, 5.0], &[1.0, 2.0, 3.0, 4.0, 5.0]), true).unwrap();
        assert_eq!((c.same, c.difference, c.low, c.high, c.verdict), (5, 0.0, Some(0.0), Some(0.0), Verdict::Same));
        let c = compare(&pairs(&[1.0, 2.0], &[2.0, 3.0]), true).unwrap();
        assert_eq!((c.better, c.low, c.verdict), (2, None, Verdict::TooFew));
        assert_eq!(compare(&[], true), None);
    }

    #[test]
    fn the_interval_is_the_same_each_time() {
        let v = pairs(&[3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0], &[2.0, 7.0, 1.0, 8.0, 2.0, 8.0, 1.0]);
        assert_eq!(compare(&v, true), compare(&v, true));
    }
}
