//! `eval`'s answer to "did training help?", pair by pair, on the tiny model: each pair's code
//! loss is what mlx-lm's own masked test loss says of it, a model compared with itself is the
//! same on every pair, training that moved the loss is called better with its interval, and
//! one run is compared with another on the commits both held out (`eval --against`).

use std::path::Path;
use std::process::Command;

use crate::env::OutputExt;

use git_screenlink::train;

use super::{linked_world, mlx_python, tiny_model};

/// mlx-lm's `lora --test --mask-prompt` loss (the completion's tokens only, token-weighted)
/// over `records`, with `adapter` or the model alone.
fn mlx_lm_code_loss(records: &str, adapter: Option<&Path>, scratch: &Path) -> f64 {
    std::fs::create_dir_all(scratch).unwrap();
    for split in ["train", "valid", "test"] {
        std::fs::write(scratch.join(format!("{split}.jsonl")), records).unwrap();
    }
    let out = Command::new(mlx_python())
        .args(["-m", "mlx_lm", "lora", "--model", tiny_model().to_str().unwrap(), "--data", scratch.to_str().unwrap()])
        .args(["--test", "--mask-prompt", "--batch-size", "1", "--adapter-path", adapter.map_or("", |a| a.to_str().unwrap())])
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let line = text.lines().find(|l| l.contains("Test loss")).unwrap_or_else(|| panic!("no test loss: {text}"));
    git_screenlink::eval::parse_test_loss(line).unwrap().0
}

fn token_weighted(side: &serde_json::Value) -> f64 {
    let pairs = side["pairs"].as_array().unwrap();
    let tokens: f64 = pairs.iter().map(|p| p["code_tokens"].as_f64().unwrap()).sum();
    pairs.iter().map(|p| p["code_loss"].as_f64().unwrap() * p["code_tokens"].as_f64().unwrap()).sum::<f64>() / tokens
}

