//! Refs kept in reftable (`git init --ref-format=reftable`, git 2.45; planned as Git 3's
//! default), which libgit2 cannot read: git reads and writes them for us, and the repository
//! links as one with files refs does.

use std::collections::BTreeMap;

use git_screenlink::fixture::Spec;

use crate::env::{OutputExt, TestEnv};

/// Each linked commit's confidence in `env`'s dataset.
fn linked(env: &TestEnv) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap_or_default();
    let pairs = text.lines().map(|l| serde_json::from_str::<git_screenlink::dataset::Pair>(l).unwrap());
    pairs.map(|p| (p.metadata.commit_sha, format!("{:.6}", p.metadata.confidence))).collect()
}

/// How many commits from HEAD carry a screenlink note.
fn notes(env: &TestEnv) -> usize {
    env.git(["log", "--notes=screenlink", "--format=%N"]).stdout_text().matches("screenlink: said").count()
}

#[test]
fn a_reftable_repository_links_as_one_with_files_refs_does() {
    let (files, world) = TestEnv::with_world(&Spec::week(3));
    let mut reft = TestEnv::new();
    let clone = reft.root().join("reftable");
    let cloned = reft.git(["clone", "-q", "--no-local", "--ref-format=reftable", world.repo.to_str().unwrap(), clone.to_str().unwrap()]);
    if !cloned.status.success() {
        eprintln!("this git predates --ref-format (2.45), so this test cannot run: {}", cloned.stderr_text());
        return;
    }
    reft.repo = clone;
    assert_eq!(reft.git(["rev-parse", "--show-ref-format"]).stdout_text().trim(), "reftable");
    for env in [&files, &reft] {
        for (key, value) in [("screenlink.screenpipeDb", world.db.to_str().unwrap()), ("screenlink.source", "db"), ("screenlink.notes", "true")] {
            env.git(["config", key, value]).assert_ok();
        }
        env.git(["config", "screenlink.hookTimeoutMs", "120000"]).assert_ok();
    }

    // A range, then HEAD's history: the same links, read through git's refs.
    let range = |env: &TestEnv| {
        let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json", "HEAD~8..HEAD"]);
        out.assert_ok();
        let report: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
        report["pairs"].as_array().unwrap().iter().map(|p| p["metadata"]["commit_sha"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    let in_range = range(&reft);
    assert!(!in_range.is_empty() && in_range.len() < world.truth.commits.len(), "a range of the history links some of it: {in_range:?}");
    assert_eq!(in_range, range(&files));
    for env in [&files, &reft] {
        env.screenlink(["backfill", "--yes"]).assert_ok();
    }
    let pairs = linked(&reft);
    assert!(pairs.len() >= 3, "{pairs:?}");
    assert_eq!(pairs, linked(&files), "the same pairs at the same confidences");
    assert_eq!(notes(&reft), pairs.len(), "a note on every linked commit, in reftable");

    // show, log and reject name commits by revision; reject takes the note away.
    let (sha, _) = pairs.iter().next().unwrap();
    let out = reft.screenlink(["show", &sha[..10]]);
    out.assert_ok();
    assert!(out.stdout_text().contains(&sha[..10]), "{}", out.stdout_text());
    let log = reft.screenlink(["log", "--linked"]);
    log.assert_ok();
    assert_eq!(log.stdout_text().lines().count(), pairs.len(), "{}", log.stdout_text());
    reft.screenlink(["reject", sha]).assert_ok();
    assert!(!reft.git(["notes", "--ref=screenlink", "list", sha]).status.success(), "the note went with the link");
    assert_eq!(notes(&reft), pairs.len() - 1);

    // The hook: installed where git runs it; a rebase and an amend keep every note, the amend
    // read from HEAD's reflog (which reftable keeps too).
    reft.screenlink(["install"]).assert_ok();
    let head_linked = linked(&reft).contains_key(reft.git(["rev-parse", "HEAD"]).stdout_text().trim());
    let before = (notes(&reft), linked(&reft).len());
    eprintln!("HEAD linked: {head_linked}; notes and pairs before the rewrite: {before:?}; linked in the range: {}", in_range.len());
    reft.git(["rebase", "-q", "--force-rebase", "HEAD~3"]).assert_ok();
    let amend = reft.git(["commit", "-q", "--amend", "-m", "Reworded newest commit"]);
    amend.assert_ok();
    assert!(!amend.stderr_text().contains("error"), "{}", amend.stderr_text());
    assert_eq!((notes(&reft), linked(&reft).len()), before, "rebased and amended commits keep their pairs and notes");
    let head = reft.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    assert_eq!(linked(&reft).contains_key(&head), head_linked, "the amended commit's pair names it");

    // A new commit with no terminal is queued for review, which links it by its SHA.
    reft.write("src/cursor_notes.rs", &(0..8).map(|i| format!("pub fn page_cursor_{i}(x: usize) -> usize {{ x + {i} }}\n")).collect::<String>());
    reft.git(["add", "src/cursor_notes.rs"]).assert_ok();
    let commit = reft.git(["commit", "-q", "-m", "Add page cursors"]);
    commit.assert_ok();
    assert!(commit.stderr_text().contains("queued"), "{}", commit.stderr_text());
    let review = reft.screenlink(["review", "--yes"]);
    review.assert_ok();
    assert!(!review.stderr_text().contains("no longer exists"), "{}", review.stderr_text());
}
