//! Repositories in git's newer formats, each planned as Git 3's default: refs in reftable
//! (`git init --ref-format=reftable`, git 2.45), which libgit2 cannot read, so git reads and
//! writes them for us; and objects named by SHA-256 (`git init --object-format=sha256`),
//! which libgit2 reads when built with its SHA-256 support. Each links as the same history
//! does in a SHA-1 repository with files refs.

use std::collections::BTreeMap;

use git_screenlink::fixture::{Spec, World};

use crate::env::{OutputExt, TestEnv};

/// Each linked commit's confidence in `env`'s dataset, by SHA.
fn linked(env: &TestEnv) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap_or_default();
    let pairs = text.lines().map(|l| serde_json::from_str::<git_screenlink::dataset::Pair>(l).unwrap());
    pairs.map(|p| (p.metadata.commit_sha, format!("{:.6}", p.metadata.confidence))).collect()
}

/// Each commit's place in HEAD's history, oldest first: what names a commit alike in two
/// repositories of one history whose SHAs differ.
fn places(env: &TestEnv) -> BTreeMap<String, usize> {
    env.git(["rev-list", "--reverse", "HEAD"]).stdout_text().lines().enumerate().map(|(i, sha)| (sha.to_string(), i)).collect()
}

/// [`linked`] by place in the history.
fn linked_by_place(env: &TestEnv) -> BTreeMap<usize, String> {
    let places = places(env);
    linked(env).into_iter().map(|(sha, confidence)| (places[&sha], confidence)).collect()
}

/// How many commits from HEAD carry a screenlink note.
fn notes(env: &TestEnv) -> usize {
    env.git(["log", "--notes=screenlink", "--format=%N"]).stdout_text().matches("screenlink: said").count()
}

/// `world`'s history written anew into an empty repository made with `init_args`, at
/// `other.repo`, by `git fast-export | git fast-import` (the only way from SHA-1 to SHA-256):
/// the same commits, dates and trees under other ids. `None` when this git cannot make it.
fn rewritten(other: &mut TestEnv, world: &World, init_args: &[&str]) -> Option<()> {
    let dir = other.root().join("rewritten");
    let branch = other.git(["-C", world.repo.to_str().unwrap(), "symbolic-ref", "--short", "HEAD"]).stdout_text().trim().to_string();
    let made = other.git(["init", "-q", "-b", &branch].iter().chain(init_args).chain([&dir.to_str().unwrap()]));
    if !made.status.success() {
        eprintln!("this git cannot make {init_args:?}, so this test cannot run: {}", made.stderr_text());
        return None;
    }
    let export = other.git(["-C", world.repo.to_str().unwrap(), "fast-export", "--all", "--signed-tags=strip"]);
    export.assert_ok();
    let stream = other.root().join("history.fi");
    std::fs::write(&stream, &export.stdout).unwrap();
    other.repo = dir;
    let mut import = std::process::Command::new("git");
    other.scrub(&mut import).args(["fast-import", "--quiet"]).stdin(std::fs::File::open(&stream).unwrap());
    import.output().unwrap().assert_ok();
    other.git(["reset", "-q", "--hard"]).assert_ok();
    Some(())
}

