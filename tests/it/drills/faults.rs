//! Faults: kill -9 at any moment (backfill, validate --fix, review, the hook), a full disk,
//! a read-only dataset dir, screenpipe's database replaced under a run. Nothing is lost or
//! doubled, and a commit is never broken.

use std::os::unix::fs::PermissionsExt;

use super::*;

#[test]
fn a_hundred_kill_9s_during_backfill_lose_and_double_nothing() {
    // The reference: the same world linked in one uninterrupted run.
    let (reference_env, reference) = TestEnv::with_world(&Spec::week(3));
    reference_env.screenlink(["backfill", "--yes"]).assert_ok();
    let (want, _, _) = dataset(&reference.repo.join(".git/screenlink/training_data.jsonl"));
    assert!(want.len() >= 8);

    let (env, world) = TestEnv::with_world(&Spec::week(3));
    let dir = world.repo.join(".git/screenlink");
    let mut rng = Rng(7);
    let mut killed = 0;
    for _ in 0..100 {
        killed += usize::from(run_and_kill(&env, &["backfill", "--yes"], &mut rng, 400));
    }
    assert!(killed > 10, "the drill killed runs mid-way ({killed} of 100)");
    // A clean run finishes the job.
    let out = env.screenlink(["backfill", "--yes"]);
    assert!(out.code() <= 1, "{}", out.stderr_text());
    let (got, order, bad) = dataset(&dir.join("training_data.jsonl"));
    assert!(bad <= 1, "at most the torn last line of a killed run: {bad}");
    assert_eq!(order.len(), got.len(), "a commit appears twice: {order:?}");
    assert_eq!(got, want, "the same pairs as one uninterrupted run");
    // Every pair's commit is decided, and no decision contradicts a pair.
    let decisions: Vec<DecisionRecord> =
        std::fs::read_to_string(dir.join("decisions.jsonl")).unwrap().lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let accepted: HashSet<&str> =
        decisions.iter().filter(|d| d.decision == git_screenlink::dataset::Decision::Accepted).map(|d| d.commit_sha.as_str()).collect();
    for sha in got.keys() {
        assert!(accepted.contains(sha.as_str()) || !decisions.iter().any(|d| &d.commit_sha == sha), "{sha}");
    }
    // validate reads it, and --fix leaves a clean file.
    let v = env.screenlink(["validate", "--fix"]);
    assert!(v.code() <= 1, "{}", v.stderr_text());
    let (fixed, _, bad) = dataset(&dir.join("training_data.jsonl"));
    assert_eq!((fixed, bad), (want, 0));
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_old_files_stay_whole() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let dir = world.repo.join(".git/screenlink");
    let data = dir.join("training_data.jsonl");
    let before = std::fs::read(&data).unwrap();
    let decisions_before = std::fs::read(dir.join("decisions.jsonl")).unwrap();

    // Appending. The dataset is made large (one big pair) and the limit set at its size,
    // above what SQLite needs to read the talk and the cache, so the next append cannot land.
    let text = String::from_utf8(before.clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut big: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    big["metadata"]["commit_sha"] = "f".repeat(40).into();
    big["input"] = "x ".repeat(100_000).into();
    // Forget the decisions of three commits so backfill has pairs to append.
    let kept: Vec<&str> = std::str::from_utf8(&decisions_before).unwrap().lines().skip(3).collect();
    std::fs::write(dir.join("decisions.jsonl"), kept.join("\n") + "\n").unwrap();
    let rest: Vec<String> = lines[3..].iter().map(|l| l.to_string()).chain([big.to_string()]).collect();
    std::fs::write(&data, rest.join("\n") + "\n").unwrap();
    let data_before = std::fs::read(&data).unwrap();
    let mut cmd = env.command("git-screenlink");
    let out = with_file_limit(cmd.args(["backfill", "--yes"]), data_before.len() as u64).output().unwrap();
    assert_eq!(out.code(), 2, "{}", out.stderr_text());
    let err = out.stderr_text();
    assert!(err.contains("error[io]") && err.contains("training_data.jsonl"), "{err}");
    assert!(err.contains("hint: free some disk space"), "{err}");
    assert_eq!(err.trim().lines().filter(|l| !l.trim_start().starts_with("hint:")).count(), 1, "one line: {err}");
    assert_eq!(std::fs::read(&data).unwrap(), data_before, "the dataset is as it was");

    // Rewriting (validate --fix): the temp file cannot be written; the dataset is untouched.
    let mut cmd = env.command("git-screenlink");
    let out = with_file_limit(cmd.args(["validate", "--fix"]), data_before.len() as u64 / 2).output().unwrap();
    assert_eq!(out.code(), 2, "{}", out.stderr_text());
    assert!(out.stderr_text().contains("error[io]"), "{}", out.stderr_text());
    assert_eq!(std::fs::read(&data).unwrap(), data_before, "the dataset is as it was");
    assert!(!std::fs::read_dir(&dir).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().starts_with(".tmp")), "no temp file left");
}

