//! A training run's record, `run.json`, and where runs are kept: one directory per run under
//! the dataset's `mlx/`, named by when it started.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Loss, Split};

/// `run.json`: everything needed to know what a run was.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub run_id: String,
    pub status: String,
    pub started: String,
    pub ended: Option<String>,
    pub exit_code: Option<i32>,
    pub command: String,
    pub mlx_lm_version: String,
    pub dataset: DatasetInfo,
    pub options: serde_json::Value,
    pub losses: Vec<Loss>,
    pub final_train_loss: Option<f64>,
    pub final_val_loss: Option<f64>,
    pub adapter_path: String,
    pub fused_path: Option<String>,
    /// The fused model as one GGUF file (`git screenlink fuse --gguf`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gguf_path: Option<String>,
    /// The adapter as a GGUF LoRA adapter and the base model it applies to as GGUF
    /// (`git screenlink fuse --gguf --lora`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gguf_lora_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gguf_base_path: Option<String>,
    /// Ranks, hosts, backend and each rank's exit code, for a run through mlx.launch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distributed: Option<serde_json::Value>,
    /// The arguments given to mlx-lm after `--`, which a resumed run passes again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extra: Vec<String>,
    /// Each time the run went on from a checkpoint (`train --resume`), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed: Vec<Resumed>,
    /// The earlier run whose adapter this one started from (`train --from`), and that file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_from: Option<StartedFrom>,
}

/// Where a run's adapter started (`train --from RUN`): that run, and its adapter's file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StartedFrom {
    pub run_id: String,
    pub adapter: String,
}

/// A run gone on from a checkpoint: at which iteration, from which file, when, and how.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Resumed {
    pub at: u32,
    pub checkpoint: String,
    pub started: String,
    pub command: String,
}

impl Manifest {
    /// The base model the run trained on, as `train --model` named it (a directory or a hub id).
    pub fn base_model(&self) -> &str {
        self.options["model"].as_str().unwrap_or_default()
    }

    /// The arguments given to mlx-lm after `--`: as recorded, or, for a run recorded before
    /// they were, the words after `--adapter-path DIR` in its command line, where they went.
    pub fn extra_args(&self) -> Vec<String> {
        if !self.extra.is_empty() || !self.resumed.is_empty() {
            return self.extra.clone();
        }
        let words = shell_words::split(&self.command).unwrap_or_default();
        match words.iter().position(|w| w == "--adapter-path") {
            Some(i) => words.into_iter().skip(i + 2).collect(),
            None => Vec::new(),
        }
    }

    /// The options the run trained with, as `train` recorded them.
    pub fn trained_options(&self) -> serde_json::Result<super::Options> {
        serde_json::from_value(self.options.clone())
    }

    /// The iterations the run is to train in all.
    pub fn iters(&self) -> u32 {
        self.options["iters"].as_u64().unwrap_or_default() as u32
    }
}

/// A dataset of another repository a run took pairs from: where, its bytes' sha256, its pairs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherDataset {
    pub path: String,
    pub sha256: String,
    pub pairs: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatasetInfo {
    pub path: String,
    pub sha256: String,
    pub pairs: usize,
    pub usable: usize,
    pub split: Split,
    pub format: String,
    pub export_dir: String,
    /// Other repositories' datasets trained on too (`--also`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<OtherDataset>,
}

pub fn runs_dir(dataset_dir: &Path) -> PathBuf {
    dataset_dir.join("mlx")
}

/// Past runs, oldest first.
pub fn list_runs(dataset_dir: &Path) -> Vec<Manifest> {
    let mut out: Vec<Manifest> = std::fs::read_dir(runs_dir(dataset_dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path().join("run.json")).ok())
        .filter_map(|t| serde_json::from_str(&t).ok())
        .collect();
    out.sort_by(|a, b| a.run_id.cmp(&b.run_id));
    out
}

/// The lock a run's directory is held under while it trains (and while `fuse` writes it), so
/// that `train --resume` can tell a run that stopped from one still going in another process.
pub fn lock(run_dir: &Path) -> crate::error::Result<Option<crate::fsutil::DirLock>> {
    crate::fsutil::DirLock::try_on_file(&run_dir.join(".lock"))
}

/// A run's status as a person should read it: one recorded as running that no process holds
/// was stopped with no chance to say so (its machine died, or `kill -9`), and is `stopped`.
pub fn shown_status<'a>(run_dir: &Path, status: &'a str) -> &'a str {
    match status {
        "running" if matches!(lock(run_dir), Ok(Some(_))) => "stopped",
        other => other,
    }
}

/// What `train --resume` would go on from in a run that did not finish: its status as shown
/// and the newest whole checkpoint's iteration (`None` for a finished run, one still training,
/// or one with none).
pub fn resumable_at<'a>(run_dir: &Path, m: &'a Manifest) -> Option<(&'a str, u32)> {
    let status = shown_status(run_dir, &m.status);
    let unfinished = matches!(status, "interrupted" | "failed" | "stopped");
    unfinished.then(|| super::checkpoint::latest(&run_dir.join("adapters"))).flatten().map(|c| (status, c.iter))
}

/// The record of the run in `run_dir`.
pub fn read(run_dir: &Path) -> crate::error::Result<Manifest> {
    use crate::error::{Error, Kind};
    let file = run_dir.join("run.json");
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::new(Kind::Usage, format!("{} does not read as a run's record: {e}", file.display())).hint("start a new run with `git screenlink train`")
    })
}

/// Whether another process is training the run: recorded as running, and its lock held.
pub fn is_training(run_dir: &Path, m: &Manifest) -> bool {
    m.status == "running" && matches!(lock(run_dir), Ok(None))
}

/// The directory of the run named `run_id` (its directory's name, never a path), or the error
/// that names the runs' directory and how to list them.
pub fn named(dataset_dir: &Path, run_id: &str) -> crate::error::Result<PathBuf> {
    use crate::error::{Error, Kind};
    let runs = runs_dir(dataset_dir);
    let dir = runs.join(run_id);
    if run_id.is_empty() || run_id.contains(['/', '\\']) || !dir.join("run.json").is_file() {
        return Err(Error::new(Kind::Usage, crate::messages::no_such_run(run_id, &runs)).hint(crate::messages::LIST_RUNS_HINT));
    }
    Ok(dir)
}
