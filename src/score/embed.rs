//! Sentence embeddings with all-MiniLM-L6-v2 through fastembed and a dynamically loaded
//! ONNX Runtime, matching sentence-transformers (mean pooling, 256 tokens, L2-normalised).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use fastembed::{InitOptionsUserDefined, Pooling, TextEmbedding, TokenizerFiles, UserDefinedEmbeddingModel};
use ort::environment::Environment;
use serde::Serialize;

use super::fast_model::{self, FastModel};

use crate::assets::{self, Location};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::messages;

/// Texts per ONNX Runtime call. Cold backfill of the month world on 2 cores, texts sorted by
/// length: batch 32 took 10.2 s and 607 MB peak, 16 took 9.2 s / 410 MB, 8 took 8.4 s /
/// 308 MB, 4 took 8.4 s / 285 MB. Passages are ~200 tokens, where larger batches buy nothing.
pub const BATCH_SIZE: usize = 8;

/// What was loaded, for `status` and for the pair metadata.
#[derive(Debug, Clone, Serialize)]
pub struct RuntimeInfo {
    pub ort_library: Location,
    pub ort_version: String,
    pub model_dir: Location,
    pub model: &'static str,
}

pub struct Embedder {
    model: Model,
    pub info: RuntimeInfo,
}

enum Model {
    Fastembed(Box<TextEmbedding>),
    /// The hook's: the model in ONNX Runtime's format, read in place ([`super::fast_model`]).
    Saved(Box<FastModel>),
}

/// The process's one ONNX Runtime environment (the runtime allows one), shared by every load.
fn environment(library: &std::path::Path) -> Result<Environment> {
    static ENV: Mutex<Option<Environment>> = Mutex::new(None);
    let mut env = ENV.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(e) = env.as_ref() {
        return Ok(e.clone());
    }
    let built = ort::init_from(library)
        .map_err(|err| Error::assets(format!("could not load ONNX Runtime: {err}")).hint(messages::INSTALL_ASSETS_HINT))?
        .build()
        .map_err(|err| Error::assets(format!("could not start ONNX Runtime: {err}")).hint(messages::INSTALL_ASSETS_HINT))?;
    Ok(env.insert(built).clone())
}

/// The runtime loaded and the model's files in place (each failure an `Error` with a hint).
fn checked(settings: &Settings) -> Result<(Environment, RuntimeInfo)> {
    let ort_library = assets::ort_library(settings);
    let ort_version = assets::probe_ort(&ort_library.path)?;
    let env = environment(&ort_library.path)?;
    let model_dir = assets::model_dir(settings);
    let precision = settings.model_precision.value;
    let missing = assets::missing_model_files(&model_dir.path, precision);
    if !missing.is_empty() {
        return Err(Error::assets(format!("the {} model is not in {} (missing: {})", assets::MODEL_NAME, model_dir.path.display(), missing.join(", ")))
            .hint(messages::INSTALL_ASSETS_HINT));
    }
    Ok((env, RuntimeInfo { ort_library, ort_version, model_dir, model: precision.model_id() }))
}

/// [`checked`], then the installed model file and where its saved form is kept under
/// `cache_dir` ([`fast_model::saved_path`]).
fn saved_form(settings: &Settings, cache_dir: &std::path::Path) -> Result<(Environment, RuntimeInfo, std::path::PathBuf, std::path::PathBuf)> {
    let (env, info) = checked(settings)?;
    let model = info.model_dir.path.join(settings.model_precision.value.model_file());
    let saved = fast_model::saved_path(cache_dir, &model, &info.ort_version)
        .ok_or_else(|| Error::assets(format!("{} has no readable size and time", model.display())))?;
    Ok((env, info, model, saved))
}

impl Embedder {
    /// Check the runtime and model files, then load them. Every failure is an `Error`
    /// with a hint; ort's panics on a bad library are checked for first and caught as well.
    pub fn load(settings: &Settings) -> Result<Embedder> {
        Self::load_for(settings, false)
    }

    /// `few`: the session will embed a handful of texts (the hook), so load fast rather
    /// than run fast: the model saved in ONNX Runtime's format ([`super::fast_model`]), else
    /// the ONNX file without prepacked weights (on 2 cores 170 ms → 139 ms to load; a cold
    /// month backfill 8.4 s → 9.5 s, which is why backfill keeps the default).
    pub fn load_for(settings: &Settings, few: bool) -> Result<Embedder> {
        if few {
            match Self::load_saved_in(settings, &crate::fsutil::cache_dir()) {
                Ok(e) => {
                    crate::debug(format_args!("model loaded from its saved form"));
                    return Ok(e);
                }
                Err(err) => crate::debug(format_args!("the saved model did not load ({err}); loading the ONNX file")),
            }
        }
        let (env, info) = checked(settings)?;
        let (model_dir, precision) = (&info.model_dir, settings.model_precision.value);
        let read =
            |name: &str| std::fs::read(model_dir.path.join(name)).map_err(|err| Error::io(format!("reading {}", model_dir.path.join(name).display()), err));
        let tokenizer_files = TokenizerFiles {
            tokenizer_file: read("tokenizer.json")?,
            config_file: read("config.json")?,
            special_tokens_map_file: read("special_tokens_map.json")?,
            tokenizer_config_file: read("tokenizer_config.json")?,
        };
        let model = UserDefinedEmbeddingModel::new(read(precision.model_file())?, tokenizer_files).with_pooling(Pooling::Mean);
        let mut options = InitOptionsUserDefined::new().with_environment(env).with_max_length(assets::MAX_TOKENS);
        if few {
            // Prepacking weights speeds up many batches but costs ~30 ms at load.
            options = options.with_session_config("session.disable_prepacking", "1");
        }
        let bad_model = |detail: String| {
            Error::assets(format!("the model in {} could not be loaded: {detail}", model_dir.path.display())).hint(messages::INSTALL_ASSETS_HINT)
        };
        let model = match catch_unwind(AssertUnwindSafe(|| TextEmbedding::try_new_from_user_defined(model, options))) {
            Ok(Ok(model)) => model,
            Ok(Err(err)) => return Err(bad_model(err.to_string())),
            Err(panic) => return Err(bad_model(panic_text(&panic))),
        };
        Ok(Embedder { model: Model::Fastembed(Box::new(model)), info })
    }

