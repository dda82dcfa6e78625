//! Repository layouts git makes that a plain clone does not have: each links the same commits
//! to the same talk as the clone it came from (session 55 tried them by hand first).

use std::path::Path;

use git_screenlink::fixture::Spec;

use crate::env::{OutputExt, TestEnv};

/// The commits `backfill --yes --dry-run` links in `dir` (sorted), read with the world's
/// database, and its JSON.
fn linked(env: &TestEnv, dir: &Path, db: &Path) -> (Vec<String>, serde_json::Value) {
    let mut c = env.command("git-screenlink");
    c.current_dir(dir).args(["backfill", "--yes", "--dry-run", "--json", "--source", "db", "--screenpipe-db"]).arg(db);
    let out = c.output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}: {}", dir.display(), out.stderr_text()));
    let mut shas: Vec<String> = v["pairs"].as_array().unwrap().iter().map(|p| p["metadata"]["commit_sha"].as_str().unwrap().to_string()).collect();
    shas.sort();
    (shas, v)
}

fn git_in(env: &TestEnv, dir: &Path, args: &[&str]) {
    let mut c = std::process::Command::new("git");
    env.scrub(&mut c).current_dir(dir).args(args);
    let out = c.output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", out.stderr_text());
}

#[test]
fn mirrors_submodules_packed_and_shared_layouts_link_as_their_clone_does() {
    let (env, world) = TestEnv::with_world(&Spec::week(1));
    let (want, _) = linked(&env, &world.repo, &world.db);
    assert!(want.len() >= 10, "{want:?}");
    let root = env.root();
    let url = format!("file://{}", world.repo.display());

    // A bare mirror, linked in place.
    git_in(&env, root, &["clone", "-q", "--mirror", &url, "mirror.git"]);
    assert_eq!(linked(&env, &root.join("mirror.git"), &world.db).0, want, "a --mirror clone");

    // Objects borrowed from another repository (`objects/info/alternates`).
    git_in(&env, root, &["clone", "-q", "--shared", world.repo.to_str().unwrap(), "shared"]);
    assert!(root.join("shared/.git/objects/info/alternates").is_file());
    assert_eq!(linked(&env, &root.join("shared"), &world.db).0, want, "a --shared clone");

    // What `git maintenance` and `feature.manyFiles` leave: one pack with a multi-pack index and
    // its bitmap, a commit graph with changed paths, an index of version 4 without its hash.
    git_in(&env, root, &["clone", "-q", &url, "packed"]);
    let packed = root.join("packed");
    git_in(&env, &packed, &["repack", "-adq", "--write-midx", "--write-bitmap-index"]);
    git_in(&env, &packed, &["commit-graph", "write", "--reachable", "--changed-paths"]);
    git_in(&env, &packed, &["config", "feature.manyFiles", "true"]);
    git_in(&env, &packed, &["update-index", "--index-version", "4"]);
    assert!(packed.join(".git/objects/pack/multi-pack-index").is_file() && packed.join(".git/objects/info/commit-graph").is_file());
    assert_eq!(linked(&env, &packed, &world.db).0, want, "a packed repository");

    // A submodule's own repository: its `.git` is a file naming the superproject's
    // `.git/modules/<name>`, whose config sets `core.worktree`. Its dataset lives there.
    git_in(&env, root, &["init", "-q", "super"]);
    let sup = root.join("super");
    git_in(&env, &sup, &["-c", "protocol.file.allow=always", "submodule", "add", "-q", &url, "sub"]);
    let sub = sup.join("sub");
    assert!(sub.join(".git").is_file());
    assert_eq!(linked(&env, &sub, &world.db).0, want, "a submodule");
    let mut c = env.command("git-screenlink");
    c.current_dir(&sub).args(["backfill", "--yes", "--source", "db", "--screenpipe-db"]).arg(&world.db);
    c.output().unwrap().assert_ok();
    let data = sup.join(".git/modules/sub/screenlink/training_data.jsonl");
    assert_eq!(std::fs::read_to_string(&data).unwrap().lines().count(), want.len(), "{}", data.display());
    assert!(!sub.join("screenlink").exists(), "nothing in the work tree");

    // A setting of one worktree (`extensions.worktreeConfig`, `git config --worktree`) is read.
    git_in(&env, root, &["clone", "-q", &url, "wtconfig"]);
    let wt = root.join("wtconfig");
    git_in(&env, &wt, &["config", "extensions.worktreeConfig", "true"]);
    git_in(&env, &wt, &["config", "--worktree", "screenlink.minConfidence", "0.95"]);
    let mut c = env.command("git-screenlink");
    let config = c.current_dir(&wt).args(["config"]).output().unwrap().stdout_text();
    assert!(config.lines().any(|l| l.contains("screenlink.minConfidence") && l.contains("0.95") && l.contains("config.worktree")), "{config}");
    let (fewer, v) = linked(&env, &wt, &world.db);
    assert!(fewer.len() < want.len() && fewer.iter().all(|s| want.contains(s)), "{fewer:?} of {want:?}");
    assert!(v["pairs"].as_array().unwrap().iter().all(|p| p["metadata"]["confidence"].as_f64().unwrap() >= 0.95), "{v}");
}
