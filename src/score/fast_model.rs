//! The hook's model: all-MiniLM-L6-v2 kept in ONNX Runtime's own format (`.ort`) and read in
//! place, so a commit does not pay for loading the model.
//!
//! Loading the ONNX file costs the hook most of its time: on 2 cores, reading 90 MB takes
//! ~40 ms and building the session from it ~100 ms, whatever the graph optimization level.
//! The same graph saved once in ONNX Runtime's format and mapped from disk, its weights used
//! where they lie (`session.use_ort_model_bytes_for_initializers`), builds in ~12 ms. fastembed
//! copies the bytes it is given and drops them, so this path runs the session itself:
//! tokenize (256 tokens, padded per batch), run, mean-pool over the attention mask,
//! L2-normalise, as fastembed and sentence-transformers do (`tests/it/embedding.rs` checks
//! both against sentence-transformers' own vectors).
//!
//! The `.ort` file is made from the installed model by `git screenlink install` or `index`, or
//! else the first time a commit needs it, in the cache dir, named by the model file's size, time and a
//! digest of it, and the runtime's version, so a new model or runtime makes a new one. Anything
//! that fails here falls back to the usual load (`super::embed`).

use std::path::{Path, PathBuf};

use memmap2::Mmap;
use ort::environment::Environment;
use ort::session::builder::GraphOptimizationLevel;
use ort::session::InMemorySession;
use ort::value::Tensor;
use tokenizers::{PaddingParams, PaddingStrategy, Tokenizer, TruncationParams};

/// The saved graph's optimizations: "extended" fuses attention, GELU and layer norm for any
/// CPU; the "all" level adds layouts for this machine's instruction set, which a cache dir
/// copied to another machine must not carry.
const SAVED_LEVEL: GraphOptimizationLevel = GraphOptimizationLevel::Level2;

pub struct FastModel {
    /// Reads `_bytes` (declared first, so it is dropped first).
    session: InMemorySession<'static>,
    tokenizer: Tokenizer,
    type_ids: bool,
    output: String,
    _bytes: Mmap,
}

/// Where the `.ort` form of `model` (the installed ONNX file) is kept for runtime `version`:
/// a folder per model file, a name per state of that file (its size, time, and a digest of
/// its first and last 64 KiB, so a file replaced by another of the same size and time is not
/// taken for it; every commit computes it, so it reads little).
pub fn saved_path(cache_dir: &Path, model: &Path, version: &str) -> Option<PathBuf> {
    const END: u64 = 64 << 10;
    use sha2::{Digest, Sha256};
    use std::io::{Read, Seek, SeekFrom};
    let meta = std::fs::metadata(model).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos();
    let mut file = std::fs::File::open(model).ok()?;
    let mut ends = Vec::new();
    (&mut file).take(END).read_to_end(&mut ends).ok()?;
    file.seek(SeekFrom::Start(meta.len().saturating_sub(END))).ok()?;
    file.read_to_end(&mut ends).ok()?;
    let digest: String = Sha256::digest(&ends).iter().take(8).map(|b| format!("{b:02x}")).collect();
    let stem = model.file_stem()?.to_str()?;
    Some(cache_dir.join("models").join(stem).join(format!("{}-{modified}-{digest}-ort{version}.ort", meta.len())))
}

/// Make the `.ort` form of `model` at `saved` unless it is there already.
pub fn ensure_saved(env: &Environment, model: &Path, saved: &Path) -> Result<(), String> {
    if saved.is_file() {
        return Ok(());
    }
    save(env, model, saved)
}

impl FastModel {
    /// The model at `saved`, made from `model` first when it is not there yet, and made again
    /// when the file there does not load (cut short, or changed on disk: ONNX Runtime verifies
    /// it), so one bad file does not cost every later commit the slow load.
    pub fn load(env: &Environment, model: &Path, saved: &Path, tokenizer_file: &Path, max_tokens: usize) -> Result<FastModel, String> {
        let existed = saved.is_file();
        match Self::load_once(env, model, saved, tokenizer_file, max_tokens) {
            Err(first) if existed => {
                // Unlinking is safe for a commit that has it mapped: its mapping stays.
                let _ = std::fs::remove_file(saved);
                Self::load_once(env, model, saved, tokenizer_file, max_tokens).map_err(|again| format!("{first}; saved again: {again}"))
            }
            loaded => loaded,
        }
    }

