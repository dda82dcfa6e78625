//! What kind of talk this repository's commits meet, remembered between runs: the best
//! candidate's cosine of each commit recently scored (hook, review, backfill), so the hook (one commit at a time)
//! can judge a cosine against this user's talk as backfill does against its run (the
//! `talk_level` feature).
//!
//! It also remembers which commits backfill and review (which see the commits after a
//! passage) linked, so the hook can tell how many of this repository's commits talk
//! motivates ([`History::prior`]): in a bug tracker's project few are, in a team that
//! talks through its work most are, and the hook alone cannot tell the two apart.
//!
//! A derived value, not the user's data: a missing or unreadable file means "not known yet"
//! (the neutral level), and a lost write costs one commit's value.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::centre::Centre;
use super::features::median_level;
use super::recalibration::{HookView, Recalibration};
use crate::error::Result;

pub const HISTORY_FILE: &str = "talk-level.json";

/// Commits remembered: the level follows the talk as it changes over weeks.
pub const HISTORY_LEN: usize = 100;

/// One scored commit: when it was made and its best candidate's cosine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    pub sha: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
    pub best_cosine: f64,
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join(HISTORY_FILE)
}

/// One commit backfill or review scored: whether its best candidate reached the threshold,
/// and what the hook would have said of it (files from before this was kept lack it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judged {
    pub sha: String,
    pub time: i64,
    pub linked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hook: Option<HookView>,
}

/// What backfill or review says of a commit it scored ([`History::record_judged`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub linked: bool,
    pub hook: Option<HookView>,
}

impl From<bool> for Verdict {
    fn from(linked: bool) -> Verdict {
        Verdict { linked, hook: None }
    }
}

/// The remembered commits of one repository, read once per run; the file holds it as JSON.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct History {
    recent: Vec<Seen>,
    /// Kept apart from `recent`: the hook's own commits must not push them out (nor judge
    /// themselves: a hook that linked little would then link less).
    #[serde(default)]
    judged: Vec<Judged>,
    /// The centre of the commits and talk scored here ([`super::centre`]), for the hook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    centre: Option<Centre>,
    /// The centre moved since the file was read.
    #[serde(skip)]
    centre_moved: bool,
}

/// A share's log-odds, kept within [2 %, 98 %] so a run that linked all or nothing does not
/// move the hook without bound.
pub fn prior_log_odds(share: f64) -> f64 {
    let p = share.clamp(0.02, 0.98);
    (p / (1.0 - p)).ln()
}

impl History {
    /// What `dir` remembers (nothing, for a missing or unreadable file).
    pub fn load(dir: &Path) -> History {
        std::fs::read_to_string(path(dir)).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
    }

    /// The talk level the hook scores with: the median of the remembered commits' best
    /// cosines, or [`super::features::TALK_LEVEL_NEUTRAL`] while fewer than
    /// `TALK_LEVEL_MIN_COMMITS` are remembered.
    pub fn level(&self) -> f64 {
        median_level(self.recent.iter().map(|s| s.best_cosine).collect())
    }

    /// The share of the commits backfill and review scored here whose best candidate
    /// reached the threshold; `None` while fewer than `TALK_LEVEL_MIN_COMMITS` are known.
    pub fn prior(&self) -> Option<f64> {
        (self.judged.len() >= super::features::TALK_LEVEL_MIN_COMMITS)
            .then(|| self.judged.iter().filter(|j| j.linked).count() as f64 / self.judged.len() as f64)
    }

    /// The hook's recalibration on the commits backfill and review scored here
    /// ([`Recalibration::fit`]); `None` while too few carry a hook view.
    pub fn hook_recalibration(&self) -> Option<Recalibration> {
        Recalibration::fit(&self.hook_views())
    }

    /// The hook views of the judged commits.
    pub fn hook_views(&self) -> Vec<HookView> {
        self.judged.iter().filter_map(|j| j.hook).collect()
    }

    /// The remembered centre, once it is over enough commits to use.
    pub fn centre(&self) -> Option<Centre> {
        self.centre.clone().filter(Centre::enough)
    }

    /// Merge a run's centre into the remembered one (written by the next record).
    pub fn observe_centre(&mut self, run: Option<Centre>) {
        if let Some(run) = run {
            Centre::absorb(&mut self.centre, run);
            self.centre_moved = true;
        }
    }

    /// How many commits are remembered.
    pub fn len(&self) -> usize {
        self.recent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recent.is_empty()
    }

