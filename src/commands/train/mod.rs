//! `git screenlink train`: export the dataset for mlx-lm and run LoRA fine-tuning; `--resume`
//! goes on with a run that stopped, `--list` lists them.

mod from;
mod list;
mod resume;
mod segment;

use std::path::Path;

use chrono::Utc;

use crate::cli::TrainArgs;
use crate::config::{self, Override, Settings};
use crate::dataset::{pair, Store};
use crate::error::{Error, Kind, Result};
use crate::messages;
use crate::pipeline;
use crate::train::distributed;
use crate::train::hub;
use crate::train::{self, DatasetInfo, Manifest, Options};
pub(super) use segment::write_manifest;
use segment::Segment;

/// The sha256 of no bytes: a repository with no dataset yet (its pairs may all come `--also`).
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

pub fn run(args: &TrainArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &overrides(args))?;
    let repo = pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    if args.list {
        return list::run(&store);
    }
    if let Some(run_id) = &args.resume {
        return resume::run(args, run_id, &settings, &store);
    }
    let opts = Options::from_settings(&settings);

    // The data: accepted, unflagged pairs, oldest first, split by time.
    // Read once: the pairs, and the sha256 the run records of the file.
    let (read, dataset_sha256) = crate::dataset::read_jsonl_hashed::<crate::dataset::Pair>(&store.dataset_path())?
        .unwrap_or_else(|| (crate::dataset::ReadOutcome { records: Vec::new(), bad_lines: Vec::new() }, EMPTY_SHA256.to_string()));
    pipeline::warn_bad_lines(&store.dataset_path(), &read.bad_lines);
    let (also, theirs) = super::also(&args.also, &store.dataset_path())?;
    let mut records = read.records;
    records.extend(theirs);
    let total = records.len();
    let (pairs, repeated) = train::usable(records);
    let split = train::split(pairs.len(), opts.batch_size as usize, opts.valid_fraction)?;

    // The model: a local directory must hold a model; anything else is a hub id.
    // A hub id is read from the cache; downloaded only with --download.
    let local = train::is_local_model(&opts.model);
    if local {
        train::require_model_dir(
            Path::new(&opts.model),
            "give --model a directory holding an mlx-lm model (config.json, *.safetensors, tokenizer), or a Hugging Face id",
        )?;
    }
    let to_download = !local && !hub::is_here(&opts.model);
    if to_download && !args.download && !args.dry_run {
        return Err(Error::new(Kind::Usage, messages::model_not_downloaded(&opts.model)).hint(messages::MODEL_DOWNLOAD_HINT));
    }
    let launcher = match train::find_mlx(&settings) {
        Ok(l) => Some(l),
        // A dry run on a machine without mlx-lm still shows the command, unless the user
        // named a Python: then that Python is what is wrong.
        Err(e) if args.dry_run && settings.train_python.is_none() => {
            eprintln!("git-screenlink: note: {} ({})", e.message, e.hint.unwrap_or_default());
            None
        }
        Err(e) => return Err(e),
    };
    let run_id = Utc::now().format("%Y%m%d-%H%M%S").to_string();
    let run_dir = train::runs_dir(&store.dir).join(&run_id);
    let adapters = run_dir.join("adapters");
    let started_from = args.from.as_deref().map(|from| from::check(&store.dir, from, &opts, &pairs, split)).transpose()?;
    let mut lora = train::lora_args(&opts, &run_dir, &adapters, &args.extra);
    if let Some(s) = &started_from {
        lora.extend(["--resume-adapter-file".to_string(), s.adapter.clone()]);
    }

    let (plan, hosts, ranks) = segment::plan(&settings, opts.batch_size)?;
    let full = segment::command_line(launcher.as_ref(), &plan, &run_dir, &lora, args.download);
    let line = train::shell_line(&full[..1], &full[1..]);

    println!(
        "Exporting {} of {total} pairs (accepted, not flagged) as {}: train {}, valid {}, test {} (oldest to train, newest to test){}",
        pairs.len(),
        opts.format,
        split.train,
        split.valid,
        split.test,
        crate::messages::repeated(repeated)
    );
    for o in &also {
        println!("{}", crate::messages::taken_also(o.pairs, &o.path));
    }
    match (to_download, args.download) {
        (true, true) => println!("Note: mlx-lm will download {} from the Hugging Face hub (once: later runs read it from the cache)", opts.model),
        (true, false) => println!("Note: {} is not on this machine: `--download` lets mlx-lm fetch it from the Hugging Face hub", opts.model),
        (false, _) => {}
    }
    if plan.is_distributed() {
        println!("{}", messages::ranks_line(ranks, &hosts, opts.batch_size));
    }
    if let Some(s) = &started_from {
        println!("{}", messages::starting_from(&s.run_id, &s.adapter));
    }
    if args.dry_run {
        println!("Would write {}/{{train,valid,test}}.jsonl", run_dir.display());
        println!("Would run: {line}");
        return Ok(0);
    }
    let launcher = launcher.expect("found above unless dry run");
    train::export(&pairs, split, &opts.format, &run_dir)?;
    if !hosts.is_empty() {
        let python = launcher.python().unwrap_or_else(|| "python3".into());
        match distributed::preflight(&hosts, &python, &launcher.version, &opts.model, &run_dir) {
            Ok(notes) => notes.iter().for_each(|n| println!("{n}")),
            Err(e) => {
                // Nothing ran: the export goes too.
                let _ = std::fs::remove_dir_all(&run_dir);
                return Err(e);
            }
        }
    }
    let _training = train::runs::lock(&run_dir)?;
    let mut manifest = Manifest {
        run_id: run_id.clone(),
        status: "running".into(),
        started: pair::timestamp(Utc::now()),
        ended: None,
        exit_code: None,
        command: line.clone(),
        mlx_lm_version: launcher.version.clone(),
        dataset: DatasetInfo {
            path: store.dataset_path().display().to_string(),
            sha256: dataset_sha256,
            pairs: total,
            usable: pairs.len(),
            split,
            format: opts.format.clone(),
            export_dir: run_dir.display().to_string(),
            also,
        },
        options: serde_json::to_value(&opts).unwrap_or_default(),
        losses: Vec::new(),
        final_train_loss: None,
        final_val_loss: None,
        adapter_path: adapters.display().to_string(),
        fused_path: None,
        gguf_path: None,
        gguf_lora_path: None,
        gguf_base_path: None,
        distributed: None,
        extra: args.extra.clone(),
        resumed: Vec::new(),
        started_from,
    };
    write_manifest(&run_dir, &manifest)?;
    let seg = Segment {
        launcher: &launcher,
        command: full,
        run_dir: &run_dir,
        adapters: &adapters,
        start: 0,
        plan: &plan,
        hosts: &hosts,
        ranks,
        download: args.download,
        fuse: args.fuse,
    };
    segment::run(seg, &mut manifest)
}

