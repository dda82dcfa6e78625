//! Talk already linked, and to what: one discussion motivates one piece of work. A piece of
//! work is usually one commit, but a fix and its follow-up, or a patch on a branch and its
//! merge to trunk, name the same issue (`WICKET-2181`, `#123`), and a change committed to two
//! branches adds the same code ([`crate::commits::CommitInfo::work`]): talk linked to one of
//! them may be linked to the others too, and to no other commit.
//!
//! Measured held out on the realtext dumps (`link_eval fit`; `LINK_EVAL_SHARE=0` replays one
//! commit per talk): docs/link-quality.md, "Talk shared by the commits of one issue".

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The pieces of work of one commit ([`crate::commits::CommitInfo::work`]).
pub type Work = Arc<BTreeSet<String>>;

/// Transcription rows already linked, each with the work of every commit it went to.
#[derive(Debug, Default, Clone)]
pub struct Claimed {
    rows: HashMap<i64, Vec<Work>>,
}

impl Claimed {
    /// `ids` go to a commit of `work`.
    pub fn claim(&mut self, ids: &[i64], work: &Work) {
        for id in ids {
            self.rows.entry(*id).or_default().push(work.clone());
        }
    }

    pub fn contains(&self, id: i64) -> bool {
        self.rows.contains_key(&id)
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows of `ids` a commit of `work` may not take.
    pub fn taken(&self, ids: &[i64], work: &BTreeSet<String>) -> Vec<i64> {
        ids.iter().copied().filter(|id| self.bars(*id, work)).collect()
    }

    /// Whether a commit of `work` may take every row of `ids`.
    pub fn free_for(&self, ids: &[i64], work: &BTreeSet<String>) -> bool {
        !ids.iter().any(|id| self.bars(*id, work))
    }

    /// Row `id` went to a commit that shares none of `work`.
    fn bars(&self, id: i64, work: &BTreeSet<String>) -> bool {
        self.rows.get(&id).is_some_and(|by| by.iter().any(|o| o.is_disjoint(work)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issues(keys: &[&str]) -> Work {
        Arc::new(keys.iter().map(|k| k.to_string()).collect())
    }

    #[test]
    fn talk_is_shared_only_by_commits_of_one_issue() {
        let mut c = Claimed::default();
        c.claim(&[1], &issues(&[]));
        c.claim(&[2, 3], &issues(&["OAK-1"]));
        assert!(!c.free_for(&[1], &issues(&["OAK-1"])), "a row of a commit naming no issue is its alone");
        assert!(c.free_for(&[2, 3, 4], &issues(&["OAK-1", "OAK-2"])));
        assert!(!c.free_for(&[3], &issues(&["OAK-2"])));
        assert!(!c.free_for(&[3], &issues(&[])));
        assert_eq!(c.taken(&[1, 2, 4], &issues(&["OAK-1"])), [1]);
        // Shared once, a row is free only to commits that share an issue with each of its commits.
        c.claim(&[3], &issues(&["OAK-1", "OAK-2"]));
        assert!(!c.free_for(&[3], &issues(&["OAK-2"])));
        assert!(c.free_for(&[3], &issues(&["OAK-1"])));
    }
}
