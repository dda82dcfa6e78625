//! A run's adapter as a GGUF LoRA adapter, beside its base model as GGUF (`fuse --gguf
//! --lora`): llama.cpp applies the adapter as it loads the base (`llama-cli -m BASE --lora
//! ADAPTER`, Ollama's `ADAPTER`), so one base file serves every run of that base and a run is
//! a file of megabytes rather than a model (`gguf_lora.py` writes it).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::fuse::{run_to_gguf, written};
use super::process::stream;
use super::Launcher;
use crate::error::{Error, Kind, Result};
use crate::messages;

/// The runs dir's folder of base models as GGUF, shared by every run of this repository.
pub const BASES_DIR: &str = "gguf-bases";

/// Where the base model `model` (its files in `base_dir`) goes as GGUF: named for the model and
/// for what its files are (names, sizes, modification times), so a base changed in place is
/// written anew rather than taken for the old one; `q8` in llama.cpp's 8-bit blocks.
pub fn base_path(runs_dir: &Path, model: &str, base_dir: &Path, q8: bool) -> PathBuf {
    let mut files: Vec<(String, u64, u128)> = std::fs::read_dir(base_dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            // Followed: a hub model's files are links into the cache's blobs.
            let meta = std::fs::metadata(e.path()).ok().filter(|m| m.is_file())?;
            let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
            Some((e.file_name().to_string_lossy().into_owned(), meta.len(), modified))
        })
        .collect();
    files.sort();
    let mut h = Sha256::new();
    h.update(model.as_bytes());
    for (name, len, modified) in files {
        h.update(format!("\n{name} {len} {modified}").as_bytes());
    }
    let tag: String = h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    let name: String = model
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or("model")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' })
        .collect();
    runs_dir.join(BASES_DIR).join(format!("{name}-{tag}{}.gguf", if q8 { "-q8_0" } else { "" }))
}

/// Held while a base's GGUF file is looked for and written (`.<file>.lock` beside it), so two
/// runs' `fuse --lora` never write one file at once; released when dropped.
pub fn lock_base(base_gguf: &Path) -> Result<crate::fsutil::DirLock> {
    let path = base_gguf.with_file_name(format!(".{}.lock", base_gguf.file_name().and_then(|n| n.to_str()).unwrap_or("base")));
    crate::fsutil::DirLock::on_file(&path, || {})
}

/// The GGUF LoRA adapter of a run: in its run dir, named for the run.
pub fn lora_path(run_dir: &Path, run_id: &str) -> PathBuf {
    run_dir.join(format!("{run_id}-lora.gguf"))
}

/// Write the adapter in `adapters` (trained on the base model in `base_dir`) as the GGUF LoRA
/// adapter `out`, with mlx-lm's Python.
pub fn write_lora(python: &Path, adapters: &Path, base_dir: &Path, out: &Path) -> Result<()> {
    run_to_gguf(python, &["--lora".as_ref(), adapters.as_os_str(), base_dir.as_os_str(), out.as_os_str()], base_dir).map_err(|e| match e.kind {
        Kind::Usage => e.hint(messages::LORA_REFUSED_HINT),
        _ => e,
    })?;
    written(out)
}

/// A quantized base's whole weights (`mlx_lm convert --dequantize`, exactly the values the
/// adapter was trained on) in `out`, which must not exist, for the GGUF writer.
pub fn dequantize(launcher: &Launcher, base_dir: &Path, out: &Path) -> Result<()> {
    let mut cmd = launcher.command("convert");
    cmd.arg("--hf-path").arg(base_dir).arg("--mlx-path").arg(out).arg("--dequantize");
    let ended = stream(cmd, |_| {})?;
    if ended.interrupted {
        return Err(Error::new(Kind::Interrupted, "dequantizing the base model interrupted").hint("nothing was kept: run the command again"));
    }
    if ended.code == Some(0) && super::is_model_dir(out) {
        return Ok(());
    }
    Err(Error::new(Kind::Io, format!("mlx_lm convert --dequantize failed{}", ended.reason())).hint("its output is above"))
}