fn overrides(args: &TrainArgs) -> Vec<Override> {
    let mut out = Vec::new();
    let mut add = |key: &'static str, flag: &'static str, v: Option<String>| {
        if let Some(value) = v {
            out.push(Override { key, flag, value });
        }
    };
    add(config::TRAIN_MODEL, "--model", args.model.clone());
    add(config::TRAIN_ITERS, "--iters", args.iters.map(|x| x.to_string()));
    add(config::TRAIN_BATCH_SIZE, "--batch-size", args.batch_size.map(|x| x.to_string()));
    add(config::TRAIN_LEARNING_RATE, "--learning-rate", args.learning_rate.map(|x| x.to_string()));
    add(config::TRAIN_NUM_LAYERS, "--num-layers", args.num_layers.map(|x| x.to_string()));
    add(config::TRAIN_FINE_TUNE_TYPE, "--fine-tune-type", args.fine_tune_type.clone());
    add(config::TRAIN_FORMAT, "--format", args.format.clone());
    add(config::TRAIN_VALID_FRACTION, "--valid-fraction", args.valid_fraction.map(|x| x.to_string()));
    add(config::TRAIN_PROCESSES, "--processes", args.processes.map(|x| x.to_string()));
    add(config::TRAIN_HOSTS, "--hosts", args.hosts.as_ref().map(|x| x.display().to_string()));
    add(config::TRAIN_BACKEND, "--backend", args.backend.clone());
    out
}
