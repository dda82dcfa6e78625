//! `link_eval fit`: leave-one-set-out figures and the weights to ship.

use std::collections::BTreeMap;

use git_screenlink::score::features::{
    add_context, best_cosine, hook_view, median_level, talk_scale, BASE, CENTRED_INDEX, COSINE_FEATURES, N, NAMES, SHIPPED_LEAVES_OUT,
};
use git_screenlink::score::fitted::{decision_input as product_input, leaves_out};
use git_screenlink::score::history::HISTORY_LEN;
use git_screenlink::score::logistic::{sigmoid, Logistic};

use super::figures::{calibration, calibration_of, greedy, guide, line, mean, oldest_first, oldest_first_unshared, undefined, Figures};
use super::prior::{groups_mean, prior_shift, Shares};
use super::Row;

/// The calibration's input as the product builds it for the mode (`fitted::leaves_out`; a
/// trial may leave more out: `LINK_EVAL_CAL_OUT` for backfill, `LINK_EVAL_HOOK_OUT` for the hook).
pub fn decision_input(rank: f64, f: &[f64], hook: bool) -> Vec<f64> {
    // Read once: this runs for every candidate of every fit.
    static HOOK_OUT: std::sync::LazyLock<Vec<usize>> = std::sync::LazyLock::new(|| {
        let extra = std::env::var("LINK_EVAL_HOOK_OUT").unwrap_or_default();
        leaves_out(false).into_iter().chain(extra.split(',').filter_map(|v| v.parse().ok())).collect()
    });
    // `LINK_EVAL_CAL_OUT=i,j`: backfill's calibration leaves inputs `i`, `j` out too (a trial
    // feature the rankers alone read).
    static CAL_OUT: std::sync::LazyLock<Vec<usize>> = std::sync::LazyLock::new(|| {
        let extra = std::env::var("LINK_EVAL_CAL_OUT").unwrap_or_default();
        // `LINK_EVAL_CAL_IN=i,j`: inputs the product leaves out that a trial reads.
        let back: Vec<usize> = std::env::var("LINK_EVAL_CAL_IN").unwrap_or_default().split(',').filter_map(|v| v.parse().ok()).collect();
        leaves_out(true).into_iter().filter(|i| !back.contains(i)).chain(extra.split(',').filter_map(|v| v.parse().ok())).collect()
    });
    product_input(rank, f, if hook { &HOOK_OUT } else { &CAL_OUT })
}

/// The threshold the product uses (screenlink.minConfidence's default).
pub const THRESHOLD: f64 = git_screenlink::config::MIN_CONFIDENCE_DEFAULT;
const L2: f64 = 1.0;
const SWEEP: [f64; 5] = [0.4, 0.5, 0.6, 0.7, 0.8];

/// Sets whose names share what comes before `#` (seeds of one world style) are one group:
/// held out together.
pub fn group(set: &str) -> &str {
    // `LINK_EVAL_FIT_ORPH=1`: a project's list less half its fixes is fitted on and held out
    // with the project.
    static FIT_ORPH: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| std::env::var_os("LINK_EVAL_FIT_ORPH").is_some());
    let g = set.split('#').next().unwrap_or(set);
    if *FIT_ORPH {
        g.strip_suffix("orph").unwrap_or(g)
    } else {
        g
    }
}

/// The commits that see one passage: (base features, whether it is the one).
type Group = Vec<(Vec<f64>, bool)>;

pub struct Model {
    pub ranker: Logistic,
    pub passage_ranker: Logistic,
    pub calibration: Logistic,
}

/// A `figures::Score` from `m` in its mode: the ranker's score, and the calibrated confidence with
/// its log-odds moved by `shift` (the hook's prior).
pub fn scorer(m: &Model, hook: bool, shift: f64) -> impl Fn(&[f64], f64, f64) -> (f64, f64) + '_ {
    move |f: &[f64], _: f64, _: f64| {
        let x = masked(f, hook);
        let l = m.ranker.logit(&x[..BASE]);
        (l, sigmoid(m.calibration.logit(&decision_input(l, &x, hook)) + shift))
    }
}

pub fn masked(f: &[f64], hook: bool) -> Vec<f64> {
    if hook {
        hook_view(f)
    } else {
        f.to_vec()
    }
}

