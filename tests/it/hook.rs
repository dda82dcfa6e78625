//! The hooks end to end: real `git commit` with the built binary first on PATH, a scrubbed
//! environment, real pseudo-terminals, real worktrees and rebases.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use git_screenlink::dataset::{DecisionRecord, Pair, PendingRecord};
use git_screenlink::fixture::{Spec, World};

use crate::env::{hand_db, OutputExt, TestEnv};

fn lines<T: serde::de::DeserializeOwned>(path: &Path) -> Vec<T> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect(),
        Err(_) => Vec::new(),
    }
}

fn store(repo: &Path) -> PathBuf {
    repo.join(".git").join("screenlink")
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Six added lines: enough code to be linked.
fn code(name: &str) -> String {
    (0..6).map(|i| format!("pub fn {name}_{i}(x: u32) -> u32 {{ x + {i} }}\n")).collect()
}

fn commit(env: &TestEnv, dir: &Path, file: &str, msg: &str) -> std::process::Output {
    write(dir, file, &code(&file.replace(['/', '.'], "_")));
    let mut add = Command::new("git");
    env.scrub(&mut add).current_dir(dir).args(["add", "."]).output().unwrap().assert_ok();
    let mut c = Command::new("git");
    env.scrub(&mut c).current_dir(dir).args(["commit", "-qm", msg]).output().unwrap()
}

#[test]
fn install_keeps_a_user_hook_running_and_uninstall_restores_it_byte_for_byte() {
    let env = TestEnv::new();
    let hook = env.repo.join(".git/hooks/post-commit");
    let user = "#!/bin/sh\necho \"user hook ran\"\n";
    std::fs::write(&hook, user).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    env.screenlink(["install"]).assert_ok();
    let installed = std::fs::read_to_string(&hook).unwrap();
    assert!(installed.contains("# >>> git-screenlink >>>") && installed.contains("echo \"user hook ran\""));
    env.screenlink(["install"]).assert_ok();
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), installed, "reinstalling changes nothing");

    env.git(["config", "screenlink.prompt", "queue"]).assert_ok();
    let out = commit(&env, &env.repo, "src/a.rs", "Add a");
    out.assert_ok();
    assert!(out.stdout_text().contains("user hook ran") || out.stderr_text().contains("user hook ran"));
    assert!(out.stderr_text().contains("queued"), "{}", out.stderr_text());
    let pending: Vec<PendingRecord> = lines(&store(&env.repo).join("pending.jsonl"));
    assert_eq!(pending.len(), 1);

    let status = env.screenlink(["status", "--no-load"]);
    assert!(status.stdout_text().contains("post-commit hook installed"), "{}", status.stdout_text());

    env.screenlink(["uninstall"]).assert_ok();
    assert_eq!(std::fs::read_to_string(&hook).unwrap(), user, "the user's hook, byte for byte");
    assert!(!env.repo.join(".git/hooks/post-rewrite").exists(), "our own file is removed");
    let out = commit(&env, &env.repo, "src/b.rs", "Add b");
    out.assert_ok();
    assert!(!out.stderr_text().contains("git-screenlink"));
}

#[test]
fn a_relative_hooks_path_and_a_linked_worktree_are_honoured() {
    let env = TestEnv::new();
    env.git(["config", "core.hooksPath", "githooks"]).assert_ok();
    env.git(["config", "screenlink.prompt", "queue"]).assert_ok();
    commit(&env, &env.repo, "src/a.rs", "Add a").assert_ok();
    env.screenlink(["install"]).assert_ok();
    assert!(env.repo.join("githooks/post-commit").exists());
    assert!(!env.repo.join(".git/hooks/post-commit").exists());
    let out = commit(&env, &env.repo, "src/b.rs", "Add b");
    assert!(out.stderr_text().contains("queued"), "the hook in githooks/ runs: {}", out.stderr_text());

    // A linked worktree (git resolves a relative hooksPath in each work tree, so this part
    // uses the default hooks dir): install from the worktree, commit there.
    let env = TestEnv::new();
    env.git(["config", "screenlink.prompt", "queue"]).assert_ok();
    commit(&env, &env.repo, "src/a.rs", "Add a").assert_ok();
    let wt = env.root().join("wt");
    env.git(["worktree", "add", "-q", wt.to_str().unwrap()]).assert_ok();
    let mut install = env.command("git-screenlink");
    install.current_dir(&wt).arg("install").output().unwrap().assert_ok();
    assert!(env.repo.join(".git/hooks/post-commit").exists(), "the hooks dir git uses for the worktree");
    let out = commit(&env, &wt, "src/w.rs", "Add w in a worktree");
    out.assert_ok();
    assert!(out.stderr_text().contains("queued"), "{}", out.stderr_text());
    let pending: Vec<PendingRecord> = lines(&store(&env.repo).join("pending.jsonl"));
    assert_eq!(pending.len(), 1, "the worktree's commit is queued in the shared git dir");
}