#[test]
fn kill_9_during_validate_fix_leaves_the_old_file_or_the_new_one_never_half() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let data = world.repo.join(".git/screenlink/training_data.jsonl");
    // Something to fix: a duplicate and a line that is not JSON.
    let mut text = std::fs::read_to_string(&data).unwrap();
    let first = text.lines().next().unwrap().to_string();
    text.push_str(&format!("{first}\n{{\"torn\": \n"));
    std::fs::write(&data, &text).unwrap();
    let original = text.into_bytes();
    let mut rng = Rng(11);
    let mut seen_fixed: Option<Vec<u8>> = None;
    for _ in 0..40 {
        run_and_kill(&env, &["validate", "--fix"], &mut rng, 120);
        let now = std::fs::read(&data).unwrap();
        if now != original {
            let fixed = seen_fixed.get_or_insert_with(|| now.clone());
            assert_eq!(&now, fixed, "only two states: the original and the fixed file");
            let (_, _, bad) = dataset(&data);
            assert_eq!(bad, 0);
        }
    }
    let out = env.screenlink(["validate", "--fix"]);
    assert!(out.code() <= 1, "{}", out.stderr_text());
    let (pairs, order, bad) = dataset(&data);
    assert_eq!((order.len(), bad), (pairs.len(), 0), "no duplicate, no torn line");
}

#[test]
fn kill_9_during_review_loses_and_doubles_nothing() {
    let (env, world) = TestEnv::with_world(&Spec::week(4));
    let dir = world.repo.join(".git/screenlink");
    let store = git_screenlink::dataset::Store::at(&dir);
    for c in &world.truth.commits {
        store.queue(&c.sha, "drill").unwrap();
    }
    let mut rng = Rng(5);
    for _ in 0..40 {
        run_and_kill(&env, &["review", "--yes"], &mut rng, 600);
    }
    let out = env.screenlink(["review", "--yes"]);
    assert!(out.code() <= 1, "{}", out.stderr_text());
    let (pairs, order, bad) = dataset(&dir.join("training_data.jsonl"));
    assert!(bad <= 1, "at most a torn last line");
    assert_eq!(order.len(), pairs.len(), "a commit linked twice");
    let ids: Vec<i64> = pairs.values().flatten().copied().collect();
    assert_eq!(ids.len(), ids.iter().collect::<HashSet<_>>().len(), "talk used twice");
    let again = env.screenlink(["review", "--yes"]);
    assert!(again.stdout_text().contains("Nothing to review"), "the queue is empty: {}", again.stdout_text());
}

#[test]
fn kill_9_of_the_hook_never_breaks_a_commit_and_review_finishes_the_job() {
    let (env, world) = TestEnv::with_world(&Spec::week(4));
    let dir = world.repo.join(".git/screenlink");
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    // The hook as git runs it after the newest commit, killed at random moments, 20 times.
    let mut rng = Rng(9);
    for _ in 0..20 {
        run_and_kill(&env, &["hook", "post-commit"], &mut rng, 500);
    }
    // Then once to the end, and a review of whatever was queued.
    let out = env.screenlink(["hook", "post-commit"]);
    out.assert_ok();
    let r = env.screenlink(["review", "--yes"]);
    assert!(r.code() <= 1, "{}", r.stderr_text());
    // The commits are untouched, the store reads whole, HEAD is decided once.
    env.git(["fsck", "--no-progress"]).assert_ok();
    let (pairs, order, bad) = dataset(&dir.join("training_data.jsonl"));
    assert!(bad <= 1);
    assert_eq!(order.len(), pairs.len(), "a pair written twice");
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let decisions = std::fs::read_to_string(dir.join("decisions.jsonl")).unwrap_or_default();
    let accepted = decisions.lines().filter(|l| l.contains(&head) && l.contains("\"accepted\"")).count();
    assert!(accepted <= 1 && pairs.contains_key(&head) == (accepted == 1), "{accepted} accepts of HEAD, pair: {}", pairs.contains_key(&head));
    assert!(env.screenlink(["review", "--yes"]).stdout_text().contains("Nothing to review"));
}

