//! `git screenlink hook post-commit|post-rewrite`: what the installed hooks run.
//!
//! The commit is already made when these run, and nothing here may affect it: every error
//! and panic becomes one line on stderr and exit code 0, and the commit goes to the pending
//! queue so `git screenlink review` can ask later.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use chrono::Utc;
use console::Term;

use crate::cli::HookCommand;
use crate::commits::{self, CommitInfo};
use crate::config::{PromptMode, Settings};
use crate::dataset::{pair, Accepted, DecidedBy, Decision, DecisionRecord, Snapshot, Store};
use crate::error::{Error, Result};
use crate::link::Params;
use crate::messages;
use crate::pipeline::{self, Linked};
use crate::review::{self, Choice};

pub fn run(hook: &HookCommand) -> Result<i32> {
    // The error says whether the commit could be queued: not when the repository, its
    // settings or the store cannot even be opened (an extension libgit2 does not know, say), since
    // `review` could not read them either.
    let result = catch_unwind(AssertUnwindSafe(|| -> std::result::Result<(), (Error, bool)> {
        let here = here().map_err(|e| (e, false))?;
        match hook {
            HookCommand::PostCommit => post_commit(here),
            // amend and rebase are handled alike: git's `old new` lines say all.
            HookCommand::PostRewrite { .. } => post_rewrite(here),
        }
        .map_err(|e| (e, true))
    }));
    match result {
        Ok(Ok(())) => {}
        Ok(Err((err, false))) => eprintln!("git-screenlink: {} (your commit is fine; nothing was queued)", err.message),
        Ok(Err((err, true))) => eprintln!("git-screenlink: {} ({})", err.message, messages::HOOK_SAFE),
        Err(_) => eprintln!("git-screenlink: internal error in the {} hook ({})", hook_name(hook), messages::HOOK_SAFE),
    }
    Ok(0)
}

fn hook_name(hook: &HookCommand) -> &'static str {
    match hook {
        HookCommand::PostCommit => "post-commit",
        HookCommand::PostRewrite { .. } => "post-rewrite",
    }
}

struct Here {
    settings: Settings,
    repo: git2::Repository,
    store: Store,
}

fn here() -> Result<Here> {
    let dir = super::current_dir()?;
    let repo = pipeline::open_repo(&dir)?;
    let settings = Settings::load(&dir, &[])?;
    let store = Store::for_repo(&repo, &settings)?;
    Ok(Here { settings, repo, store })
}