#[test]
fn a_hook_we_cannot_edit_is_left_alone_and_print_shows_the_lines() {
    let env = TestEnv::new();
    let hook = env.repo.join(".git/hooks/post-commit");
    let binary = b"\x7fELF\x02\x01\x01\x00\xff\xfe binary hook".to_vec();
    std::fs::write(&hook, &binary).unwrap();
    let out = env.screenlink(["install"]);
    assert_eq!(out.code(), 1);
    assert!(out.stderr_text().contains("left") && out.stderr_text().contains("not a text file"), "{}", out.stderr_text());
    assert_eq!(std::fs::read(&hook).unwrap(), binary);
    let printed = env.screenlink(["install", "--print"]);
    printed.assert_ok();
    assert!(printed.stdout_text().contains("git-screenlink hook post-commit"));
    assert!(printed.stdout_text().contains("git-screenlink hook post-rewrite \"$1\""));
}

#[test]
fn skip_missing_and_locked_databases_never_break_a_commit() {
    let env = TestEnv::new();
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    env.git(["config", "screenlink.source", "db"]).assert_ok();

    let mut skip = Command::new("git");
    write(&env.repo, "src/s.rs", &code("s"));
    env.git(["add", "."]).assert_ok();
    let out = env.scrub(&mut skip).env("SCREENLINK_SKIP", "1").args(["commit", "-qm", "Skipped"]).output().unwrap();
    out.assert_ok();
    assert_eq!(out.stderr_text(), "");
    assert!(!store(&env.repo).exists());

    env.git(["config", "screenlink.screenpipeDb", env.root().join("nope.sqlite").to_str().unwrap()]).assert_ok();
    let out = commit(&env, &env.repo, "src/m.rs", "Missing database");
    out.assert_ok();
    let err = out.stderr_text();
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains("your commit is fine"), "{err}");

    let db = hand_db(env.root(), &[("2026-03-01T10:00:00+00:00", "talk about the locked module")]);
    env.git(["config", "screenlink.screenpipeDb", db.to_str().unwrap()]).assert_ok();
    env.git(["config", "screenlink.hookTimeoutMs", "10000"]).assert_ok();
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;").unwrap();
    let out = commit(&env, &env.repo, "src/l.rs", "Locked database");
    out.assert_ok();
    assert!(out.stderr_text().contains("your commit is fine"), "{}", out.stderr_text());
    drop(conn);
    let pending: Vec<PendingRecord> = lines(&store(&env.repo).join("pending.jsonl"));
    assert_eq!(pending.len(), 2, "both failures are queued for review");
    assert_eq!(env.git(["rev-list", "--count", "HEAD"]).stdout_text().trim(), "3");
}

/// Recreate a motivated commit of `world` on top of its parent, at its original time, so
/// the hook links it to its talk.
fn recommit_newest_motivated(env: &TestEnv, world: &World) -> git_screenlink::fixture::TruthCommit {
    let t = world.truth.commits.iter().rev().find(|c| !c.rows.is_empty()).unwrap().clone();
    env.git(["checkout", "-q", "--detach", &format!("{}~1", t.sha)]).assert_ok();
    env.git(["checkout", &t.sha, "--", "."]).assert_ok();
    t
}

