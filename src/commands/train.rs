//! `git screenlink train`: export the dataset for mlx-lm and run LoRA fine-tuning.

use std::path::Path;

use chrono::Utc;

use crate::cli::TrainArgs;
use crate::config::{self, Override, Settings};
use crate::dataset::{pair, Store};
use crate::error::{Error, Kind, Result};
use crate::messages;
use crate::pipeline;
use crate::train::distributed::{self, Plan};
use crate::train::hub;
use crate::train::process::stream;
use crate::train::{self, DatasetInfo, Loss, Manifest, Options};

/// The sha256 of no bytes: a repository with no dataset yet (its pairs may all come `--also`).
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

pub fn run(args: &TrainArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &overrides(args))?;
    let repo = pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    if args.list {
        return list(&store);
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
    let lora = train::lora_args(&opts, &run_dir, &adapters, &args.extra);
    let program = launcher.as_ref().map(|l| l.program.clone()).unwrap_or_else(|| vec!["mlx_lm".into()]);
    let mut program_lora = program.clone();
    program_lora.push("lora".into());
    program_lora.extend(lora.iter().cloned());

    // More than one rank: mlx.launch runs the trainer once per rank.
    let plan = Plan {
        processes: settings.train_processes.value,
        hosts: settings.train_hosts.as_ref().map(|h| h.value.clone()),
        backend: settings.train_backend.value.clone(),
    };
    let hosts = match &plan.hosts {
        Some(file) => distributed::read_hosts(file)?,
        None => Vec::new(),
    };
    let ranks = plan.ranks(&hosts);
    distributed::check_batch(opts.batch_size, ranks)?;
    let full: Vec<String> = if plan.is_distributed() {
        let python = launcher.as_ref().and_then(|l| l.python()).unwrap_or_else(|| "python3".into());
        // Ranks on other hosts start from mlx.launch over SSH, without this process's
        // environment: each is told to read the model offline itself.
        let trainer = if args.download { program_lora } else { [vec!["env".to_string(), "HF_HUB_OFFLINE=1".to_string()], program_lora].concat() };
        distributed::launch_command(&plan, &distributed::launcher_for(&python), &run_dir, &trainer)
    } else {
        program_lora
    };
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
        println!(
            "{ranks} ranks{}: --batch-size {} is each step's whole batch, split across the ranks ({} pairs per rank per step)",
            if hosts.is_empty() {
                " on this machine".to_string()
            } else {
                format!(" on {}", hosts.iter().map(|h| h.ssh.as_str()).collect::<Vec<_>>().join(", "))
            },
            opts.batch_size,
            opts.batch_size as usize / ranks
        );
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
    };
    write_manifest(&run_dir, &manifest)?;
    println!("Running mlx-lm {}: {line}", launcher.version);

    let mut cmd = std::process::Command::new(&full[0]);
    cmd.args(&full[1..]);
    if !args.download {
        hub::offline(&mut cmd);
    }
    let ended = stream(cmd, |loss| {
        merge(&mut manifest.losses, loss);
        let last = manifest.losses.last().copied();
        if let Some(l) = last {
            let v = l.val.map(|v| format!(", val loss {v:.3}")).unwrap_or_default();
            let t = l.train.map(|t| format!(", train loss {t:.3}")).unwrap_or_default();
            eprintln!("git-screenlink: iter {}/{}{t}{v}", l.iter, opts.iters);
        }
    })?;
    let (code, interrupted) = (ended.code, ended.interrupted);
    manifest.final_train_loss = manifest.losses.iter().rev().find_map(|l| l.train);
    manifest.final_val_loss = manifest.losses.iter().rev().find_map(|l| l.val);
    manifest.ended = Some(pair::timestamp(Utc::now()));
    manifest.exit_code = code;
    manifest.status = if interrupted {
        "interrupted"
    } else if code == Some(0) {
        "completed"
    } else {
        "failed"
    }
    .into();
    if plan.is_distributed() {
        let codes = distributed::rank_exit_codes(&run_dir, ranks);
        manifest.distributed = Some(serde_json::json!({
            "processes": ranks,
            "hosts": hosts.iter().map(|h| &h.ssh).collect::<Vec<_>>(),
            "backend": plan.backend,
            "rank_exit_codes": codes,
            "rank_logs": (1..ranks).map(|r| format!("rank{r}.log")).collect::<Vec<_>>(),
        }));
    }

    if manifest.status == "completed" && args.fuse {
        // The adapters are whole whatever happens to the fuse: the run is written either way.
        match train::fuse::fuse_into(&launcher, &opts.model, &adapters, &run_dir, train::fuse::FUSED_DIR, false) {
            Ok(fused) => manifest.fused_path = Some(fused.display().to_string()),
            Err(e) => {
                eprintln!("git-screenlink: {}", e.message);
                manifest.status = "fuse failed".into();
            }
        }
    }
    write_manifest(&run_dir, &manifest)?;
    let chart = run_dir.join(train::chart::FILE_NAME);
    match train::chart::write_svg(&manifest.losses, &format!("git-screenlink run {run_id}: loss by iteration"), &chart) {
        Ok(true) => println!("Loss chart: {}", chart.display()),
        Ok(false) => {}
        Err(e) => eprintln!("git-screenlink: warning: {}", e.message),
    }
    match manifest.status.as_str() {
        "completed" => {
            println!("Adapters: {}", adapters.display());
            if let Some(f) = &manifest.fused_path {
                println!("Fused model: {f}");
            }
            let fmt = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.3}"));
            println!(
                "Final train loss {}, val loss {}; run described in {}",
                fmt(manifest.final_train_loss),
                fmt(manifest.final_val_loss),
                run_dir.join("run.json").display()
            );
            Ok(0)
        }
        "interrupted" => {
            Err(Error::new(Kind::Interrupted, "training interrupted").hint(format!("the partial run is described in {}", run_dir.join("run.json").display())))
        }
        other => match code {
            Some(c) => Err(Error::new(Kind::Io, format!("mlx-lm {other} (exit code {c}){}", ended.reason()))
                .hint("see mlx-lm's output above; `git screenlink train --dry-run` shows the command")),
            // No exit code: a signal ended it (the OOM killer, or someone's kill -9).
            None => Err(Error::new(Kind::Io, "mlx-lm was killed before it finished (no exit code: a signal, often the system running out of memory)").hint(
                format!(
                    "the dataset is untouched and the partial run is described in {}; try a smaller --batch-size or --num-layers",
                    run_dir.join("run.json").display()
                ),
            )),
        },
    }
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

