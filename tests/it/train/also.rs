//! One model from several repositories' datasets: `train --also` and `export --also`.

use git_screenlink::dataset::{read_jsonl, Pair};
use git_screenlink::fixture::Spec;
use git_screenlink::train;

use super::{linked_world, tiny_model};
use crate::env::{OutputExt, TestEnv};

/// One model from several repositories: `train --also` and `export --also` take the other
/// repositories' pairs beside this one's, split by commit time across them all; `run.json`
/// names each dataset; a path that holds no dataset is one clear line.
#[test]
fn train_and_export_take_other_repositories_pairs_with_also() {
    let (env, world) = linked_world();
    let (other_env, other) = TestEnv::with_world(&Spec::week(5));
    other_env.screenlink(["backfill", "--yes"]).assert_ok();
    let ours = read_jsonl::<Pair>(&world.repo.join(".git/screenlink/training_data.jsonl")).unwrap().records;
    let theirs_file = other.repo.join(".git/screenlink/training_data.jsonl");
    let theirs = read_jsonl::<Pair>(&theirs_file).unwrap().records;
    let (ours_usable, _) = train::usable(ours.clone());
    let (theirs_usable, _) = train::usable(theirs.clone());
    let (all, _) = train::usable(ours.iter().chain(&theirs).cloned().collect());
    assert!(ours_usable.len() >= 5 && theirs_usable.len() >= 5, "{} and {}", ours_usable.len(), theirs_usable.len());
    let other_repo = other.repo.to_str().unwrap();

    // Export: every usable pair of both, once, oldest in train.
    let out = env.root().join("export");
    let exported = env.screenlink(["export", "--out", out.to_str().unwrap(), "--also", other_repo]);
    exported.assert_ok();
    assert!(exported.stdout_text().contains(&format!("with {} pairs from {}", theirs.len(), theirs_file.display())), "{}", exported.stdout_text());
    let lines: usize = ["train", "validation", "test"].iter().map(|s| std::fs::read_to_string(out.join(format!("{s}.jsonl"))).unwrap().lines().count()).sum();
    assert_eq!(lines, all.len());
    let test_split = std::fs::read_to_string(out.join("test.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(test_split.lines().last().unwrap()).unwrap();
    assert_eq!(last["messages"][2]["content"].as_str(), Some(all.last().unwrap().output.as_str()), "the newest pair of both repositories ends test");

    // A real run over both; run.json names the other dataset and its sha256.
    let model = tiny_model().to_str().unwrap().to_string();
    env.screenlink(["train", "--model", &model, "--iters", "2", "--batch-size", "2", "--num-layers", "2", "--also", other_repo]).assert_ok();
    let run = std::fs::read_dir(world.repo.join(".git/screenlink/mlx")).unwrap().flatten().next().unwrap().path();
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "completed", "{m:#}");
    assert_eq!(m["dataset"]["usable"], all.len());
    assert_eq!(m["dataset"]["pairs"], ours.len() + theirs.len());
    assert_eq!(m["dataset"]["also"][0]["path"], theirs_file.to_str().unwrap());
    assert_eq!(m["dataset"]["also"][0]["pairs"], theirs.len());
    let sha: String = <sha2::Sha256 as sha2::Digest>::digest(std::fs::read(&theirs_file).unwrap()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(m["dataset"]["also"][0]["sha256"], sha);
    let exported_lines: usize =
        ["train", "valid", "test"].iter().map(|s| std::fs::read_to_string(run.join(format!("{s}.jsonl"))).unwrap().lines().count()).sum();
    assert_eq!(
        exported_lines,
        m["dataset"]["split"]["train"].as_u64().unwrap() as usize
            + m["dataset"]["split"]["valid"].as_u64().unwrap() as usize
            + m["dataset"]["split"]["test"].as_u64().unwrap() as usize
    );

    // eval names each test pair's commit, those of the other repository too.
    let report = env.screenlink(["eval", "--max-tokens", "2", "--json"]);
    report.assert_ok();
    let report: serde_json::Value = serde_json::from_str(&report.stdout_text()).unwrap();
    let shas: Vec<&str> = report["adapter"]["pairs"].as_array().unwrap().iter().map(|p| p["sha"].as_str().unwrap_or("none")).collect();
    assert_eq!(shas.len(), m["dataset"]["split"]["test"].as_u64().unwrap() as usize);
    let theirs_shas: Vec<&str> = theirs.iter().map(|p| p.metadata.commit_sha.as_str()).collect();
    let ours_shas: Vec<&str> = ours.iter().map(|p| p.metadata.commit_sha.as_str()).collect();
    assert!(shas.iter().all(|s| theirs_shas.contains(s) || ours_shas.contains(s)), "{shas:?}");
    assert!(shas.iter().any(|s| theirs_shas.contains(s)), "the other repository's newest pairs are tested too: {shas:?}");

    // The same repository twice, or this one, counts once; a directory with no repository or
    // dataset, and a repository with no dataset yet, are one line each.
    let dry = env.screenlink(["train", "--dry-run", "--model", &model, "--also", other_repo, other_repo, world.repo.to_str().unwrap()]);
    dry.assert_ok();
    assert_eq!(dry.stdout_text().matches("with ").count(), 1, "{}", dry.stdout_text());
    let nowhere = env.root().join("nowhere");
    std::fs::create_dir_all(&nowhere).unwrap();
    let out = env.screenlink(["export", "--also", nowhere.to_str().unwrap()]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("neither a git repository nor a dataset file"), "{}", out.stderr_text());
    let empty = TestEnv::new();
    let out = env.screenlink(["export", "--also", empty.repo.to_str().unwrap()]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("no dataset at") && out.stderr_text().contains("screenlink backfill"), "{}", out.stderr_text());
}
