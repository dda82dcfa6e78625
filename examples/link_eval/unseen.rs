//! `LINK_EVAL_UNSEEN=a,b`: sets no model is fitted on, judged only by the models fitted on every
//! other set, as the shipped weights meet a new repository (Oak and the Bears projects,
//! `tools/realtext_oak.py`, `tools/realtext_bears.py`), and each project less half its fixes
//! (`link_eval orphans`, sets named `<project>orph`: talk that motivated no commit).

use super::figures::{calibration, greedy, guide, line, mean, oldest_first, oldest_first_unshared, undefined};
use super::judge::{scorer, with_context, Model, THRESHOLD};
use super::prior::{prior_shift, Shares};
use super::Row;

/// The unseen sets' `rows`, each linked by `m` (fitted on every other set, `train_rows`)
/// beside the guide's formula, with the macro over them; backfill records each set's share
/// for the hook's prior.
pub fn judge(rows: &[Row], m: &Model, train_rows: &[&Row], hook: bool, shares: &mut Shares) {
    let sets: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.set.as_str()).collect();
    // The unseen projects' macro, and the four fitted-on projects' less half their fixes.
    let mut macros: std::collections::BTreeMap<(&str, &str), Vec<[f64; 3]>> = std::collections::BTreeMap::new();
    for s in sets {
        let test: Vec<&Row> = rows.iter().filter(|r| r.set == s).collect();
        let score = scorer(m, hook, if hook { prior_shift(s, train_rows, shares) } else { 0.0 });
        let feats = with_context(&test, &m.ranker, &m.passage_ranker, hook);
        let fit = if hook { oldest_first(&test, &feats, &score, THRESHOLD) } else { greedy(&test, &feats, &score, THRESHOLD) }.with_same_change(&test);
        if !hook {
            shares.insert(s.to_string(), fit.pairs as f64 / fit.tops.len().max(1) as f64);
        }
        if !hook && std::env::var("LINK_EVAL_EXPLAIN").is_ok_and(|v| v == s) {
            super::explain::explain(&test, &feats, &score, &fit);
        }
        // The guide's formula links as the product does with it: oldest commit first.
        let gd = oldest_first_unshared(&test, &feats, &guide, 0.6).with_same_change(&test);
        println!("{}", line(&format!("UNSEEN {s}"), &fit));
        println!("{}", line(&format!("UNSEEN {s} guide"), &gd));
        println!("    calibration UNSEEN {s}: {}", calibration(&fit));
        println!("    asking UNSEEN {s}: {}", super::figures::asking(&test, &fit));
        let of = match s.strip_suffix("orph") {
            Some(p) if super::realtext::FITTED.contains(&p) => Some("realtext, half the reports motivating nothing,"),
            Some(_) => None,
            None => Some("unseen"),
        };
        if let Some(of) = of {
            macros.entry((of, "fitted")).or_default().push(fit.macro_row());
            macros.entry((of, "guide")).or_default().push(gd.macro_row());
        }
    }
    for ((of, label), m) in &macros {
        let [p, r, f] = mean(m);
        println!("{of} macro {label} ({} mode): precision {p:.3} recall {r:.3} F1 {f:.3}{}", if hook { "hook" } else { "backfill" }, undefined(m));
    }
}
