//! Training with mlx-lm: export the dataset in a format `mlx_lm lora` reads, find mlx-lm,
//! build its command line, read its progress, and describe each run in `run.json`.
//!
//! Facts this relies on (mlx-lm 0.32): `--data` is a directory holding `train.jsonl`,
//! `valid.jsonl` and `test.jsonl`; records are `{"messages": [...]}` (chat),
//! `{"prompt", "completion"}` (completions) or `{"text"}`; every split needs at least
//! `batch_size` records; `--num-layers` replaced the guide's `--lora-layers`.

pub mod adapter_gguf;
pub mod chart;
pub mod checkpoint;
pub mod distributed;
pub mod fuse;
pub mod hub;
mod output;
pub mod process;
pub mod runs;

pub use output::{parse_loss, python_error, strip_ansi, Loss};
pub use runs::{list_runs, resumable_at, runs_dir, shown_status, DatasetInfo, Manifest, OtherDataset, Resumed, StartedFrom};

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::config::Settings;
use crate::dataset::Pair;
use crate::error::{Error, Kind, Result};

/// `serve`'s launcher of mlx-lm's server, run with mlx-lm's Python.
pub const SERVE_PY: &str = include_str!("serve.py");

pub const SYSTEM_LINE: &str = "You write the code change that the team's discussion asks for.";

/// The effective training options (git config, overridden by flags).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Options {
    pub model: String,
    pub iters: u32,
    pub batch_size: u32,
    pub learning_rate: f64,
    pub num_layers: u32,
    pub fine_tune_type: String,
    pub format: String,
    pub valid_fraction: f64,
}

impl Options {
    pub fn from_settings(s: &Settings) -> Options {
        Options {
            model: s.train_model.value.clone(),
            iters: s.train_iters.value,
            batch_size: s.train_batch_size.value,
            learning_rate: s.train_learning_rate.value,
            num_layers: s.train_num_layers.value,
            fine_tune_type: s.train_fine_tune_type.value.clone(),
            format: s.train_format.value.clone(),
            valid_fraction: s.train_valid_fraction.value,
        }
    }
}

/// How many pairs go where.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Split {
    pub train: usize,
    pub valid: usize,
    pub test: usize,
}

/// Oldest pairs train, newer validate, newest test: nothing from the future trains.
/// Each split needs at least `batch` pairs.
pub fn split(n: usize, batch: usize, valid_fraction: f64) -> Result<Split> {
    let eval = ((n as f64 * valid_fraction).ceil() as usize).max(batch);
    let needed = eval * 2 + batch;
    if n < 3 {
        return Err(Error::new(Kind::Usage, format!("{} to train on: train, valid and test need at least one each", crate::messages::count(n, "usable pair")))
            .hint("link more commits first (`git screenlink backfill`), then accept some pairs"));
    }
    if n < needed {
        return Err(Error::new(
            Kind::Usage,
            format!(
                "{n} usable pairs are too few: train, valid and test each need at least --batch-size ({batch}) pairs, so at least {} are needed",
                3 * batch
            ),
        )
        .hint(format!("link more commits (`git screenlink backfill`), or lower --batch-size (with {n} pairs, --batch-size {} fits)", (n / 3).max(1))));
    }
    Ok(Split { train: n - 2 * eval, valid: eval, test: eval })
}

/// One record in mlx-lm's format.
pub fn record(pair: &Pair, format: &str) -> serde_json::Value {
    let prompt = format!("{}\n\n{}", pair.instruction, pair.input);
    match format {
        "completions" => json!({"prompt": prompt, "completion": pair.output}),
        "text" => json!({"text": format!("{prompt}\n\n{}", pair.output)}),
        _ => json!({"messages": [
            {"role": "system", "content": SYSTEM_LINE},
            {"role": "user", "content": prompt},
            {"role": "assistant", "content": pair.output},
        ]}),
    }
}

/// Pairs that may train: accepted and not flagged sensitive, oldest commit first, each text
/// once; and how many were left out as the same instruction, talk and code as an older pair.
/// A change committed twice (a cherry-pick to a release branch) links its talk to both commits,
/// rightly, but as training data the copy weighs the example twice, and split by time it can
/// land in test with its twin in train.
pub fn usable(mut pairs: Vec<Pair>) -> (Vec<Pair>, usize) {
    pairs.retain(|p| p.metadata.decision == crate::dataset::Decision::Accepted && !p.metadata.sensitive);
    pairs.sort_by(|a, b| a.metadata.commit_timestamp.cmp(&b.metadata.commit_timestamp));
    let again = crate::dataset::pair::repeats(pairs.iter().map(|p| [p.instruction.as_str(), p.input.as_str(), p.output.as_str()]));
    let repeated = again.iter().filter(|&&r| r).count();
    let mut again = again.into_iter();
    pairs.retain(|_| !again.next().unwrap_or(false));
    (pairs, repeated)
}

