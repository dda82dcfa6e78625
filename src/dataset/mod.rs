//! The dataset store, shared by backfill, the hook and review: accepted pairs, the log of
//! every decision, and the queue of commits waiting for one.
//!
//! Lives in `<git common dir>/screenlink/` (so linked worktrees share it and git never
//! tracks it), or `screenlink.datasetDir`; the directory is 0700 and its files 0600.
//! Every write is a locked append of whole lines ([`crate::fsutil::append_lines`]); readers
//! skip a torn last line with a warning.

pub mod answers;
mod claims;
mod jsonl;
pub mod pair;
mod records;

use claims::{Claims, PairKeys};
use jsonl::{parse_jsonl, read_with_identity};
pub use jsonl::{read_jsonl, read_jsonl_hashed, to_line, ReadOutcome};
pub use records::{DecisionRecord, PendingRecord};

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use crate::claimed::Claimed;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::secrets::RedactMode;
pub use pair::{DecidedBy, Decision, Pair};

pub const DATASET_FILE: &str = "training_data.jsonl";
pub const DECISIONS_FILE: &str = "decisions.jsonl";
pub const PENDING_FILE: &str = "pending.jsonl";
pub const REJECTED_FILE: &str = "rejected.jsonl";

/// The store's view of commits: decided ones, the talk they used, and the queue.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub decided: HashMap<String, Decision>,
    /// Commits whose latest record says only that nothing could be linked when they were
    /// made (skipped automatically, no talk): nobody decided them, and `backfill`, which
    /// sees the commits after them too, looks at them again.
    pub unlinked: HashSet<String>,
    /// Commits with no pair whose latest record is a person's reject or skip (that record):
    /// decided, and asked about again only when they ask for it (`backfill --again`).
    pub answered: HashMap<String, DecisionRecord>,
    /// Talk already in the dataset, and the work of the commits it went to.
    pub claimed: Claimed,
    pub pending: Vec<PendingRecord>,
    /// Pairs in the dataset, and its lines that could not be read.
    pub pairs: usize,
    pub bad_lines: Vec<(usize, String)>,
}

/// What a rewrite of commit ids changed.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Rewritten {
    pub renamed: usize,
    pub dropped: usize,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub dir: PathBuf,
    /// What happens to secrets and personal data in a pair before it is written.
    pub redact: RedactMode,
    /// The dataset's claims as of the last accept, so each accept reads only what was
    /// appended since.
    claims: Arc<Mutex<Claims>>,
}

/// What [`Store::accept`] did.
#[must_use]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    Written,
    /// Another process linked this talk (these ids) to another commit first: nothing written.
    TalkClaimed(Vec<i64>),
    /// The commit already has a pair: nothing written.
    CommitHasPair,
}

impl Store {
    /// The store for `repo`: `screenlink.datasetDir` (relative to the git common dir), else
    /// `<git common dir>/screenlink`. A directory inside the work tree is refused: git could
    /// track it, and it would travel with a push.
    pub fn for_repo(repo: &git2::Repository, settings: &Settings) -> Result<Store> {
        let common = repo.commondir().to_path_buf();
        let dir = match &settings.dataset_dir {
            Some(s) if s.value.is_absolute() => s.value.clone(),
            Some(s) => common.join(&s.value),
            None => common.join("screenlink"),
        };
        if let Some(workdir) = repo.workdir() {
            let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
            let (w, d) = (canon(workdir), canon(&dir));
            let git_dir = canon(&common);
            if d.starts_with(&w) && !d.starts_with(&git_dir) {
                return Err(Error::config(format!("screenlink.datasetDir ({}) is inside the work tree, where git could track it", dir.display()))
                    .hint("unset it (`git config --unset screenlink.datasetDir`) or point it outside the work tree"));
            }
        }
        Ok(Store { dir, redact: settings.redact.value, claims: Arc::default() })
    }

    pub fn at(dir: impl Into<PathBuf>) -> Store {
        Store { dir: dir.into(), redact: RedactMode::Redact, claims: Arc::default() }
    }

