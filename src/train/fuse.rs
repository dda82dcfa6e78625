//! A run's adapter fused into its base model (`mlx_lm fuse`), and that model as one GGUF
//! file for llama.cpp and the tools built on it (`to_gguf.py`: mlx-lm's own
//! `--export-gguf` writes files llama.cpp refuses).

use std::path::{Path, PathBuf};

use super::process::{stream, stream_lines};
use super::{hub, Launcher};
use crate::error::{Error, Kind, Result};
use crate::messages;

/// `to_gguf.py` and the modules it imports, written to a directory of their own for each run.
const GGUF_SCRIPTS: [(&str, &str); 6] = [
    ("to_gguf.py", include_str!("to_gguf.py")),
    ("gguf_vocab.py", include_str!("gguf_vocab.py")),
    ("gguf_spm.py", include_str!("gguf_spm.py")),
    ("gguf_gemma.py", include_str!("gguf_gemma.py")),
    ("gguf_phi3.py", include_str!("gguf_phi3.py")),
    ("gguf_lora.py", include_str!("gguf_lora.py")),
];

/// Where a run's fused model goes.
pub const FUSED_DIR: &str = "fused";
/// Where it goes when the one in [`FUSED_DIR`] is quantized and GGUF wants whole weights.
pub const DEQUANTIZED_DIR: &str = "fused-dequantized";

/// `to_gguf.py`'s exit codes: a model it will not convert, the `gguf` package missing.
const REFUSED: i32 = 4;
const MISSING: i32 = 5;

/// The `gguf` package's version beside mlx-lm (`fuse --gguf` needs it), if it is installed.
pub fn gguf_version(python: &Path) -> Option<String> {
    let out = std::process::Command::new(python).args(["-c", "import importlib.metadata as m; print(m.version('gguf'))"]).output().ok()?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !version.is_empty()).then_some(version)
}

/// Whether a model directory holds quantized weights (mlx-community's 4-bit models).
pub fn is_quantized(model_dir: &Path) -> bool {
    std::fs::read_to_string(model_dir.join("config.json"))
        .ok()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
        .is_some_and(|c| c.get("quantization").is_some() || c.get("quantization_config").is_some())
}

/// `mlx_lm fuse` of `adapters` into `model`, written to `out`; `dequantize` for whole weights.
/// An error when mlx-lm failed (its output was shown; the error ends with its reason) or was
/// interrupted.
fn fuse(launcher: &Launcher, model: &str, adapters: &Path, out: &Path, dequantize: bool) -> Result<()> {
    let mut cmd = launcher.command("fuse");
    cmd.args(["--model", model, "--adapter-path"]).arg(adapters).arg("--save-path").arg(out);
    if dequantize {
        cmd.arg("--dequantize");
    }
    let ended = stream(cmd, |_| {})?;
    if ended.interrupted {
        return Err(Error::new(Kind::Interrupted, "fusing interrupted").hint("nothing half-written was kept: `git screenlink fuse` runs it again"));
    }
    if ended.code == Some(0) && super::is_model_dir(out) {
        return Ok(());
    }
    Err(Error::new(Kind::Io, format!("mlx_lm fuse failed{}", ended.reason())).hint("its output is above"))
}

/// [`fuse`] into `run_dir/name`, by way of a partial directory renamed when whole, so a
/// later run never takes a half-written model for a fused one. The directory.
pub fn fuse_into(launcher: &Launcher, model: &str, adapters: &Path, run_dir: &Path, name: &str, dequantize: bool) -> Result<PathBuf> {
    let (partial, done) = (run_dir.join(format!(".{name}.partial")), run_dir.join(name));
    let clear = |p: &Path| match std::fs::remove_dir_all(p) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(format!("removing {}", p.display()), e)),
        _ => Ok(()),
    };
    clear(&partial)?;
    if let Err(failed) = fuse(launcher, model, adapters, &partial, dequantize) {
        clear(&partial)?;
        return Err(failed);
    }
    clear(&done)?;
    std::fs::rename(&partial, &done).map_err(|e| Error::io(format!("renaming {} to {}", partial.display(), done.display()), e))?;
    Ok(done)
}

