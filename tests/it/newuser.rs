//! What a careful new user trips on: closed pipes, bad settings where they are
//! diagnosed, odd paths to screenpipe's database, and scores that stay in [0, 1].

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;

use git_screenlink::dataset::Pair;
use git_screenlink::fixture::Spec;

use crate::env::{OutputExt, TestEnv};

/// Run with stdout's reader gone before the first line (`… | head -0`).
fn with_closed_stdout(env: &TestEnv, args: &[&str]) -> std::process::Output {
    let mut child =
        env.command("git-screenlink").current_dir(&env.repo).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_reader_that_stops_early_ends_every_command_quietly() {
    let (env, _world) = TestEnv::with_world(&Spec::week(1));
    env.screenlink(["backfill", "--yes"]).assert_ok();
    // `show` of a commit that has linked talk (HEAD may have none).
    let data = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap();
    let linked = serde_json::from_str::<Pair>(data.lines().next().expect("the week world links something")).unwrap().metadata.commit_sha;
    for args in [
        vec!["validate"],
        vec!["backfill", "--yes", "--json", "--dry-run"],
        vec!["train", "--dry-run"],
        vec!["config"],
        vec!["status", "--no-load"],
        vec!["log"],
        vec!["show", "--json", linked.as_str()],
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
fn reading_a_wal_database_changes_nothing_but_sqlites_reader_files() {
    let (env, world) = TestEnv::with_world(&Spec::week(1));
    let conn = rusqlite::Connection::open(&world.db).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    drop(conn);
    let side = |s: &str| std::path::PathBuf::from(format!("{}{s}", world.db.display()));
    let before = std::fs::read(&world.db).unwrap();
    env.screenlink(["backfill", "--yes"]).assert_ok();
    env.screenlink(["status", "--no-load"]).assert_ok();
    assert_eq!(std::fs::read(&world.db).unwrap(), before, "the database is unchanged");
    // What README says may appear: an empty -wal (no rows of ours) and the -shm index.
    if side("-wal").exists() {
        assert_eq!(std::fs::metadata(side("-wal")).unwrap().len(), 0);
    }
    let names: Vec<String> = std::fs::read_dir(world.db.parent().unwrap()).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    for n in &names {
        assert!(!n.starts_with("db.sqlite") || ["db.sqlite", "db.sqlite-wal", "db.sqlite-shm"].contains(&n.as_str()), "{n}");
    }
}

/// The hook files of a repository, to check that a refused install changed none.
fn snapshot_dir(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten().filter(|e| e.path().is_file()).map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap())).collect()
        })
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

