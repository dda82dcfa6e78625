//! The flags every linking command shares, one per `screenlink.*` key they override.

use clap::Args;

use crate::config::{self, Override};

/// Flags that override `screenlink.*` git config keys for one run. Values stay text here
/// so that `config` checks them with the same rules and messages as git config values.
#[derive(Debug, Default, Clone, Args)]
#[command(next_help_heading = "Settings (override git config screenlink.*)")]
pub struct Knobs {
    /// Where to read transcriptions: auto, db or api [screenlink.source]
    #[arg(long, value_name = "KIND")]
    pub source: Option<String>,
    /// screenpipe's REST API [screenlink.screenpipeUrl]
    #[arg(long, value_name = "URL")]
    pub screenpipe_url: Option<String>,
    /// screenpipe's database [screenlink.screenpipeDb]
    #[arg(long, value_name = "PATH")]
    pub screenpipe_db: Option<String>,
    /// Days of discussion before a commit to consider [screenlink.timeWindowDays]
    #[arg(long, value_name = "DAYS")]
    pub time_window_days: Option<String>,
    /// Ignore discussion this close before a commit [screenlink.commitOffsetHours]
    #[arg(long, value_name = "HOURS")]
    pub commit_offset_hours: Option<String>,
    /// Shortest discussion to use, in characters [screenlink.minAudioLength]
    #[arg(long, value_name = "CHARS")]
    pub min_audio_length: Option<String>,
    /// Fewest added code lines for a commit to count [screenlink.minCodeLines]
    #[arg(long, value_name = "LINES")]
    pub min_code_lines: Option<String>,
    /// Most commits to consider [screenlink.maxCommits]
    #[arg(long, value_name = "N")]
    pub max_commits: Option<String>,
    /// Lowest confidence for a training pair [screenlink.minConfidence]
    #[arg(long, value_name = "X")]
    pub min_confidence: Option<String>,
    /// Lowest confidence a person at the prompt is asked about, unsure [screenlink.askConfidence]
    #[arg(long, value_name = "X")]
    pub ask_confidence: Option<String>,
    /// How confidence is computed: fitted or guide [screenlink.scoring]
    #[arg(long, value_name = "fitted|guide")]
    pub scoring: Option<String>,
    /// Weight of the keyword score [screenlink.keywordWeight]
    #[arg(long, value_name = "X")]
    pub keyword_weight: Option<String>,
    /// Weight of the semantic score [screenlink.semanticWeight]
    #[arg(long, value_name = "X")]
    pub semantic_weight: Option<String>,
    /// An extra technical keyword; repeatable [screenlink.keywords]
    #[arg(long = "keyword", value_name = "WORD")]
    pub keywords: Vec<String>,
    /// Directory holding the embedding model [screenlink.modelDir]
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<String>,
    /// Which build of the model scores: fp32 or int8 (faster, links a little worse) [screenlink.modelPrecision]
    #[arg(long, value_name = "fp32|int8")]
    pub model_precision: Option<String>,
    /// ONNX Runtime shared library [screenlink.ortLibrary]
    #[arg(long, value_name = "PATH")]
    pub ort_library: Option<String>,
    /// Minutes of silence that end a discussion [screenlink.discussionGapMinutes]
    #[arg(long, value_name = "MINUTES")]
    pub discussion_gap_minutes: Option<String>,
    /// Passages per commit that reach the semantic stage, 0 for all [screenlink.candidateLimit]
    #[arg(long, value_name = "N")]
    pub candidate_limit: Option<String>,
    /// Where the dataset lives [screenlink.datasetDir]
    #[arg(long, value_name = "DIR")]
    pub dataset_dir: Option<String>,
}

impl Knobs {
    pub fn overrides(&self) -> Vec<Override> {
        let single = [
            (config::SOURCE, "--source", &self.source),
            (config::SCREENPIPE_URL, "--screenpipe-url", &self.screenpipe_url),
            (config::SCREENPIPE_DB, "--screenpipe-db", &self.screenpipe_db),
            (config::TIME_WINDOW_DAYS, "--time-window-days", &self.time_window_days),
            (config::COMMIT_OFFSET_HOURS, "--commit-offset-hours", &self.commit_offset_hours),
            (config::MIN_AUDIO_LENGTH, "--min-audio-length", &self.min_audio_length),
            (config::MIN_CODE_LINES, "--min-code-lines", &self.min_code_lines),
            (config::MAX_COMMITS, "--max-commits", &self.max_commits),
            (config::MIN_CONFIDENCE, "--min-confidence", &self.min_confidence),
            (config::ASK_CONFIDENCE, "--ask-confidence", &self.ask_confidence),
            (config::SCORING, "--scoring", &self.scoring),
            (config::KEYWORD_WEIGHT, "--keyword-weight", &self.keyword_weight),
            (config::SEMANTIC_WEIGHT, "--semantic-weight", &self.semantic_weight),
            (config::MODEL_DIR, "--model-dir", &self.model_dir),
            (config::MODEL_PRECISION, "--model-precision", &self.model_precision),
            (config::ORT_LIBRARY, "--ort-library", &self.ort_library),
            (config::DISCUSSION_GAP_MINUTES, "--discussion-gap-minutes", &self.discussion_gap_minutes),
            (config::CANDIDATE_LIMIT, "--candidate-limit", &self.candidate_limit),
            (config::DATASET_DIR, "--dataset-dir", &self.dataset_dir),
        ];
        let mut out: Vec<Override> = single.into_iter().filter_map(|(key, flag, v)| v.as_ref().map(|v| Override { key, flag, value: v.clone() })).collect();
        out.extend(self.keywords.iter().map(|k| Override { key: config::KEYWORDS, flag: "--keyword", value: k.clone() }));
        out
    }
}
