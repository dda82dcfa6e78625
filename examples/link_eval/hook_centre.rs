//! The hook's centred cosine as a repository that only ever ran the hook would have it: each
//! commit, in time order, read against the centre its earlier commits left (`score::centre`'s
//! own merge, as `talk-level.json` keeps it), and none until that centre is over enough
//! commits. The dump's `semantic_centred` is read against the whole run's centre, which is
//! backfill's view; the judge's hook mode reads these instead.

use git_screenlink::candidates::Passage;
use git_screenlink::commits::CommitInfo;
use git_screenlink::link::{self, CommitLinks};
use git_screenlink::score::centre::Centre;
use git_screenlink::score::semantic::Semantic;

/// Per link (in `links`' order): the hook's centred cosine of each candidate, or `None` where
/// the hook had no centre yet.
pub fn past_only(commits: &[CommitInfo], links: &[CommitLinks], passages: &[Passage], semantic: &mut Semantic) -> Vec<Option<Vec<f64>>> {
    let mut order: Vec<usize> = (0..links.len()).collect();
    order.sort_by_key(|&i| (commits[links[i].commit].committer_time, commits[links[i].commit].sha.clone()));
    let mut out = vec![None; links.len()];
    let mut centre: Option<Centre> = None;
    for i in order {
        let l = &links[i];
        if l.candidates.is_empty() {
            continue;
        }
        let text = semantic.sized_all(&[link::commit_text(&commits[l.commit], &l.crates)]).pop().unwrap_or_default();
        let ptexts: Vec<String> = l.candidates.iter().map(|s| passages[s.passage].model_text()).collect();
        out[i] = centre.as_ref().filter(|c| c.enough()).map(|c| ptexts.iter().map(|p| semantic.similarity_centred(&text, p, c)).collect());
        let own: Vec<Vec<f32>> = semantic.vector(&text).into_iter().collect();
        let seen: Vec<Vec<f32>> = ptexts.iter().filter_map(|p| semantic.vector(p)).collect();
        if let Some(run) = Centre::measure(&own, &seen) {
            Centre::absorb(&mut centre, run);
        }
    }
    out
}
