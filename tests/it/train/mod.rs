//! `git screenlink train` with a real mlx-lm (installed by `./install.sh --mlx`) on a tiny
//! model built by `tools/tiny_model.py`: a real LoRA run, the export formats through
//! mlx-lm's own loader, every preflight error, the `--dry-run` command line, and `eval` and
//! `ask`; Ctrl-C, kills and several ranks are in `faults.rs`, a base model from the Hugging Face
//! cache in `hub.rs`, a run gone on from its checkpoint in `resume.rs`, other repositories' pairs (`--also`) in `also.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use git_screenlink::dataset::{read_jsonl, Pair};
use git_screenlink::fixture::Spec;
use git_screenlink::train;

use crate::env::{OutputExt, TestEnv};

mod also;
mod compare;
mod faults;
mod gguf;
mod hub;
mod resume;
mod serve;

/// The Python that has mlx-lm: `./install.sh --mlx` puts it in the data dir.
pub(super) fn mlx_python() -> PathBuf {
    let py = std::env::var_os("SCREENLINK_MLX_PYTHON").map(PathBuf::from).unwrap_or_else(train::bundled_python);
    assert!(py.exists(), "no mlx-lm Python at {} — run `./install.sh --assets-only --mlx` first", py.display());
    py
}

/// The tiny model, built once into cargo's temp dir for tests and reused by later runs
/// (it is deterministic: seeded weights, a tokenizer trained on a fixed corpus).
pub(super) fn tiny_model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tiny-model");
        if !dir.join("model.safetensors").is_file() {
            let building = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tiny-model-{}", std::process::id()));
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/tiny_model.py");
            let out = Command::new(mlx_python()).arg(script).arg(&building).output().unwrap();
            assert!(out.status.success(), "tiny model: {}", String::from_utf8_lossy(&out.stderr));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::rename(&building, &dir).unwrap();
        }
        dir
    })
}

/// A copy of the model directory `model` at `to`, to change a file of.
fn copy_of(model: &Path, to: &Path) -> PathBuf {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(model).unwrap().flatten() {
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
    to.to_path_buf()
}

/// `file`'s JSON, changed by `change` and written back.
fn edit_json(file: &Path, change: impl FnOnce(&mut serde_json::Value)) {
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    change(&mut value);
    std::fs::write(file, value.to_string()).unwrap();
}

/// A week world linked with `backfill --yes`: about 15 pairs.
pub(super) fn linked_world() -> (TestEnv, git_screenlink::fixture::World) {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    env.screenlink(["backfill", "--yes"]).assert_ok();
    env.git(["config", "screenlink.train.python", mlx_python().to_str().unwrap()]).assert_ok();
    (env, world)
}

#[test]
fn a_real_lora_run_writes_adapters_and_a_manifest() {
    let (env, world) = linked_world();
    // One pair flagged sensitive: it must not reach any split.
    let data = world.repo.join(".git/screenlink/training_data.jsonl");
    let mut lines: Vec<serde_json::Value> = std::fs::read_to_string(&data).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    lines[0]["metadata"]["sensitive"] = true.into();
    let flagged_output = lines[0]["output"].as_str().unwrap().to_string();
    std::fs::write(&data, lines.iter().map(|v| v.to_string() + "\n").collect::<String>()).unwrap();
    let model = tiny_model().to_str().unwrap().to_string();
    let out = env.screenlink(["train", "--model", &model, "--iters", "5", "--batch-size", "2", "--num-layers", "2", "--fuse", "--", "--steps-per-eval", "5"]);
    out.assert_ok();
    let runs = world.repo.join(".git/screenlink/mlx");
    let run = std::fs::read_dir(&runs).unwrap().flatten().next().unwrap().path();
    assert!(run.join("adapters/adapters.safetensors").is_file());
    assert!(run.join("adapters/adapter_config.json").is_file());
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["status"], "completed", "{m:#}");
    assert_eq!(m["exit_code"], 0);
    assert!(m["final_train_loss"].as_f64().unwrap() > 0.0, "{m:#}");
    assert!(m["final_val_loss"].as_f64().unwrap() > 0.0, "{m:#}");
    assert!(m["losses"].as_array().unwrap().iter().any(|l| l["iter"] == 5));
    assert!(m["command"].as_str().unwrap().contains("--num-layers 2"));
    assert!(m["mlx_lm_version"].as_str().unwrap().starts_with("0."));
    assert_eq!(m["dataset"]["sha256"].as_str().unwrap().len(), 64);
    let split = &m["dataset"]["split"];
    for name in ["train", "valid", "test"] {
        let lines = std::fs::read_to_string(run.join(format!("{name}.jsonl"))).unwrap().lines().count();
        assert_eq!(lines as u64, split[name].as_u64().unwrap(), "{name}");
        assert!(lines >= 2, "each split holds a batch");
    }
    let list = env.screenlink(["train", "--list"]);
    assert!(list.stdout_text().contains("completed"), "{}", list.stdout_text());

    // Split by commit time: every train pair is older than every valid pair, and those
    // older than every test pair; the flagged pair is in none.
    let when: std::collections::HashMap<String, String> =
        lines.iter().map(|v| (v["output"].as_str().unwrap().to_string(), v["metadata"]["commit_timestamp"].as_str().unwrap().to_string())).collect();
    let times = |name: &str| -> Vec<chrono::DateTime<chrono::FixedOffset>> {
        std::fs::read_to_string(run.join(format!("{name}.jsonl")))
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                let output = v["messages"][2]["content"].as_str().unwrap();
                assert_ne!(output, flagged_output, "a sensitive pair was exported to {name}");
                chrono::DateTime::parse_from_rfc3339(&when[output]).unwrap()
            })
            .collect()
    };
    let (train, valid, test) = (times("train"), times("valid"), times("test"));
    assert_eq!(train.len() + valid.len() + test.len(), lines.len() - 1);
    assert!(train.iter().max() <= valid.iter().min() && valid.iter().max() <= test.iter().min(), "{train:?} {valid:?} {test:?}");

    // --fuse: a whole model beside the adapters, named in run.json.
    let fused = run.join("fused");
    assert!(
        fused.join("config.json").is_file() && std::fs::read_dir(&fused).unwrap().flatten().any(|e| e.path().extension().is_some_and(|x| x == "safetensors"))
    );
    assert_eq!(m["fused_path"].as_str(), Some(fused.to_str().unwrap()));
    assert!(out.stdout_text().contains("Fused model:"), "{}", out.stdout_text());
}