/// Write `train.jsonl`, `valid.jsonl`, `test.jsonl` into `dir`.
pub fn export(pairs: &[Pair], split: Split, format: &str, dir: &Path) -> Result<()> {
    crate::fsutil::create_private_dir(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let parts = [
        ("train.jsonl", &pairs[..split.train]),
        ("valid.jsonl", &pairs[split.train..split.train + split.valid]),
        ("test.jsonl", &pairs[split.train + split.valid..split.train + split.valid + split.test]),
    ];
    for (name, part) in parts {
        let text: String = part.iter().map(|p| format!("{}\n", record(p, format))).collect();
        crate::fsutil::write_atomic(&dir.join(name), &text)?;
    }
    Ok(())
}

/// How to run mlx-lm here.
#[derive(Debug, Clone, Serialize)]
pub struct Launcher {
    /// The program and its leading arguments (`mlx_lm`, or `python -m mlx_lm`).
    pub program: Vec<String>,
    pub version: String,
}

impl Launcher {
    /// The Python that runs mlx-lm: `python -m mlx_lm`'s, or the interpreter named on the
    /// first line of the `mlx_lm` script pip installed.
    pub fn python(&self) -> Option<PathBuf> {
        if self.program.len() >= 3 && self.program[1] == "-m" {
            return Some(PathBuf::from(&self.program[0]));
        }
        let script = std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(&self.program[0])).find(|p| p.is_file())?;
        let first = std::fs::read_to_string(script).ok()?.lines().next()?.to_string();
        let mut words = first.strip_prefix("#!")?.split_whitespace();
        let interpreter = words.next()?;
        // `#!/usr/bin/env python3`: the interpreter is env's argument.
        let interpreter = if interpreter.ends_with("/env") { words.next()? } else { interpreter };
        Some(PathBuf::from(interpreter))
    }

    /// [`Launcher::python`], or the error that says how to name it.
    pub fn require_python(&self) -> Result<PathBuf> {
        self.python().ok_or_else(|| {
            Error::new(Kind::Assets, "could not tell which Python runs mlx-lm").hint("set screenlink.train.python to the Python that has mlx-lm")
        })
    }

    pub fn command(&self, sub: &str) -> Command {
        let mut c = Command::new(&self.program[0]);
        c.args(&self.program[1..]).arg(sub);
        hub::offline(&mut c);
        c
    }
}

/// The venv `./install.sh --mlx` makes.
pub fn bundled_python() -> PathBuf {
    crate::assets::data_dir().join("mlx-venv").join("bin").join("python")
}

/// Find mlx-lm: `screenlink.train.python`; else `mlx_lm` on PATH, the venv of
/// `./install.sh --mlx`, then `python3 -m mlx_lm`.
pub fn find_mlx(settings: &Settings) -> Result<Launcher> {
    let mut tried = Vec::new();
    let module = |py: String| vec![py, "-m".into(), "mlx_lm".into()];
    let candidates: Vec<Vec<String>> = match &settings.train_python {
        Some(py) => vec![module(py.value.display().to_string())],
        None => vec![vec!["mlx_lm".into()], module(bundled_python().display().to_string()), module("python3".into())],
    };
    for program in candidates {
        let out = Command::new(&program[0]).args(&program[1..]).arg("--version").output();
        match out {
            Ok(o) if o.status.success() => {
                let version = String::from_utf8_lossy(&o.stdout).trim().to_string();
                return Ok(Launcher { program, version });
            }
            Ok(o) => tried.push(format!("`{}` failed: {}", program.join(" "), last_line(&o.stderr))),
            Err(e) => tried.push(format!("`{}`: {e}", program.join(" "))),
        }
    }
    Err(Error::new(Kind::Assets, format!("mlx-lm was not found ({})", tried.join("; "))).hint(install_hint()))
}

fn last_line(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string()
}

