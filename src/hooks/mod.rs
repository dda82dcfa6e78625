//! Installing our hook blocks: between `# >>> git-screenlink >>>` and
//! `# <<< git-screenlink <<<` lines, so a user's own hook lines survive install and
//! uninstall (git-branchless's way). The snippets are `hooks/*.sh`.

pub mod managers;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Kind, Result};

pub const START: &str = "# >>> git-screenlink >>>";
pub const END: &str = "# <<< git-screenlink <<<";
pub const SHEBANG: &str = "#!/bin/sh";

/// The hooks we install and their blocks.
pub const HOOKS: &[(&str, &str)] =
    &[("post-commit", include_str!("../../hooks/post-commit.sh")), ("post-rewrite", include_str!("../../hooks/post-rewrite.sh"))];

/// Where git runs hooks from for the repository at `dir` (`core.hooksPath`, relative or
/// absolute, and linked worktrees included), as git itself says.
pub fn hooks_dir(dir: &Path) -> Result<PathBuf> {
    let out = Command::new("git")
        .args(["rev-parse", "--path-format=absolute", "--git-path", "hooks"])
        .current_dir(dir)
        .output()
        .map_err(|e| Error::io("running git", e))?;
    if !out.status.success() {
        return Err(Error::new(Kind::Git, crate::messages::NOT_A_REPO).hint("run this inside a git repository"));
    }
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

/// Where `core.hooksPath` is set when it is not this repository's own setting (the user's
/// global or the system config, an included file): every repository that reads that config
/// and sets no hooks path of its own runs the same hook files. `None` when it is unset or
/// set for this repository alone.
pub fn shared_hooks_path(dir: &Path) -> Option<String> {
    let out = Command::new("git").args(["config", "--show-scope", "--show-origin", "--get", "core.hooksPath"]).current_dir(dir).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.trim_end().splitn(3, '\t');
    let (scope, origin) = (fields.next()?, fields.next()?);
    (out.status.success() && !matches!(scope, "local" | "worktree" | "command")).then(|| origin.strip_prefix("file:").unwrap_or(origin).to_string())
}

/// What to do with a hook file.
#[derive(Debug, PartialEq, Eq)]
pub enum Edit {
    /// Write this content (the file is created or changed).
    Write(String),
    /// Remove the file: nothing but a shebang would be left.
    Delete,
    /// Nothing to change.
    Unchanged,
    /// Not a file we can safely edit.
    Refuse(Refusal),
}

/// Why a hook file is left alone, and what to add, where, instead.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    pub why: String,
    pub advice: String,
}

/// Why `text` (the `hook` file) is not a shell script we can add lines to, if it is not.
pub fn refusal(bytes: &[u8], hook: &str, force: bool) -> Option<Refusal> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Some(Refusal { why: "it is not a text file".into(), advice: format!("have it run `git-screenlink hook {hook}`") });
    };
    let first = text.lines().next().unwrap_or("");
    let shell = first.starts_with("#!") && ["sh", "bash", "dash", "zsh", "ksh"].iter().any(|s| first.split(['/', ' ']).any(|w| w == *s));
    if !shell {
        return Some(Refusal {
            why: format!("it is not a shell script (first line: {:?})", first.chars().take(40).collect::<String>()),
            advice: managers::for_language(first, hook),
        });
    }
    if !force {
        if let Some(manager) = managers::Manager::of_file(text) {
            return Some(Refusal { why: format!("{} manages it (pass --force to add our lines anyway)", manager.name()), advice: manager.advice(hook) });
        }
    }
    None
}

/// The file's content with our block in place (right after the shebang, so a user's
/// `exit` at the end cannot skip it), replacing any block of ours already there.
pub fn install(existing: Option<&[u8]>, hook: &str, block: &str, force: bool) -> Edit {
    let Some(bytes) = existing else { return Edit::Write(format!("{SHEBANG}\n{block}")) };
    if let Some(refusal) = refusal(bytes, hook, force) {
        return Edit::Refuse(refusal);
    }
    let text = String::from_utf8_lossy(bytes);
    let (without, _) = strip_block(&text);
    let mut lines = without.split_inclusive('\n');
    let shebang = lines.next().unwrap_or("");
    let rest: String = lines.collect();
    let shebang = if shebang.ends_with('\n') { shebang.to_string() } else { format!("{shebang}\n") };
    let new = format!("{shebang}{block}{rest}");
    if new == text {
        Edit::Unchanged
    } else {
        Edit::Write(new)
    }
}

/// The file without our block; `Delete` when only the shebang would be left.
pub fn uninstall(existing: &[u8]) -> Edit {
    let text = String::from_utf8_lossy(existing);
    let (without, found) = strip_block(&text);
    if !found {
        return Edit::Unchanged;
    }
    let meaningful: Vec<&str> = without.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if meaningful.is_empty() || (meaningful.len() == 1 && meaningful[0].starts_with("#!")) {
        return Edit::Delete;
    }
    Edit::Write(without)
}

/// `text` without our START..END lines (inclusive), and whether they were there.
fn strip_block(text: &str) -> (String, bool) {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    let mut found = false;
    for line in text.split_inclusive('\n') {
        let t = line.trim_end();
        if t == START {
            inside = true;
            found = true;
            continue;
        }
        if inside {
            if t == END {
                inside = false;
            }
            continue;
        }
        out.push_str(line);
    }
    (out, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "# >>> git-screenlink >>>\nours\n# <<< git-screenlink <<<\n";

    #[test]
    fn a_user_hook_keeps_its_lines_and_uninstall_restores_it_byte_for_byte() {
        let user = "#!/bin/bash\necho mine\nexit 0\n";
        let Edit::Write(installed) = install(Some(user.as_bytes()), "post-commit", BLOCK, false) else { panic!() };
        assert_eq!(installed, format!("#!/bin/bash\n{BLOCK}echo mine\nexit 0\n"));
        assert_eq!(install(Some(installed.as_bytes()), "post-commit", BLOCK, false), Edit::Unchanged, "idempotent");
        assert_eq!(uninstall(installed.as_bytes()), Edit::Write(user.to_string()));
    }

    #[test]
    fn a_new_hook_is_ours_alone_and_uninstall_deletes_it() {
        let Edit::Write(new) = install(None, "post-commit", BLOCK, false) else { panic!() };
        assert!(new.starts_with("#!/bin/sh\n"));
        assert_eq!(uninstall(new.as_bytes()), Edit::Delete);
        assert_eq!(uninstall(b"#!/bin/sh\necho x\n"), Edit::Unchanged);
    }

    #[test]
    fn binaries_other_languages_and_managed_hooks_are_refused() {
        assert!(matches!(install(Some(b"\x7fELF\x02\x01\x00\xff\xfe"), "post-commit", BLOCK, false), Edit::Refuse(_)));
        assert!(
            matches!(install(Some(b"#!/usr/bin/env python3\nprint(1)\n"), "post-commit", BLOCK, false), Edit::Refuse(r) if r.advice.contains("subprocess.run"))
        );
        let husky = b"#!/usr/bin/env sh\n. \"$(dirname -- \"$0\")/_/husky.sh\"\n";
        assert!(matches!(install(Some(husky), "post-commit", BLOCK, false), Edit::Refuse(r) if r.why.contains("husky")));
        assert!(matches!(install(Some(husky), "post-commit", BLOCK, true), Edit::Write(_)));
        assert!(matches!(install(Some(b"#!/usr/bin/env bash\nx\n"), "post-commit", BLOCK, false), Edit::Write(_)));
    }
}
