//! Did the adapter do better than the base model, or is the difference what chance gives on
//! this many pairs? A run's test split is the newest tenth of a dataset, often 5 to 30 pairs,
//! where a mean that moved by two points of chrF may be one lucky pair. Each measure is
//! compared pair by pair (the same prompt on both sides): the mean of adapter − base, how many
//! pairs went each way, and a 95 % interval for that mean from a paired bootstrap (the pairs'
//! differences resampled with replacement, `RESAMPLES` times, with a fixed seed, so a report
//! is the same each time it is made from the same generations).

use serde::{Deserialize, Serialize};

pub const RESAMPLES: usize = 10_000;
const SEED: u64 = 0x5c12_ee41;
/// Below this many pairs no interval is given: a bootstrap of four values says little.
pub const MIN_PAIRS: usize = 5;

/// What the comparison says of one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The whole interval is on the better side of zero.
    Better,
    /// The whole interval is on the worse side.
    Worse,
    /// The interval holds zero: this many pairs cannot tell the two apart.
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
    pub verdict: Verdict,
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
    let (low, high) = if n >= MIN_PAIRS { interval(&diffs) } else { (None, None) };
    let verdict = match (low, high) {
        _ if better + worse == 0 => Verdict::Same,
        (Some(l), Some(h)) if gain(l) > 0.0 && gain(h) > 0.0 => Verdict::Better,
        (Some(l), Some(h)) if gain(l) < 0.0 && gain(h) < 0.0 => Verdict::Worse,
        (Some(_), Some(_)) => Verdict::Unclear,
        _ => Verdict::TooFew,
    };
    Some(Comparison { pairs: n, difference, low, high, better, worse, same: n - better - worse, verdict })
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// The 2.5th and 97.5th percentiles of the resampled means.
fn interval(diffs: &[f64]) -> (Option<f64>, Option<f64>) {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let n = diffs.len();
    let mut means: Vec<f64> = (0..RESAMPLES).map(|_| (0..n).map(|_| diffs[rng.usize(..n)]).sum::<f64>() / n as f64).collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((RESAMPLES as f64 * q) as usize).min(RESAMPLES - 1)];
    (Some(at(0.025)), Some(at(0.975)))
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
        // A loss that falls on every pair is better too; one that rises is worse.
        assert_eq!(compare(&pairs(&[2.0, 2.1, 2.2, 2.3, 2.4], &[1.5, 1.9, 1.7, 2.0, 2.3]), false).unwrap().verdict, Verdict::Better);
        assert_eq!(compare(&pairs(&[1.5, 1.9, 1.7, 2.0, 2.3], &[2.0, 2.1, 2.2, 2.3, 2.4]), false).unwrap().verdict, Verdict::Worse);
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