#[test]
fn a_read_only_dataset_dir_is_a_clear_error_and_nothing_changes() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let dir = world.repo.join(".git/screenlink");
    let data = dir.join("training_data.jsonl");
    // Forget three decisions, so backfill has pairs to write.
    let decisions = std::fs::read_to_string(dir.join("decisions.jsonl")).unwrap();
    let kept: Vec<&str> = decisions.lines().skip(3).collect();
    std::fs::write(dir.join("decisions.jsonl"), kept.join("\n") + "\n").unwrap();
    let text = std::fs::read_to_string(&data).unwrap();
    std::fs::write(&data, text.lines().skip(3).collect::<Vec<_>>().join("\n") + "\n").unwrap();
    let before = std::fs::read(&data).unwrap();

    for args in [&["backfill", "--yes"][..], &["validate", "--fix"][..]] {
        let out = read_only_run(&env, &dir, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", out.stderr_text());
        let err = out.stderr_text();
        assert!(err.starts_with("git-screenlink: error["), "{args:?}: {err}");
        assert!(err.contains("Read-only file system") || err.contains("Permission denied"), "{args:?}: {err}");
        assert!(err.contains("hint: make that place writable"), "says how to fix it: {err}");
        assert_eq!(std::fs::read(&data).unwrap(), before, "{args:?}: the dataset is as it was");
    }
}

