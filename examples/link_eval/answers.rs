//! What a person's answers buy (`score::user`): `weights --refit` on held-out talk.
//!
//! For each held-out set, the model fitted on the other groups links the older half of its
//! commits (with a candidate, by commit time), and a person answers the links they are shown
//! (right or wrong by the gold): either every link at the threshold, as an interactive
//! `backfill` asks them, or every commit's best link whatever its confidence, as `review`
//! and `validate --review` show them (up to [`MAX_REVIEWED`]). With [`user::MIN_EACH`] of each
//! kind, the product's own refit (`user::checked_refit`: the calibration refitted towards the
//! model, kept only if no worse on the newest 30 % of the answers) links the newer half;
//! beside it, the model alone on that same half; and the hook on that half, recalibrated on
//! what backfill said with the shipped weights and with the refit.

use std::collections::BTreeSet;

use git_screenlink::score::features::{hook_view, N};
use git_screenlink::score::fitted::{leaves_out, Fitted};
use git_screenlink::score::recalibration::Recalibration;
use git_screenlink::score::user::{self, Answer};

use super::figures::{greedy, line, oldest_first_by, Figures};
use super::judge::{group, train, with_context, THRESHOLD};
use super::Row;

/// The most answers a person gives in review before the refit (a long afternoon).
const MAX_REVIEWED: usize = 200;

pub fn print(rows: &[Row], unseen: &[Row]) {
    let groups: BTreeSet<&str> = rows.iter().map(|r| group(&r.set)).collect();
    println!("\n## a person's answers on the older half, the refit on the newer half (backfill, threshold {THRESHOLD})\n");
    for g in &groups {
        let train_rows: Vec<&Row> = rows.iter().filter(|r| group(&r.set) != *g).collect();
        let test: Vec<&Row> = rows.iter().filter(|r| group(&r.set) == *g).collect();
        each_set(&train_rows, &test);
    }
    // The unseen sets (and the lists where talk motivated nothing), by the model fitted on all.
    let all: Vec<&Row> = rows.iter().collect();
    each_set(&all, &unseen.iter().collect::<Vec<_>>());
}

/// Each set of `rows`, by the model fitted on `train_rows`.
fn each_set(train_rows: &[&Row], rows: &[&Row]) {
    let m = train(train_rows, false);
    let base = Fitted { ranker: m.ranker, passage_ranker: m.passage_ranker, calibration: m.calibration, calibration_leaves_out: leaves_out(true) };
    let h = train(train_rows, true);
    let hook = Fitted { ranker: h.ranker, passage_ranker: h.passage_ranker, calibration: h.calibration, calibration_leaves_out: leaves_out(false) };
    let sets: BTreeSet<&str> = rows.iter().map(|r| r.set.as_str()).collect();
    for s in sets {
        let test: Vec<&Row> = rows.iter().copied().filter(|r| r.set == s).collect();
        let feats = with_context(&test, &base.ranker, &base.passage_ranker, false);
        let mut order: Vec<usize> = (0..test.len()).filter(|&i| !test[i].cands.is_empty()).collect();
        order.sort_by_key(|&i| (test[i].time, test[i].sha.clone()));
        let (older, newer) = order.split_at(order.len() / 2);
        let part =
            |idx: &[usize]| -> (Vec<&Row>, Vec<Vec<[f64; N]>>) { (idx.iter().map(|&i| test[i]).collect(), idx.iter().map(|&i| feats[i].clone()).collect()) };
        let (old_rows, old_feats) = part(older);
        let (new_rows, new_feats) = part(newer);
        let link = |m: &Fitted, rows: &[&Row], feats: &[Vec<[f64; N]>], t: f64| -> Figures { greedy(rows, feats, &backfill_score(m), t) };
        println!("{}", line(&format!("{s} newer half, model"), &link(&base, &new_rows, &new_feats, THRESHOLD)));
        // The hook on the newer half, one commit at a time (its features over the whole set,
        // in commit order): as shipped with no prior shift, and as the product has it,
        // recalibrated on backfill's views of the commits before each (with the refit's
        // confidence once there is one: a repository's refit is backfill's).
        let hook_feats = with_context(&test, &hook.ranker, &hook.passage_ranker, true);
        let new_hook_feats: Vec<Vec<[f64; N]>> = newer.iter().map(|&i| hook_feats[i].clone()).collect();
        // `recal[k]`: how the hook's log-odds move for the newer half's commit `k`.
        let hook_link = |m: &Fitted, recal: &[Recalibration]| -> Figures {
            let score = |k: usize, ci: usize| {
                let r = recal.get(k).copied().unwrap_or_default();
                let f: [f64; N] = hook_view(&new_hook_feats[k][ci]).try_into().expect("N features");
                let rank = m.rank(&f);
                (rank, m.confidence_recalibrated(rank, &f, &r))
            };
            oldest_first_by(&new_rows, &score, THRESHOLD, true)
        };
        // The product's hook recalibrated on what backfill said of the commits before each one
        // (`score::recalibration`), backfill linking with `later`'s weights.
        let hook_of = |ri: usize, ci: usize| {
            let f: [f64; N] = hook_view(&hook_feats[ri][ci]).try_into().expect("N features");
            let rank = hook.rank(&f);
            (rank, hook.calibration_logit(rank, &f))
        };
        let recal_by = |later: &Fitted| -> Vec<Recalibration> {
            let all = super::prior::recalibrations(&test, &hook_of, &|ri, ci| later.confidence(&feats[ri][ci]), 0.0);
            newer.iter().map(|&i| all[i]).collect()
        };
        println!("{}", line(&format!("{s} newer half, the hook recalibrated on backfill's views"), &hook_link(&hook, &recal_by(&base))));
        println!("{}", line(&format!("{s} newer half, the hook"), &hook_link(&hook, &[])));
        in_session(s, &base, &test, &feats);
        for (how, t, cap) in [("asked at threshold", THRESHOLD, usize::MAX), ("asked from 0.3", 0.3, usize::MAX), ("reviewed, every best", 0.0, MAX_REVIEWED)] {
            let shown = link(&base, &old_rows, &old_feats, t);
            let mut answers: Vec<(usize, Answer)> =
                shown.linked.iter().map(|(&ri, &(ci, _))| (ri, (old_feats[ri][ci], old_rows[ri].cands[ci].label))).collect();
            answers.sort_by_key(|(ri, _)| (old_rows[*ri].time, old_rows[*ri].sha.clone()));
            let answers: Vec<Answer> = answers.into_iter().map(|(_, a)| a).take(cap).collect();
            let accepts = answers.iter().filter(|a| a.1).count();
            let rejects = answers.len() - accepts;
            let label = format!("{s} {how}");
            if accepts < min_each() || rejects < min_each() {
                println!("{label}: {accepts} accepts, {rejects} rejects: too few to refit");
                continue;
            }
            match user::checked_refit(&base, &answers) {
                (Some(refit), _, _) => {
                    println!("{}", line(&format!("{label}, refit ({accepts}+{rejects})"), &link(&refit, &new_rows, &new_feats, THRESHOLD)));
                    println!("{}", line(&format!("{label}, the hook recalibrated on the refit's views"), &hook_link(&hook, &recal_by(&refit))));
                }
                (None, shipped, refit) => {
                    println!("{label}: {accepts} accepts, {rejects} rejects: refit no better on the newest 30 % ({refit:.3} vs {shipped:.3})")
                }
            }
        }
    }
}

