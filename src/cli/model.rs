//! The arguments of the commands after the dataset: train, eval, fuse, serve, ask, export.

use std::path::PathBuf;

use clap::Args;

use super::Knobs;

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The run to evaluate (default: the newest with adapters; `train --list` names them)
    pub run: Option<String>,
    /// At most this many test pairs to generate for (default: all of them)
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Tokens to generate per pair, at most
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub max_tokens: u32,
    /// A fused model (`train --fuse`) to evaluate in place of base + adapter
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// Compare RUN's fine-tuned model with another run's, pair by pair on the commits both held
    /// out, from what eval measured of each (nothing is generated)
    #[arg(long, value_name = "OTHER_RUN", conflicts_with_all = ["limit", "model"])]
    pub against: Option<String>,
    /// Print the report as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct FuseArgs {
    /// The run to fuse (default: the newest with adapters; `train --list` names them)
    pub run: Option<String>,
    /// Also write the fused model as one GGUF file, for llama.cpp and the tools built on it
    #[arg(long)]
    pub gguf: bool,
    /// With --gguf: matrices in llama.cpp's 8-bit blocks (Q8_0), about half the size
    #[arg(long, requires = "gguf")]
    pub q8: bool,
    /// With --gguf: no fused model; the base model as GGUF (written once, shared by runs of that
    /// base) and the run's adapter as a GGUF LoRA adapter (llama.cpp's --lora, Ollama's ADAPTER)
    #[arg(long, requires = "gguf")]
    pub lora: bool,
    /// Print what would be done and run nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The run whose adapter to serve (default: the newest with adapters; `train --list` names them)
    #[arg(conflicts_with = "base")]
    pub run: Option<String>,
    /// The base model alone, without an adapter
    #[arg(long)]
    pub base: bool,
    /// A model directory (a fused model) to serve instead
    #[arg(long, value_name = "DIR", conflicts_with_all = ["run", "base"])]
    pub model: Option<PathBuf>,
    /// Address to listen on; anything but loopback lets other machines use the model
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on
    #[arg(long, value_name = "N", default_value_t = 8080)]
    pub port: u16,
    /// Print the command and run nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Arguments passed through to `mlx_lm server` (after `--`)
    #[arg(last = true)]
    pub extra: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AskArgs {
    /// What to change, as a commit subject would say it
    pub instruction: String,
    /// The discussion to give as business context
    #[arg(long, value_name = "TEXT", conflicts_with = "from_talk")]
    pub context: Option<String>,
    /// Use the talk of the last timeWindowDays that best matches the instruction as context
    #[arg(long)]
    pub from_talk: bool,
    /// Files to modify, for the prompt's task line
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub files: Vec<String>,
    /// The run whose adapter to use (default: the newest with adapters)
    #[arg(long, value_name = "RUN", conflicts_with = "base")]
    pub run: Option<String>,
    /// The base model alone, without an adapter
    #[arg(long)]
    pub base: bool,
    /// A model directory (a fused model) to use instead
    #[arg(long, value_name = "DIR", conflicts_with_all = ["run", "base"])]
    pub model: Option<PathBuf>,
    /// Tokens to generate, at most
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub max_tokens: u32,
    /// Print the prompt and run nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// chat (messages), completions (prompt/completion) or parquet
    #[arg(long, default_value = "chat", value_parser = ["chat", "completions", "parquet"])]
    pub format: String,
    /// Directory to write (default: <dataset dir>/export/<format>)
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Share of the newest pairs for validation, and as much again for test [screenlink.train.validFraction]
    #[arg(long, value_name = "X")]
    pub valid_fraction: Option<f64>,
    /// Pairs from other repositories' datasets too (a repository, or a dataset file), so one model learns all your work
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub also: Vec<PathBuf>,
    #[command(flatten)]
    pub knobs: Knobs,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Base model: a local directory or a hub id [screenlink.train.model; default deepseek-ai/deepseek-coder-1.3b-instruct]
    #[arg(long, value_name = "DIR|ID")]
    pub model: Option<String>,
    /// Training iterations [screenlink.train.iters; default 1000]
    #[arg(long, value_name = "N")]
    pub iters: Option<u32>,
    /// Pairs per step; train, valid and test each need this many [screenlink.train.batchSize; default 4]
    #[arg(long, value_name = "N")]
    pub batch_size: Option<u32>,
    /// Adam learning rate [screenlink.train.learningRate; default 1e-5]
    #[arg(long, value_name = "X")]
    pub learning_rate: Option<f64>,
    /// Layers to fine-tune, from the top [screenlink.train.numLayers; default 16]
    #[arg(long, value_name = "N")]
    pub num_layers: Option<u32>,
    /// lora, dora or full [screenlink.train.fineTuneType; default lora]
    #[arg(long, value_name = "TYPE")]
    pub fine_tune_type: Option<String>,
    /// chat, completions or text [screenlink.train.format; default chat]
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Share of the newest pairs held out for validation, and as much again for test [screenlink.train.validFraction; default 0.1]
    #[arg(long, value_name = "X")]
    pub valid_fraction: Option<f64>,
    /// Ranks on this machine, through mlx.launch (several accelerators, or a test) [screenlink.train.processes; default 1]
    #[arg(long, value_name = "N")]
    pub processes: Option<u32>,
    /// mlx.launch's host file: SSH hosts and the IPs the ring uses; one rank per host [screenlink.train.hosts]
    #[arg(long, value_name = "FILE")]
    pub hosts: Option<PathBuf>,
    /// ring, mpi, or any (mlx.launch picks) [screenlink.train.backend; default any]
    #[arg(long, value_name = "BACKEND")]
    pub backend: Option<String>,
    /// Pairs from other repositories' datasets too (a repository, or a dataset file), so one model learns all your work
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub also: Vec<PathBuf>,
    /// Let mlx-lm download the base model from the Hugging Face hub if it is not on this machine (nothing is downloaded without it)
    #[arg(long)]
    pub download: bool,
    /// Print the exact command and export figures; run nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Fuse the adapter into the model after training
    #[arg(long)]
    pub fuse: bool,
    /// List past training runs
    #[arg(long)]
    pub list: bool,
    /// Go on with a run that stopped (default the newest), from its newest checkpoint, on its own
    /// data and settings; with --iters, train a finished run further, to that total
    #[arg(long, value_name = "RUN", num_args = 0..=1, default_missing_value = "", conflicts_with_all = [
        "model", "batch_size", "learning_rate", "num_layers", "fine_tune_type", "format", "valid_fraction", "also", "list", "extra",
    ])]
    pub resume: Option<String>,
    /// Start from an earlier run's adapter rather than from nothing: a new run on today's pairs
    /// that goes on from what RUN learned (same model, fine-tune type and layers)
    #[arg(long, value_name = "RUN", conflicts_with_all = ["resume", "list"])]
    pub from: Option<String>,
    /// Extra arguments passed to mlx-lm as they are
    #[arg(last = true)]
    pub extra: Vec<String>,
}
