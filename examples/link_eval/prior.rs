//! The hook's prior in the judge (`score::history::History::prior`, `fitted::hook_prior_shift`):
//! each set's backfill share, and the shift a held-out set's hook gets from it; and the hook's
//! recalibration on what backfill said (`score::recalibration`), which replaces the shift once
//! enough commits are known.

use std::collections::BTreeMap;

use git_screenlink::score::history::{prior_log_odds, HISTORY_LEN};
use git_screenlink::score::recalibration::{HookView, Recalibration};

use super::judge::group;
use super::Row;

/// Each set's share of commits backfill (fitted on the other groups) links, of those with a
/// candidate: what `score::history` remembers of a repository's backfill.
pub type Shares = BTreeMap<String, f64>;

/// The hook's log-odds shift for `test` (`history::History::prior`): its backfill share's
/// log-odds less the mean over the training groups of theirs (each group weighing the same,
/// as in the fit). `LINK_EVAL_NO_PRIOR` turns it off, to compare.
pub fn prior_shift(test: &str, train_rows: &[&Row], shares: &Shares) -> f64 {
    if std::env::var_os("LINK_EVAL_NO_PRIOR").is_some() {
        return 0.0;
    }
    let sets: std::collections::BTreeSet<&str> = train_rows.iter().map(|r| r.set.as_str()).collect();
    prior_log_odds(shares[test]) - groups_mean(sets, shares)
}

/// The mean over the groups of `sets` of each group's mean backfill-share log-odds.
pub fn groups_mean<'a>(sets: impl IntoIterator<Item = &'a str>, shares: &Shares) -> f64 {
    let mut per_group: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for s in sets {
        per_group.entry(group(s)).or_default().push(prior_log_odds(shares[s]));
    }
    per_group.values().map(|v| v.iter().sum::<f64>() / v.len() as f64).sum::<f64>() / per_group.len().max(1) as f64
}

/// The hook's recalibration for each row as the product makes it (`score::recalibration`):
/// fitted on the views of up to [`HISTORY_LEN`] commits before it that have a candidate,
/// backfill's confidence in the passage the hook ranks first as the soft label; until enough
/// are known, the prior `shift`. Backfill here sees the whole set, as a backfill run before
/// the hook's commits would see the history.
pub fn recalibrations(test: &[&Row], hook: &dyn Fn(usize, usize) -> (f64, f64), later: &dyn Fn(usize, usize) -> f64, shift: f64) -> Vec<Recalibration> {
    let mut order: Vec<usize> = (0..test.len()).filter(|&i| !test[i].cands.is_empty()).collect();
    order.sort_by_key(|&i| (test[i].time, test[i].sha.clone()));
    let mut out = vec![Recalibration::shifted(shift); test.len()];
    let mut views: Vec<HookView> = Vec::new();
    for ri in order {
        let start = views.len().saturating_sub(HISTORY_LEN);
        if let Some(r) = Recalibration::fit(&views[start..]) {
            out[ri] = r;
        }
        // `hook(ri, ci)`: the hook's (rank, calibration log-odds) of a candidate.
        let (ci, (_, logit)) =
            (0..test[ri].cands.len()).map(|ci| (ci, hook(ri, ci))).max_by(|a, b| a.1 .0.total_cmp(&b.1 .0)).expect("rows with candidates only");
        views.push(HookView { logit, later: later(ri, ci) });
    }
    out
}