/// `m`'s (rank, confidence) of a candidate as backfill scores it (`figures::Score`).
fn backfill_score(m: &Fitted) -> impl Fn(&[f64], f64, f64) -> (f64, f64) + '_ {
    move |f: &[f64], _: f64, _: f64| {
        let f: &[f64; N] = f.try_into().expect("N features");
        let rank = m.rank(f);
        (rank, m.confidence_at(rank, f))
    }
}

/// The answers of each kind a refit needs: the product's [`user::MIN_EACH`], or
/// `LINK_EVAL_MIN_EACH` to see what a lower bar would do.
fn min_each() -> usize {
    std::env::var("LINK_EVAL_MIN_EACH").ok().and_then(|v| v.parse().ok()).unwrap_or(user::MIN_EACH)
}

/// An interactive backfill over the whole set, a person answering each link at the threshold
/// in commit order (right or wrong by the gold): how many they answer, and how many wrong links
/// they reject, with the weights as they were and with a refit as soon as one is due, the
/// links still to ask that it puts below the threshold set aside: what a backfill that learned
/// within its session would do (measured, not built: docs/link-quality-trials.md, session 27).
fn in_session(set: &str, base: &Fitted, rows: &[&Row], feats: &[Vec<[f64; N]>]) {
    let linked = greedy(rows, feats, &backfill_score(base), THRESHOLD).linked;
    let mut order: Vec<(usize, usize)> = linked.iter().map(|(&ri, &(ci, _))| (ri, ci)).collect();
    order.sort_by_key(|&(ri, _)| (rows[ri].time, rows[ri].sha.clone()));
    let gold = rows.iter().filter(|r| r.has_gold).count();
    for learn in [false, true] {
        let mut model = base.clone();
        let (mut answers, mut set_aside, mut refits): (Vec<Answer>, usize, usize) = (Vec::new(), 0, 0);
        for &(ri, ci) in &order {
            let f = feats[ri][ci];
            if model.confidence(&f) < THRESHOLD {
                set_aside += 1;
                continue;
            }
            answers.push((f, rows[ri].cands[ci].label));
            let accepts = answers.iter().filter(|a| a.1).count();
            if learn && accepts >= min_each() && answers.len() - accepts >= min_each() {
                if let (Some(refit), _, _) = user::checked_refit(base, &answers) {
                    model = refit;
                    refits += 1;
                }
            }
        }
        let accepts = answers.iter().filter(|a| a.1).count();
        println!(
            "{set} interactive backfill{}: {} asked, {accepts} accepted (recall {:.3}), {} rejected, {set_aside} set aside by a refit ({refits} refits)",
            if learn { ", learning in the session" } else { "" },
            answers.len(),
            accepts as f64 / gold.max(1) as f64,
            answers.len() - accepts
        );
    }
}
