//! Git notes for accepted pairs (`screenlink.notes = true`): `git log --notes=screenlink`
//! then shows the talk behind each commit. Notes live in `refs/notes/screenlink`, which git
//! never pushes unless told to (`git push origin refs/notes/screenlink`).

use crate::dataset::Pair;
use crate::error::Result;
use crate::refs;

pub const NOTES_REF: &str = "refs/notes/screenlink";

/// The note: when and by whom it was said, the confidence, the passage's first 300 characters.
pub fn text(pair: &Pair) -> String {
    let m = &pair.metadata;
    let who = if m.speakers.is_empty() { String::new() } else { format!(" by {}", m.speakers.join(", ")) };
    let talk: String = pair.talk().chars().take(300).collect();
    let more = if pair.talk().chars().count() > 300 { "…" } else { "" };
    format!("screenlink: said {}{who}, confidence {:.2}\n\n{talk}{more}\n", m.audio_timestamp, m.confidence)
}

/// Attach `pair`'s note to its commit (replacing an older one).
pub fn write(repo: &git2::Repository, pair: &Pair) -> Result<()> {
    refs::set_note(repo, NOTES_REF, refs::oid(repo, &pair.metadata.commit_sha)?, Some(&text(pair)))
}

/// A rewritten commit keeps its note (amend, rebase).
pub fn carry(repo: &git2::Repository, old: &str, new: &str) -> Result<()> {
    let (old, new) = (refs::oid(repo, old)?, refs::oid(repo, new)?);
    match refs::note(repo, NOTES_REF, old) {
        Some(message) => refs::set_note(repo, NOTES_REF, new, Some(&message)),
        None => Ok(()),
    }
}

/// Write the note when `screenlink.notes` is on; a failure is a warning, never an error.
pub fn after_accept(repo: &git2::Repository, enabled: bool, pair: &Pair) {
    if !enabled {
        return;
    }
    if let Err(e) = write(repo, pair) {
        eprintln!("git-screenlink: warning: could not write the git note for {}: {}", crate::messages::short(&pair.metadata.commit_sha), e.message);
    }
}

/// Remove the note of a link a person took back (`git screenlink reject`), if it has one; a
/// failure is a warning, never an error.
pub fn after_reject(repo: &git2::Repository, commit_sha: &str) {
    let Ok(oid) = refs::oid(repo, commit_sha) else { return };
    if let Err(e) = refs::set_note(repo, NOTES_REF, oid, None) {
        eprintln!("git-screenlink: warning: could not remove the git note of {}: {}", crate::messages::short(commit_sha), e.message);
    }
}