fn git_at(env: &TestEnv, when: &str) -> Command {
    let mut c = Command::new("git");
    env.scrub(&mut c).env("GIT_AUTHOR_DATE", when).env("GIT_COMMITTER_DATE", when);
    c
}

#[cfg(unix)]
fn commit_on_a_pty(env: &TestEnv, t: &git_screenlink::fixture::TruthCommit, key: &str) -> String {
    let mut c = git_at(env, &t.time.to_rfc3339());
    c.args(["commit", "-q", "-m", &t.subject]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    p.exp_string("ater").unwrap();
    p.send(key).unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap()
}

#[cfg(unix)]
#[test]
fn the_prompt_on_a_terminal_accepts_rejects_and_defers() {
    for key in ["a", "r", "l"] {
        let (env, world) = TestEnv::with_world(&Spec::week(11));
        env.screenlink(["install"]).assert_ok();
        let t = recommit_newest_motivated(&env, &world);
        let screen = commit_on_a_pty(&env, &t, key);
        let dir = store(&world.repo);
        let pairs: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
        let decisions: Vec<DecisionRecord> = lines(&dir.join("decisions.jsonl"));
        let pending: Vec<PendingRecord> = lines(&dir.join("pending.jsonl"));
        let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
        match key {
            "a" => {
                assert_eq!(pairs.len(), 1, "{screen}");
                assert_eq!(pairs[0].metadata.commit_sha, head);
                assert_eq!(pairs[0].metadata.decided_by, git_screenlink::dataset::DecidedBy::User);
                assert!(pairs[0].metadata.audio_ids.iter().any(|id| t.rows.contains(id)), "linked to its own talk");
                assert!(pending.is_empty());
            }
            "r" => {
                assert!(pairs.is_empty());
                assert_eq!(decisions.len(), 1);
                assert_eq!(decisions[0].decision, git_screenlink::dataset::Decision::Rejected);
            }
            _ => {
                assert!(pairs.is_empty() && decisions.is_empty());
                assert_eq!(pending.len(), 1);
                assert_eq!(pending[0].commit_sha, head);
                assert!(screen.contains("queued"), "{screen}");
            }
        }
    }
}

#[test]
fn without_a_terminal_the_commit_is_queued_and_review_yes_empties_the_queue() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    let out = git_at(&env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap();
    out.assert_ok();
    assert!(out.stderr_text().contains("queued (no terminal)"), "{}", out.stderr_text());
    let dir = store(&world.repo);
    assert_eq!(lines::<PendingRecord>(&dir.join("pending.jsonl")).len(), 1);

    let review = env.screenlink(["review"]);
    assert_eq!(review.code(), 2, "review without a terminal needs --yes");
    let review = env.screenlink(["review", "--yes"]);
    review.assert_ok();
    assert!(review.stdout_text().contains("1 accepted"), "{}{}", review.stdout_text(), review.stderr_text());
    let pairs = lines::<Pair>(&dir.join("training_data.jsonl"));
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0].metadata.audio_ids.iter().any(|id| t.rows.contains(id)), "linked to its own talk");
    // Review scores a commit made a while ago as backfill does, beside the commits around
    // it: the passage-side features the hook cannot have are there (the hook leaves them 0).
    let f = &pairs[0].metadata.features;
    assert!(f[11] != 0.0 && f[12] == 1.0, "{f:?}");
    let again = env.screenlink(["review", "--yes"]);
    assert!(again.stdout_text().contains("Nothing to review"), "{}", again.stdout_text());
}

