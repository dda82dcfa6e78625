//! `git screenlink train --resume [RUN]`: go on with a run that stopped (Ctrl-C, a crash, the
//! machine asleep) from its newest whole checkpoint, or train a finished run further
//! (`--iters` a new total), on the run's own exported data, model and settings.
//!
//! mlx-lm loads the checkpoint's weights (`--resume-adapter-file`) and counts from 1 again;
//! the run's record counts on from the checkpoint. What mlx-lm does not save starts afresh:
//! the optimizer's moments, the data's order and a learning-rate schedule's step.

use std::path::{Path, PathBuf};

use chrono::Utc;

use super::segment::{self, Segment};
use crate::cli::TrainArgs;
use crate::config::Settings;
use crate::dataset::{pair, Store};
use crate::error::{Error, Kind, Result};
use crate::messages;
use crate::train::checkpoint::{self, Checkpoint, ADAPTERS_FILE};
use crate::train::hub;
use crate::train::{self, Manifest, Resumed};

pub(super) fn run(args: &TrainArgs, run_id: &str, settings: &Settings, store: &Store) -> Result<i32> {
    let run_dir = pick(&store.dir, run_id)?;
    let mut manifest: Manifest = train::runs::read(&run_dir)?;
    let run_id = manifest.run_id.clone();
    let _training =
        train::runs::lock(&run_dir)?.ok_or_else(|| Error::new(Kind::Usage, messages::run_in_use(&run_id)).hint(messages::RUN_STILL_TRAINING_HINT))?;
    // The run's own directory, wherever the repository has moved since.
    let adapters = run_dir.join("adapters");
    let trained = matches!(manifest.status.as_str(), "completed" | "fuse failed");
    let from = if trained {
        // Every iteration ran: its final weights are where the next ones start.
        let file = adapters.join(ADAPTERS_FILE);
        checkpoint::is_whole(&file).then(|| Checkpoint { iter: manifest.iters(), path: file })
    } else {
        checkpoint::latest(&adapters)
    }
    .ok_or_else(|| Error::new(Kind::Usage, messages::no_checkpoint(&run_id)).hint(messages::NO_CHECKPOINT_HINT))?;
    let total = args.iters.unwrap_or(manifest.iters());
    if from.iter >= total {
        return Err(Error::new(Kind::Usage, messages::run_done(&run_id, from.iter)).hint(messages::run_done_hint(&run_id, from.iter)));
    }
    for name in ["train.jsonl", "valid.jsonl", "test.jsonl"] {
        let file = run_dir.join(name);
        if !file.is_file() {
            return Err(Error::new(Kind::Usage, messages::run_data_missing(&run_id, &file)).hint(messages::NO_CHECKPOINT_HINT));
        }
    }
    let mut opts = manifest.trained_options().map_err(|e| {
        Error::new(Kind::Usage, format!("{}: its options do not read: {e}", run_dir.join("run.json").display())).hint(messages::NO_CHECKPOINT_HINT)
    })?;
    if train::is_local_model(&opts.model) {
        train::require_model_dir(Path::new(&opts.model), "the run's base model moved: put it back where run.json names it")?;
    } else if !hub::is_here(&opts.model) && !args.download {
        return Err(Error::new(Kind::Usage, messages::model_not_downloaded(&opts.model)).hint(messages::MODEL_DOWNLOAD_HINT));
    }
    opts.iters = total - from.iter;

    let launcher = train::find_mlx(settings)?;
    if launcher.version != manifest.mlx_lm_version {
        println!("Note: run {run_id} started with mlx-lm {}; it goes on with {}", manifest.mlx_lm_version, launcher.version);
    }
    let (plan, hosts, ranks) = segment::plan(settings, opts.batch_size)?;
    let into = checkpoint::segment_dir(&adapters, from.iter);
    let extra = manifest.extra_args();
    let mut lora = train::lora_args(&opts, &run_dir, &into, &extra);
    lora.extend(["--resume-adapter-file".to_string(), from.path.display().to_string()]);
    let full = segment::command_line(Some(&launcher), &plan, &run_dir, &lora, args.download);
    let line = train::shell_line(&full[..1], &full[1..]);

    println!("{}", messages::resuming(&run_id, from.iter, total, &from.path));
    if plan.is_distributed() {
        println!("{}", messages::ranks_line(ranks, &hosts, opts.batch_size));
    }
    if args.dry_run {
        println!("Would run: {line}");
        return Ok(0);
    }
    if into != adapters && into.exists() {
        // An earlier go from this same checkpoint saved nothing whole (else it would be the
        // newest): what it left is torn.
        std::fs::remove_dir_all(&into).map_err(|e| Error::io(format!("removing {}", into.display()), e))?;
    }
    forget_derived(&run_dir, &mut manifest)?;
    manifest.losses.retain(|l| l.iter <= from.iter);
    manifest.options["iters"] = total.into();
    manifest.status = "running".into();
    manifest.ended = None;
    manifest.exit_code = None;
    manifest.mlx_lm_version = launcher.version.clone();
    manifest.extra = extra;
    manifest.resumed.push(Resumed { at: from.iter, checkpoint: from.path.display().to_string(), started: pair::timestamp(Utc::now()), command: line });
    segment::write_manifest(&run_dir, &manifest)?;
    let seg = Segment {
        launcher: &launcher,
        command: full,
        run_dir: &run_dir,
        adapters: &adapters,
        start: from.iter,
        plan: &plan,
        hosts: &hosts,
        ranks,
        download: args.download,
        fuse: args.fuse,
    };
    segment::run(seg, &mut manifest)
}

/// The run named, or the newest.
fn pick(dataset_dir: &Path, run_id: &str) -> Result<PathBuf> {
    if run_id.is_empty() {
        let newest = train::list_runs(dataset_dir).pop();
        return newest
            .map(|m| train::runs_dir(dataset_dir).join(m.run_id))
            .ok_or_else(|| Error::new(Kind::Usage, messages::NO_RUN_TO_RESUME).hint(messages::LIST_RUNS_HINT));
    }
    train::runs::named(dataset_dir, run_id)
}

/// What was made from the run's older weights (the fused model, GGUF files, the fine-tuned
/// side of eval) would pass for the new ones: it goes, and the commands that make it again
/// are said. The base model's GGUF and eval's base generations stay: they are the base's.
fn forget_derived(run_dir: &Path, manifest: &mut Manifest) -> Result<()> {
    let id = &manifest.run_id;
    let mut gone = Vec::new();
    let mut paths = vec![
        run_dir.join(train::fuse::FUSED_DIR),
        run_dir.join(train::fuse::DEQUANTIZED_DIR),
        train::fuse::gguf_path(run_dir, id, false),
        train::fuse::gguf_path(run_dir, id, true),
        train::adapter_gguf::lora_path(run_dir, id),
        run_dir.join(crate::eval::EVAL_FILE),
    ];
    let eval_dir = run_dir.join(crate::eval::EVAL_DIR);
    paths.extend(
        std::fs::read_dir(&eval_dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("adapter."))),
    );
    for p in paths {
        let removed = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        match removed {
            Ok(()) => gone.push(p),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("removing {}", p.display()), e)),
        }
    }
    manifest.fused_path = None;
    manifest.gguf_path = None;
    manifest.gguf_lora_path = None;
    if !gone.is_empty() {
        println!("{}", messages::forgot_derived(&gone));
    }
    Ok(())
}