/// `LINK_EVAL_HOOK_PAST_CENTRE=1`: the hook reads `semantic_centred` against the centre its
/// earlier commits left (`link_eval/hook_centre.rs`, 0 before there is one) instead of the
/// whole run's, in its fits and its figures.
static PAST_CENTRE: std::sync::LazyLock<bool> = std::sync::LazyLock::new(|| std::env::var_os("LINK_EVAL_HOOK_PAST_CENTRE").is_some());

/// Each row's candidates' features with the context recomputed from `ranker` (context is a
/// property of the whole set: commits are compared with the other commits of their set).
pub fn with_context(rows: &[&Row], ranker: &Logistic, passage_ranker: &Logistic, hook: bool) -> Vec<Vec<[f64; N]>> {
    let mut out: Vec<Vec<[f64; N]>> = vec![Vec::new(); rows.len()];
    let sets: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.set.as_str()).collect();
    for set in sets {
        let idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].set == set).collect();
        let mut feats: Vec<Vec<[f64; N]>> = idx
            .iter()
            .map(|&i| {
                rows[i]
                    .cands
                    .iter()
                    .map(|c| {
                        let mut f = [0.0; N];
                        f[..BASE].copy_from_slice(&c.features[..BASE]);
                        if hook && *PAST_CENTRE {
                            // As a hook-only repository has it: against its earlier commits' centre.
                            f[CENTRED_INDEX] = c.hook_centred.unwrap_or(0.0);
                        }
                        f
                    })
                    .collect()
            })
            .collect();
        let keys: Vec<Vec<usize>> = idx.iter().map(|&i| rows[i].cands.iter().map(|c| c.ids[0] as usize).collect()).collect();
        // The same change committed twice does not compete for a passage, as in the product.
        let changes: Vec<&str> = idx.iter().map(|&i| rows[i].patch.as_str()).collect();
        if hook {
            // The hook scores one commit at a time, at its history's level
            // (`score::history`): the commits before this one, as many as it keeps.
            let mut order: Vec<usize> = (0..idx.len()).collect();
            order.sort_by_key(|&k| (rows[idx[k]].time, rows[idx[k]].sha.clone()));
            let mut seen: Vec<f64> = Vec::new();
            for k in order {
                let start = seen.len().saturating_sub(HISTORY_LEN);
                let level = median_level(seen[start..].to_vec());
                let best = best_cosine(&feats[k]);
                add_context(&mut feats[k..=k], &keys[k..=k], &[], ranker, passage_ranker, false, Some(level));
                seen.extend(best);
            }
        } else {
            add_context(&mut feats, &keys, &changes, ranker, passage_ranker, true, None);
        }
        for (k, &i) in idx.iter().enumerate() {
            out[i] = std::mem::take(&mut feats[k]);
        }
    }
    out
}