#[test]
fn a_rebase_asks_nothing_and_rewrites_every_record() {
    let env = TestEnv::new();
    env.screenlink(["install"]).assert_ok();
    let db = hand_db(env.root(), &[("2026-03-01T10:00:00+00:00", "lunch at noon today at the usual place")]);
    for (k, v) in [("screenlink.prompt", "queue"), ("screenlink.source", "db"), ("screenlink.screenpipeDb", db.to_str().unwrap())] {
        env.git(["config", k, v]).assert_ok();
    }
    commit(&env, &env.repo, "src/base.rs", "Base").assert_ok();
    env.git(["branch", "-q", "upstream"]).assert_ok();
    for i in 0..5 {
        commit(&env, &env.repo, &format!("src/f{i}.rs"), &format!("Feature {i}")).assert_ok();
    }
    let old: HashSet<String> = env.git(["rev-list", "upstream..HEAD"]).stdout_text().lines().map(str::to_string).collect();
    // Decide all five (nothing to link here, so each is logged as skipped).
    env.screenlink(["review", "--yes"]).assert_ok();
    let dir = store(&env.repo);
    let decided: HashSet<String> = lines::<DecisionRecord>(&dir.join("decisions.jsonl")).into_iter().map(|d| d.commit_sha).collect();
    assert!(old.is_subset(&decided));

    env.git(["checkout", "-q", "upstream"]).assert_ok();
    commit(&env, &env.repo, "src/up.rs", "Upstream change").assert_ok();
    env.git(["checkout", "-q", "main"]).assert_ok();
    let out = env.git(["rebase", "-q", "upstream"]);
    out.assert_ok();
    assert!(!out.stderr_text().contains("ccept"), "no prompt during a rebase");
    let new: HashSet<String> = env.git(["rev-list", "upstream..HEAD"]).stdout_text().lines().map(str::to_string).collect();
    assert_eq!(new.len(), 5);
    assert!(new.is_disjoint(&old));
    let decided: HashSet<String> = lines::<DecisionRecord>(&dir.join("decisions.jsonl")).into_iter().map(|d| d.commit_sha).collect();
    assert!(new.is_subset(&decided), "decisions follow the rebased commits");
    assert!(decided.is_disjoint(&old), "nothing points at a commit that no longer exists");
    // Waiting: only the upstream commit, made after the review; none of the rebased ones.
    let upstream = env.git(["rev-parse", "upstream"]).stdout_text().trim().to_string();
    let status = env.screenlink(["status", "--no-load", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&status.stdout_text()).unwrap();
    assert!(v["dataset"]["detail"].as_str().unwrap().contains(", 1 commit waiting"), "{v}");
    let review = env.screenlink(["review", "--yes"]);
    assert!(review.stderr_text().contains(&upstream[..10]), "{}", review.stderr_text());
    assert!(review.stdout_text().contains("Reviewed 1:"), "{}", review.stdout_text());
}

#[test]
fn twenty_commits_at_once_in_twenty_worktrees_land_whole_and_never_share_talk() {
    let env = TestEnv::new();
    env.screenlink(["install"]).assert_ok();
    let talk: Vec<(String, String)> =
        (0..20).map(|i| (format!("2026-03-01T10:{i:02}:00+00:00"), format!("we should add the module number {i} with its functions"))).collect();
    let rows: Vec<(&str, &str)> = talk.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let db = hand_db(env.root(), &rows);
    for (k, v) in [
        ("screenlink.prompt", "auto"),
        ("screenlink.minConfidence", "0"),
        ("screenlink.source", "db"),
        ("screenlink.screenpipeDb", db.to_str().unwrap()),
        ("screenlink.hookTimeoutMs", "60000"),
    ] {
        env.git(["config", k, v]).assert_ok();
    }
    commit(&env, &env.repo, "src/base.rs", "Base").assert_ok();
    let trees: Vec<PathBuf> = (0..20).map(|i| env.root().join(format!("wt{i}"))).collect();
    for (i, wt) in trees.iter().enumerate() {
        env.git(["worktree", "add", "-q", "-b", &format!("b{i}"), wt.to_str().unwrap()]).assert_ok();
        write(wt, &format!("src/module{i}.rs"), &code(&format!("module{i}")));
        let mut add = Command::new("git");
        env.scrub(&mut add).current_dir(wt).args(["add", "."]).output().unwrap().assert_ok();
    }
    let children: Vec<_> = trees
        .iter()
        .enumerate()
        .map(|(i, wt)| {
            let mut c = Command::new("git");
            env.scrub(&mut c).current_dir(wt).args(["commit", "-qm", &format!("Add module {i}")]);
            c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap()
        })
        .collect();
    for child in children {
        child.wait_with_output().unwrap().assert_ok();
    }
    let pairs: Vec<Pair> = lines(&store(&env.repo).join("training_data.jsonl"));
    let decisions: Vec<DecisionRecord> = lines(&store(&env.repo).join("decisions.jsonl"));
    // Every commit's hook finished its record: a pair, or a decision saying why not.
    let all = env.git(["log", "--all", "--format=%H"]).stdout_text();
    let decided: HashSet<&str> = decisions.iter().map(|d| d.commit_sha.as_str()).collect();
    for sha in all.lines() {
        assert!(decided.contains(sha), "{sha} has no decision");
    }
    // One talk, one commit, though all twenty decided at the same moment.
    assert!(!pairs.is_empty());
    let shas: HashSet<&str> = pairs.iter().map(|p| p.metadata.commit_sha.as_str()).collect();
    assert_eq!(shas.len(), pairs.len(), "no commit has two pairs");
    let mut seen = HashSet::new();
    for p in &pairs {
        for id in &p.metadata.audio_ids {
            assert!(seen.insert(*id), "audio id {id} is in two pairs");
        }
    }
    assert!(pairs.len() < 20, "twenty pairs from talk that is not twenty passages: {}", pairs.len());
}

#[test]
fn an_amend_keeps_the_decision_when_the_code_is_the_same_and_links_again_when_not() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    // Low enough that the amended code (less like the talk) still links.
    env.git(["config", "screenlink.minConfidence", "0.3"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    let when = t.time.to_rfc3339();
    git_at(&env, &when).args(["commit", "-q", "-m", &t.subject]).output().unwrap().assert_ok();
    let dir = store(&world.repo);
    let first: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
    assert_eq!(first.len(), 1, "auto mode accepted the pair");

    // Same code, new message: the pair follows the new commit, nothing is linked twice.
    git_at(&env, &when).args(["commit", "-q", "--amend", "-m", &format!("{} (reworded)", t.subject)]).output().unwrap().assert_ok();
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let after: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].metadata.commit_sha, head);

    // Different code: the old pair goes, the new commit is linked again.
    let file = after[0].metadata.files[0].clone();
    let mut text = std::fs::read_to_string(world.repo.join(&file)).unwrap();
    text.push_str("\npub fn added_after_amend(x: u32) -> u32 {\n    x * 2\n}\n");
    std::fs::write(world.repo.join(&file), text).unwrap();
    env.git(["add", "."]).assert_ok();
    git_at(&env, &when).args(["commit", "-q", "--amend", "--no-edit"]).output().unwrap().assert_ok();
    let head2 = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let last: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
    assert_eq!(last.len(), 1, "{last:?}");
    assert_eq!(last[0].metadata.commit_sha, head2);
    assert!(last[0].output.contains("added_after_amend"));
    let decided: HashSet<String> = lines::<DecisionRecord>(&dir.join("decisions.jsonl")).into_iter().map(|d| d.commit_sha).collect();
    assert!(!decided.contains(&t.sha) && !decided.contains(&head), "no record of a commit that no longer exists");
}

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

