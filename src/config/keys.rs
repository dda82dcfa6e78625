//! Every `screenlink.*` key, with its default beside it (and the variables that override
//! some), in the order `git screenlink config` prints them.

use super::{Precision, PromptMode, RedactMode, Scoring, SourceKind};

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
/// Where a person is at the prompt (the hook, `review`, an interactive `backfill`), a
/// commit whose best link is below minConfidence but at or above this is asked about too,
/// marked unsure: confidence is the probability a link is right, so 0.3 asks when it is right
/// at least 3 times in 10. Nothing is accepted below minConfidence without a person.
pub const ASK_CONFIDENCE: &str = "screenlink.askConfidence";
pub const ASK_CONFIDENCE_DEFAULT: f64 = 0.3;
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
/// Megabytes the cache dir (vectors, the talk's terms, examined commits) may use; past it,
/// backfill and `index` drop its oldest entries (`cache_limit`). 0 = no limit.
pub const CACHE_MAX_MB: &str = "screenlink.cacheMaxMb";
pub const CACHE_MAX_MB_DEFAULT: u32 = 2048;
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
    ASK_CONFIDENCE,
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
    CACHE_MAX_MB,
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
