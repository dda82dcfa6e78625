//! Every `screenlink.*` setting: its key, its default, how it is parsed and checked,
//! and where its effective value came from.
//!
//! Values are read with the `git config` CLI rather than libgit2, so they resolve
//! exactly as git resolves them: system, global (`GIT_CONFIG_GLOBAL` too), repo,
//! worktree, includes, and `git -c` on the command line, with the file each came from.
//! Command-line flags override all of them.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

mod keys;
mod resolve;
mod values;
pub use crate::secrets::RedactMode;
pub use values::{GitBool, Precision, PromptMode, Scoring, SourceKind};

pub use keys::*;
pub use resolve::home_dir;
use resolve::*;

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "source", content = "detail", rename_all = "lowercase")]
pub enum Origin {
    Default,
    /// An environment variable, by name.
    Env(String),
    System(String),
    Global(String),
    /// The repository's own config (`.git/config`, or the worktree's).
    Repo(String),
    /// `git -c key=value screenlink …`
    Command(String),
    /// A command-line flag of ours, by name.
    Flag(String),
}

impl Origin {
    /// The file or variable to name in an error message.
    fn place(&self) -> String {
        match self {
            Origin::Default => "the built-in default".into(),
            Origin::Env(var) => format!("environment variable {var}"),
            Origin::System(f) | Origin::Global(f) | Origin::Repo(f) => f.clone(),
            Origin::Command(_) => "git -c on the command line".into(),
            Origin::Flag(flag) => format!("flag {flag}"),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Default => write!(f, "default"),
            Origin::Env(var) => write!(f, "env: {var}"),
            Origin::System(file) => write!(f, "system: {file}"),
            Origin::Global(file) => write!(f, "global: {file}"),
            Origin::Repo(file) => write!(f, "repo: {file}"),
            Origin::Command(_) => write!(f, "command: git -c"),
            Origin::Flag(flag) => write!(f, "flag: {flag}"),
        }
    }
}

/// A value and its provenance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Setting<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Setting<T> {
    fn default(value: T) -> Self {
        Setting { value, origin: Origin::Default }
    }
}

/// The effective settings for one invocation.
#[derive(Debug, Clone)]
pub struct Settings {
    pub source: Setting<SourceKind>,
    pub screenpipe_db: Setting<PathBuf>,
    pub screenpipe_url: Setting<String>,
    pub discussion_gap_minutes: Setting<f64>,
    pub time_window_days: Setting<u32>,
    pub commit_offset_hours: Setting<f64>,
    pub min_audio_length: Setting<u32>,
    pub min_code_lines: Setting<u32>,
    pub max_commits: Setting<u32>,
    pub max_output_bytes: Setting<u32>,
    pub min_confidence: Setting<f64>,
    pub ask_confidence: Setting<f64>,
    pub scoring: Setting<Scoring>,
    pub notes: Setting<GitBool>,
    pub keyword_weight: Setting<f64>,
    pub semantic_weight: Setting<f64>,
    pub keywords: Vec<Setting<String>>,
    /// `None`: look in the per-user data dir.
    pub model_dir: Option<Setting<PathBuf>>,
    pub model_precision: Setting<Precision>,
    pub ort_library: Option<Setting<PathBuf>>,
    pub candidate_limit: Setting<u32>,
    pub talk_block_rows: Setting<u32>,
    pub cache_max_mb: Setting<u32>,
    /// `None`: `<git common dir>/screenlink`.
    pub dataset_dir: Option<Setting<PathBuf>>,
    pub prompt: Setting<PromptMode>,
    pub quiet: Setting<GitBool>,
    pub hook_timeout_ms: Setting<u32>,
    pub redact: Setting<RedactMode>,
    pub train_model: Setting<String>,
    pub train_iters: Setting<u32>,
    pub train_batch_size: Setting<u32>,
    pub train_learning_rate: Setting<f64>,
    pub train_num_layers: Setting<u32>,
    pub train_fine_tune_type: Setting<String>,
    pub train_format: Setting<String>,
    pub train_valid_fraction: Setting<f64>,
    pub train_python: Option<Setting<PathBuf>>,
    pub train_processes: Setting<u32>,
    pub train_hosts: Option<Setting<PathBuf>>,
    pub train_backend: Setting<String>,
    pub daemon: Setting<GitBool>,
    pub daemon_idle_minutes: Setting<u32>,
    /// `screenlink.*` keys this version does not know (typos, or a newer version's).
    pub unknown_keys: Vec<(String, Origin)>,
    /// Values that are set but wrong, each with its error; the setting holds its default.
    /// Only [`Settings::load_lenient`] returns settings with any (for `config` and `status`).
    pub bad_values: Vec<BadValue>,
}

