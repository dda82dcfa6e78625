//! Whether a passage sounds like the talk that motivated commits like this one.
//!
//! A team names its work its own way: "stripe charges" for `src/billing.rs`, "the browser
//! freezes" for a page size. A cosine between a commit and a passage cannot know that, but a
//! run over a history can: the commits that resemble this one (by their text: files, names,
//! message) were each motivated by some talk, and talk like theirs is what motivated this
//! one. Backfill sees every commit of a block, so for each commit it takes the
//! [`NEIGHBOURS`] most similar commits whose link is plain (mutual best by cosine: the
//! passage is the commit's most similar, and the commit the passage's), builds the weighted
//! mean of their passages' vectors, and asks how close each candidate is to it, against the
//! commit's other candidates. Nothing here is fitted; the weight it gets is the ranker's and
//! the calibration's (`tools/fit_linker.sh`). The hook sees one commit and leaves it at 0.

use std::collections::HashMap;

use super::cosine;

/// How many similar commits' talk a commit's profile is made of. Two values were measured
/// held out (docs/link-quality.md, "Talk of like commits"): 5 and 12; 12 lost nothing on real reports.
pub const NEIGHBOURS: usize = 12;

/// One commit as this measure sees it: its text's vector (`None`: not embedded), and its
/// candidates as (passage, cosine with the commit).
pub struct Commit<'a> {
    pub vector: Option<&'a [f32]>,
    pub candidates: Vec<(usize, f64)>,
}

