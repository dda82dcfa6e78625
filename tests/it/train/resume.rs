//! `train --resume`: a run whose machine died mid-training goes on from its newest whole
//! checkpoint, a finished run trains further, and a new run starts from an earlier one's adapter
//! (`--from`), on the tiny model with a real mlx-lm.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::{linked_world, tiny_model};
use crate::env::{OutputExt, TestEnv};

fn manifest(run: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap()
}

/// (iteration, train loss, val loss) as run.json records them.
fn losses(m: &serde_json::Value) -> Vec<(u64, Option<f64>, Option<f64>)> {
    m["losses"].as_array().unwrap().iter().map(|l| (l["iter"].as_u64().unwrap(), l["train"].as_f64(), l["val"].as_f64())).collect()
}

/// The newest `NNNNNNN_adapters.safetensors` in `dir`, by its number.
fn newest_checkpoint(dir: &Path) -> (u64, PathBuf) {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            Some((name.strip_suffix("_adapters.safetensors")?.parse().ok()?, e.path()))
        })
        .max()
        .expect("a checkpoint")
}

/// `train` started with a checkpoint every 5 iterations, killed with mlx-lm as a machine
/// dying would kill them (`kill -9`, no chance to write anything) once `seen` is printed.
#[cfg(target_os = "linux")]
fn train_until_killed(env: &TestEnv, seen: &str, extra: &[&str]) {
    let model = tiny_model().to_str().unwrap().to_string();
    let mut cmd = env.command("git-screenlink");
    cmd.args(["train", "--model", &model, "--iters", "100000", "--batch-size", "2", "--num-layers", "2", "--learning-rate", "1e-3", "--"])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
    assert!(err.any(|l| l.unwrap().contains(seen)), "mlx-lm printed {seen}");
    let kids = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id())).unwrap();
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGKILL) };
    // mlx-lm leads its own process group.
    for k in kids.split_whitespace().filter_map(|p| p.parse::<i32>().ok()) {
        unsafe { libc::kill(-k, libc::SIGKILL) };
    }
    child.wait().unwrap();
}

#[cfg(target_os = "linux")]
#[test]
fn a_run_killed_mid_training_goes_on_from_its_newest_whole_checkpoint() {
    let (env, world) = linked_world();
    let runs = world.repo.join(".git/screenlink/mlx");
    let resume = |args: &[&str]| env.screenlink([&["train", "--resume"], args].concat());

    // Nothing to resume yet.
    let none = resume(&[]);
    assert_eq!(none.code(), 2);
    assert!(none.stderr_text().contains("no training run to resume"), "{}", none.stderr_text());

    train_until_killed(&env, "0000010_adapters.safetensors", &["--save-every", "5", "--steps-per-report", "5"]);
    let run = std::fs::read_dir(&runs).unwrap().flatten().next().unwrap().path();
    let id = run.file_name().unwrap().to_str().unwrap().to_string();
    let before = manifest(&run);
    // Killed with no chance to finish its record: still "running", but with the losses so far.
    assert_eq!(before["status"], "running", "{before:#}");
    let list = env.screenlink(["train", "--list"]).assert_ok().stdout_text();
    assert!(list.lines().any(|line| line.starts_with(&id) && line.contains(" stopped ")), "no process holds it: {list}");
    let base_val = losses(&before)[0].2.expect("mlx-lm's first line of numbers is the untrained model's val loss");
    assert!(losses(&before).iter().any(|l| l.0 == 10 && l.1.is_some()), "{before:#}");
    let (k, newest) = newest_checkpoint(&run.join("adapters"));
    assert!(k >= 10, "{k}");
    let status = env.screenlink(["status", "--no-load"]).stdout_text();
    assert!(status.contains(&format!("run {id} stopped with a checkpoint at iteration {k} of 100000")), "{status}");
    // A save the kill cut short, past the newest whole one: passed over.
    let bytes = std::fs::read(&newest).unwrap();
    std::fs::write(run.join(format!("adapters/{:07}_adapters.safetensors", k + 5)), &bytes[..bytes.len() / 2]).unwrap();
    // What eval and fuse made from the older weights, and the base model's generations.
    std::fs::create_dir_all(run.join("eval")).unwrap();
    std::fs::create_dir_all(run.join("fused")).unwrap();
    for f in ["eval/adapter.t16.jsonl", "eval/base.t16.jsonl", "eval.json", "fused/config.json"] {
        std::fs::write(run.join(f), "{}\n").unwrap();
    }

    // Another process holding the run (training, or fusing it) keeps it.
    {
        let held = std::fs::OpenOptions::new().create(true).append(true).open(run.join(".lock")).unwrap();
        held.try_lock().unwrap();
        let busy = resume(&[&id]);
        assert_eq!(busy.code(), 2);
        assert!(busy.stderr_text().contains(&format!("run {id} is in use by another process")), "{}", busy.stderr_text());
        // Recorded as running and held: training, so its adapter, rewritten at every save, is
        // no model to evaluate, fuse or serve yet.
        for command in [vec!["eval", id.as_str()], vec!["fuse", id.as_str()], vec!["serve", id.as_str()]] {
            let out = env.screenlink(&command);
            assert_eq!(out.code(), 2, "{command:?}");
            assert!(out.stderr_text().contains(&format!("run {id} is still training in another process")), "{command:?}: {}", out.stderr_text());
        }
        let newest = env.screenlink(["eval"]);
        assert!(newest.stderr_text().contains("no training run with adapters to evaluate"), "the one run is training: {}", newest.stderr_text());
    }

    let total = k + 10;
    let out = resume(&[&id, "--iters", &total.to_string()]);
    out.assert_ok();
    let (stdout, stderr) = (out.stdout_text(), out.stderr_text());
    let from = run.join(format!("adapters/{k:07}_adapters.safetensors"));
    assert!(stdout.contains(&format!("Resuming run {id} at iteration {k} of {total}")), "{stdout}");
    assert!(stderr.contains(&format!("Loading fine-tuned weights from {}", from.display())), "{stderr}");
    assert!(stdout.contains("Removed what was made from the run's older weights"), "{stdout}");
    for gone in ["eval/adapter.t16.jsonl", "eval.json", "fused"] {
        assert!(!run.join(gone).exists(), "{gone} was made from the older weights");
    }
    assert!(run.join("eval/base.t16.jsonl").is_file(), "the base model's generations are still the base's");

    let after = manifest(&run);
    assert_eq!(after["status"], "completed", "{after:#}");
    assert_eq!(after["options"]["iters"], total);
    assert_eq!(after["resumed"][0]["at"], k);
    assert_eq!(after["resumed"][0]["checkpoint"], from.to_str().unwrap());
    assert!(after["resumed"][0]["command"].as_str().unwrap().contains("--save-every 5"), "the run's own mlx-lm arguments again");
    let l = losses(&after);
    assert!(l.windows(2).all(|w| w[0].0 < w[1].0), "one entry per iteration, in order: {l:?}");
    assert_eq!(l.last().unwrap().0, total);
    // The resumed stretch's first val loss is the checkpoint's, not the untrained model's.
    let resumed_val = l.iter().find(|x| x.0 == k + 1).and_then(|x| x.2).expect("a val loss as the stretch starts");
    assert!(resumed_val < base_val - 0.5, "resumed at {resumed_val}, untrained {base_val}");
    // The stretch saved into its own directory; its final weights are the run's.
    let own = run.join(format!("adapters/resume-{k:07}"));
    assert_eq!(newest_checkpoint(&own).0, 10);
    assert_eq!(std::fs::read(run.join("adapters/adapters.safetensors")).unwrap(), std::fs::read(own.join("adapters.safetensors")).unwrap());
    let list = env.screenlink(["train", "--list"]).assert_ok().stdout_text();
    assert!(
        list.lines().any(|line| line.starts_with(&id) && line.contains("completed") && line.split_whitespace().nth(3) == Some(&total.to_string())),
        "{list}"
    );

    // Every iteration trained: nothing to resume, and how to train further.
    let done = resume(&[]);
    assert_eq!(done.code(), 2);
    assert!(done.stderr_text().contains(&format!("has trained all {total} of its iterations")), "{}", done.stderr_text());
    assert!(done.stderr_text().contains(&format!("--resume {id} --iters {}", total * 2)), "{}", done.stderr_text());
    // Settings that would make it another run are refused.
    let other = resume(&["--batch-size", "4"]);
    assert_eq!(other.code(), 2);
    assert!(other.stderr_text().contains("cannot be used with"), "{}", other.stderr_text());

    // A run killed before its first save has nothing to go on from.
    train_until_killed(&env, "val", &[]);
    let early = resume(&[]);
    assert_eq!(early.code(), 2);
    assert!(early.stderr_text().contains("stopped before mlx-lm saved a checkpoint"), "{}", early.stderr_text());
}