/// A value given on our command line, for the key it overrides.
#[derive(Debug, Clone)]
pub struct Override {
    pub key: &'static str,
    pub flag: &'static str,
    pub value: String,
}

/// One `screenlink.*` line as git reported it.
#[derive(Debug, Clone)]
struct RawEntry {
    key: String, // lower-cased by git
    value: String,
    origin: Origin,
}

/// A setting whose value is wrong: what it says, where, and the error a command gives.
#[derive(Debug, Clone)]
pub struct BadValue {
    pub key: &'static str,
    pub value: String,
    pub origin: Origin,
    pub error: Error,
}

impl Settings {
    /// Resolve every setting for a command run in `dir` (inside a repo or not); the first
    /// bad value is the error.
    /// The lowest confidence a person at the prompt is asked about: `askConfidence`, never
    /// above `minConfidence`; with the guide's formula, whose score is no probability,
    /// `minConfidence` as the guide has it.
    pub fn ask_floor(&self) -> f64 {
        match self.scoring.value {
            Scoring::Fitted => self.ask_confidence.value.min(self.min_confidence.value),
            Scoring::Guide => self.min_confidence.value,
        }
    }

    pub fn load(dir: &Path, overrides: &[Override]) -> Result<Settings> {
        let mut settings = Settings::load_lenient(dir, overrides)?;
        if settings.bad_values.is_empty() {
            Ok(settings)
        } else {
            Err(settings.bad_values.swap_remove(0).error)
        }
    }

    /// Like [`load`](Self::load), but a bad value leaves its setting at the default and is
    /// listed in `bad_values`: the commands that diagnose (`config`, `status`) show it.
    pub fn load_lenient(dir: &Path, overrides: &[Override]) -> Result<Settings> {
        let mut raw = read_git_config(dir)?;
        for e in &mut raw {
            absolute_origin(&mut e.origin, dir);
        }
        raw.extend(overrides.iter().map(|o| RawEntry { key: o.key.to_ascii_lowercase(), value: o.value.clone(), origin: Origin::Flag(o.flag.to_string()) }));
        Ok(Settings::from_entries(&raw))
    }

