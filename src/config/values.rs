//! The values of settings that are words (`fitted`, `int8`, `ask`, `true`, `db`): each
//! parsed as git config's users write them, case-insensitively.

use serde::Serialize;

/// See [`SCORING`](super::SCORING).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scoring {
    Fitted,
    Guide,
}

impl std::str::FromStr for Scoring {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "fitted" => Ok(Scoring::Fitted),
            "guide" => Ok(Scoring::Guide),
            _ => Err(()),
        }
    }
}

/// See [`MODEL_PRECISION`](super::MODEL_PRECISION).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Fp32,
    Int8,
}

impl Precision {
    /// The graph's file in the model dir (install.sh writes both).
    pub fn model_file(self) -> &'static str {
        match self {
            Precision::Fp32 => "model.onnx",
            Precision::Int8 => "model-int8.onnx",
        }
    }

    /// How `status` names the build beside the model's name.
    pub fn label(self) -> &'static str {
        match self {
            Precision::Fp32 => "",
            Precision::Int8 => " (int8 build)",
        }
    }

    /// The model as recorded in each pair's metadata and in cache keys.
    pub fn model_id(self) -> &'static str {
        match self {
            Precision::Fp32 => "sentence-transformers/all-MiniLM-L6-v2",
            Precision::Int8 => "sentence-transformers/all-MiniLM-L6-v2@int8",
        }
    }
}

impl std::str::FromStr for Precision {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "fp32" => Ok(Precision::Fp32),
            "int8" => Ok(Precision::Int8),
            _ => Err(()),
        }
    }
}

/// What the post-commit hook does with a linked commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PromptMode {
    /// Prompt on the terminal when there is one, else queue.
    Ask,
    /// Never prompt: queue for `git screenlink review`.
    Queue,
    /// Accept at or above minConfidence without asking; log the rest.
    Auto,
}

impl std::str::FromStr for PromptMode {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "ask" => Ok(PromptMode::Ask),
            "queue" => Ok(PromptMode::Queue),
            "auto" => Ok(PromptMode::Auto),
            _ => Err(()),
        }
    }
}

/// git's booleans: true/yes/on/1 and false/no/off/0 (and a valueless key is true).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct GitBool(pub bool);

impl std::str::FromStr for GitBool {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "" | "true" | "yes" | "on" | "1" => Ok(GitBool(true)),
            "false" | "no" | "off" | "0" => Ok(GitBool(false)),
            _ => Err(()),
        }
    }
}

/// Which screenpipe source to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// The database when it opens and reads, else the API.
    Auto,
    Db,
    Api,
}

impl std::str::FromStr for SourceKind {
    type Err = ();
    fn from_str(s: &str) -> std::result::Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(SourceKind::Auto),
            "db" => Ok(SourceKind::Db),
            "api" => Ok(SourceKind::Api),
            _ => Err(()),
        }
    }
}
