//! `train` interrupted and killed (Ctrl-C, the OOM killer, `kill -9` while exporting), and
//! several ranks through mlx.launch, on the tiny model.

use super::{linked_world, tiny_model};
use crate::env::{OutputExt, TestEnv};

/// Output of a training run, kept open so that its prints never hit a closed pipe.
#[cfg(unix)]
type Lines<R> = std::io::Lines<std::io::BufReader<R>>;

/// `train` with more iterations than it will get to run, once mlx-lm has printed its first
/// line (our stderr carries mlx-lm's output).
#[cfg(unix)]
fn start_long_training(env: &TestEnv, extra: &[&str]) -> (std::process::Child, Lines<std::process::ChildStdout>, Lines<std::process::ChildStderr>) {
    use std::io::{BufRead, BufReader};
    let model = tiny_model().to_str().unwrap().to_string();
    let mut cmd = env.command("git-screenlink");
    cmd.args(["train", "--model", &model, "--iters", "100000", "--batch-size", "2", "--num-layers", "2"])
        .args(extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
    assert!(out.any(|l| l.unwrap().starts_with("Running mlx-lm")), "training started");
    let first = err.next().expect("mlx-lm prints a line").unwrap();
    assert!(!first.starts_with("git-screenlink"), "the first line is mlx-lm's: {first}");
    (child, out, err)
}

/// Ctrl-C reaches mlx-lm, and the run is recorded as interrupted (exit code 130).
#[cfg(unix)]
#[test]
fn ctrl_c_stops_mlx_lm_and_the_run_says_interrupted() {
    let (env, world) = linked_world();
    let (mut child, _stdout, stderr) = start_long_training(&env, &[]);
    let drain = std::thread::spawn(move || stderr.count());
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    drain.join().unwrap();
    assert_eq!(status.code(), Some(130));
    let runs = world.repo.join(".git/screenlink/mlx");
    let run = std::fs::read_dir(&runs).unwrap().flatten().next().unwrap().path();
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "interrupted", "{m:#}");
    assert!(m["ended"].is_string());
}

/// mlx-lm killed mid-training (as the OOM killer would): one clear error, the run recorded
/// as failed, the dataset untouched.
#[cfg(target_os = "linux")]
#[test]
fn mlx_lm_killed_mid_training_is_a_failed_run_and_a_clear_error() {
    let (env, world) = linked_world();
    let data = world.repo.join(".git/screenlink/training_data.jsonl");
    let before = std::fs::read(&data).unwrap();
    let (child, _stdout, stderr) = start_long_training(&env, &[]);
    // Our process's children: mlx-lm.
    let kids = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", child.id())).unwrap();
    let kids: Vec<i32> = kids.split_whitespace().filter_map(|p| p.parse().ok()).collect();
    assert!(!kids.is_empty(), "mlx-lm runs as a child");
    for k in kids {
        unsafe { libc::kill(k, libc::SIGKILL) };
    }
    let err: String = stderr.map(|l| l.unwrap() + "\n").collect();
    let mut child = child;
    assert_eq!(child.wait().unwrap().code(), Some(2));
    assert!(err.contains("mlx-lm was killed before it finished"), "{err}");
    let runs = world.repo.join(".git/screenlink/mlx");
    let run = std::fs::read_dir(&runs).unwrap().flatten().next().unwrap().path();
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "failed", "{m:#}");
    assert_eq!(std::fs::read(&data).unwrap(), before, "the dataset is untouched");
}

