//! What the hook links, and how fast: after `index`, past its time budget, with the daemon,
//! quiet, and from the ONNX file when the saved model cannot be kept.

use super::*;

#[test]
fn after_index_the_hook_embeds_only_the_commit() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    env.git(["config", "screenlink.minConfidence", "0.3"]).assert_ok();
    // The sample world lies in the past: index all of it.
    let out = env.screenlink(["index", "--days", "3650"]);
    out.assert_ok();
    assert!(out.stdout_text().contains("Indexed") && out.stdout_text().contains("embedded"), "{}", out.stdout_text());
    let again = env.screenlink(["index", "--days", "3650"]);
    assert!(again.stdout_text().contains(": 0 embedded"), "a second run embeds nothing: {}", again.stdout_text());

    let t = recommit_newest_motivated(&env, &world);
    let out = git_at(&env, &t.time.to_rfc3339())
        .env("SCREENLINK_DEBUG", "1")
        .args(["commit", "-q", "-m", &format!("{}\n\nA body the original lacks.", t.subject)])
        .output()
        .unwrap();
    out.assert_ok();
    assert!(out.stderr_text().contains(" 2 texts embedded"), "only the commit's texts are new (all of it, and its message alone): {}", out.stderr_text());
    // And index kept the talk's terms: the hook splits only discussions its window cuts
    // short (at most one at each end), not the talk index already read.
    let line = out.stderr_text().lines().find(|l| l.contains("talk terms:")).map(str::to_string).expect("the hook reports its talk terms");
    let nums: Vec<usize> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let (split, of) = (nums[nums.len() - 2], nums[nums.len() - 1]);
    assert!(of > 3 && split <= 2, "{line}");
    assert_eq!(lines::<Pair>(&store(&world.repo).join("training_data.jsonl")).len(), 1, "{}", out.stderr_text());
}

