//! `git screenlink train --from RUN`: a new run on today's pairs that starts from an earlier
//! run's adapter rather than from nothing, so a dataset that grew by a week's pairs does not
//! cost the hours of training again.
//!
//! The adapter must fit (the same base model, kind of fine-tuning and layers), and the new run's
//! held-out pairs must be held out from the old run too: a pair the old adapter trained on would
//! be no test of the new one (a dataset that shrank, or a larger `--valid-fraction`).

use std::collections::HashSet;
use std::path::PathBuf;

use crate::dataset::Pair;
use crate::error::{Error, Kind, Result};
use crate::messages;
use crate::train::checkpoint::{self, ADAPTERS_FILE};
use crate::train::{self, Options, Split, StartedFrom};

/// The earlier run's adapter, checked against the new run's options and split.
pub(super) fn check(dataset_dir: &std::path::Path, run_id: &str, opts: &Options, pairs: &[Pair], split: Split) -> Result<StartedFrom> {
    let run_dir = train::runs::named(dataset_dir, run_id)?;
    let old = train::runs::read(&run_dir)?;
    if train::runs::is_training(&run_dir, &old) {
        return Err(Error::new(Kind::Usage, messages::run_still_training(run_id)).hint(messages::USE_WHEN_TRAINED_HINT));
    }
    let adapter: PathBuf = run_dir.join("adapters").join(ADAPTERS_FILE);
    if !checkpoint::is_whole(&adapter) {
        return Err(Error::new(Kind::Usage, messages::no_adapter_to_start_from(run_id)).hint(messages::FROM_HINT));
    }
    let theirs = (old.base_model(), old.options["fine_tune_type"].as_str().unwrap_or_default(), old.options["num_layers"].as_u64().unwrap_or_default());
    let ours = (opts.model.as_str(), opts.fine_tune_type.as_str(), u64::from(opts.num_layers));
    if theirs != ours {
        return Err(Error::new(Kind::Usage, messages::adapter_does_not_fit(run_id, theirs, ours)).hint(messages::FROM_HINT));
    }
    // The old run's training records, in its own format, against the new run's held-out pairs.
    let trained: HashSet<String> = std::fs::read_to_string(run_dir.join("train.jsonl")).unwrap_or_default().lines().map(str::to_string).collect();
    let held_out = &pairs[split.train..split.train + split.valid + split.test];
    let seen = held_out.iter().filter(|p| trained.contains(&train::record(p, &old.dataset.format).to_string())).count();
    if seen > 0 {
        return Err(Error::new(Kind::Usage, messages::held_out_trained(run_id, seen, held_out.len())).hint(messages::FROM_HINT));
    }
    Ok(StartedFrom { run_id: run_id.to_string(), adapter: adapter.display().to_string() })
}