#[test]
fn every_export_format_loads_in_mlx_lm() {
    let (_env, world) = linked_world();
    let (pairs, _) = train::usable(read_jsonl::<Pair>(&world.repo.join(".git/screenlink/training_data.jsonl")).unwrap().records);
    let split = train::split(pairs.len(), 2, 0.1).unwrap();
    let loader = r#"
import json, sys
from pathlib import Path
from types import SimpleNamespace
from mlx_lm import load
from mlx_lm.tuner.datasets import load_local_dataset
_, tok = load(sys.argv[2])
sets = load_local_dataset(Path(sys.argv[1]), tok, SimpleNamespace())
print(json.dumps([[type(s).__name__, len(s), len(s.process(s[0])[0])] for s in sets]))
"#;
    for (format, class) in [("chat", "ChatDataset"), ("completions", "CompletionsDataset"), ("text", "TextDataset")] {
        let dir = world.repo.join(format!("../export-{format}"));
        train::export(&pairs, split, format, &dir).unwrap();
        let out = Command::new(mlx_python()).args(["-c", loader]).arg(&dir).arg(tiny_model()).output().unwrap();
        assert!(out.status.success(), "{format}: {}", String::from_utf8_lossy(&out.stderr));
        let got: Vec<(String, usize, usize)> = serde_json::from_slice(&out.stdout).unwrap();
        let sizes = [split.train, split.valid, split.test];
        for (i, (name, len, tokens)) in got.iter().enumerate() {
            assert_eq!(name, class, "{format}");
            assert_eq!(*len, sizes[i], "{format} split {i}");
            assert!(*tokens > 10, "{format}: the first record tokenizes");
        }
    }
}

