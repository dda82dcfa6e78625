//! Reading what git config says: every `screenlink.*` entry with the file it came from,
//! parsed and checked against its key's rule, bad values gathered with a hint to fix them.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;
use crate::error::{Error, Kind, Result};

pub(super) struct Resolver<'a> {
    pub(super) raw: &'a [RawEntry],
    pub(super) bad: std::cell::RefCell<Vec<BadValue>>,
}

impl<'a> Resolver<'a> {
    pub(super) fn all<'k>(&self, key: &'k str) -> impl Iterator<Item = &'a RawEntry> + 'k
    where
        'a: 'k,
    {
        self.raw.iter().filter(move |e| e.key.eq_ignore_ascii_case(key))
    }

    /// git's rule for single-valued keys: the last one read wins.
    pub(super) fn last(&self, key: &str) -> Option<&RawEntry> {
        self.raw.iter().rev().find(|e| e.key.eq_ignore_ascii_case(key))
    }

    /// The last value of `key`, parsed and checked; `expected` says what a good one looks
    /// like. A bad value is recorded and the default used.
    pub(super) fn parse<T: std::str::FromStr>(&self, key: &'static str, default: T, expected: &str, check: impl Fn(&T) -> bool) -> Setting<T> {
        let Some(e) = self.last(key) else { return Setting::default(default) };
        match e.value.trim().parse::<T>() {
            Ok(value) if check(&value) => Setting { value, origin: e.origin.clone() },
            _ => {
                let error = Error::config(format!("{key} = {:?} in {} is not {expected}", e.value, e.origin.place())).hint(fix_hint(key, &e.origin, expected));
                self.bad.borrow_mut().push(BadValue { key, value: e.value.clone(), origin: e.origin.clone(), error });
                Setting::default(default)
            }
        }
    }

    /// The guide's formula is a weighted mean: its weights sum to 1, so confidence stays
    /// in [0, 1].
    pub(super) fn check_weights(&self, s: &Settings) {
        let (k, m) = (&s.keyword_weight, &s.semantic_weight);
        if (k.value + m.value - 1.0).abs() <= 1e-6 || self.bad.borrow().iter().any(|b| b.key == KEYWORD_WEIGHT || b.key == SEMANTIC_WEIGHT) {
            return;
        }
        // Name the one set last by the user (a flag beats a file), or keywordWeight.
        let (key, setting) = if matches!(m.origin, Origin::Flag(_)) || (k.origin == Origin::Default && m.origin != Origin::Default) {
            (SEMANTIC_WEIGHT, m)
        } else {
            (KEYWORD_WEIGHT, k)
        };
        let error =
            Error::config(format!("{KEYWORD_WEIGHT} ({}) and {SEMANTIC_WEIGHT} ({}) add up to {}, not 1", k.value, m.value, k.value + m.value)).hint(format!(
            "set both so they sum to 1, e.g. `git config {KEYWORD_WEIGHT} {}` and `git config {SEMANTIC_WEIGHT} {}` (or --keyword-weight/--semantic-weight)",
            k.value.min(1.0),
            ((1.0 - k.value.min(1.0)) * 1e6).round() / 1e6
        ));
        self.bad.borrow_mut().push(BadValue { key, value: setting.value.to_string(), origin: setting.origin.clone(), error });
    }
}

/// How to fix a bad value where it was set.
pub(super) fn fix_hint(key: &str, origin: &Origin, expected: &str) -> String {
    match origin {
        Origin::System(f) | Origin::Global(f) | Origin::Repo(f) => {
            format!("set a good one with `git config --file {f} {key} <value>`, or remove it with `git config --file {f} --unset {key}`")
        }
        Origin::Flag(flag) => format!("pass {flag} {expected}"),
        Origin::Env(var) => format!("set {var} to {expected}"),
        _ => format!("give {key} {expected}"),
    }
}

/// git names the repository's config relative to the top of the work tree (`.git/config`);
/// make it absolute so a hint works from any directory.
pub(super) fn absolute_origin(origin: &mut Origin, dir: &Path) {
    if let Origin::System(f) | Origin::Global(f) | Origin::Repo(f) = origin {
        let path = Path::new(f.as_str());
        if path.is_relative() {
            if let Some(found) = dir.ancestors().map(|a| a.join(path)).find(|p| p.is_file()) {
                let found = found.canonicalize().unwrap_or(found);
                *f = found.display().to_string();
            }
        }
    }
}

/// For paths a variable can override: a flag beats the variable, the variable beats git config.
pub(super) fn path_override(config: Option<Setting<PathBuf>>, env: Option<Setting<PathBuf>>) -> Option<Setting<PathBuf>> {
    match config {
        Some(c) if matches!(c.origin, Origin::Flag(_)) => Some(c),
        c => env.or(c),
    }
}

pub(super) fn default_screenpipe_db() -> Setting<PathBuf> {
    match std::env::var_os(SCREENPIPE_DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Setting { value: PathBuf::from(dir).join("db.sqlite"), origin: Origin::Env(SCREENPIPE_DATA_DIR_ENV.into()) },
        None => Setting::default(home_dir().join(".screenpipe").join("db.sqlite")),
    }
}

pub fn home_dir() -> PathBuf {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()).unwrap_or_else(|| PathBuf::from("."))
}

/// `~/x` → `$HOME/x`, as git does for its own path values.
pub(super) fn expand_home(value: &str) -> PathBuf {
    match value.strip_prefix("~/") {
        Some(rest) => home_dir().join(rest),
        None => PathBuf::from(value),
    }
}

/// Run `git config` for every `screenlink.*` entry, in git's reading order.
pub(super) fn read_git_config(dir: &Path) -> Result<Vec<RawEntry>> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["config", "-z", "--includes", "--show-scope", "--show-origin", "--get-regexp", r"^screenlink\."])
        .output()
        .map_err(|err| Error::new(Kind::Git, format!("could not run git to read configuration: {err}")).hint("install git and make sure it is on PATH"))?;
    match output.status.code() {
        Some(0) => Ok(parse_git_config_z(&output.stdout)),
        Some(1) => Ok(Vec::new()), // no screenlink.* key anywhere
        _ => Err(Error::new(Kind::Config, format!("git config failed: {}", String::from_utf8_lossy(&output.stderr).trim()))
            .hint("run `git config --list --show-origin` to find the broken config file")),
    }
}

/// Parse `git config -z --show-scope --show-origin --get-regexp` output:
/// records of `scope NUL origin NUL key [LF value] NUL`.
pub(super) fn parse_git_config_z(out: &[u8]) -> Vec<RawEntry> {
    let text = String::from_utf8_lossy(out);
    let mut fields = text.split('\0');
    let mut entries = Vec::new();
    while let (Some(scope), Some(origin), Some(kv)) = (fields.next(), fields.next(), fields.next()) {
        let (key, value) = match kv.split_once('\n') {
            Some((k, v)) => (k, v),
            None => (kv, "true"), // `[screenlink] flag` with no `=` is a boolean true in git
        };
        let file = origin.strip_prefix("file:").unwrap_or(origin).to_string();
        let origin = match scope {
            "system" => Origin::System(file),
            "global" => Origin::Global(file),
            "local" | "worktree" => Origin::Repo(file),
            _ => Origin::Command(file),
        };
        entries.push(RawEntry { key: key.to_string(), value: value.to_string(), origin });
    }
    entries
}
