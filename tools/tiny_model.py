"""Build a tiny model for tests:
`python tools/tiny_model.py OUT_DIR [--pre KIND] [--pad N] [--arch ARCH]`.

A byte-level BPE tokenizer trained with the `tokenizers` package (saved with a chat template)
and random weights created with mlx-lm's own model class, saved as safetensors: hidden size
64, 2 layers, 4 heads. Nothing is downloaded. Needs mlx-lm and tokenizers.

`--arch` builds another family's model instead of Llama's: `qwen2` (Qwen2.5's: biases on q, k
and v, two KV heads) or `qwen3` (Qwen3's: norms on q and k, heads of 32 wider than 64 / 4).

`--arch mistral` is Mistral's (v0.3) model with a SentencePiece-style tokenizer: BPE over text
whose spaces are `▁`, a token per byte for characters it lacks, `[INST]` and `[/INST]` as
control tokens, Mistral's chat layout; as transformers 5 saves it (a Metaspace pre-tokenizer,
`▁` before the start of a text only). `--spaces-by-normalizer`: as Llama 2's and Mistral
v0.1's files are (a normalizer makes spaces `▁` and puts one before each run of text).

`--arch gemma`, `gemma2`, `gemma3_text` and `gemma3` are Gemma's (CodeGemma's), Gemma 2's,
Gemma 3's (text: 1B) and Gemma 3's with vision (4B and up, whose language half mlx-lm trains:
no vision weights here) models with Gemma's SentencePiece-style tokenizer (`<bos>`,
`<start_of_turn>`, no `▁` before text) and chat layout.

`--arch phi3` is Phi-4-mini's model (fused q, k, v and gate, up; part of each head rotated;
LongRoPE) with its chat layout and special tokens, a byte-level tokenizer (`--pre gpt-4o` for
Phi-4-mini's splits).

`--pre` splits text before BPE as another family of tokenizers does (`llama3`,
`deepseek-coder`, `gpt-4o`, `qwen2`, which also composes text to NFC first, as Qwen's does;
`whitespace`; default GPT-2's), trained on more kinds of text (numbers, contractions, code,
CJK) so the merges differ where the splits do: the GGUF test's tokenizers.
"""

import argparse
import json
from pathlib import Path

import mlx.core as mx
from mlx.utils import tree_flatten
from mlx_lm.models import gemma, gemma2, gemma3, gemma3_text, llama, phi3, qwen2, qwen3
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

CHAT_TEMPLATE = (
    "{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}</s>\n{% endfor %}"
    "{% if add_generation_prompt %}<s>assistant: {% endif %}"
)

# Qwen's chat layout (ChatML) and special tokens, for `--arch qwen2` and `qwen3`: no BOS,
# the turn's end as EOS, as Qwen's instruct models have.
CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
QWEN_SPECIAL = {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"}

# Phi-4-mini's chat layout and special tokens, for `--arch phi3`: no BOS, a turn's end as EOS.
PHI_TEMPLATE = (
    "{% for m in messages %}{{ '<|' + m['role'] + '|>' + m['content'] + '<|end|>' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}"
)
PHI_SPECIAL = {"eos_token": "<|end|>", "pad_token": "<|endoftext|>"}
PHI_TOKENS = ["<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]

CORPUS = [
    "Business Context from team discussions: users complain search is slow with a thousand results.",
    "We need retries with exponential backoff and some jitter when the upstream server is slow.",
    "Task: Modify src/search.rs (crate api)",
    "pub fn paginate_search(results: &[String], page_size: usize) -> SearchPage {",
    "let limit = query.pagination.limit.unwrap_or(20); let offset = query.pagination.offset.unwrap_or(0);",
    "fn retry_upload(input: &Upload) -> Result<Upload, Error> { Ok(input.clone()) }",
    "system: You write the code change the discussion asks for. user: assistant:",
]


# More kinds of text for the `--pre` tokenizers: where their splits differ.
MORE = [
    "It's 2024 and we've 12345 users; they'll pay 3.14159 each, don't they?",
    "x = foo(bar, 42) + baz[7] * 1000000;\n    return x  # done\n\n\tend",
    "東京の会議で検索が遅いと言われた。서울에서도 같은 문제가 있습니다.",
    "if (a >= 10 && b != 0) { console.log(`ok ${a}`); } // 99 bottles",
    "The build's been failing since 20:15 UTC; I'd retry 3 times.",
]

# How each `--pre` splits text before BPE, as its family's tokenizer.json says.
SPLITS = {
    "llama3": [
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    ],
    "deepseek-coder": ["[\r\n]", r"\s?\p{L}+", r"\s?\p{P}+", "[一-龥ࠀ-一가-퟿]+", r"\p{N}"],
    "qwen2": [
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    ],
    # GPT-4o's, as Phi-4-mini's tokenizer.json has it.
    "gpt-4o": [
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
        r"|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"
        r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
    ],
}

# Mistral's v3 chat layout: a space after `[INST]` and after `[/INST]`.
MISTRAL_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'assistant' %} {{ m['content'] }}{{ eos_token }}"
    "{% else %}[INST] {{ m['content'] }}[/INST]{% endif %}{% endfor %}"
)

