//! argv handling of both binaries, help for every subcommand, usage errors, and
//! commands run outside a repository.

use crate::env::{OutputExt, TestEnv};

/// Every subcommand, as `--help` lists them.
pub(crate) const SUBCOMMANDS: &[&str] = &[
    "install",
    "uninstall",
    "backfill",
    "review",
    "validate",
    "train",
    "status",
    "config",
    "demo",
    "index",
    "weights",
    "show",
    "reject",
    "log",
    "completions",
    "man",
    "export",
    "eval",
    "ask",
    "daemon",
];

#[test]
fn every_subcommand_has_help() {
    let env = TestEnv::new();
    for sub in SUBCOMMANDS {
        let out = env.screenlink([sub, "--help"]);
        out.assert_ok();
        let text = out.stdout_text();
        assert!(text.contains(&format!("git screenlink {sub}")), "{sub} --help: {text}");
        assert!(text.lines().count() > 3, "{sub} --help is too thin: {text}");
    }
    // The hidden hook entry points have help too.
    let out = env.screenlink(["hook", "post-commit", "--help"]);
    out.assert_ok();
    assert!(out.stdout_text().contains("post-commit"));
    // ...but are not listed in the top-level help.
    let top = env.screenlink(["--help"]);
    assert!(!top.stdout_text().contains("\n  hook "), "{}", top.stdout_text());
}

#[test]
fn repository_commands_outside_a_repository_say_so() {
    let env = TestEnv::new();
    for args in [vec!["backfill", "--yes"], vec!["review", "--yes"], vec!["validate"], vec!["train", "--dry-run"], vec!["install"], vec!["reject", "HEAD"]] {
        let mut cmd = env.command("git-screenlink");
        let out = cmd.current_dir(env.root()).args(&args).output().unwrap();
        assert_eq!(out.code(), 2, "{args:?}");
        assert!(out.stderr_text().contains("not in a git repository"), "{args:?}: {}", out.stderr_text());
        assert!(out.stderr_text().contains("hint:"), "{args:?}: {}", out.stderr_text());
        assert!(out.stdout_text().is_empty(), "{args:?} printed output: {}", out.stdout_text());
    }
}

#[test]
fn commands_about_commits_in_a_repository_with_none_say_so() {
    let env = TestEnv::new();
    for args in [vec!["show"], vec!["log"], vec!["reject", "HEAD"], vec!["backfill", "--yes"]] {
        let out = env.screenlink(&args);
        assert_eq!(out.code(), 2, "{args:?}");
        assert!(
            out.stderr_text().contains("this repository has no commits yet") && out.stderr_text().contains("make a commit first"),
            "{args:?}: {}",
            out.stderr_text()
        );
    }
}