/// Fit on `rows`, every set weighing the same in all.
pub fn train(rows: &[&Row], hook: bool) -> Model {
    // Every group (a realtext project, a world style) weighs the same.
    let mut per_set: BTreeMap<&str, usize> = BTreeMap::new();
    for r in rows {
        *per_set.entry(group(&r.set)).or_default() += r.cands.len();
    }
    // The rankers read the cosine features at the talk's level, as the engine does
    // (`features::add_context`): each set's own.
    let mut tops: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for r in rows {
        tops.entry(r.set.as_str()).or_default().extend(r.cands.iter().map(|c| c.features[0]).reduce(f64::max));
    }
    let scales: BTreeMap<&str, f64> = tops.into_iter().map(|(set, t)| (set, talk_scale(median_level(t)))).collect();
    let base = |r: &Row, c: &super::Cand| {
        let mut x = c.features[..BASE].to_vec();
        COSINE_FEATURES.iter().for_each(|&i| x[i] *= scales[r.set.as_str()]);
        x
    };
    let (mut xs, mut ys, mut ws) = (Vec::new(), Vec::new(), Vec::new());
    let total: usize = per_set.values().sum();
    for r in rows {
        let w = total as f64 / (per_set.len() as f64 * per_set[group(&r.set)] as f64);
        for c in &r.cands {
            xs.push(base(r, c));
            ys.push(c.label);
            ws.push(w);
        }
    }
    let ranker = Logistic::fit_weighted(&xs, &ys, &ws, L2, None);
    // The passage side: for each passage of each set, the commits that see it.
    let mut by_passage: BTreeMap<(&str, i64), Group> = BTreeMap::new();
    for r in rows {
        for c in &r.cands {
            by_passage.entry((r.set.as_str(), c.ids[0])).or_default().push((base(r, c), c.label));
        }
    }
    let groups: Vec<Group> = by_passage.into_values().collect();
    let passage_ranker = git_screenlink::score::logistic::fit_listwise(&groups, 1e-3, 60, 2.0);
    let feats = with_context(rows, &ranker, &passage_ranker, hook);
    // Calibration on every candidate, each group weighing the same.
    let (mut cx, mut cy, mut cw) = (Vec::new(), Vec::new(), Vec::new());
    for (r, fs) in rows.iter().zip(&feats) {
        for (i, f) in fs.iter().enumerate() {
            cx.push(decision_input(ranker.logit(&f[..BASE]), &masked(f, hook), hook));
            cy.push(r.cands[i].label);
            cw.push(total as f64 / (per_set.len() as f64 * per_set[group(&r.set)] as f64));
        }
    }
    let calibration = Logistic::fit_weighted(&cx, &cy, &cw, L2, None);
    // Platt scaling on what becomes a link (each set's greedy matches): a·logit + b, folded
    // into the calibration's weights.
    let logit = |f: &[f64], _: f64, _: f64| {
        let x = masked(f, hook);
        let l = calibration.logit(&decision_input(ranker.logit(&x[..BASE]), &x, hook));
        (l, l)
    };
    let (mut px, mut py, mut pw) = (Vec::new(), Vec::new(), Vec::new());
    let sets: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.set.as_str()).collect();
    for set in sets {
        let idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].set == set).collect();
        let sub: Vec<&Row> = idx.iter().map(|&i| rows[i]).collect();
        let sf: Vec<Vec<[f64; N]>> = idx.iter().map(|&i| feats[i].clone()).collect();
        let picked = if hook { oldest_first(&sub, &sf, &logit, f64::INFINITY) } else { greedy(&sub, &sf, &logit, f64::INFINITY) }.tops;
        let n_group = rows.iter().filter(|r| group(&r.set) == group(set)).count().max(1);
        for (l, y) in picked {
            px.push(vec![l]);
            py.push(y);
            pw.push(1000.0 / n_group as f64);
        }
    }
    let platt = Logistic::fit_weighted(&px, &py, &pw, 0.01, None);
    let a = platt.weights[0];
    let calibration = Logistic { weights: calibration.weights.iter().map(|w| w * a).collect(), bias: calibration.bias * a + platt.bias };
    Model { ranker, passage_ranker, calibration }
}

pub fn fit(files: &[String]) {
    let (rows, unseen): (Vec<Row>, Vec<Row>) = read_rows(files).into_iter().partition(|r| !is_unseen(&r.set));
    let shares = fit_modes(&rows, &unseen);
    super::over_time::hook_then_backfill(&rows, &unseen, &shares);
    if std::env::var_os("LINK_EVAL_ANSWERS").is_some() {
        super::answers::print(&rows, &unseen);
    }
    ranking_within_a_style(&rows);
}

/// How well the features can rank a world style's talk at all: for each seed, top-1 (and
/// P / R at the threshold) when the models are fitted on the *same* style's other seeds only,
/// beside the leave-one-group-out figures above, where the style was never seen.
fn ranking_within_a_style(rows: &[Row]) {
    let sets: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.set.as_str()).filter(|s| s.contains('#')).collect();
    println!("\n## fitted on the same style's other seeds only (backfill, threshold {THRESHOLD})\n");
    for s in sets {
        let train_rows: Vec<&Row> = rows.iter().filter(|r| group(&r.set) == group(s) && r.set != s).collect();
        if train_rows.is_empty() {
            continue;
        }
        let m = train(&train_rows, false);
        let test: Vec<&Row> = rows.iter().filter(|r| r.set == s).collect();
        let feats = with_context(&test, &m.ranker, &m.passage_ranker, false);
        println!("{}", line(&format!("{s} same style"), &greedy(&test, &feats, &scorer(&m, false, 0.0), THRESHOLD)));
    }
}

/// Sets named in `LINK_EVAL_UNSEEN` (comma-separated): never fitted on, not held out in turn,
/// judged only by the models fitted on every other set, as the shipped weights meet a new
/// repository (Oak and the Bears projects, which the shipped weights never saw).
fn is_unseen(set: &str) -> bool {
    static UNSEEN: std::sync::LazyLock<Vec<String>> =
        std::sync::LazyLock::new(|| std::env::var("LINK_EVAL_UNSEEN").unwrap_or_default().split(',').filter(|s| !s.is_empty()).map(String::from).collect());
    UNSEEN.iter().any(|u| u == set)
}

