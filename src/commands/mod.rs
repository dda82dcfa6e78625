//! One file per subcommand; each is thin orchestration over the library.

mod ask;
mod backfill;
mod completions;
mod config;
mod daemon;
mod demo;
mod eval;
mod eval_against;
mod export;
mod fuse;
mod hook;
mod index;
mod install;
mod reject;
mod review;
mod serve;
mod show;
mod status;
mod train;
mod validate;
pub(crate) mod weights;

use crate::cli::Command;
use crate::error::{Error, Result};

/// Run one subcommand; `Ok` carries the exit code (0, or 1 for "ran and found a problem").
pub fn run(command: Command) -> Result<i32> {
    match command {
        Command::Config(args) => config::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Install(args) => install::install(&args),
        Command::Uninstall => install::uninstall(),
        Command::Hook { hook } => hook::run(&hook),
        Command::Backfill(args) => backfill::run(&args),
        Command::Review(args) => review::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Train(args) => train::run(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Index(args) => index::run(&args),
        Command::Weights(args) => weights::run(&args),
        Command::Show(args) => show::show(&args),
        Command::Reject(args) => reject::run(&args),
        Command::Log(args) => show::log(&args),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => completions::man(&args),
        Command::Export(args) => export::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Ask(args) => ask::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Fuse(args) => fuse::run(&args),
        Command::Daemon(args) => daemon::run(&args),
    }
}

/// The directory commands resolve settings from: the current one.
fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().map_err(|err| Error::io("reading the current directory", err))
}

/// The commit a revision names, or a usage error that says what to give.
fn resolve<'r>(repo: &'r git2::Repository, rev: &str) -> Result<git2::Commit<'r>> {
    require_head(repo)?;
    crate::refs::commit(repo, rev)
        .and_then(|oid| repo.find_commit(oid).ok())
        .ok_or_else(|| Error::new(crate::error::Kind::Usage, format!("{rev:?} is not a commit here")).hint("give a commit: a SHA, a branch, HEAD~2…"))
}

/// An error when HEAD names no commit yet (an unborn branch), for commands that start there.
fn require_head(repo: &git2::Repository) -> Result<()> {
    match crate::refs::head(repo)? {
        Some(_) => Ok(()),
        None => Err(Error::new(crate::error::Kind::Git, "this repository has no commits yet").hint("make a commit first")),
    }
}

/// The datasets `--also` names (a repository: its dataset where its own settings put it; or
/// a dataset file), each read once: their pairs, and what a run records of each. Each must
/// exist; unreadable lines are warned about as for ours; ours, or one named twice, counts once.
fn also(paths: &[std::path::PathBuf], ours: &std::path::Path) -> Result<(Vec<crate::train::OtherDataset>, Vec<crate::dataset::Pair>)> {
    let same = |a: &std::path::Path, b: &std::path::Path| a.canonicalize().ok().is_some_and(|a| b.canonicalize().is_ok_and(|b| a == b));
    let (mut infos, mut pairs): (Vec<crate::train::OtherDataset>, Vec<crate::dataset::Pair>) = (Vec::new(), Vec::new());
    for given in paths {
        let path = if given.is_file() {
            given.clone()
        } else if let Ok(repo) = git2::Repository::discover(given) {
            let settings = crate::config::Settings::load(given, &[])?;
            crate::dataset::Store::for_repo(&repo, &settings)?.dataset_path()
        } else {
            return Err(Error::new(crate::error::Kind::Usage, format!("--also {}: neither a git repository nor a dataset file", given.display()))
                .hint("give another repository's directory, or a training_data.jsonl"));
        };
        if same(&path, ours) || infos.iter().any(|o| same(&path, std::path::Path::new(&o.path))) {
            continue;
        }
        let Some((read, sha256)) = crate::dataset::read_jsonl_hashed::<crate::dataset::Pair>(&path)? else {
            return Err(Error::new(crate::error::Kind::Usage, format!("--also {}: no dataset at {}", given.display(), path.display()))
                .hint(format!("link its commits first: `git -C {} screenlink backfill`", given.display())));
        };
        crate::pipeline::warn_bad_lines(&path, &read.bad_lines);
        infos.push(crate::train::OtherDataset { path: path.display().to_string(), sha256, pairs: read.records.len() });
        pairs.extend(read.records);
    }
    Ok((infos, pairs))
}
