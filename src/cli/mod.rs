//! The command tree (clap derive) and nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod knobs;
mod model;
pub use knobs::Knobs;
pub use model::{AskArgs, EvalArgs, ExportArgs, FuseArgs, ServeArgs, TrainArgs};

#[derive(Debug, Parser)]
#[command(
    name = "git-screenlink",
    version,
    about = "Link commits to the recorded discussions that motivated them, and turn the pairs into training data",
    long_about = "git-screenlink links each commit to the screenpipe audio transcriptions that explain why it was \
                  made, asks you to accept or reject the pair, and keeps accepted pairs as a training dataset \
                  inside the repository's git dir.\n\nSettings are git config keys `screenlink.*`; see \
                  `git screenlink config`."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install the post-commit and post-rewrite hooks into this repository
    Install(InstallArgs),
    /// Remove git-screenlink's lines from this repository's hooks, keeping your own
    Uninstall,
    /// Entry points run by the installed git hooks
    #[command(hide = true)]
    Hook {
        #[command(subcommand)]
        hook: HookCommand,
    },
    /// Link past commits to discussions and review the pairs
    Backfill(BackfillArgs),
    /// Review commits queued by the hook (pending.jsonl)
    Review(ReviewArgs),
    /// Check the dataset: format, confidence, secrets and personal data
    Validate(ValidateArgs),
    /// Export the dataset for mlx-lm and run LoRA fine-tuning
    Train(TrainArgs),
    /// Show what git-screenlink finds here: repository, hooks, screenpipe, runtime and model
    Status(StatusArgs),
    /// Print every effective setting and where it came from
    Config(ConfigArgs),
    /// Build a sample repository and screenpipe database, then link them
    Demo(DemoArgs),
    /// Embed recent discussions ahead of time, so the hook finds them in the cache
    Index(IndexArgs),
    /// Show which linking weights are in use; refit them from your answers, or reset them
    Weights(WeightsArgs),
    /// The talk linked to a commit (default HEAD): the passage, when, who, the scores
    Show(ShowArgs),
    /// Take commits' links back: their pairs leave the dataset, and each counts as your reject
    Reject(RejectArgs),
    /// Commits one per line, like `git log --oneline`, with the talk linked to each
    Log(LogArgs),
    /// Print a shell completion script (bash, zsh, fish), for `git screenlink` and `git-screenlink`
    Completions(CompletionsArgs),
    /// Write man pages (git-screenlink.1 and one per subcommand) into a directory
    Man(ManArgs),
    /// Export the dataset for other trainers (Hugging Face datasets, TRL, axolotl)
    Export(ExportArgs),
    /// Did training help? The base model against base + adapter on the run's held-out test pairs,
    /// pair by pair, with an interval that says whether the difference is more than chance
    Eval(EvalArgs),
    /// Ask the fine-tuned model for a change, in the training prompt's format
    Ask(AskArgs),
    /// Serve the fine-tuned model on this machine over an OpenAI-compatible API (mlx-lm's server)
    Serve(ServeArgs),
    /// Fuse a run's adapter into its base model, and write it as GGUF for llama.cpp (--gguf)
    Fuse(FuseArgs),
    /// Keep the embedding model loaded for the commit hook (the hook starts it on demand)
    Daemon(DaemonArgs),
}

#[derive(Debug, Args)]
pub struct DaemonArgs {
    /// Minutes without a request before it exits [screenlink.daemonIdleMinutes; default 30]
    #[arg(long, value_name = "N")]
    pub idle_minutes: Option<u32>,
    /// Say whether a daemon answers, and where (exit 1 when none)
    #[arg(long, conflicts_with = "stop")]
    pub status: bool,
    /// Stop the running daemon
    #[arg(long)]
    pub stop: bool,
    /// Directory holding the embedding model [screenlink.modelDir]
    #[arg(long, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// ONNX Runtime shared library [screenlink.ortLibrary]
    #[arg(long, value_name = "PATH")]
    pub ort_library: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The commit (any revision git understands)
    #[arg(default_value = "HEAD")]
    pub commit: String,
    /// Print the pair as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct RejectArgs {
    /// The commits whose links to take back (any revisions git understands)
    #[arg(required = true, value_name = "COMMIT")]
    pub commits: Vec<String>,
    #[command(flatten)]
    pub knobs: Knobs,
}