fn post_commit(Here { settings, repo, store }: Here) -> Result<()> {
    let Some(head) = crate::refs::head(&repo)? else { return Ok(()) };
    let head = repo.find_commit(head)?;
    let sha = head.id().to_string();
    // From here on, an error queues the commit before it is reported.
    let queue_on_error = |err: Error| {
        let _ = store.queue(&sha, &format!("error: {}", err.message));
        err
    };
    // The store is read once: this runs inside every commit.
    let mut snapshot = store.snapshot().map_err(queue_on_error)?;
    crate::debug(format_args!("settings, repository and store read"));
    if snapshot.decided.contains_key(&sha) {
        return Ok(());
    }
    let queue = |why: &str| -> Result<()> {
        store.queue(&sha, why)?;
        say(&settings, &messages::queued(&sha, why));
        Ok(())
    };
    let carried = match amended_from(&repo) {
        Some(old) => carry_over(&repo, &store, &snapshot, &old, &head).map_err(queue_on_error)?,
        None => CarryOver::NotOurs,
    };
    match carried {
        CarryOver::Kept => return Ok(()),
        // The old pair is gone, and with it the talk it claimed.
        CarryOver::Dropped => snapshot = store.snapshot().map_err(queue_on_error)?,
        CarryOver::NotOurs => {}
    }
    if let Some(what) = sequencer_in_progress(&repo) {
        return queue(what);
    }
    let commit = match commits::examine(&repo, &head, commits::Filters::from_settings(&settings))? {
        Ok(c) => c,
        Err(commits::SkipReason::UnreadableObjects) => {
            eprintln!("{}", messages::unreadable_commit(&head.id().to_string()));
            return Ok(());
        }
        Err(_) => return Ok(()), // a merge, a bump, a bot, too little code: not a training example
    };
    let term = review::terminal();
    match (settings.prompt.value, &term) {
        (PromptMode::Queue, _) => return queue("screenlink.prompt = queue"),
        (PromptMode::Ask, None) => return queue("no terminal"),
        _ => {}
    }
    let claimed = snapshot.claimed;
    // The pair is redacted once linked; the detectors' ~140 patterns compile meanwhile
    // (~40 ms of the hook's path when compiled at the first scan).
    if settings.redact.value != crate::secrets::RedactMode::Off {
        std::thread::spawn(crate::secrets::prepare);
    }
    let budget = Duration::from_millis(settings.hook_timeout_ms.value as u64);
    let linked = match link_within(&settings, repo.workdir(), commit, &claimed, &store.dir, budget) {
        Some(result) => result.map_err(queue_on_error)?,
        None => {
            queue("scoring took longer than screenlink.hookTimeoutMs")?;
            // The scoring thread may be inside ONNX Runtime: leave without running exit
            // handlers under it (everything we write is already fsynced).
            use std::io::Write;
            let _ = std::io::stderr().flush();
            unsafe { libc::_exit(0) };
        }
    };
    let mode = if settings.prompt.value == PromptMode::Auto { None } else { term.as_ref() };
    match decide(&settings, &repo, &store, &linked, mode, Choice::Later).map_err(queue_on_error)? {
        Outcome::Later => say(&settings, &messages::queued(&sha, "later")),
        Outcome::NothingLinked(best) => {
            let days = settings.time_window_days.value;
            match linked.talk.newest.filter(|n| crate::source::silent(*n, linked.commit.committer_time, days)) {
                Some(newest) => say(&settings, &messages::no_talk_for_commit(&sha, days, newest, Utc::now())),
                None => say(&settings, &messages::nothing_linked(&sha, best, settings.min_confidence.value)),
            }
        }
        Outcome::Accepted(conf) if mode.is_none() => {
            say(&settings, &format!("git-screenlink: {} linked (confidence {conf:.3}) and accepted", messages::short(&sha)))
        }
        // A person answered: the answers may now be enough to learn from, and a later
        // `backfill --yes` or `review` should not wait for another command to learn it (the
        // hook follows the refit through what they then say). Where talk motivated nothing,
        // the refit is what lifts precision (README, "What a person's answers buy there").
        // It never fails the commit, and says so once, when the first refit appears.
        Outcome::Accepted(_) | Outcome::Rejected => {
            if let Some(line) = super::weights::refit_after_answer(&store) {
                say(&settings, &line);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Link on a worker thread; `None` when it does not finish within `budget`.
fn link_within(
    settings: &Settings,
    workdir: Option<&Path>,
    commit: CommitInfo,
    claimed: &crate::claimed::Claimed,
    store_dir: &Path,
    budget: Duration,
) -> Option<Result<Linked>> {
    let (tx, rx) = mpsc::channel();
    let (settings, workdir, claimed, store_dir) = (settings.clone(), workdir.map(Path::to_path_buf), claimed.clone(), store_dir.to_path_buf());
    std::thread::spawn(move || {
        let _ = tx.send(pipeline::link_one(&settings, workdir.as_deref(), commit, &claimed, &store_dir));
    });
    match rx.recv_timeout(budget) {
        Ok(result) => Some(result),
        Err(mpsc::RecvTimeoutError::Timeout) => None,
        Err(mpsc::RecvTimeoutError::Disconnected) => Some(Err(Error::new(crate::error::Kind::Io, "the scoring thread failed"))),
    }
}

/// What became of one commit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    Accepted(f64),
    Rejected,
    /// Nothing at or above minConfidence; the best confidence, if any candidate.
    NothingLinked(Option<f64>),
    Later,
    Quit,
    /// Another process gave the commit a pair first.
    AlreadyLinked,
}

/// Ask about (or, with no terminal, decide automatically) a linked commit, and record the
/// decision. `term: None` accepts at or above minConfidence; a commit with nothing to accept
/// (or, on a terminal, to ask about) is noted as skipped, automatically, either way.
/// `on_cancel`: what Ctrl-C or Esc means (the hook: later; review: quit).
pub fn decide(settings: &Settings, repo: &git2::Repository, store: &Store, linked: &Linked, term: Option<&Term>, on_cancel: Choice) -> Result<Outcome> {
    let params = Params::from_settings(settings);
    let passages = linked.passages();
    let candidates = &linked.links.candidates;
    let best = candidates.first().map(|b| b.confidence);
    let log = |decision: Decision, by: DecidedBy, conf: Option<f64>, ids: Vec<i64>, features: &[f64]| {
        store.log(&DecisionRecord::now(&linked.commit.sha, decision, by, conf, ids).with_features(features))
    };
    let Some(term) = term else {
        // Best first; a candidate whose talk a concurrent commit took meanwhile gives way
        // to the next one at or above the threshold.
        for b in candidates.iter().filter(|b| b.confidence >= params.min_confidence) {
            let p = pair::build(&linked.commit, &linked.links.crates, &passages[b.passage], b, linked.model, DecidedBy::Auto, Utc::now());
            match store.accept(&p)? {
                Accepted::Written => {
                    crate::notes::after_accept(repo, settings.notes.value.0, &p);
                    return Ok(Outcome::Accepted(b.confidence));
                }
                Accepted::CommitHasPair => return Ok(Outcome::AlreadyLinked),
                Accepted::TalkClaimed(_) => continue,
            }
        }
        log(Decision::Skipped, DecidedBy::Auto, best, Vec::new(), &[])?;
        return Ok(Outcome::NothingLinked(best));
    };
    // On a terminal: the candidates at or above threshold, best first; Next cycles. With
    // none, those a person is still asked about, unsure (screenlink.askConfidence): only a
    // person's accept makes a pair of them.
    let mut shown: Vec<_> = candidates.iter().filter(|c| c.confidence >= params.min_confidence).collect();
    if shown.is_empty() {
        shown = candidates.iter().filter(|c| c.confidence >= settings.ask_floor()).collect();
    }
    if shown.is_empty() {
        // Nothing to ask about: noted as without a terminal, so `status` counts it and
        // `backfill` knows the hook found nothing (a note, not a decision).
        log(Decision::Skipped, DecidedBy::Auto, best, Vec::new(), &[])?;
        return Ok(Outcome::NothingLinked(best));
    }
    let io = |e| Error::io("reading the terminal", e);
    let mut i = 0;
    let mut instruction: Option<String> = None;
    loop {
        let s = shown[i];
        let passage = &passages[s.passage];
        term.write_str(&review::render(&linked.commit, passage, s, Utc::now(), &linked.params)).map_err(io)?;
        if shown.len() > 1 {
            term.write_line(&format!("  candidate {} of {}", i + 1, shown.len())).map_err(io)?;
        }
        let mut choices = vec![Choice::Accept, Choice::Reject, Choice::Next, Choice::Edit, Choice::Later];
        if on_cancel == Choice::Quit {
            choices.push(Choice::Quit);
        }
        match review::ask(term, &choices, on_cancel).map_err(io)? {
            Choice::Accept => {
                let mut p = pair::build(&linked.commit, &linked.links.crates, passage, s, linked.model, DecidedBy::User, Utc::now());
                if let Some(text) = instruction.clone() {
                    p.instruction = text;
                }
                match store.accept(&p)? {
                    Accepted::Written => {
                        crate::notes::after_accept(repo, settings.notes.value.0, &p);
                        return Ok(Outcome::Accepted(s.confidence));
                    }
                    Accepted::CommitHasPair => return Ok(Outcome::AlreadyLinked),
                    Accepted::TalkClaimed(_) => {
                        term.write_line(messages::TALK_TAKEN).map_err(io)?;
                        shown.remove(i);
                        if shown.is_empty() {
                            store.queue(&linked.commit.sha, "its talk was linked to another commit meanwhile")?;
                            return Ok(Outcome::Later);
                        }
                        i %= shown.len();
                    }
                }
            }
            Choice::Reject => {
                log(Decision::Rejected, DecidedBy::User, Some(s.confidence), passage.ids(), &s.features)?;
                return Ok(Outcome::Rejected);
            }
            Choice::Next => i = (i + 1) % shown.len(),
            Choice::Edit => {
                let current = instruction.clone().unwrap_or_else(|| pair::instruction(&linked.commit.subject, &linked.commit.body));
                let edited: String = dialoguer::Input::new()
                    .with_prompt("  instruction")
                    .with_initial_text(current)
                    .interact_text_on(term)
                    .map_err(|e| Error::io("reading the terminal", std::io::Error::other(e.to_string())))?;
                instruction = Some(edited.trim().to_string()).filter(|t| !t.is_empty());
            }
            Choice::Quit => return Ok(Outcome::Quit),
            _ => {
                store.queue(&linked.commit.sha, "later")?;
                return Ok(Outcome::Later);
            }
        }
    }
}

/// The commit `git commit --amend` replaced, from HEAD's reflog.
fn amended_from(repo: &git2::Repository) -> Option<git2::Oid> {
    let (old, message) = crate::refs::last_move(repo)?;
    message.starts_with("commit (amend)").then_some(old)
}

/// What became of the records of a commit `git commit --amend` replaced.
enum CarryOver {
    /// Same added code: its decision now names the new commit, and settles it.
    Kept,
    /// Different code: its records are dropped, and the new commit is linked afresh.
    Dropped,
    /// We had no record of it.
    NotOurs,
}

fn carry_over(repo: &git2::Repository, store: &Store, snapshot: &Snapshot, old: &git2::Oid, new: &git2::Commit) -> Result<CarryOver> {
    let old_sha = old.to_string();
    if !snapshot.decided.contains_key(&old_sha) && !snapshot.pending.iter().any(|p| p.commit_sha == old_sha) {
        return Ok(CarryOver::NotOurs);
    }
    if same_code(repo, old, &new.id()) {
        store.rewrite_commits(&HashMap::from([(old_sha.clone(), new.id().to_string())]), &HashSet::new())?;
        // post-rewrite will not see this commit again (its records moved already): the note moves now.
        let _ = crate::notes::carry(repo, &old_sha, &new.id().to_string());
        Ok(CarryOver::Kept)
    } else {
        store.rewrite_commits(&HashMap::new(), &HashSet::from([old_sha]))?;
        Ok(CarryOver::Dropped)
    }
}

/// Whether two commits add the same code to the same files.
fn same_code(repo: &git2::Repository, a: &git2::Oid, b: &git2::Oid) -> bool {
    let files = |oid: &git2::Oid| {
        let c = repo.find_commit(*oid).ok()?;
        commits::added_code(repo, &c).ok().map(|f| f.into_iter().map(|f| (f.path, f.added)).collect::<Vec<_>>())
    };
    matches!((files(a), files(b)), (Some(x), Some(y)) if x == y)
}

/// A rebase, cherry-pick, revert, merge or `git am` in progress, by name.
fn sequencer_in_progress(repo: &git2::Repository) -> Option<&'static str> {
    use git2::RepositoryState::*;
    let by_state = match repo.state() {
        Clean => None,
        Merge => Some("a merge is in progress"),
        Revert | RevertSequence => Some("a revert is in progress"),
        CherryPick | CherryPickSequence => Some("a cherry-pick is in progress"),
        Bisect => None,
        Rebase | RebaseInteractive | RebaseMerge => Some("a rebase is in progress"),
        ApplyMailbox | ApplyMailboxOrRebase => Some("git am is in progress"),
    };
    by_state.or_else(|| {
        let action = std::env::var("GIT_REFLOG_ACTION").unwrap_or_default();
        [
            ("rebase", "a rebase is in progress"),
            ("cherry-pick", "a cherry-pick is in progress"),
            ("revert", "a revert is in progress"),
            ("am", "git am is in progress"),
        ]
        .into_iter()
        .find(|(k, _)| action.split(|c: char| !c.is_alphanumeric() && c != '-').any(|w| w == *k))
        .map(|(_, what)| what)
    })
}

/// `post-rewrite amend|rebase`, with git's `old new` lines on stdin.
fn post_rewrite(Here { repo, store, .. }: Here) -> Result<()> {
    let mut renames = HashMap::new();
    let mut dropped = HashSet::new();
    let mut relink = Vec::new();
    let Snapshot { decided, pending, .. } = store.snapshot()?;
    let pending: HashSet<String> = pending.into_iter().map(|p| p.commit_sha).collect();
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| Error::io("reading post-rewrite input", e))?;
        let mut words = line.split_whitespace();
        let (Some(old), Some(new)) = (words.next(), words.next()) else { continue };
        if !decided.contains_key(old) && !pending.contains(old) {
            continue;
        }
        let (Ok(o), Ok(n)) = (crate::refs::oid(&repo, old), crate::refs::oid(&repo, new)) else { continue };
        if same_code(&repo, &o, &n) {
            renames.insert(old.to_string(), new.to_string());
        } else {
            dropped.insert(old.to_string());
            relink.push(new.to_string());
        }
    }
    store.rewrite_commits(&renames, &dropped)?;
    for (old, new) in &renames {
        if let Err(e) = crate::notes::carry(&repo, old, new) {
            eprintln!("git-screenlink: warning: the git note of {} did not follow it: {}", messages::short(old), e.message);
        }
    }
    let now_decided = store.decided()?;
    for sha in relink {
        if !now_decided.contains_key(&sha) {
            store.queue(&sha, "rewritten with different code")?;
        }
    }
    Ok(())
}

fn say(settings: &Settings, line: &str) {
    if !settings.quiet.value.0 {
        eprintln!("{line}");
    }
}
