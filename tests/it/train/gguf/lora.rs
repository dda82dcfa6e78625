//! `fuse --gguf --lora`: a run's adapter as a GGUF LoRA adapter and its base model as GGUF,
//! loaded together in llama.cpp (as `llama-cli -m BASE --lora ADAPTER` loads them), which then
//! predicts as mlx-lm does on the fused model: Llama's (q's and k's rows permuted), Phi-3's
//! (q, k and v in one matrix), Gemma 3's with vision (its language half under another name)
//! and Qwen3's from a 4-bit base (dequantized first); the base written once for its runs; a
//! DoRA adapter, which llama.cpp cannot apply, refused.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::env::OutputExt;

use super::layout::tiny_variant;
use super::{
    assert_predicts_as_mlx, copy_of, edit_json, gguf_string, in_4_bits, largest_gap, linked_world, llama_cpp_with, mlx, mlx_python, mlx_with_adapter,
    tiny_model, trained_run, Reading, PROMPTS,
};

/// The two paths `fuse --gguf --lora` prints: the base's GGUF file and the adapter's.
fn written(out: &std::process::Output) -> (PathBuf, PathBuf) {
    let text = out.stdout_text();
    let path = |label: &str| PathBuf::from(text.lines().find_map(|l| l.strip_prefix(label)).unwrap_or_else(|| panic!("{label} in {text}")));
    (path("GGUF base: "), path("GGUF LoRA: "))
}

/// llama.cpp with the base file alone predicts as mlx-lm does on `in_base`, and with the
/// adapter as on `in_mlx`, where fine-tuning moved predictions 10× more than the gap.
fn assert_applies(name: &str, in_mlx: &Reading, in_base: &Reading, base_gguf: &Path, lora: &Path, tolerance: f64) {
    let vocab = in_mlx[0].1.len();
    let alone = llama_cpp_with(base_gguf, vocab, &["--f32-attention"]);
    for (prompt, ((_, lp), (_, bp))) in PROMPTS.iter().zip(alone.iter().zip(in_base)) {
        let gap = largest_gap(lp, bp);
        eprintln!("{name}, {prompt}: the base file alone differs from the base model by {gap:.2e}");
        assert!(gap < tolerance, "{name}, {prompt}: the base file alone differs from the base model by {gap}");
    }
    let with_lora = llama_cpp_with(base_gguf, vocab, &["--f32-attention", "--lora", lora.to_str().unwrap()]);
    assert_predicts_as_mlx(&format!("{name} + LoRA"), &with_lora, in_mlx, in_base, tolerance, 10.0);
}

/// A copy of `model` whose matrices are rounded as Q8_0 rounds them (`gguf`'s own quantize
/// and dequantize, in llama.cpp's 32-value blocks), as `fuse --gguf --lora --q8` writes the base.
fn rounded_as_q8(model: &Path, out: &Path) -> PathBuf {
    let code = r#"
import sys, mlx.core as mx, numpy as np, gguf
weights = {}
for name, value in mx.load(sys.argv[1] + "/model.safetensors").items():
    w = np.array(value.astype(mx.float32))
    if w.ndim == 2 and w.shape[-1] % 32 == 0:
        q8 = gguf.GGMLQuantizationType.Q8_0
        w = gguf.quants.dequantize(gguf.quants.quantize(w, q8), q8).reshape(w.shape)
    weights[name] = mx.array(w)
mx.save_safetensors(sys.argv[2] + "/model.safetensors", weights)
"#;
    let out = copy_of(model, out);
    let done = Command::new(mlx_python()).arg("-c").arg(code).arg(model).arg(&out).output().unwrap();
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    out
}

