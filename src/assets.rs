//! Where the embedding runtime (ONNX Runtime) and the model live, and what state they are in.
//!
//! `install.sh` puts both in a per-user data dir; `ORT_DYLIB_PATH` / `screenlink.ortLibrary`
//! and `SCREENLINK_MODEL_DIR` / `screenlink.modelDir` point elsewhere. Nothing here downloads.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::{Origin, Precision, Settings};
use crate::error::{Error, Result};
use crate::messages;

/// Overrides the per-user data dir (both install.sh and the binary honour it).
pub const DATA_DIR_ENV: &str = "SCREENLINK_DATA_DIR";
pub const MODEL_NAME: &str = "all-MiniLM-L6-v2";
/// sentence-transformers' max_seq_length for this model (fastembed's default, 512, is wrong for it).
pub const MAX_TOKENS: usize = 256;
/// The tokenizer files `model dir` must hold beside the graph of the precision in use.
pub const TOKENIZER_FILES: [&str; 4] = ["tokenizer.json", "config.json", "special_tokens_map.json", "tokenizer_config.json"];
/// ort 2.0.0-rc.15 (through fastembed 7.7) speaks ONNX Runtime's C API 24.
pub const ORT_MIN_MINOR: u32 = 24;

/// The per-user data dir: `$SCREENLINK_DATA_DIR`, else the OS's (e.g. `~/.local/share/screenlink`).
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "screenlink").map(|d| d.data_dir().to_path_buf()).unwrap_or_else(|| crate::config::home_dir().join(".screenlink"))
}

/// A path we looked at, and why there.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub path: PathBuf,
    pub origin: Origin,
}

/// The ONNX Runtime shared library to load.
pub fn ort_library(settings: &Settings) -> Location {
    match &settings.ort_library {
        Some(s) if s.value.is_dir() => Location { path: find_ort_in(&s.value), origin: s.origin.clone() },
        Some(s) => Location { path: s.value.clone(), origin: s.origin.clone() },
        None => Location { path: find_ort_in(&data_dir().join("onnxruntime")), origin: Origin::Default },
    }
}

/// The directory holding the model files.
pub fn model_dir(settings: &Settings) -> Location {
    match &settings.model_dir {
        Some(s) => Location { path: s.value.clone(), origin: s.origin.clone() },
        None => Location { path: data_dir().join("models").join(MODEL_NAME), origin: Origin::Default },
    }
}

/// In a directory, the file named like ONNX Runtime's main library (not its provider plugins).
fn find_ort_in(dir: &Path) -> PathBuf {
    let is_runtime = |name: &str| name.starts_with("libonnxruntime.") && (name.contains(".so") || name.ends_with(".dylib")) || name == "onnxruntime.dll";
    let mut found: Vec<PathBuf> =
        std::fs::read_dir(dir).into_iter().flatten().flatten().filter(|e| is_runtime(&e.file_name().to_string_lossy())).map(|e| e.path()).collect();
    found.sort();
    // The longest name is the fully versioned one (libonnxruntime.so.1.24.4), not a symlink.
    found.into_iter().max_by_key(|p| p.as_os_str().len()).unwrap_or_else(|| dir.join(default_ort_name()))
}

fn default_ort_name() -> String {
    format!("{}onnxruntime{}", std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX)
}

/// Read the version ONNX Runtime reports about itself, without handing the library to ort:
/// a missing, foreign or too-old file must become an error here, because ort panics on it.
pub fn probe_ort(path: &Path) -> Result<String> {
    if !path.is_file() {
        return Err(Error::assets(format!("ONNX Runtime not found at {}", path.display())).hint(messages::INSTALL_ASSETS_HINT));
    }
    // SAFETY: loading a shared library runs its initialisers; this is the library the user
    // (or install.sh) named as ONNX Runtime, which ort would load anyway.
    let lib = unsafe { libloading::Library::new(path) }
        .map_err(|err| Error::assets(format!("{} is not a loadable shared library: {err}", path.display())).hint(messages::INSTALL_ASSETS_HINT))?;
    type GetApiBase = unsafe extern "C" fn() -> *const ApiBase;
    #[repr(C)]
    struct ApiBase {
        get_api: unsafe extern "C" fn(u32) -> *const std::ffi::c_void,
        get_version_string: unsafe extern "C" fn() -> *const std::ffi::c_char,
    }
    // SAFETY: OrtGetApiBase has this signature in every ONNX Runtime release; the struct layout
    // (two function pointers) is part of its stable C ABI.
    let version = unsafe {
        let getter: libloading::Symbol<GetApiBase> = lib
            .get(b"OrtGetApiBase")
            .map_err(|_| Error::assets(format!("{} is not ONNX Runtime (it has no OrtGetApiBase)", path.display())).hint(messages::INSTALL_ASSETS_HINT))?;
        let base = getter();
        if base.is_null() {
            return Err(Error::assets(format!("{} returned no API", path.display())));
        }
        let api = ((*base).get_api)(ORT_MIN_MINOR);
        let v = std::ffi::CStr::from_ptr(((*base).get_version_string)()).to_string_lossy().into_owned();
        if api.is_null() {
            return Err(too_old(path, &v));
        }
        v
    };
    let minor = version.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
    if minor < ORT_MIN_MINOR {
        return Err(too_old(path, &version));
    }
    // Keep it loaded: ort will load the same file, and unloading a runtime that started
    // threads is not something ONNX Runtime supports.
    std::mem::forget(lib);
    Ok(version)
}

fn too_old(path: &Path, version: &str) -> Error {
    Error::assets(format!("ONNX Runtime {version} at {} is too old: git-screenlink needs 1.{ORT_MIN_MINOR} or newer", path.display()))
        .hint(messages::INSTALL_ASSETS_HINT)
}

/// The model files that are missing from `dir` for `precision`, if any.
pub fn missing_model_files(dir: &Path, precision: Precision) -> Vec<&'static str> {
    std::iter::once(precision.model_file()).chain(TOKENIZER_FILES).filter(|f| !dir.join(f).is_file()).collect()
}

/// What install.sh recorded about the model it built (package, sha256), if anything.
pub fn model_manifest(dir: &Path) -> Option<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("manifest.json")).ok()?;
    serde_json::from_str(&text).ok()
}
