//! What the hook links, and how fast: after `index`, past its time budget, with the daemon,
//! quiet, and what it leaves for backfill.

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

#[test]
fn what_the_hook_could_not_link_backfill_looks_at_again() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    // A threshold nothing reaches: the hook links nothing and notes that it could not.
    env.git(["config", "screenlink.minConfidence", "0.999"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    git_at(&env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap().assert_ok();
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let dir = store(&world.repo);
    let decisions: Vec<DecisionRecord> = lines(&dir.join("decisions.jsonl"));
    assert_eq!(decisions.len(), 1, "the hook ran and noted its result");
    assert!(decisions[0].nothing_linked() && decisions[0].commit_sha == head, "{:?}", decisions[0]);
    assert!(lines::<Pair>(&dir.join("training_data.jsonl")).is_empty());
    let status = env.screenlink(["status", "--no-load"]).stdout_text();
    assert!(status.contains("1 commit nothing was linked to when made (`git screenlink backfill` looks at them again"), "{status}");
    // Backfill does not count that as decided: it links the commit to its own talk.
    let out = env.screenlink(["backfill", "--yes", "--json", "--min-confidence", "0.3", "HEAD~1..HEAD"]);
    out.assert_ok();
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["summary"]["already_decided"], 0, "{summary}");
    let pairs: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
    assert_eq!(pairs.len(), 1, "{}", out.stderr_text());
    let status = env.screenlink(["status", "--no-load"]).stdout_text();
    assert!(!status.contains("nothing was linked to when made"), "linked now: {status}");
    assert_eq!(pairs[0].metadata.commit_sha, head);
    assert!(pairs[0].metadata.audio_ids.iter().any(|id| t.rows.contains(id)), "linked to its own talk");
    // Once linked, it is decided: a second run leaves it alone.
    let again: serde_json::Value =
        serde_json::from_slice(&env.screenlink(["backfill", "--yes", "--json", "--min-confidence", "0.3", "HEAD~1..HEAD"]).stdout).unwrap();
    assert_eq!(again["summary"]["already_decided"], 1, "{again}");
}

#[test]
fn the_hook_judges_talk_by_what_the_commits_before_it_met() {
    use git_screenlink::score::history::{self, Seen};
    let (env, world) = TestEnv::with_world(&Spec::week(12));
    let dir = store(&world.repo);
    let level_file = history::path(&dir);
    // Backfill (of the history before the commit the hook will make again) remembers the
    // best cosine of each commit it linked; a dry run writes nothing.
    let newest = world.truth.commits.iter().rev().find(|c| !c.rows.is_empty()).unwrap().sha.clone();
    let before = format!("{newest}~1");
    env.screenlink(["backfill", "--yes", "--dry-run", &before]).assert_ok();
    assert!(!level_file.exists(), "a dry run leaves no trace");
    env.screenlink(["backfill", "--yes", &before]).assert_ok();
    let remembered: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&level_file).unwrap()).unwrap();
    let recent = remembered["recent"].as_array().unwrap();
    assert!(recent.len() >= 10 && recent.len() <= history::HISTORY_LEN, "{remembered}");
    assert!(recent.iter().all(|s| (0.0..=1.0).contains(&s["best_cosine"].as_f64().unwrap())), "{remembered}");
    // The hook scores a new commit at the level the history gives, then remembers it too.
    let said: Vec<Seen> = (0..30).map(|k| Seen { sha: format!("{k:040x}"), time: 1_000 + k, best_cosine: 0.25 + k as f64 / 1000.0 }).collect();
    std::fs::remove_file(&level_file).unwrap();
    history::record(&dir, said).unwrap();
    assert!((history::level(&dir) - 0.265).abs() < 1e-9);
    let (head, pair) = hook_links_the_newest_motivated_commit_again(&env, &world);
    assert_eq!(pair.metadata.features[git_screenlink::score::features::TALK_LEVEL_INDEX], 0.265, "talk_level is the history's median");
    assert_eq!(pair.metadata.features[git_screenlink::score::features::LIKE_COMMITS_INDEX], 0.0, "the hook sees one commit: no like commits");
    let after: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&level_file).unwrap()).unwrap();
    let mine = after["recent"].as_array().unwrap().iter().find(|s| s["sha"] == head.as_str()).expect("the hook remembered its commit");
    // It remembers the raw cosine; the features read it at the talk's level.
    let scale = git_screenlink::score::features::talk_scale(0.265);
    assert!(mine["best_cosine"].as_f64().unwrap() * scale >= pair.metadata.features[0] - 1e-3, "{mine} {:?}", pair.metadata.features);
    assert!(mine["best_cosine"].as_f64().unwrap() <= 1.0, "{mine}");
    let weights = env.screenlink(["weights"]).stdout_text();
    assert!(weights.contains("the median best cosine of the last 31 commits scored here"), "{weights}");
    // A backfill of a few commits, too few to measure the talk by, scores at the history's level.
    let level = (history::level(&dir) * 10_000.0).round() / 10_000.0;
    let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json", "--min-confidence", "0", &format!("{before}~4..{before}")]);
    out.assert_ok();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pairs = json["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty(), "{json}");
    assert!(pairs.iter().all(|p| p["metadata"]["features"][git_screenlink::score::features::TALK_LEVEL_INDEX].as_f64() == Some(level)), "{level} {json}");
}