#[test]
fn unknown_flag_and_missing_subcommand_are_usage_errors() {
    let env = TestEnv::new();
    let out = env.screenlink(["config", "--no-such-flag"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("--no-such-flag"), "{}", out.stderr_text());
    let out = env.screenlink(Vec::<&str>::new());
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("Usage"), "{}", out.stderr_text());
    // A missing argument is named on the error's own line.
    let out = env.screenlink(["reject"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().lines().next().unwrap().ends_with("were not provided: <COMMIT>..."), "{}", out.stderr_text());
}

#[test]
fn cargo_binary_drops_cargos_extra_argument() {
    let env = TestEnv::new();
    let direct = env.screenlink(["config", "--min-confidence", "0.75"]);
    direct.assert_ok();
    let via_cargo = env.run_bin("cargo-screenlink", ["screenlink", "config", "--min-confidence", "0.75"], &[]);
    via_cargo.assert_ok();
    assert_eq!(direct.stdout_text(), via_cargo.stdout_text());
    assert!(via_cargo.stdout_text().contains("0.75"));
    // Called by hand without the extra word, it behaves the same.
    let by_hand = env.run_bin("cargo-screenlink", ["config", "--min-confidence", "0.75"], &[]);
    assert_eq!(direct.stdout_text(), by_hand.stdout_text());
    // Its usage names it as cargo does.
    let help = env.run_bin("cargo-screenlink", ["screenlink", "--help"], &[]);
    assert!(help.stdout_text().contains("cargo screenlink"), "{}", help.stdout_text());
}

#[test]
fn git_finds_the_binary_as_a_subcommand() {
    let env = TestEnv::new();
    let out = env.git(["screenlink", "config"]);
    out.assert_ok();
    assert!(out.stdout_text().contains("screenlink.minConfidence"), "{}", out.stdout_text());
    let version = env.git(["screenlink", "--version"]);
    version.assert_ok();
    assert!(version.stdout_text().contains(env!("CARGO_PKG_VERSION")));
}

/// A repository extension git reads and libgit2 does not (`extensions.compatObjectFormat`,
/// git's SHA-1/SHA-256 interop, which keeps a map of both ids for every object: a note libgit2
/// wrote would be missing from it) is refused by name, and commits go through.
#[test]
fn an_extension_libgit2_does_not_know_is_named_and_commits_stay_fine() {
    let env = TestEnv::new();
    let in_repo = |args: &[&str]| {
        let mut c = std::process::Command::new("git");
        env.scrub(&mut c).args(args);
        c.output().unwrap()
    };
    in_repo(&["config", "core.repositoryFormatVersion", "1"]).assert_ok();
    in_repo(&["config", "extensions.compatObjectFormat", "sha256"]).assert_ok();
    env.write("a.rs", "fn a() {}\n");
    in_repo(&["add", "a.rs"]).assert_ok();
    in_repo(&["commit", "-q", "-m", "init"]).assert_ok();
    for args in [&["backfill", "--yes"][..], &["install"][..], &["review", "--yes"][..]] {
        let out = env.screenlink(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", out.stderr_text());
        assert!(out.stderr_text().contains("extensions.compatobjectformat"), "{args:?}: {}", out.stderr_text());
        assert!(!out.stderr_text().contains("not in a git repository"), "{}", out.stderr_text());
    }
    assert!(!env.repo.join(".git/hooks/post-commit").exists(), "install wrote nothing");
    // A hook installed by hand still lets the commit through, says why, queues nothing.
    crate::env::write_hook(
        &env.repo.join(".git/hooks/post-commit"),
        &format!("#!/bin/sh\n'{}' hook post-commit\n", crate::env::bin_dir().join("git-screenlink").display()),
    );
    env.write("b.rs", "fn b() {}\n");
    in_repo(&["add", "b.rs"]).assert_ok();
    let out = in_repo(&["commit", "-q", "-m", "second"]);
    out.assert_ok();
    assert!(out.stderr_text().contains("compatobjectformat") && out.stderr_text().contains("nothing was queued"), "{}", out.stderr_text());
    assert!(!env.repo.join(".git/screenlink").exists());
}

/// A repository another user owns is refused by git and by us: named for what it is, never
/// "not in a git repository", with the command that trusts it.
#[test]
fn a_repository_owned_by_another_user_is_named_for_what_it_is() {
    let env = TestEnv::new();
    let run = |dir: &std::path::Path, args: &[&str]| {
        let mut c = std::process::Command::new(crate::env::bin_dir().join("git-screenlink"));
        env.scrub(&mut c).current_dir(dir).args(args);
        c.output().unwrap()
    };

    // Another user's repository: only root can make one here (CI runs as root).
    let theirs = env.repo.join("theirs");
    env.git(["init", "-q", theirs.to_str().unwrap()]).assert_ok();
    let chowned = std::process::Command::new("chown").args(["-R", "65534:65534"]).arg(&theirs).output().is_ok_and(|o| o.status.success());
    if !chowned {
        eprintln!("not root: the ownership half of this test needs chown");
        return;
    }
    let out = run(&theirs, &["backfill", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr_text());
    assert!(out.stderr_text().contains("owned by another user") && out.stderr_text().contains("safe.directory"), "{}", out.stderr_text());
    assert!(out.stderr_text().contains(&format!("'{}'", theirs.display())), "names the folder to trust: {}", out.stderr_text());
    assert!(!theirs.join(".git/screenlink").exists(), "nothing written");
}