    fn from_entries(raw: &[RawEntry]) -> Settings {
        let r = Resolver { raw, bad: Default::default() };
        const UNIT: &str = "a number from 0 to 1";
        const POSITIVE: &str = "a whole number above 0";
        const COUNT: &str = "a whole number, 0 or more";
        let unit = |x: &f64| (0.0..=1.0).contains(x);
        let positive = |x: &u32| *x > 0;
        let any = |_: &u32| true;
        let hours = |x: &f64| x.is_finite() && *x >= 0.0;

        let screenpipe_db = match r.last(SCREENPIPE_DB) {
            Some(e) => Setting { value: expand_home(&e.value), origin: e.origin.clone() },
            None => default_screenpipe_db(),
        };
        let env_path =
            |var: &str| std::env::var_os(var).filter(|v| !v.is_empty()).map(|v| Setting { value: PathBuf::from(v), origin: Origin::Env(var.to_string()) });
        let config_path = |key: &str| r.last(key).map(|e| Setting { value: expand_home(&e.value), origin: e.origin.clone() });

        let mut settings = Settings {
            source: r.parse(SOURCE, SOURCE_DEFAULT, "auto, db or api", |_| true),
            screenpipe_db,
            screenpipe_url: r.parse(SCREENPIPE_URL, SCREENPIPE_URL_DEFAULT.to_string(), "an http:// URL such as http://localhost:3030", |u: &String| {
                u.starts_with("http://") || u.starts_with("https://")
            }),
            discussion_gap_minutes: r
                .parse(DISCUSSION_GAP_MINUTES, DISCUSSION_GAP_MINUTES_DEFAULT, "a number of minutes above 0", |x: &f64| x.is_finite() && *x > 0.0),
            time_window_days: r.parse(TIME_WINDOW_DAYS, TIME_WINDOW_DAYS_DEFAULT, POSITIVE, positive),
            commit_offset_hours: r.parse(COMMIT_OFFSET_HOURS, COMMIT_OFFSET_HOURS_DEFAULT, "a number of hours, 0 or more", hours),
            min_audio_length: r.parse(MIN_AUDIO_LENGTH, MIN_AUDIO_LENGTH_DEFAULT, COUNT, any),
            min_code_lines: r.parse(MIN_CODE_LINES, MIN_CODE_LINES_DEFAULT, COUNT, any),
            max_commits: r.parse(MAX_COMMITS, MAX_COMMITS_DEFAULT, POSITIVE, positive),
            max_output_bytes: r.parse(MAX_OUTPUT_BYTES, MAX_OUTPUT_BYTES_DEFAULT, POSITIVE, positive),
            min_confidence: r.parse(MIN_CONFIDENCE, MIN_CONFIDENCE_DEFAULT, UNIT, unit),
            ask_confidence: r.parse(ASK_CONFIDENCE, ASK_CONFIDENCE_DEFAULT, UNIT, unit),
            scoring: r.parse(SCORING, SCORING_DEFAULT, "fitted or guide", |_| true),
            notes: r.parse(NOTES, GitBool(NOTES_DEFAULT), "true or false", |_| true),
            keyword_weight: r.parse(KEYWORD_WEIGHT, KEYWORD_WEIGHT_DEFAULT, UNIT, unit),
            semantic_weight: r.parse(SEMANTIC_WEIGHT, SEMANTIC_WEIGHT_DEFAULT, UNIT, unit),
            keywords: r
                .all(KEYWORDS)
                .filter(|e| !e.value.trim().is_empty())
                .map(|e| Setting { value: e.value.trim().to_string(), origin: e.origin.clone() })
                .collect(),
            model_dir: path_override(config_path(MODEL_DIR), env_path(MODEL_DIR_ENV)),
            model_precision: r.parse(MODEL_PRECISION, MODEL_PRECISION_DEFAULT, "fp32 or int8", |_| true),
            ort_library: path_override(config_path(ORT_LIBRARY), env_path(ORT_LIBRARY_ENV)),
            candidate_limit: r.parse(CANDIDATE_LIMIT, CANDIDATE_LIMIT_DEFAULT, COUNT, any),
            talk_block_rows: r.parse(TALK_BLOCK_ROWS, TALK_BLOCK_ROWS_DEFAULT, POSITIVE, positive),
            cache_max_mb: r.parse(CACHE_MAX_MB, CACHE_MAX_MB_DEFAULT, COUNT, any),
            dataset_dir: config_path(DATASET_DIR),
            prompt: r.parse(PROMPT, PROMPT_DEFAULT, "ask, queue or auto", |_| true),
            quiet: r.parse(QUIET, GitBool(QUIET_DEFAULT), "true or false", |_| true),
            hook_timeout_ms: r.parse(HOOK_TIMEOUT_MS, HOOK_TIMEOUT_MS_DEFAULT, POSITIVE, positive),
            redact: r.parse(REDACT, REDACT_DEFAULT, "redact, flag or off", |_| true),
            train_model: r.parse(TRAIN_MODEL, TRAIN_MODEL_DEFAULT.to_string(), "a model directory or hub id", |m: &String| !m.trim().is_empty()),
            train_iters: r.parse(TRAIN_ITERS, TRAIN_ITERS_DEFAULT, POSITIVE, positive),
            train_batch_size: r.parse(TRAIN_BATCH_SIZE, TRAIN_BATCH_SIZE_DEFAULT, POSITIVE, positive),
            train_learning_rate: r.parse(TRAIN_LEARNING_RATE, TRAIN_LEARNING_RATE_DEFAULT, "a number above 0", |x: &f64| x.is_finite() && *x > 0.0),
            train_num_layers: r.parse(TRAIN_NUM_LAYERS, TRAIN_NUM_LAYERS_DEFAULT, POSITIVE, positive),
            train_fine_tune_type: r.parse(TRAIN_FINE_TUNE_TYPE, TRAIN_FINE_TUNE_TYPE_DEFAULT.to_string(), "lora, dora or full", |t: &String| {
                ["lora", "dora", "full"].contains(&t.as_str())
            }),
            train_format: r.parse(TRAIN_FORMAT, TRAIN_FORMAT_DEFAULT.to_string(), "chat, completions or text", |t: &String| {
                ["chat", "completions", "text"].contains(&t.as_str())
            }),
            train_valid_fraction: r.parse(TRAIN_VALID_FRACTION, TRAIN_VALID_FRACTION_DEFAULT, "a number above 0 and below 0.5", |x: &f64| *x > 0.0 && *x < 0.5),
            train_python: config_path(TRAIN_PYTHON),
            train_processes: r.parse(TRAIN_PROCESSES, TRAIN_PROCESSES_DEFAULT, POSITIVE, positive),
            train_hosts: config_path(TRAIN_HOSTS),
            daemon: r.parse(DAEMON, GitBool(DAEMON_DEFAULT), "true or false", |_| true),
            daemon_idle_minutes: r.parse(DAEMON_IDLE_MINUTES, DAEMON_IDLE_MINUTES_DEFAULT, POSITIVE, positive),
            train_backend: r
                .parse(TRAIN_BACKEND, TRAIN_BACKEND_DEFAULT.to_string(), "ring, mpi or any", |b: &String| ["ring", "mpi", "any"].contains(&b.as_str())),
            unknown_keys: raw.iter().filter(|e| !KEYS.iter().any(|k| k.eq_ignore_ascii_case(&e.key))).map(|e| (e.key.clone(), e.origin.clone())).collect(),
            bad_values: Vec::new(),
        };
        r.check_weights(&settings);
        settings.bad_values = r.bad.into_inner();
        settings
    }