    pub fn rejected_path(&self) -> PathBuf {
        self.dir.join(REJECTED_FILE)
    }

    pub fn dataset_path(&self) -> PathBuf {
        self.dir.join(DATASET_FILE)
    }

    pub fn decisions_path(&self) -> PathBuf {
        self.dir.join(DECISIONS_FILE)
    }

    pub fn pending_path(&self) -> PathBuf {
        self.dir.join(PENDING_FILE)
    }

    /// Keep an accepted pair: the pair first, then its decision, so a crash between the two
    /// leaves a pair whose commit [`decided`](Self::decided) still counts as decided.
    /// Secrets and personal data are redacted (or the pair flagged) first, per
    /// `screenlink.redact`.
    ///
    /// One talk motivates one piece of work, also across processes: under the store's lock
    /// the dataset is read again (what was appended since the last look), and a pair whose
    /// commit is already there, or whose talk went to a commit of other work
    /// ([`Claimed`]), is not written ([`Accepted::TalkClaimed`],
    /// [`Accepted::CommitHasPair`]). Hooks of commits made at the same moment each decide
    /// from what they read at their start; this is where they meet.
    pub fn accept(&self, pair: &Pair) -> Result<Accepted> {
        let mut pair = pair.clone();
        pair::protect(&mut pair, self.redact);
        let _lock = fsutil::DirLock::acquire(&self.dir)?;
        let mut claims = self.claims.lock().unwrap_or_else(|e| e.into_inner());
        claims.catch_up(&self.dataset_path())?;
        if claims.commits.contains(&pair.metadata.commit_sha) {
            return Ok(Accepted::CommitHasPair);
        }
        let work: std::collections::BTreeSet<String> = pair.metadata.work.iter().cloned().collect();
        let taken = claims.ids.taken(&pair.metadata.audio_ids, &work);
        if !taken.is_empty() {
            return Ok(Accepted::TalkClaimed(taken));
        }
        fsutil::append_lines_locked(&self.dataset_path(), &to_line(&pair)?)?;
        let record = DecisionRecord {
            commit_sha: pair.metadata.commit_sha.clone(),
            decision: Decision::Accepted,
            decided_by: pair.metadata.decided_by,
            decided_at: pair.metadata.decided_at.clone(),
            confidence: Some(pair.metadata.confidence),
            audio_ids: pair.metadata.audio_ids.clone(),
            features: pair.metadata.features.clone(),
        };
        fsutil::append_lines_locked(&self.decisions_path(), &to_line(&record)?)?;
        Ok(Accepted::Written)
    }

    pub fn log(&self, record: &DecisionRecord) -> Result<()> {
        fsutil::append_lines(&self.decisions_path(), &to_line(record)?)
    }

    /// Queue a commit for `review` (a decision made later is what takes it off the queue).
    pub fn queue(&self, commit_sha: &str, reason: &str) -> Result<()> {
        let record = PendingRecord { commit_sha: commit_sha.to_string(), queued_at: pair::timestamp(chrono::Utc::now()), reason: reason.to_string() };
        fsutil::append_lines(&self.pending_path(), &to_line(&record)?)
    }