    fn load_once(env: &Environment, model: &Path, saved: &Path, tokenizer_file: &Path, max_tokens: usize) -> Result<FastModel, String> {
        ensure_saved(env, model, saved)?;
        let file = std::fs::File::open(saved).map_err(|e| format!("opening {}: {e}", saved.display()))?;
        // SAFETY: the file is ours (written whole, then renamed into place) and never written
        // again; a model or runtime change writes a new file under a new name.
        let bytes = unsafe { Mmap::map(&file) }.map_err(|e| format!("mapping {}: {e}", saved.display()))?;
        // SAFETY: the mapping lives in the returned struct, after the session that reads it,
        // and its address does not move when the struct does.
        let view: &'static [u8] = unsafe { std::slice::from_raw_parts(bytes.as_ptr(), bytes.len()) };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let builder = text(ort::session::Session::builder(env))?;
        let mut builder = text(text(builder.with_config_entry("session.disable_prepacking", "1"))?.with_intra_threads(threads))?;
        let session = text(builder.commit_from_memory_directly(view))?;
        let type_ids = session.inputs().iter().any(|i| i.name() == "token_type_ids");
        let output = session
            .outputs()
            .iter()
            .map(|o| o.name().to_string())
            .find(|n| n == "last_hidden_state")
            .or_else(|| session.outputs().first().map(|o| o.name().to_string()));
        let output = output.ok_or("the model has no output")?;
        Ok(FastModel { session, tokenizer: tokenizer(tokenizer_file, max_tokens)?, type_ids, output, _bytes: bytes })
    }

    /// One unit-length vector per text (each truncated to the model's 256 tokens).
    pub fn embed(&mut self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| e.to_string())?;
        let (batch, len) = (encodings.len(), encodings.first().map_or(0, |e| e.len()));
        let column = |f: &dyn Fn(&tokenizers::Encoding) -> &[u32]| -> Vec<i64> { encodings.iter().flat_map(|e| f(e).iter().map(|&x| x as i64)).collect() };
        let mask = column(&|e| e.get_attention_mask());
        let tensor = |v: Vec<i64>| Tensor::from_array(([batch, len], v)).map_err(|e| e.to_string());
        let mut inputs = ort::inputs!["input_ids" => tensor(column(&|e| e.get_ids()))?, "attention_mask" => tensor(mask.clone())?];
        if self.type_ids {
            inputs.push(("token_type_ids".into(), tensor(column(&|e| e.get_type_ids()))?.into()));
        }
        let outputs = self.session.run(inputs).map_err(|e| e.to_string())?;
        let (shape, hidden) = outputs[self.output.as_str()].try_extract_tensor::<f32>().map_err(|e| e.to_string())?;
        let dim = *shape.last().ok_or("the model's output has no shape")? as usize;
        Ok((0..batch).map(|b| mean_pooled(&hidden[b * len * dim..(b + 1) * len * dim], &mask[b * len..(b + 1) * len], dim)).collect())
    }
}

/// `r` with its error as text.
fn text<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

/// The mean of the tokens' vectors where `mask` is 1, scaled to unit length.
fn mean_pooled(tokens: &[f32], mask: &[i64], dim: usize) -> Vec<f32> {
    let mut sum = vec![0f32; dim];
    for (t, _) in tokens.chunks(dim).zip(mask).filter(|(_, m)| **m != 0) {
        sum.iter_mut().zip(t).for_each(|(s, x)| *s += x);
    }
    let n = mask.iter().filter(|m| **m != 0).count().max(1) as f32;
    sum.iter_mut().for_each(|s| *s /= n);
    let norm = sum.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    sum.iter().map(|x| x / norm).collect()
}

/// The model's tokenizer, cutting at `max_tokens` and padding each batch to its longest text.
fn tokenizer(file: &Path, max_tokens: usize) -> Result<Tokenizer, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut t = super::tokenizer_file::read(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    let pad_id = t.token_to_id("[PAD]").unwrap_or(0);
    t.with_padding(Some(PaddingParams { strategy: PaddingStrategy::BatchLongest, pad_id, pad_token: "[PAD]".into(), ..Default::default() }));
    t.with_truncation(Some(TruncationParams { max_length: max_tokens, ..Default::default() })).map_err(|e| e.to_string())?;
    Ok(t)
}