/// Every row of `files`, with the features the shipped weights leave out
/// (`features::SHIPPED_LEAVES_OUT`) at 0, and, for an ablation, feature `LINK_EVAL_ZERO=i` too.
fn read_rows(files: &[String]) -> Vec<Row> {
    let ablated: Option<usize> = std::env::var("LINK_EVAL_ZERO").ok().and_then(|v| v.parse().ok());
    // `LINK_EVAL_TRIAL=1`: the unused slot carries a trial feature written into the dumps.
    let trial = std::env::var_os("LINK_EVAL_TRIAL").is_some();
    let zero: Vec<usize> = SHIPPED_LEAVES_OUT.iter().copied().filter(|_| !trial).chain(ablated).collect();
    let mut rows: Vec<Row> =
        files.iter().flat_map(|f| std::fs::read_to_string(f).unwrap().lines().map(|l| serde_json::from_str::<Row>(l).unwrap()).collect::<Vec<_>>()).collect();
    for c in rows.iter_mut().flat_map(|r| r.cands.iter_mut()) {
        zero.iter().for_each(|&z| c.features[z] = 0.0);
    }
    rows
}

/// `rows` judged leave one group out in both modes, then the `unseen` sets by the models
/// fitted on every group; each set's backfill share, for the hook's prior.
fn fit_modes(rows: &[Row], unseen: &[Row]) -> Shares {
    let mut shares = Shares::new();
    let groups: Vec<&str> = rows.iter().map(|r| group(&r.set)).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let sets: Vec<&str> = rows.iter().map(|r| r.set.as_str()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    for hook in [false, true] {
        println!("\n## {} mode (model fitted on the other groups; threshold {THRESHOLD})\n", if hook { "hook" } else { "backfill" });
        println!("| set / method                 |  gold | pairs | precision | recall |    F1 | reach | top-1 | false | P same | R same |");
        println!("|------------------------------|-------|-------|-----------|--------|-------|-------|-------|-------|--------|--------|");
        let mut macro_fit = Vec::new();
        let mut macro_orph = Vec::new();
        let mut macro_guide = Vec::new();
        let mut macro_same: Vec<[f64; 4]> = Vec::new();
        let mut pooled = Figures::default();
        let mut pooled_real = Figures::default();
        let mut sweep: Vec<Vec<[f64; 3]>> = vec![Vec::new(); SWEEP.len()];
        for g in &groups {
            let train_rows: Vec<&Row> = rows.iter().filter(|r| group(&r.set) != *g).collect();
            let m = train(&train_rows, hook);
            for s in sets.iter().filter(|s| group(s) == *g) {
                let test: Vec<&Row> = rows.iter().filter(|r| r.set == *s).collect();
                // The hook's confidence moves by this repository's backfill share (backfill ran
                // first in this loop).
                let shift = if hook { prior_shift(s, &train_rows, &shares) } else { 0.0 };
                let score = scorer(&m, hook, shift);
                let feats = with_context(&test, &m.ranker, &m.passage_ranker, hook);
                // Backfill assigns best links first; the hook sees one commit at a time.
                let link = |t: f64| if hook { oldest_first(&test, &feats, &score, t) } else { greedy(&test, &feats, &score, t) };
                let fit = link(THRESHOLD).with_same_change(&test);
                if std::env::var_os("LINK_EVAL_CEILING").is_some() {
                    let z = link(0.0);
                    println!("CEILING {s} {} recall at 0: {:.3}", if hook { "hook" } else { "backfill" }, z.correct as f64 / z.gold.max(1) as f64);
                }
                if !hook {
                    // Links made (one talk per commit) over commits with a candidate, as
                    // backfill records them.
                    shares.insert(s.to_string(), fit.pairs as f64 / fit.tops.len().max(1) as f64);
                }
                if !hook && std::env::var("LINK_EVAL_EXPLAIN").is_ok_and(|v| v == *s) {
                    super::explain::explain(&test, &feats, &score, &fit);
                }
                if !s.starts_with("plain") && !s.starts_with("meeting") {
                    for (k, t) in SWEEP.iter().enumerate() {
                        sweep[k].push(link(*t).macro_row());
                    }
                }
                // The guide's formula links as the product does with it: oldest commit first.
                let gd = oldest_first_unshared(&test, &feats, &guide, 0.6).with_same_change(&test);
                println!("{}", line(&format!("{s} fitted"), &fit));
                println!("{}", line(&format!("{s} guide"), &gd));
                println!("    calibration {s}: {}", calibration(&fit));
                println!("    asking {s}: {}", super::figures::asking(&test, &fit));
                if s.ends_with("orph") {
                    macro_orph.push(fit.macro_row());
                } else if !s.starts_with("plain") && !s.starts_with("meeting") {
                    macro_fit.push(fit.macro_row());
                    macro_guide.push(gd.macro_row());
                    let p_same = |f: &Figures| f.precision_for_macro(f.precision_same_change());
                    macro_same.push([p_same(&fit), fit.recall_same_change(), p_same(&gd), gd.recall_same_change()]);
                }
                if !s.starts_with("plain") && !s.starts_with("meeting") {
                    pooled_real.tops.extend(fit.tops.iter().copied());
                    pooled_real.tops_same_change.extend(fit.tops_same_change.iter().copied());
                }
                pooled.tops_same_change.extend(fit.tops_same_change.iter().copied());
                pooled.tops.extend(fit.tops);
            }
        }
        for (label, m) in [
            ("realtext macro fitted", &macro_fit),
            ("realtext macro guide", &macro_guide),
            ("realtext less half its fixes, held out with its project, macro fitted", &macro_orph),
        ] {
            if !m.is_empty() {
                let [p, r, f] = mean(m);
                println!("{label}: precision {p:.3} recall {r:.3} F1 {f:.3}{}", undefined(m));
            }
        }
        let [a, b, c, d] = mean(&macro_same);
        println!(
            "realtext macro, a link to the talk of a commit making the same change counted right: fitted precision {a:.3} recall {b:.3}; guide {c:.3} {d:.3}"
        );
        if !hook {
            let real: Vec<&str> = sets.iter().copied().filter(|s| !s.starts_with("plain") && !s.starts_with("meeting")).collect();
            super::bound::print(rows, &real);
        }
        println!("calibration, every held-out set pooled: {}", calibration(&pooled));
        println!("calibration, realtext's held-out sets pooled: {}", calibration(&pooled_real));
        // The gold names one fix per report: a fix's follow-up that links the report is wrong
        // by it. Counted right, how much of the calibration's gap is the gold's choice.
        println!("calibration, every held-out set pooled, same change counted right: {}", calibration_of(&pooled.tops_same_change));
        println!("calibration, realtext's held-out sets pooled, same change counted right: {}", calibration_of(&pooled_real.tops_same_change));
        for (t, m) in SWEEP.iter().zip(&sweep) {
            let [p, r, f] = mean(m);
            println!("realtext macro at threshold {t}: precision {p:.3} recall {r:.3} F1 {f:.3}{}", undefined(m));
        }
        let all: Vec<&Row> = rows.iter().collect();
        let m = train(&all, hook);
        super::unseen::judge(unseen, &m, &all, hook, &mut shares);
        println!("\nweights fitted on every set ({} mode):", if hook { "hook" } else { "backfill" });
        let w: Vec<String> = m.ranker.weights.iter().map(|w| format!("{w:.4}")).collect();
        let c: Vec<String> = m.calibration.weights.iter().map(|w| format!("{w:.4}")).collect();
        let pr: Vec<String> = m.passage_ranker.weights.iter().map(|w| format!("{w:.4}")).collect();
        if !hook {
            println!("pub const PASSAGE_RANKER: [f64; BASE] = [{}];", pr.join(", "));
        }
        println!(
            "pub const {}: Weights = (\n    [{}],\n    {:.4},\n    [{}],\n    {:.4},\n);",
            if hook { "HOOK" } else { "BACKFILL" },
            w.join(", "),
            m.ranker.bias,
            c.join(", "),
            m.calibration.bias
        );
        if hook {
            // The fitted sets' shares only: an unseen set's share is its own hook's prior, not
            // part of what ships.
            let each: Vec<String> = sets.iter().map(|s| format!("{s} {:.3}", shares[*s])).collect();
            println!("backfill shares (held out): {}", each.join(", "));
            println!("pub const HOOK_PRIOR_LOG_ODDS: f64 = {:.4};", groups_mean(sets.iter().copied(), &shares));
        }
        for (n, w) in NAMES.iter().zip(&m.ranker.weights) {
            println!("  {n:<24} {w:>8.4}");
        }
    }
    shares
}