    /// After an amend or rebase: rename commits (`renames`: old → new) in the dataset, the
    /// decisions and the queue, and drop every record of the commits in `drop` (rewritten
    /// with a different diff, so their pair no longer describes any commit). Lines that do not
    /// parse are kept as they are. Each file is replaced atomically under the dir lock.
    pub fn rewrite_commits(&self, renames: &HashMap<String, String>, drop: &HashSet<String>) -> Result<Rewritten> {
        let mut out = Rewritten::default();
        if renames.is_empty() && drop.is_empty() {
            return Ok(out);
        }
        let _lock = fsutil::DirLock::acquire(&self.dir)?;
        for (path, nested) in [(self.dataset_path(), true), (self.decisions_path(), false), (self.pending_path(), false)] {
            let text = match std::fs::read_to_string(&path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
            };
            let mut changed = false;
            let mut new_text = String::with_capacity(text.len());
            for line in text.lines() {
                let Ok(mut v) = serde_json::from_str::<serde_json::Value>(line) else {
                    new_text.push_str(line);
                    new_text.push('\n');
                    continue;
                };
                let slot = if nested { v.get_mut("metadata").and_then(|m| m.get_mut("commit_sha")) } else { v.get_mut("commit_sha") };
                let sha = slot.as_ref().and_then(|s| s.as_str()).map(str::to_string);
                if let Some(sha) = sha {
                    if drop.contains(&sha) {
                        changed = true;
                        out.dropped += 1;
                        continue;
                    }
                    if let (Some(new), Some(slot)) = (renames.get(&sha), slot) {
                        *slot = serde_json::Value::String(new.clone());
                        changed = true;
                        out.renamed += 1;
                        new_text.push_str(&serde_json::to_string(&v).unwrap_or_else(|_| line.to_string()));
                        new_text.push('\n');
                        continue;
                    }
                }
                new_text.push_str(line);
                new_text.push('\n');
            }
            if changed {
                fsutil::write_atomic(&path, &new_text)?;
            }
        }
        Ok(out)
    }

    pub fn pairs(&self) -> Result<ReadOutcome<Pair>> {
        read_jsonl(&self.dataset_path())
    }

    /// What the store says about commits, each file read once (the hook's whole view).
    pub fn snapshot(&self) -> Result<Snapshot> {
        let (text, file) = read_with_identity(&self.dataset_path())?;
        let read = parse_jsonl::<PairKeys>(&text);
        let pairs = read.records.len();
        let mut decided = HashMap::new();
        let mut claimed = Claimed::default();
        for p in read.records {
            claimed.claim(&p.metadata.audio_ids, &p.metadata.work());
            decided.insert(p.metadata.commit_sha, Decision::Accepted);
        }
        let paired: HashSet<String> = decided.keys().cloned().collect();
        // What was just read is what `accept` re-checks against: it then reads only what
        // was appended since (the hook reads the dataset once, not twice).
        if let Ok(mut claims) = self.claims.lock() {
            *claims = Claims { file, offset: text.rfind('\n').map_or(0, |i| i + 1) as u64, ids: claimed.clone(), commits: paired.clone() };
        }
        let (mut unlinked, mut answered) = (HashSet::new(), HashMap::new());
        for d in read_jsonl::<DecisionRecord>(&self.decisions_path())?.records {
            if d.nothing_linked() {
                unlinked.insert(d.commit_sha.clone());
            } else {
                unlinked.remove(&d.commit_sha);
            }
            decided.insert(d.commit_sha.clone(), d.decision);
            if d.decided_by == DecidedBy::User && d.decision != Decision::Accepted {
                answered.insert(d.commit_sha.clone(), d);
            } else {
                answered.remove(&d.commit_sha);
            }
        }
        // A pair in the dataset settles it, whatever the log says.
        unlinked.retain(|c| !paired.contains(c));
        answered.retain(|c, _| !paired.contains(c));
        let mut seen = HashSet::new();
        let pending = read_jsonl::<PendingRecord>(&self.pending_path())?
            .records
            .into_iter()
            .filter(|p| !decided.contains_key(&p.commit_sha) && seen.insert(p.commit_sha.clone()))
            .collect();
        Ok(Snapshot { decided, unlinked, answered, claimed, pending, pairs, bad_lines: read.bad_lines })
    }

    /// The latest decision for every commit decided so far (pairs in the dataset count as
    /// accepted even without a log line).
    pub fn decided(&self) -> Result<HashMap<String, Decision>> {
        Ok(self.snapshot()?.decided)
    }

    /// Transcription rows already in the dataset: talk that motivated one commit is not
    /// used for another, unless both are of one piece of work.
    pub fn claimed_ids(&self) -> Result<Claimed> {
        Ok(self.snapshot()?.claimed)
    }

    /// Queued commits with no decision yet, oldest first, each once.
    pub fn pending(&self) -> Result<Vec<PendingRecord>> {
        Ok(self.snapshot()?.pending)
    }
}

#[cfg(test)]
mod tests;