# Gemma 3's chat layout (Gemma 2's, but a system message goes before the first user turn).
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set first = messages[0]['content'] + '\\n\\n' %}"
    "{% set messages = messages[1:] %}{% else %}{% set first = '' %}{% endif %}{% for m in messages %}"
    "{% set role = 'model' if m['role'] == 'assistant' else m['role'] %}"
    "{{ '<start_of_turn>' + role + '\\n' + (first if loop.first else '') + m['content'] | trim + '<end_of_turn>\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<start_of_turn>model\\n' }}{% endif %}"
)

# What Gemma's configs say besides Llama's: heads of 32 (wider than 64 / 4), one KV head, the
# attention scale's own number, Gemma 2's caps on logits, Gemma 3's local layers (every layer
# but each second's last, here: one of two) with their own RoPE base and a window of 4
# tokens, so prompts pass it; its global layers' linear RoPE scaling.
GEMMA = {"head_dim": 32, "num_key_value_heads": 1, "query_pre_attn_scalar": 32, "rms_norm_eps": 1e-6}

# Each `--arch`: mlx-lm's class and what its config adds to or changes in the Llama one.
ARCHS = {
    "llama": (llama, {}),
    "qwen2": (qwen2, {"model_type": "qwen2", "num_key_value_heads": 2, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0}),
    "mistral": (llama, {"model_type": "mistral", "num_key_value_heads": 2, "rope_theta": 1000000.0}),
    "qwen3": (qwen3, {"model_type": "qwen3", "num_key_value_heads": 2, "head_dim": 32, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0}),
    "gemma": (gemma, {**GEMMA, "model_type": "gemma"}),
    "gemma2": (
        gemma2,
        {**GEMMA, "model_type": "gemma2", "attn_logit_softcapping": 1.0, "final_logit_softcapping": 2.0, "sliding_window": 4096},
    ),
    "gemma3_text": (
        gemma3_text,
        {
            **GEMMA,
            "model_type": "gemma3_text",
            "rope_theta": 1000000.0,
            "rope_local_base_freq": 1000.0,
            "rope_scaling": {"rope_type": "linear", "factor": 8.0},
            "sliding_window": 4,
            "sliding_window_pattern": 2,
        },
    ),
}
ARCHS["gemma3"] = (gemma3, ARCHS["gemma3_text"][1])
# Phi-4-mini's: three quarters of each head rotated, LongRoPE past an original context of 64.
ARCHS["phi3"] = (
    phi3,
    {
        "model_type": "phi3",
        "num_key_value_heads": 2,
        "partial_rotary_factor": 0.75,
        "original_max_position_embeddings": 64,
        "rope_scaling": {"type": "longrope", "long_factor": [1.0, 1.5, 2.5, 4.0, 6.0, 9.0], "short_factor": [1.0] * 6},
    },
)


def pre_tokenizer(kind: str):
    if kind == "gpt2":
        return pre_tokenizers.ByteLevel(add_prefix_space=False)
    if kind == "whitespace":
        return pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(), pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
    splits = [pre_tokenizers.Split(Regex(p), "isolated") for p in SPLITS[kind]]
    return pre_tokenizers.Sequence(splits + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])