#[test]
fn a_run_written_as_a_lora_adapter_reads_in_llama_cpp_as_its_fused_model() {
    let (env, world) = linked_world();
    let base = tiny_model();
    let run = trained_run(&env, &world, base);
    let run_id = run.file_name().unwrap().to_str().unwrap();
    let (lora, bases) = (run.join(format!("{run_id}-lora.gguf")), world.repo.join(".git/screenlink/mlx/gguf-bases"));

    let out = env.screenlink(["fuse", "--lora"]);
    assert_eq!(out.code(), 2, "--lora needs --gguf: {}", out.stderr_text());
    let out = env.screenlink(["fuse", "--gguf", "--lora", "--dry-run", run_id]);
    out.assert_ok();
    assert!(out.stdout_text().contains(&format!("GGUF LoRA: {}", lora.display())), "{}", out.stdout_text());
    assert!(out.stdout_text().contains("(to write)"), "{}", out.stdout_text());
    assert!(!lora.exists() && !bases.exists(), "a dry run writes nothing");

    // Two at once, as from two terminals: the second waits for the first (both write the
    // adapter through one partial name, and run.json), the base is written once, and both end
    // well with the same two files.
    let spawn = || {
        let mut fuse = env.command("git-screenlink");
        fuse.args(["fuse", "--gguf", "--lora", run_id]).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        fuse.spawn().unwrap()
    };
    let (first, second) = (spawn(), spawn());
    let outs = [first.wait_with_output().unwrap(), second.wait_with_output().unwrap()];
    for out in &outs {
        out.assert_ok();
        assert!(out.stderr_text().contains(&format!("--lora {}", lora.display())), "{}", out.stderr_text());
    }
    // The lock is taken before anything else, and a fuse holds it for seconds (Python's start,
    // the checks, the writing): the second, started in the same millisecond, finds it held.
    let waited = outs.iter().filter(|o| o.stderr_text().contains("another fuse of run")).count();
    assert_eq!(waited, 1, "one waited for the other: {} / {}", outs[0].stderr_text(), outs[1].stderr_text());
    let reused = outs.iter().filter(|o| o.stderr_text().contains("is written already")).count();
    assert_eq!(reused, 1, "one wrote the base, the other found it: {} / {}", outs[0].stderr_text(), outs[1].stderr_text());
    let (base_gguf, printed_lora) = written(&outs[0]);
    assert_eq!(written(&outs[1]), (base_gguf.clone(), printed_lora.clone()));
    assert_eq!((base_gguf.parent(), printed_lora.as_path()), (Some(bases.as_path()), lora.as_path()));
    for dir in [&run, &bases] {
        let partial = std::fs::read_dir(dir).unwrap().flatten().find(|e| e.file_name().to_string_lossy().contains("partial"));
        assert!(partial.is_none(), "nothing half-written is left: {partial:?}");
    }
    assert!(!run.join("fused").exists(), "nothing fused");
    for file in [&base_gguf, &lora] {
        assert_eq!(std::fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600, "{} is its owner's alone", file.display());
    }
    let (base_size, lora_size) = (std::fs::metadata(&base_gguf).unwrap().len(), std::fs::metadata(&lora).unwrap().len());
    assert!(lora_size * 4 < base_size, "the adapter, {lora_size} bytes, against the base's {base_size}");
    assert_eq!(gguf_string(&lora, "general.type").as_deref(), Some("adapter"));
    assert_eq!(gguf_string(&lora, "adapter.type").as_deref(), Some("lora"));
    // llama.cpp scales by alpha / rank where mlx-lm scales by `scale`.
    let config: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("adapters/adapter_config.json")).unwrap()).unwrap();
    let (rank, scale) = (config["lora_parameters"]["rank"].as_f64().unwrap(), config["lora_parameters"]["scale"].as_f64().unwrap());
    assert_eq!(gguf_string(&lora, "adapter.lora.alpha").unwrap().parse::<f64>().unwrap(), rank * scale);
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run.join("run.json")).unwrap()).unwrap();
    assert_eq!((manifest["gguf_base_path"].as_str(), manifest["gguf_lora_path"].as_str()), (base_gguf.to_str(), lora.to_str()));

    // The fused model (mlx-lm's own fuse) and the base: llama.cpp reads the two files as them.
    env.screenlink(["fuse", run_id]).assert_ok();
    assert_applies("llama", &mlx(&run.join("fused")), &mlx(base), &base_gguf, &lora, 1e-3);

    // Again: the base file is used as it is, the adapter written anew.
    let base_time = std::fs::metadata(&base_gguf).unwrap().modified().unwrap();
    let out = env.screenlink(["fuse", "--gguf", "--lora", run_id]);
    out.assert_ok();
    assert!(out.stderr_text().contains("is written already"), "{}", out.stderr_text());
    assert_eq!((written(&out).0, std::fs::metadata(&base_gguf).unwrap().modified().unwrap()), (base_gguf.clone(), base_time));

    // In 8 bits: the base at its own path, smaller. It is rounded alone and the adapter applied
    // in 32 bits: llama.cpp predicts as mlx-lm does with the adapter on the base rounded so
    // (against the unrounded fused model, 5.9e-3 on one prompt of this run, where the fused
    // model's own Q8_0 file, the sum rounded, is within 7e-4: by hand).
    let out = env.screenlink(["fuse", "--gguf", "--lora", "--q8", run_id]);
    out.assert_ok();
    let q8 = written(&out).0;
    assert!(q8.to_str().unwrap().ends_with("-q8_0.gguf") && std::fs::metadata(&q8).unwrap().len() * 3 < base_size, "{}", q8.display());
    let rounded = rounded_as_q8(base, &env.root().join("rounded-base"));
    assert_applies("llama Q8_0", &mlx_with_adapter(&rounded, Some(&run.join("adapters"))), &mlx(&rounded), &q8, &lora, 1e-3);

    // `status` says what the runs take, and that the 16-bit base is now named by no run.json
    // (the run's names the 8-bit one): a file of gigabytes at scale, outliving its use.
    let status = env.screenlink(["status", "--no-load", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&status.stdout_text()).unwrap();
    let runs = &report["runs"];
    assert!(runs["detail"].as_str().unwrap().starts_with("1 run, ") && runs["detail"].as_str().unwrap().contains("GGUF bases: 2 files"), "{runs}");
    let fix = runs["fix"].as_str().unwrap();
    assert!(fix.contains(base_gguf.to_str().unwrap()) && !fix.contains(q8.to_str().unwrap()), "{fix}");

    // A DoRA adapter scales each column by its own magnitude, which a LoRA file cannot say.
    std::fs::remove_file(&lora).unwrap();
    edit_json(&run.join("adapters/adapter_config.json"), |c| c["fine_tune_type"] = "dora".into());
    let out = env.screenlink(["fuse", "--gguf", "--lora", run_id]);
    assert_eq!(out.code(), 2, "{}", out.stderr_text());
    let err = out.stderr_text();
    assert!(err.contains("its fine-tuning is dora (adapter_config.json's fine_tune_type), and llama.cpp applies LoRA adapters only"), "{err}");
    assert!(err.contains("`git screenlink fuse --gguf` (without --lora)"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&run).unwrap().flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().contains("gguf")).collect();
    assert!(left.is_empty(), "nothing written: {left:?}");

    // Other families: fused q, k and v (Phi-3), the language half of a model with vision
    // (Gemma 3), a 4-bit base (Qwen3), whose whole weights are written.
    for arch in ["phi3", "gemma3", "qwen3"] {
        let variant = match arch {
            "phi3" => tiny_variant("arch-phi3", &["--arch", "phi3", "--pre", "gpt-4o"]),
            "qwen3" => in_4_bits(&tiny_variant("arch-qwen3", &["--arch", "qwen3", "--pre", "qwen2", "--pad", "16"]), &env.root().join("qwen3-4bit")),
            _ => tiny_variant(&format!("arch-{arch}"), &["--arch", arch]),
        };
        let run = trained_run(&env, &world, &variant);
        let run_id = run.file_name().unwrap().to_str().unwrap();
        let out = env.screenlink(["fuse", "--gguf", "--lora", run_id]);
        out.assert_ok();
        let (base_gguf, lora) = written(&out);
        assert_eq!(gguf_string(&lora, "general.architecture"), gguf_string(&base_gguf, "general.architecture"), "{arch}");
        let dequantized: Vec<_> =
            std::fs::read_dir(&bases).unwrap().flatten().map(|e| e.file_name()).filter(|n| n.to_string_lossy().starts_with(".dequantized")).collect();
        assert!(dequantized.is_empty(), "{arch}: nothing left beside the bases: {dequantized:?}");
        // The fused model with whole weights (fused with --dequantize from a 4-bit base).
        env.screenlink(["fuse", "--gguf", run_id]).assert_ok();
        assert_applies(arch, &mlx(&run.join("fused")), &mlx(&variant), &base_gguf, &lora, 1e-3);
    }
}