/// Talk long enough to be a passage, about the `Feature N` commits `commit` makes.
const FEATURE_TALK: &str = "we need to add the feature files in the src folder, feature zero to feature four, each with small functions that add a number to x";

#[cfg(unix)]
#[test]
fn a_rebase_is_the_only_reason_a_terminal_gets_no_prompt() {
    let env = TestEnv::new();
    env.screenlink(["install"]).assert_ok();
    let db = hand_db(env.root(), &[("2026-03-01T10:00:00+00:00", FEATURE_TALK)]);
    for (k, v) in [("screenlink.minConfidence", "0"), ("screenlink.source", "db"), ("screenlink.screenpipeDb", db.to_str().unwrap())] {
        env.git(["config", k, v]).assert_ok();
    }
    // Made without a terminal: queued.
    commit(&env, &env.repo, "src/base.rs", "Base").assert_ok();
    env.git(["branch", "-q", "upstream"]).assert_ok();
    for i in 0..2 {
        commit(&env, &env.repo, &format!("src/f{i}.rs"), &format!("Feature {i}")).assert_ok();
    }
    env.git(["checkout", "-q", "upstream"]).assert_ok();
    commit(&env, &env.repo, "src/up.rs", "Upstream change").assert_ok();
    env.git(["checkout", "-q", "main"]).assert_ok();
    let queued_before = lines::<PendingRecord>(&store(&env.repo).join("pending.jsonl")).len();

    // The rebase on a terminal, with prompt = ask (the default): no prompt, the picks queued.
    let mut c = Command::new("git");
    env.scrub(&mut c).args(["rebase", "upstream"]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    let screen = p.exp_eof().unwrap();
    assert!(!screen.contains("ater") && !screen.contains("ccept"), "no prompt during a rebase: {screen}");
    let pending: Vec<PendingRecord> = lines(&store(&env.repo).join("pending.jsonl"));
    let during: Vec<&PendingRecord> = pending[queued_before..].iter().collect();
    assert_eq!(during.len(), 2, "{pending:?}");
    assert!(during.iter().all(|r| r.reason.contains("rebase")), "{during:?}");

    // The same talk on the same terminal outside a rebase: the prompt appears.
    write(&env.repo, "src/f9.rs", &code("f9"));
    env.git(["add", "."]).assert_ok();
    let mut c = Command::new("git");
    env.scrub(&mut c).args(["commit", "-q", "-m", "Feature 9"]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    p.exp_string("ater").unwrap();
    p.send("l").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
}

#[cfg(unix)]
#[test]
fn next_edit_and_ctrl_c_at_the_hook_prompt() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.minConfidence", "0"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    let mut c = git_at(&env, &t.time.to_rfc3339());
    c.args(["commit", "-q", "-m", &t.subject]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    // Next shows the second candidate; edit changes the instruction; accept keeps both.
    p.exp_string("ater").unwrap();
    p.send("n").unwrap();
    p.flush().unwrap();
    p.exp_string("candidate 2 of").unwrap();
    p.exp_string("ater").unwrap();
    p.send("e").unwrap();
    p.flush().unwrap();
    p.exp_string("instruction").unwrap();
    p.send(" (edited)\r").unwrap();
    p.flush().unwrap();
    p.exp_string("ater").unwrap();
    p.send("a").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
    let dir = store(&world.repo);
    let pairs: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0].instruction.ends_with(" (edited)"), "{}", pairs[0].instruction);
    // The second candidate, not the first: the same commit accepted at once links other talk.
    let (first_env, first_world) = TestEnv::with_world(&Spec::week(11));
    first_env.screenlink(["install"]).assert_ok();
    first_env.git(["config", "screenlink.minConfidence", "0"]).assert_ok();
    let t1 = recommit_newest_motivated(&first_env, &first_world);
    commit_on_a_pty(&first_env, &t1, "a");
    let first: Vec<Pair> = lines(&store(&first_world.repo).join("training_data.jsonl"));
    assert_eq!(first.len(), 1);
    assert_ne!(first[0].metadata.audio_ids, pairs[0].metadata.audio_ids, "next moved to another candidate");
    assert!(!first[0].instruction.ends_with(" (edited)"));

    // Ctrl-C at the prompt: the commit is queued for later, nothing else recorded.
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    let mut c = git_at(&env, &t.time.to_rfc3339());
    c.args(["commit", "-q", "-m", &t.subject]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    p.exp_string("ater").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    let dir = store(&world.repo);
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let pending: Vec<PendingRecord> = lines(&dir.join("pending.jsonl"));
    assert_eq!(pending.iter().map(|r| r.commit_sha.as_str()).collect::<Vec<_>>(), [head.as_str()]);
    assert!(lines::<Pair>(&dir.join("training_data.jsonl")).is_empty());
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
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    env.git(["config", "screenlink.minConfidence", "0"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    git_at(&env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap().assert_ok();
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let pairs: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
    let pair = pairs.iter().find(|p| p.metadata.commit_sha == head).expect("the hook linked the commit");
    assert_eq!(pair.metadata.features[14], 0.265, "talk_level is the history's median");
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
    assert!(pairs.iter().all(|p| p["metadata"]["features"][14].as_f64() == Some(level)), "{level} {json}");
}
