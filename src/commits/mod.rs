//! Commits to link: which ones (a revision set), which to skip and why (CommitPack-style
//! filters), and what each says and adds (subject, body without trailers, times in UTC,
//! added code lines per file, identifiers).

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Kind, Result};

mod added;
pub mod attributes;
mod cache;
mod history;
mod identifiers;
mod issue_keys;
mod notebook;
mod replace;
mod select;

use added::within_budget;
pub use added::{added_code, added_code_counted, is_ignored_path, Added};
pub use cache::FILE_NAME as CACHE_FILE;
pub use history::{history, History, Start};
pub use identifiers::identifiers;
pub use issue_keys::{issue_keys, work};
pub use replace::Replacements;
pub use select::{select, select_cached, RevisionSet, Selection};

/// Why a commit is not linked. Counted by reason in every summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Merge,
    BotAuthor,
    Revert,
    VersionBump,
    /// Fewer added code lines than `screenlink.minCodeLines` (after ignoring binary files).
    TooFewCodeLines,
    /// No message to learn an instruction from.
    EmptyMessage,
    /// Nothing it adds fits `screenlink.maxOutputBytes` (a huge generated file, a data dump).
    TooLarge,
    /// What it adds is files that hold credentials (`.env`, `.npmrc`, private keys…).
    Credentials,
    /// Its objects are not in the repository (a partial clone that has not fetched them).
    MissingObjects,
    /// Most of what the commit adds is generated, vendored or lock files, or what is left
    /// after them is under `screenlink.minCodeLines`: not code a person wrote.
    Generated,
    /// What it adds is what it removed but for whitespace (a reformatting, a re-indent): no
    /// new code.
    Formatting,
    /// The edge of a shallow clone: its parents were not fetched, so what it changed is not
    /// known here (diffed against nothing, it would seem to add the whole tree).
    Shallow,
    /// Its objects are in the repository but cannot be read: damaged (a disk error, a copy cut
    /// short); `git fsck` names them.
    UnreadableObjects,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    pub added: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommitInfo {
    pub sha: String,
    pub subject: String,
    /// The message body with trailers (Signed-off-by, Co-authored-by, Change-Id…) removed.
    pub body: String,
    pub author: String,
    pub author_time: DateTime<Utc>,
    pub committer_time: DateTime<Utc>,
    pub files: Vec<FileChange>,
    /// Identifiers in the added lines, most frequent first.
    pub identifiers: Vec<String>,
    /// Files left out of the output because they did not fit `screenlink.maxOutputBytes`.
    pub files_over_budget: usize,
    /// Files left out because they hold credentials (`.env`, `.npmrc`, keys…).
    pub credential_files: usize,
    /// Added lines in `files`, counted when the commit was examined.
    pub added_lines: usize,
    /// A digest of `files`' paths and added lines: the same change made twice (a fix
    /// committed to two branches, a cherry-pick) has the same one ([`CommitInfo::work`]).
    #[serde(default)]
    pub patch: String,
}

/// What makes a commit a training example: enough code, and not more than fits.
#[derive(Debug, Clone, Copy)]
pub struct Filters {
    pub min_code_lines: usize,
    /// The most bytes of added code one pair's output may hold; files that would push it
    /// past this are left out, in order.
    pub max_output_bytes: usize,
    /// Whether the repository's attributes say `linguist-…` anywhere (`attributes::read`);
    /// `None`: not known, so every file is asked (one commit: the hook).
    pub linguist_attributes: Option<bool>,
}

impl Filters {
    pub fn from_settings(s: &crate::config::Settings) -> Filters {
        Filters { min_code_lines: s.min_code_lines.value as usize, max_output_bytes: s.max_output_bytes.value as usize, linguist_attributes: None }
    }
}

impl From<usize> for Filters {
    /// `min_code_lines`, and the default budget.
    fn from(min_code_lines: usize) -> Filters {
        Filters { min_code_lines, max_output_bytes: crate::config::MAX_OUTPUT_BYTES_DEFAULT as usize, linguist_attributes: None }
    }
}

impl CommitInfo {
    pub fn added_lines(&self) -> usize {
        self.added_lines
    }

    /// Drop the added lines, keeping paths, identifiers and counts: linking needs only those,
    /// and a 4,000-commit history held ~200 MB of added code at once. The few commits that
    /// become pairs read theirs again ([`with_code`]).
    pub fn shed_code(&mut self) {
        for f in &mut self.files {
            f.added = Vec::new();
        }
    }

