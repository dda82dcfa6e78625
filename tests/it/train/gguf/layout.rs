//! How a GGUF file says what the model is, each checked against llama.cpp by `to_gguf.py`
//! run directly on tiny models: the pre-tokenizer's name, Llama 3.1's RoPE scaling, and
//! embedding rows past the tokenizer's tokens.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{copy_of, edit_json, gguf_string, largest_gap, llama_cpp, llama_cpp_lines, llama_cpp_tokens, mlx, to_gguf_py, trained_tokens, PROMPTS};
use crate::train::{mlx_python, tiny_model};

/// Prompts where the splits llama.cpp names give different tokens (numbers, code,
/// CJK), none of them among the texts `to_gguf.py` checks.
pub(super) const SPLIT_PROMPTS: [&str; 6] = [
    "The 2000000 rows took 1000 ms; they said it's 4000000 now.",
    "x = bar(baz, 42) * 1000000;\n    return x  # done",
    "It's 1999: they've 4096 rows; we'd pay 2.71828 and won't stop.",
    "while (n >= 100 || m != 7) { log(`n=${n}`); } // 12 retries; p->q::r <=> s",
    "    indented\n\n\tcode = 12345678 + x  # note\r\n",
    "東京 2025年 서울 — café naïve",
];

/// A tiny model whose tokenizer splits text as `kind`'s family does (`tools/tiny_model.py --pre`).
fn tiny_model_splitting(kind: &str) -> PathBuf {
    tiny_variant(kind, &["--pre", kind])
}

/// A variant of the tiny model (`tools/tiny_model.py` with `args`), built once like it.
pub(super) fn tiny_variant(name: &str, args: &[&str]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tiny-model-{name}"));
    // Two tests of one process may want the same variant: one builds it while the other
    // waits, so neither replaces the model the other has trained on (a second build, moved
    // in between the first one's training and its fuse, once gave the GGUF another
    // tokenizer than the fused model's).
    static BUILDING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = BUILDING.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if !dir.join("model.safetensors").is_file() {
        let building = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("tiny-model-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&building);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/tiny_model.py");
        let out = Command::new(mlx_python()).arg(script).arg(&building).args(args).output().unwrap();
        assert!(out.status.success(), "tiny model: {}", String::from_utf8_lossy(&out.stderr));
        // A partial directory left by a killed run is not a model: it goes.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::rename(&building, &dir).unwrap();
    }
    dir
}

/// Of llama.cpp's names, those whose splits give `model`'s own tokens on every prompt.
fn names_that_split_as(model: &Path) -> Vec<String> {
    let code = r#"
import sys
sys.path.insert(0, sys.argv[1])
import gguf_vocab
from tokenizers import Tokenizer
path, prompts = sys.argv[2] + "/tokenizer.json", sys.argv[3:]
want = [e.ids for e in Tokenizer.from_file(path).encode_batch(prompts, add_special_tokens=False)]
for name, splits in gguf_vocab.LLAMA_CPP_PRE.items():
    t = Tokenizer.from_file(path)
    t.pre_tokenizer = splits()
    if [e.ids for e in t.encode_batch(prompts, add_special_tokens=False)] == want:
        print(name)
"#;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/train");
    let out = Command::new(mlx_python()).arg("-c").arg(code).arg(src).arg(model).args(SPLIT_PROMPTS).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

/// Each pre-tokenizer llama.cpp names is written under its name, and llama.cpp then
/// tokenizes as the model's own tokenizer does on prompts where the names part; one llama.cpp
/// has no name for is refused.
#[test]
fn each_split_llama_cpp_names_is_written_under_that_name() {
    let to_gguf = to_gguf_py();
    let dir = tempfile::tempdir().unwrap();
    for (kind, name) in [("gpt2", "gpt-2"), ("llama3", "llama-bpe"), ("deepseek-coder", "deepseek-coder")] {
        let model = tiny_model_splitting(kind);
        let gguf = dir.path().join(format!("{kind}.gguf"));
        let out = Command::new(mlx_python()).arg(&to_gguf).arg(&model).arg(&gguf).env("HF_HUB_OFFLINE", "1").output().unwrap();
        assert!(out.status.success(), "{kind}: {}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(gguf_string(&gguf, "tokenizer.ggml.pre").as_deref(), Some(name), "{kind}");
        // On these prompts only this name's splits give the model's tokens (but `gpt-4o`'s,
        // coarser than Llama 3's only at contractions, which a tokenizer with no merge across
        // them reads alike: to_gguf.py tries it last, and the Phi-3 test tells it apart) ...
        let apart: Vec<String> = names_that_split_as(&model).into_iter().filter(|n| n != "gpt-4o").collect();
        assert_eq!(apart, vec![name.to_string()], "{kind}: the prompts tell the names apart");
        // ... and llama.cpp gives them: it split as that name says.
        let own = trained_tokens(&model, &SPLIT_PROMPTS);
        let in_llama = llama_cpp_tokens(&gguf, &SPLIT_PROMPTS);
        for ((prompt, own), llama) in SPLIT_PROMPTS.iter().zip(&own).zip(&in_llama) {
            assert_eq!(llama, own, "{kind}: {prompt:?}");
        }
        // No BOS, as the tokenizer adds none, though `llama-bpe` implies one to llama.cpp.
        assert_eq!(llama_cpp_lines(&gguf, &["a"])[0]["addBos"], false, "{kind}");
    }
    let model = tiny_model_splitting("whitespace");
    let gguf = dir.path().join("whitespace.gguf");
    let out = Command::new(mlx_python()).arg(&to_gguf).arg(&model).arg(&gguf).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("as none of llama.cpp's gpt-2, llama-bpe, deepseek-coder, qwen2, gpt-4o does"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!gguf.exists() && std::fs::read_dir(dir.path()).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().contains("whitespace")));
}