#[test]
fn the_hook_weighs_its_confidence_by_how_many_commits_backfill_linked_here() {
    use git_screenlink::score::fitted::{hook_prior_shift, Fitted};
    use git_screenlink::score::history::{self, History, Seen};
    use git_screenlink::score::recalibration::Recalibration;
    let (env, world) = TestEnv::with_world(&Spec::week(13));
    let dir = store(&world.repo);
    let newest = world.truth.commits.iter().rev().find(|c| !c.rows.is_empty()).unwrap().sha.clone();
    // Backfill remembers, for each commit it scored, whether it linked it.
    let out = env.screenlink(["backfill", "--yes", "--json", &format!("{newest}~1")]);
    out.assert_ok();
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let remembered: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(history::path(&dir)).unwrap()).unwrap();
    let judged = remembered["judged"].as_array().expect("backfill judged its commits");
    let linked = judged.iter().filter(|j| j["linked"] == true).count();
    assert_eq!(linked as u64, summary["summary"]["linked"].as_u64().unwrap(), "{summary}");
    assert!(judged.len() >= 20, "{remembered}");
    let share = History::load(&dir).prior().expect("enough commits judged");
    assert!((share - linked as f64 / judged.len() as f64).abs() < 1e-12);
    // It also remembers what the hook would have said of each (its log-odds for the passage it
    // ranks first) and backfill's confidence in that passage: the hook is recalibrated on them.
    let views = History::load(&dir).hook_views();
    assert_eq!(views.len(), judged.len(), "{remembered}");
    assert!(views.iter().all(|v| v.logit.is_finite() && (0.0..=1.0).contains(&v.later)), "{views:?}");
    let mut linked_views = judged.iter().filter(|j| j["linked"] == true).map(|j| j["hook"]["later"].as_f64().unwrap());
    assert!(linked_views.any(|later| later >= 0.6), "a linked commit's best passage is often the hook's: {remembered}");
    let r = History::load(&dir).hook_recalibration().expect("enough views");
    let weights = env.screenlink(["weights"]).stdout_text();
    let said = format!("recalibrated on what backfill and review said of {} commits here (log-odds x {:.2} {:+.2})", views.len(), r.scale, r.shift);
    assert!(weights.contains(&said), "{weights}");
    // A repository where backfill linked one commit in ten, judged by a version that kept no
    // hook views: the prior alone, and the hook's lead counts for less.
    std::fs::remove_file(history::path(&dir)).unwrap();
    let seen = |k: i64| Seen { sha: format!("{k:040x}"), time: 1_000 + k, best_cosine: 0.5 };
    History::default().record_judged(&dir, (0..40).map(|k| (seen(k), Some(k % 10 == 0)))).unwrap();
    let weights = env.screenlink(["weights"]).stdout_text();
    assert!(weights.contains("backfill and review linked 10 % of the commits they scored here"), "{weights}");
    let (_, pair) = hook_links_the_newest_motivated_commit_again(&env, &world);
    // A history without a centre (`score::centre`): the hook scores with the weights fitted
    // without `semantic_centred`, which reads 0.
    let hook = Fitted::shipped_uncentred(false);
    let f: [f64; git_screenlink::score::features::N] = pair.metadata.features.clone().try_into().unwrap();
    assert_eq!(f[git_screenlink::score::features::CENTRED_INDEX], 0.0);
    let rank = hook.rank(&f);
    let (as_fitted, shifted) = (hook.confidence_at(rank, &f), hook.confidence_recalibrated(rank, &f, &Recalibration::shifted(hook_prior_shift(Some(0.1)))));
    assert!((pair.metadata.confidence - shifted).abs() < 0.002, "{} {shifted} {as_fitted}", pair.metadata.confidence);
    assert!(as_fitted - shifted > 0.01, "the shift shows at this confidence: {shifted} {as_fitted}");
}