#[test]
fn since_and_until_take_what_git_log_takes() {
    let (env, _world) = TestEnv::with_world(&Spec::week(1));
    let examined = |args: &[&str]| {
        let mut all = vec!["backfill", "--yes", "--dry-run", "--json"];
        all.extend_from_slice(args);
        let out = env.screenlink(&all);
        assert!(!out.stderr_text().contains("is not a date"), "{args:?}: {}", out.stderr_text());
        let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
        v["summary"]["commits_examined"].as_u64().unwrap()
    };
    let all = examined(&[]);
    assert!(all > 0);
    assert_eq!(examined(&["--since", "1000 weeks ago"]), all);
    assert_eq!(examined(&["--since", "yesterday"]), 0, "the world's commits are older than yesterday");
    assert_eq!(examined(&["--until", "1000 weeks ago"]), 0);
    let out = env.screenlink(["backfill", "--yes", "--dry-run", "--since", "the day after my holiday"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("error[usage]: --since \"the day after my holiday\" is not a date"), "{}", out.stderr_text());
    let help = env.screenlink(["backfill", "-h"]).stdout_text();
    assert!(help.contains("2 weeks ago"), "{help}");
}

#[test]
fn train_help_names_each_key_and_default_and_demo_help_says_every_scale() {
    let env = TestEnv::new();
    let help = env.screenlink(["train", "--help"]).stdout_text();
    for (flag, key, default) in [
        ("--iters", "screenlink.train.iters", "default 1000"),
        ("--batch-size", "screenlink.train.batchSize", "default 4"),
        ("--learning-rate", "screenlink.train.learningRate", "default 1e-5"),
        ("--num-layers", "screenlink.train.numLayers", "default 16"),
    ] {
        let block: String = help.split(flag).nth(1).unwrap().split("\n      --").next().unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(block.contains(key) && block.contains(default), "{flag}: {block}");
    }
    let demo = env.screenlink(["demo", "--help"]).stdout_text();
    assert!(demo.contains("four-months (501"), "{demo}");
    let json = demo.split("--json").nth(1).unwrap().lines().next().unwrap().to_string() + demo.split("--json").nth(1).unwrap().lines().nth(1).unwrap_or("");
    assert!(json.contains("JSON"), "--json is described: {demo}");
}

#[test]
fn train_dry_run_with_no_pairs_or_a_missing_python_is_a_clear_error() {
    let env = TestEnv::new();
    let out = env.screenlink(["train", "--dry-run"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("0 usable pairs to train on"), "{}", out.stderr_text());
    assert!(!out.stderr_text().contains("--batch-size 1 fits"), "{}", out.stderr_text());

    let (env, _world) = TestEnv::with_world(&Spec::week(1));
    env.screenlink(["backfill", "--yes", "--min-confidence", "0"]).assert_ok();
    env.git(["config", "screenlink.train.python", env.root().join("no/such/python").to_str().unwrap()]).assert_ok();
    let out = env.screenlink(["train", "--dry-run", "--batch-size", "1"]);
    assert_eq!(out.code(), 2, "{}", out.stdout_text());
    assert!(!out.stdout_text().contains("Would run"), "{}", out.stdout_text());
    assert!(out.stderr_text().contains("mlx-lm was not found"), "{}", out.stderr_text());
}

#[test]
fn messages_keep_one_format_and_an_empty_dataset_is_not_valid() {
    let env = TestEnv::new();
    let out = env.screenlink(["config", "--no-such-flag"]);
    assert_eq!(out.code(), 2);
    let err = out.stderr_text();
    assert!(err.starts_with("git-screenlink: error[usage]: unexpected argument '--no-such-flag'"), "{err}");
    assert!(err.contains("\n  hint: see `git screenlink config --help`"), "{err}");

    let dir = env.repo.join(".git/screenlink");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("training_data.jsonl"), "").unwrap();
    let out = env.screenlink(["validate"]);
    assert_eq!(out.code(), 1);
    assert!(out.stderr_text().contains("has no pairs yet"), "{}", out.stderr_text());
    assert!(!out.stdout_text().contains("100.0%"), "{}", out.stdout_text());
}

#[test]
fn config_shows_the_places_it_will_use_not_placeholders() {
    let env = TestEnv::new();
    let out = env.screenlink(["config"]);
    out.assert_ok();
    let text = out.stdout_text();
    let line = |key: &str| text.lines().find(|l| l.starts_with(key)).unwrap().to_string();
    assert!(line("screenlink.modelDir").contains("all-MiniLM-L6-v2"), "{text}");
    assert!(!line("screenlink.modelDir").contains("per-user data dir"), "{text}");
    assert!(line("screenlink.train.python").contains("mlx-venv"), "{text}");
    assert!(line("screenlink.datasetDir").contains(".git/screenlink"), "{text}");
}

#[test]
fn dataset_dir_moves_the_dataset_and_is_refused_inside_the_work_tree() {
    let (env, world) = TestEnv::with_world(&Spec::week(1));
    let elsewhere = env.root().join("datasets/mine");
    env.git(["config", "screenlink.datasetDir", elsewhere.to_str().unwrap()]).assert_ok();
    env.screenlink(["backfill", "--yes"]).assert_ok();
    assert!(elsewhere.join("training_data.jsonl").is_file());
    assert!(!world.repo.join(".git/screenlink/training_data.jsonl").exists());
    env.screenlink(["validate"]).assert_ok();
    // Relative: to the git dir.
    env.git(["config", "screenlink.datasetDir", "sl-data"]).assert_ok();
    env.screenlink(["backfill", "--yes"]).assert_ok();
    assert!(world.repo.join(".git/sl-data/training_data.jsonl").is_file());
    // Inside the work tree, where git could track it: refused, nothing written.
    let inside = world.repo.join("data");
    env.git(["config", "screenlink.datasetDir", inside.to_str().unwrap()]).assert_ok();
    let out = env.screenlink(["backfill", "--yes"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("inside the work tree"), "{}", out.stderr_text());
    assert!(!inside.exists());
}
