//! `git screenlink weights`: refitting from a repository's own answers, and going back.

use git_screenlink::dataset::{DecidedBy, Decision, DecisionRecord, Pair};
use git_screenlink::fixture::Spec;
use git_screenlink::score::features::{N, NAMES};

use crate::env::{OutputExt, TestEnv};

/// A history of answers in which the person accepts every link whose passage says the
/// commit's code names and rejects the others, whatever else the features say.
pub(crate) fn history(n: usize) -> String {
    let ids = NAMES.iter().position(|n| *n == "identifiers_said").unwrap();
    (0..n)
        .map(|i| {
            let mut f = vec![0.0; N];
            f[0] = 0.35 + (i % 4) as f64 * 0.05;
            f[2] = 0.3 + (i % 3) as f64 * 0.1;
            let says = i % 2 == 0;
            f[ids] = if says { 1.0 } else { 0.0 };
            let decision = if says { Decision::Accepted } else { Decision::Rejected };
            let mut r = DecisionRecord::now(&format!("{i:040x}"), decision, DecidedBy::User, Some(0.5), vec![i as i64]).with_features(&f);
            r.decided_at = format!("2026-01-01T00:{:02}:{:02}Z", i / 60, i % 60);
            serde_json::to_string(&r).unwrap() + "\n"
        })
        .collect()
}

/// A week's world and its repository's dataset directory, made.
fn world_with_store() -> (TestEnv, git_screenlink::fixture::World, std::path::PathBuf) {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    let dir = world.repo.join(".git/screenlink");
    std::fs::create_dir_all(&dir).unwrap();
    (env, world, dir)
}

#[test]
fn refit_from_answers_is_used_shown_and_reset() {
    let (env, _world, dir) = world_with_store();

    // Too few answers: nothing changes, and it says how many are needed.
    std::fs::write(dir.join("decisions.jsonl"), history(40)).unwrap();
    let few = env.screenlink(["weights", "--refit"]);
    assert_eq!(few.code(), 1);
    assert!(few.stdout_text().contains("20 accepts and 20 rejects") && few.stdout_text().contains("30 of each"), "{}", few.stdout_text());
    assert!(!dir.join("weights.json").exists());

    std::fs::write(dir.join("decisions.jsonl"), history(100)).unwrap();
    let refit = env.screenlink(["weights", "--refit"]);
    refit.assert_ok();
    assert!(refit.stdout_text().contains("Refitted from 50 accepts and 50 rejects"), "{}", refit.stdout_text());
    let shown = env.screenlink(["weights"]);
    assert!(shown.stdout_text().contains("this repository's weights"), "{}", shown.stdout_text());
    let v: serde_json::Value = serde_json::from_str(&env.screenlink(["weights", "--json"]).stdout_text()).unwrap();
    assert_eq!(v["weights"], "repository");
    assert_eq!(v["refit"]["accepts"], 50);
    let status = env.screenlink(["status", "--no-load"]);
    assert!(status.stdout_text().contains("this repository's weights"), "{}", status.stdout_text());

    // Backfill uses them, and says so.
    std::fs::remove_file(dir.join("decisions.jsonl")).unwrap();
    let out = env.screenlink(["backfill", "--yes", "--dry-run"]);
    assert!(out.stdout_text().contains("this repository's refitted weights"), "{}", out.stdout_text());

    let reset = env.screenlink(["weights", "--reset"]);
    reset.assert_ok();
    assert!(!dir.join("weights.json").exists());
    let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let pairs: Vec<Pair> = serde_json::from_value(v["pairs"].clone()).unwrap();
    assert!(!pairs.is_empty());
    assert!(env.screenlink(["weights"]).stdout_text().contains("the shipped weights"));
}

/// Answers and a refit saved before `talk_of_like_commits` existed (every vector one entry
/// shorter where it now is) still count, and score as they did.
#[test]
fn answers_and_weights_saved_before_talk_of_like_commits_still_count() {
    use git_screenlink::score::features::LIKE_COMMITS_INDEX;
    let (env, _world, dir) = world_with_store();
    let old: String = history(100)
        .lines()
        .map(|l| {
            let mut r: DecisionRecord = serde_json::from_str(l).unwrap();
            r.features.remove(LIKE_COMMITS_INDEX);
            serde_json::to_string(&r).unwrap() + "\n"
        })
        .collect();
    std::fs::write(dir.join("decisions.jsonl"), old).unwrap();
    let refit = env.screenlink(["weights", "--refit"]);
    refit.assert_ok();
    assert!(refit.stdout_text().contains("Refitted from 50 accepts and 50 rejects"), "{}", refit.stdout_text());

    // The refit as it was saved then: each model one weight shorter.
    let path = dir.join("weights.json");
    let mut w: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for (model, at) in [("ranker", LIKE_COMMITS_INDEX), ("passage_ranker", LIKE_COMMITS_INDEX), ("calibration", 1 + LIKE_COMMITS_INDEX)] {
        w["backfill"][model]["weights"].as_array_mut().unwrap().remove(at);
    }
    // Versions before session 27 saved the hook a refit of its own too: read and left alone.
    w["hook"] = w["backfill"].clone();
    std::fs::write(&path, serde_json::to_string(&w).unwrap()).unwrap();
    std::fs::remove_file(dir.join("decisions.jsonl")).unwrap();
    let out = env.screenlink(["backfill", "--yes", "--dry-run"]);
    out.assert_ok();
    assert!(out.stdout_text().contains("this repository's refitted weights"), "{}", out.stdout_text());
    assert!(!out.stderr_text().contains("unreadable"), "{}", out.stderr_text());
}

/// A refit is backfill's and review's; the hook keeps the shipped weights and follows the
/// refit through its recalibration on what backfill says (a calibration refitted on answers,
/// which are links backfill made, learnt that links are mostly right and said so of every
/// commit the hook met).
#[test]
fn a_refit_is_backfills_and_the_hook_keeps_the_shipped_weights() {
    use git_screenlink::pipeline::scoring_params;
    let (env, world, dir) = world_with_store();
    std::fs::write(dir.join("decisions.jsonl"), history(100)).unwrap();
    env.screenlink(["weights", "--refit"]).assert_ok();
    let settings = git_screenlink::config::Settings::load(&world.repo, &[]).unwrap();
    let (backfill, _) = scoring_params(&settings, &dir, true);
    assert!(backfill.fitted.is_some(), "backfill links with the refit");
    let (hook, _) = scoring_params(&settings, &dir, false);
    assert!(hook.fitted.is_none(), "the hook links with the shipped weights");
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("weights.json")).unwrap()).unwrap();
    assert!(saved.get("hook").is_none(), "{saved}");
}
