//! The Hugging Face hub as mlx-lm reaches it. mlx-lm fetches any model named by a hub id
//! that is not in its cache; git-screenlink downloads nothing unless the user says so
//! (`train --download`), so every mlx-lm it runs otherwise runs with `HF_HUB_OFFLINE=1`
//! (read from the cache, never the network), and a model that is not here is refused
//! before mlx-lm starts, with the way to get it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::{Error, Kind, Result};

/// Where huggingface_hub keeps downloaded models: `HF_HUB_CACHE`, `HF_HOME/hub`, else
/// `huggingface/hub` in the user's cache directory.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HF_HUB_CACHE") {
        return Some(dir.into());
    }
    if let Some(home) = std::env::var_os("HF_HOME") {
        return Some(PathBuf::from(home).join("hub"));
    }
    let cache = std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(cache.join("huggingface").join("hub"))
}

/// Whether huggingface_hub would find no cache directory to list.
pub fn cache_missing() -> bool {
    cache_dir().is_none_or(|d| !d.is_dir())
}

/// Whether mlx-lm can load `model` with no network: a path that exists, or a hub id whose
/// `main` the cache holds (`refs/main` names a snapshot that is there, as huggingface_hub
/// reads it offline).
pub fn is_here(model: &str) -> bool {
    local_dir(model).is_some()
}

/// The directory mlx-lm reads `model` from offline: the path itself, or the snapshot of
/// the hub id's `main` in the cache.
pub fn local_dir(model: &str) -> Option<PathBuf> {
    if Path::new(model).exists() {
        return Some(PathBuf::from(model));
    }
    let folder = cache_dir()?.join(format!("models--{}", model.replace('/', "--")));
    let main = std::fs::read_to_string(folder.join("refs").join("main")).ok()?;
    let main = main.trim();
    let snapshot = folder.join("snapshots").join(main);
    (!main.is_empty() && !main.contains(['/', '\\']) && snapshot.is_dir()).then_some(snapshot)
}

/// `model` must be here (see [`is_here`]): the directory mlx-lm reads it from
/// ([`local_dir`]); else the error says so, with `hint`.
pub fn require_here(model: &str, hint: &str) -> Result<PathBuf> {
    local_dir(model).ok_or_else(|| Error::new(Kind::Usage, crate::messages::model_not_here(model)).hint(hint))
}

/// mlx-lm reads models from the cache only: a hub id that is not there fails at once
/// instead of being downloaded.
pub fn offline(cmd: &mut Command) -> &mut Command {
    cmd.env("HF_HUB_OFFLINE", "1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hub_id_is_here_only_with_a_snapshot_in_the_cache() {
        let cache = tempfile::tempdir().unwrap();
        // Only this test reads or sets HF_HUB_CACHE in the unit tests.
        std::env::set_var("HF_HUB_CACHE", cache.path());
        assert_eq!(cache_dir().as_deref(), Some(cache.path()));
        assert!(!is_here("org/tiny-model"));
        let folder = cache.path().join("models--org--tiny-model");
        std::fs::create_dir_all(folder.join("snapshots").join("0123abcd")).unwrap();
        // A snapshot that no ref names is not what huggingface_hub reads offline.
        assert!(!is_here("org/tiny-model"));
        let err = require_here("org/tiny-model", "the fix").unwrap_err();
        assert_eq!(err.hint.as_deref(), Some("the fix"));
        std::fs::create_dir(folder.join("refs")).unwrap();
        std::fs::write(folder.join("refs").join("main"), "fedcba98").unwrap();
        assert!(!is_here("org/tiny-model"));
        std::fs::write(folder.join("refs").join("main"), "0123abcd\n").unwrap();
        assert!(is_here("org/tiny-model"));
        assert!(require_here("org/tiny-model", "").is_ok());
        assert!(!is_here("org/other-model"));
        // A path is here when it exists, whatever the cache holds.
        assert!(is_here(&cache.path().display().to_string()));
        std::env::remove_var("HF_HUB_CACHE");
    }
}
