//! The speed harness: backfill and the hook on sample worlds, with link quality from the
//! same runs so speed never silently buys worse links. Prints figures, asserts nothing.
//!
//! `cargo bench --bench scale -- [week] [month] [four-months] [talk-heavy] [year] [--backfill-only]`
//! (default: week, month and four-months; `--backfill-only` skips the hook's timings, whose
//! `index` over a whole year of talk takes minutes)
//!
//! Per world: `backfill --yes --dry-run` with a cold embedding cache (once) and warm (median
//! of 3), its per-stage breakdown, texts embedded and peak RSS; precision and recall against
//! the ground truth; and the wall time `git commit` gains with the hook in queue mode and in
//! auto mode (warm and cold cache, with and without the daemon; and an empty cache, where the
//! first commit saves the hook's model), median of 5 commits, against the same commit with no
//! hook.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use git_screenlink::fixture::{self, GroundTruth, Spec, World};

const BIN: &str = env!("CARGO_BIN_EXE_git-screenlink");

/// The state of the cache a timed commit sees (see `time_commits`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cache {
    Warm,
    Cold,
    New,
}

/// `to` made as a copy of the tree at `from`, its files hard links (the hook's saved model is
/// 90 MB; a missing `from` leaves `to` empty).
fn link_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).into_iter().flatten().flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            link_tree(&src, &dst);
        } else {
            std::fs::create_dir_all(to).unwrap();
            std::fs::hard_link(&src, &dst).unwrap();
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Run to completion; (seconds, peak RSS in MB, stdout).
fn measure(cmd: &mut Command) -> (f64, f64, String) {
    cmd.stdout(Stdio::piped()).stderr(if std::env::var_os("SCREENLINK_DEBUG").is_some() { Stdio::inherit() } else { Stdio::null() });
    let t = Instant::now();
    let mut child = cmd.spawn().expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // On Linux the child's own high-water mark after exec (VmHWM), polled until it exits:
    // wait4's ru_maxrss also counts the copy of this harness the child was forked from,
    // which holds whole worlds (a 158 MB warm run read as 355 MB).
    let mut hwm_kib = 0f64;
    loop {
        if let Some(kib) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        {
            hwm_kib = hwm_kib.max(kib);
        }
        if unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) } != 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // Reaped by wait4 already; this only lets std forget the child.
    let _ = child.try_wait();
    let secs = t.elapsed().as_secs_f64();
    let kib = if cfg!(target_os = "linux") {
        hwm_kib
    } else if cfg!(target_os = "macos") {
        usage.ru_maxrss as f64 / 1024.0
    } else {
        usage.ru_maxrss as f64
    };
    (secs, kib / 1024.0, reader.join().unwrap_or_default())
}

struct Env {
    home: PathBuf,
    cache: PathBuf,
}

