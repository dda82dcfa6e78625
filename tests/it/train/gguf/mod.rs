//! `git screenlink fuse --gguf`: the tiny model's run fused and written as GGUF, then loaded
//! in llama.cpp itself (node-llama-cpp's prebuilt build, `./install.sh --llama-check`),
//! which must tokenize as the model's own tokenizer does and give the fused model's next-token
//! probabilities; a tokenizer it cannot name for llama.cpp is refused, and nothing is left.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{copy_of, edit_json, linked_world, mlx_python, tiny_model};
use crate::env::OutputExt;

mod archs;
mod gemma;
mod layout;
mod lora;
mod sentencepiece;

const PROMPTS: [&str; 3] = ["users complain search is slow", "We need retries with exponential backoff", "fn retry_upload(input: &Upload) {"];

/// A run of `git screenlink train` on `base` (5 iterations at a rate that moves the weights):
/// its run directory.
fn trained_run(env: &crate::env::TestEnv, world: &git_screenlink::fixture::World, base: &Path) -> PathBuf {
    let args = ["train", "--model", base.to_str().unwrap(), "--iters", "5", "--batch-size", "2", "--num-layers", "2", "--", "--learning-rate", "0.01"];
    env.screenlink(args).assert_ok();
    std::fs::read_dir(world.repo.join(".git/screenlink/mlx"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        // Runs only: `fuse --gguf --lora` keeps its base files in a folder beside them.
        .find(|run| std::fs::read_to_string(run.join("run.json")).is_ok_and(|m| m.contains(&format!("{}\"", base.display()))))
        .expect("the run trained on this base")
}

/// `src/train/to_gguf.py`, run where it is, so it imports the modules beside it.
fn to_gguf_py() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/train/to_gguf.py")
}

/// Per prompt, its tokens and the next token's probabilities (indexed by token id).
type Reading = Vec<(Vec<u32>, Vec<f64>)>;

/// llama.cpp's lines for a GGUF file and prompts (`tools/llama_check/check.mjs`).
fn llama_cpp_lines(gguf: &Path, prompts: &[&str]) -> Vec<serde_json::Value> {
    llama_cpp_reading(gguf, prompts, &[])
}

/// The same, with check.mjs's `flags`: `--special`, the special tokens written in the prompts
/// read as those tokens, as llama.cpp's chat tools read a prompt laid out by the chat template;
/// `--f32-attention`, attention in 32 bits.
fn llama_cpp_reading(gguf: &Path, prompts: &[&str], flags: &[&str]) -> Vec<serde_json::Value> {
    let modules = git_screenlink::assets::data_dir().join("llama-check");
    assert!(
        modules.join("node_modules/node-llama-cpp").is_dir(),
        "llama.cpp for the tests is not installed in {}: run `./install.sh --assets-only --llama-check`",
        modules.display()
    );
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/llama_check/check.mjs");
    // A fresh llama.cpp process for an evaluation that gave nothing (under CI's load one
    // sometimes yields no step; check.mjs then prints null probabilities): up to three runs.
    let mut lines = Vec::new();
    for _ in 0..3 {
        let out = Command::new("node").arg(&script).arg(&modules).arg(gguf).args(flags).args(prompts).output().unwrap();
        assert!(out.status.success(), "llama.cpp: {}", String::from_utf8_lossy(&out.stderr));
        lines = String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect::<Vec<serde_json::Value>>();
        assert_eq!(lines.len(), prompts.len(), "llama.cpp gave a line per prompt: {lines:?}");
        if lines.iter().all(|l| !l["probabilities"].is_null()) {
            break;
        }
    }
    lines
}

fn llama_cpp_tokens(gguf: &Path, prompts: &[&str]) -> Vec<Vec<u32>> {
    llama_cpp_lines(gguf, prompts).iter().map(tokens_of).collect()
}

/// The token ids in a line of check.mjs's or of the mlx-lm reading's.
fn tokens_of(line: &serde_json::Value) -> Vec<u32> {
    line["tokens"].as_array().unwrap().iter().map(|t| t.as_u64().unwrap() as u32).collect()
}

/// llama.cpp's reading of a GGUF file.
fn llama_cpp(gguf: &Path, vocab: usize) -> Reading {
    llama_cpp_with(gguf, vocab, &[])
}

/// The same, with check.mjs's `flags`.
fn llama_cpp_with(gguf: &Path, vocab: usize, flags: &[&str]) -> Reading {
    llama_cpp_reading(gguf, &PROMPTS, flags)
        .into_iter()
        .map(|v| {
            let tokens = tokens_of(&v);
            let mut probs = vec![0.0; vocab];
            for (id, p) in v["probabilities"].as_object().unwrap_or_else(|| panic!("llama.cpp evaluated nothing: {v}")) {
                probs[id.parse::<usize>().unwrap()] = p.as_f64().unwrap();
            }
            (tokens, probs)
        })
        .collect()
}

/// mlx-lm's reading of a model directory: its own tokenizer's tokens, and the softmax of the
/// model's last logits.
fn mlx(model: &Path) -> Reading {
    mlx_with_adapter(model, None)
}

/// The same, with a run's adapter applied to the model as mlx-lm applies it in training.
fn mlx_with_adapter(model: &Path, adapters: Option<&Path>) -> Reading {
    let code = r#"
import json, sys
import mlx.core as mx
from mlx_lm.utils import load
model, tokenizer = load(sys.argv[1], adapter_path=sys.argv[2] or None)
for prompt in sys.argv[3:]:
    tokens = tokenizer.encode(prompt, add_special_tokens=False)
    probs = mx.softmax(model(mx.array([tokens]))[0, -1].astype(mx.float32)).tolist()
    print(json.dumps({"tokens": tokens, "probabilities": probs}))
"#;
    let adapters = adapters.map_or(std::ffi::OsStr::new(""), Path::as_os_str);
    let out = Command::new(mlx_python()).arg("-c").arg(code).arg(model).arg(adapters).args(PROMPTS).env("HF_HUB_OFFLINE", "1").output().unwrap();
    assert!(out.status.success(), "mlx-lm: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (tokens_of(&v), v["probabilities"].as_array().unwrap().iter().map(|p| p.as_f64().unwrap()).collect())
        })
        .collect()
}

