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

/// The hook links every commit to its best free talk, without asking, from `db`.
fn link_every_commit(env: &TestEnv, db: &Path) {
    for (k, v) in [
        ("screenlink.prompt", "auto"),
        ("screenlink.minConfidence", "0"),
        ("screenlink.source", "db"),
        ("screenlink.screenpipeDb", db.to_str().unwrap()),
        ("screenlink.hookTimeoutMs", "60000"),
    ] {
        env.git(["config", k, v]).assert_ok();
    }
}

mod history;
mod link;
mod prompt;

#[test]
fn install_keeps_a_user_hook_running_and_uninstall_restores_it_byte_for_byte() {
    let env = TestEnv::new();
    let hook = env.repo.join(".git/hooks/post-commit");
    let user = "#!/bin/sh\necho \"user hook ran\"\n";
    crate::env::write_hook(&hook, user);
    env.screenlink(["install"]).assert_ok();
    let installed = std::fs::read_to_string(&hook).unwrap();
    assert!(installed.contains("# >>> git-screenlink >>>") && installed.contains("echo \"user hook ran\""));
    // And the hook's form of the model is saved, so the first commit does not make it.
    let models = env.home.join(".cache/screenlink/models/model");
    let saved: Vec<_> = std::fs::read_dir(&models).unwrap().flatten().map(|e| e.path()).collect();
    assert!(saved.len() == 1 && saved[0].extension().is_some_and(|x| x == "ort"), "{saved:?}");
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
    let out = env.screenlink(["install"]);
    out.assert_ok();
    assert!(!out.stderr_text().contains("core.hooksPath is set in"), "this repository's own hooks path: {}", out.stderr_text());
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

    // A hooks path in the user's global config: every repository runs what is installed there,
    // which install says, naming the file.
    let env = TestEnv::new();
    let shared = env.home.join("githooks");
    env.git(["config", "--global", "core.hooksPath", shared.to_str().unwrap()]).assert_ok();
    let out = env.screenlink(["install"]);
    out.assert_ok();
    assert!(shared.join("post-commit").exists());
    let note = format!("core.hooksPath is set in {}, not for this repository alone", env.home.join(".gitconfig").display());
    assert!(out.stderr_text().contains(&note) && out.stderr_text().contains("`git screenlink uninstall` removes it for all of them"), "{}", out.stderr_text());
    let status = env.screenlink(["status", "--no-load"]);
    assert!(
        status.stdout_text().contains(&format!("post-commit hook installed (core.hooksPath from {}", env.home.join(".gitconfig").display())),
        "{}",
        status.stdout_text()
    );
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

/// A commit whose window holds no talk because screenpipe stopped recording says when it
/// last did; talk left out only for being within commitOffsetHours of the commit does not
/// read as screenpipe being off.
#[test]
fn a_commit_after_screenpipe_stopped_recording_says_when_it_last_did() {
    let env = TestEnv::new();
    env.screenlink(["install"]).assert_ok();
    let db = hand_db(env.root(), &[("2026-03-01T10:00:00+00:00", "we should page the export results by cursor")]);
    for (k, v) in
        [("screenlink.prompt", "auto"), ("screenlink.source", "db"), ("screenlink.screenpipeDb", db.to_str().unwrap()), ("screenlink.hookTimeoutMs", "60000")]
    {
        env.git(["config", k, v]).assert_ok();
    }
    let commit_at = |file: &str, when: &str| {
        write(&env.repo, file, &code(&file.replace(['/', '.'], "_")));
        env.git(["add", "."]).assert_ok();
        let out = git_at(&env, when).args(["commit", "-qm", "Page the export"]).output().unwrap();
        out.assert_ok();
        out.stderr_text()
    };
    let err = commit_at("src/late.rs", "2026-03-20T10:00:00+00:00");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no discussion found for") && err.contains("screenpipe has no audio in the 7 days before it"), "{err}");
    assert!(err.contains("its newest audio is from 2026-03-01 10:00 UTC") && err.contains("is screenpipe recording audio?"), "{err}");
    let decisions: Vec<DecisionRecord> = lines(&store(&env.repo).join("decisions.jsonl"));
    assert!(decisions.len() == 1 && decisions[0].nothing_linked(), "{decisions:?}");
    // Talk 30 minutes before the commit is within screenlink.commitOffsetHours (1): left out,
    // but screenpipe is recording.
    let err = commit_at("src/soon.rs", "2026-03-01T10:30:00+00:00");
    assert!(err.contains("no discussion found for") && !err.contains("recording"), "{err}");
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
    let asked = p.exp_string("ater").unwrap();
    p.send(key).unwrap();
    p.flush().unwrap();
    format!("{asked}ater{}", p.exp_eof().unwrap())
}

#[cfg(unix)]
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
    link_every_commit(&env, &hand_db(env.root(), &rows));
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

/// The hook shares talk as backfill does: a follow-up naming the fix's issue links the talk
/// the fix linked; a commit naming no issue does not.
#[test]
fn the_hook_links_a_follow_up_of_one_issue_to_the_talk_its_fix_linked() {
    let env = TestEnv::new();
    env.screenlink(["install"]).assert_ok();
    let db = hand_db(
        env.root(),
        &[
            ("2026-03-01T15:00:00+00:00", "the payment gateway keeps timing out when we charge a card"),
            ("2026-03-01T15:00:30+00:00", "so charge card should retry on a gateway timeout with a retry limit"),
        ],
    );
    link_every_commit(&env, &db);
    commit(&env, &env.repo, "src/gateway_retry.rs", "PAY-42 Retry card charges on a gateway timeout").assert_ok();
    commit(&env, &env.repo, "src/retry_limit.rs", "PAY-42 follow-up: a retry limit for card charges").assert_ok();
    commit(&env, &env.repo, "src/charge_limit.rs", "Limit card charges per gateway").assert_ok();
    let pairs: Vec<Pair> = lines(&store(&env.repo).join("training_data.jsonl"));
    let subjects: Vec<(&str, &[i64])> = pairs.iter().map(|p| (p.instruction.as_str(), p.metadata.audio_ids.as_slice())).collect();
    assert_eq!(
        subjects,
        [("PAY-42 Retry card charges on a gateway timeout", &[1, 2][..]), ("PAY-42 follow-up: a retry limit for card charges", &[1, 2][..])],
        "{pairs:#?}"
    );
}
