//! `git screenlink train`: export the dataset for mlx-lm and run LoRA fine-tuning.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;

use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::cli::TrainArgs;
use crate::config::{self, Override, Settings};
use crate::dataset::{pair, Store};
use crate::error::{Error, Kind, Result};
use crate::pipeline;
use crate::train::{self, DatasetInfo, Loss, Manifest, Options};

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
    let read = store.pairs()?;
    pipeline::warn_bad_lines(&store.dataset_path(), &read.bad_lines);
    let total = read.records.len();
    let pairs = train::usable(read.records);
    let split = train::split(pairs.len(), opts.batch_size as usize, opts.valid_fraction)?;

    // The model: a local directory must hold a model; anything else is a hub id.
    if train::is_local_model(&opts.model) && !Path::new(&opts.model).join("config.json").is_file() {
        return Err(Error::new(Kind::Usage, format!("{} is not a model directory (no config.json in it)", opts.model))
            .hint("give --model a directory holding an mlx-lm model (config.json, *.safetensors, tokenizer), or a Hugging Face id"));
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
    let line = train::shell_line(&program_lora, &lora);

    println!(
        "Exporting {} of {total} pairs (accepted, not flagged) as {}: train {}, valid {}, test {} (oldest to train, newest to test)",
        pairs.len(),
        opts.format,
        split.train,
        split.valid,
        split.test
    );
    if !train::is_local_model(&opts.model) {
        println!("Note: mlx-lm will download {} from the Hugging Face hub unless it is in its cache", opts.model);
    }
    if args.dry_run {
        println!("Would write {}/{{train,valid,test}}.jsonl", run_dir.display());
        println!("Would run: {line}");
        return Ok(0);
    }
    let launcher = launcher.expect("found above unless dry run");
    train::export(&pairs, split, &opts.format, &run_dir)?;
    let dataset_bytes = std::fs::read(store.dataset_path()).unwrap_or_default();
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
            sha256: Sha256::digest(&dataset_bytes).iter().map(|b| format!("{b:02x}")).collect(),
            pairs: total,
            usable: pairs.len(),
            split,
            format: opts.format.clone(),
            export_dir: run_dir.display().to_string(),
        },
        options: serde_json::to_value(&opts).unwrap_or_default(),
        losses: Vec::new(),
        final_train_loss: None,
        final_val_loss: None,
        adapter_path: adapters.display().to_string(),
        fused_path: None,
    };
    write_manifest(&run_dir, &manifest)?;
    println!("Running mlx-lm {}: {line}", launcher.version);

    let mut cmd = launcher.command("lora");
    cmd.args(&lora);
    let (code, interrupted) = stream(cmd, |loss| {
        merge(&mut manifest.losses, loss);
        let last = manifest.losses.last().copied();
        if let Some(l) = last {
            let v = l.val.map(|v| format!(", val loss {v:.3}")).unwrap_or_default();
            let t = l.train.map(|t| format!(", train loss {t:.3}")).unwrap_or_default();
            eprintln!("git-screenlink: iter {}/{}{t}{v}", l.iter, opts.iters);
        }
    })?;
    manifest.final_train_loss = manifest.losses.iter().rev().find_map(|l| l.train);
    manifest.final_val_loss = manifest.losses.iter().rev().find_map(|l| l.val);
    manifest.ended = Some(pair::timestamp(Utc::now()));
    manifest.exit_code = code;
    manifest.status = if interrupted { "interrupted" } else if code == Some(0) { "completed" } else { "failed" }.into();

    if manifest.status == "completed" && args.fuse {
        let fused = run_dir.join("fused");
        let mut fuse = launcher.command("fuse");
        fuse.args(["--model", &opts.model, "--adapter-path"]).arg(&adapters).arg("--save-path").arg(&fused);
        let (fcode, _) = stream(fuse, |_| {})?;
        if fcode == Some(0) {
            manifest.fused_path = Some(fused.display().to_string());
        } else {
            manifest.status = "fuse failed".into();
        }
    }
    write_manifest(&run_dir, &manifest)?;
    match manifest.status.as_str() {
        "completed" => {
            println!("Adapters: {}", adapters.display());
            if let Some(f) = &manifest.fused_path {
                println!("Fused model: {f}");
            }
            let fmt = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.3}"));
            println!("Final train loss {}, val loss {}; run described in {}", fmt(manifest.final_train_loss), fmt(manifest.final_val_loss), run_dir.join("run.json").display());
            Ok(0)
        }
        "interrupted" => Err(Error::new(Kind::Interrupted, "training interrupted").hint(format!("the partial run is described in {}", run_dir.join("run.json").display()))),
        other => match code {
            Some(c) => Err(Error::new(Kind::Io, format!("mlx-lm {other} (exit code {c})"))
                .hint("see mlx-lm's output above; `git screenlink train --dry-run` shows the command")),
            // No exit code: a signal ended it (the OOM killer, or someone's kill -9).
            None => Err(Error::new(Kind::Io, "mlx-lm was killed before it finished (no exit code: a signal, often the system running out of memory)")
                .hint(format!("the dataset is untouched and the partial run is described in {}; try a smaller --batch-size or --num-layers", run_dir.join("run.json").display()))),
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

fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    crate::fsutil::write_atomic(&dir.join("run.json"), &serde_json::to_string_pretty(m).expect("a manifest serialises"))
}

