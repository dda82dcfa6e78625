//! The product over time (`link_eval fit`'s "the hook, then backfill" table): the hook as each
//! commit is made, then backfill over what it left; and every commit queued then reviewed.

use git_screenlink::score::features::BASE;
use git_screenlink::score::logistic::sigmoid;

use super::figures::{calibration, greedy_after, mean, oldest_first, oldest_first_by, Figures};
use super::judge::{decision_input, group, masked, scorer, train, with_context, Model, THRESHOLD};
use super::prior::{prior_shift, recalibrations, Shares};
use super::Row;

/// The product over time: the hook links each commit as it is made (the past only); a
/// later `backfill` looks again at the commits the hook left unlinked, with the commits
/// after them in view. Both models fitted on the other groups; the `unseen` sets' on all.
pub fn hook_then_backfill(rows: &[Row], unseen: &[Row], shares: &Shares) {
    let groups: Vec<&str> = rows.iter().map(|r| group(&r.set)).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    println!("\n## the hook, then backfill over what it left unlinked (threshold {THRESHOLD})\n");
    println!("| set                          |  gold | pairs | precision | recall |    F1 | hook pairs | hook P | hook R |");
    println!("|------------------------------|-------|-------|-----------|--------|-------|------------|--------|--------|");
    let mut macro_both: Vec<[f64; 3]> = Vec::new();
    let mut macro_review: Vec<[f64; 2]> = Vec::new();
    let (mut hook_real, mut hook_worlds) = (Figures::default(), Figures::default());
    for g in &groups {
        let train_rows: Vec<&Row> = rows.iter().filter(|r| group(&r.set) != *g).collect();
        let (hm, bm) = (train(&train_rows, true), train(&train_rows, false));
        let sets: std::collections::BTreeSet<&str> = rows.iter().filter(|r| group(&r.set) == *g).map(|r| r.set.as_str()).collect();
        for s in sets {
            let test: Vec<&Row> = rows.iter().filter(|r| r.set == s).collect();
            let (at_commit, both, reviewed) = over_time(&test, &hm, &bm, prior_shift(s, &train_rows, shares));
            if !s.starts_with("plain") && !s.starts_with("meeting") {
                let [rp, rr, _] = reviewed.macro_row();
                macro_review.push([rp, rr]);
            }
            let (p, r, f1) = both.prf();
            let (hp, hr, _) = at_commit.prf();
            if s.starts_with("plain") || s.starts_with("meeting") { &mut hook_worlds } else { &mut hook_real }.tops.extend(at_commit.tops.iter().copied());
            eprintln!("hook calibration {s}: {}", calibration(&at_commit));
            println!("| {s:<28} | {:>5} | {:>5} | {p:>9.3} | {r:>6.3} | {f1:>5.3} | {:>10} | {hp:>6.3} | {hr:>6.3} |", both.gold, both.pairs, at_commit.pairs);
            if !s.starts_with("plain") && !s.starts_with("meeting") {
                macro_both.push(both.macro_row());
            }
        }
    }
    if !unseen.is_empty() {
        let all: Vec<&Row> = rows.iter().collect();
        let (hm, bm) = (train(&all, true), train(&all, false));
        for s in unseen.iter().map(|r| r.set.as_str()).collect::<std::collections::BTreeSet<_>>() {
            let test: Vec<&Row> = unseen.iter().filter(|r| r.set == s).collect();
            let (at_commit, both, _) = over_time(&test, &hm, &bm, prior_shift(s, &all, shares));
            let ((p, r, f1), (hp, hr, _)) = (both.prf(), at_commit.prf());
            eprintln!("hook calibration UNSEEN {s}: {}", calibration(&at_commit));
            println!(
                "| UNSEEN {s:<21} | {:>5} | {:>5} | {p:>9.3} | {r:>6.3} | {f1:>5.3} | {:>10} | {hp:>6.3} | {hr:>6.3} |",
                both.gold, both.pairs, at_commit.pairs
            );
        }
    }
    let [p, r, f] = mean(&macro_both);
    println!("realtext macro, hook then backfill: precision {p:.3} recall {r:.3} F1 {f:.3}");
    let [p, r] = mean(&macro_review);
    println!("realtext macro, every commit queued then reviewed (oldest first, scored beside its rivals): precision {p:.3} recall {r:.3}");
    println!("calibration of the hook (before backfill), realtext pooled: {}", calibration(&hook_real));
    println!("calibration of the hook (before backfill), the worlds pooled: {}", calibration(&hook_worlds));
}

/// One set over time, both models given: the hook's links (recalibrated on what backfill said
/// of the commits before each, or shifted by the prior alone with `LINK_EVAL_NO_RECAL`), then
/// backfill over what it left, and every commit queued then reviewed instead.
fn over_time(test: &[&Row], hm: &Model, bm: &Model, shift: f64) -> (Figures, Figures, Figures) {
    let hook_feats = with_context(test, &hm.ranker, &hm.passage_ranker, true);
    let later_feats = with_context(test, &bm.ranker, &bm.passage_ranker, false);
    let at_commit = if std::env::var_os("LINK_EVAL_NO_RECAL").is_some() {
        oldest_first(test, &hook_feats, &scorer(hm, true, shift), THRESHOLD)
    } else {
        // The product's recalibration: each commit's map fitted on the commits before it.
        let later = |ri: usize, ci: usize| scorer(bm, false, 0.0)(&later_feats[ri][ci], 0.0, 0.0).1;
        let hook = |ri: usize, ci: usize| {
            let x = masked(&hook_feats[ri][ci], true);
            let l = hm.ranker.logit(&x[..BASE]);
            (l, hm.calibration.logit(&decision_input(l, &x, true)))
        };
        let maps = recalibrations(test, &hook, &later, shift);
        let sc = |ri: usize, ci: usize| {
            let (l, c) = hook(ri, ci);
            (l, sigmoid(maps[ri].apply(c)))
        };
        oldest_first_by(test, &sc, THRESHOLD, true)
    };
    let both = greedy_after(test, &later_feats, &scorer(bm, false, 0.0), THRESHOLD, &at_commit);
    // Every commit queued, then `review`: oldest first, each scored beside its rivals.
    let reviewed = oldest_first(test, &later_feats, &scorer(bm, false, 0.0), THRESHOLD);
    (at_commit, both, reviewed)
}
