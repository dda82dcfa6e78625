//! Families other than Llama's: a Qwen2 and a Qwen3 run (`tools/tiny_model.py --arch`; Qwen3's
//! from a 4-bit base, as mlx-community's are) and a Phi-3 run (Phi-4-mini's) fused and written
//! as GGUF under llama.cpp's architecture for each, which then predicts as mlx-lm does on the fused model; and a tokenizer that changes text before splitting it, which
//! llama.cpp would not do, refused.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::env::OutputExt;

use super::layout::{tiny_variant, SPLIT_PROMPTS};
use super::sentencepiece::assert_reads_chats_as_trained;
use super::{
    assert_predicts_as_mlx, copy_of, edit_json, gguf_string, in_4_bits, linked_world, llama_cpp, llama_cpp_tokens, llama_cpp_with, mlx, mlx_python, tiny_model,
    to_gguf_py, trained_run, trained_tokens,
};

/// A tiny model of Qwen's family `arch`: its tokenizer split as llama.cpp's `qwen2`, text
/// composed to NFC first, ChatML's special tokens, embedding rows past them (Qwen2.5's
/// 151,936 rows hold 151,665 tokens).
fn tiny_qwen(arch: &str) -> PathBuf {
    tiny_variant(&format!("arch-{arch}"), &["--arch", arch, "--pre", "qwen2", "--pad", "16"])
}

#[test]
fn qwen_runs_read_in_llama_cpp_as_in_mlx() {
    let (env, world) = linked_world();
    for arch in ["qwen2", "qwen3"] {
        let base = if arch == "qwen3" { in_4_bits(&tiny_qwen(arch), &env.root().join("qwen3-4bit")) } else { tiny_qwen(arch) };
        let run = trained_run(&env, &world, &base);
        let run_id = run.file_name().unwrap().to_str().unwrap();
        let out = env.screenlink(["fuse", "--gguf", run_id]);
        out.assert_ok();
        // From the 4-bit base, the fused model's weights are whole (fused with --dequantize).
        let (fused, gguf) = (run.join("fused"), run.join(format!("{run_id}.gguf")));
        assert_eq!(out.stdout_text(), format!("Fused model: {}\nGGUF: {}\n", fused.display(), gguf.display()));
        let quantized = |dir: &Path| std::fs::read_to_string(dir.join("config.json")).unwrap().contains("\"quantization\"");
        assert_eq!((quantized(&base), quantized(&fused)), (arch == "qwen3", false));
        assert_eq!(gguf_string(&gguf, "general.architecture").as_deref(), Some(arch));
        assert_eq!(gguf_string(&gguf, "tokenizer.ggml.pre").as_deref(), Some("qwen2"));
        assert!(gguf_string(&gguf, "tokenizer.chat_template").unwrap().contains("<|im_start|>assistant"));

        let in_mlx = mlx(&fused);
        let (in_llama, in_base) = (llama_cpp(&gguf, in_mlx[0].1.len()), mlx(&base));
        assert_predicts_as_mlx(arch, &in_llama, &in_mlx, &in_base, 1e-3, 10.0);
        // Numbers, code, CJK and accents: llama.cpp splits them as Qwen's tokenizer does.
        assert_eq!(llama_cpp_tokens(&gguf, &SPLIT_PROMPTS), trained_tokens(&fused, &SPLIT_PROMPTS), "{arch}");
    }
}