#[test]
fn eval_says_pair_by_pair_whether_training_helped() {
    let (env, world) = linked_world();
    // A test split of six pairs, so that there is an interval and six wins can be more than
    // chance (five of five is one time in 16 for a coin).
    env.git(["config", "screenlink.train.validFraction", "0.4"]).assert_ok();
    let model = tiny_model().to_str().unwrap().to_string();
    env.screenlink(["train", "--model", &model, "--iters", "20", "--batch-size", "2", "--num-layers", "2", "--learning-rate", "2e-3"]).assert_ok();
    let run = std::fs::read_dir(world.repo.join(".git/screenlink/mlx")).unwrap().flatten().next().unwrap().path();

    let out = env.screenlink(["eval", "--max-tokens", "4", "--json"]);
    out.assert_ok();
    let report: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let n = report["pairs_in_test"].as_u64().unwrap();
    assert!(n >= 6, "{report:#}");
    for side in ["base", "adapter"] {
        for p in report[side]["pairs"].as_array().unwrap() {
            assert!(p["code_loss"].as_f64().is_some_and(|l| l.is_finite() && l > 0.0) && p["code_tokens"].as_u64().unwrap() > 10, "{side}: {p}");
        }
    }
    // Each pair's code loss is mlx-lm's masked test loss on its record: pooled over the
    // pairs' tokens, the two agree, with the adapter and without it.
    let records = std::fs::read_to_string(run.join("test.jsonl")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let base = mlx_lm_code_loss(&records, None, &scratch.path().join("base"));
    let tuned = mlx_lm_code_loss(&records, Some(&run.join("adapters")), &scratch.path().join("adapter"));
    assert!((token_weighted(&report["base"]) - base).abs() < 0.002, "{} vs mlx-lm's {base}", token_weighted(&report["base"]));
    assert!((token_weighted(&report["adapter"]) - tuned).abs() < 0.002, "{} vs mlx-lm's {tuned}", token_weighted(&report["adapter"]));
    // Twenty steps at a high rate on the team's code move its loss on every held-out pair,
    // and the interval says so.
    let c = &report["comparison"]["code_loss"];
    assert_eq!(c["pairs"].as_u64(), Some(n), "{c}");
    assert!(tuned < base - 0.1, "training moved the loss: {base} → {tuned}");
    assert_eq!(c["verdict"], "better", "{c}");
    assert!(c["high"].as_f64().unwrap() < 0.0 && c["low"].as_f64().unwrap() <= c["difference"].as_f64().unwrap(), "{c}");
    assert!(report["comparison"]["chrf"]["pairs"].as_u64() == Some(n), "{report:#}");
    let text = env.screenlink(["eval", "--max-tokens", "4"]).stdout_text();
    assert!(text.contains(&format!("better on {n} of {n} pairs, worse on 0: the adapter does better")), "{text}");
    let list = env.screenlink(["train", "--list"]).stdout_text();
    assert!(list.lines().any(|l| l.contains("completed") && l.contains(" better ")), "{list}");
    let status = env.screenlink(["status", "--no-load"]).stdout_text();
    assert!(status.contains(&format!("code loss better on {n} of {n} pairs")), "{status}");

    // The base model given in place of base + adapter: its own generations, and the same on
    // every pair, where reading the adapter's would have found it better.
    let out = env.screenlink(["eval", "--max-tokens", "4", "--json", "--model", &model]);
    out.assert_ok();
    let itself: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    for measure in ["code_loss", "chrf"] {
        assert_eq!(itself["comparison"][measure]["verdict"], "same", "{measure}: {:#}", itself["comparison"]);
    }
    let file = itself["adapter"]["pairs"][0]["generation"].as_str().unwrap();
    assert!(file.starts_with("eval/model-") && run.join(file).is_file(), "{file}");

    // Generations made before the loss was measured get it on a line of their own, once.
    let gens = run.join(report["base"]["pairs"][0]["generation"].as_str().unwrap());
    let stripped: String = std::fs::read_to_string(&gens)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            serde_json::json!({"id": v["id"], "generation": v["generation"]}).to_string() + "\n"
        })
        .collect();
    std::fs::write(&gens, &stripped).unwrap();
    let again: serde_json::Value = serde_json::from_str(&env.screenlink(["eval", "--max-tokens", "4", "--json"]).stdout_text()).unwrap();
    for (a, b) in again["base"]["pairs"].as_array().unwrap().iter().zip(report["base"]["pairs"].as_array().unwrap()) {
        assert!((a["code_loss"].as_f64().unwrap() - b["code_loss"].as_f64().unwrap()).abs() < 1e-5, "{a} {b}");
        assert_eq!(a["chrf"], b["chrf"]);
    }
    let lines = std::fs::read_to_string(&gens).unwrap().lines().count();
    assert_eq!(lines as u64, 2 * n, "each generation, then its loss");
    env.screenlink(["eval", "--max-tokens", "4"]).assert_ok();
    assert_eq!(std::fs::read_to_string(&gens).unwrap().lines().count() as u64, 2 * n, "measured once");

    // Another run, one step at a thousandth of the rate (the base model, near enough) where the
    // first had twenty: one against the other, pair by pair on the commits both held out, from
    // what eval measured of each. (Two steps at the first's rate come within 0.05 of it.)
    let first = run.file_name().unwrap().to_str().unwrap().to_string();
    std::thread::sleep(std::time::Duration::from_millis(1100)); // run ids are by the second
    env.screenlink(["train", "--model", &model, "--iters", "1", "--batch-size", "2", "--num-layers", "2", "--learning-rate", "2e-6"]).assert_ok();
    let second = train::list_runs(&world.repo.join(".git/screenlink")).pop().unwrap().run_id;
    assert_ne!(first, second);
    let unmeasured = env.screenlink(["eval", &first, "--against", &second]);
    assert_eq!(unmeasured.code(), 2);
    assert!(unmeasured.stderr_text().contains(&format!("run {second} has not been evaluated")), "{}", unmeasured.stderr_text());
    env.screenlink(["eval", &second, "--max-tokens", "4"]).assert_ok();
    let out = env.screenlink(["eval", &first, "--against", &second, "--json"]);
    out.assert_ok();
    let vs: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!((vs["pairs"].as_u64(), vs["only_run"].as_u64(), vs["only_against"].as_u64()), (Some(n), Some(0), Some(0)), "{vs:#}");
    let loss = &vs["measures"]["code_loss"];
    assert!(loss["run"].as_f64().unwrap() < loss["against"].as_f64().unwrap(), "{loss}");
    assert!((loss["run"].as_f64().unwrap() - report["adapter"]["code_loss"].as_f64().unwrap()).abs() < 1e-9, "the first run's own measure");
    assert_eq!(loss["comparison"]["verdict"], "better", "{loss}");
    assert_eq!(loss["comparison"]["better"].as_u64(), Some(n), "{loss}");
    let text = env.screenlink(["eval", &second, "--against", &first]).stdout_text();
    assert!(text.contains(&format!("Run {second} against run {first}, pair by pair on the {n} commits both held out")), "{text}");
    assert!(text.contains(&format!("better on 0 of {n} pairs, worse on {n}: run {second} does worse")), "{text}");
}