#[test]
fn preflight_errors_say_what_to_do() {
    let (env, _world) = linked_world();
    let model = tiny_model().to_str().unwrap().to_string();

    let out = env.screenlink(["train", "--model", &model, "--batch-size", "8"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("at least 24 are needed") && out.stderr_text().contains("--batch-size"), "{}", out.stderr_text());

    let out = env.screenlink(["train", "--model", "./no-such-model", "--batch-size", "2"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("is not a model directory"), "{}", out.stderr_text());

    // A model folder without the weights mlx-lm loads (a PyTorch checkpoint, an embedding
    // model's ONNX file) is refused before mlx-lm runs: no run is started.
    let no_weights = copy_of(tiny_model(), &env.root().join("no-weights"));
    std::fs::rename(no_weights.join("model.safetensors"), no_weights.join("pytorch_model.bin")).unwrap();
    let out = env.screenlink(["train", "--model", no_weights.to_str().unwrap(), "--batch-size", "2"]);
    assert_eq!(out.code(), 2);
    let err = out.stderr_text();
    assert!(err.contains("holds no model*.safetensors weights") && err.contains("pytorch_model.bin"), "{err}");
    assert!(!env.repo.join(".git/screenlink/mlx").exists(), "no run started");
    // A model of a kind mlx-lm does not run fails inside mlx-lm: the error's own line says
    // why, in mlx-lm's words, where it said only "exit code 1".
    let bert = copy_of(tiny_model(), &env.root().join("bert"));
    edit_json(&bert.join("config.json"), |c| c["model_type"] = serde_json::json!("bert"));
    let out = env.screenlink(["train", "--model", bert.to_str().unwrap(), "--batch-size", "2", "--iters", "1", "--num-layers", "2"]);
    assert_eq!(out.code(), 2);
    let err = out.stderr_text();
    let ours = err.lines().find(|l| l.starts_with("git-screenlink: error")).unwrap_or_default();
    assert!(ours.contains("mlx-lm failed (exit code 1): ValueError: Model type bert not supported"), "{err}");

    env.git(["config", "screenlink.train.python", "/nonexistent/python3"]).assert_ok();
    let out = env.screenlink(["train", "--model", &model, "--batch-size", "2"]);
    assert_eq!(out.code(), 2);
    let err = out.stderr_text();
    assert!(err.contains("mlx-lm was not found") && err.contains("pip install"), "{err}");

    let out = env.screenlink(["train", "--format", "parquet"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("chat, completions or text"), "{}", out.stderr_text());
}

#[test]
fn dry_run_prints_the_exact_command_and_runs_nothing() {
    let (env, world) = linked_world();
    let model = tiny_model().to_str().unwrap().to_string();
    let out = env.screenlink([
        "train",
        "--dry-run",
        "--model",
        &model,
        "--iters",
        "7",
        "--batch-size",
        "2",
        "--num-layers",
        "3",
        "--learning-rate",
        "2e-4",
        "--",
        "--mask-prompt",
    ]);
    out.assert_ok();
    let text = out.stdout_text();
    let line = text.lines().find(|l| l.starts_with("Would run: ")).unwrap();
    let py = mlx_python();
    let expected_start = format!("Would run: {} -m mlx_lm lora --model {model} --train --data ", py.display());
    assert!(line.starts_with(&expected_start), "{line}");
    for part in ["--fine-tune-type lora", "--num-layers 3", "--iters 7", "--batch-size 2", "--learning-rate 2e-4", "--adapter-path ", "--mask-prompt"] {
        assert!(line.contains(part), "{part} missing: {line}");
    }
    assert!(!line.contains("--lora-layers"), "the guide's renamed flag");
    assert!(text.contains("train ") && text.contains("valid 2, test 2"), "{text}");
    assert!(!world.repo.join(".git/screenlink/mlx").exists(), "a dry run writes nothing");

    // The fine-tune type reaches mlx-lm, from the flag or from git config.
    let out = env.screenlink(["train", "--dry-run", "--model", &model, "--batch-size", "2", "--fine-tune-type", "dora"]);
    assert!(out.stdout_text().contains("--fine-tune-type dora"), "{}", out.stdout_text());
    env.git(["config", "screenlink.train.fineTuneType", "full"]).assert_ok();
    let out = env.screenlink(["train", "--dry-run", "--model", &model, "--batch-size", "2"]);
    assert!(out.stdout_text().contains("--fine-tune-type full"), "{}", out.stdout_text());
}

/// `eval` on the tiny model: mlx-lm's test loss for both sides, greedy generations scored
/// against the real code, `eval.json` and `train --list`'s columns; `ask` answers.
#[test]
fn eval_compares_base_and_adapter_on_real_generations_and_ask_answers() {
    let (env, world) = linked_world();
    let out = env.screenlink(["eval"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("no training run with adapters to evaluate"), "{}", out.stderr_text());
    let out = env.screenlink(["ask", "Add retries"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("no training run with adapters to ask") && out.stderr_text().contains("--base"), "{}", out.stderr_text());

    let model = tiny_model().to_str().unwrap().to_string();
    env.screenlink(["train", "--model", &model, "--iters", "5", "--batch-size", "2", "--num-layers", "2", "--fuse", "--", "--steps-per-eval", "5"]).assert_ok();
    let runs = world.repo.join(".git/screenlink/mlx");
    let run = std::fs::read_dir(&runs).unwrap().flatten().next().unwrap().path();
    let svg = std::fs::read_to_string(run.join("loss.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<polyline"), "a loss chart beside run.json");

    let out = env.screenlink(["eval", "--limit", "2", "--max-tokens", "16"]);
    out.assert_ok();
    assert!(out.stdout_text().contains("identifier recall"), "{}", out.stdout_text());
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("eval.json")).unwrap()).unwrap();
    assert_eq!(report["complete"], true, "{report:#}");
    let test: Vec<serde_json::Value> = std::fs::read_to_string(run.join("test.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for side in ["base", "adapter"] {
        let s = &report[side];
        let (loss, ppl) = (s["test_loss"].as_f64().unwrap(), s["perplexity"].as_f64().unwrap());
        assert!(loss > 0.0 && (ppl - loss.exp()).abs() / ppl < 0.01, "{side}: loss {loss}, perplexity {ppl}");
        let pairs = s["pairs"].as_array().unwrap();
        assert_eq!(pairs.len(), 2, "{side}");
        // Each score is computed from a real generation kept on disk.
        let file = run.join(pairs[0]["generation"].as_str().unwrap());
        let gens: Vec<serde_json::Value> = std::fs::read_to_string(&file).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(gens.len(), 2, "{side}");
        for p in pairs {
            let id = p["id"].as_u64().unwrap() as usize;
            let g = gens.iter().find(|g| g["id"] == id).unwrap()["generation"].as_str().unwrap();
            let reference = test[id]["messages"][2]["content"].as_str().unwrap();
            let chrf = git_screenlink::eval::metrics::chrf(g, reference);
            assert!((p["chrf"].as_f64().unwrap() - chrf).abs() < 1e-9);
            assert!(p["sha"].as_str().is_some_and(|s| s.len() == 40), "{p}");
        }
    }
    assert_eq!(report["adapter"]["adapter"].as_str().unwrap(), run.join("adapters").to_str().unwrap());
    assert!(report["base"]["adapter"].is_null());
    assert!(report["difference"]["chrf"].is_number());
    // A second run resumes: nothing is generated twice.
    let file = run.join(report["base"]["pairs"][0]["generation"].as_str().unwrap());
    let before = std::fs::read_to_string(&file).unwrap();
    env.screenlink(["eval", "--limit", "2", "--max-tokens", "16"]).assert_ok();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
    // A fused model stands in for base + adapter.
    let fused = run.join("fused");
    let out = env.screenlink(["eval", "--limit", "1", "--max-tokens", "4", "--model", fused.to_str().unwrap(), "--json"]);
    out.assert_ok();
    let fused_report: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!(fused_report["adapter"]["model"].as_str(), fused.to_str());
    assert!(fused_report["adapter"]["adapter"].is_null());
    assert!(fused_report["adapter"]["test_loss"].as_f64().is_some());
    assert_eq!(fused_report["adapter"]["pairs"].as_array().unwrap().len(), 1);
    env.screenlink(["eval", "--limit", "2", "--max-tokens", "16"]).assert_ok();

    let list = env.screenlink(["train", "--list"]).stdout_text();
    let row = list.lines().find(|l| l.contains("completed")).unwrap();
    assert!(row.contains(&format!("{:.1}", report["adapter"]["chrf"].as_f64().unwrap())), "{list}");

    // ask: a generation from the newest adapter.
    let out = env.screenlink(["ask", "Add user authentication to the API", "--files", "src/api.rs", "--max-tokens", "8"]);
    out.assert_ok();
    // The tiny model's weights are random: its tokens may be blanks, but there are some.
    let answer = out.stdout_text();
    assert!(answer.strip_suffix('\n').is_some_and(|a| !a.is_empty()), "a generation: {answer:?} {}", out.stderr_text());
    let dry = env.screenlink(["ask", "Add user authentication to the API", "--context", "we need login", "--dry-run"]);
    assert!(dry.stdout_text().contains("Business Context from team discussions:\n\nwe need login\n\nTask: make the change"), "{}", dry.stdout_text());
    // The chat format's system turn, which a client of `serve` sends as training did.
    assert!(dry.stdout_text().contains(&format!("Format: chat\nSystem: {}\nPrompt:\n", train::SYSTEM_LINE)), "{}", dry.stdout_text());

    // A run without adapters is a clear error.
    let broken = runs.join("20000101-000000");
    std::fs::create_dir_all(&broken).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    m["run_id"] = "20000101-000000".into();
    m["status"] = "failed".into();
    m["adapter_path"] = broken.join("adapters").to_str().unwrap().into();
    std::fs::write(broken.join("run.json"), m.to_string()).unwrap();
    let out = env.screenlink(["eval", "20000101-000000"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("has no adapters (its status: failed)"), "{}", out.stderr_text());
}
