//! Which commits to link: a revision set walked newest first, each commit examined (or read
//! from the commit cache) and sorted into linked or skipped by reason.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{cache, commit_time, examine_as, history, CommitInfo, Filters, Replacements, SkipReason, Start};
use crate::error::{Error, Kind, Result};

/// The commits chosen, and the ones left out by reason.
#[derive(Debug, Default, Serialize)]
pub struct Selection {
    pub commits: Vec<CommitInfo>,
    pub skipped: BTreeMap<SkipReason, usize>,
    /// Commits whose diffs were read here, not found in the commit cache (a warm run: 0).
    #[serde(skip)]
    pub examined: usize,
}

/// Which commits to consider.
#[derive(Debug, Clone, Default)]
pub struct RevisionSet {
    /// `A..B`, or one revision (everything reachable from it). Default: HEAD.
    pub range: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    /// Exactly these commits (`--stdin`), instead of a walk.
    pub shas: Option<Vec<String>>,
    /// At most this many commits are examined, newest first.
    pub max: usize,
}

/// How many commits in a row older than `since` end a walk (git's own rule allows 5): the walk
/// goes newest first by time, so past them only a commit backdated below its parents is left.
const SINCE_SLOP: usize = 64;

/// Walk `set` in `repo`, newest first, and sort each commit into linked or skipped.
pub fn select(repo: &git2::Repository, set: &RevisionSet, filters: impl Into<Filters>) -> Result<Selection> {
    select_in(repo, set, filters.into(), cache::CommitCache::none())
}

/// [`select`], reading commits examined before from the commit cache in `cache_dir` and
/// keeping the ones examined now (backfill, review).
pub fn select_cached(repo: &git2::Repository, set: &RevisionSet, filters: impl Into<Filters>, cache_dir: &std::path::Path) -> Result<Selection> {
    select_in(repo, set, filters.into(), cache::CommitCache::open(cache_dir))
}

fn select_in(repo: &git2::Repository, set: &RevisionSet, filters: Filters, mut cache: cache::CommitCache) -> Result<Selection> {
    let mut oids = Vec::new();
    let replaced = Replacements::read(repo);
    if let Some(shas) = &set.shas {
        for sha in shas {
            oids.push(crate::refs::commit(repo, sha.trim()).ok_or_else(|| unknown_revision(sha))?);
        }
    } else {
        let start = match set.range.as_deref() {
            Some(r) if r.contains("..") => Start::Range(r),
            Some(r) => Start::Commit(crate::refs::commit(repo, r).ok_or_else(|| unknown_revision(r))?),
            None => Start::Head,
        };
        let walk = history(repo, start, &replaced)?.ok_or_else(|| match start {
            Start::Range(r) => unknown_revision(r),
            _ => Error::new(Kind::Git, "this repository has no commits yet").hint("make a commit first"),
        })?;
        let mut older_in_a_row = 0;
        for oid in walk {
            let oid = oid?;
            let t = commit_time(&replaced.commit(repo, oid)?);
            if set.until.is_some_and(|u| t > u) {
                continue;
            }
            if set.since.is_some_and(|s| t < s) {
                // Past `since` the walk stops, as git's does, with room for a clock that
                // skews: a week of rivals costs a week of history, not all of it.
                older_in_a_row += 1;
                if older_in_a_row >= SINCE_SLOP {
                    break;
                }
                continue;
            }
            older_in_a_row = 0;
            oids.push(oid);
            if oids.len() >= set.max {
                break;
            }
        }
    }
    let mut selection = Selection::default();
    // Read the diffs through a handle of our own: libgit2 caches the objects it inflates
    // (up to 256 MB) per handle, and this one's cache goes when extraction ends.
    let own = git2::Repository::open(repo.path()).ok();
    let reader = own.as_ref().unwrap_or(repo);
    // A commit examined before is read from the commit cache: what it adds (or why it is
    // skipped) is a function of its objects, its parents and the filters.
    // Its parents as this repository sees them are part of the key: a shallow clone's
    // boundary commit, skipped, has a parent once the clone is deepened.
    // Each commit as git reads it: a replacement's message, tree and parents (its own id
    // keys the cache; what it is known as is set again from `oids` below).
    let commits: Vec<git2::Commit> = oids.iter().map(|oid| replaced.commit(reader, *oid)).collect::<std::result::Result<_, _>>()?;
    let attributes = super::attributes::read(repo);
    let filters = Filters { linguist_attributes: Some(attributes.linguist), ..filters };
    let keys: Vec<cache::Key> = commits.iter().map(|c| cache::key(&c.id(), replaced.parent_ids(c), filters, &attributes.digest)).collect();
    let mut found = cache.get_many(&keys);
    // The cache is shared by every clone: a commit examined where its objects were all
    // present reads as linkable in a partial clone that has not fetched them, and its code
    // could not be read when its pair is built. There, such a commit is examined again.
    if !found.is_empty() && is_partial_clone(repo) {
        found.retain(|i, outcome| outcome.is_err() || objects_here(reader, &replaced, &commits[*i]));
    }
    let mut fresh: Vec<(cache::Key, std::result::Result<CommitInfo, SkipReason>)> = Vec::new();
    for (i, commit) in commits.iter().enumerate() {
        let outcome = match found.remove(&i) {
            Some(Ok(mut info)) => {
                info.sha = oids[i].to_string();
                Ok(info)
            }
            Some(skipped) => skipped,
            None => {
                let mut outcome = examine_as(reader, oids[i], commit, &replaced, filters)?;
                if let Ok(info) = &mut outcome {
                    info.shed_code();
                }
                // Objects a partial clone lacks may be fetched later, a shallow clone's edge
                // deepened, a damaged object repaired: asked again next time.
                if !matches!(outcome, Err(SkipReason::MissingObjects | SkipReason::Shallow | SkipReason::UnreadableObjects)) {
                    fresh.push((keys[i], outcome.clone()));
                }
                selection.examined += 1;
                outcome
            }
        };
        match outcome {
            Ok(info) => selection.commits.push(info),
            Err(reason) => *selection.skipped.entry(reason).or_default() += 1,
        }
    }
    cache.put_many(&fresh);
    Ok(selection)
}

/// A partial clone (`git clone --filter=…`): a promisor remote fetches its objects on demand.
fn is_partial_clone(repo: &git2::Repository) -> bool {
    let Ok(config) = repo.config() else { return false };
    let Ok(mut entries) = config.entries(Some(r"remote\..*\.promisor")) else { return false };
    let mut partial = false;
    while let Some(Ok(entry)) = entries.next() {
        partial |= entry.value().is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "true" | "yes" | "on" | "1"));
    }
    partial || config.get_string("extensions.partialclone").is_ok()
}

/// Whether every blob the commit changes (both sides) is in the object store: a tree diff,
/// which reads trees alone (a blobless clone has them all).
fn objects_here(repo: &git2::Repository, replaced: &Replacements, commit: &git2::Commit) -> bool {
    let Ok(tree) = commit.tree() else { return false };
    let parent = replaced.first_parent(repo, commit).ok().flatten().and_then(|p| p.tree().ok());
    let Ok(diff) = repo.diff_tree_to_tree(parent.as_ref(), Some(&tree), None) else { return false };
    let Ok(odb) = repo.odb() else { return false };
    diff.deltas().all(|d| [d.old_file(), d.new_file()].iter().all(|f| f.id().is_zero() || odb.exists(f.id())))
}

fn unknown_revision(r: &str) -> Error {
    Error::new(Kind::Usage, format!("unknown revision {r:?}")).hint("give a commit, branch or range such as main~20..main")
}
