//! `git screenlink install` / `uninstall`: our blocks in the post-commit and post-rewrite hooks.

use std::path::Path;

use crate::cli::InstallArgs;
use crate::error::{Error, Result};
use crate::hooks::{self, Edit};

pub fn install(args: &InstallArgs) -> Result<i32> {
    // Refuse what the hook could never read (a SHA-256 repository), before writing anything.
    crate::pipeline::open_repo(&super::current_dir()?)?;
    let dir = hooks::hooks_dir(&super::current_dir()?)?;
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
        match hooks::install(existing.as_deref(), block, args.force) {
            Edit::Write(text) => {
                write_hook(&path, &text)?;
                let verb = if existing.is_some() { "added to" } else { "created" };
                println!("git-screenlink: {name} hook {verb} {}", path.display());
            }
            Edit::Unchanged => println!("git-screenlink: {name} hook already installed in {}", path.display()),
            Edit::Delete => {}
            Edit::Refuse(why) => {
                refused += 1;
                eprintln!("git-screenlink: left {} untouched: {why}", path.display());
                eprintln!("  add these lines to it by hand (`git screenlink install --print` shows them again):");
                for line in block.lines() {
                    eprintln!("    {line}");
                }
            }
        }
    }
    Ok(if refused > 0 { 1 } else { 0 })
}

pub fn uninstall() -> Result<i32> {
    let dir = hooks::hooks_dir(&super::current_dir()?)?;
    for (name, _) in hooks::HOOKS {
        let path = dir.join(name);
        let Some(existing) = read(&path)? else { continue };
        match hooks::uninstall(&existing) {
            Edit::Write(text) => {
                write_hook(&path, &text)?;
                println!("git-screenlink: removed our lines from {}", path.display());
            }
            Edit::Delete => {
                std::fs::remove_file(&path).map_err(|e| Error::io(format!("removing {}", path.display()), e))?;
                println!("git-screenlink: removed {}", path.display());
            }
            _ => {}
        }
    }
    Ok(0)
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
