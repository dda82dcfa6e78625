//! Commits newest first, in the order `git log` shows them. libgit2's time sort leaves
//! commits of the same second in any order, parents before children included, and a rebase
//! or a script makes many such commits: `log` showed them shuffled and `--max-commits N`
//! could take an older one over a newer. Within each second, children come first here, as
//! in git; there is no full topological sort, so the walk still streams on any history.

use std::collections::{BTreeSet, HashMap, VecDeque};

/// The commits pushed on [`NewestFirst::revwalk`] and their ancestors, newest first, children
/// before parents among commits of the same committer time.
pub struct NewestFirst<'r> {
    repo: &'r git2::Repository,
    walk: git2::Revwalk<'r>,
    /// The commit read past the end of the last group of equal times.
    ahead: Option<(git2::Oid, i64)>,
    ready: VecDeque<git2::Oid>,
}

impl<'r> NewestFirst<'r> {
    pub fn new(repo: &'r git2::Repository) -> Result<NewestFirst<'r>, git2::Error> {
        let mut walk = repo.revwalk()?;
        // Before anything is pushed: changing the sorting resets a walk.
        walk.set_sorting(git2::Sort::TIME)?;
        Ok(NewestFirst { repo, walk, ahead: None, ready: VecDeque::new() })
    }

    /// The walk, to push and hide commits on before iterating.
    pub fn revwalk(&mut self) -> &mut git2::Revwalk<'r> {
        &mut self.walk
    }

    fn next_timed(&mut self) -> Option<Result<(git2::Oid, i64), git2::Error>> {
        if let Some(a) = self.ahead.take() {
            return Some(Ok(a));
        }
        let oid = match self.walk.next()? {
            Ok(oid) => oid,
            Err(e) => return Some(Err(e)),
        };
        Some(self.repo.find_commit(oid).map(|c| (oid, c.time().seconds())))
    }
}

impl Iterator for NewestFirst<'_> {
    type Item = Result<git2::Oid, git2::Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(oid) = self.ready.pop_front() {
            return Some(Ok(oid));
        }
        let (first, time) = match self.next_timed()? {
            Ok(t) => t,
            Err(e) => return Some(Err(e)),
        };
        let mut group = vec![first];
        while let Some(next) = self.next_timed() {
            match next {
                Ok((oid, t)) if t == time => group.push(oid),
                Ok(other) => {
                    self.ahead = Some(other);
                    break;
                }
                Err(e) => return Some(Err(e)),
            }
        }
        match children_first(self.repo, &group) {
            Ok(ordered) => self.ready = ordered.into(),
            Err(e) => return Some(Err(e)),
        }
        self.ready.pop_front().map(Ok)
    }
}

/// `group` reordered so that no commit comes after one of its parents; otherwise as given.
fn children_first(repo: &git2::Repository, group: &[git2::Oid]) -> Result<Vec<git2::Oid>, git2::Error> {
    if group.len() < 2 {
        return Ok(group.to_vec());
    }
    let index: HashMap<git2::Oid, usize> = group.iter().enumerate().map(|(i, oid)| (*oid, i)).collect();
    let mut parents: Vec<Vec<usize>> = Vec::with_capacity(group.len());
    let mut children_left = vec![0usize; group.len()];
    for oid in group {
        let ps: Vec<usize> = repo.find_commit(*oid)?.parent_ids().filter_map(|p| index.get(&p).copied()).collect();
        for &p in &ps {
            children_left[p] += 1;
        }
        parents.push(ps);
    }
    // Kahn's algorithm: a commit is ready once its children in the group are placed; the
    // earliest ready one goes next, so a group already in order stays as it is.
    let mut ready: BTreeSet<usize> = (0..group.len()).filter(|&i| children_left[i] == 0).collect();
    let mut out = Vec::with_capacity(group.len());
    while let Some(i) = ready.pop_first() {
        out.push(group[i]);
        for &p in &parents[i] {
            children_left[p] -= 1;
            if children_left[p] == 0 {
                ready.insert(p);
            }
        }
    }
    Ok(out)
}