/// Phi-4-mini's architecture (`phi3`: fused q, k, v and gate, up; three quarters of each head
/// rotated; LongRoPE) and GPT-4o's splits: written as llama.cpp's `phi3` under `gpt-4o`, it reads
/// text and chats as training did and predicts as mlx-lm does on the fused model. A model whose
/// name holds `phi3` is written under another name: by that name llama.cpp strips the spaces
/// after special tokens, which training kept, and looks up `</s>`, `<unk>` and `<s>`, which a
/// byte-level tokenizer lacks (so it did not load this file: "error loading model vocabulary:
/// _Map_base::at", checked by hand).
#[test]
fn phi3_runs_read_in_llama_cpp_as_in_mlx() {
    let (env, world) = linked_world();
    let base = tiny_variant("arch-phi3", &["--arch", "phi3", "--pre", "gpt-4o"]);
    let run = trained_run(&env, &world, &base);
    let run_id = run.file_name().unwrap().to_str().unwrap();
    env.screenlink(["fuse", "--gguf", run_id]).assert_ok();
    let (fused, gguf) = (run.join("fused"), run.join(format!("{run_id}.gguf")));
    assert_eq!(gguf_string(&gguf, "general.architecture").as_deref(), Some("phi3"));
    assert_eq!(gguf_string(&gguf, "tokenizer.ggml.pre").as_deref(), Some("gpt-4o"));
    assert_eq!(gguf_string(&gguf, "phi3.rope.dimension_count").as_deref(), Some("12"), "three quarters of 16");
    // Contractions: only `gpt-4o`'s splits give this tokenizer's tokens (Llama 3's split them off).
    let prompts: Vec<&str> = SPLIT_PROMPTS.iter().copied().chain(["We'd retry the SearchPage; it's what they'll want, isn't it? I'd say so."]).collect();
    assert_eq!(llama_cpp_tokens(&gguf, &prompts), trained_tokens(&fused, &prompts));
    let in_mlx = mlx(&fused);
    let (in_llama, in_base) = (llama_cpp_with(&gguf, in_mlx[0].1.len(), &["--f32-attention"]), mlx(&base));
    assert_predicts_as_mlx("phi3", &in_llama, &in_mlx, &in_base, 1e-3, 10.0);

    // The base itself, in a directory whose name holds `phi3`: written as `phi_3`, and llama.cpp
    // reads chats (a message beginning with spaces right after `<|user|>`) as training did.
    let dir = tempfile::tempdir().unwrap();
    let named = copy_of(&base, &dir.path().join("my-phi3-model"));
    let named_gguf = dir.path().join("named.gguf");
    let out = Command::new(mlx_python()).arg(to_gguf_py()).arg(&named).arg(&named_gguf).env("HF_HUB_OFFLINE", "1").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(gguf_string(&named_gguf, "general.name").as_deref(), Some("my-phi_3-model"));
    let rendered = assert_reads_chats_as_trained(&named_gguf, &named, "phi3");
    assert!(rendered[2].contains("<|user|>  two spaces"), "{}", rendered[2]);
}

/// llama.cpp applies no normalizer, so the tokens are checked against those training used:
/// a tokenizer that lowercases text first (in `tokenizer.json`, which transformers reads as it
/// is for Llama's tiny model) is refused, where it was once written and llama.cpp read the
/// prompts as other tokens; the same normalizer in a Qwen tokenizer, which transformers'
/// Qwen2 class builds anew and never lowercases with, is written, and llama.cpp reads capitals
/// as training did.
#[test]
fn a_tokenizer_that_changes_text_first_is_refused_unless_training_did_not() {
    let dir = tempfile::tempdir().unwrap();
    let to_gguf = to_gguf_py();
    for (name, base) in [("llama", tiny_model().to_path_buf()), ("qwen2", tiny_qwen("qwen2"))] {
        let model = copy_of(&base, &dir.path().join(name));
        edit_json(&model.join("tokenizer.json"), |t| t["normalizer"] = serde_json::json!({"type": "Lowercase"}));
        let gguf = dir.path().join(format!("{name}.gguf"));
        let out = Command::new(mlx_python()).arg(&to_gguf).arg(&model).arg(&gguf).env("HF_HUB_OFFLINE", "1").output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        if name == "llama" {
            assert_eq!(out.status.code(), Some(4), "{err}");
            assert!(err.contains("(pre-tokenizer ByteLevel, normalizer Lowercase)"), "{err}");
            assert!(!gguf.exists(), "nothing written");
        } else {
            assert!(out.status.success(), "{err}");
            let prompts = ["Users Complain Search Is SLOW", "We Need Retries"];
            let trained = trained_tokens(&model, &prompts);
            assert_ne!(trained[0], trained_tokens(&model, &["users complain search is slow"])[0], "training kept the capitals");
            assert_eq!(llama_cpp_tokens(&gguf, &prompts), trained);
        }
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 3, "the two models and Qwen's file, nothing partial: {left:?}");
}
