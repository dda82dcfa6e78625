//! SentencePiece-style tokenizers (Mistral's, Llama 2's): a tiny Mistral run fused and written
//! as GGUF, which llama.cpp then reads as training did, chats laid out by the chat template
//! token for token; one llama.cpp would read otherwise, refused.

use std::path::Path;
use std::process::Command;

use crate::env::OutputExt;

use super::layout::{tiny_variant, SPLIT_PROMPTS};
use super::{
    assert_predicts_as_mlx, copy_of, edit_json, gguf_string, linked_world, llama_cpp, llama_cpp_reading, llama_cpp_tokens, mlx, mlx_python, to_gguf_py,
    tokens_of, trained_run, trained_tokens,
};

/// Conversations where SentencePiece-style readings part: code and its indentation, runs of
/// spaces, characters the vocabulary lacks (bytes), a message that begins with spaces.
const CHATS: [[&str; 2]; 3] = [
    ["users complain search is slow", "fn retry_upload(input: &Upload) {\n    Ok(input.clone())\n}"],
    ["東京 2025年 서울 — café naïve", "   x = bar(baz, 42) * 1000000;\n\treturn x  # done"],
    ["  two spaces, then [INST] in a message", "The 2000000 rows took 1000 ms."],
];

/// Each chat as mlx-lm lays it out to train (its chat template) and the tokens training read.
fn trained_chats(model: &Path) -> Vec<(String, Vec<u32>)> {
    let code = r#"
import json, sys
from pathlib import Path
from mlx_lm.tokenizer_utils import load
t = load(Path(sys.argv[1]))
for user, answer in json.loads(sys.argv[2]):
    chat = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    print(json.dumps([t.apply_chat_template(chat, tokenize=False), list(t.apply_chat_template(chat, return_dict=False))]))
"#;
    let chats = serde_json::to_string(&CHATS).unwrap();
    let out = Command::new(mlx_python()).arg("-c").arg(code).arg(model).arg(chats).env("HF_HUB_OFFLINE", "1").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// llama.cpp reads each of `CHATS`, laid out by `model`'s chat template as llama.cpp's chat
/// tools lay it out, as the very tokens training read; the laid-out chats, for their checks.
pub(super) fn assert_reads_chats_as_trained(gguf: &Path, model: &Path, name: &str) -> Vec<String> {
    let chats = trained_chats(model);
    let rendered: Vec<&str> = chats.iter().map(|(text, _)| text.as_str()).collect();
    for ((text, want), line) in chats.iter().zip(llama_cpp_reading(gguf, &rendered, &["--special"])) {
        assert_eq!(&tokens_of(&line), want, "{name}: {text:?}");
    }
    chats.into_iter().map(|(text, _)| text).collect()
}

#[test]
fn sentencepiece_style_runs_read_in_llama_cpp_as_in_mlx() {
    let (env, world) = linked_world();
    // As transformers 5 saves such a tokenizer (`▁` before the start of a text only), and as
    // Llama 2's and Mistral v0.1's files are (a normalizer puts one before each run of text).
    for (name, args, space_prefix) in
        [("mistral", &["--arch", "mistral"][..], "False"), ("mistral-normalizer", &["--arch", "mistral", "--spaces-by-normalizer"][..], "True")]
    {
        let base = tiny_variant(name, args);
        let run = trained_run(&env, &world, &base);
        let run_id = run.file_name().unwrap().to_str().unwrap();
        env.screenlink(["fuse", "--gguf", run_id]).assert_ok();
        let (fused, gguf) = (run.join("fused"), run.join(format!("{run_id}.gguf")));
        assert_eq!(gguf_string(&gguf, "tokenizer.ggml.model").as_deref(), Some("llama"), "{name}");
        assert_eq!(gguf_string(&gguf, "tokenizer.ggml.add_space_prefix").as_deref(), Some(space_prefix), "{name}");

        // Chats as llama.cpp's chat tools read them: the very tokens training read.
        let rendered = assert_reads_chats_as_trained(&gguf, &fused, name);
        assert!(rendered[2].contains("[INST]   two spaces"), "{}", rendered[2]);
        if space_prefix == "True" {
            // Plain text too, and the fine-tuned weights: llama.cpp predicts as mlx-lm does.
            assert_eq!(llama_cpp_tokens(&gguf, &SPLIT_PROMPTS), trained_tokens(&fused, &SPLIT_PROMPTS), "{name}");
            let in_mlx = mlx(&fused);
            let (in_llama, in_base) = (llama_cpp(&gguf, in_mlx[0].1.len()), mlx(&base));
            assert_predicts_as_mlx(name, &in_llama, &in_mlx, &in_base, 1e-3, 10.0);
        }
    }
}

/// A tokenizer that puts `▁` before a run of text after a special token only when the run
/// does not begin with a space (a Metaspace read as written), under a template with text both
/// ways: llama.cpp, with or without its space before such runs, would read chats otherwise than
/// training did, so it is refused, naming why.
#[test]
fn a_sentencepiece_tokenizer_llama_cpp_would_read_otherwise_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = copy_of(&tiny_variant("mistral", &["--arch", "mistral"]), &dir.path().join("model"));
    edit_json(&model.join("tokenizer.json"), |t| t["pre_tokenizer"]["prepend_scheme"] = "always".into());
    edit_json(&model.join("tokenizer_config.json"), |c| {
        c["tokenizer_class"] = "PreTrainedTokenizerFast".into();
        c["chat_template"] = c["chat_template"].as_str().unwrap().replace("'assistant' %} {{", "'assistant' %}{{").into();
    });
    let gguf = dir.path().join("model.gguf");
    let out = Command::new(mlx_python()).arg(to_gguf_py()).arg(&model).arg(&gguf).env("HF_HUB_OFFLINE", "1").output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(err.contains("its tokenizer is SentencePiece-style") && err.contains("otherwise than training did"), "{err}");
    assert!(!gguf.exists(), "nothing written");
}