/// The tokens mlx-lm's tokenizer (transformers' reading of the model's) gives each prompt.
pub(super) fn trained_tokens(model: &Path, prompts: &[&str]) -> Vec<Vec<u32>> {
    let code = "import sys\nfrom pathlib import Path\nfrom mlx_lm.tokenizer_utils import load\nt = load(Path(sys.argv[1]))\nfor p in sys.argv[2:]:\n    print(t.encode(p, add_special_tokens=False))";
    let out = Command::new(mlx_python()).arg("-c").arg(code).arg(model).args(prompts).env("HF_HUB_OFFLINE", "1").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// llama.cpp read each of `PROMPTS` as mlx-lm's tokenizer does and predicts as mlx-lm does on
/// the fused model, within `tolerance`, where fine-tuning moved the base model's predictions by
/// `margin` times more (so the file holds the fine-tuned weights); each gap printed.
fn assert_predicts_as_mlx(name: &str, in_llama: &Reading, in_mlx: &Reading, in_base: &Reading, tolerance: f64, margin: f64) {
    for ((prompt, (ltok, lp)), ((mtok, mp), (_, bp))) in PROMPTS.iter().zip(in_llama).zip(in_mlx.iter().zip(in_base)) {
        assert_eq!(ltok, mtok, "{name}, {prompt}: llama.cpp's tokens");
        let (gap, tuned) = (largest_gap(lp, mp), largest_gap(mp, bp));
        eprintln!("{name}, {prompt}: llama.cpp and mlx-lm differ by at most {gap:.2e}; the base model by {tuned:.2e}");
        assert!(gap < tolerance && tuned > margin * gap, "{name}, {prompt}: llama.cpp and mlx-lm differ by {gap}, fine-tuning moved it by {tuned}");
    }
}

/// The largest difference of any token's probability between two readings of one prompt.
fn largest_gap(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

fn gguf_string(gguf: &Path, key: &str) -> Option<String> {
    let code = "import sys, gguf\nf = gguf.GGUFReader(sys.argv[1]).fields.get(sys.argv[2])\nprint(f.contents() if f else '')";
    let out = Command::new(mlx_python()).arg("-c").arg(code).arg(gguf).arg(key).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap().trim_end().to_string()).filter(|s| !s.is_empty())
}

#[test]
fn a_fused_run_written_as_gguf_reads_in_llama_cpp_as_in_mlx() {
    let (env, world) = linked_world();
    let out = env.screenlink(["fuse", "--gguf"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("no training run with adapters to fuse"), "{}", out.stderr_text());

    // A learning rate that moves the weights in five steps, so the adapter shows in them.
    let model = tiny_model();
    let args = ["train", "--model", model.to_str().unwrap(), "--iters", "5", "--batch-size", "2", "--num-layers", "2", "--", "--learning-rate", "0.01"];
    env.screenlink(args).assert_ok();
    let run = std::fs::read_dir(world.repo.join(".git/screenlink/mlx")).unwrap().flatten().next().unwrap().path();
    let run_id = run.file_name().unwrap().to_str().unwrap().to_string();
    let gguf = run.join(format!("{run_id}.gguf"));

    let out = env.screenlink(["fuse", "--gguf", "--dry-run"]);
    out.assert_ok();
    assert!(out.stdout_text().contains(&format!("--save-path {} --dequantize", run.join("fused").display())), "{}", out.stdout_text());
    assert!(out.stdout_text().contains(&format!("GGUF: {}", gguf.display())), "{}", out.stdout_text());
    assert!(!run.join("fused").exists() && !gguf.exists(), "a dry run writes nothing");

    let out = env.screenlink(["fuse", "--gguf"]);
    out.assert_ok();
    let fused = run.join("fused");
    assert_eq!(out.stdout_text(), format!("Fused model: {}\nGGUF: {}\n", fused.display(), gguf.display()));
    assert!(out.stderr_text().contains("llama-cli -m"), "{}", out.stderr_text());
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["fused_path"].as_str(), fused.to_str());
    assert_eq!(manifest["gguf_path"].as_str(), gguf.to_str());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&gguf).unwrap().permissions().mode() & 0o777, 0o600, "the model is its owner's alone");
    let leftovers: Vec<PathBuf> = std::fs::read_dir(&run).unwrap().flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().contains("partial")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // llama.cpp tokenizes as the model's tokenizer does and predicts as mlx-lm does on the
    // fused model; the base model predicts otherwise (the file holds the fine-tuned weights).
    let vocab = mlx(&fused)[0].1.len();
    let (in_llama, in_mlx, base) = (llama_cpp(&gguf, vocab), mlx(&fused), mlx(model));
    assert!(in_mlx.iter().all(|(tokens, _)| tokens.len() > 3), "{in_mlx:?}");
    assert_predicts_as_mlx("llama", &in_llama, &in_mlx, &base, 1e-3, 10.0);
    // The prompt layout travels with it: llama.cpp's chat tools read the template from the file.
    let template = gguf_string(&gguf, "tokenizer.chat_template").expect("a chat template");
    assert!(template.contains("add_generation_prompt"), "{template}");
    assert_eq!(gguf_string(&gguf, "tokenizer.ggml.pre").as_deref(), Some("gpt-2"));

    // In 8 bits: a smaller file beside it that still predicts as the fine-tuned model does.
    let out = env.screenlink(["fuse", "--q8"]);
    assert_eq!(out.code(), 2, "--q8 needs --gguf: {}", out.stderr_text());
    let out = env.screenlink(["fuse", "--gguf", "--q8"]);
    out.assert_ok();
    let q8 = run.join(format!("{run_id}-q8_0.gguf"));
    assert_eq!(out.stdout_text(), format!("Fused model: {}\nGGUF: {}\n", fused.display(), q8.display()));
    let (size, q8_size) = (std::fs::metadata(&gguf).unwrap().len(), std::fs::metadata(&q8).unwrap().len());
    assert!(q8_size * 3 < size, "Q8_0 {q8_size} bytes against 32-bit {size}");
    assert_predicts_as_mlx("Q8_0", &llama_cpp(&q8, vocab), &in_mlx, &base, 5e-3, 5.0);

    // Again: the fused model is used as it is; the GGUF file written anew.
    let config_time = std::fs::metadata(fused.join("config.json")).unwrap().modified().unwrap();
    let out = env.screenlink(["fuse", "--gguf"]);
    out.assert_ok();
    assert!(out.stderr_text().contains("is fused already"), "{}", out.stderr_text());
    assert_eq!(std::fs::metadata(fused.join("config.json")).unwrap().modified().unwrap(), config_time);
    // A whole fused model that run.json does not name (a GGUF file failed after it) is found.
    let mut m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    m["fused_path"] = serde_json::Value::Null;
    std::fs::write(run.join("run.json"), m.to_string()).unwrap();
    let out = env.screenlink(["fuse"]);
    out.assert_ok();
    assert!(out.stderr_text().contains("is fused already"), "{}", out.stderr_text());
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(m["fused_path"].as_str(), fused.to_str());
    assert_eq!(std::fs::metadata(fused.join("config.json")).unwrap().modified().unwrap(), config_time);

    // A tokenizer that splits text before BPE as none of the splits llama.cpp names does
    // (here: at whitespace, dropping it): refused, not guessed.
    std::fs::remove_file(&gguf).unwrap();
    let tokenizer = fused.join("tokenizer.json");
    edit_json(&tokenizer, |t| {
        t["pre_tokenizer"] = serde_json::json!({"type": "Sequence", "pretokenizers": [
            {"type": "WhitespaceSplit"},
            {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}
        ]})
    });
    let out = env.screenlink(["fuse", "--gguf"]);
    assert_eq!(out.code(), 2, "{}", out.stderr_text());
    let err = out.stderr_text();
    assert!(err.contains("cannot be written as GGUF here") && err.contains("pre-tokenizer Sequence"), "{err}");
    assert!(err.contains("convert_hf_to_gguf.py") && err.contains(fused.to_str().unwrap()), "{err}");
    assert!(!gguf.exists(), "nothing written");
    let leftovers: Vec<PathBuf> = std::fs::read_dir(&run).unwrap().flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().contains("partial")).collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Not fused yet, and a base model with such a tokenizer: refused before the fuse, which
    // would take minutes on a real model.
    let odd_base = copy_of(model, &env.root().join("odd-base"));
    std::fs::copy(&tokenizer, odd_base.join("tokenizer.json")).unwrap();
    std::fs::remove_dir_all(&fused).unwrap();
    let mut manifest = manifest;
    manifest["options"]["model"] = odd_base.to_str().unwrap().into();
    manifest["fused_path"] = serde_json::Value::Null;
    std::fs::write(run.join("run.json"), manifest.to_string()).unwrap();
    let out = env.screenlink(["fuse", "--gguf"]);
    assert_eq!(out.code(), 2, "{}", out.stderr_text());
    assert!(
        out.stderr_text().contains("pre-tokenizer Sequence") && out.stderr_text().contains("`git screenlink fuse` (without --gguf)"),
        "{}",
        out.stderr_text()
    );
    assert!(!fused.exists() && !gguf.exists(), "refused before fusing");

    // A run whose fuse failed at the end of `train --fuse` is whole once `fuse` succeeds.
    manifest["options"]["model"] = model.to_str().unwrap().into();
    manifest["status"] = "fuse failed".into();
    std::fs::write(run.join("run.json"), manifest.to_string()).unwrap();
    let out = env.screenlink(["fuse"]);
    out.assert_ok();
    assert_eq!(out.stdout_text(), format!("Fused model: {}\n", fused.display()));
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!((m["status"].as_str(), m["fused_path"].as_str()), (Some("completed"), fused.to_str()));
}

