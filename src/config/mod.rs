//! Every `screenlink.*` setting: its key, its default, how it is parsed and checked,
//! and where its effective value came from.
//!
//! Values are read with the `git config` CLI rather than libgit2, so they resolve
//! exactly as git resolves them: system, global (`GIT_CONFIG_GLOBAL` too), repo,
//! worktree, includes, and `git -c` on the command line, with the file each came from.
//! Command-line flags override all of them.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::error::{Error, Kind, Result};

mod values;
pub use values::{GitBool, Precision, PromptMode, Scoring, SourceKind};
pub use crate::secrets::RedactMode;

pub const SCREENPIPE_DB: &str = "screenlink.screenpipeDb";
/// Default: `<SCREENPIPE_DATA_DIR or ~/.screenpipe>/db.sqlite`, screenpipe's own rule.
pub const SCREENPIPE_DATA_DIR_ENV: &str = "SCREENPIPE_DATA_DIR";
pub const TIME_WINDOW_DAYS: &str = "screenlink.timeWindowDays";
pub const TIME_WINDOW_DAYS_DEFAULT: u32 = 7;
pub const COMMIT_OFFSET_HOURS: &str = "screenlink.commitOffsetHours";
pub const COMMIT_OFFSET_HOURS_DEFAULT: f64 = 1.0;
pub const MIN_AUDIO_LENGTH: &str = "screenlink.minAudioLength";
pub const MIN_AUDIO_LENGTH_DEFAULT: u32 = 100;
pub const MIN_CODE_LINES: &str = "screenlink.minCodeLines";
pub const MIN_CODE_LINES_DEFAULT: u32 = 5;
/// The most bytes of added code in one pair's output (about 16k tokens): files past it are
/// left out, and a commit left with nothing is skipped.
pub const MAX_OUTPUT_BYTES: &str = "screenlink.maxOutputBytes";
pub const MAX_OUTPUT_BYTES_DEFAULT: u32 = 65_536;
pub const MAX_COMMITS: &str = "screenlink.maxCommits";
pub const MAX_COMMITS_DEFAULT: u32 = 500;
pub const MIN_CONFIDENCE: &str = "screenlink.minConfidence";
pub const MIN_CONFIDENCE_DEFAULT: f64 = 0.6;
pub const KEYWORD_WEIGHT: &str = "screenlink.keywordWeight";
pub const KEYWORD_WEIGHT_DEFAULT: f64 = 0.3;
pub const SEMANTIC_WEIGHT: &str = "screenlink.semanticWeight";
pub const SEMANTIC_WEIGHT_DEFAULT: f64 = 0.7;
/// Multi-valued: extra technical keywords (the seed guide's TECH_KEYWORDS extension point).
pub const KEYWORDS: &str = "screenlink.keywords";
pub const SOURCE: &str = "screenlink.source";
pub const SOURCE_DEFAULT: SourceKind = SourceKind::Auto;
pub const SCREENPIPE_URL: &str = "screenlink.screenpipeUrl";
pub const SCREENPIPE_URL_DEFAULT: &str = "http://localhost:3030";
/// Bearer token for screenpipe's API: a secret, so an environment variable, never git config.
pub const SCREENPIPE_API_KEY_ENV: &str = "SCREENPIPE_API_KEY";
pub const DISCUSSION_GAP_MINUTES: &str = "screenlink.discussionGapMinutes";
pub const DISCUSSION_GAP_MINUTES_DEFAULT: f64 = 5.0;
pub const MODEL_DIR: &str = "screenlink.modelDir";
/// Overrides `screenlink.modelDir`. Default: `<data dir>/models/all-MiniLM-L6-v2`.
pub const MODEL_DIR_ENV: &str = "SCREENLINK_MODEL_DIR";
pub const ORT_LIBRARY: &str = "screenlink.ortLibrary";
/// Overrides `screenlink.ortLibrary` (ort's own variable). Default: `<data dir>/onnxruntime/`.
pub const ORT_LIBRARY_ENV: &str = "ORT_DYLIB_PATH";
/// Passages per commit that reach the semantic stage (the cascade's prune); 0 = all.
pub const CANDIDATE_LIMIT: &str = "screenlink.candidateLimit";
pub const CANDIDATE_LIMIT_DEFAULT: u32 = 8;
/// Rows of talk backfill reads and links at a time (`pipeline::blocks`): memory holds one
/// block of talk, whatever the history's length. Lower it on a small machine.
pub const TALK_BLOCK_ROWS: &str = "screenlink.talkBlockRows";
pub const TALK_BLOCK_ROWS_DEFAULT: u32 = 50_000;
/// Where the dataset lives. Default: `<git common dir>/screenlink`, never the work tree.
pub const DATASET_DIR: &str = "screenlink.datasetDir";
/// What the post-commit hook does: ask on the terminal, queue for `review`, or accept automatically.
pub const PROMPT: &str = "screenlink.prompt";
pub const PROMPT_DEFAULT: PromptMode = PromptMode::Ask;
/// No line from the hook when nothing links.
pub const QUIET: &str = "screenlink.quiet";
pub const QUIET_DEFAULT: bool = false;
/// How long the hook may spend scoring before it queues the commit instead.
pub const HOOK_TIMEOUT_MS: &str = "screenlink.hookTimeoutMs";
pub const HOOK_TIMEOUT_MS_DEFAULT: u32 = 3000;
/// `git screenlink train` (mlx-lm LoRA); defaults are the seed guide's.
pub const TRAIN_MODEL: &str = "screenlink.train.model";
pub const TRAIN_MODEL_DEFAULT: &str = "deepseek-ai/deepseek-coder-1.3b-instruct";
pub const TRAIN_ITERS: &str = "screenlink.train.iters";
pub const TRAIN_ITERS_DEFAULT: u32 = 1000;
pub const TRAIN_BATCH_SIZE: &str = "screenlink.train.batchSize";
pub const TRAIN_BATCH_SIZE_DEFAULT: u32 = 4;
pub const TRAIN_LEARNING_RATE: &str = "screenlink.train.learningRate";
pub const TRAIN_LEARNING_RATE_DEFAULT: f64 = 1e-5;
pub const TRAIN_NUM_LAYERS: &str = "screenlink.train.numLayers";
pub const TRAIN_NUM_LAYERS_DEFAULT: u32 = 16;
pub const TRAIN_FINE_TUNE_TYPE: &str = "screenlink.train.fineTuneType";
pub const TRAIN_FINE_TUNE_TYPE_DEFAULT: &str = "lora";
pub const TRAIN_FORMAT: &str = "screenlink.train.format";
pub const TRAIN_FORMAT_DEFAULT: &str = "chat";
pub const TRAIN_VALID_FRACTION: &str = "screenlink.train.validFraction";
pub const TRAIN_VALID_FRACTION_DEFAULT: f64 = 0.1;
/// A Python with mlx-lm installed (run as `PYTHON -m mlx_lm`); default: `mlx_lm` on PATH, then `python3`.
pub const TRAIN_PYTHON: &str = "screenlink.train.python";
/// Whether the hook asks (and starts) `git screenlink daemon`, which keeps the model loaded.
pub const DAEMON: &str = "screenlink.daemon";
pub const DAEMON_DEFAULT: bool = true;
/// Minutes without a request after which the daemon exits.
pub const DAEMON_IDLE_MINUTES: &str = "screenlink.daemonIdleMinutes";
pub const DAEMON_IDLE_MINUTES_DEFAULT: u32 = 30;
/// Ranks on this machine for `mlx.launch -n N` (1: no launcher).
pub const TRAIN_PROCESSES: &str = "screenlink.train.processes";
pub const TRAIN_PROCESSES_DEFAULT: u32 = 1;
/// mlx.launch's host file (JSON: SSH hosts and the IPs the ring uses); none by default.
pub const TRAIN_HOSTS: &str = "screenlink.train.hosts";
/// mlx.launch's backend: ring, mpi, or any (mlx.launch picks: nccl with CUDA, else ring).
pub const TRAIN_BACKEND: &str = "screenlink.train.backend";
pub const TRAIN_BACKEND_DEFAULT: &str = "any";
/// What writers do with secrets and personal data: redact, flag, or off.
pub const REDACT: &str = "screenlink.redact";
pub const REDACT_DEFAULT: RedactMode = RedactMode::Redact;

