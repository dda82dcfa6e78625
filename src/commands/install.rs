//! `git screenlink install` / `uninstall`: our blocks in the post-commit and post-rewrite hooks.

use std::path::Path;

use crate::cli::InstallArgs;
use crate::error::{Error, Result};
use crate::hooks::managers::Manager;
use crate::hooks::{self, Edit};

pub fn install(args: &InstallArgs) -> Result<i32> {
    // Refuse what the hook could never read (a SHA-256 repository), before writing anything.
    crate::pipeline::open_repo(&super::current_dir()?)?;
    let cwd = super::current_dir()?;
    let dir = hooks::hooks_dir(&cwd)?;
    let workdir = git2::Repository::discover(&cwd).ok().and_then(|r| r.workdir().map(Path::to_path_buf));
    // A manager that owns every hook file (husky v9, lefthook): say what to add to its
    // config, and touch nothing.
    if let Some(manager) = Manager::of_repository(&dir, workdir.as_deref()).filter(|_| !args.force && !args.print) {
        eprintln!("git-screenlink: {} manages this repository's hooks ({}); nothing was changed", manager.name(), dir.display());
        for (name, _) in hooks::HOOKS {
            eprintln!("  {name}: {}", indent(&manager.advice(name)));
        }
        eprintln!("  (or pass --force to write our lines into {} anyway; {} may rewrite them)", dir.display(), manager.name());
        return Ok(1);
    }
    if args.print {
        for (name, block) in hooks::HOOKS {
            println!("# {}:", dir.join(name).display());
            print!("{block}");
        }
        return Ok(0);
    }
    let mut refused = 0;
    for (name, block) in hooks::HOOKS {
        let path = dir.join(name);
        let existing = read(&path)?;
        match hooks::install(existing.as_deref(), name, block, args.force) {
            Edit::Write(text) => {
                write_hook(&path, &text)?;
                let verb = if existing.is_some() { "added to" } else { "created" };
                println!("git-screenlink: {name} hook {verb} {}", path.display());
            }
            Edit::Unchanged => println!("git-screenlink: {name} hook already installed in {}", path.display()),
            Edit::Delete => {}
            Edit::Refuse(refusal) => {
                refused += 1;
                eprintln!("git-screenlink: left {} untouched: {}", path.display(), refusal.why);
                eprintln!("  {}", indent(&refusal.advice));
            }
        }
    }
    if refused < hooks::HOOKS.len() {
        if let Some(file) = hooks::shared_hooks_path(&cwd) {
            eprintln!("{}", crate::messages::shared_hooks(&file, &dir));
        }
        save_model_for_hook(&cwd);
    }
    Ok(if refused > 0 { 1 } else { 0 })
}

/// Save the hook's form of the model now (`score::fast_model`), so the first commit does not
/// (~0.5 s once). Without assets or settings this is left to the hook, which says why.
fn save_model_for_hook(cwd: &Path) {
    let saved =
        crate::config::Settings::load(cwd, &[]).and_then(|settings| crate::score::embed::Embedder::save_for_hook(&settings, &crate::fsutil::cache_dir()));
    if let Err(err) = saved {
        crate::debug(format_args!("the model was not saved for the hook: {err}"));
    }
}

pub fn uninstall() -> Result<i32> {
    let dir = hooks::hooks_dir(&super::current_dir()?)?;
    let mut removed = 0;
    for (name, _) in hooks::HOOKS {
        let path = dir.join(name);
        let Some(existing) = read(&path)? else { continue };
        match hooks::uninstall(&existing) {
            Edit::Write(text) => {
                write_hook(&path, &text)?;
                removed += 1;
                println!("git-screenlink: removed our lines from {}", path.display());
            }
            Edit::Delete => {
                std::fs::remove_file(&path).map_err(|e| Error::io(format!("removing {}", path.display()), e))?;
                removed += 1;
                println!("git-screenlink: removed {}", path.display());
            }
            _ => {}
        }
    }
    if removed == 0 {
        println!("git-screenlink: nothing to remove: no hook in {} has git-screenlink's lines", dir.display());
    }
    Ok(0)
}

/// Continuation lines of a multi-line message, indented under its first.
fn indent(text: &str) -> String {
    text.replace('\n', "\n    ")
}

fn read(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

/// Write in place (keeping the file's owner and mode), and make sure it is executable.
fn write_hook(path: &Path, text: &str) -> Result<()> {
    let io = |e| Error::io(format!("writing {}", path.display()), e);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, text).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(io)?.permissions().mode();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode | 0o111)).map_err(io)?;
    }
    Ok(())
}

/// Where our post-commit block is installed, for `status`.
pub fn installed_in(dir: &Path) -> Option<std::path::PathBuf> {
    let path = hooks::hooks_dir(dir).ok()?.join("post-commit");
    let text = std::fs::read_to_string(&path).ok()?;
    text.lines().any(|l| l.trim_end() == hooks::START).then_some(path)
}
