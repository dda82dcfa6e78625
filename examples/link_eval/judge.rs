//! `link_eval fit`: leave-one-set-out figures and the weights to ship.

use std::collections::{BTreeMap, HashSet};

use git_screenlink::score::features::{NAMES, NEEDS_LATER_COMMITS};
use git_screenlink::score::logistic::Logistic;

use super::Row;

/// The threshold the product uses (screenlink.minConfidence's default).
const THRESHOLD: f64 = git_screenlink::config::MIN_CONFIDENCE_DEFAULT;
const L2: f64 = 1.0;

/// Sets whose names share what comes before `#` (seeds of one world style) are one group:
/// held out together.
fn group(set: &str) -> &str {
    set.split('#').next().unwrap_or(set)
}

struct Model {
    ranker: Logistic,
    calibration: Logistic,
}

fn decision_input(rank: f64, f: &[f64]) -> Vec<f64> {
    git_screenlink::score::fitted::decision_input(rank, f)
}

fn masked(f: &[f64], hook: bool) -> Vec<f64> {
    f.iter().enumerate().map(|(i, v)| if hook && NEEDS_LATER_COMMITS.contains(&i) { 0.0 } else { *v }).collect()
}

/// Fit on `rows`, every set weighing the same in all.
fn train(rows: &[&Row], hook: bool) -> Model {
    let mut per_set: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *per_set.entry(&r.set).or_default() += r.cands.len();
    }
    let (mut xs, mut ys, mut ws) = (Vec::new(), Vec::new(), Vec::new());
    let total: usize = per_set.values().sum();
    for r in rows {
        let w = total as f64 / (per_set.len() as f64 * per_set[r.set.as_str()] as f64);
        for c in &r.cands {
            xs.push(masked(&c.features, hook));
            ys.push(c.label);
            ws.push(w);
        }
    }
    let ranker = Logistic::fit_weighted(&xs, &ys, &ws, L2, None);
    // Calibration on what becomes a link: each commit's best candidate.
    let (mut cx, mut cy, mut cw) = (Vec::new(), Vec::new(), Vec::new());
    let mut tops: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows.iter().filter(|r| !r.cands.is_empty()) {
        *tops.entry(&r.set).or_default() += 1;
    }
    let ntop: usize = tops.values().sum();
    for r in rows {
        if let Some((l, c)) = r.cands.iter().map(|c| (ranker.logit(&masked(&c.features, hook)), c)).max_by(|a, b| a.0.total_cmp(&b.0)) {
            cx.push(decision_input(l, &masked(&c.features, hook)));
            cy.push(c.label);
            cw.push(ntop as f64 / (tops.len() as f64 * tops[r.set.as_str()] as f64));
        }
    }
    let calibration = Logistic::fit_weighted(&cx, &cy, &cw, L2, None);
    Model { ranker, calibration }
}

#[derive(Default, Clone)]
pub struct Figures {
    pub gold: usize,
    pub pairs: usize,
    pub correct: usize,
    pub reachable: usize,
    pub top1: usize,
    /// (confidence, right) of every commit's best candidate.
    pub tops: Vec<(f64, bool)>,
}

impl Figures {
    pub fn prf(&self) -> (f64, f64, f64) {
        let p = self.correct as f64 / self.pairs.max(1) as f64;
        let r = self.correct as f64 / self.gold.max(1) as f64;
        (p, r, if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 })
    }
}