    /// Remember `seen` (a commit seen again replaces its old value), keep the newest
    /// [`HISTORY_LEN`] by commit time, and write them to `dir`. The file is replaced by a
    /// rename, without fsync: it runs inside every commit, and a write lost to a crash costs
    /// values, not data.
    pub fn record(&mut self, dir: &Path, seen: impl IntoIterator<Item = Seen>) -> Result<()> {
        self.record_judged(dir, seen.into_iter().map(|s| (s, None::<Verdict>)))
    }

    /// [`record`](Self::record), and for each commit scored beside the commits after it
    /// (backfill, review), whether its best candidate reached the threshold and what the hook
    /// would have said of it ([`Verdict`]; a plain `bool` for the first alone).
    pub fn record_judged<V: Into<Verdict>>(&mut self, dir: &Path, seen: impl IntoIterator<Item = (Seen, Option<V>)>) -> Result<()> {
        let before = (self.recent.clone(), self.judged.clone());
        for (s, verdict) in seen.into_iter().filter(|(s, _)| s.best_cosine.is_finite()) {
            if let Some(Verdict { linked, hook }) = verdict.map(Into::into) {
                self.judged.retain(|r| r.sha != s.sha);
                self.judged.push(Judged { sha: s.sha.clone(), time: s.time, linked, hook });
            }
            self.recent.retain(|r| r.sha != s.sha);
            self.recent.push(s);
        }
        if (&self.recent, &self.judged) == (&before.0, &before.1) && !self.centre_moved {
            return Ok(());
        }
        self.recent.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.sha.cmp(&b.sha)));
        let drop = self.recent.len().saturating_sub(HISTORY_LEN);
        self.recent.drain(..drop);
        self.judged.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.sha.cmp(&b.sha)));
        let drop = self.judged.len().saturating_sub(HISTORY_LEN);
        self.judged.drain(..drop);
        let text = serde_json::to_string(&self).expect("plain data serialises");
        let io = |e: std::io::Error| crate::error::Error::io(format!("writing {}", path(dir).display()), e);
        crate::fsutil::create_private_dir(dir).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(io)?;
        crate::fsutil::make_private(tmp.path()).map_err(io)?;
        tmp.persist(path(dir)).map_err(|e| io(e.error))?;
        self.centre_moved = false;
        Ok(())
    }
}

/// [`History::level`] of what `dir` remembers.
pub fn level(dir: &Path) -> f64 {
    History::load(dir).level()
}

