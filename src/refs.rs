//! Where HEAD and the revisions a user names point, and where notes are kept. libgit2 reads
//! and writes refs in git's files backend only; a repository that keeps them in reftable
//! (`git init --ref-format=reftable`, planned as Git 3's default) has them read and written
//! by git itself, while libgit2 still reads its objects, which reftable does not change.

use std::io::Write;
use std::process::{Command, Stdio};

use git2::{Oid, Repository, Revwalk};

use crate::error::{Error, Kind, Result};

/// Let libgit2 open a repository that names `extensions.refStorage` (it refuses an extension
/// it does not know); every ref of such a repository goes through this module instead.
///
/// # Safety
/// Sets a libgit2 global: call before any thread or repository exists (first thing in main).
pub unsafe fn allow_reftable() {
    let _ = git2::opts::set_extensions(&["refstorage"]);
}

/// Whether the repository keeps its refs in reftable.
pub fn in_reftable(repo: &Repository) -> bool {
    repo.config().and_then(|c| c.get_string("extensions.refstorage")).is_ok_and(|v| v.eq_ignore_ascii_case("reftable"))
}

/// `git ARGS` in the repository (its git dir named, so a linked worktree's HEAD is its own),
/// with `input` on stdin and `env` set: its stdout, trimmed, when it succeeds.
fn git(repo: &Repository, args: &[&str], input: Option<&str>, env: &[(&str, &str)]) -> Option<String> {
    let mut cmd = Command::new("git");
    cmd.arg("--git-dir").arg(repo.path()).args(args).envs(env.iter().copied()).stdout(Stdio::piped()).stderr(Stdio::null());
    cmd.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().ok()?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        // A git that stops reading fails, and says so by its exit status below.
        let _ = stdin.write_all(text.as_bytes());
    }
    let out = child.wait_with_output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The object id `hex` spells in `repo`'s object format (SHA-1's 40 digits or SHA-256's 64):
/// `Oid::from_str` alone reads SHA-1 only.
pub fn oid(repo: &Repository, hex: &str) -> std::result::Result<Oid, git2::Error> {
    Oid::from_str_ext(hex, repo.object_format())
}

/// How many hex digits spell a whole object id in `repo`.
fn hex_len(repo: &Repository) -> usize {
    match repo.object_format() {
        git2::ObjectFormat::Sha256 => 64,
        _ => 40,
    }
}

/// The commit git resolves `rev` to in a reftable repository.
fn commit_by_git(repo: &Repository, rev: &str) -> Option<Oid> {
    let peeled = format!("{rev}^{{commit}}");
    git(repo, &["rev-parse", "--verify", "--quiet", "--end-of-options", &peeled], None, &[]).and_then(|s| oid(repo, &s).ok())
}

/// The commit `rev` names (a SHA, a branch, `HEAD~2`, …), `None` when it names none.
pub fn commit(repo: &Repository, rev: &str) -> Option<Oid> {
    if rev.len() == hex_len(repo) && rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        // A whole SHA (`backfill --stdin`, the queue) names its commit without a ref.
        return oid(repo, rev).ok().and_then(|oid| repo.find_commit(oid).ok()).map(|c| c.id());
    }
    if in_reftable(repo) {
        return commit_by_git(repo, rev);
    }
    repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).ok().map(|c| c.id())
}