def byte_level(out: Path, args, kind: str) -> Tokenizer:
    """A byte-level BPE tokenizer split as `kind`'s family splits text (GPT-2's by default)."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizer(kind)
    if kind == "qwen2":
        tok.normalizer = normalizers.NFC()
    tok.decoder = decoders.ByteLevel()
    qwen, phi = args.arch.startswith("qwen"), args.arch == "phi3"
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=PHI_TOKENS if phi else ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] if qwen else ["<s>", "</s>", "<pad>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    # The default model is the one every other test knows: its corpus unchanged.
    tok.train_from_iterator((CORPUS if args.pre is None else CORPUS + MORE) * 4, trainer)
    tok.save(str(out / "tokenizer.json"))
    special = PHI_SPECIAL if phi else QWEN_SPECIAL if qwen else {"bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>"}
    template = PHI_TEMPLATE if phi else CHATML if qwen else CHAT_TEMPLATE
    (out / "special_tokens_map.json").write_text(json.dumps(special))
    (out / "tokenizer_config.json").write_text(
        json.dumps({"tokenizer_class": "PreTrainedTokenizerFast", "chat_template": template, "model_max_length": 512, **special})
    )
    return tok


def sentencepiece_layout(tok: Tokenizer, leading: int, blocks: list[list[str]], added: list[str]) -> tuple[dict, dict]:
    """`tok`'s tokenizer.json laid out as a SentencePiece-style file: the `leading` special tokens
    BPE was trained with, then each block of tokens in turn, then what BPE learned, with a
    token per byte to fall back on; the leading and `added` tokens special. The spec and its
    vocabulary."""
    spec = json.loads(tok.to_str())
    learned = [t for t, _ in sorted(spec["model"]["vocab"].items(), key=lambda kv: kv[1])]
    order = learned[:leading] + [t for block in blocks for t in block] + learned[leading:]
    vocab = {t: i for i, t in enumerate(order)}
    spec["model"].update(vocab=vocab, byte_fallback=True, fuse_unk=True)
    spec["added_tokens"] = [
        {"id": vocab[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        for t in learned[:leading] + added
    ]
    return spec, vocab


BYTES = [f"<0x{b:02X}>" for b in range(256)]


def sentencepiece_style(out: Path, by_normalizer: bool) -> Tokenizer:
    """Mistral's layout of a SentencePiece-style tokenizer: `<unk>`, `<s>`, `</s>`, then a token
    per byte (`<0x00>`…), `[INST]` and `[/INST]`, then what BPE learned on the corpus."""
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<unk>", "<s>", "</s>"])
    tok.train_from_iterator((CORPUS + MORE) * 4, trainer)
    added = ["[INST]", "[/INST]"]
    spec, _ = sentencepiece_layout(tok, 3, [BYTES, added], added)
    if by_normalizer:
        spec["pre_tokenizer"] = None
        spec["normalizer"] = {
            "type": "Sequence",
            "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}],
        }
    else:
        spec["pre_tokenizer"] = {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}
    spec["decoder"] = {
        "type": "Sequence",
        "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
            {"type": "ByteFallback"},
            {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0},
        ],
    }
    (out / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False))
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
    (out / "special_tokens_map.json").write_text(json.dumps(special))
    config = {"tokenizer_class": "LlamaTokenizer", "legacy": by_normalizer, "add_bos_token": True, "add_eos_token": False, "chat_template": MISTRAL_TEMPLATE}
    (out / "tokenizer_config.json").write_text(json.dumps({**config, "model_max_length": 512, **special}))
    return Tokenizer.from_str(json.dumps(spec))


def gemma_style(out: Path) -> Tokenizer:
    """Gemma's layout of a SentencePiece-style tokenizer: `<pad> <eos> <bos> <unk>`, its turn
    tokens, a token per byte, then what BPE learned; spaces made `▁` by a normalizer that puts
    none before text (Gemma's tokenizer.json)."""
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="never", split=True)
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<pad>", "<eos>", "<bos>", "<unk>"])
    tok.train_from_iterator((CORPUS + MORE) * 4, trainer)
    added = ["<start_of_turn>", "<end_of_turn>"]
    spec, vocab = sentencepiece_layout(tok, 4, [added, BYTES], added)
    spec["pre_tokenizer"] = None
    spec["normalizer"] = {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}
    bos = {"SpecialToken": {"id": "<bos>", "type_id": 0}}
    spec["post_processor"] = {
        "type": "TemplateProcessing",
        "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
        "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, bos, {"Sequence": {"id": "B", "type_id": 1}}],
        "special_tokens": {"<bos>": {"id": "<bos>", "ids": [vocab["<bos>"]], "tokens": ["<bos>"]}},
    }
    spec["decoder"] = {
        "type": "Sequence",
        "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}],
    }
    (out / "tokenizer.json").write_text(json.dumps(spec, ensure_ascii=False))
    special = {"bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>"}
    (out / "special_tokens_map.json").write_text(json.dumps(special))
    config = {"tokenizer_class": "GemmaTokenizer", "add_bos_token": True, "add_eos_token": False, "chat_template": GEMMA_TEMPLATE}
    (out / "tokenizer_config.json").write_text(json.dumps({**config, "model_max_length": 512, **special}))
    return Tokenizer.from_str(json.dumps(spec))


