//! One stretch of a run's training: mlx-lm started, its losses read and written down as they
//! come, and the run's record finished, the same for a new run and one gone on from a
//! checkpoint (`--resume`), which counts its iterations from where it started.

use std::path::Path;

use chrono::Utc;

use crate::dataset::pair;
use crate::error::{Error, Kind, Result};
use crate::messages;
use crate::train::checkpoint::{self, ADAPTERS_FILE};
use crate::train::distributed::{self, Host, Plan};
use crate::train::process::stream;
use crate::train::{self, hub, Launcher, Loss, Manifest};

/// What one stretch runs and where its record goes.
pub(super) struct Segment<'a> {
    pub launcher: &'a Launcher,
    /// The whole command: mlx-lm, or mlx.launch and mlx-lm.
    pub command: Vec<String>,
    pub run_dir: &'a Path,
    /// The run's adapters directory; this stretch writes into `checkpoint::segment_dir(.., start)`.
    pub adapters: &'a Path,
    /// Iterations trained before this stretch; its own count from 1 is added to them.
    pub start: u32,
    pub plan: &'a Plan,
    pub hosts: &'a [Host],
    pub ranks: usize,
    pub download: bool,
    pub fuse: bool,
}

/// How many ranks train, where: one here, or mlx.launch's ranks on this machine or the host
/// file's hosts; the batch must split evenly across them.
pub(super) fn plan(settings: &crate::config::Settings, batch_size: u32) -> Result<(Plan, Vec<Host>, usize)> {
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
    distributed::check_batch(batch_size, ranks)?;
    Ok((plan, hosts, ranks))
}

/// The whole command line for `mlx_lm lora ARGS`: alone, or under mlx.launch for several ranks.
pub(super) fn command_line(launcher: Option<&Launcher>, plan: &Plan, run_dir: &Path, lora: &[String], download: bool) -> Vec<String> {
    let program = launcher.map(|l| l.program.clone()).unwrap_or_else(|| vec!["mlx_lm".into()]);
    let mut program_lora = program;
    program_lora.push("lora".into());
    program_lora.extend(lora.iter().cloned());
    if !plan.is_distributed() {
        return program_lora;
    }
    let python = launcher.and_then(|l| l.python()).unwrap_or_else(|| "python3".into());
    // Ranks on other hosts start from mlx.launch over SSH, without this process's
    // environment: each is told to read the model offline itself.
    let trainer = if download { program_lora } else { [vec!["env".to_string(), "HF_HUB_OFFLINE=1".to_string()], program_lora].concat() };
    distributed::launch_command(plan, &distributed::launcher_for(&python), run_dir, &trainer)
}

/// Run the stretch, keeping `run.json` up to date with every loss, and finish the record.
pub(super) fn run(seg: Segment, manifest: &mut Manifest) -> Result<i32> {
    let total = manifest.iters();
    let line = train::shell_line(&seg.command[..1], &seg.command[1..]);
    println!("Running mlx-lm {}: {line}", seg.launcher.version);
    let mut cmd = std::process::Command::new(&seg.command[0]);
    cmd.args(&seg.command[1..]);
    if !seg.download {
        hub::offline(&mut cmd);
    }
    let ended = stream(cmd, |loss| {
        let loss = Loss { iter: loss.iter + seg.start, ..loss };
        merge(&mut manifest.losses, loss);
        let v = loss.val.map(|v| format!(", val loss {v:.3}")).unwrap_or_default();
        let t = loss.train.map(|t| format!(", train loss {t:.3}")).unwrap_or_default();
        eprintln!("git-screenlink: iter {}/{total}{t}{v}", loss.iter);
        // The record keeps up: a run killed with no chance to write it still says how far it got.
        let _ = write_manifest(seg.run_dir, manifest);
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
    if seg.start > 0 {
        // A resumed stretch saved into its own directory: its newest weights become the run's.
        let own = checkpoint::segment_dir(seg.adapters, seg.start).join(ADAPTERS_FILE);
        if checkpoint::is_whole(&own) {
            checkpoint::install(&own, &seg.adapters.join(ADAPTERS_FILE))?;
        }
    }
    if seg.plan.is_distributed() {
        let codes = distributed::rank_exit_codes(seg.run_dir, seg.ranks);
        manifest.distributed = Some(serde_json::json!({
            "processes": seg.ranks,
            "hosts": seg.hosts.iter().map(|h| &h.ssh).collect::<Vec<_>>(),
            "backend": seg.plan.backend,
            "rank_exit_codes": codes,
            "rank_logs": (1..seg.ranks).map(|r| format!("rank{r}.log")).collect::<Vec<_>>(),
        }));
    }

    if manifest.status == "completed" && seg.fuse {
        // The adapters are whole whatever happens to the fuse: the run is written either way.
        let model = manifest.base_model().to_string();
        match train::fuse::fuse_into(seg.launcher, &model, seg.adapters, seg.run_dir, train::fuse::FUSED_DIR, false) {
            Ok(fused) => manifest.fused_path = Some(fused.display().to_string()),
            Err(e) => {
                eprintln!("git-screenlink: {}", e.message);
                manifest.status = "fuse failed".into();
            }
        }
    }
    write_manifest(seg.run_dir, manifest)?;
    let chart = seg.run_dir.join(train::chart::FILE_NAME);
    match train::chart::write_svg(&manifest.losses, &format!("git-screenlink run {}: loss by iteration", manifest.run_id), &chart) {
        Ok(true) => println!("Loss chart: {}", chart.display()),
        Ok(false) => {}
        Err(e) => eprintln!("git-screenlink: warning: {}", e.message),
    }
    let described = seg.run_dir.join("run.json");
    match manifest.status.as_str() {
        "completed" => {
            println!("Adapters: {}", seg.adapters.display());
            if let Some(f) = &manifest.fused_path {
                println!("Fused model: {f}");
            }
            let fmt = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:.3}"));
            println!("Final train loss {}, val loss {}; run described in {}", fmt(manifest.final_train_loss), fmt(manifest.final_val_loss), described.display());
            Ok(0)
        }
        "interrupted" => Err(Error::new(Kind::Interrupted, "training interrupted").hint(messages::resume_hint(&described, &manifest.run_id))),
        other => match code {
            Some(c) => Err(Error::new(Kind::Io, format!("mlx-lm {other} (exit code {c}){}", ended.reason()))
                .hint("see mlx-lm's output above; `git screenlink train --dry-run` shows the command")),
            // No exit code: a signal ended it (the OOM killer, or someone's kill -9).
            None => Err(Error::new(Kind::Io, "mlx-lm was killed before it finished (no exit code: a signal, often the system running out of memory)").hint(
                format!(
                    "the dataset is untouched and the partial run is described in {}; try a smaller --batch-size or --num-layers, or go on from its last checkpoint with `git screenlink train --resume {}`",
                    described.display(),
                    manifest.run_id
                ),
            )),
        },
    }
}

/// Keep one entry per iteration, filling in the train and val losses as they come.
pub(super) fn merge(losses: &mut Vec<Loss>, l: Loss) {
    match losses.iter_mut().find(|x| x.iter == l.iter) {
        Some(x) => {
            x.train = l.train.or(x.train);
            x.val = l.val.or(x.val);
        }
        None => losses.push(l),
    }
}

pub(in crate::commands) fn write_manifest(dir: &Path, m: &Manifest) -> Result<()> {
    crate::fsutil::write_atomic(&dir.join("run.json"), &serde_json::to_string_pretty(m).expect("a manifest serialises"))
}
