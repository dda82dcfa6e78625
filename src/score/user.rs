//! Learning from a repository's own answers. Accepts and rejects made by a person carry the
//! features of the link they judged; once there are [`MIN_EACH`] of each, the calibration
//! (the model that says how likely a link is right) is refitted on them, pulled towards the
//! shipped weights, and kept only if it does at least as well as the shipped weights on the
//! newest 30 % of the answers, held out. It lives beside the dataset (`weights.json`). It is
//! backfill's and review's: the hook follows it through its recalibration on what they say
//! (`pipeline::scoring_params`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::features::N;
use super::fitted::{decision_input, Fitted};
use super::logistic::Logistic;
use crate::error::{Error, Result};

/// Answers of each kind needed before a refit.
pub const MIN_EACH: usize = 30;
pub const WEIGHTS_FILE: &str = "weights.json";
/// How hard the refit is pulled towards the shipped weights.
const PRIOR_STRENGTH: f64 = 2.0;

/// One answer: the link's features and whether the person accepted it, oldest first.
pub type Answer = ([f64; N], bool);

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserWeights {
    pub backfill: Fitted,
    pub accepts: usize,
    pub rejects: usize,
    /// Mean log loss on the held-out answers: shipped weights, then refitted.
    pub held_out_shipped: f64,
    pub held_out_refit: f64,
    pub fitted_at: String,
}

/// What a refit did.
#[derive(Debug, Clone)]
pub enum Refit {
    TooFew {
        accepts: usize,
        rejects: usize,
    },
    /// The refit was no better than the shipped weights on held-out answers.
    NotBetter {
        shipped: f64,
        refit: f64,
    },
    Saved(Box<UserWeights>),
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join(WEIGHTS_FILE)
}

/// The repository's weights, if it has any (an unreadable file is ignored with a warning).
pub fn load(dir: &Path) -> Option<UserWeights> {
    let text = std::fs::read_to_string(path(dir)).ok()?;
    match serde_json::from_str::<UserWeights>(&text) {
        Ok(w) => Some(UserWeights { backfill: w.backfill.upgraded(), ..w }),
        Err(e) => {
            eprintln!(
                "git-screenlink: warning: {} is unreadable ({e}); using the shipped weights — `git screenlink weights --reset` removes it",
                path(dir).display()
            );
            None
        }
    }
}

/// Remove the repository's weights; whether there were any.
pub fn reset(dir: &Path) -> Result<bool> {
    match std::fs::remove_file(path(dir)) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io(format!("removing {}", path(dir).display()), e)),
    }
}

/// The answers as backfill's calibration reads them (the ranker's score, then the features),
/// and their labels.
fn calibration_examples(m: &Fitted, answers: &[Answer]) -> (Vec<Vec<f64>>, Vec<bool>) {
    answers.iter().map(|(f, y)| (decision_input(m.rank(f), f, &m.calibration_leaves_out), *y)).unzip()
}

fn refit_one(shipped: &Fitted, answers: &[Answer]) -> Fitted {
    let (xs, ys) = calibration_examples(shipped, answers);
    let calibration = Logistic::fit(&xs, &ys, PRIOR_STRENGTH, Some(&shipped.calibration));
    Fitted { calibration, ..shipped.clone() }
}

/// Mean log loss of `m`'s confidence on `answers`.
fn loss(m: &Fitted, answers: &[Answer]) -> f64 {
    let (xs, ys) = calibration_examples(m, answers);
    m.calibration.log_loss(&xs, &ys)
}

/// `base`'s backfill calibration refitted on the oldest 70 % of `answers` (oldest first), and
/// the mean log loss of `base` and of that refit on the newest 30 %; the refit on all of them
/// when it is no worse there, else `None`. (`link_eval` measures it on held-out talk.)
pub fn checked_refit(base: &Fitted, answers: &[Answer]) -> (Option<Fitted>, f64, f64) {
    let (train, held) = answers.split_at(answers.len() * 7 / 10);
    let trial = refit_one(base, train);
    let (s, r) = (loss(base, held), loss(&trial, held));
    ((r <= s).then(|| refit_one(base, answers)), s, r)
}

/// Refit from `answers` (oldest first) and, when it helps, save to `dir`.
pub fn refit(dir: &Path, answers: &[Answer], now: &str) -> Result<Refit> {
    let accepts = answers.iter().filter(|a| a.1).count();
    let rejects = answers.len() - accepts;
    if accepts < MIN_EACH || rejects < MIN_EACH {
        return Ok(Refit::TooFew { accepts, rejects });
    }
    let shipped = Fitted::shipped(true);
    let (kept, s, r) = checked_refit(&shipped, answers);
    let Some(backfill) = kept else {
        return Ok(Refit::NotBetter { shipped: s, refit: r });
    };
    let w = UserWeights { backfill, accepts, rejects, held_out_shipped: s, held_out_refit: r, fitted_at: now.to_string() };
    let json = serde_json::to_string_pretty(&w).map_err(|e| Error::io("writing weights", std::io::Error::other(e)))?;
    crate::fsutil::write_atomic(&path(dir), &format!("{json}\n"))?;
    Ok(Refit::Saved(Box::new(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A history where the person accepts every link whose passage says the code's names
    /// and rejects the rest, whatever the other features say.
    fn history(n: usize) -> Vec<Answer> {
        (0..n)
            .map(|i| {
                let mut f = [0.0; N];
                f[0] = 0.4 + (i % 5) as f64 * 0.05; // semantic
                f[1] = 0.3 + (i % 3) as f64 * 0.1; // keyword
                let says = i % 2 == 0;
                let ids = super::super::features::NAMES.iter().position(|n| *n == "identifiers_said").unwrap();
                f[ids] = if says { 1.0 } else { 0.0 };
                (f, says)
            })
            .collect()
    }

    #[test]
    fn refit_raises_confidence_for_the_kind_of_link_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let answers = history(100);
        let r = refit(dir.path(), &answers, "2026-01-01T00:00:00Z").unwrap();
        let Refit::Saved(w) = r else { panic!("not saved: {r:?}") };
        assert!(w.held_out_refit <= w.held_out_shipped);
        let shipped = Fitted::shipped(true);
        let (said, unsaid) = (answers[0].0, answers[1].0);
        let gap_before = shipped.confidence(&said) - shipped.confidence(&unsaid);
        let gap_after = w.backfill.confidence(&said) - w.backfill.confidence(&unsaid);
        assert!(gap_after > gap_before + 0.05, "{gap_before} -> {gap_after}");
        assert!(w.backfill.confidence(&said) > shipped.confidence(&said));
        let loaded = load(dir.path()).unwrap();
        assert_eq!(loaded.accepts, 50);
        assert!(reset(dir.path()).unwrap());
        assert!(load(dir.path()).is_none());
    }

    #[test]
    fn too_few_answers_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let r = refit(dir.path(), &history(40), "t").unwrap();
        assert!(matches!(r, Refit::TooFew { accepts: 20, rejects: 20 }), "{r:?}");
        assert!(load(dir.path()).is_none());
    }
}
