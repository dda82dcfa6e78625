//! Training on more than one process or machine through MLX's own launcher, `mlx.launch`:
//! mlx-lm's trainer already averages gradients and losses across ranks (`mx.distributed`),
//! so we only start it, check the hosts first, and keep each rank's output and exit code.
//!
//! Facts this relies on (mlx 0.30, mlx-lm 0.32): `mlx.launch [-n N | --hostfile F]
//! [--backend B] -- CMD…` runs CMD once per rank with `MLX_RANK` set; its host file is JSON, a
//! list of `{"ssh": host, "ips": [...]}` or `{"hosts": [...], "backend", "envs"}`; mlx-lm's
//! `--batch-size` is the whole step's, split evenly across the ranks (it must divide).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Deserialize;

use crate::error::{Error, Kind, Result};

/// Where and how the ranks run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// `-n N` on this machine (with no host file).
    pub processes: u32,
    pub hosts: Option<PathBuf>,
    /// ring, mpi, or any (mlx.launch decides).
    pub backend: String,
}

impl Plan {
    /// More than one rank, so `mlx.launch` runs the trainer.
    pub fn is_distributed(&self) -> bool {
        self.processes > 1 || self.hosts.is_some()
    }

    /// How many ranks run: one per host in the file, else `processes`.
    pub fn ranks(&self, hosts: &[Host]) -> usize {
        if self.hosts.is_some() {
            hosts.len()
        } else {
            self.processes as usize
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Host {
    pub ssh: String,
    #[serde(default)]
    pub ips: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum HostFile {
    List(Vec<Host>),
    Object { hosts: Vec<Host> },
}

/// The hosts of an mlx.launch host file.
pub fn read_hosts(path: &Path) -> Result<Vec<Host>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(format!("reading the host file {}", path.display()), e))?;
    let hosts = match serde_json::from_str::<HostFile>(&text) {
        Ok(HostFile::List(h)) | Ok(HostFile::Object { hosts: h }) => h,
        Err(e) => {
            return Err(Error::new(Kind::Usage, format!("{} is not an mlx.launch host file: {e}", path.display()))
                .hint("write a JSON list of hosts, each {\"ssh\": \"name\", \"ips\": [\"10.0.0.1\"]} (see README, \"Training across machines\")"))
        }
    };
    if hosts.is_empty() {
        return Err(Error::new(Kind::Usage, format!("{} names no hosts", path.display())).hint("list at least one host"));
    }
    Ok(hosts)
}

/// Hosts that are this machine: nothing to check or copy there.
fn is_local(host: &Host) -> bool {
    ["localhost", "127.0.0.1", "::1"].contains(&host.ssh.as_str())
}

/// `ssh` to `host` in batch mode (no password prompt) with a short timeout.
fn ssh(host: &Host, remote: &str) -> Command {
    let mut c = Command::new("ssh");
    c.args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=5", "-o", "StrictHostKeyChecking=accept-new", &host.ssh, remote]);
    c
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Before anything runs: every remote host answers over SSH, has the same mlx-lm version,
/// the model directory (when local) and the run directory at the same paths. A run
/// directory that is missing is copied there. Returns what was done; fails on the first
/// host that is not ready, naming it.
pub fn preflight(hosts: &[Host], python: &Path, mlx_version: &str, model: &str, run_dir: &Path) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    for host in hosts.iter().filter(|h| !is_local(h)) {
        let fail = |what: String, hint: &str| Err(Error::new(Kind::Usage, format!("host {}: {what}", host.ssh)).hint(hint.to_string()));
        let out = run_with_timeout(ssh(host, "true"), Duration::from_secs(15));
        match out {
            Some(o) if o.status.success() => {}
            Some(o) => {
                let why = String::from_utf8_lossy(&o.stderr).trim().lines().last().unwrap_or("no answer").to_string();
                return fail(
                    format!("not reachable over SSH ({why})"),
                    "check the name, that `ssh -o BatchMode=yes HOST true` works (a key, no password), or remove it from the host file",
                );
            }
            None => return fail("not reachable over SSH (no answer within 15 s)".into(), "check the name and the network, or remove it from the host file"),
        }
        let version_check = format!("{} -c 'import mlx_lm; print(mlx_lm.__version__)'", quote(&python.display().to_string()));
        let theirs = run_with_timeout(ssh(host, &version_check), Duration::from_secs(30))
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
        match theirs {
            Some(v) if mlx_version.ends_with(&v) || v == mlx_version => {}
            Some(v) => return fail(format!("has mlx-lm {v}, this machine {mlx_version}"), "install the same mlx-lm version on every host"),
            None => {
                return fail(
                    format!("has no mlx-lm at {}", python.display()),
                    "install mlx-lm there at the same path (e.g. `./install.sh --mlx`), or set screenlink.train.python to a path every host has",
                )
            }
        }
        if super::is_local_model(model) {
            let has =
                run_with_timeout(ssh(host, &format!("test -f {}/config.json", quote(model))), Duration::from_secs(15)).is_some_and(|o| o.status.success());
            if !has {
                return fail(format!("has no model directory {model}"), "copy the model there at the same path (or use shared storage)");
            }
        }
        let run = run_dir.display().to_string();
        let has_run = run_with_timeout(ssh(host, &format!("test -f {}/train.jsonl", quote(&run))), Duration::from_secs(15)).is_some_and(|o| o.status.success());
        if !has_run {
            let parent = run_dir.parent().unwrap_or(Path::new("/")).display().to_string();
            let made = run_with_timeout(ssh(host, &format!("mkdir -p {}", quote(&parent))), Duration::from_secs(15)).is_some_and(|o| o.status.success());
            let copied = made
                && run_with_timeout(
                    {
                        let mut c = Command::new("scp");
                        c.args(["-q", "-r", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5"]).arg(run_dir).arg(format!("{}:{parent}/", host.ssh));
                        c
                    },
                    Duration::from_secs(600),
                )
                .is_some_and(|o| o.status.success());
            if !copied {
                return fail(
                    format!("could not copy the run directory to {run}"),
                    "put the dataset directory on storage every host shares, or copy it by hand",
                );
            }
            notes.push(format!("copied {run} to {} (not on shared storage)", host.ssh));
        }
    }
    Ok(notes)
}

/// Run `cmd`, giving up after `limit` (the process is killed); `None` on a timeout or when
/// it cannot start.
fn run_with_timeout(mut cmd: Command, limit: Duration) -> Option<std::process::Output> {
    use std::process::Stdio;
    let mut child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().ok()?;
    let started = std::time::Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => return child.wait_with_output().ok(),
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
}

/// Each rank runs through this: rank 0's output streams as before; every other rank's goes
/// to `rank<N>.log` in the run dir; each rank's exit code to `rank<N>.exit`.
const RANK_WRAPPER: &str =
    r#"d="$1"; shift; r="${MLX_RANK:-0}"; if [ "$r" = 0 ]; then "$@"; else "$@" >"$d/rank$r.log" 2>&1; fi; c=$?; echo "$c" >"$d/rank$r.exit"; exit "$c""#;

/// `mlx.launch … -- sh -c WRAPPER screenlink-rank RUN_DIR <trainer…>`: the program and its
/// arguments. `launcher` is how to start mlx.launch; `trainer` the full mlx-lm command.
pub fn launch_command(plan: &Plan, launcher: &[String], run_dir: &Path, trainer: &[String]) -> Vec<String> {
    let mut a: Vec<String> = launcher.to_vec();
    match &plan.hosts {
        Some(file) => a.extend(["--hostfile".to_string(), file.display().to_string()]),
        None => a.extend(["-n".to_string(), plan.processes.to_string()]),
    }
    if plan.backend != "any" {
        a.extend(["--backend".to_string(), plan.backend.clone()]);
    }
    a.extend(["--".into(), "sh".into(), "-c".into(), RANK_WRAPPER.into(), "screenlink-rank".into(), run_dir.display().to_string()]);
    a.extend(trainer.iter().cloned());
    a
}

/// How to start mlx.launch with mlx-lm's Python: the `mlx.launch` script beside it, else
/// the module that script runs.
pub fn launcher_for(python: &Path) -> Vec<String> {
    let script = python.with_file_name("mlx.launch");
    if script.is_file() {
        return vec![script.display().to_string()];
    }
    vec![
        python.display().to_string(),
        "-c".into(),
        "import sys; from mlx._distributed_utils.launch import main; sys.argv[0] = 'mlx.launch'; sys.exit(main())".into(),
    ]
}

/// Each rank's exit code, as the wrapper wrote it (`None`: the rank never finished).
pub fn rank_exit_codes(run_dir: &Path, ranks: usize) -> Vec<Option<i32>> {
    (0..ranks).map(|r| std::fs::read_to_string(run_dir.join(format!("rank{r}.exit"))).ok().and_then(|t| t.trim().parse().ok())).collect()
}

/// mlx-lm splits each step's batch across the ranks: it must divide evenly.
pub fn check_batch(batch_size: u32, ranks: usize) -> Result<()> {
    if ranks > 1 && !(batch_size as usize).is_multiple_of(ranks) {
        return Err(Error::new(Kind::Usage, format!("--batch-size {batch_size} does not divide across {ranks} ranks")).hint(format!(
            "mlx-lm splits each step's batch evenly across the ranks: use a multiple of {ranks}, e.g. --batch-size {}",
            ranks.max(batch_size as usize / ranks * ranks)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_files_in_both_of_mlx_launchs_shapes() {
        let dir = tempfile::tempdir().unwrap();
        let list = dir.path().join("list.json");
        std::fs::write(&list, r#"[{"ssh": "mac1", "ips": ["10.0.0.1"]}, {"ssh": "mac2", "ips": ["10.0.0.2"]}]"#).unwrap();
        assert_eq!(read_hosts(&list).unwrap().len(), 2);
        let obj = dir.path().join("obj.json");
        std::fs::write(&obj, r#"{"backend": "ring", "hosts": [{"ssh": "gpu", "ips": []}]}"#).unwrap();
        assert_eq!(read_hosts(&obj).unwrap()[0].ssh, "gpu");
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "mac1 mac2").unwrap();
        assert!(read_hosts(&bad).unwrap_err().message.contains("not an mlx.launch host file"));
    }

    #[test]
    fn the_launch_line_wraps_each_rank_and_batches_divide() {
        let plan = Plan { processes: 2, hosts: None, backend: "ring".into() };
        let a = launch_command(&plan, &["mlx.launch".into()], Path::new("/runs/1"), &["python".into(), "-m".into(), "mlx_lm".into(), "lora".into()]);
        assert_eq!(&a[..5], ["mlx.launch", "-n", "2", "--backend", "ring"]);
        assert_eq!(a[5], "--");
        assert_eq!(&a[a.len() - 5..], ["/runs/1", "python", "-m", "mlx_lm", "lora"]);
        assert!(check_batch(4, 2).is_ok());
        assert!(check_batch(3, 2).unwrap_err().hint.unwrap().contains("--batch-size 2"));
    }
}