/// Keep one entry per iteration, filling in the train and val losses as they come.
fn merge(losses: &mut Vec<Loss>, l: Loss) {
    match losses.iter_mut().find(|x| x.iter == l.iter) {
        Some(x) => {
            x.train = l.train.or(x.train);
            x.val = l.val.or(x.val);
        }
        None => losses.push(l),
    }
}

pub(super) fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    crate::fsutil::write_atomic(&dir.join("run.json"), &serde_json::to_string_pretty(m).expect("a manifest serialises"))
}

fn list(store: &Store) -> Result<i32> {
    let runs = train::list_runs(&store.dir);
    if runs.is_empty() {
        println!("No training runs yet in {}", train::runs_dir(&store.dir).display());
        return Ok(0);
    }
    println!(
        "{:<16} {:<12} {:>6} {:>6} {:>10} {:>9}  {:<12} {:>9} {:>9}  {:<9} adapters",
        "run", "status", "pairs", "iters", "train loss", "val loss", "loss curve", "chrF base", "chrF ft", "code loss"
    );
    for m in runs {
        let fmt = |x: Option<f64>, d: usize| x.map_or("-".into(), |x| format!("{x:.d$}"));
        let iters = m.losses.iter().map(|l| l.iter).max().unwrap_or(0);
        let eval = crate::eval::Report::read(&train::runs_dir(&store.dir).join(&m.run_id));
        println!(
            "{:<16} {:<12} {:>6} {:>6} {:>10} {:>9}  {:<12} {:>9} {:>9}  {:<9} {}",
            m.run_id,
            m.status,
            m.dataset.usable,
            iters,
            fmt(m.final_train_loss, 3),
            fmt(m.final_val_loss, 3),
            train::chart::sparkline(&m.losses, 12),
            fmt(eval.as_ref().and_then(|e| e.base.chrf), 1),
            fmt(eval.as_ref().and_then(|e| e.adapter.chrf), 1),
            // What eval's pair-by-pair comparison says of the fine-tuned model's code loss.
            eval.as_ref().and_then(|e| e.comparison.get(crate::eval::CODE_LOSS)).map_or("-", |c| crate::messages::verdict_word(c.verdict)),
            m.adapter_path
        );
    }
    Ok(0)
}