/// Remember `seen` in `dir` ([`History::record`]).
pub fn record(dir: &Path, seen: impl IntoIterator<Item = Seen>) -> Result<()> {
    History::load(dir).record(dir, seen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::features::{TALK_LEVEL_MIN_COMMITS, TALK_LEVEL_NEUTRAL};

    fn seen(k: usize, cos: f64) -> Seen {
        Seen { sha: format!("{k:040x}"), time: 1_700_000_000 + k as i64 * 60, best_cosine: cos }
    }

    #[test]
    fn the_level_is_neutral_until_enough_commits_are_remembered() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(level(dir.path()), TALK_LEVEL_NEUTRAL, "no file");
        record(dir.path(), (0..TALK_LEVEL_MIN_COMMITS - 1).map(|k| seen(k, 0.2))).unwrap();
        assert_eq!(level(dir.path()), TALK_LEVEL_NEUTRAL, "too few");
        record(dir.path(), [seen(99, 0.3)]).unwrap();
        assert!((level(dir.path()) - 0.2).abs() < 1e-12, "20 remembered: their median");
        std::fs::write(path(dir.path()), "{not json").unwrap();
        assert_eq!(level(dir.path()), TALK_LEVEL_NEUTRAL, "an unreadable file is not known yet");
    }

    #[test]
    fn the_newest_commits_are_kept_and_a_commit_counts_once() {
        let dir = tempfile::tempdir().unwrap();
        // 150 commits: the oldest 50 say 0.9, the newest 100 say 0.3 (one of them twice).
        record(dir.path(), (0..150).map(|k| seen(k, if k < 50 { 0.9 } else { 0.3 }))).unwrap();
        record(dir.path(), [seen(120, 0.3)]).unwrap();
        let kept = History::load(dir.path()).recent;
        assert_eq!(kept.len(), HISTORY_LEN);
        assert_eq!(kept.first().unwrap().sha, seen(50, 0.0).sha);
        assert!((level(dir.path()) - 0.3).abs() < 1e-12);
        // A commit seen again (an amend's sha is new; a re-run's is not) replaces its value.
        record(dir.path(), (50..150).map(|k| seen(k, 0.5))).unwrap();
        assert!((level(dir.path()) - 0.5).abs() < 1e-12);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path())).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "owner-only, like the dataset");
        }
    }

    #[test]
    fn the_prior_is_what_backfill_and_review_linked_and_the_hook_does_not_move_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut h = History::load(dir.path());
        // 19 judged commits: not known yet.
        h.record_judged(dir.path(), (0..19).map(|k| (seen(k, 0.4), Some(k % 4 == 0)))).unwrap();
        assert_eq!(History::load(dir.path()).prior(), None);
        // 40 judged, 10 of them linked: a quarter.
        h.record_judged(dir.path(), (19..40).map(|k| (seen(k, 0.4), Some(k % 4 == 0)))).unwrap();
        assert_eq!(History::load(dir.path()).prior(), Some(0.25));
        // 150 newer hook commits fill the talk level's history but are not judged: the
        // prior keeps backfill's 40 (the hook judging itself would feed on its own output).
        let mut h = History::load(dir.path());
        h.record(dir.path(), (1000..1150).map(|k| seen(k, 0.6))).unwrap();
        let h = History::load(dir.path());
        assert_eq!(h.prior(), Some(0.25));
        assert!((h.level() - 0.6).abs() < 1e-12, "the level follows the newest commits");
        // A commit judged again (a second backfill) counts once, with its new answer.
        let mut h = History::load(dir.path());
        h.record_judged(dir.path(), (0..40).map(|k| (seen(k, 0.4), Some(k < 30)))).unwrap();
        assert_eq!(History::load(dir.path()).prior(), Some(0.75));
        // The file a version without the prior wrote still reads (no `judged`).
        std::fs::write(path(dir.path()), r#"{"recent":[]}"#).unwrap();
        assert_eq!(History::load(dir.path()).prior(), None);
    }

    #[test]
    fn hook_views_are_kept_with_their_verdicts_and_recalibrate_the_hook_once_enough() {
        let dir = tempfile::tempdir().unwrap();
        let verdict = |k: usize| Verdict { linked: k.is_multiple_of(2), hook: Some(HookView { logit: k as f64 / 8.0 - 2.5, later: 0.875 }) };
        let mut h = History::load(dir.path());
        h.record_judged(dir.path(), (0..19).map(|k| (seen(k, 0.4), Some(verdict(k))))).unwrap();
        assert_eq!(History::load(dir.path()).hook_recalibration(), None, "19 views: too few");
        // Judged commits without a view (an older version's) count for the prior only.
        h.record_judged(dir.path(), (100..130).map(|k| (seen(k, 0.4), Some(true)))).unwrap();
        let h2 = History::load(dir.path());
        assert_eq!((h2.hook_views().len(), h2.hook_recalibration()), (19, None));
        h.record_judged(dir.path(), [(seen(19, 0.4), Some(verdict(19)))]).unwrap();
        let h = History::load(dir.path());
        assert_eq!(h.hook_views(), (0..20).map(|k| verdict(k).hook.unwrap()).collect::<Vec<_>>(), "read back as written");
        let r = h.hook_recalibration().expect("20 views");
        // Backfill was sure (0.875) where the hook said 0.08 to 0.48: the hook is raised.
        assert!(r.apply(-1.0) > -1.0 + 1.0, "{r:?}");
        assert_eq!(h.prior(), Some(40.0 / 50.0));
    }
    #[test]
    fn the_centre_is_remembered_once_over_enough_commits_and_follows_new_runs() {
        let dir = tempfile::tempdir().unwrap();
        let run = |commits: usize, x: f32| Centre { commit: vec![x, 0.0], commits, passage: vec![0.0, x], passages: 2 * commits };
        let mut h = History::load(dir.path());
        // A hook's one commit: remembered, but too few to use.
        h.observe_centre(Some(run(1, 1.0)));
        h.record(dir.path(), [seen(0, 0.4)]).unwrap();
        let h2 = History::load(dir.path());
        assert_eq!((h2.centre.as_ref().map(|c| c.commits), h2.centre()), (Some(1), None));
        // A backfill block of 39 more: 40 commits, each run weighing its count.
        let mut h = h2;
        h.observe_centre(Some(run(39, 0.0)));
        h.record(dir.path(), [seen(0, 0.4)]).unwrap();
        let c = History::load(dir.path()).centre().expect("40 commits");
        assert_eq!((c.commits, c.passages, c.commit[0], c.passage[1]), (40, 80, 0.025, 0.025));
        // Nothing new (no run, the same commit again): the file is not written.
        let mut h = History::load(dir.path());
        std::fs::remove_file(path(dir.path())).unwrap();
        h.record(dir.path(), [seen(0, 0.4)]).unwrap();
        assert!(!path(dir.path()).exists());
    }
}