/// `kill -9` while `train` exports the dataset: every exported file is whole or absent, the
/// dataset untouched, and a clean run after it trains.
#[test]
fn kill_9_during_export_leaves_whole_files_or_none() {
    let (env, world) = linked_world();
    let data = world.repo.join(".git/screenlink/training_data.jsonl");
    let before = std::fs::read(&data).unwrap();
    let model = tiny_model().to_str().unwrap().to_string();
    let mut delay = 37u64;
    for _ in 0..15 {
        let mut child = env
            .command("git-screenlink")
            .args(["train", "--model", &model, "--iters", "1", "--batch-size", "2", "--num-layers", "2"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        delay = (delay * 7919 + 13) % 1500;
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
    }
    let runs = world.repo.join(".git/screenlink/mlx");
    for run in std::fs::read_dir(&runs).into_iter().flatten().flatten() {
        for name in ["train.jsonl", "valid.jsonl", "test.jsonl"] {
            let Ok(text) = std::fs::read_to_string(run.path().join(name)) else { continue };
            assert!(text.is_empty() || text.ends_with('\n'), "{name} ends mid-line");
            for line in text.lines() {
                serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{name}: {e}: {line}"));
            }
        }
    }
    assert_eq!(std::fs::read(&data).unwrap(), before, "the dataset is untouched");
    let out = env.screenlink(["train", "--model", &model, "--iters", "2", "--batch-size", "2", "--num-layers", "2"]);
    out.assert_ok();
}

/// Two ranks over loopback through mlx.launch: one adapter, each rank's exit code recorded,
/// rank 1's output in its own log.
#[test]
fn two_ranks_over_loopback_train_one_adapter() {
    let (env, world) = linked_world();
    let model = tiny_model().to_str().unwrap().to_string();
    let dry = env.screenlink(["train", "--dry-run", "--processes", "2", "--model", &model, "--batch-size", "2"]);
    dry.assert_ok();
    let text = dry.stdout_text();
    let line = text.lines().find(|l| l.starts_with("Would run: ")).unwrap();
    assert!(line.contains("mlx.launch -n 2 -- sh -c") && line.contains("-m mlx_lm lora --model"), "{line}");
    // Every rank reads the model offline, those mlx.launch starts over SSH too; with
    // --download, none.
    assert!(line.contains(" env HF_HUB_OFFLINE=1 "), "{line}");
    let told = env.screenlink(["train", "--dry-run", "--download", "--processes", "2", "--model", &model, "--batch-size", "2"]);
    assert!(told.stdout_text().contains("Would run: ") && !told.stdout_text().contains("HF_HUB_OFFLINE"), "{}", told.stdout_text());
    assert!(text.contains("2 ranks on this machine: --batch-size 2 is each step's whole batch"), "{text}");
    let odd = env.screenlink(["train", "--dry-run", "--processes", "2", "--model", &model, "--batch-size", "3"]);
    assert_eq!(odd.code(), 2);
    assert!(odd.stderr_text().contains("does not divide across 2 ranks"), "{}", odd.stderr_text());

    let out = env.screenlink(["train", "--processes", "2", "--backend", "ring", "--model", &model, "--iters", "4", "--batch-size", "2", "--num-layers", "2"]);
    out.assert_ok();
    let runs = world.repo.join(".git/screenlink/mlx");
    let run = std::fs::read_dir(&runs).unwrap().flatten().next().unwrap().path();
    assert!(run.join("adapters/adapters.safetensors").is_file());
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "completed", "{m:#}");
    assert_eq!(m["distributed"]["rank_exit_codes"], serde_json::json!([0, 0]), "{m:#}");
    assert_eq!(m["distributed"]["backend"], "ring");
    assert!(m["command"].as_str().unwrap().contains("--backend ring"));
    assert!(run.join("rank1.log").is_file());
    assert!(m["losses"].as_array().unwrap().iter().any(|l| l["iter"] == 4), "rank 0's losses are read: {m:#}");
}

#[test]
fn a_host_file_with_an_unreachable_host_fails_preflight_before_anything_runs() {
    let (env, world) = linked_world();
    let model = tiny_model().to_str().unwrap().to_string();
    let hosts = env.root().join("hosts.json");
    std::fs::write(&hosts, r#"[{"ssh": "localhost", "ips": ["127.0.0.1"]}, {"ssh": "no-such-host.invalid", "ips": ["10.255.255.1"]}]"#).unwrap();
    let out = env.screenlink(["train", "--hosts", hosts.to_str().unwrap(), "--model", &model, "--iters", "4", "--batch-size", "2"]);
    assert_eq!(out.code(), 2, "{}", out.stdout_text());
    let err = out.stderr_text();
    assert!(err.contains("host no-such-host.invalid: not reachable over SSH"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let runs = world.repo.join(".git/screenlink/mlx");
    assert!(std::fs::read_dir(&runs).map(|d| d.count()).unwrap_or(0) == 0, "nothing ran, nothing left");
    let bad = env.root().join("bad.json");
    std::fs::write(&bad, "mac1\nmac2\n").unwrap();
    let out = env.screenlink(["train", "--dry-run", "--hosts", bad.to_str().unwrap(), "--model", &model]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("is not an mlx.launch host file"), "{}", out.stderr_text());
}

/// Ctrl-C during a two-rank run stops every rank and records the run as interrupted.
#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_stops_every_rank() {
    let (env, world) = linked_world();
    let (mut child, _out, mut err) = start_long_training(&env, &["--processes", "2"]);
    // Both ranks are up once training prints its table.
    assert!(err.any(|l| l.unwrap().contains("Trainable parameters")), "training started");
    let drain = std::thread::spawn(move || err.count());
    let runs = world.repo.join(".git/screenlink/mlx");
    let run = std::fs::read_dir(&runs).unwrap().flatten().next().unwrap().path();
    let ranks_running = || {
        std::fs::read_dir("/proc")
            .unwrap()
            .flatten()
            .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
            .filter(|c| String::from_utf8_lossy(c).contains(run.to_str().unwrap()) && String::from_utf8_lossy(c).contains("mlx_lm"))
            .count()
    };
    assert!(ranks_running() >= 2, "two ranks run");
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(child.wait().unwrap().code(), Some(130));
    drain.join().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while ranks_running() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(ranks_running(), 0, "every rank stopped");
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "interrupted", "{m:#}");
}