/// Write a git note (`refs/notes/screenlink`) for every accepted pair.
pub const NOTES: &str = "screenlink.notes";
pub const NOTES_DEFAULT: bool = false;

/// How a candidate's confidence is computed: `fitted` (the calibrated probability that the
/// link is right, see `score::fitted`) or `guide` (the seed guide's weighted sum).
pub const SCORING: &str = "screenlink.scoring";
pub const SCORING_DEFAULT: Scoring = Scoring::Fitted;

/// Which build of the embedding model scores: `fp32` (the model as sentence-transformers
/// runs it) or `int8` (its linear layers' weights as 8-bit integers: cold runs ~1.8× faster,
/// cosines within a few hundredths; README, "Performance"). Each has its own vector cache.
pub const MODEL_PRECISION: &str = "screenlink.modelPrecision";
pub const MODEL_PRECISION_DEFAULT: Precision = Precision::Fp32;

/// Every key this version knows, in the order `git screenlink config` prints them.
pub const KEYS: &[&str] = &[
    SOURCE,
    SCREENPIPE_DB,
    SCREENPIPE_URL,
    DISCUSSION_GAP_MINUTES,
    TIME_WINDOW_DAYS,
    COMMIT_OFFSET_HOURS,
    MIN_AUDIO_LENGTH,
    MIN_CODE_LINES,
    MAX_OUTPUT_BYTES,
    MAX_COMMITS,
    MIN_CONFIDENCE,
    SCORING,
    NOTES,
    KEYWORD_WEIGHT,
    SEMANTIC_WEIGHT,
    KEYWORDS,
    MODEL_DIR,
    MODEL_PRECISION,
    ORT_LIBRARY,
    CANDIDATE_LIMIT,
    TALK_BLOCK_ROWS,
    DATASET_DIR,
    PROMPT,
    QUIET,
    HOOK_TIMEOUT_MS,
    REDACT,
    TRAIN_MODEL,
    TRAIN_ITERS,
    TRAIN_BATCH_SIZE,
    TRAIN_LEARNING_RATE,
    TRAIN_NUM_LAYERS,
    TRAIN_FINE_TUNE_TYPE,
    TRAIN_FORMAT,
    TRAIN_VALID_FRACTION,
    TRAIN_PYTHON,
    TRAIN_PROCESSES,
    TRAIN_HOSTS,
    TRAIN_BACKEND,
    DAEMON,
    DAEMON_IDLE_MINUTES,
];

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
        raw.extend(overrides.iter().map(|o| RawEntry {
            key: o.key.to_ascii_lowercase(),
            value: o.value.clone(),
            origin: Origin::Flag(o.flag.to_string()),
        }));
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
        let env_path = |var: &str| {
            std::env::var_os(var).filter(|v| !v.is_empty()).map(|v| Setting {
                value: PathBuf::from(v),
                origin: Origin::Env(var.to_string()),
            })
        };
        let config_path = |key: &str| {
            r.last(key).map(|e| Setting { value: expand_home(&e.value), origin: e.origin.clone() })
        };

        let mut settings = Settings {
            source: r.parse(SOURCE, SOURCE_DEFAULT, "auto, db or api", |_| true),
            screenpipe_db,
            screenpipe_url: r.parse(
                SCREENPIPE_URL,
                SCREENPIPE_URL_DEFAULT.to_string(),
                "an http:// URL such as http://localhost:3030",
                |u: &String| u.starts_with("http://") || u.starts_with("https://"),
            ),
            discussion_gap_minutes: r.parse(
                DISCUSSION_GAP_MINUTES,
                DISCUSSION_GAP_MINUTES_DEFAULT,
                "a number of minutes above 0",
                |x: &f64| x.is_finite() && *x > 0.0,
            ),
            time_window_days: r.parse(TIME_WINDOW_DAYS, TIME_WINDOW_DAYS_DEFAULT, POSITIVE, positive),
            commit_offset_hours: r.parse(
                COMMIT_OFFSET_HOURS,
                COMMIT_OFFSET_HOURS_DEFAULT,
                "a number of hours, 0 or more",
                hours,
            ),
            min_audio_length: r.parse(MIN_AUDIO_LENGTH, MIN_AUDIO_LENGTH_DEFAULT, COUNT, any),
            min_code_lines: r.parse(MIN_CODE_LINES, MIN_CODE_LINES_DEFAULT, COUNT, any),
            max_commits: r.parse(MAX_COMMITS, MAX_COMMITS_DEFAULT, POSITIVE, positive),
            max_output_bytes: r.parse(MAX_OUTPUT_BYTES, MAX_OUTPUT_BYTES_DEFAULT, POSITIVE, positive),
            min_confidence: r.parse(MIN_CONFIDENCE, MIN_CONFIDENCE_DEFAULT, UNIT, unit),
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
            train_fine_tune_type: r.parse(TRAIN_FINE_TUNE_TYPE, TRAIN_FINE_TUNE_TYPE_DEFAULT.to_string(), "lora, dora or full", |t: &String| ["lora", "dora", "full"].contains(&t.as_str())),
            train_format: r.parse(TRAIN_FORMAT, TRAIN_FORMAT_DEFAULT.to_string(), "chat, completions or text", |t: &String| ["chat", "completions", "text"].contains(&t.as_str())),
            train_valid_fraction: r.parse(TRAIN_VALID_FRACTION, TRAIN_VALID_FRACTION_DEFAULT, "a number above 0 and below 0.5", |x: &f64| *x > 0.0 && *x < 0.5),
            train_python: config_path(TRAIN_PYTHON),
            train_processes: r.parse(TRAIN_PROCESSES, TRAIN_PROCESSES_DEFAULT, POSITIVE, positive),
            train_hosts: config_path(TRAIN_HOSTS),
            daemon: r.parse(DAEMON, GitBool(DAEMON_DEFAULT), "true or false", |_| true),
            daemon_idle_minutes: r.parse(DAEMON_IDLE_MINUTES, DAEMON_IDLE_MINUTES_DEFAULT, POSITIVE, positive),
            train_backend: r.parse(TRAIN_BACKEND, TRAIN_BACKEND_DEFAULT.to_string(), "ring, mpi or any", |b: &String| ["ring", "mpi", "any"].contains(&b.as_str())),
            unknown_keys: raw
                .iter()
                .filter(|e| !KEYS.iter().any(|k| k.eq_ignore_ascii_case(&e.key)))
                .map(|e| (e.key.clone(), e.origin.clone()))
                .collect(),
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

struct Resolver<'a> {
    raw: &'a [RawEntry],
    bad: std::cell::RefCell<Vec<BadValue>>,
}