def main() -> None:
    parser = argparse.ArgumentParser(description="Build a tiny model for tests.")
    parser.add_argument("out", type=Path)
    parser.add_argument("--pre", choices=["gpt2", "whitespace", *SPLITS])
    parser.add_argument("--pad", type=int, default=0)
    parser.add_argument("--arch", choices=list(ARCHS), default="llama")
    parser.add_argument("--spaces-by-normalizer", action="store_true")
    args = parser.parse_args()
    out, kind = args.out, args.pre or "gpt2"
    out.mkdir(parents=True, exist_ok=True)
    if args.arch == "mistral":
        tok = sentencepiece_style(out, args.spaces_by_normalizer)
    elif args.arch.startswith("gemma"):
        tok = gemma_style(out)
    else:
        tok = byte_level(out, args, kind)

    config = {
        "model_type": "llama",
        "hidden_size": 64,
        "num_hidden_layers": 2,
        "intermediate_size": 128,
        "num_attention_heads": 4,
        "num_key_value_heads": 4,
        "rms_norm_eps": 1e-5,
        # `--pad N`: N rows of embeddings past the tokenizer's tokens, as DeepSeek Coder has.
        "vocab_size": tok.get_vocab_size() + args.pad,
        "max_position_embeddings": 512,
        "rope_theta": 10000.0,
        "tie_word_embeddings": True,
        "bos_token_id": tok.token_to_id("<s>"),
        "eos_token_id": tok.token_to_id("</s>"),
    }
    if args.arch in ("qwen2", "qwen3"):
        # Qwen's config names `<|endoftext|>` BOS though its tokenizer adds none.
        config.update(bos_token_id=tok.token_to_id("<|endoftext|>"), eos_token_id=tok.token_to_id("<|im_end|>"))
    if args.arch == "phi3":
        config.update(bos_token_id=tok.token_to_id("<|endoftext|>"), eos_token_id=tok.token_to_id("<|end|>"), pad_token_id=tok.token_to_id("<|endoftext|>"))
    if args.arch.startswith("gemma"):
        config.update(bos_token_id=tok.token_to_id("<bos>"), eos_token_id=tok.token_to_id("<eos>"), pad_token_id=tok.token_to_id("<pad>"))
    module, changes = ARCHS[args.arch]
    config.update(changes)
    if args.arch == "gemma3":
        # Gemma 3 with vision, as mlx-lm loads it: the language half's config inside.
        text = {k: v for k, v in config.items() if not k.endswith("_token_id")}
        config = {"model_type": "gemma3", "vocab_size": config["vocab_size"], "text_config": {**text, "model_type": "gemma3_text"}}
        config.update({k: v for k, v in text.items() if k.endswith("_token_id")})
    (out / "config.json").write_text(json.dumps(config, indent=2))
    mx.random.seed(0)
    model = module.Model(module.ModelArgs.from_dict(config))
    weights = dict(tree_flatten(model.parameters()))
    if args.arch != "llama":
        # Norms start at one; moved, so a norm written in the wrong place shows.
        weights = {k: v + 0.2 * mx.random.normal(v.shape) if k.endswith("norm.weight") else v for k, v in weights.items()}
    if args.arch.startswith("gemma3"):
        # Gemma 3's output is its embedding, as in its own files (mlx-lm's class has a head
        # until it loads weights without one).
        weights = {k: v for k, v in weights.items() if not k.endswith("lm_head.weight")}
    mx.save_safetensors(str(out / "model.safetensors"), weights)
    print(f"tiny {args.arch} model in {out}: vocab {config['vocab_size']}, hidden 64, 2 layers")


if __name__ == "__main__":
    main()