#[test]
fn the_screenpipe_database_replaced_again_and_again_during_backfill() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    // Two databases to swap in: the world's own, and one with a single unrelated row.
    let other = hand_db(&env.root().join("other-db").tap_mkdir(), &[("2026-01-06T10:00:00+00:00", "lunch is at noon today")]);
    let original = env.root().join("original.sqlite");
    std::fs::copy(&world.db, &original).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let swapper = {
        let (stop, db, original, other) = (stop.clone(), world.db.clone(), original.clone(), other.clone());
        std::thread::spawn(move || {
            let mut i = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let from = if i.is_multiple_of(2) { &other } else { &original };
                let tmp = db.with_extension(format!("swap{i}"));
                std::fs::copy(from, &tmp).unwrap();
                std::fs::rename(&tmp, &db).unwrap(); // atomic, as a backup tool or a restore does it
                i += 1;
                std::thread::sleep(Duration::from_millis(7));
            }
        })
    };
    for _ in 0..6 {
        let out = env.screenlink(["backfill", "--yes", "--dry-run"]);
        let err = out.stderr_text();
        assert!(out.status.code().is_some_and(|c| c <= 2), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        if out.status.code() == Some(2) {
            assert!(err.starts_with("git-screenlink: error[") && err.contains("hint:"), "a clear error: {err}");
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    swapper.join().unwrap();
    // Nothing was written to the database, and a calm run links as usual.
    std::fs::copy(&original, &world.db).unwrap();
    env.screenlink(["backfill", "--yes"]).assert_ok();
}

trait TapMkdir {
    fn tap_mkdir(self) -> std::path::PathBuf;
}

impl TapMkdir for std::path::PathBuf {
    fn tap_mkdir(self) -> std::path::PathBuf {
        std::fs::create_dir_all(&self).unwrap();
        self
    }
}

/// The pairs of a `backfill --json` run, by commit, and its summary.
fn linked_json(out: &std::process::Output) -> (BTreeMap<String, String>, serde_json::Value) {
    let report: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap_or_else(|e| panic!("{e}: {}", out.stdout_text()));
    let pairs = report["pairs"].as_array().unwrap().iter().map(|p| (p["metadata"]["commit_sha"].as_str().unwrap().to_string(), p["input"].to_string()));
    (pairs.collect(), report["summary"].clone())
}

/// A damaged object (a disk error, a copy cut short) stops its commit, never the run: the
/// commit is skipped as `unreadable objects` with `git fsck` named, whether it is examined
/// afresh or was examined, whole, before (the commit cache holds it as linkable, and its code
/// is read again when its pair is built); the hook says so and the commit goes through.
#[test]
fn a_damaged_object_skips_its_commit_and_the_run_goes_on() {
    let (env, _world) = TestEnv::with_world(&Spec::week(3));
    let run = |cache: &Path| {
        let mut c = env.command("git-screenlink");
        c.env("SCREENLINK_CACHE_DIR", cache).args(["backfill", "--yes", "--dry-run", "--json"]).output().unwrap()
    };
    let warm = env.root().join("cache");
    let whole = run(&warm);
    whole.assert_ok();
    let (before, _) = linked_json(&whole);
    // A linked commit's new code, damaged where git keeps it (a loose object).
    let sha = before.keys().next().unwrap().clone();
    let blob = env
        .git(["diff-tree", "--no-commit-id", "-r", "--diff-filter=AM", "--format=", &sha])
        .stdout_text()
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .nth(3)
        .unwrap()
        .to_string();
    let file = env.repo.join(".git/objects").join(&blob[..2]).join(&blob[2..]);
    assert!(file.is_file(), "the fixture's objects are loose: {}", file.display());
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&file, b"not zlib at all").unwrap();
    assert!(!env.git(["fsck", "--no-progress"]).status.success(), "git sees the damage too");

    let want: BTreeMap<String, String> = before.iter().filter(|(s, _)| **s != sha).map(|(s, i)| (s.clone(), i.clone())).collect();
    for (cache, how) in [(warm.clone(), "examined before"), (env.root().join("cold"), "examined afresh")] {
        let out = run(&cache);
        out.assert_ok();
        let (after, summary) = linked_json(&out);
        assert!(!after.contains_key(&sha), "{how}: the damaged commit has no pair");
        if how == "examined before" {
            assert_eq!(after, want, "{how}: every other pair as before");
        } else {
            // Skipped before linking, it claims no talk: another commit may take its talk.
            assert!(want.iter().all(|(s, i)| after.get(s) == Some(i)), "{how}: every other pair as before, and maybe more");
        }
        assert_eq!(summary["commits_skipped"]["unreadable_objects"], 1, "{how}: {summary}");
    }
    // Said, in both cases: a warning when its pair is built, a line of its own when examined;
    // not cached as skipped (a repaired object makes it linkable again).
    let said = run(&warm);
    assert!(said.stderr_text().contains("could not be read") && said.stderr_text().contains("git fsck"), "{}", said.stderr_text());
    let mut text = env.command("git-screenlink");
    let said = text.env("SCREENLINK_CACHE_DIR", env.root().join("cold")).args(["backfill", "--yes", "--dry-run"]).output().unwrap();
    assert!(said.stdout_text().contains("skipped: unreadable objects 1") && said.stdout_text().contains("git fsck"), "{}", said.stdout_text());

    // A commit over a file whose copy in HEAD is damaged: the hook, diffing it against that
    // copy, says so, and the commit is made.
    env.screenlink(["install"]).assert_ok();
    let path = env.git(["ls-files", "*.rs"]).stdout_text().lines().next().unwrap().to_string();
    let head_blob = env.git(["rev-parse", &format!("HEAD:{path}")]).stdout_text().trim().to_string();
    let file = env.repo.join(".git/objects").join(&head_blob[..2]).join(&head_blob[2..]);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(&file, b"not zlib either").unwrap();
    env.write(&path, &(0..6).map(|i| format!("pub fn rewritten_{i}(x: u32) -> u32 {{ x + {i} }}\n")).collect::<String>());
    env.git(["add", &path]).assert_ok();
    let commit = env.git(["commit", "-q", "-m", "Rewrite a file whose old copy is damaged"]);
    commit.assert_ok();
    assert!(commit.stderr_text().contains("could not be read") && commit.stderr_text().contains("git fsck"), "{}", commit.stderr_text());
    assert!(env.git(["log", "-1", "--format=%s"]).stdout_text().contains("Rewrite a file"), "the commit is made");
}