impl<'a> Resolver<'a> {
    fn all<'k>(&self, key: &'k str) -> impl Iterator<Item = &'a RawEntry> + 'k
    where
        'a: 'k,
    {
        self.raw.iter().filter(move |e| e.key.eq_ignore_ascii_case(key))
    }

    /// git's rule for single-valued keys: the last one read wins.
    fn last(&self, key: &str) -> Option<&RawEntry> {
        self.raw.iter().rev().find(|e| e.key.eq_ignore_ascii_case(key))
    }

    /// The last value of `key`, parsed and checked; `expected` says what a good one looks
    /// like. A bad value is recorded and the default used.
    fn parse<T: std::str::FromStr>(
        &self,
        key: &'static str,
        default: T,
        expected: &str,
        check: impl Fn(&T) -> bool,
    ) -> Setting<T> {
        let Some(e) = self.last(key) else { return Setting::default(default) };
        match e.value.trim().parse::<T>() {
            Ok(value) if check(&value) => Setting { value, origin: e.origin.clone() },
            _ => {
                let error = Error::config(format!("{key} = {:?} in {} is not {expected}", e.value, e.origin.place()))
                    .hint(fix_hint(key, &e.origin, expected));
                self.bad.borrow_mut().push(BadValue { key, value: e.value.clone(), origin: e.origin.clone(), error });
                Setting::default(default)
            }
        }
    }

    /// The guide's formula is a weighted mean: its weights sum to 1, so confidence stays
    /// in [0, 1].
    fn check_weights(&self, s: &Settings) {
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
        let error = Error::config(format!(
            "{KEYWORD_WEIGHT} ({}) and {SEMANTIC_WEIGHT} ({}) add up to {}, not 1",
            k.value,
            m.value,
            k.value + m.value
        ))
        .hint(format!(
            "set both so they sum to 1, e.g. `git config {KEYWORD_WEIGHT} {}` and `git config {SEMANTIC_WEIGHT} {}` (or --keyword-weight/--semantic-weight)",
            k.value.min(1.0),
            ((1.0 - k.value.min(1.0)) * 1e6).round() / 1e6
        ));
        self.bad.borrow_mut().push(BadValue { key, value: setting.value.to_string(), origin: setting.origin.clone(), error });
    }
}