/// `model` in 4 bits at `out` (`mlx_lm convert -q`, as mlx-community's models are).
fn in_4_bits(model: &Path, out: &Path) -> PathBuf {
    let done = Command::new(mlx_python())
        .args(["-m", "mlx_lm", "convert", "--hf-path"])
        .arg(model)
        .arg("--mlx-path")
        .arg(out)
        .args(["-q", "--q-group-size", "32"])
        .env("HF_HUB_OFFLINE", "1")
        .output()
        .unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    out.to_path_buf()
}

/// A 4-bit base (as mlx-community's are): `train --fuse` leaves a quantized fused model,
/// which GGUF cannot hold, so `fuse --gguf` fuses again with whole weights beside it.
#[test]
fn a_quantized_base_is_dequantized_for_gguf() {
    let (env, world) = linked_world();
    let quantized = in_4_bits(tiny_model(), &env.root().join("tiny-4bit"));
    let args =
        ["train", "--model", quantized.to_str().unwrap(), "--iters", "5", "--batch-size", "2", "--num-layers", "2", "--fuse", "--", "--learning-rate", "0.01"];
    env.screenlink(args).assert_ok();
    let run = std::fs::read_dir(world.repo.join(".git/screenlink/mlx")).unwrap().flatten().next().unwrap().path();
    let is_quantized = |dir: &Path| std::fs::read_to_string(dir.join("config.json")).unwrap().contains("\"quantization\"");
    assert!(is_quantized(&run.join("fused")), "train --fuse keeps the base's 4 bits");

    let out = env.screenlink(["fuse", "--gguf"]);
    out.assert_ok();
    let whole = run.join("fused-dequantized");
    let gguf = run.join(format!("{}.gguf", run.file_name().unwrap().to_str().unwrap()));
    assert_eq!(out.stdout_text(), format!("Fused model: {}\nGGUF: {}\n", whole.display(), gguf.display()));
    assert!(!is_quantized(&whole) && is_quantized(&run.join("fused")), "whole weights beside the 4-bit fused model, which stays");
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(manifest["fused_path"].as_str(), run.join("fused").to_str(), "run.json still names train's fused model");

    let in_mlx = mlx(&whole);
    let in_llama = llama_cpp(&gguf, in_mlx[0].1.len());
    for ((prompt, (ltok, lp)), (mtok, mp)) in PROMPTS.iter().zip(&in_llama).zip(&in_mlx) {
        assert_eq!(ltok, mtok, "{prompt}: llama.cpp's tokens");
        let gap = largest_gap(lp, mp);
        eprintln!("{prompt}: llama.cpp and mlx-lm differ by at most {gap:.2e}");
        assert!(gap < 1e-3, "{prompt}: llama.cpp and mlx-lm differ by {gap}");
    }
}
