//! argv handling of both binaries, help for every subcommand, usage errors, and
//! commands run outside a repository.

use crate::env::{OutputExt, TestEnv};

const SUBCOMMANDS: &[&str] =
    &["install", "uninstall", "backfill", "review", "validate", "train", "status", "config", "demo"];

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
    for args in [vec!["backfill", "--yes"], vec!["review", "--yes"], vec!["validate"], vec!["train", "--dry-run"], vec!["install"]] {
        let mut cmd = env.command("git-screenlink");
        let out = cmd.current_dir(env.root()).args(&args).output().unwrap();
        assert_eq!(out.code(), 2, "{args:?}");
        assert!(out.stderr_text().contains("not in a git repository"), "{args:?}: {}", out.stderr_text());
        assert!(out.stderr_text().contains("hint:"), "{args:?}: {}", out.stderr_text());
        assert!(out.stdout_text().is_empty(), "{args:?} printed output: {}", out.stdout_text());
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
