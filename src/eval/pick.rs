//! Which model `eval`, `ask`, `serve` and `fuse` use: a run's adapter (the newest usable, or the
//! one named), the base model alone, or a model directory given.

use std::path::Path;

use crate::error::{Error, Kind, Result};

/// What a run is picked for: the error says what the user can do instead.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Evaluate,
    Ask,
    Serve,
    Fuse,
}

/// The model `ask` and `serve` use: a model directory given (a fused model), the base
/// model alone, or base + a run's adapter (the newest with adapters, or `run`).
pub struct Chosen {
    pub model: String,
    pub adapter: Option<String>,
    /// The format the prompts were trained in (for a model given or the base: the setting's).
    pub format: String,
}

impl Chosen {
    /// How to name it to the user: the model, and the adapter on it.
    pub fn describe(&self) -> String {
        self.adapter.as_deref().map_or(self.model.clone(), |a| format!("{} + {a}", self.model))
    }
}

pub fn choose(settings: &crate::config::Settings, store_dir: &Path, model: Option<&Path>, base: bool, run: Option<&str>, purpose: Purpose) -> Result<Chosen> {
    let format = settings.train_format.value.clone();
    if let Some(m) = model {
        return Ok(Chosen { model: m.display().to_string(), adapter: None, format });
    }
    if base {
        return Ok(Chosen { model: settings.train_model.value.clone(), adapter: None, format });
    }
    let m = pick_run(&crate::train::list_runs(store_dir), run, purpose)?;
    Ok(Chosen { model: m.base_model().to_string(), adapter: Some(m.adapter_path.clone()), format: m.dataset.format.clone() })
}

/// The newest run with adapters, or the run named `id`.
pub fn pick_run(runs: &[crate::train::Manifest], id: Option<&str>, purpose: Purpose) -> Result<crate::train::Manifest> {
    // A run still training has adapters too, rewritten at every save: not a model to use yet.
    let training = |m: &crate::train::Manifest| Path::new(&m.adapter_path).parent().is_some_and(|dir| crate::train::runs::is_training(dir, m));
    let has_adapters = |m: &crate::train::Manifest| Path::new(&m.adapter_path).join("adapters.safetensors").is_file() && !training(m);
    match id {
        Some(id) => {
            let m = runs
                .iter()
                .find(|m| m.run_id == id)
                .ok_or_else(|| Error::new(Kind::Usage, format!("no training run {id}")).hint("`git screenlink train --list` lists the runs"))?;
            if training(m) {
                return Err(Error::new(Kind::Usage, crate::messages::run_still_training(id)).hint(crate::messages::USE_WHEN_TRAINED_HINT));
            }
            if !has_adapters(m) {
                let verb = match purpose {
                    Purpose::Evaluate => "evaluate",
                    Purpose::Ask => "ask",
                    Purpose::Serve => "serve",
                    Purpose::Fuse => "fuse",
                };
                return Err(Error::new(Kind::Usage, format!("run {id} has no adapters (its status: {})", m.status))
                    .hint(format!("{verb} a run that completed (`git screenlink train --list`), or train one")));
            }
            Ok(m.clone())
        }
        None => runs.iter().rev().find(|m| has_adapters(m)).cloned().ok_or_else(|| match purpose {
            Purpose::Evaluate => Error::new(Kind::Usage, "no training run with adapters to evaluate")
                .hint("train one first: `git screenlink train` (see `git screenlink train --list`)"),
            Purpose::Ask => Error::new(Kind::Usage, "no training run with adapters to ask")
                .hint("train one first (`git screenlink train`), or ask the base model with --base or a fused model with --model DIR"),
            Purpose::Serve => Error::new(Kind::Usage, "no training run with adapters to serve")
                .hint("train one first (`git screenlink train`), or serve the base model with --base or a fused model with --model DIR"),
            Purpose::Fuse => Error::new(Kind::Usage, "no training run with adapters to fuse").hint("train one first: `git screenlink train`"),
        }),
    }
}