#[test]
fn the_hook_reads_its_centred_cosine_against_the_centre_backfill_remembered() {
    use git_screenlink::score::features::{CENTRED_INDEX, N};
    use git_screenlink::score::fitted::Fitted;
    use git_screenlink::score::history::{self, History};
    let (env, world) = TestEnv::with_world(&Spec::week(13));
    let dir = store(&world.repo);
    let newest = world.truth.commits.iter().rev().find(|c| !c.rows.is_empty()).unwrap().sha.clone();
    let before = env.screenlink(["weights"]).stdout_text();
    assert!(before.contains("no centre yet"), "{before}");
    env.screenlink(["backfill", "--yes", &format!("{newest}~1")]).assert_ok();
    // Backfill remembers the centre of the commits and talk it scored (`score::centre`).
    let remembered = History::load(&dir).centre().expect("a centre over the commits backfill scored");
    assert!(remembered.commits >= 20 && remembered.passages > 0 && remembered.commit.len() == 384, "{remembered:?}");
    let said = format!("the hook reads its centred cosine against the mean of {} commits and {} passages scored here", remembered.commits, remembered.passages);
    assert!(env.screenlink(["weights"]).stdout_text().contains(&said), "{said}");
    // The hook, one commit, reads its centred cosine against it, scored by the shipped weights.
    let (_, pair) = hook_links_the_newest_motivated_commit_again(&env, &world);
    let f: [f64; N] = pair.metadata.features.clone().try_into().unwrap();
    assert!(f[CENTRED_INDEX] > 0.0, "{f:?}");
    let hook = Fitted::shipped(false);
    let rank = hook.rank(&f);
    let r = History::load(&dir).hook_recalibration().expect("backfill judged enough commits");
    let expected = hook.confidence_recalibrated(rank, &f, &r);
    assert!((pair.metadata.confidence - expected).abs() < 0.002, "{} {expected}", pair.metadata.confidence);
    // And its commit moves the remembered centre by one commit more.
    let after = History::load(&dir).centre().unwrap();
    assert_eq!(after.commits, remembered.commits + 1);
    assert!(history::path(&dir).exists());
}

#[test]
fn the_hook_is_recalibrated_on_what_backfill_said_of_the_same_commits() {
    use git_screenlink::score::fitted::Fitted;
    use git_screenlink::score::history::{self, History, Seen, Verdict};
    use git_screenlink::score::recalibration::HookView;
    let (env, world) = TestEnv::with_world(&Spec::week(14));
    let dir = store(&world.repo);
    // 40 commits where backfill was far surer than the hook (meeting talk's pattern): a
    // 0.2 from the hook was a 0.8 from backfill.
    let seen = |k: i64| Seen { sha: format!("{k:040x}"), time: 1_000 + k, best_cosine: 0.5 };
    let view = |k: i64| {
        let logit = -3.0 + k as f64 * 0.1;
        HookView { logit, later: 1.0 / (1.0 + (-(logit + 2.8)).exp()) }
    };
    History::default().record_judged(&dir, (0..40).map(|k| (seen(k), Some(Verdict { linked: k % 10 == 0, hook: Some(view(k)) })))).unwrap();
    let r = History::load(&dir).hook_recalibration().expect("40 views");
    assert!(r.shift > 1.5, "{r:?}");
    let (_, pair) = hook_links_the_newest_motivated_commit_again(&env, &world);
    let hook = Fitted::shipped_uncentred(false);
    let f: [f64; git_screenlink::score::features::N] = pair.metadata.features.clone().try_into().unwrap();
    let rank = hook.rank(&f);
    let (as_fitted, raised) = (hook.confidence_at(rank, &f), hook.confidence_recalibrated(rank, &f, &r));
    assert!((pair.metadata.confidence - raised).abs() < 0.002, "{} {raised} {as_fitted}", pair.metadata.confidence);
    assert!(raised - as_fitted > 0.01, "raised, not shifted down by the 10 % share: {raised} {as_fitted}");
    // The hook's own commit is not judged: the views stay backfill's.
    assert_eq!(History::load(&dir).hook_views().len(), 40);
    assert!(history::path(&dir).exists());
}

/// Make the world's newest commit with talk again through the hook, which accepts whatever
/// it links; that commit and its pair.
fn hook_links_the_newest_motivated_commit_again(env: &TestEnv, world: &World) -> (String, Pair) {
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    env.git(["config", "screenlink.minConfidence", "0"]).assert_ok();
    let t = recommit_newest_motivated(env, world);
    git_at(env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap().assert_ok();
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let pairs: Vec<Pair> = lines(&store(&world.repo).join("training_data.jsonl"));
    // The newest: a test may make the same commit (the same sha) twice.
    let pair = pairs.into_iter().rev().find(|p| p.metadata.commit_sha == head).expect("the hook linked the commit");
    (head, pair)
}