/// Llama 3.1's RoPE scaling (Llama 3.2's small models have it too) travels as the divisors
/// llama.cpp reads (`rope_freqs`): llama.cpp then predicts as mlx-lm does with the scaling,
/// which differs from the same weights without it far more than the two runtimes differ.
#[test]
fn llama_3_rope_scaling_is_written_as_llama_cpp_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let scaled = copy_of(tiny_model(), &dir.path().join("scaled"));
    // An original context of 64 tokens, so the scaling reaches most of the tiny model's frequencies.
    edit_json(&scaled.join("config.json"), |config| {
        config["rope_scaling"] =
            serde_json::json!({"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64})
    });

    let to_gguf = to_gguf_py();
    let gguf = dir.path().join("scaled.gguf");
    let out = Command::new(mlx_python()).arg(&to_gguf).arg(&scaled).arg(&gguf).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (with, without) = (mlx(&scaled), mlx(tiny_model()));
    let in_llama = llama_cpp(&gguf, with[0].1.len());
    for ((prompt, (_, lp)), ((_, wp), (_, np))) in PROMPTS.iter().zip(&in_llama).zip(with.iter().zip(&without)) {
        let (gap, scaling) = (largest_gap(lp, wp), largest_gap(wp, np));
        eprintln!("{prompt}: llama.cpp and mlx-lm differ by at most {gap:.2e}; the scaling moves it by {scaling:.2e}");
        assert!(gap < 1e-4 && scaling > 10.0 * gap, "{prompt}: llama.cpp and mlx-lm differ by {gap}, the scaling moves it by {scaling}");
    }
}

/// More rows of embeddings than the tokenizer has tokens (DeepSeek Coder pads its 32,256
/// rows past its tokens): llama.cpp refuses such a file unless each row has a token, so the rest are unused
/// padding, and it then predicts as mlx-lm does.
#[test]
fn embedding_rows_past_the_tokenizer_are_padded() {
    let model = tiny_variant("padded", &["--pad", "15"]);
    let to_gguf = to_gguf_py();
    let dir = tempfile::tempdir().unwrap();
    let gguf = dir.path().join("padded.gguf");
    let out = Command::new(mlx_python()).arg(&to_gguf).arg(&model).arg(&gguf).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let in_mlx = mlx(&model);
    assert_eq!(in_mlx[0].1.len(), 512);
    let in_llama = llama_cpp(&gguf, 512);
    for ((prompt, (ltok, lp)), (mtok, mp)) in PROMPTS.iter().zip(&in_llama).zip(&in_mlx) {
        assert_eq!(ltok, mtok, "{prompt}");
        assert!(largest_gap(lp, mp) < 1e-4, "{prompt}: {}", largest_gap(lp, mp));
    }
    let code = "import sys, gguf\nf = gguf.GGUFReader(sys.argv[1]).fields['tokenizer.ggml.tokens']\nprint(len(f.data), f.contents()[-1])";
    let out = Command::new(mlx_python()).arg("-c").arg(code).arg(&gguf).output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().trim(), "512 [PAD511]");
}

/// llama.cpp puts BOS before a text as the model's tokenizer does in training (mlx-lm's
/// load of it), whatever its pre-tokenizer's name implies: here a Llama-3-split tokenizer
/// (`llama-bpe`, which implies BOS) with a BOS template; without one (the split test above),
/// no BOS.
#[test]
fn llama_cpp_adds_bos_as_the_tokenizer_does() {
    let dir = tempfile::tempdir().unwrap();
    let to_gguf = to_gguf_py();
    let model = copy_of(&tiny_model_splitting("llama3"), &dir.path().join("bos"));
    let (bos, text) = (serde_json::json!({"SpecialToken": {"id": "<s>", "type_id": 0}}), serde_json::json!({"Sequence": {"id": "A", "type_id": 0}}));
    edit_json(&model.join("tokenizer.json"), |t| {
        t["post_processor"] = serde_json::json!({"type": "TemplateProcessing", "single": [bos, text], "pair": [bos, text, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}})
    });
    let gguf = dir.path().join("bos.gguf");
    let out = Command::new(mlx_python()).arg(&to_gguf).arg(&model).arg(&gguf).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(gguf_string(&gguf, "tokenizer.ggml.pre").as_deref(), Some("llama-bpe"));
    let line = &llama_cpp_lines(&gguf, &["a"])[0];
    assert_eq!((&line["addBos"], &line["addEos"]), (&serde_json::json!(true), &serde_json::json!(false)));
}