    /// The model in ONNX Runtime's format, kept under `cache_dir` (made there first when it
    /// is not yet): the hook's fast load ([`super::fast_model`]).
    pub fn load_saved_in(settings: &Settings, cache_dir: &std::path::Path) -> Result<Embedder> {
        let (env, info, model, saved) = saved_form(settings, cache_dir)?;
        let tokenizer = info.model_dir.path.join("tokenizer.json");
        let loaded = catch_unwind(AssertUnwindSafe(|| FastModel::load(&env, &model, &saved, &tokenizer, assets::MAX_TOKENS)))
            .unwrap_or_else(|panic| Err(panic_text(&panic)))
            .map_err(|err| Error::assets(format!("the saved model {} could not be loaded: {err}", saved.display())))?;
        Ok(Embedder { model: Model::Saved(Box::new(loaded)), info })
    }

    /// Make the hook's saved model ([`super::fast_model`]) in `cache_dir` unless it is there,
    /// so the next commit does not pay for it (`git screenlink install` and `index`).
    pub fn save_for_hook(settings: &Settings, cache_dir: &std::path::Path) -> Result<()> {
        let (env, _, model, saved) = saved_form(settings, cache_dir)?;
        catch_unwind(AssertUnwindSafe(|| fast_model::ensure_saved(&env, &model, &saved)))
            .unwrap_or_else(|panic| Err(panic_text(&panic)))
            .map_err(|err| Error::assets(format!("the model could not be saved for the hook: {err}")))
    }

    /// One unit-length 384-d vector per text. Texts longer than 256 tokens are truncated
    /// here: callers that must not lose text split it first.
    pub fn embed<S: AsRef<str> + Send + Sync>(&mut self, texts: &[S]) -> Result<Vec<Vec<f32>>> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let failed = |err: String| Error::assets(format!("embedding failed: {err}"));
        match &mut self.model {
            Model::Fastembed(m) => m.embed(texts, Some(BATCH_SIZE)).map_err(|err| failed(err.to_string())),
            Model::Saved(m) => {
                let texts: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
                let mut out = Vec::with_capacity(texts.len());
                for batch in texts.chunks(BATCH_SIZE) {
                    out.extend(m.embed(batch).map_err(failed)?);
                }
                Ok(out)
            }
        }
    }
}

/// The model's tokenizer alone (no ONNX Runtime): counting tokens is all a run with a warm
/// embedding cache needs, and it loads in a few milliseconds instead of a few hundred.
pub struct TokenCounter {
    tokenizer: tokenizers::Tokenizer,
}

impl TokenCounter {
    pub fn load(settings: &Settings) -> Result<TokenCounter> {
        let model_dir = assets::model_dir(settings);
        let path = model_dir.path.join("tokenizer.json");
        let bytes = std::fs::read(&path).map_err(|err| {
            Error::assets(format!("the {} tokenizer is not readable at {} ({err})", assets::MODEL_NAME, path.display())).hint(messages::INSTALL_ASSETS_HINT)
        })?;
        let bad = |detail: String| Error::assets(format!("the tokenizer {} could not be loaded: {detail}", path.display())).hint(messages::INSTALL_ASSETS_HINT);
        let mut tokenizer = super::tokenizer_file::read(&bytes).map_err(bad)?;
        tokenizer.with_truncation(None).map_err(|e| bad(e.to_string()))?;
        tokenizer.with_padding(None);
        Ok(TokenCounter { tokenizer })
    }

    /// Number of model tokens in `text`, special tokens included, never truncated.
    pub fn count(&self, text: &str) -> usize {
        self.tokenizer.encode(text, true).map(|e| e.get_ids().len()).unwrap_or(0)
    }

    /// The tokens of all `texts`, counted on every core.
    pub fn count_all<S: AsRef<str> + Sync>(&self, texts: &[S]) -> usize {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = texts.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = texts.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(|t| self.count(t.as_ref())).sum::<usize>())).collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
        })
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "ONNX Runtime panicked".into())
}