#[test]
fn scoring_past_the_time_budget_queues_the_commit() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    env.git(["config", "screenlink.hookTimeoutMs", "1"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    let out = git_at(&env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap();
    out.assert_ok();
    assert!(out.stderr_text().contains("hookTimeoutMs"), "{}", out.stderr_text());
    let pending: Vec<PendingRecord> = lines(&store(&world.repo).join("pending.jsonl"));
    assert_eq!(pending.len(), 1);
    assert!(pending[0].reason.contains("hookTimeoutMs"));
    env.git(["config", "screenlink.hookTimeoutMs", "120000"]).assert_ok();
    let review = env.screenlink(["review", "--yes"]);
    assert!(review.stdout_text().contains("Reviewed 1: 1 accepted"), "scored at review: {}", review.stdout_text());
}

#[test]
fn quiet_hooks_say_nothing_a_missing_model_queues_and_no_binary_on_path_is_silent() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    env.git(["config", "screenlink.minConfidence", "0"]).assert_ok();
    let dir = store(&world.repo);

    // Loud (the default): auto mode says what it did. Quiet: nothing, same result.
    let t = recommit_newest_motivated(&env, &world);
    let out = git_at(&env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap();
    out.assert_ok();
    assert!(out.stderr_text().contains("git-screenlink:"), "{}", out.stderr_text());
    env.git(["config", "screenlink.quiet", "true"]).assert_ok();
    let out2 = {
        write(&world.repo, "src/quiet.rs", &code("quiet"));
        env.git(["add", "."]).assert_ok();
        git_at(&env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", "Add the quiet module"]).output().unwrap()
    };
    out2.assert_ok();
    assert_eq!(out2.stderr_text(), "", "quiet: {}", out2.stderr_text());
    assert_eq!(out2.stdout_text(), "");
    let decided: Vec<DecisionRecord> = lines(&dir.join("decisions.jsonl"));
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    assert!(decided.iter().any(|d| d.commit_sha == head), "quiet still decides");
    env.git(["config", "--unset", "screenlink.quiet"]).assert_ok();

    // A missing model: the commit is fine and queued.
    let empty = env.root().join("no-model");
    std::fs::create_dir_all(&empty).unwrap();
    write(&world.repo, "src/nomodel.rs", &code("nomodel"));
    env.git(["add", "."]).assert_ok();
    let out = git_at(&env, &t.time.to_rfc3339()).env("SCREENLINK_MODEL_DIR", &empty).args(["commit", "-q", "-m", "Add the nomodel module"]).output().unwrap();
    out.assert_ok();
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let pending: Vec<PendingRecord> = lines(&dir.join("pending.jsonl"));
    assert!(pending.iter().any(|r| r.commit_sha == head), "queued: {}", out.stderr_text());
    assert!(out.stderr_text().contains("queued"), "{}", out.stderr_text());

    // git-screenlink not on PATH: the block does nothing, says nothing, the commit is made.
    let path: Vec<std::path::PathBuf> = std::env::split_paths(&std::env::var_os("PATH").unwrap()).filter(|p| !p.join("git-screenlink").exists()).collect();
    write(&world.repo, "src/nobin.rs", &code("nobin"));
    env.git(["add", "."]).assert_ok();
    let before = std::fs::read(dir.join("decisions.jsonl")).unwrap();
    let out = git_at(&env, &t.time.to_rfc3339())
        .env("PATH", std::env::join_paths(path).unwrap())
        .args(["commit", "-q", "-m", "Add the nobin module"])
        .output()
        .unwrap();
    out.assert_ok();
    assert_eq!(out.stderr_text(), "", "{}", out.stderr_text());
    assert_eq!(std::fs::read(dir.join("decisions.jsonl")).unwrap(), before, "nothing ran");
    let pending_after: Vec<PendingRecord> = lines(&dir.join("pending.jsonl"));
    assert_eq!(pending_after.len(), pending.len());
}

/// The hook starts the daemon; the next commit's texts are embedded there (the model never
/// loads in the hook), with the same link as in-process; `--stop` ends it; a stale socket
/// file is replaced.
#[test]
fn the_daemon_embeds_for_the_next_commit_and_stops_on_request() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    for (k, v) in [("screenlink.prompt", "auto"), ("screenlink.minConfidence", "0"), ("screenlink.daemonIdleMinutes", "2")] {
        env.git(["config", k, v]).assert_ok();
    }
    let daemon_cmd = |args: &[&str]| {
        let mut c = env.command("git-screenlink");
        env.with_daemon(&mut c).args(args).output().unwrap()
    };
    // A stale socket file where the daemon will listen: nobody answers it.
    let status = daemon_cmd(&["daemon", "--status"]);
    assert_eq!(status.code(), 1, "{}", status.stdout_text());
    let socket = std::path::PathBuf::from(status.stdout_text().split(' ').next().unwrap());
    std::fs::create_dir_all(socket.parent().unwrap()).unwrap();
    std::fs::write(&socket, "").unwrap();

    // First commit: no daemon yet, so it embeds here and starts one. Nothing reaches a
    // threshold of 1, so its talk stays free and the decision logs the best confidence.
    let t = recommit_newest_motivated(&env, &world);
    let commit = |committer: &str, min: &str| {
        let mut c = git_at(&env, &t.time.to_rfc3339());
        // An empty embedding cache each time: every text is embedded, here or there.
        env.with_daemon(&mut c)
            .env("SCREENLINK_DEBUG", "1")
            .env("SCREENLINK_CACHE_DIR", env.root().join(format!("cache-{committer}")))
            .env("GIT_COMMITTER_EMAIL", committer)
            .args(["-c", &format!("screenlink.minConfidence={min}"), "commit", "-q", "-m", &t.subject])
            .output()
            .unwrap()
    };
    let first = commit("first@example.com", "1");
    first.assert_ok();
    assert!(first.stderr_text().contains("model loaded: true"), "{}", first.stderr_text());
    // In the hook, the model in ONNX Runtime's format, made on this first load.
    assert!(first.stderr_text().contains("model loaded from its saved form"), "{}", first.stderr_text());
    let saved = env.root().join("cache-first@example.com").join("models").join("model");
    assert_eq!(std::fs::read_dir(&saved).map(|d| d.count()).unwrap_or(0), 1, "{}", saved.display());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while daemon_cmd(&["daemon", "--status"]).code() != 0 {
        assert!(std::time::Instant::now() < deadline, "the daemon came up");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(socket.parent().unwrap()).unwrap().permissions().mode() & 0o077, 0);
    }
    let in_process = lines::<DecisionRecord>(&store(&world.repo).join("decisions.jsonl"))[0].confidence.unwrap();

    // The same commit again (another committer, so another id): the daemon embeds, and the
    // link is the one the model gave in-process.
    env.git(["reset", "-q", "--soft", "HEAD~1"]).assert_ok();
    let second = commit("second@example.com", "0");
    second.assert_ok();
    let err = second.stderr_text();
    assert!(err.contains("the daemon at") && err.contains("model loaded: false"), "{err}");
    assert!(!err.contains(" 0 by the daemon"), "{err}");
    let pairs: Vec<Pair> = lines(&store(&world.repo).join("training_data.jsonl"));
    assert_eq!(pairs.len(), 1, "{err}");
    assert!((pairs[0].metadata.confidence - in_process).abs() < 0.002, "daemon {} vs in-process {in_process}", pairs[0].metadata.confidence);

    let stop = daemon_cmd(&["daemon", "--stop"]);
    assert!(stop.stdout_text().contains("stops"), "{}", stop.stdout_text());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while socket.exists() || daemon_cmd(&["daemon", "--status"]).code() == 0 {
        assert!(std::time::Instant::now() < deadline, "the daemon left");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// A cache dir that cannot hold the hook's saved model (here `models` is a file): the hook
/// says so under `SCREENLINK_DEBUG`, loads the ONNX file instead and links as the saved
/// model does.
#[test]
fn a_cache_that_cannot_hold_the_saved_model_links_from_the_onnx_file_alike() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    for (k, v) in [("screenlink.prompt", "auto"), ("screenlink.minConfidence", "0"), ("screenlink.daemon", "false")] {
        env.git(["config", k, v]).assert_ok();
    }
    let t = recommit_newest_motivated(&env, &world);
    let commit = |committer: &str, cache: &std::path::Path| {
        git_at(&env, &t.time.to_rfc3339())
            .env("SCREENLINK_DEBUG", "1")
            .env("SCREENLINK_CACHE_DIR", cache)
            .env("GIT_COMMITTER_EMAIL", committer)
            .args(["commit", "-q", "-m", &t.subject])
            .output()
            .unwrap()
    };
    let blocked = env.root().join("blocked-cache");
    std::fs::create_dir_all(&blocked).unwrap();
    std::fs::write(blocked.join("models"), "not a folder").unwrap();
    let first = commit("first@example.com", &blocked);
    first.assert_ok();
    let err = first.stderr_text();
    assert!(err.contains("the saved model did not load") && err.contains("model loaded: true"), "{err}");
    assert_eq!(std::fs::read(blocked.join("models")).unwrap(), b"not a folder", "nothing written over it");
    let pairs: Vec<Pair> = lines(&store(&world.repo).join("training_data.jsonl"));
    assert_eq!(pairs.len(), 1, "{err}");
    let from_onnx = pairs[0].metadata.confidence;

    // The same commit again (another committer, another id), with a cache that holds it.
    env.git(["reset", "-q", "--soft", "HEAD~1"]).assert_ok();
    let second = commit("second@example.com", &env.root().join("fine-cache"));
    second.assert_ok();
    assert!(second.stderr_text().contains("model loaded from its saved form"), "{}", second.stderr_text());
    let pairs: Vec<Pair> = lines(&store(&world.repo).join("training_data.jsonl"));
    assert_eq!(pairs.len(), 2, "{}", second.stderr_text());
    assert!((pairs[1].metadata.confidence - from_onnx).abs() < 0.002, "saved {} vs ONNX file {from_onnx}", pairs[1].metadata.confidence);
}