impl Env {
    fn cmd(&self, program: &str, dir: &Path) -> Command {
        let mut c = Command::new(program);
        let path = std::env::join_paths(
            std::iter::once(Path::new(BIN).parent().unwrap().to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
        )
        .unwrap();
        c.current_dir(dir)
            .env("PATH", path)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("SCREENLINK_CACHE_DIR", &self.cache)
            .env("XDG_RUNTIME_DIR", self.home.join("run"))
            .env("SCREENLINK_DATA_DIR", git_screenlink::assets::data_dir())
            .env("GIT_AUTHOR_NAME", "Bench")
            .env("GIT_AUTHOR_EMAIL", "bench@example.com")
            .env("GIT_COMMITTER_NAME", "Bench")
            .env("GIT_COMMITTER_EMAIL", "bench@example.com");
        c
    }

    fn git(&self, dir: &Path, args: &[&str]) {
        let out = self.cmd("git", dir).args(args).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The floor under our embedding: ONNX Runtime through fastembed alone, on as many of this
/// world's passages as backfill embedded, in batches as backfill makes them (sorted by
/// length), against backfill's own rate for its "embedding and scoring" stage.
fn runtime_floor(w: &World, summary: &serde_json::Value) {
    let n = summary["texts_embedded"].as_u64().unwrap_or(0) as usize;
    let stage = summary["profile"]["stages"].as_array().and_then(|s| s.iter().find(|x| x[0] == "embedding and scoring")).and_then(|x| x[1].as_f64());
    let (Some(ours), true) = (stage, n > 0) else { return };
    let overrides =
        [git_screenlink::config::Override { key: git_screenlink::config::SCREENPIPE_DB, flag: "--screenpipe-db", value: w.db.display().to_string() }];
    let settings = git_screenlink::config::Settings::load(&w.repo, &overrides).unwrap();
    let src = git_screenlink::source::open(&settings).unwrap();
    let first = w.truth.commits.iter().map(|c| c.time).min().unwrap() - chrono::Duration::days(30);
    let last = w.truth.commits.iter().map(|c| c.time).max().unwrap() + chrono::Duration::days(1);
    let rows = src.read(first.with_timezone(&chrono::Utc), last.with_timezone(&chrono::Utc)).unwrap();
    let discussions = git_screenlink::source::discussion::group(&rows, chrono::Duration::minutes(5), 100);
    let mut texts: Vec<&str> = git_screenlink::candidates::passages(&discussions).iter().map(|p| p.text).take(n).collect();
    texts.sort_by_key(|t| t.len());
    let mut e = git_screenlink::score::embed::Embedder::load(&settings).unwrap();
    let t = Instant::now();
    for chunk in texts.chunks(256) {
        e.embed(chunk).unwrap();
    }
    let alone = texts.len() as f64 / t.elapsed().as_secs_f64();
    println!();
    println!(
        "Embedding rate: backfill {:.0} texts/s (its {n} texts in the \"embedding and scoring\" stage); ONNX Runtime alone {alone:.0} texts/s ({} of the world's passages, same batches)",
        n as f64 / ours,
        texts.len()
    );
}

fn precision_recall(truth: &GroundTruth, json: &serde_json::Value) -> (f64, f64) {
    let motivated = truth.commits.iter().filter(|c| !c.rows.is_empty()).count();
    let pairs = json["pairs"].as_array().cloned().unwrap_or_default();
    let correct = pairs
        .iter()
        .filter(|p| {
            let sha = p["metadata"]["commit_sha"].as_str().unwrap_or("");
            let ids: Vec<i64> = p["metadata"]["audio_ids"].as_array().unwrap().iter().filter_map(|v| v.as_i64()).collect();
            truth.commits.iter().any(|t| t.sha == sha && ids.iter().any(|id| t.rows.contains(id)))
        })
        .count();
    (correct as f64 / pairs.len().max(1) as f64, correct as f64 / motivated.max(1) as f64)
}

fn world(scale: &str, root: &Path) -> World {
    let started = Instant::now();
    let w = fixture::build(&Spec::named(scale, 1).unwrap(), &root.join(scale)).unwrap();
    eprintln!("built the {scale} world in {:.1} s", started.elapsed().as_secs_f64());
    w
}

fn main() {
    let scales: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let backfill_only = std::env::args().any(|a| a == "--backfill-only");
    let scales = if scales.is_empty() { vec!["week".into(), "month".into(), "four-months".into()] } else { scales };
    let root = tempfile::tempdir().unwrap();
    println!("machine: {} cores, {}", std::thread::available_parallelism().map_or(0, |n| n.get()), std::env::consts::ARCH);
    for scale in &scales {
        let w = world(scale, root.path());
        let env = Env { home: root.path().join("home"), cache: root.path().join(format!("cache-{scale}")) };
        std::fs::create_dir_all(&env.home).unwrap();
        env.git(&w.repo, &["config", "screenlink.source", "db"]);
        env.git(&w.repo, &["config", "screenlink.screenpipeDb", w.db.to_str().unwrap()]);

        // Every commit of the world, past maxCommits' default of 500 (the year world).
        let all_commits = (w.truth.commits.len() + 1).to_string();
        let backfill = |label: &str| {
            let (secs, rss, out) = measure(env.cmd(BIN, &w.repo).args(["backfill", "--yes", "--dry-run", "--json", "--max-commits", &all_commits]));
            let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{label}: {e}: {out}"));
            (secs, rss, v)
        };
        let (cold_secs, cold_rss, cold) = backfill("cold");
        let warm: Vec<(f64, f64, serde_json::Value)> = (0..3).map(|_| backfill("warm")).collect();
        let warm_secs = median(warm.iter().map(|w| w.0).collect());
        let warm_rss = warm.iter().map(|w| w.1).fold(0.0, f64::max);
        let (p, r) = precision_recall(&w.truth, &cold);
        let s = &cold["summary"];
        println!();
        // As the tool counts them: every commit backfill examines, every row it reads.
        println!(
            "## {scale} world: {} commits examined ({} in the ground truth), {} transcription rows read",
            s["commits_examined"],
            w.truth.commits.len(),
            s["transcription_rows"]
        );
        println!("| backfill --yes --dry-run | seconds | peak RSS MB | texts embedded | pairs | precision | recall |");
        println!("|---|---|---|---|---|---|---|");
        println!("| cold cache | {cold_secs:.2} | {cold_rss:.0} | {} | {} | {p:.3} | {r:.3} |", s["texts_embedded"], s["accepted"]);
        let (wp, wr) = precision_recall(&w.truth, &warm[0].2);
        println!(
            "| warm cache (median of 3) | {warm_secs:.2} | {warm_rss:.0} | {} | {} | {wp:.3} | {wr:.3} |",
            warm[0].2["summary"]["texts_embedded"], warm[0].2["summary"]["accepted"]
        );
        println!(
            "Discussions split into terms: cold {}, warm {} (of {}; the rest read from the term cache); commits diffed: cold {}, warm {} (the rest read from the commit cache)",
            s["discussions_split"],
            warm[0].2["summary"]["discussions_split"],
            s["discussions"],
            s["commits_diffed"],
            warm[0].2["summary"]["commits_diffed"]
        );
        println!();
        println!("| stage (cold) | seconds |");
        println!("|---|---|");
        for stage in s["profile"]["stages"].as_array().unwrap() {
            println!("| {} | {:.3} |", stage[0].as_str().unwrap(), stage[1].as_f64().unwrap());
        }
        println!();
        println!("| stage (warm, first of 3) | seconds |");
        println!("|---|---|");
        for stage in warm[0].2["summary"]["profile"]["stages"].as_array().unwrap() {
            println!("| {} | {:.3} |", stage[0].as_str().unwrap(), stage[1].as_f64().unwrap());
        }
        runtime_floor(&w, s);

        if backfill_only {
            continue;
        }
        // The hook: recreate the newest motivated commits on top of their parents, at their
        // own times, and time `git commit` with and without our hook.
        let motivated: Vec<_> = w.truth.commits.iter().rev().filter(|c| !c.rows.is_empty()).take(5).cloned().collect();
        let hooks = env.cmd("git", &w.repo).args(["rev-parse", "--git-path", "hooks"]).output().unwrap();
        let hooks_dir = w.repo.join(String::from_utf8_lossy(&hooks.stdout).trim());
        // `fresh`: a body line the original lacks, so the commit text is new to the cache
        // (as every real commit is) while its talk may be cached.
        // `cache`: the user's cache as it is (Warm); a cache with no talk or commit embedded
        // but the hook's saved model, as on any machine after its first commit or `index`
        // (Cold); or nothing at all, the machine's first commit, which saves the model (New).
        let time_commits = |mode: Option<&str>, cache: Cache, fresh: bool, daemon: bool| -> f64 {
            // The same tree, parent, message and dates make the same commit id each time:
            // start each series with no records, so nothing is already decided.
            let _ = std::fs::remove_dir_all(w.repo.join(".git").join("screenlink"));
            let mut times = Vec::new();
            for t in &motivated {
                env.git(&w.repo, &["checkout", "-q", "--detach", &format!("{}~1", t.sha)]);
                env.git(&w.repo, &["checkout", &t.sha, "--", "."]);
                let mut c = env.cmd("git", &w.repo);
                let when = t.time.to_rfc3339();
                // -C: the original message, author and author date; the same commit again.
                c.args(["commit", "-q", "-C", &t.sha]).env("GIT_COMMITTER_DATE", &when);
                if fresh {
                    let msg = env.cmd("git", &w.repo).args(["log", "-1", "--format=%B", &t.sha]).output().unwrap();
                    let msg = format!("{}\n\nMeasured by the scale bench.", String::from_utf8_lossy(&msg.stdout).trim());
                    c = env.cmd("git", &w.repo);
                    c.args(["commit", "-q", "-m", &msg]).env("GIT_AUTHOR_DATE", &when).env("GIT_COMMITTER_DATE", &when);
                }
                if let Some(mode) = mode {
                    c.env("GIT_CONFIG_COUNT", "2").env("GIT_CONFIG_KEY_0", "screenlink.prompt").env("GIT_CONFIG_VALUE_0", mode);
                    c.env("GIT_CONFIG_KEY_1", "screenlink.daemon").env("GIT_CONFIG_VALUE_1", if daemon { "true" } else { "false" });
                }
                if cache != Cache::Warm {
                    let dir = root.path().join(format!("{cache:?}-{}-{}", t.sha, mode.unwrap_or("none")));
                    let _ = std::fs::remove_dir_all(&dir);
                    if cache == Cache::Cold {
                        link_tree(&env.cache.join("models"), &dir.join("models"));
                    }
                    c.env("SCREENLINK_CACHE_DIR", &dir);
                }
                let (secs, _, _) = measure(&mut c);
                times.push(secs);
            }
            median(times)
        };
        let _ = std::fs::remove_file(hooks_dir.join("post-commit"));
        let base = time_commits(None, Cache::Warm, true, false);
        let out = env.cmd(BIN, &w.repo).arg("install").output().unwrap();
        assert!(out.status.success());
        let queue = time_commits(Some("queue"), Cache::Warm, true, false);
        // Warm: every passage of the world embedded ahead by `git screenlink index`.
        let t = Instant::now();
        let out = env.cmd(BIN, &w.repo).args(["index", "--days", "3650", "--quiet"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let index_secs = t.elapsed().as_secs_f64();
        // With every passage cached, linking without the keyword prune is cheap: the
        // reference the prune must not fall behind.
        let (_, _, out) = measure(env.cmd(BIN, &w.repo).args(["backfill", "--yes", "--dry-run", "--json", "--candidate-limit", "0"]));
        let all: serde_json::Value = serde_json::from_str(&out).unwrap();
        let (np, nr) = precision_recall(&w.truth, &all);
        println!();
        println!("| pruning | pairs | precision | recall |");
        println!("|---|---|---|---|");
        println!("| candidateLimit 8 (default) | {} | {p:.3} | {r:.3} |", s["accepted"]);
        println!("| none (candidateLimit 0) | {} | {np:.3} | {nr:.3} |", all["summary"]["accepted"]);
        let auto_warm = time_commits(Some("auto"), Cache::Warm, true, false);
        let auto_same = time_commits(Some("auto"), Cache::Warm, false, false);
        let auto_cold = time_commits(Some("auto"), Cache::Cold, true, false);
        let auto_new = time_commits(Some("auto"), Cache::New, true, false);
        // The daemon: started as the hook would, up before the commits are timed.
        let mut daemon = env.cmd(BIN, &w.repo).arg("daemon").stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
        let up = Instant::now();
        while !env.cmd(BIN, &w.repo).args(["daemon", "--status"]).output().unwrap().status.success() {
            assert!(up.elapsed().as_secs() < 60, "the daemon came up");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let auto_daemon = time_commits(Some("auto"), Cache::Warm, true, true);
        let auto_daemon_cold = time_commits(Some("auto"), Cache::Cold, true, true);
        let _ = env.cmd(BIN, &w.repo).args(["daemon", "--stop"]).output();
        let _ = daemon.wait();
        println!();
        println!("| git commit (median of {}) | seconds | added by the hook |", motivated.len());
        println!("|---|---|---|");
        println!("| no hook | {base:.3} | |");
        println!("| queue mode | {queue:.3} | {:.0} ms |", (queue - base) * 1000.0);
        println!("| auto mode, warm cache (talk indexed, new commit) | {auto_warm:.3} | {:.0} ms |", (auto_warm - base) * 1000.0);
        println!("| auto mode, commit text cached too | {auto_same:.3} | {:.0} ms |", (auto_same - base) * 1000.0);
        println!("| auto mode, cold cache (model saved) | {auto_cold:.3} | {:.0} ms |", (auto_cold - base) * 1000.0);
        println!("| auto mode, empty cache (first commit: saves the model) | {auto_new:.3} | {:.0} ms |", (auto_new - base) * 1000.0);
        println!("| auto mode, warm cache, daemon running | {auto_daemon:.3} | {:.0} ms |", (auto_daemon - base) * 1000.0);
        println!("| auto mode, cold cache, daemon running | {auto_daemon_cold:.3} | {:.0} ms |", (auto_daemon_cold - base) * 1000.0);
        println!();
        println!("`git screenlink index` over the whole world (cache already holding backfill's texts): {index_secs:.1} s");
        let _ = env.cmd(BIN, &w.repo).arg("uninstall").output();
    }
}
