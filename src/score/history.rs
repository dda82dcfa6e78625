//! What kind of talk this repository's commits meet, remembered between runs: the best
//! candidate's cosine of each commit recently scored (hook, review, backfill), so the hook (one commit at a time)
//! can judge a cosine against this user's talk as backfill does against its run (the
//! `talk_level` feature).
//!
//! A derived value, not the user's data: a missing or unreadable file means "not known yet"
//! (the neutral level), and a lost write costs one commit's value.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::features::median_level;
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

/// The remembered commits of one repository, read once per run; the file holds it as JSON.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct History {
    recent: Vec<Seen>,
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
        let before = self.recent.clone();
        for s in seen.into_iter().filter(|s| s.best_cosine.is_finite()) {
            self.recent.retain(|r| r.sha != s.sha);
            self.recent.push(s);
        }
        if self.recent == before {
            return Ok(());
        }
        self.recent.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.sha.cmp(&b.sha)));
        let drop = self.recent.len().saturating_sub(HISTORY_LEN);
        self.recent.drain(..drop);
        let text = serde_json::to_string(&self).expect("plain data serialises");
        let io = |e: std::io::Error| crate::error::Error::io(format!("writing {}", path(dir).display()), e);
        crate::fsutil::create_private_dir(dir).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
        tmp.persist(path(dir)).map_err(|e| io(e.error))?;
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
}