/// `other`, a repository of `world`'s history in another format, links as `files` (the world's
/// own SHA-1 repository with files refs) does: a range and the whole history give the same
/// commits the same confidences; notes, `show`, `log` and `reject` find them; the hook, a
/// rebase, an amend and `review` work there; `git fsck` finds nothing wrong after.
fn links_as_the_sha1_files_twin(files: &TestEnv, world: &World, other: &TestEnv) {
    for env in [files, other] {
        for (key, value) in [("screenlink.screenpipeDb", world.db.to_str().unwrap()), ("screenlink.source", "db"), ("screenlink.notes", "true")] {
            env.git(["config", key, value]).assert_ok();
        }
        env.git(["config", "screenlink.hookTimeoutMs", "120000"]).assert_ok();
    }
    assert_eq!(places(other).len(), places(files).len(), "the whole history is there");

    // A range, then HEAD's history: the same links, read through git's refs.
    let range = |env: &TestEnv| {
        let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json", "HEAD~8..HEAD"]);
        out.assert_ok();
        let report: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
        let places = places(env);
        report["pairs"].as_array().unwrap().iter().map(|p| places[p["metadata"]["commit_sha"].as_str().unwrap()]).collect::<Vec<_>>()
    };
    let in_range = range(other);
    assert!(!in_range.is_empty() && in_range.len() < world.truth.commits.len(), "a range of the history links some of it: {in_range:?}");
    assert_eq!(in_range, range(files));
    for env in [files, other] {
        env.screenlink(["backfill", "--yes"]).assert_ok();
    }
    let pairs = linked(other);
    assert!(pairs.len() >= 3, "{pairs:?}");
    assert_eq!(linked_by_place(other), linked_by_place(files), "the same pairs at the same confidences");
    assert_eq!(notes(other), pairs.len(), "a note on every linked commit");
    let valid = other.screenlink(["validate"]);
    valid.assert_ok();
    assert!(valid.stdout_text().contains(&format!("Valid pairs: {} (100.0%)", pairs.len())), "{}", valid.stdout_text());

    // show, log and reject name commits by revision; reject takes the note away.
    let (sha, _) = pairs.iter().next().unwrap();
    let out = other.screenlink(["show", &sha[..10]]);
    out.assert_ok();
    assert!(out.stdout_text().contains(&sha[..10]), "{}", out.stdout_text());
    let log = other.screenlink(["log", "--linked"]);
    log.assert_ok();
    assert_eq!(log.stdout_text().lines().count(), pairs.len(), "{}", log.stdout_text());
    other.screenlink(["reject", sha]).assert_ok();
    assert!(!other.git(["notes", "--ref=screenlink", "list", sha]).status.success(), "the note went with the link");
    assert_eq!(notes(other), pairs.len() - 1);

    // The hook: installed where git runs it; a rebase and an amend keep every note, the amend
    // read from HEAD's reflog.
    other.screenlink(["install"]).assert_ok();
    let head_linked = linked(other).contains_key(other.git(["rev-parse", "HEAD"]).stdout_text().trim());
    let before = (notes(other), linked(other).len());
    eprintln!("HEAD linked: {head_linked}; notes and pairs before the rewrite: {before:?}; linked in the range: {}", in_range.len());
    other.git(["rebase", "-q", "--force-rebase", "HEAD~3"]).assert_ok();
    let amend = other.git(["commit", "-q", "--amend", "-m", "Reworded newest commit"]);
    amend.assert_ok();
    assert!(!amend.stderr_text().contains("error"), "{}", amend.stderr_text());
    assert_eq!((notes(other), linked(other).len()), before, "rebased and amended commits keep their pairs and notes");
    let head = other.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    assert_eq!(linked(other).contains_key(&head), head_linked, "the amended commit's pair names it");

    // A new commit with no terminal is queued for review, which links it by its SHA.
    other.write("src/cursor_notes.rs", &(0..8).map(|i| format!("pub fn page_cursor_{i}(x: usize) -> usize {{ x + {i} }}\n")).collect::<String>());
    other.git(["add", "src/cursor_notes.rs"]).assert_ok();
    let commit = other.git(["commit", "-q", "-m", "Add page cursors"]);
    commit.assert_ok();
    assert!(commit.stderr_text().contains("queued"), "{}", commit.stderr_text());
    let review = other.screenlink(["review", "--yes"]);
    review.assert_ok();
    assert!(!review.stderr_text().contains("no longer exists"), "{}", review.stderr_text());
    assert!(review.stdout_text().contains("Reviewed 2:"), "both queued commits reviewed: {}", review.stdout_text());
    // What libgit2 wrote (the notes' blobs, trees and commits) is whole to git itself.
    let fsck = other.git(["fsck", "--no-progress"]);
    fsck.assert_ok();
    assert!(!fsck.stderr_text().contains("error"), "{}", fsck.stderr_text());
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
    links_as_the_sha1_files_twin(&files, &world, &reft);
}

