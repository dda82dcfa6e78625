//! Gemma (CodeGemma's), Gemma 2 and Gemma 3 (text alone, and with vision, whose language half
//! mlx-lm trains): tiny runs (`tools/tiny_model.py --arch`) fused and written as GGUF under
//! llama.cpp's `gemma`, `gemma2` and `gemma3`, which then read chats as training did and predict as mlx-lm does on the fused
//! model; a Gemma whose attention scale llama.cpp would derive otherwise, refused.

use std::process::Command;

use crate::env::OutputExt;

use super::layout::tiny_variant;
use super::sentencepiece::assert_reads_chats_as_trained;
use super::{assert_predicts_as_mlx, copy_of, edit_json, gguf_string, linked_world, llama_cpp_with, mlx, mlx_python, to_gguf_py, trained_run};

#[test]
fn gemma_runs_read_in_llama_cpp_as_in_mlx() {
    let (env, world) = linked_world();
    for (arch, written_as) in [("gemma", "gemma"), ("gemma2", "gemma2"), ("gemma3_text", "gemma3"), ("gemma3", "gemma3")] {
        let base = tiny_variant(&format!("arch-{arch}"), &["--arch", arch]);
        let run = trained_run(&env, &world, &base);
        let run_id = run.file_name().unwrap().to_str().unwrap();
        env.screenlink(["fuse", "--gguf", run_id]).assert_ok();
        let (fused, gguf) = (run.join("fused"), run.join(format!("{run_id}.gguf")));
        let field = |key: &str| gguf_string(&gguf, &key.replace("{arch}", written_as));
        assert_eq!(field("general.architecture").as_deref(), Some(written_as));
        // Gemma's tokenizer puts no `▁` before text: found so from training's chats.
        assert_eq!(field("tokenizer.ggml.model").as_deref(), Some("llama"), "{arch}");
        assert_eq!(field("tokenizer.ggml.add_space_prefix").as_deref(), Some("False"), "{arch}");
        assert!(field("tokenizer.chat_template").unwrap().contains("<start_of_turn>"), "{arch}");
        if written_as == "gemma" {
            assert_eq!(field("{arch}.attention.sliding_window"), None, "Gemma 1 has no window");
        } else if written_as == "gemma2" {
            assert_eq!((field("{arch}.attn_logit_softcapping"), field("{arch}.final_logit_softcapping")), (Some("1.0".into()), Some("2.0".into())));
        } else {
            // Local layers (one of two), their window and RoPE base, as the config says.
            let swa = ["{arch}.attention.sliding_window", "{arch}.attention.sliding_window_pattern", "{arch}.rope.freq_base_swa"].map(field);
            assert_eq!(swa, [Some("4".into()), Some("2".into()), Some("1000.0".into())], "{arch}");
        }

        // Chats as llama.cpp's chat tools read them: the very tokens training read.
        let rendered = assert_reads_chats_as_trained(&gguf, &fused, arch);
        assert!(rendered[0].starts_with("<bos><start_of_turn>user\n"), "{}", rendered[0]);
        // The fine-tuned weights, past the 4-token window: llama.cpp predicts as mlx-lm does
        // (attention in 32 bits: llama.cpp's half-precision attention alone moved the tiny
        // Gemma 3 base's peaked predictions by up to 1.9e-3; a norm, window, window pattern,
        // RoPE base or cap written wrong moves them by 3.5e-3 to 0.43, checked by hand on the
        // bases).
        let in_mlx = mlx(&fused);
        let (in_llama, in_base) = (llama_cpp_with(&gguf, in_mlx[0].1.len(), &["--f32-attention"]), mlx(&base));
        assert!(in_mlx.iter().all(|(tokens, _)| tokens.len() > 4), "{arch}: prompts longer than the window");
        assert_predicts_as_mlx(arch, &in_llama, &in_mlx, &in_base, 1e-3, 10.0);
    }
}

/// mlx-lm scales attention by the config's `query_pre_attn_scalar`, llama.cpp by a number it
/// derives from the head width: a config where the two part is refused, nothing written.
#[test]
fn a_gemma_scaled_otherwise_than_llama_cpp_derives_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = copy_of(&tiny_variant("arch-gemma3_text", &["--arch", "gemma3_text"]), &dir.path().join("model"));
    edit_json(&model.join("config.json"), |c| c["query_pre_attn_scalar"] = 144.into());
    let gguf = dir.path().join("model.gguf");
    let out = Command::new(mlx_python()).arg(to_gguf_py()).arg(&model).arg(&gguf).env("HF_HUB_OFFLINE", "1").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("1 / sqrt(144) (query_pre_attn_scalar), where llama.cpp's Gemma with 2 layers scales by 1 / sqrt(32)"), "{err}");
    assert!(!gguf.exists(), "nothing written");
}