/// The install command for this platform.
pub fn install_hint() -> String {
    if cfg!(target_os = "macos") && cfg!(target_arch = "aarch64") {
        "install it with `pip install mlx-lm` (Apple Silicon), or set screenlink.train.python to a Python that has it".into()
    } else if cfg!(target_os = "linux") {
        let glibc = glibc_version().map(|v| format!(" (this machine has glibc {v}; mlx's CPU build needs 2.35 or newer)")).unwrap_or_default();
        format!("install it with `pip install 'mlx-lm[cpu]'` (or `'mlx-lm[cuda12]'` with an NVIDIA GPU){glibc}, or set screenlink.train.python to a Python that has it")
    } else {
        "mlx-lm runs on Apple Silicon macOS (`pip install mlx-lm`) and Linux (`pip install 'mlx-lm[cpu]'`)".into()
    }
}

fn glibc_version() -> Option<String> {
    let out = Command::new("getconf").arg("GNU_LIBC_VERSION").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().nth(1).map(str::to_string)
}

/// A local model directory must hold a model: train, eval and serve say so before mlx-lm
/// fails on it, each with the fix that fits it (`hint`).
pub fn require_model_dir(dir: &Path, hint: &str) -> Result<()> {
    if !is_model_dir(dir) {
        return Err(Error::new(Kind::Usage, format!("{} is not a model directory (no config.json in it)", dir.display())).hint(hint));
    }
    // mlx-lm loads `model*.safetensors` and nothing else: a PyTorch-only or ONNX model (an
    // embedding model's folder) would fail inside it with a traceback.
    let files: Vec<String> = std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default();
    if files.iter().any(|f| f.starts_with("model") && f.ends_with(".safetensors")) {
        return Ok(());
    }
    let other = files.iter().find(|f| [".bin", ".pt", ".pth", ".onnx", ".gguf", ".h5", ".msgpack"].iter().any(|x| f.ends_with(x)));
    Err(Error::new(Kind::Usage, crate::messages::no_safetensors(dir, other.map(String::as_str))).hint(hint))
}

/// Whether `dir` holds a model (its `config.json`; a fused model's directory is renamed into
/// place only when whole, so this also tells a whole one).
pub fn is_model_dir(dir: &Path) -> bool {
    dir.join("config.json").is_file()
}

/// Whether `model` names a local directory (else mlx-lm treats it as a Hugging Face hub id).
pub fn is_local_model(model: &str) -> bool {
    model.starts_with('/') || model.starts_with('.') || model.starts_with('~') || Path::new(model).exists()
}

/// The `mlx_lm lora` arguments.
pub fn lora_args(opts: &Options, data: &Path, adapters: &Path, extra: &[String]) -> Vec<String> {
    let mut a: Vec<String> = vec![
        "--model".into(),
        opts.model.clone(),
        "--train".into(),
        "--data".into(),
        data.display().to_string(),
        "--fine-tune-type".into(),
        opts.fine_tune_type.clone(),
        "--num-layers".into(),
        opts.num_layers.to_string(),
        "--iters".into(),
        opts.iters.to_string(),
        "--batch-size".into(),
        opts.batch_size.to_string(),
        "--learning-rate".into(),
        format!("{:e}", opts.learning_rate),
        "--adapter-path".into(),
        adapters.display().to_string(),
    ];
    a.extend(extra.iter().cloned());
    a
}

/// A shell-quoted command line, for `--dry-run` and `run.json`.
pub fn shell_line(program: &[String], args: &[String]) -> String {
    program
        .iter()
        .chain(args)
        .map(|a| {
            if !a.is_empty() && a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:+,@".contains(c)) {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_by_time_with_a_batch_in_each() {
        assert_eq!(split(30, 4, 0.1).unwrap(), Split { train: 22, valid: 4, test: 4 });
        assert_eq!(split(100, 4, 0.1).unwrap(), Split { train: 80, valid: 10, test: 10 });
        assert_eq!(split(6, 2, 0.1).unwrap(), Split { train: 2, valid: 2, test: 2 });
        let err = split(7, 4, 0.1).unwrap_err();
        assert!(err.message.contains("at least 12"), "{}", err.message);
    }

    #[test]
    fn shell_lines_quote_what_needs_it() {
        let line = shell_line(&["mlx_lm".into(), "lora".into()], &["--model".into(), "my model".into(), "--iters".into(), "5".into()]);
        assert_eq!(line, "mlx_lm lora --model 'my model' --iters 5");
    }
}