#[test]
fn a_sha256_repository_links_as_its_sha1_twin_does() {
    let (files, world) = TestEnv::with_world(&Spec::week(3));
    let mut s256 = TestEnv::new();
    if rewritten(&mut s256, &world, &["--object-format=sha256"]).is_none() {
        return;
    }
    assert_eq!(s256.git(["rev-parse", "--show-object-format"]).stdout_text().trim(), "sha256");
    assert_eq!(s256.git(["rev-parse", "HEAD"]).stdout_text().trim().len(), 64);
    links_as_the_sha1_files_twin(&files, &world, &s256);
    let pairs = linked(&s256);
    assert!(pairs.keys().all(|sha| sha.len() == 64), "pairs name their commits by SHA-256: {pairs:?}");
    // A whole SHA-256 names its commit on `backfill --stdin`, as a queue or a script gives it.
    let (sha, _) = pairs.iter().next().unwrap();
    let mut again = s256.command("git-screenlink");
    again.args(["backfill", "--stdin", "--yes", "--json"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
    let mut child = again.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{sha}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    out.assert_ok();
    let report: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!(report["summary"]["already_decided"], 1, "{report}");
}

#[test]
fn a_sha256_repository_with_reftable_refs_links_as_its_sha1_twin_does() {
    let (files, world) = TestEnv::with_world(&Spec::week(3));
    let mut both = TestEnv::new();
    if rewritten(&mut both, &world, &["--object-format=sha256", "--ref-format=reftable"]).is_none() {
        return;
    }
    assert_eq!(
        both.git(["rev-parse", "--show-object-format", "--show-ref-format"]).stdout_text().split_whitespace().collect::<Vec<_>>(),
        ["sha256", "reftable"]
    );
    links_as_the_sha1_files_twin(&files, &world, &both);
}

/// `git ARGS` in `env`'s repository with `stdin` as its input and `vars` set: its stdout.
fn git_with_input(env: &TestEnv, args: &[&str], stdin: &str, vars: &[(&str, &str)]) -> String {
    let mut git = std::process::Command::new("git");
    env.scrub(&mut git).current_dir(&env.repo).args(args).envs(vars.iter().copied());
    git.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = git.spawn().unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    out.assert_ok();
    out.stdout_text().trim().to_string()
}

/// `backfill --dry-run --json`'s pairs, each by its commit's author time and subject (what
/// names a commit alike in two histories of it), with its confidence; and the summary.
fn dry_run(env: &TestEnv, vars: &[(&str, &str)]) -> (BTreeMap<String, String>, serde_json::Value) {
    let mut c = env.command("git-screenlink");
    c.current_dir(&env.repo).envs(vars.iter().copied()).args(["backfill", "--yes", "--dry-run", "--json"]);
    let out = c.output().unwrap();
    out.assert_ok();
    let report: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let name = |sha: &str| env.git(["log", "-1", "--format=%at %s", sha]).stdout_text().trim().to_string();
    let pairs = report["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (name(p["metadata"]["commit_sha"].as_str().unwrap()), format!("{:.6}", p["metadata"]["confidence"].as_f64().unwrap())));
    (pairs.collect(), report["summary"].clone())
}

#[test]
fn a_history_stitched_by_git_replace_links_as_the_whole_history_does() {
    // An old history joined under an import by `git replace --graft` (how a history converted
    // from another tool, or cut short, is joined again): git log follows the replace ref,
    // and so must linking; libgit2 alone stopped at the import, seen as a root.
    let (env, _world) = TestEnv::with_world(&Spec::week(3));
    let (whole, _) = dry_run(&env, &[]);
    let history: Vec<String> = env.git(["rev-list", "--reverse", "HEAD"]).stdout_text().lines().map(str::to_string).collect();
    assert!(env.git(["rev-list", "--merges", "HEAD"]).stdout_text().trim().is_empty(), "a line of history");
    let cut = history.len() / 2;
    let cut_time: i64 = env.git(["log", "-1", "--format=%at", &history[cut]]).stdout_text().trim().parse().unwrap();
    let older = |key: &String| key.split(' ').next().unwrap().parse::<i64>().unwrap() <= cut_time;
    let old_linked = whole.keys().filter(|k| older(k)).count();
    assert!(old_linked >= 2 && old_linked < whole.len(), "pairs on both sides of the stitch: {whole:?}");

    // The newer half committed again on an import of the cut's tree, each commit as it was.
    let import = git_with_input(&env, &["commit-tree", &format!("{}^{{tree}}", history[cut])], "Import the project\n", &[]);
    let mut tip = import.clone();
    for sha in &history[cut + 1..] {
        let who = env.git(["log", "-1", "--format=%an%n%ae%n%ad%n%cn%n%ce%n%cd", "--date=raw", sha]).stdout_text();
        let who: Vec<&str> = who.lines().collect();
        let vars = [
            ("GIT_AUTHOR_NAME", who[0]),
            ("GIT_AUTHOR_EMAIL", who[1]),
            ("GIT_AUTHOR_DATE", who[2]),
            ("GIT_COMMITTER_NAME", who[3]),
            ("GIT_COMMITTER_EMAIL", who[4]),
            ("GIT_COMMITTER_DATE", who[5]),
        ];
        let message = env.git(["log", "-1", "--format=%B", sha]).stdout_text();
        tip = git_with_input(&env, &["commit-tree", &format!("{sha}^{{tree}}"), "-p", &tip], &message, &vars);
    }
    env.git(["checkout", "-q", "-B", "stitched", &tip]).assert_ok();
    env.git(["replace", "--graft", &import, &history[cut]]).assert_ok();
    assert_eq!(env.git(["rev-list", "--count", "HEAD"]).stdout_text().trim(), (history.len() + 1).to_string());

    let (stitched, summary) = dry_run(&env, &[]);
    assert_eq!(stitched, whole, "the same commits linked at the same confidences, the old half too");
    assert!(summary["commits_skipped"]["too_few_code_lines"].as_u64().unwrap_or(0) >= 1, "the import changes nothing: {summary}");
    let log = env.screenlink(["log"]);
    log.assert_ok();
    assert_eq!(log.stdout_text().lines().count(), history.len() + 1, "log shows git log's commits: {}", log.stdout_text());

    // Told not to follow replace refs, as git is, the walk ends at the import.
    for vars in
        [&[("GIT_NO_REPLACE_OBJECTS", "1")][..], &[("GIT_CONFIG_COUNT", "1"), ("GIT_CONFIG_KEY_0", "core.useReplaceRefs"), ("GIT_CONFIG_VALUE_0", "false")]]
    {
        let (unfollowed, _) = dry_run(&env, vars);
        assert!(!unfollowed.is_empty() && !unfollowed.keys().any(older), "{vars:?}: {unfollowed:?}");
    }

    // A commit replaced by one with another message is linked under its own id, as git log
    // shows it, with the replacement's words.
    let (time_and_subject, _) = whole.iter().next().unwrap();
    let subject = time_and_subject.split_once(' ').unwrap().1;
    let old = env.git(["log", "--format=%H", "--fixed-strings", &format!("--grep={subject}"), "-1"]).stdout_text().trim().to_string();
    let raw = env.git(["cat-file", "commit", &old]).stdout_text().replacen(subject, "Reworded after the fact", 1);
    let reworded = git_with_input(&env, &["hash-object", "-t", "commit", "-w", "--stdin"], &raw, &[]);
    env.git(["replace", &old, &reworded]).assert_ok();
    env.git(["config", "screenlink.notes", "true"]).assert_ok();
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let pairs = linked(&env);
    assert!(pairs.len() >= whole.len() - 1, "{pairs:?}");
    let text = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap();
    let pair = text.lines().map(|l| serde_json::from_str::<git_screenlink::dataset::Pair>(l).unwrap()).find(|p| p.metadata.commit_sha == old);
    let pair = pair.unwrap_or_else(|| panic!("{old} linked under its own id: {pairs:?}"));
    assert!(pair.instruction.contains("Reworded after the fact"), "{}", pair.instruction);
    assert!(env.git(["notes", "--ref=screenlink", "list", &old]).status.success(), "its note is on the id git shows");
    let show = env.screenlink(["show", &old[..10]]);
    show.assert_ok();
}
