//! User-facing wording that more than one place prints, kept together so it stays consistent.

/// How to get ONNX Runtime and the model when either is missing or broken.
pub const INSTALL_ASSETS_HINT: &str =
    "run `./install.sh --assets-only` in a git-screenlink checkout (it fetches ONNX Runtime and the model from PyPI), \
     or point ORT_DYLIB_PATH / SCREENLINK_MODEL_DIR at existing copies";

/// A subcommand whose issue has not landed yet.
pub fn not_built(command: &str) -> String {
    format!("`git screenlink {command}` is not built yet in this version")
}

pub const NOT_BUILT_HINT: &str = "see README.md for what works today (`git screenlink status`, `git screenlink config`)";

pub const NOT_A_REPO: &str = "not in a git repository";

/// The seed guide's error when nothing links.
pub const NO_PAIRS: &str = "No training pairs created (try lowering min_confidence)";
