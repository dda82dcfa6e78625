//! Choosing commits in a real repository made with the git CLI: each filter, trailers,
//! and revision sets.

use std::process::Command;

use git_screenlink::commits::{select, RevisionSet, SkipReason};

use crate::env::{OutputExt, TestEnv};

fn code(n: usize, tag: &str) -> String {
    (0..n).map(|i| format!("fn {tag}_{i}() -> usize {{ {i} }}\n")).collect()
}

fn commit(env: &TestEnv, path: &str, content: &[u8], message: &str, extra_env: &[(&str, &str)]) -> String {
    let full = env.repo.join(path);
    std::fs::create_dir_all(full.parent().unwrap()).unwrap();
    std::fs::write(&full, content).unwrap();
    env.git(["add", path]).assert_ok();
    let mut cmd = Command::new("git");
    env.scrub(&mut cmd).args(["commit", "-q", "-m", message]);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    cmd.output().unwrap().assert_ok();
    env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string()
}

fn all(max: usize) -> RevisionSet {
    RevisionSet { max, ..Default::default() }
}

#[test]
fn each_filter_skips_for_its_reason() {
    let env = TestEnv::new();
    commit(&env, "src/base.rs", code(6, "base").as_bytes(), "Initial code", &[]);
    let good = commit(
        &env,
        "src/search.rs",
        code(8, "paginate").as_bytes(),
        "Add pagination to search\n\nUsers complained about 1000 results.\n\nSigned-off-by: Ann <ann@example.com>\nChange-Id: I0123",
        &[("GIT_AUTHOR_DATE", "2026-03-01T09:00:00+02:00")],
    );
    commit(&env, "src/tiny.rs", code(3, "tiny").as_bytes(), "Small tweak", &[]);
    commit(&env, "Cargo.lock", code(40, "lock").as_bytes(), "Update lockfile", &[]);
    commit(&env, "vendor/dep/lib.rs", code(40, "dep").as_bytes(), "Vendor a dependency", &[]);
    let mut binary = vec![0u8, 159, 146, 150];
    binary.extend(code(40, "bin").as_bytes());
    commit(&env, "assets/logo.png", &binary, "Add logo", &[]);
    commit(&env, "src/deps.rs", code(10, "deps").as_bytes(), "Bump serde", &[("GIT_AUTHOR_NAME", "dependabot[bot]")]);
    commit(&env, "src/version.rs", code(10, "ver").as_bytes(), "Release 1.4.0", &[]);
    let reverted = commit(&env, "src/oops.rs", code(10, "oops").as_bytes(), "Add oops", &[]);
    env.git(["revert", "--no-edit", &reverted]).assert_ok();
    env.git(["checkout", "-q", "-b", "side", "HEAD~1"]).assert_ok();
    commit(&env, "src/side.rs", code(7, "side").as_bytes(), "Side work", &[]);
    env.git(["checkout", "-q", "main"]).assert_ok();
    env.git(["merge", "-q", "--no-ff", "-m", "Merge side", "side"]).assert_ok();

    let repo = git2::Repository::open(&env.repo).unwrap();
    let sel = select(&repo, &all(100), 5).unwrap();
    let subjects: Vec<&str> = sel.commits.iter().map(|c| c.subject.as_str()).collect();
    assert_eq!(subjects.len(), 4, "{subjects:?}");
    for s in ["Add pagination to search", "Initial code", "Add oops", "Side work"] {
        assert!(subjects.contains(&s), "{s} missing from {subjects:?}");
    }
    let skipped = |r| sel.skipped.get(&r).copied().unwrap_or(0);
    assert_eq!(skipped(SkipReason::Merge), 1);
    assert_eq!(skipped(SkipReason::BotAuthor), 1);
    assert_eq!(skipped(SkipReason::Revert), 1);
    assert_eq!(skipped(SkipReason::VersionBump), 1);
    assert_eq!(skipped(SkipReason::TooFewCodeLines), 4, "tiny, lockfile, vendored, binary");

    let c = sel.commits.iter().find(|c| c.sha == good).unwrap();
    assert_eq!(c.body, "Users complained about 1000 results.");
    assert_eq!(c.author_time.to_rfc3339(), "2026-03-01T07:00:00+00:00", "author time in UTC");
    assert_eq!(c.committer_time.to_rfc3339(), "2026-03-02T10:00:00+00:00");
    assert_eq!(c.files.len(), 1);
    assert_eq!(c.files[0].path, "src/search.rs");
    assert_eq!(c.added_lines(), 8);
    assert!(c.identifiers.iter().any(|i| i == "paginate_0"), "{:?}", c.identifiers);
}

#[test]
fn revision_sets() {
    let env = TestEnv::new();
    let mut shas = Vec::new();
    for i in 0..6 {
        let date = format!("2026-03-0{}T10:00:00+00:00", i + 1);
        shas.push(commit(
            &env,
            &format!("src/f{i}.rs"),
            code(6, &format!("f{i}")).as_bytes(),
            &format!("Change {i}"),
            &[("GIT_COMMITTER_DATE", &date), ("GIT_AUTHOR_DATE", &date)],
        ));
    }
    let repo = git2::Repository::open(&env.repo).unwrap();
    let subjects = |set: &RevisionSet| -> Vec<String> {
        select(&repo, set, 5).unwrap().commits.into_iter().map(|c| c.subject).collect()
    };
    assert_eq!(subjects(&all(2)), ["Change 5", "Change 4"], "newest first, capped");
    let range = RevisionSet { range: Some(format!("{}..{}", shas[2], shas[4])), ..all(100) };
    assert_eq!(subjects(&range), ["Change 4", "Change 3"]);
    let since = RevisionSet {
        since: Some("2026-03-05T00:00:00Z".parse().unwrap()),
        until: Some("2026-03-05T23:00:00Z".parse().unwrap()),
        ..all(100)
    };
    assert_eq!(subjects(&since), ["Change 4"]);
    let listed = RevisionSet { shas: Some(vec![shas[0].clone(), shas[3][..10].to_string()]), ..all(100) };
    assert_eq!(subjects(&listed), ["Change 0", "Change 3"]);
    let bad = RevisionSet { range: Some("nope..main".into()), ..all(100) };
    let err = select(&repo, &bad, 5).unwrap_err();
    assert!(err.message.contains("unknown revision"), "{}", err.message);
}