static CHILD: AtomicI32 = AtomicI32::new(0);

extern "C" fn forward_sigint(_: libc::c_int) {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        unsafe { libc::kill(pid, libc::SIGINT) };
    }
}

/// Run `cmd`, passing its output through (colours kept on a terminal, stripped otherwise),
/// handing every loss line to `on_loss`, and forwarding Ctrl-C to it. Returns its exit
/// code and whether it was interrupted.
fn stream(mut cmd: std::process::Command, mut on_loss: impl FnMut(Loss)) -> Result<(Option<i32>, bool)> {
    let colour = console::Term::stderr().is_term();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
    if !colour {
        cmd.env("NO_COLOR", "1");
    }
    let mut child = cmd.spawn().map_err(|e| Error::io("starting mlx-lm", e))?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    let previous = unsafe { libc::signal(libc::SIGINT, forward_sigint as *const () as libc::sighandler_t) };
    let (tx, rx) = mpsc::channel::<String>();
    let pipes: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().expect("piped")),
        Box::new(child.stderr.take().expect("piped")),
    ];
    let readers: Vec<_> = pipes
        .into_iter()
        .map(|pipe| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                // mlx-lm redraws its progress bar with \r; split on both.
                let mut reader = BufReader::new(pipe);
                let mut buf = Vec::new();
                while reader.read_until(b'\n', &mut buf).map(|n| n > 0).unwrap_or(false) {
                    for part in String::from_utf8_lossy(&buf).split('\r') {
                        let _ = tx.send(part.trim_end_matches('\n').to_string());
                    }
                    buf.clear();
                }
            })
        })
        .collect();
    drop(tx);
    for line in rx {
        if line.is_empty() {
            continue;
        }
        eprintln!("{}", if colour { line.clone() } else { train::strip_ansi(&line) });
        if let Some(loss) = train::parse_loss(&line) {
            on_loss(loss);
        }
    }
    for r in readers {
        let _ = r.join();
    }
    let status = child.wait().map_err(|e| Error::io("waiting for mlx-lm", e))?;
    unsafe { libc::signal(libc::SIGINT, previous) };
    CHILD.store(0, Ordering::SeqCst);
    #[cfg(unix)]
    let interrupted = {
        use std::os::unix::process::ExitStatusExt;
        status.signal() == Some(libc::SIGINT) || status.code() == Some(130)
    };
    #[cfg(not(unix))]
    let interrupted = false;
    Ok((status.code(), interrupted))
}

fn list(store: &Store) -> Result<i32> {
    let runs = train::list_runs(&store.dir);
    if runs.is_empty() {
        println!("No training runs yet in {}", train::runs_dir(&store.dir).display());
        return Ok(0);
    }
    println!("{:<16} {:<12} {:>6} {:>6} {:>10} {:>9}  adapters", "run", "status", "pairs", "iters", "train loss", "val loss");
    for m in runs {
        let fmt = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.3}"));
        let iters = m.losses.iter().map(|l| l.iter).max().unwrap_or(0);
        println!(
            "{:<16} {:<12} {:>6} {:>6} {:>10} {:>9}  {}",
            m.run_id,
            m.status,
            m.dataset.usable,
            iters,
            fmt(m.final_train_loss),
            fmt(m.final_val_loss),
            m.adapter_path
        );
    }
    Ok(0)
}
