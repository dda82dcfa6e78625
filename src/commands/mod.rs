//! One file per subcommand; each is thin orchestration over the library.

mod ask;
mod backfill;
mod completions;
mod config;
mod daemon;
mod demo;
mod eval;
mod export;
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
        Command::Daemon(args) => daemon::run(&args),
    }
}

/// The directory commands resolve settings from: the current one.
fn current_dir() -> Result<std::path::PathBuf> {
    std::env::current_dir().map_err(|err| Error::io("reading the current directory", err))
}

/// The commit a revision names, or a usage error that says what to give.
fn resolve<'r>(repo: &'r git2::Repository, rev: &str) -> Result<git2::Commit<'r>> {
    if repo.head().is_err_and(|e| e.code() == git2::ErrorCode::UnbornBranch) {
        return Err(Error::new(crate::error::Kind::Git, "this repository has no commits yet").hint("make a commit first"));
    }
    repo.revparse_single(rev)
        .and_then(|o| o.peel_to_commit())
        .map_err(|_| Error::new(crate::error::Kind::Usage, format!("{rev:?} is not a commit here")).hint("give a commit: a SHA, a branch, HEAD~2…"))
}

/// Another repository's dataset, read for `train --also` and `export --also`.
struct Other {
    path: std::path::PathBuf,
    sha256: String,
    pairs: Vec<crate::dataset::Pair>,
}

/// The datasets `--also` names: a repository (its dataset where its own settings put it)
/// or a dataset file; each must exist, and unreadable lines are warned about as for ours.
fn also(paths: &[std::path::PathBuf], ours: &std::path::Path) -> Result<Vec<Other>> {
    use sha2::Digest;
    let mut out: Vec<Other> = Vec::new();
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
        let same = |a: &std::path::Path, b: &std::path::Path| a.canonicalize().ok().is_some_and(|a| b.canonicalize().is_ok_and(|b| a == b));
        if same(&path, ours) || out.iter().any(|o| same(&path, &o.path)) {
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::new(crate::error::Kind::Usage, format!("--also {}: no dataset at {}", given.display(), path.display()))
                    .hint(format!("link its commits first: `git -C {} screenlink backfill`", given.display())));
            }
            Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
        };
        let read = crate::dataset::read_jsonl::<crate::dataset::Pair>(&path)?;
        crate::pipeline::warn_bad_lines(&path, &read.bad_lines);
        let sha256 = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        out.push(Other { path, sha256, pairs: read.records });
    }
    Ok(out)
}
