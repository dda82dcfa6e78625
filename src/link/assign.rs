//! One talk per commit: which commit a passage goes to when several could take it. Commits
//! of one piece of work (one issue, or one change committed twice) share talk ([`Claimed`]).

use super::CommitLinks;
use crate::candidates::Passage;
use crate::claimed::Claimed;
use crate::commits::CommitInfo;

/// One talk per commit, one commit (or one piece of work's commits, [`CommitLinks::work`]) per
/// talk, best links first (backfill, fitted scoring): every (commit, passage) candidate in
/// order of confidence; a commit takes the first that is still free to it, and a passage taken
/// at or above `min_confidence` is claimed. A report is then linked to the commit that fits it best, not to the first commit after it. On the
/// held-out realtext projects this raised recall at the same precision (see
/// `examples/link_eval.rs`). Each commit's candidates end up with its pick first.
pub(super) fn best_first(links: &mut [CommitLinks], passages: &[Passage], min_confidence: f64, claimed: &Claimed) {
    let mut claimed = claimed.clone();
    let mut all: Vec<(f64, usize, usize)> = Vec::new();
    for (li, l) in links.iter().enumerate() {
        for (ci, s) in l.candidates.iter().enumerate() {
            all.push((s.confidence, li, ci));
        }
    }
    all.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut pick: Vec<Option<usize>> = vec![None; links.len()];
    for (conf, li, ci) in all {
        if pick[li].is_some() {
            continue;
        }
        let ids = passages[links[li].candidates[ci].passage].ids();
        if !claimed.free_for(&ids, &links[li].work) {
            continue;
        }
        pick[li] = Some(ci);
        if conf >= min_confidence {
            claimed.claim(&ids, &links[li].work);
        }
    }
    for (l, p) in links.iter_mut().zip(pick) {
        let chosen = p.map(|ci| l.candidates[ci].passage);
        let own = &l.work;
        l.candidates.retain(|s| Some(s.passage) == chosen || claimed.free_for(&passages[s.passage].ids(), own));
        if let Some(ci) = chosen.and_then(|c| l.candidates.iter().position(|s| s.passage == c)) {
            let best = l.candidates.remove(ci);
            l.candidates.insert(0, best);
        }
    }
}

/// Commits oldest first, each taking its best candidate still free to it; a link at or above
/// `min_confidence` claims its passage's rows (the hook's way: it sees only the past, and the
/// guide's, whose commits have no work to share and so keep one commit per talk as the seed
/// guide has it). Candidates claimed by an earlier commit of other work are dropped.
pub(super) fn oldest_first(links: &mut [CommitLinks], commits: &[CommitInfo], passages: &[Passage], min_confidence: f64, claimed: &Claimed) {
    let mut claimed = claimed.clone();
    let mut order: Vec<usize> = (0..links.len()).collect();
    order.sort_by_key(|&i| (commits[links[i].commit].committer_time, i));
    for i in order {
        let l = &mut links[i];
        l.candidates.retain(|s| claimed.free_for(&passages[s.passage].ids(), &l.work));
        if let Some(best) = l.candidates.first().filter(|b| b.confidence >= min_confidence) {
            claimed.claim(&passages[best.passage].ids(), &l.work);
        }
    }
}
