//! Logistic regression, small and exact: the fitted scorer's model, and the fit that makes
//! it (shipped weights are fitted by `tools/fit_linker.sh`; a repository's own answers refit
//! them in `score::user`).
//!
//! The fit is Newton's method on the L2-penalised log-likelihood, the penalty pulling the
//! weights towards a prior (zero, or the shipped weights when a repository refits), so a few
//! dozen answers move the model only as far as they have evidence for.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    pub weights: Vec<f64>,
    pub bias: f64,
}

pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Logistic {
    pub fn zeros(n: usize) -> Logistic {
        Logistic { weights: vec![0.0; n], bias: 0.0 }
    }

    pub fn logit(&self, x: &[f64]) -> f64 {
        self.bias + self.weights.iter().zip(x).map(|(w, v)| w * v).sum::<f64>()
    }

    pub fn predict(&self, x: &[f64]) -> f64 {
        sigmoid(self.logit(x))
    }

    /// Mean negative log-likelihood of `ys` under the model (lower is better).
    pub fn log_loss(&self, xs: &[Vec<f64>], ys: &[bool]) -> f64 {
        let n = xs.len().max(1) as f64;
        xs.iter()
            .zip(ys)
            .map(|(x, &y)| {
                let p = self.predict(x).clamp(1e-12, 1.0 - 1e-12);
                if y {
                    -p.ln()
                } else {
                    -(1.0 - p).ln()
                }
            })
            .sum::<f64>()
            / n
    }

    /// Fit to `xs`/`ys`, penalising `l2 · |w − prior.w|²` (the bias is pulled to the prior's
    /// bias with a hundredth of that). 50 Newton steps at most; stops when the step is tiny.
    pub fn fit(xs: &[Vec<f64>], ys: &[bool], l2: f64, prior: Option<&Logistic>) -> Logistic {
        Logistic::fit_weighted(xs, ys, &vec![1.0; xs.len()], l2, prior)
    }

    /// [`fit`](Self::fit) with a weight per example (a set that is small counts as much as a big one).
    pub fn fit_weighted(xs: &[Vec<f64>], ys: &[bool], ws: &[f64], l2: f64, prior: Option<&Logistic>) -> Logistic {
        let d = xs.first().map_or(0, Vec::len);
        let prior = prior.cloned().unwrap_or_else(|| Logistic::zeros(d));
        let mut m = prior.clone();
        let k = d + 1; // last coordinate is the bias
        let penalty = |j: usize| if j == d { l2 * 0.01 } else { l2 };
        let objective = |m: &Logistic| {
            let mut o = 0.0;
            for ((x, &y), &w) in xs.iter().zip(ys).zip(ws) {
                let z = m.logit(x);
                // −log σ(z) for y, −log σ(−z) otherwise, computed without overflow.
                let s = if y { -z } else { z };
                o += w * if s > 0.0 { s + (-s).exp().ln_1p() } else { s.exp().ln_1p() };
            }
            for j in 0..k {
                let (cur, pri) = if j == d { (m.bias, prior.bias) } else { (m.weights[j], prior.weights[j]) };
                o += penalty(j) * (cur - pri) * (cur - pri);
            }
            o
        };
        for _ in 0..50 {
            let mut grad = vec![0.0; k];
            let mut hess = vec![vec![0.0; k]; k];
            for ((x, &y), &w) in xs.iter().zip(ys).zip(ws) {
                let p = m.predict(x);
                let r = w * (p - f64::from(u8::from(y)));
                let s = w * (p * (1.0 - p)).max(1e-9);
                // The example with a trailing 1 for the bias.
                let xi: Vec<f64> = x.iter().copied().chain(std::iter::once(1.0)).collect();
                for (a, row) in hess.iter_mut().enumerate() {
                    grad[a] += r * xi[a];
                    for (h, xb) in row.iter_mut().zip(&xi).skip(a) {
                        *h += s * xi[a] * xb;
                    }
                }
            }
            // Only the upper triangle was summed: mirror it.
            for a in 0..k {
                let upper: Vec<f64> = (0..a).map(|b| hess[b][a]).collect();
                hess[a][..a].copy_from_slice(&upper);
                let (cur, pri) = if a == d { (m.bias, prior.bias) } else { (m.weights[a], prior.weights[a]) };
                grad[a] += 2.0 * penalty(a) * (cur - pri);
                hess[a][a] += 2.0 * penalty(a);
            }
            let Some(step) = solve(hess, grad) else { break };
            // Newton's step, halved until the objective goes down (far from the optimum a
            // full step can overshoot).
            let before = objective(&m);
            let mut scale = 1.0;
            let mut next = m.clone();
            for _ in 0..30 {
                next = m.clone();
                for (j, s) in step.iter().enumerate() {
                    if j == d {
                        next.bias -= scale * s;
                    } else {
                        next.weights[j] -= scale * s;
                    }
                }
                if objective(&next) <= before {
                    break;
                }
                scale /= 2.0;
            }
            m = next;
            if scale * step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-9 {
                break;
            }
        }
        m
    }
}