/// `train --from RUN`: a new run whose adapter starts where RUN's ended, refused when that
/// adapter does not fit or when the new run would test on pairs RUN trained on.
#[test]
fn a_new_run_starts_from_an_earlier_runs_adapter() {
    let (env, world) = linked_world();
    let model = tiny_model().to_str().unwrap().to_string();
    let train = |extra: &[&str]| {
        let common = ["train", "--model", &model, "--batch-size", "2", "--num-layers", "2", "--learning-rate", "2e-3"];
        env.screenlink([&common[..], extra].concat())
    };
    let dataset = world.repo.join(".git/screenlink");
    train(&["--iters", "20"]).assert_ok();
    let first = git_screenlink::train::list_runs(&dataset).pop().unwrap();
    let untrained = first.losses[0].val.expect("the untrained model's val loss comes first");
    let trained = first.final_val_loss.unwrap();
    assert!(trained < untrained - 0.5, "{untrained} → {trained}");

    std::thread::sleep(std::time::Duration::from_millis(1100)); // run ids are by the second
    let out = train(&["--iters", "1", "--from", &first.run_id]);
    out.assert_ok();
    assert!(out.stdout_text().contains(&format!("Starting from run {}'s adapter", first.run_id)), "{}", out.stdout_text());
    let second = git_screenlink::train::list_runs(&dataset).pop().unwrap();
    assert_ne!(second.run_id, first.run_id);
    assert_eq!(second.started_from.as_ref().map(|s| s.run_id.as_str()), Some(first.run_id.as_str()));
    // Its first val loss, before any step, on the same pairs: the earlier adapter's last.
    let start = second.losses[0].val.unwrap();
    assert!((start - trained).abs() < 0.01, "started at {start}, the earlier run ended at {trained} (untrained {untrained})");

    let refused = |extra: &[&str], says: &str| {
        let out = train(&[extra, &["--from", &first.run_id]].concat());
        assert_eq!(out.code(), 2, "{extra:?}");
        assert!(out.stderr_text().contains(says), "{extra:?}: {}", out.stderr_text());
    };
    refused(&["--iters", "1", "--fine-tune-type", "dora"], "adapter does not fit this run");
    // More pairs held out than before: some of them trained the earlier adapter.
    refused(&["--iters", "1", "--valid-fraction", "0.4"], "held-out pairs trained run");
    let none = train(&["--from", "nope"]);
    assert_eq!(none.code(), 2);
    assert!(none.stderr_text().contains("no training run nope"), "{}", none.stderr_text());
    assert_eq!(git_screenlink::train::list_runs(&dataset).len(), 2, "nothing refused left a run behind");
}
