//! Replace refs (`git replace`): git reads a commit named under `refs/replace/` as the commit
//! the ref points to, so `git log` shows history stitched by `git replace --graft` (an old
//! history joined under an import) and a commit's replaced message or tree, under the
//! original ids. libgit2 ignores them; without this a backfill stopped at the stitch, where
//! the joining commit, seen as a root, seemed to add the whole tree. Grafts (`info/grafts`)
//! libgit2 already follows.

use std::collections::HashMap;

use git2::{Commit, Oid, Repository};

/// How many replacements of a replacement git follows (`MAXREPLACEDEPTH`).
const MAX_DEPTH: usize = 5;

/// Where git keeps replace refs unless `GIT_REPLACE_REF_BASE` names another place.
const REF_BASE_DEFAULT: &str = "refs/replace/";

/// The commits git reads in place of others: original id → its replacement's id.
#[derive(Debug, Default)]
pub struct Replacements(HashMap<Oid, Oid>);

impl Replacements {
    /// None: every commit is read as itself.
    pub fn none() -> Replacements {
        Replacements::default()
    }

    /// The repository's replace refs, as git would use them: none when `GIT_NO_REPLACE_OBJECTS`
    /// is set (what `git --no-replace-objects` sets for hooks) or `core.useReplaceRefs` is
    /// false. Refs that cannot be read are left out: git would read those commits as they are.
    pub fn read(repo: &Repository) -> Replacements {
        if std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_some() || repo.config().and_then(|c| c.get_bool("core.useReplaceRefs")).is_ok_and(|on| !on) {
            return Replacements::none();
        }
        let base = std::env::var("GIT_REPLACE_REF_BASE").ok().filter(|b| !b.is_empty()).unwrap_or_else(|| REF_BASE_DEFAULT.to_string());
        let base = if base.ends_with('/') { base } else { base + "/" };
        let mut map = HashMap::new();
        for (name, target) in crate::refs::under(repo, &base) {
            if let Ok(original) = crate::refs::oid(repo, &name[base.len()..]) {
                map.insert(original, target);
            }
        }
        Replacements(map)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The id git reads for `id`: its replacement's (followed as git does), or its own.
    pub fn content_id(&self, id: Oid) -> Oid {
        let mut id = id;
        for _ in 0..MAX_DEPTH {
            match self.0.get(&id) {
                Some(next) => id = *next,
                None => break,
            }
        }
        id
    }

    /// The commit git reads for `id`. A replacement that is no commit is passed over.
    pub fn commit<'r>(&self, repo: &'r Repository, id: Oid) -> Result<Commit<'r>, git2::Error> {
        let content = self.content_id(id);
        if content != id {
            if let Ok(c) = repo.find_commit(content) {
                return Ok(c);
            }
        }
        repo.find_commit(id)
    }

    /// `commit`'s first parent as git reads it.
    pub fn first_parent<'r>(&self, repo: &'r Repository, commit: &Commit<'r>) -> Result<Option<Commit<'r>>, git2::Error> {
        match commit.parent_id(0) {
            Ok(p) => self.commit(repo, p).map(Some),
            Err(_) => Ok(None),
        }
    }

    /// `commit`'s parents' ids as git reads them (what a diff against them depends on).
    pub fn parent_ids<'a>(&'a self, commit: &'a Commit) -> impl Iterator<Item = Oid> + 'a {
        commit.parent_ids().map(|p| self.content_id(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    #[test]
    fn a_replacement_of_a_replacement_is_followed_and_a_cycle_ends() {
        let chain = Replacements(HashMap::from([(id(1), id(2)), (id(2), id(3))]));
        assert_eq!(chain.content_id(id(1)), id(3));
        assert_eq!(chain.content_id(id(3)), id(3), "a commit no ref names is itself");
        // git stops a cycle with "replace depth too high"; here it ends after as many steps.
        let cycle = Replacements(HashMap::from([(id(1), id(2)), (id(2), id(1))]));
        assert!([id(1), id(2)].contains(&cycle.content_id(id(1))));
    }
}