/// `log -5`, as `git log` takes it, is `log -n 5` (clap has no flag made of digits).
pub fn log_count_as_git_takes_it(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    if args.get(1).is_some_and(|a| a == "log") {
        for arg in args.iter_mut().skip(2).take_while(|a| *a != "--") {
            let count = arg.to_str().and_then(|a| a.strip_prefix('-')).filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if let Some(n) = count {
                *arg = format!("--max-count={n}").into();
            }
        }
    }
    args
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Commits to list: `A..B`, or a revision and its history (default HEAD)
    pub range: Option<String>,
    /// At most this many commits (`-5` too, as git log takes it)
    #[arg(long, short = 'n', default_value_t = 50)]
    pub max_count: usize,
    /// Only commits that have a pair
    #[arg(long)]
    pub linked: bool,
    /// Print JSON lines instead
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh or fish
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Where to write the pages (created if missing)
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct WeightsArgs {
    /// Refit the weights from the accepts and rejects you made (needs 30 of each)
    #[arg(long, conflicts_with = "reset")]
    pub refit: bool,
    /// Go back to the shipped weights
    #[arg(long)]
    pub reset: bool,
    /// Print which weights are in use as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Replace a hook file git-screenlink would otherwise leave alone
    #[arg(long)]
    pub force: bool,
    /// Print the hook lines to add by hand instead of writing anything
    #[arg(long)]
    pub print: bool,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Link the commit just made (run by the post-commit hook)
    PostCommit,
    /// Follow rewritten commits (run by the post-rewrite hook; old/new SHAs on stdin)
    PostRewrite {
        /// What rewrote the commits: `amend` or `rebase`
        kind: Option<String>,
    },
}

#[derive(Debug, Default, Clone, Args)]
pub struct BackfillArgs {
    /// A revision range such as `main~50..main` (default: the newest maxCommits commits from HEAD)
    pub range: Option<String>,
    /// Only commits made after this date: what `git log --since` takes (2026-11-01, yesterday, "2 weeks ago")
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only commits made before this date, in the same forms as --since
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Read the commit SHAs to link from standard input, one per line
    #[arg(long)]
    pub stdin: bool,
    /// Accept every pair at or above minConfidence without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Ask again about the commits whose link you rejected or skipped (accepted pairs stay)
    #[arg(long, conflicts_with = "yes")]
    pub again: bool,
    /// Link and report, but write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Print pairs and the summary as JSON
    #[arg(long)]
    pub json: bool,
    /// Print the time spent in each stage
    #[arg(long)]
    pub profile: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Accept every queued commit at or above minConfidence without asking
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The dataset to check (default: this repository's)
    pub file: Option<PathBuf>,
    /// Rewrite the dataset: drop invalid lines, redact findings, remove duplicates
    #[arg(long)]
    pub fix: bool,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
    /// Where to write the report (default: validation_report.txt beside the dataset)
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// Review N random pairs by hand: good / bad / skip
    #[arg(long, value_name = "N")]
    pub review: Option<usize>,
    /// Seed for choosing the pairs to review
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print the status as JSON
    #[arg(long)]
    pub json: bool,
    /// Do not load the model (faster; only checks that the files are there)
    #[arg(long)]
    pub no_load: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Print the settings as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Look back this many days instead of timeWindowDays (the first run) or since the last run
    #[arg(long, value_name = "DAYS")]
    pub days: Option<u32>,
    /// Print nothing unless something fails (for cron and launchd)
    #[arg(long, short = 'q')]
    pub quiet: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the sample world here (an empty or new directory) instead of a new temp dir
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Size of the sample world: week (21 commits, 2,002 talk rows), month (121, 19,603) or four-months (501, 78,475)
    #[arg(long, default_value = "week", value_parser = ["week", "month", "four-months"])]
    pub scale: String,
    /// Seed of the sample world (the same seed builds the same world)
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the world's paths and the backfill summary as JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}