/// Fit weights (no bias) so that, in each group of examples, a softmax over their scores
/// puts its mass on the group's positives: a ranker for "which of these is the one".
/// Plain gradient ascent, `epochs` full passes at step `rate`, L2 `l2`; deterministic.
pub fn fit_listwise(groups: &[Vec<(Vec<f64>, bool)>], l2: f64, epochs: usize, rate: f64) -> Logistic {
    let d = groups.iter().flat_map(|g| g.first()).map(|(x, _)| x.len()).next().unwrap_or(0);
    let mut w = vec![0.0; d];
    let usable: Vec<&Vec<(Vec<f64>, bool)>> = groups.iter().filter(|g| g.iter().any(|(_, y)| *y)).collect();
    let n = usable.len().max(1) as f64;
    for _ in 0..epochs {
        let mut grad = vec![0.0; d];
        for g in &usable {
            let scores: Vec<f64> = g.iter().map(|(x, _)| w.iter().zip(x).map(|(a, b)| a * b).sum()).collect();
            let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let exp: Vec<f64> = scores.iter().map(|s| (s - top).exp()).collect();
            let z: f64 = exp.iter().sum();
            let positives = g.iter().filter(|(_, y)| *y).count() as f64;
            for ((x, y), e) in g.iter().zip(&exp) {
                let target = if *y { 1.0 / positives } else { 0.0 };
                let delta = target - e / z;
                for (gk, xk) in grad.iter_mut().zip(x) {
                    *gk += delta * xk;
                }
            }
        }
        for (wk, gk) in w.iter_mut().zip(&grad) {
            *wk += rate * (gk / n - l2 * *wk);
        }
    }
    Logistic { weights: w, bias: 0.0 }
}

/// Solve `a · x = b` by Gaussian elimination with partial pivoting; `None` if singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (done, rest) = a.split_at_mut(col + 1);
        let pivot_row = &done[col];
        for (k, row) in rest.iter_mut().enumerate() {
            let f = row[col] / pivot_row[col];
            for (x, p) in row.iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[col + 1 + k] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicts_from_fixed_weights_exactly() {
        let m = Logistic { weights: vec![2.0, -1.0], bias: -0.5 };
        assert!((m.predict(&[1.0, 0.5]) - sigmoid(1.0)).abs() < 1e-12);
        assert!((sigmoid(1.0) - 0.731_058_578_630_004_9).abs() < 1e-12);
        assert!((m.predict(&[0.0, 0.0]) - 0.377_540_668_798_145_4).abs() < 1e-12);
    }

    #[test]
    fn fit_recovers_a_separating_direction_and_the_prior_holds_without_data() {
        // y = x0 > 0.5, with x1 noise.
        let xs: Vec<Vec<f64>> = (0..200).map(|i| vec![(i % 20) as f64 / 20.0, ((i * 7) % 13) as f64 / 13.0]).collect();
        let ys: Vec<bool> = xs.iter().map(|x| x[0] > 0.5).collect();
        let m = Logistic::fit(&xs, &ys, 0.01, None);
        assert!(m.weights[0] > 5.0 * m.weights[1].abs(), "{m:?}");
        let right = xs.iter().zip(&ys).filter(|(x, &y)| (m.predict(x) > 0.5) == y).count();
        assert!(right >= 190, "{right}");
        assert!(m.log_loss(&xs, &ys) < Logistic::zeros(2).log_loss(&xs, &ys));
        let prior = Logistic { weights: vec![1.0, 2.0], bias: 3.0 };
        let held = Logistic::fit(&xs[..2], &ys[..2], 1e6, Some(&prior));
        assert!((held.weights[0] - 1.0).abs() < 1e-3 && (held.weights[1] - 2.0).abs() < 1e-3, "{held:?}");
    }

    #[test]
    fn a_listwise_fit_ranks_each_groups_positive_first() {
        // In every group the positive has the largest x0; x1 is noise.
        let groups: Vec<Vec<(Vec<f64>, bool)>> = (0..30)
            .map(|g| (0..4).map(|i| (vec![if i == g % 4 { 1.0 } else { 0.2 * i as f64 / 4.0 }, ((g * 7 + i * 3) % 5) as f64 / 5.0], i == g % 4)).collect())
            .collect();
        let m = fit_listwise(&groups, 1e-3, 200, 2.0);
        assert!(m.weights[0] > 2.0 * m.weights[1].abs(), "{m:?}");
        for g in &groups {
            let best = g.iter().max_by(|a, b| m.logit(&a.0).total_cmp(&m.logit(&b.0))).unwrap();
            assert!(best.1);
        }
    }

    #[test]
    fn solves_a_small_system() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-12 && (x[1] - 1.4).abs() < 1e-12, "{x:?}");
        assert!(solve(vec![vec![1.0, 2.0], vec![2.0, 4.0]], vec![1.0, 2.0]).is_none());
    }
}