/// The file a process saving a model holds locked, in the `models` folder of the cache dir
/// (beside the folders of the saved files, which hold nothing else).
pub const SAVING_LOCK: &str = ".saving.lock";

/// Write `model` in ONNX Runtime's format to `saved`: to a temporary name, then renamed, so a
/// commit running beside this one reads a whole file or none. One process saves at a time
/// ([`SAVING_LOCK`]); another that finds it taken does not wait (the hook loads the ONNX file
/// this once) rather than write a second 90 MB copy. Older saves of the same model (another
/// model file, another runtime) are removed.
fn save(env: &Environment, model: &Path, saved: &Path) -> Result<(), String> {
    let dir = saved.parent().ok_or("no cache dir")?;
    crate::fsutil::create_private_dir(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let lock_path = dir.parent().unwrap_or(dir).join(SAVING_LOCK);
    let lock =
        std::fs::File::options().create(true).truncate(false).write(true).open(&lock_path).map_err(|e| format!("opening {}: {e}", lock_path.display()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err("another process is saving the model".into()),
        Err(std::fs::TryLockError::Error(e)) => return Err(format!("locking {}: {e}", lock_path.display())),
    }
    // Saved by the process that held the lock before us.
    if saved.is_file() {
        return Ok(());
    }
    let partial = dir.join(format!(".{}.{}.partial", saved.file_name().and_then(|n| n.to_str()).unwrap_or("model"), std::process::id()));
    // A cache dir that cannot be written fails here, before a session is built to save.
    std::fs::File::create(&partial).map_err(|e| format!("writing {}: {e}", partial.display()))?;
    let written = (|| {
        let builder = text(text(ort::session::Session::builder(env))?.with_optimization_level(SAVED_LEVEL))?;
        let mut builder = text(text(builder.with_config_entry("session.save_model_format", "ORT"))?.with_optimized_model_path(&partial))?;
        text(builder.commit_from_file(model))?;
        // Like every file of the cache: its owner's alone (ONNX Runtime writes it anew).
        text(crate::fsutil::make_private(&partial))?;
        text(std::fs::rename(&partial, saved))
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&partial);
        return Err(format!("saving {}: {e}", saved.display()));
    }
    for old in std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()) {
        if old != saved && old.extension().is_some_and(|x| x == "ort") {
            let _ = std::fs::remove_file(&old);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_averages_the_unmasked_tokens_to_unit_length() {
        // Two tokens of 2 dims and one padding token.
        let v = mean_pooled(&[3.0, 0.0, 1.0, 4.0, 100.0, 100.0], &[1, 1, 0], 2);
        // Mean (2, 2), scaled to unit length.
        let h = 0.5f32.sqrt();
        assert!((v[0] - h).abs() < 1e-6 && (v[1] - h).abs() < 1e-6, "{v:?}");
    }

    #[test]
    fn the_saved_form_is_named_by_model_file_and_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model.onnx");
        std::fs::write(&model, b"12345").unwrap();
        let p = saved_path(dir.path(), &model, "1.24.4").unwrap();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        assert!(name.starts_with("5-") && name.ends_with("-ort1.24.4.ort"), "{name}");
        assert_eq!(p.parent().unwrap(), dir.path().join("models").join("model"));
        assert_ne!(saved_path(dir.path(), &model, "1.25.0"), Some(p.clone()), "another runtime, another file");
        std::fs::write(&model, b"123456").unwrap();
        assert_ne!(saved_path(dir.path(), &model, "1.24.4"), Some(p.clone()), "another size, another file");
        // Another file of the same size and time.
        let time = std::fs::metadata(&model).unwrap().modified().unwrap();
        let same = saved_path(dir.path(), &model, "1.24.4").unwrap();
        std::fs::write(&model, b"654321").unwrap();
        std::fs::File::options().write(true).open(&model).unwrap().set_modified(time).unwrap();
        assert_ne!(saved_path(dir.path(), &model, "1.24.4"), Some(same), "another content, another file");
        assert_eq!(saved_path(dir.path(), &dir.path().join("missing.onnx"), "1"), None);
    }
}