/// The commit HEAD names; `Ok(None)` when the branch has no commit yet.
pub fn head(repo: &Repository) -> Result<Option<Oid>> {
    if in_reftable(repo) {
        return Ok(commit_by_git(repo, "HEAD"));
    }
    match repo.head() {
        Ok(head) => Ok(Some(head.peel_to_commit()?.id())),
        Err(e) if matches!(e.code(), git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Put HEAD's history on `walk`; false when HEAD names no commit.
pub fn push_head(repo: &Repository, walk: &mut Revwalk) -> bool {
    match head(repo) {
        Ok(Some(oid)) => walk.push(oid).is_ok(),
        _ => false,
    }
}

/// Put `A..B` on `walk` (B's history less A's; a side left out is HEAD, as git reads it);
/// false when a side names no commit.
pub fn push_range(repo: &Repository, walk: &mut Revwalk, range: &str) -> bool {
    if !in_reftable(repo) {
        return walk.push_range(range).is_ok();
    }
    let Some((from, to)) = range.split_once("..").filter(|(_, to)| !to.starts_with('.')) else { return false };
    let side = |s: &str| commit_by_git(repo, if s.is_empty() { "HEAD" } else { s });
    match (side(from), side(to)) {
        (Some(from), Some(to)) => walk.hide(from).is_ok() && walk.push(to).is_ok(),
        _ => false,
    }
}

/// Every ref whose name starts with `prefix` (`refs/replace/`), with the object it points to.
pub fn under(repo: &Repository, prefix: &str) -> Vec<(String, Oid)> {
    if in_reftable(repo) {
        let listed = git(repo, &["for-each-ref", "--format=%(refname) %(objectname)", prefix], None, &[]).unwrap_or_default();
        return listed.lines().filter_map(|l| l.split_once(' ')).filter_map(|(name, id)| Some((name.to_string(), oid(repo, id).ok()?))).collect();
    }
    let Ok(refs) = repo.references_glob(&format!("{prefix}*")) else { return Vec::new() };
    refs.filter_map(|r| r.ok()).filter_map(|r| Some((r.name().ok()?.to_string(), r.target()?))).collect()
}

/// HEAD's newest reflog entry: the commit HEAD named before it, and its message
/// (`commit (amend): …`).
pub fn last_move(repo: &Repository) -> Option<(Oid, String)> {
    if in_reftable(repo) {
        let message = git(repo, &["reflog", "show", "-1", "--format=%gs", "HEAD"], None, &[])?;
        return Some((commit_by_git(repo, "HEAD@{1}")?, message));
    }
    let reflog = repo.reflog("HEAD").ok()?;
    let entry = reflog.get(0)?;
    Some((entry.id_old(), entry.message().ok()??.to_string()))
}

/// Who signs a note where the repository sets no identity.
const NO_IDENTITY: (&str, &str) = ("git-screenlink", "git-screenlink@localhost");

/// Who signs a note: the repository's identity, else [`NO_IDENTITY`].
fn signature(repo: &Repository) -> std::result::Result<git2::Signature<'static>, git2::Error> {
    repo.signature().or_else(|_| git2::Signature::now(NO_IDENTITY.0, NO_IDENTITY.1))
}

/// The note on `oid` under `notes_ref`, `None` when it has none.
pub fn note(repo: &Repository, notes_ref: &str, oid: Oid) -> Option<String> {
    if in_reftable(repo) {
        return git(repo, &["notes", &format!("--ref={notes_ref}"), "show", &oid.to_string()], None, &[]).map(|text| text + "\n");
    }
    repo.find_note(Some(notes_ref), oid).ok()?.message().ok().map(str::to_string)
}

/// Set (`Some`) or remove (`None`, nothing to do when there is none) the note on `oid` under
/// `notes_ref`.
pub fn set_note(repo: &Repository, notes_ref: &str, oid: Oid, text: Option<&str>) -> Result<()> {
    if in_reftable(repo) {
        let (by_ref, sha) = (format!("--ref={notes_ref}"), oid.to_string());
        // git signs as it would any note; with no identity set, as libgit2's notes are signed.
        let (name, email) = NO_IDENTITY;
        let ours = [("GIT_AUTHOR_NAME", name), ("GIT_AUTHOR_EMAIL", email), ("GIT_COMMITTER_NAME", name), ("GIT_COMMITTER_EMAIL", email)];
        let env: &[(&str, &str)] = if repo.signature().is_ok() { &[] } else { &ours };
        let done = match text {
            Some(text) => git(repo, &["notes", &by_ref, "add", "-f", "-F", "-", &sha], Some(text), env),
            None => git(repo, &["notes", &by_ref, "remove", "--ignore-missing", &sha], None, env),
        };
        return done.map(drop).ok_or_else(|| Error::new(Kind::Git, "git notes failed"));
    }
    let sig = signature(repo)?;
    match text {
        Some(text) => repo.note(&sig, &sig, Some(notes_ref), oid, text, true).map(drop)?,
        None => match repo.note_delete(oid, Some(notes_ref), &sig, &sig) {
            Err(e) if e.code() == git2::ErrorCode::NotFound => {}
            removed => removed?,
        },
    }
    Ok(())
}