/// How to fix a bad value where it was set.
fn fix_hint(key: &str, origin: &Origin, expected: &str) -> String {
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
fn absolute_origin(origin: &mut Origin, dir: &Path) {
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
fn path_override(config: Option<Setting<PathBuf>>, env: Option<Setting<PathBuf>>) -> Option<Setting<PathBuf>> {
    match config {
        Some(c) if matches!(c.origin, Origin::Flag(_)) => Some(c),
        c => env.or(c),
    }
}

fn default_screenpipe_db() -> Setting<PathBuf> {
    match std::env::var_os(SCREENPIPE_DATA_DIR_ENV).filter(|v| !v.is_empty()) {
        Some(dir) => Setting {
            value: PathBuf::from(dir).join("db.sqlite"),
            origin: Origin::Env(SCREENPIPE_DATA_DIR_ENV.into()),
        },
        None => Setting::default(home_dir().join(".screenpipe").join("db.sqlite")),
    }
}

pub fn home_dir() -> PathBuf {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf()).unwrap_or_else(|| PathBuf::from("."))
}

/// `~/x` → `$HOME/x`, as git does for its own path values.
fn expand_home(value: &str) -> PathBuf {
    match value.strip_prefix("~/") {
        Some(rest) => home_dir().join(rest),
        None => PathBuf::from(value),
    }
}

/// Run `git config` for every `screenlink.*` entry, in git's reading order.
fn read_git_config(dir: &Path) -> Result<Vec<RawEntry>> {
    let output = Command::new("git")
        .current_dir(dir)
        .args(["config", "-z", "--includes", "--show-scope", "--show-origin", "--get-regexp", r"^screenlink\."])
        .output()
        .map_err(|err| {
            Error::new(Kind::Git, format!("could not run git to read configuration: {err}"))
                .hint("install git and make sure it is on PATH")
        })?;
    match output.status.code() {
        Some(0) => Ok(parse_git_config_z(&output.stdout)),
        Some(1) => Ok(Vec::new()), // no screenlink.* key anywhere
        _ => Err(Error::new(
            Kind::Config,
            format!("git config failed: {}", String::from_utf8_lossy(&output.stderr).trim()),
        )
        .hint("run `git config --list --show-origin` to find the broken config file")),
    }
}

/// Parse `git config -z --show-scope --show-origin --get-regexp` output:
/// records of `scope NUL origin NUL key [LF value] NUL`.
fn parse_git_config_z(out: &[u8]) -> Vec<RawEntry> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str, value: &str, origin: Origin) -> RawEntry {
        RawEntry { key: key.to_ascii_lowercase(), value: value.into(), origin }
    }

    #[test]
    fn parses_git_z_output_with_valueless_keys() {
        let out = b"local\0file:.git/config\0screenlink.minconfidence\n0.7\0global\0file:/h/.gitconfig\0screenlink.quiet\0";
        let raw = parse_git_config_z(out);
        assert_eq!(raw.len(), 2);
        assert_eq!(raw[0].value, "0.7");
        assert_eq!(raw[0].origin, Origin::Repo(".git/config".into()));
        assert_eq!(raw[1].value, "true");
        assert_eq!(raw[1].origin, Origin::Global("/h/.gitconfig".into()));
    }

    #[test]
    fn later_entries_win_and_keywords_accumulate() {
        let raw = vec![
            entry(MIN_CONFIDENCE, "0.5", Origin::Global("g".into())),
            entry(MIN_CONFIDENCE, "0.8", Origin::Repo("r".into())),
            entry(KEYWORDS, "tokio", Origin::Global("g".into())),
            entry(KEYWORDS, "axum", Origin::Repo("r".into())),
        ];
        let s = Settings::from_entries(&raw);
        assert!(s.bad_values.is_empty());
        assert_eq!(s.min_confidence.value, 0.8);
        assert_eq!(s.min_confidence.origin, Origin::Repo("r".into()));
        let kws: Vec<_> = s.keywords.iter().map(|k| k.value.as_str()).collect();
        assert_eq!(kws, ["tokio", "axum"]);
        assert_eq!(s.time_window_days, Setting::default(7));
    }

    #[test]
    fn rejects_values_naming_key_and_file() {
        for (key, value) in [
            (MIN_CONFIDENCE, "abc"),
            (MIN_CONFIDENCE, "1.5"),
            (TIME_WINDOW_DAYS, "-3"),
            (KEYWORD_WEIGHT, "-0.1"),
            (SEMANTIC_WEIGHT, "NaN"),
            (COMMIT_OFFSET_HOURS, "-1"),
        ] {
            let raw = vec![entry(key, value, Origin::Repo("repo/.git/config".into()))];
            let s = Settings::from_entries(&raw);
            assert_eq!(s.bad_values.len(), 1, "{key}={value}");
            let (bad, err) = (&s.bad_values[0], &s.bad_values[0].error);
            assert_eq!((bad.key, bad.value.as_str()), (key, value));
            assert_eq!(err.kind, Kind::Config, "{key}={value}");
            assert!(err.message.contains(key), "{}", err.message);
            assert!(err.message.contains("repo/.git/config"), "{}", err.message);
        }
    }

    #[test]
    fn weights_that_do_not_sum_to_one_are_refused_and_the_hint_offers_a_pair_that_does() {
        let raw = vec![
            entry(KEYWORD_WEIGHT, "0.9", Origin::Flag("--keyword-weight".into())),
            entry(SEMANTIC_WEIGHT, "0.9", Origin::Flag("--semantic-weight".into())),
        ];
        let s = Settings::from_entries(&raw);
        assert_eq!(s.bad_values.len(), 1);
        let err = &s.bad_values[0].error;
        assert!(err.message.contains("add up to 1.8, not 1"), "{}", err.message);
        assert!(err.hint.as_deref().unwrap().contains("keywordWeight 0.9` and `git config screenlink.semanticWeight 0.1`"), "{:?}", err.hint);
        for (k, m) in [("0.4", "0.6"), ("0.1", "0.9"), ("1", "0")] {
            let raw = vec![entry(KEYWORD_WEIGHT, k, Origin::Repo("r".into())), entry(SEMANTIC_WEIGHT, m, Origin::Repo("r".into()))];
            assert!(Settings::from_entries(&raw).bad_values.is_empty(), "{k} + {m}");
        }
    }
}