/// For each commit, for each of its candidates: the cosine of the passage with the talk of
/// like commits, minus its mean over the commit's candidates (0 where no commit is like it).
/// `passages`: every candidate passage's vector.
pub fn like_commits(commits: &[Commit<'_>], passages: &HashMap<usize, Vec<f32>>) -> Vec<Vec<f64>> {
    let seeds = plain_links(commits);
    let indexed: Vec<usize> = (0..commits.len()).collect();
    crate::par::par_map(&indexed, |&c| {
        let cands = &commits[c].candidates;
        let Some(v) = commits[c].vector.filter(|_| !cands.is_empty()) else { return vec![0.0; cands.len()] };
        // The seeds nearest this commit, most similar first: as many as a candidate can use
        // with its own passage left out (seeds' passages differ, so one at most, and the
        // order is total).
        let mut near: Vec<(f32, usize)> = seeds.iter().filter(|(s, _)| *s != c).filter_map(|(s, p)| Some((cosine(v, commits[*s].vector?), *p))).collect();
        let nearer = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        let keep = NEIGHBOURS + 1;
        if near.len() > keep {
            near.select_nth_unstable_by(keep, nearer);
            near.truncate(keep);
        }
        near.sort_by(nearer);
        let values: Vec<f64> = cands
            .iter()
            .map(|(p, _)| {
                let Some(pv) = passages.get(p) else { return 0.0 };
                // A like commit's own passage says nothing of whether it is this one's too.
                let mut profile = vec![0f32; pv.len()];
                for (w, sp) in near.iter().filter(|(_, sp)| sp != p).take(NEIGHBOURS) {
                    if let Some(sv) = passages.get(sp) {
                        profile.iter_mut().zip(sv.iter()).for_each(|(a, b)| *a += w.max(0.0) * b);
                    }
                }
                f64::from(cosine(pv, &profile).max(0.0))
            })
            .collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        values.iter().map(|x| x - mean).collect()
    })
}

/// The (commit, passage) links that need no model: the passage is the commit's most similar
/// candidate and the commit is the passage's most similar commit.
fn plain_links(commits: &[Commit<'_>]) -> Vec<(usize, usize)> {
    let mut best_commit: HashMap<usize, (usize, f64)> = HashMap::new();
    for (c, commit) in commits.iter().enumerate() {
        for &(p, s) in &commit.candidates {
            let e = best_commit.entry(p).or_insert((c, s));
            if s > e.1 {
                *e = (c, s);
            }
        }
    }
    commits
        .iter()
        .enumerate()
        .filter(|(_, commit)| commit.vector.is_some())
        .filter_map(|(c, commit)| {
            let best = commit.candidates.iter().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
            (best_commit[&best.0].0 == c).then_some((c, best.0))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Commits 0 and 1 change billing and were each plainly linked to billing talk (passages
    /// 10, 11); commit 2 changes search (passage 12). Commit 3 changes billing and its two
    /// candidates are equally close to it: passage 13, billing talk in other words, and
    /// passage 14, talk about search.
    #[test]
    fn talk_like_that_of_like_commits_leads() {
        let billing: &[f32] = &[1.0, 0.0, 0.0, 0.1];
        let search: &[f32] = &[0.0, 1.0, 0.0, 0.1];
        let (billing_talk, billing_talk2, search_talk): (&[f32], &[f32], &[f32]) = (&[0.9, 0.1, 0.4, 0.0], &[0.8, 0.0, 0.5, 0.0], &[0.0, 0.9, 0.4, 0.0]);
        let commits = vec![
            Commit { vector: Some(billing), candidates: vec![(10, 0.8)] },
            Commit { vector: Some(billing), candidates: vec![(11, 0.8)] },
            Commit { vector: Some(search), candidates: vec![(12, 0.8)] },
            Commit { vector: Some(billing), candidates: vec![(13, 0.5), (14, 0.5)] },
        ];
        let passages: HashMap<usize, Vec<f32>> = [(10, billing_talk), (11, billing_talk2), (12, search_talk), (13, billing_talk2), (14, search_talk)]
            .into_iter()
            .map(|(p, v)| (p, v.to_vec()))
            .collect();
        let v = like_commits(&commits, &passages);
        assert!(v[3][0] > 0.1 && (v[3][0] + v[3][1]).abs() < 1e-9, "billing talk leads, against the mean: {:?}", v[3]);
        assert_eq!(v[0], [0.0], "a lone candidate leads nothing");
    }

    /// A passage that a like commit linked plainly earns nothing from that commit: it is
    /// left out of the profile it is measured against. (The same change made twice, each time
    /// after its own talk: the second commit's own talk leads, not the first's.)
    #[test]
    fn a_like_commits_own_passage_is_not_its_profile() {
        let code: &[f32] = &[1.0, 0.0];
        let (talk, other): (&[f32], &[f32]) = (&[1.0, 0.0], &[0.6, 0.8]);
        let commits = vec![Commit { vector: Some(code), candidates: vec![(1, 0.9)] }, Commit { vector: Some(code), candidates: vec![(1, 0.5), (2, 0.4)] }];
        let passages: HashMap<usize, Vec<f32>> = [(1, talk.to_vec()), (2, other.to_vec())].into_iter().collect();
        let v = like_commits(&commits, &passages);
        assert!((v[1][0] + 0.3).abs() < 1e-6 && (v[1][1] - 0.3).abs() < 1e-6, "passage 1 is measured against no profile: {:?}", v[1]);
        // Not embedded: nothing to compare.
        let none = vec![Commit { vector: None, candidates: vec![(1, 0.5), (2, 0.4)] }];
        assert_eq!(like_commits(&none, &passages), [[0.0, 0.0]]);
    }

    #[test]
    fn plain_links_are_mutual_best() {
        let code: &[f32] = &[1.0];
        let commits = vec![
            Commit { vector: Some(code), candidates: vec![(1, 0.9), (2, 0.3)] },
            Commit { vector: Some(code), candidates: vec![(1, 0.95), (2, 0.2)] },
            Commit { vector: Some(code), candidates: vec![(3, 0.4)] },
        ];
        assert_eq!(plain_links(&commits), [(1, 1), (2, 3)], "passage 1 is commit 1's, so commit 0 has no plain link");
    }
}
