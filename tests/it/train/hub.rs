//! A base model named by its hub id: read from the Hugging Face cache where a download left
//! it, never downloaded unless told (`train --download`), and named with the fix when it is not
//! there, by `train`, `status`, `ask` and `eval`.

use std::path::{Path, PathBuf};

use super::{linked_world, tiny_model};
use crate::env::OutputExt;

/// Copy `from` into the Hugging Face cache under `home` as a download of `id` lays it out
/// (`refs/main` naming a snapshot); the cache folder.
fn put_in_hub_cache(home: &Path, id: &str, from: &Path) -> PathBuf {
    let folder = home.join(".cache/huggingface/hub").join(format!("models--{}", id.replace('/', "--")));
    let snapshot = folder.join("snapshots/5c1ee7a3b0d4e2f19a6c8b7d0e3f4a5b6c7d8e9f");
    std::fs::create_dir_all(&snapshot).unwrap();
    for f in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(f.path(), snapshot.join(f.file_name())).unwrap();
    }
    std::fs::create_dir_all(folder.join("refs")).unwrap();
    std::fs::write(folder.join("refs/main"), "5c1ee7a3b0d4e2f19a6c8b7d0e3f4a5b6c7d8e9f").unwrap();
    folder
}

#[test]
fn a_hub_model_is_read_from_the_cache_and_never_downloaded_unless_told() {
    let (env, world) = linked_world();
    let id = "screenlink-test/tiny";
    let train = ["train", "--model", id, "--iters", "3", "--batch-size", "2", "--num-layers", "2"];
    let runs = world.repo.join(".git/screenlink/mlx");
    let run_count = || std::fs::read_dir(&runs).map(|d| d.count()).unwrap_or(0);

    // Not on this machine, and no --download: refused before anything is exported or run.
    let out = env.screenlink(train);
    assert_eq!(out.code(), 2, "{}", out.stderr_text());
    let err = out.stderr_text();
    assert!(err.contains(&format!("{id} is not on this machine, and train downloads nothing unless told")), "{err}");
    assert!(err.contains("`git screenlink train --download`"), "{err}");
    assert_eq!(run_count(), 0);
    // A dry run says what --download would do.
    let dry = env.screenlink(["train", "--dry-run", "--model", id]);
    dry.assert_ok();
    assert!(dry.stdout_text().contains(&format!("Note: {id} is not on this machine: `--download` lets mlx-lm fetch it")), "{}", dry.stdout_text());

    // status says so, with the fix, and stays healthy (training is optional).
    env.git(["config", "screenlink.train.model", id]).assert_ok();
    let training = |args: &[&str]| {
        let out = env.screenlink(args);
        out.assert_ok();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["training"].clone()
    };
    let t = training(&["status", "--json", "--no-load"]);
    assert_eq!(t["ok"], false, "{t}");
    assert!(t["detail"].as_str().unwrap().contains(&format!("base model {id} is not on this machine")), "{t}");
    assert!(t["fix"].as_str().unwrap().contains("train --download"), "{t}");

    // In the cache as a download leaves it: trained from there, offline, with no note.
    let folder = put_in_hub_cache(&env.home, id, tiny_model());
    let t = training(&["status", "--json"]);
    assert_eq!(t["ok"], true, "{t}");
    let detail = t["detail"].as_str().unwrap();
    assert!(detail.starts_with("mlx-lm 0.") && detail.ends_with(&format!("base model {id}, in the Hugging Face cache")), "{t}");
    // … and the gguf package `fuse --gguf` needs, which `./install.sh --mlx` put beside mlx-lm.
    assert!(detail.contains(", gguf 0.19.0 (fuse --gguf); "), "{t}");
    let out = env.screenlink(train);
    out.assert_ok();
    assert!(!out.stdout_text().contains("download"), "{}", out.stdout_text());
    assert_eq!(run_count(), 1);
    // ask reads the run's base model from the cache too.
    env.screenlink(["ask", "Add retries", "--max-tokens", "4"]).assert_ok();

    // The cache emptied: ask and eval say so before mlx-lm starts.
    std::fs::remove_dir_all(&folder).unwrap();
    for args in [&["ask", "Add retries"][..], &["eval", "--limit", "1"][..]] {
        let out = env.screenlink(args);
        assert_eq!(out.code(), 2, "{args:?}: {}", out.stderr_text());
        let err = out.stderr_text();
        assert!(err.contains(&format!("{id} is neither a model directory nor a model downloaded to this machine")), "{args:?}: {err}");
        assert!(err.contains("`git screenlink train --download`"), "{err}");
        assert_eq!(err.lines().count(), 2, "one line and its hint: {err}");
    }
}
