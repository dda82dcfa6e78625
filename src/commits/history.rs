//! A revision set's commits in `git log`'s order: libgit2's walk, or git's own `rev-list`
//! where replace refs change the parents git follows ([`Replacements`]).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use git2::{Oid, Repository};

use super::replace::Replacements;
use crate::error::{Error, Kind, Result};

/// A walk of `repo`'s history in `git log`'s order, streamed: newest first by committer time
/// among the commits reached so far, and a commit is reached only through its children, so
/// along one line of history a child comes before its parent whatever the clocks say (a
/// backdated or rebased commit can be older than its parent) and commits of one second come
/// children first. libgit2's default order is git's; its time sort read the whole history and
/// ordered it by time alone, which showed a rebased branch shuffled and let `--max-commits`
/// take older commits over newer ones.
fn log_order(repo: &Repository) -> Result<git2::Revwalk<'_>> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::NONE)?;
    Ok(walk)
}

/// Where a walk starts.
#[derive(Debug, Clone, Copy)]
pub enum Start<'a> {
    Head,
    /// `A..B`: B's history less A's (a side left out is HEAD).
    Range(&'a str),
    /// Everything reachable from a commit.
    Commit(Oid),
}

/// The commits of a [`Start`], newest first.
pub enum History<'r> {
    Walk(git2::Revwalk<'r>),
    RevList(RevList),
}

/// The walk from `start`; `None` when it names no commit (no HEAD yet, a side of a range
/// that is not a commit).
pub fn history<'r>(repo: &'r Repository, start: Start, replaced: &Replacements) -> Result<Option<History<'r>>> {
    if replaced.is_empty() {
        let mut walk = log_order(repo)?;
        let pushed = match start {
            Start::Head => crate::refs::push_head(repo, &mut walk),
            Start::Range(r) => crate::refs::push_range(repo, &mut walk, r),
            Start::Commit(oid) => walk.push(oid).is_ok(),
        };
        return Ok(pushed.then_some(History::Walk(walk)));
    }
    let side = |s: &str| if s.is_empty() { crate::refs::head(repo).ok().flatten() } else { crate::refs::commit(repo, s) };
    let (tip, hidden) = match start {
        Start::Head => (crate::refs::head(repo)?, None),
        Start::Commit(oid) => (Some(oid), None),
        Start::Range(r) => match r.split_once("..").filter(|(_, to)| !to.starts_with('.')) {
            Some((from, to)) => match side(from) {
                Some(from) => (side(to), Some(from)),
                None => return Ok(None),
            },
            None => return Ok(None),
        },
    };
    let Some(tip) = tip else { return Ok(None) };
    Ok(Some(History::RevList(RevList::spawn(repo, tip, hidden)?)))
}

impl Iterator for History<'_> {
    type Item = Result<Oid>;

    fn next(&mut self) -> Option<Result<Oid>> {
        match self {
            History::Walk(walk) => walk.next().map(|r| r.map_err(Error::from)),
            History::RevList(list) => list.next(),
        }
    }
}

/// `git rev-list TIP [^HIDDEN]`, read as it prints: git follows replace refs in the order
/// it walks, and a walk cut short (`--max-commits`) stops it.
pub struct RevList {
    child: Child,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    format: git2::ObjectFormat,
    done: bool,
}

impl RevList {
    fn spawn(repo: &Repository, tip: Oid, hidden: Option<Oid>) -> Result<RevList> {
        let mut cmd = Command::new("git");
        cmd.arg("--git-dir").arg(repo.path()).args(["rev-list", &tip.to_string()]);
        if let Some(h) = hidden {
            cmd.arg(format!("^{h}"));
        }
        let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().map_err(|e| Error::io("running git rev-list", e))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        Ok(RevList { child, lines: BufReader::new(stdout).lines(), format: repo.object_format(), done: false })
    }

    fn next(&mut self) -> Option<Result<Oid>> {
        if self.done {
            return None;
        }
        match self.lines.next() {
            Some(Ok(line)) => Some(Oid::from_str_ext(line.trim(), self.format).map_err(Error::from)),
            Some(Err(e)) => {
                self.done = true;
                Some(Err(Error::io("reading git rev-list", e)))
            }
            None => {
                self.done = true;
                match self.child.wait() {
                    Ok(status) if status.success() => None,
                    _ => Some(Err(Error::new(Kind::Git, "git rev-list failed").hint("run `git log` here to see what git says"))),
                }
            }
        }
    }
}

impl Drop for RevList {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