    /// Whether `files` keep their paths but not their lines ([`CommitInfo::shed_code`]): a
    /// commit that was kept adds lines, so files that hold none were shed.
    pub fn code_shed(&self) -> bool {
        self.added_lines > 0 && self.files.iter().all(|f| f.added.is_empty())
    }
}

/// An object libgit2 found but could not read: its loose file or pack entry is damaged.
fn unreadable(e: &git2::Error) -> bool {
    matches!(e.class(), git2::ErrorClass::Odb | git2::ErrorClass::Zlib | git2::ErrorClass::Object)
}

/// `commit` with its added lines, read again from `repo` if they were shed: the same
/// filters give the same files. `Ok(Err(UnreadableObjects))` when its objects were damaged
/// since it was examined (the commit cache, shared by every clone, holds it as linkable).
pub fn with_code(repo: &git2::Repository, commit: &CommitInfo, filters: impl Into<Filters>) -> Result<std::result::Result<CommitInfo, SkipReason>> {
    if !commit.code_shed() {
        return Ok(Ok(commit.clone()));
    }
    let oid = crate::refs::oid(repo, &commit.sha)?;
    match examine(repo, &repo.find_commit(oid)?, filters)? {
        Ok(full) => Ok(Ok(full)),
        Err(SkipReason::UnreadableObjects) => Ok(Err(SkipReason::UnreadableObjects)),
        Err(reason) => {
            Err(Error::new(Kind::Git, format!("commit {} could not be read again ({reason:?})", &commit.sha[..commit.sha.len().min(12)])).hint(match reason {
                SkipReason::MissingObjects => "its objects are not in this repository (a partial clone): `git log -p >/dev/null` makes git fetch them",
                _ => "was the repository changed during the run? run the command again",
            }))
        }
    }
}

/// A shallow clone's boundary commit: git lists it in `shallow` because its parents were not
/// fetched, and libgit2 shows it with none. A true root commit is never listed there.
fn at_shallow_edge(repo: &git2::Repository, id: git2::Oid, commit: &git2::Commit) -> bool {
    commit.parent_count() == 0
        && repo.is_shallow()
        && std::fs::read_to_string(repo.commondir().join("shallow")).is_ok_and(|s| s.lines().any(|l| l.trim() == id.to_string()))
}

fn commit_time(c: &git2::Commit) -> DateTime<Utc> {
    git_time(c.time())
}

fn git_time(t: git2::Time) -> DateTime<Utc> {
    DateTime::from_timestamp(t.seconds(), 0).unwrap_or_default()
}

/// One commit: linked (`Ok`) or skipped with a reason (`Err`). What it says and changes is
/// read as git reads it: from its replacement where `refs/replace/` names one.
pub fn examine(repo: &git2::Repository, commit: &git2::Commit, filters: impl Into<Filters>) -> Result<std::result::Result<CommitInfo, SkipReason>> {
    let replaced = Replacements::read(repo);
    let content = if replaced.is_empty() { commit.clone() } else { replaced.commit(repo, commit.id())? };
    examine_as(repo, commit.id(), &content, &replaced, filters.into())
}