    /// Every effective value with its origin, in `KEYS` order, for `git screenlink config`.
    pub fn entries(&self) -> Vec<Entry> {
        fn one<T: Serialize>(key: &'static str, s: &Setting<T>) -> Entry {
            Entry { key, value: serde_json::to_value(&s.value).unwrap_or_default(), origin: s.origin.clone() }
        }
        let optional_path = |key, s: &Option<Setting<PathBuf>>, default: &str| match s {
            Some(s) => one(key, s),
            None => Entry { key, value: default.into(), origin: Origin::Default },
        };
        vec![
            one(SOURCE, &self.source),
            one(SCREENPIPE_DB, &self.screenpipe_db),
            one(SCREENPIPE_URL, &self.screenpipe_url),
            one(DISCUSSION_GAP_MINUTES, &self.discussion_gap_minutes),
            one(TIME_WINDOW_DAYS, &self.time_window_days),
            one(COMMIT_OFFSET_HOURS, &self.commit_offset_hours),
            one(MIN_AUDIO_LENGTH, &self.min_audio_length),
            one(MIN_CODE_LINES, &self.min_code_lines),
            one(MAX_COMMITS, &self.max_commits),
            one(MAX_OUTPUT_BYTES, &self.max_output_bytes),
            one(MIN_CONFIDENCE, &self.min_confidence),
            one(ASK_CONFIDENCE, &self.ask_confidence),
            one(SCORING, &self.scoring),
            one(NOTES, &self.notes),
            one(KEYWORD_WEIGHT, &self.keyword_weight),
            one(SEMANTIC_WEIGHT, &self.semantic_weight),
            Entry {
                key: KEYWORDS,
                value: self.keywords.iter().map(|k| k.value.clone()).collect::<Vec<_>>().into(),
                origin: match self.keywords.last() {
                    Some(k) => k.origin.clone(),
                    None => Origin::Default,
                },
            },
            optional_path(MODEL_DIR, &self.model_dir, "(per-user data dir)"),
            one(MODEL_PRECISION, &self.model_precision),
            optional_path(ORT_LIBRARY, &self.ort_library, "(per-user data dir)"),
            one(CANDIDATE_LIMIT, &self.candidate_limit),
            one(TALK_BLOCK_ROWS, &self.talk_block_rows),
            one(CACHE_MAX_MB, &self.cache_max_mb),
            optional_path(DATASET_DIR, &self.dataset_dir, "(git common dir)/screenlink"),
            one(PROMPT, &self.prompt),
            one(QUIET, &self.quiet),
            one(HOOK_TIMEOUT_MS, &self.hook_timeout_ms),
            one(REDACT, &self.redact),
            one(TRAIN_MODEL, &self.train_model),
            one(TRAIN_ITERS, &self.train_iters),
            one(TRAIN_BATCH_SIZE, &self.train_batch_size),
            one(TRAIN_LEARNING_RATE, &self.train_learning_rate),
            one(TRAIN_NUM_LAYERS, &self.train_num_layers),
            one(TRAIN_FINE_TUNE_TYPE, &self.train_fine_tune_type),
            one(TRAIN_FORMAT, &self.train_format),
            one(TRAIN_VALID_FRACTION, &self.train_valid_fraction),
            optional_path(TRAIN_PYTHON, &self.train_python, "(mlx_lm on PATH, else python3)"),
            one(TRAIN_PROCESSES, &self.train_processes),
            optional_path(TRAIN_HOSTS, &self.train_hosts, "(none: this machine only)"),
            one(TRAIN_BACKEND, &self.train_backend),
            one(DAEMON, &self.daemon),
            one(DAEMON_IDLE_MINUTES, &self.daemon_idle_minutes),
        ]
    }
}

/// One line of `git screenlink config`.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub key: &'static str,
    pub value: serde_json::Value,
    #[serde(flatten)]
    pub origin: Origin,
}

#[cfg(test)]
mod tests;