/// Write the fused model in `model_dir` as the GGUF file `out` (`q8`: matrices as Q8_0), with
/// mlx-lm's Python; the tokenizer is checked on the texts in `trained_on` (JSONL) too.
pub fn write_gguf(python: &Path, model_dir: &Path, out: &Path, q8: bool, trained_on: &[PathBuf]) -> Result<()> {
    let mut args = if q8 { vec!["--q8_0".as_ref()] } else { Vec::new() };
    args.extend([model_dir.as_os_str(), out.as_os_str()]);
    args.extend(trained_on.iter().map(|p| p.as_os_str()));
    run_to_gguf(python, &args, model_dir)?;
    written(out)
}

/// After `to_gguf.py` succeeded: an error unless it wrote `out`.
pub(super) fn written(out: &Path) -> Result<()> {
    if out.is_file() {
        Ok(())
    } else {
        Err(Error::new(Kind::Io, format!("{} was not written", out.display())).hint("the lines above say why"))
    }
}

/// Before fusing: whether the fused model of `base_dir` could be written as GGUF (its
/// config and tokenizer are the fused model's), so a refusal costs no fuse.
pub fn check_gguf(python: &Path, base_dir: &Path, fused_dir: &Path, trained_on: &[PathBuf]) -> Result<()> {
    let mut args = vec!["--check".as_ref(), base_dir.as_os_str()];
    args.extend(trained_on.iter().map(|p| p.as_os_str()));
    run_to_gguf(python, &args, fused_dir)
}

/// The JSONL files a run trained on (its export), those still there.
pub fn trained_on(export_dir: &Path) -> Vec<PathBuf> {
    ["train.jsonl", "valid.jsonl", "test.jsonl"].iter().map(|f| export_dir.join(f)).filter(|p| p.is_file()).collect()
}

/// `to_gguf.py` with `args`; a refusal names `model_dir`, where the fused model is (or
/// will be) for llama.cpp's own converter.
pub(super) fn run_to_gguf(python: &Path, args: &[&std::ffi::OsStr], model_dir: &Path) -> Result<()> {
    let scripts = tempfile::Builder::new().prefix("screenlink-gguf").tempdir().map_err(|e| Error::io("making a directory for to_gguf.py", e))?;
    for (name, text) in GGUF_SCRIPTS {
        std::fs::write(scripts.path().join(name), text).map_err(|e| Error::io(format!("writing {name}"), e))?;
    }
    let mut cmd = std::process::Command::new(python);
    cmd.arg(scripts.path().join("to_gguf.py")).args(args).env("PYTHONDONTWRITEBYTECODE", "1");
    hub::offline(&mut cmd);
    let mut refused = None;
    let outcome = stream_lines(&mut cmd, |line| {
        if let Some(why) = line.strip_prefix("REFUSED ") {
            refused = Some(why.to_string());
            return false;
        }
        !(line.starts_with("WROTE ") || line.starts_with("MISSING ") || line == "CHECKED")
    })?;
    match (outcome.code, outcome.interrupted) {
        (_, true) => Err(Error::new(Kind::Interrupted, "writing the GGUF file interrupted")),
        (Some(0), false) => Ok(()),
        (Some(REFUSED), false) => {
            Err(Error::new(Kind::Usage, messages::gguf_refused(refused.as_deref().unwrap_or("unknown"))).hint(messages::gguf_refused_hint(model_dir)))
        }
        (Some(MISSING), false) => Err(Error::new(Kind::Assets, messages::GGUF_PACKAGE_MISSING).hint(messages::gguf_package_hint(python))),
        (code, false) => {
            Err(Error::new(Kind::Io, format!("to_gguf.py failed (exit {}){}", code.map_or("by a signal".into(), |c| c.to_string()), outcome.reason()))
                .hint("its output is above"))
        }
    }
}

/// The GGUF file of a run: in its run dir, named for the run (and `q8_0` when in 8 bits).
pub fn gguf_path(run_dir: &Path, run_id: &str, q8: bool) -> PathBuf {
    run_dir.join(if q8 { format!("{run_id}-q8_0.gguf") } else { format!("{run_id}.gguf") })
}