/// [`examine`] of the commit git names `id`, whose message, tree and parents are `content`'s
/// (`replaced.commit(id)`).
fn examine_as(
    repo: &git2::Repository,
    id: git2::Oid,
    content: &git2::Commit,
    replaced: &Replacements,
    filters: Filters,
) -> Result<std::result::Result<CommitInfo, SkipReason>> {
    let commit = content;
    let Filters { min_code_lines, max_output_bytes, linguist_attributes } = filters;
    if commit.parent_count() > 1 {
        return Ok(Err(SkipReason::Merge));
    }
    if at_shallow_edge(repo, id, commit) {
        return Ok(Err(SkipReason::Shallow));
    }
    let author = commit.author();
    let author_id = format!("{} <{}>", author.name().unwrap_or(""), author.email().unwrap_or(""));
    if is_bot(&author_id) {
        return Ok(Err(SkipReason::BotAuthor));
    }
    let decoded = message_text(commit);
    let message = decoded.as_str();
    // The first line that says something (git log skips leading blank lines too).
    let Some(subject) = message.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string) else {
        return Ok(Err(SkipReason::EmptyMessage));
    };
    if subject.starts_with("Revert \"") || message.contains("This reverts commit ") {
        return Ok(Err(SkipReason::Revert));
    }
    if VERSION_BUMP.is_match(&subject) {
        return Ok(Err(SkipReason::VersionBump));
    }
    let Added { files, generated, notebook_outputs, credential_files, formatting_only } =
        match added::added_code_git(repo, commit, replaced, linguist_attributes != Some(false)) {
            Ok(added) => added,
            // A partial clone (`--filter=blob:none`) lacks old blobs until git fetches them:
            // the commit is skipped and counted, the run goes on.
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(Err(SkipReason::MissingObjects)),
            // A damaged object stops this commit, not the run.
            Err(e) if unreadable(&e) => return Ok(Err(SkipReason::UnreadableObjects)),
            Err(e) => return Err(e.into()),
        };
    let added: usize = files.iter().map(|f| f.added.len()).sum();
    if added < min_code_lines.max(1) {
        return Ok(Err(if credential_files > 0 {
            SkipReason::Credentials
        } else if generated > 0 || notebook_outputs > 0 {
            SkipReason::Generated
        } else {
            SkipReason::TooFewCodeLines
        }));
    }
    if generated > added {
        return Ok(Err(SkipReason::Generated));
    }
    if formatting_only {
        return Ok(Err(SkipReason::Formatting));
    }
    let (files, files_over_budget) = within_budget(files, max_output_bytes);
    if files.iter().map(|f| f.added.len()).sum::<usize>() < min_code_lines.max(1) {
        return Ok(Err(SkipReason::TooLarge));
    }
    let identifiers = identifiers(files.iter().flat_map(|f| f.added.iter().map(String::as_str)));
    let added_lines = files.iter().map(|f| f.added.len()).sum();
    let patch = patch_digest(&files);
    Ok(Ok(CommitInfo {
        sha: id.to_string(),
        subject,
        body: strip_trailers(message.trim_start().split_once('\n').map(|(_, b)| b).unwrap_or("")),
        author: author_id,
        author_time: git_time(author.when()),
        committer_time: commit_time(commit),
        files,
        identifiers,
        files_over_budget,
        credential_files,
        added_lines,
        patch,
    }))
}

/// [`CommitInfo::patch`]: SHA-256 over each file's path and added lines, the first 16 bytes
/// in hex.
fn patch_digest(files: &[FileChange]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for f in files {
        h.update(f.path.as_bytes());
        h.update([0]);
        for line in &f.added {
            h.update(line.as_bytes());
            h.update([b'\n']);
        }
        h.update([0]);
    }
    h.finalize()[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The commit message as text, decoded as `git log` does: by the commit's `encoding` header
/// (`i18n.commitEncoding`), else as UTF-8; what cannot be decoded becomes U+FFFD.
pub fn message_text(commit: &git2::Commit) -> String {
    let bytes = commit.message_bytes();
    let encoding =
        commit.message_encoding().ok().flatten().and_then(|label| encoding_rs::Encoding::for_label(label.trim().as_bytes())).unwrap_or(encoding_rs::UTF_8);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

static VERSION_BUMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(chore(\([^)]*\))?!?:\s*)?((bump|release|prepare release|version)\b.*\d+\.\d+|v?\d+\.\d+\.\d+(-[\w.]+)?$)").expect("valid regex")
});

fn is_bot(author: &str) -> bool {
    let a = author.to_ascii_lowercase();
    ["[bot]", "dependabot", "renovate", "github-actions", "greenkeeper", "snyk-bot"].iter().any(|b| a.contains(b))
}

/// Trailer keys removed from bodies: they say who, not why. (`git-svn-id` stays: held out on
/// realtext, taking it out cost backfill 0.820 / 0.695 → 0.797 / 0.679; the branch it names,
/// `trunk` or `branches/wicket-1.4.x`, is what a report's version says too. README, "Link
/// quality".)
const TRAILERS: &[&str] = &[
    "signed-off-by",
    "co-authored-by",
    "co-developed-by",
    "change-id",
    "reviewed-by",
    "approved-by",
    "acked-by",
    "tested-by",
    "reported-by",
    "suggested-by",
    "cc",
    "reviewed-on",
    "helped-by",
];

fn strip_trailers(body: &str) -> String {
    let kept: Vec<&str> = body
        .lines()
        .filter(|line| match line.split_once(':') {
            Some((key, _)) => !TRAILERS.contains(&key.trim().to_ascii_lowercase().as_str()),
            None => true,
        })
        .collect();
    kept.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests;
