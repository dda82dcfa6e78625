//! What a careful new user trips on: closed pipes, bad settings where they are
//! diagnosed, odd paths to screenpipe's database, and scores that stay in [0, 1].

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use git_screenlink::dataset::Pair;
use git_screenlink::fixture::Spec;

use crate::env::{OutputExt, TestEnv};

/// Run with stdout's reader gone before the first line (`… | head -0`).
fn with_closed_stdout(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut child = env.command("git-screenlink").current_dir(&env.repo).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_reader_that_stops_early_ends_every_command_quietly() {
    let (env, _world) = TestEnv::with_world(&Spec::week(1));
    env.screenlink(["backfill", "--yes"]).assert_ok();
    for args in [
        vec!["validate"],
        vec!["backfill", "--yes", "--json", "--dry-run"],
        vec!["train", "--dry-run"],
        vec!["config"],
        vec!["status", "--no-load"],
        vec!["log"],
        vec!["show", "--json"],
        vec!["completions", "bash"],
        vec!["export", "--format", "chat", "--out", "exported"],
        vec!["--help"],
    ] {
        let out = with_closed_stdout(&env, &args);
        let err = out.stderr_text();
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "{args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "{args:?}");
        assert!(out.status.success() || out.status.signal() == Some(libc::SIGPIPE), "{args:?}: {:?} {err}", out.status);
    }
}

#[test]
fn weights_that_do_not_sum_to_one_are_refused_and_nothing_is_written() {
    let (env, _world) = TestEnv::with_world(&Spec::week(1));
    let out = env.screenlink(["backfill", "--yes", "--scoring", "guide", "--keyword-weight", "0.9", "--semantic-weight", "0.9"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("add up to 1.8, not 1"), "{}", out.stderr_text());
    assert!(out.stderr_text().contains("hint:"), "{}", out.stderr_text());
    assert!(!env.repo.join(".git/screenlink/training_data.jsonl").exists());
    // Weights that do sum to 1 run, and every score written is in [0, 1].
    env.screenlink(["backfill", "--yes", "--scoring", "guide", "--keyword-weight", "0.9", "--semantic-weight", "0.1", "--min-confidence", "0"]).assert_ok();
    let text = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap();
    let pairs: Vec<Pair> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!pairs.is_empty());
    for p in &pairs {
        for x in [p.metadata.confidence, p.metadata.keyword_score, p.metadata.semantic_score] {
            assert!((0.0..=1.0).contains(&x), "{x} written");
        }
    }
    env.screenlink(["validate"]).assert_ok();
}

#[test]
fn config_and_status_show_a_bad_value_with_an_absolute_fix_from_a_subdirectory() {
    let env = TestEnv::new();
    env.git(["config", "screenlink.minConfidence", "abc"]).assert_ok();
    let sub = env.repo.join("deep/er");
    std::fs::create_dir_all(&sub).unwrap();
    let run = |args: &[&str]| env.command("git-screenlink").current_dir(&sub).args(args).output().unwrap();
    let config = run(&["config"]);
    assert_eq!(config.code(), 1, "{}", config.stderr_text());
    assert!(config.stdout_text().contains("screenlink.minConfidence         \"abc\" is bad, 0.6 used"), "{}", config.stdout_text());
    let err = config.stderr_text();
    let fix = err.split('`').find(|s| s.contains("--unset")).expect("a command to run").to_string();
    // The suggested command works from where the user is.
    let args: Vec<&str> = fix.split_whitespace().skip(1).collect();
    let mut git = std::process::Command::new("git");
    env.scrub(&mut git).current_dir(&sub).args(&args).output().unwrap().assert_ok();
    assert_eq!(run(&["config"]).code(), 0);

    env.git(["config", "screenlink.minConfidence", "2"]).assert_ok();
    let status = run(&["status", "--no-load"]);
    assert_eq!(status.code(), 1);
    assert!(status.stdout_text().contains("config        no: screenlink.minConfidence = \"2\""), "{}", status.stdout_text());
    // Other commands still refuse to run with it.
    assert_eq!(run(&["backfill", "--yes"]).code(), 2);
}

#[test]
fn a_data_dir_works_as_the_database_and_a_corrupt_file_is_not_called_missing() {
    let (env, world) = TestEnv::with_world(&Spec::week(1));
    let dir = world.db.parent().unwrap().to_str().unwrap().to_string();
    let out = env.screenlink(["backfill", "--yes", "--dry-run", "--screenpipe-db", &dir]);
    out.assert_ok();
    let empty = env.root().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let out = env.screenlink(["backfill", "--yes", "--screenpipe-db", empty.to_str().unwrap()]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("is a directory with no db.sqlite in it"), "{}", out.stderr_text());
    assert!(out.stderr_text().contains("hint:"));

    let corrupt = env.root().join("corrupt.sqlite");
    std::fs::write(&corrupt, "not a database at all, just text").unwrap();
    let status = env.screenlink(["status", "--no-load", "--source", "db", "--screenpipe-db", corrupt.to_str().unwrap()]);
    assert_eq!(status.code(), 1, "screenpipe unreadable is a failed check");
    let text = status.stdout_text();
    let line = text.lines().find(|l| l.starts_with("screenpipe")).unwrap();
    assert!(line.starts_with("screenpipe    error:"), "{line}");
    assert_eq!(line.matches("--screenpipe-db").count(), 1, "origin said once: {line}");
    let gone = env.root().join("gone.sqlite");
    let status = env.screenlink(["status", "--no-load", "--source", "db", "--screenpipe-db", gone.to_str().unwrap()]);
    assert!(status.stdout_text().contains("screenpipe    MISSING:"), "{}", status.stdout_text());
}

#[test]
fn reading_a_wal_database_leaves_no_files_beside_it() {
    let (env, world) = TestEnv::with_world(&Spec::week(1));
    let conn = rusqlite::Connection::open(&world.db).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(conn);
    let side = |s: &str| std::path::PathBuf::from(format!("{}{s}", world.db.display()));
    assert!(!side("-wal").exists() && !side("-shm").exists());
    let before = std::fs::read(&world.db).unwrap();
    env.screenlink(["backfill", "--yes"]).assert_ok();
    env.screenlink(["status", "--no-load"]).assert_ok();
    assert!(!side("-wal").exists() && !side("-shm").exists(), "no -wal/-shm left behind");
    assert_eq!(std::fs::read(&world.db).unwrap(), before, "the database is unchanged");
}

/// The hook files of a repository, to check that a refused install changed none.
fn snapshot_dir(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().filter(|e| e.path().is_file()).map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn install_says_how_to_add_the_line_in_each_managers_own_config_and_changes_nothing() {
    // husky v9: hooksPath .husky/_, files that never say "husky".
    let env = TestEnv::new();
    let husky = env.repo.join(".husky/_");
    std::fs::create_dir_all(&husky).unwrap();
    std::fs::write(husky.join("post-commit"), "#!/usr/bin/env sh\n. \"$(dirname \"$0\")/h\"\n").unwrap();
    env.git(["config", "core.hooksPath", ".husky/_"]).assert_ok();
    let before = snapshot_dir(&husky);
    let out = env.screenlink(["install"]);
    assert_eq!(out.code(), 1);
    assert!(out.stderr_text().contains("husky manages this repository's hooks"), "{}", out.stderr_text());
    assert!(out.stderr_text().contains("husky runs .husky/post-commit"), "{}", out.stderr_text());
    assert_eq!(snapshot_dir(&husky), before);
    assert!(!env.repo.join(".husky/post-commit").exists());

    // lefthook: its config at the top of the work tree.
    let env = TestEnv::new();
    std::fs::write(env.repo.join("lefthook.yml"), "pre-commit:\n  commands: {}\n").unwrap();
    let out = env.screenlink(["install"]);
    assert_eq!(out.code(), 1);
    let err = out.stderr_text();
    assert!(err.contains("post-commit:\n      commands:\n        git-screenlink:\n          run: git-screenlink hook post-commit || true"), "{err}");
    assert!(err.contains("use_stdin: true"), "{err}");
    assert!(snapshot_dir(&env.repo.join(".git/hooks")).iter().all(|(n, _)| n.ends_with(".sample")));

    // pre-commit's own file, and a Python hook: each told in its own terms; post-rewrite
    // (not theirs) is installed.
    let env = TestEnv::new();
    let hooks = env.repo.join(".git/hooks");
    let pre_commit = "#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\nexec pre-commit\n";
    std::fs::write(hooks.join("post-commit"), pre_commit).unwrap();
    let out = env.screenlink(["install"]);
    assert_eq!(out.code(), 1);
    assert!(out.stderr_text().contains("pre-commit install --hook-type post-commit"), "{}", out.stderr_text());
    assert!(out.stderr_text().contains("stages: [post-commit]"), "{}", out.stderr_text());
    assert_eq!(std::fs::read_to_string(hooks.join("post-commit")).unwrap(), pre_commit);
    assert!(std::fs::read_to_string(hooks.join("post-rewrite")).unwrap().contains("git-screenlink hook post-rewrite"));
    let python = "#!/usr/bin/env python3\nprint('mine')\n";
    std::fs::write(hooks.join("post-commit"), python).unwrap();
    let out = env.screenlink(["install"]);
    assert_eq!(out.code(), 1);
    assert!(out.stderr_text().contains("subprocess.run([\"git-screenlink\", \"hook\", \"post-commit\"])"), "{}", out.stderr_text());
    assert_eq!(std::fs::read_to_string(hooks.join("post-commit")).unwrap(), python);
}

#[test]
fn uninstall_with_nothing_installed_says_so() {
    let env = TestEnv::new();
    let out = env.screenlink(["uninstall"]);
    out.assert_ok();
    assert!(out.stdout_text().contains("nothing to remove"), "{}", out.stdout_text());
}