/// Link as the engine does: oldest first, best unclaimed candidate, link at or above the
/// threshold, and a linked passage's rows are claimed.
pub fn judge(rows: &[&Row], score: &dyn Fn(&[f64], f64, f64) -> (f64, f64), threshold: f64) -> Figures {
    let mut order: Vec<&Row> = rows.to_vec();
    order.sort_by_key(|r| (r.time, r.sha.clone()));
    let mut claimed: HashSet<i64> = HashSet::new();
    let mut f = Figures::default();
    for r in order {
        f.gold += usize::from(r.has_gold);
        let mut ranked: Vec<(f64, f64, &super::Cand)> = r
            .cands
            .iter()
            .map(|c| {
                let (rank, conf) = score(&c.features, c.keyword, c.semantic);
                (rank, conf, c)
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        if r.cands.iter().any(|c| c.label) {
            f.reachable += 1;
            f.top1 += usize::from(ranked[0].2.label);
        }
        let Some(best) = ranked.into_iter().find(|(_, _, c)| !c.ids.iter().any(|i| claimed.contains(i))) else { continue };
        f.tops.push((best.1, best.2.label));
        if best.1 >= threshold {
            f.pairs += 1;
            f.correct += usize::from(best.2.label);
            claimed.extend(best.2.ids.iter().copied());
        }
    }
    f
}

fn line(label: &str, f: &Figures) -> String {
    let (p, r, f1) = f.prf();
    format!(
        "| {label:<28} | {:>5} | {:>5} | {p:>9.3} | {r:>6.3} | {f1:>5.3} | {:>5.3} | {:>5.3} |",
        f.gold,
        f.pairs,
        f.reachable as f64 / f.gold.max(1) as f64,
        f.top1 as f64 / f.reachable.max(1) as f64
    )
}

fn calibration(f: &Figures) -> String {
    let mut bins = [(0usize, 0usize, 0f64); 10];
    for (c, right) in &f.tops {
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

pub fn fit(files: &[String]) {
    let rows: Vec<Row> = files
        .iter()
        .flat_map(|f| std::fs::read_to_string(f).unwrap().lines().map(|l| serde_json::from_str::<Row>(l).unwrap()).collect::<Vec<_>>())
        .collect();
    let groups: Vec<&str> = rows.iter().map(|r| group(&r.set)).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let sets: Vec<&str> = rows.iter().map(|r| r.set.as_str()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let guide = |_: &[f64], k: f64, s: f64| {
        let c = 0.3 * k + 0.7 * s;
        (c, c)
    };
    for hook in [false, true] {
        println!("\n## {} mode (model fitted on the other groups; threshold {THRESHOLD})\n", if hook { "hook" } else { "backfill" });
        println!("| set / method                 |  gold | pairs | precision | recall |    F1 | reach | top-1 |");
        println!("|------------------------------|-------|-------|-----------|--------|-------|-------|-------|");
        let mut macro_fit = Vec::new();
        let mut macro_guide = Vec::new();
        let mut pooled = Figures::default();
        for g in &groups {
            let train_rows: Vec<&Row> = rows.iter().filter(|r| group(&r.set) != *g).collect();
            let m = train(&train_rows, hook);
            for s in sets.iter().filter(|s| group(s) == *g) {
                let test: Vec<&Row> = rows.iter().filter(|r| r.set == *s).collect();
                let score = |f: &[f64], _: f64, _: f64| {
                    let x = masked(f, hook);
                    let l = m.ranker.logit(&x);
                    (l, m.calibration.predict(&decision_input(l, &x)))
                };
                let fit = judge(&test, &score, THRESHOLD);
                let gd = judge(&test, &guide, 0.6);
                println!("{}", line(&format!("{s} fitted"), &fit));
                println!("{}", line(&format!("{s} guide"), &gd));
                println!("    calibration {s}: {}", calibration(&fit));
                if !s.starts_with("plain") && !s.starts_with("meeting") {
                    macro_fit.push(fit.prf());
                    macro_guide.push(gd.prf());
                }
                pooled.tops.extend(fit.tops);
            }
        }
        for (label, m) in [("realtext macro fitted", &macro_fit), ("realtext macro guide", &macro_guide)] {
            if !m.is_empty() {
                let n = m.len() as f64;
                let (p, r, f) = m.iter().fold((0.0, 0.0, 0.0), |a, x| (a.0 + x.0 / n, a.1 + x.1 / n, a.2 + x.2 / n));
                println!("{label}: precision {p:.3} recall {r:.3} F1 {f:.3}");
            }
        }
        println!("calibration, every held-out set pooled: {}", calibration(&pooled));
        let all: Vec<&Row> = rows.iter().collect();
        let m = train(&all, hook);
        println!("\nweights fitted on every set ({} mode):", if hook { "hook" } else { "backfill" });
        let w: Vec<String> = m.ranker.weights.iter().map(|w| format!("{w:.4}")).collect();
        let c: Vec<String> = m.calibration.weights.iter().map(|w| format!("{w:.4}")).collect();
        println!("  ([{}], {:.4}, [{}], {:.4})", w.join(", "), m.ranker.bias, c.join(", "), m.calibration.bias);
        for (n, w) in NAMES.iter().zip(&m.ranker.weights) {
            println!("  {n:<24} {w:>8.4}");
        }
    }
}
