"""Write a fused model as one GGUF file for llama.cpp:
`python to_gguf.py [--q8_0] FUSED_DIR OUT [TRAINED_ON.jsonl...]`; `python to_gguf.py --check MODEL_DIR
[TRAINED_ON.jsonl...]` says only whether it would refuse (exit 4) a model. The JSONL files
(the run's training data) are texts the tokenizer check runs on besides its own.

git-screenlink runs this with the mlx-lm venv's Python (`git screenlink fuse --gguf`), not
mlx-lm's own `fuse --export-gguf`: llama.cpp refuses what that writes ("invalid gguf type
for tokenizer.ggml.token_type", mlx-lm 0.32 and llama.cpp b7000-era, checked by hand), and
it labels every tokenizer SentencePiece, which garbles a byte-level BPE model's text.

The writer is llama.cpp's own (the `gguf` package); the tensors are mlx-lm's safetensors.
A model this cannot convert faithfully is refused with the reason on stderr and exit 4:
an architecture not in ARCHS (Llama's, Mistral's, Qwen2's, Qwen3's), quantized weights, a
tokenizer other than byte-level BPE split as one of LLAMA_CPP_PRE splits (SentencePiece-style
ones llama.cpp merges by scores tokenizer.json does not hold), a RoPE scaling other than
linear or Llama 3.1's.
"""

import json
import math
import sys
import unicodedata
from pathlib import Path

import mlx.core as mx
import numpy as np
from mlx_lm.tokenizer_utils import load as load_tokenizer
from tokenizers import Regex, Tokenizer, pre_tokenizers

try:
    import gguf
except ImportError:
    print("MISSING gguf", file=sys.stderr)
    sys.exit(5)

REFUSED = 4

# Each model_type this writes: llama.cpp's architecture, and whether q and k are permuted.
# Hugging Face stores every model's q and k for a rotation of a head's two halves; llama.cpp's
# Llama rotates pairs of neighbours (its converter permutes them), its Qwen the halves.
ARCHS = {
    "llama": (gguf.MODEL_ARCH.LLAMA, True),
    "mistral": (gguf.MODEL_ARCH.LLAMA, True),
    "qwen2": (gguf.MODEL_ARCH.QWEN2, False),
    "qwen3": (gguf.MODEL_ARCH.QWEN3, False),
}


def refuse(why: str) -> None:
    print(f"REFUSED {why}", file=sys.stderr)
    sys.exit(REFUSED)


def token_types(tokenizer: dict, n_vocab: int) -> list[int]:
    """NORMAL, but CONTROL for the tokenizer's special tokens and USER_DEFINED for its other
    added ones, so llama.cpp matches `</s>` in a chat template as one token."""
    types = [gguf.TokenType.NORMAL] * n_vocab
    for added in tokenizer.get("added_tokens") or []:
        if added["id"] < n_vocab:
            types[added["id"]] = gguf.TokenType.CONTROL if added.get("special") else gguf.TokenType.USER_DEFINED
    return types


def _splits(patterns: list[str]):
    return pre_tokenizers.Sequence(
        [pre_tokenizers.Split(Regex(p), "isolated") for p in patterns] + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)]
    )


# llama.cpp knows a byte-level tokenizer's pre-tokenizer (how text is split before BPE) only
# by a name (`tokenizer.ggml.pre`), each meaning the splits below (llama.cpp's
# src/llama-vocab.cpp holds its own). A tokenizer is written under a name only when splitting
# text that way gives the very tokens its own pre-tokenizer gives, on CHECK_TEXTS and on the
# texts the model was trained on; else it is refused, never guessed.
LLAMA_CPP_PRE = {
    "gpt-2": lambda: pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    "llama-bpe": lambda: _splits(
        [r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"]
    ),
    "deepseek-coder": lambda: _splits(["[\r\n]", r"\s?\p{L}+", r"\s?\p{P}+", "[一-龥ࠀ-一가-퟿]+", r"\p{N}"]),
    "qwen2": lambda: _splits(
        [r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"]
    ),
}

# The names under which llama.cpp takes a piece that is a token whole, before merging.
TAKES_WHOLE_PIECES = {"llama-bpe"}

# Where pre-tokenizers part: numbers, contractions, code, runs of spaces and newlines, CJK.
CHECK_TEXTS = [
    "It's 2024: we've 12345 users and they'll pay 3.14159 each, don't they? I'd say 7.",
    "def retry(n=3):\n    for i in range(10_000):\n        x = foo(bar, 42) + baz[7] * 1000000  # ok\n\n\treturn x",
    "if (a >= 10 && b != 0) { console.log(`ok ${a}`); } // 99 bottles; a->b::c <=> d",
    "東京の会議で検索が遅いと言われた。서울에서도 같은 문제가 있습니다. Ünïcödé naïve café — «quotes»",
    "   leading spaces, trailing spaces   \n\n\n  \r\n mixed\tTabs\t\t and   runs    ",
    "The export times out for big customers (> 5,000 rows); WICKET-6473 fixed it at 20:15 UTC.",
]


def texts_of(files: list[str]) -> list[str]:
    """Every string in the JSONL files the model was trained on (chat or completions)."""
    out: list[str] = []

    def walk(v) -> None:
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)

    for f in files:
        for line in Path(f).read_text(encoding="utf-8").splitlines():
            if line.strip():
                walk(json.loads(line))
    return out


def llama_cpp_pre(tokenizer: dict, trained, texts: list[str]) -> str | None:
    """The name whose splits give the tokens of `trained` (the tokenizer as mlx-lm loads it to
    train: transformers' reading of `tokenizer`, which some of its classes rebuild) on every
    text, if one does. The splits are tried with no normalizer, as llama.cpp has none: a
    tokenizer that changes text before splitting it differs. Except composing it (NFC,
    Qwen's): on text already composed, as the check texts are made, both read alike, and
    llama.cpp's own converter writes such a tokenizer the same way."""
    if (tokenizer.get("normalizer") or {}).get("type") == "NFC":
        texts = [unicodedata.normalize("NFC", t) for t in texts]
    want = trained._tokenizer(texts, add_special_tokens=False)["input_ids"]
    # Whole pieces by the name, whatever tokenizer.json says, as llama.cpp does. Where two
    # names give the same tokens on the texts (Qwen's and Llama 3's splits differ only on
    # numbers, where a tokenizer with no token of several digits reads alike), the one that
    # merges as the tokenizer does is taken.
    own = bool(tokenizer["model"].get("ignore_merges"))
    for name in sorted(LLAMA_CPP_PRE, key=lambda n: (n in TAKES_WHOLE_PIECES) != own):
        splits = LLAMA_CPP_PRE[name]
        model = {**tokenizer["model"], "ignore_merges": name in TAKES_WHOLE_PIECES}
        candidate = Tokenizer.from_str(json.dumps({**tokenizer, "normalizer": None, "model": model}))
        candidate.pre_tokenizer = splits()
        if [e.ids for e in candidate.encode_batch(texts, add_special_tokens=False)] == want:
            return name
    return None


def adds_bos_eos(tokenizer) -> tuple[bool, bool]:
    """Whether the tokenizer mlx-lm trains with puts BOS before a text and EOS after it.
    Written into the file, so llama.cpp does as training did rather than what the
    pre-tokenizer's name implies (`llama-bpe` adds BOS to any tokenizer)."""
    bare, full = tokenizer.encode("a", add_special_tokens=False), tokenizer.encode("a")
    at = next((i for i in range(len(full)) if full[i : i + len(bare)] == bare), 0)
    bos = at > 0 and full[0] == tokenizer.bos_token_id
    eos = len(full) > at + len(bare) and full[-1] == tokenizer.eos_token_id
    return bos, eos


def checked_tokenizer(model_dir: Path, trained_on: list[str]) -> tuple[dict, str, tuple[bool, bool]]:
    """The tokenizer, llama.cpp's name for its pre-tokenizer, and whether training put BOS and
    EOS around a text; refused unless the name is sure."""
    tokenizer = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    model = tokenizer.get("model") or {}
    if model.get("type") != "BPE":
        refuse(f"its tokenizer is {model.get('type')}, not BPE")
    if model.get("byte_fallback"):
        # SentencePiece-style (Llama 2, Mistral): llama.cpp merges those by token scores,
        # which tokenizer.json does not hold.
        refuse("its tokenizer is SentencePiece-style (byte fallback), whose merge scores tokenizer.json does not hold")
    if (tokenizer.get("decoder") or {}).get("type") != "ByteLevel":
        refuse("its BPE tokenizer is neither byte-level nor SentencePiece-style")
    trained = load_tokenizer(model_dir)
    texts = CHECK_TEXTS + texts_of(trained_on)
    pre = llama_cpp_pre(tokenizer, trained, texts)
    if pre is None:
        kind = (tokenizer.get("pre_tokenizer") or {}).get("type", "none")
        # A normalizer is named too: llama.cpp has none, so one that changes text parts them.
        normalizer = (tokenizer.get("normalizer") or {}).get("type")
        how = f"pre-tokenizer {kind}" + (f", normalizer {normalizer}" if normalizer else "")
        refuse(
            f"its tokenizer splits text before BPE ({how}) as none of llama.cpp's "
            f"{', '.join(LLAMA_CPP_PRE)} does: their tokens differ on {len(texts)} texts checked"
        )
    return tokenizer, pre, adds_bos_eos(trained)


def rope_scaling(config: dict) -> tuple[dict, str | None]:
    """config.json's RoPE scaling and its kind (`type` in older configs, `rope_type` now)."""
    scaling = config.get("rope_scaling") or {}
    return scaling, scaling.get("type") or scaling.get("rope_type")


def kv_heads(config: dict) -> int:
    return config.get("num_key_value_heads", config["num_attention_heads"])


def head_dim(config: dict) -> int:
    return config.get("head_dim", config["hidden_size"] // config["num_attention_heads"])


def checked_config(model_dir: Path, whole: bool) -> dict:
    """config.json, refused unless llama.cpp reads it as mlx-lm does (`whole`: the
    weights must not be quantized, as they may be in a base that is dequantized as it is fused)."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") not in ARCHS:
        refuse(f"its architecture is {config.get('model_type')}; this writes {', '.join(ARCHS)} models only")
    if whole and (config.get("quantization") or config.get("quantization_config")):
        refuse("its weights are quantized")
    kind = rope_scaling(config)[1]
    if kind not in (None, "linear", "default", "llama3"):
        refuse(f"its RoPE scaling is {kind}")
    return config


def llama3_rope_factors(config: dict, scaling: dict) -> np.ndarray:
    """Llama 3.1's RoPE scaling as llama.cpp reads it: a divisor per rotary frequency
    (`rope_freqs`): 1 for short wavelengths, `factor` for long ones, smoothly between."""
    dim = head_dim(config)
    base = config.get("rope_theta", 10000.0)
    factor = scaling["factor"]
    low, high = scaling.get("low_freq_factor", 1.0), scaling.get("high_freq_factor", 4.0)
    old = scaling.get("original_max_position_embeddings", 8192)
    factors = []
    for i in range(0, dim, 2):
        wavelen = 2 * math.pi * base ** (i / dim)
        if wavelen < old / high:
            factors.append(1.0)
        elif wavelen > old / low:
            factors.append(factor)
        else:
            smooth = (old / wavelen - low) / (high - low)
            factors.append(1.0 / ((1 - smooth) / factor + smooth))
    return np.array(factors, dtype=np.float32)


def write_vocab(writer: gguf.GGUFWriter, model_dir: Path, rows: int, trained_on: list[str]) -> None:
    """The tokenizer, padded to the embedding's `rows` (DeepSeek Coder pads its 32,256 rows
    past its tokenizer's tokens): llama.cpp wants one token per row, the padding unused."""
    tokenizer, pre, (bos, eos) = checked_tokenizer(model_dir, trained_on)
    vocab = gguf.BpeVocab(model_dir)
    tokens = [text for text, _, _ in vocab.all_tokens()]
    if len(tokens) > rows:
        refuse(f"its tokenizer has {len(tokens)} tokens for {rows} rows of embeddings")
    types = token_types(tokenizer, len(tokens)) + [gguf.TokenType.UNUSED] * (rows - len(tokens))
    tokens += [f"[PAD{i}]" for i in range(len(tokens), rows)]
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    special = gguf.SpecialVocab(model_dir, load_merges=True, n_vocab=rows)
    special.add_special_token["bos"], special.add_special_token["eos"] = bos, eos
    special.add_to_gguf(writer, quiet=True)


def permute(w: np.ndarray, heads: int) -> np.ndarray:
    """Hugging Face's rotary layout to llama.cpp's (what its converter does to q and k)."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def plan_tensors(model_dir: Path, config: dict, arch: gguf.MODEL_ARCH, q8: bool) -> list[tuple[str, Path, str, str, list[int]]]:
    """Every weight: llama.cpp's name for it, its file, its name there, the type it is written
    in (`f32` for norms and other vectors, and matrices that came in 32 bits; `q8_0` for
    matrices when `q8` and their rows split into 32-value blocks; else `f16`, as bfloat16 comes
    too: numpy has no bfloat16), its shape. Read for shapes only: the weights are converted one
    at a time when written."""
    names = gguf.get_tensor_name_map(arch, config["num_hidden_layers"])
    plan = []
    for file in sorted(model_dir.glob("*.safetensors")):
        for name, value in sorted(mx.load(str(file)).items()):
            if name.endswith("rotary_emb.inv_freq"):
                continue
            gname = names.get_name(name, try_suffixes=(".weight", ".bias"))
            if gname is None:
                refuse(f"it has a weight llama.cpp's {gguf.MODEL_ARCH_NAMES[arch]} has no place for ({name})")
            if value.dtype not in (mx.float32, mx.float16, mx.bfloat16):
                refuse(f"its weights are {value.dtype}")
            if value.ndim == 1:
                kind = "f32"
            elif q8 and value.shape[-1] % 32 == 0:
                kind = "q8_0"
            else:
                kind = "f32" if value.dtype == mx.float32 else "f16"
            plan.append((gname, file, name, kind, list(value.shape)))
    return plan


def add_tensor_infos(writer: gguf.GGUFWriter, plan: list) -> None:
    for gname, _, _, kind, shape in plan:
        if kind == "q8_0":
            size = gguf.quants.quant_shape_to_byte_shape(shape, gguf.GGMLQuantizationType.Q8_0)
            writer.add_tensor_info(gname, size, np.dtype(np.uint8), int(np.prod(size)), raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            dtype = np.dtype(np.float32 if kind == "f32" else np.float16)
            writer.add_tensor_info(gname, shape, dtype, int(np.prod(shape)) * dtype.itemsize)


def write_tensors(writer: gguf.GGUFWriter, plan: list, config: dict, rotate_pairs: bool) -> None:
    """The planned weights, in plan order, each converted as it is written: a model needs
    little more memory than its largest file (all at once took twice the model); q and k
    permuted to llama.cpp's rotary layout when `rotate_pairs` (ARCHS)."""
    loaded: tuple[Path | None, dict] = (None, {})
    for _, file, name, kind, _ in plan:
        if loaded[0] != file:
            loaded = (file, mx.load(str(file)))
        value = loaded[1].pop(name)
        data = np.array(value.astype(mx.float16 if kind == "f16" else mx.float32))
        del value
        if rotate_pairs and name.endswith("q_proj.weight"):
            data = permute(data, config["num_attention_heads"])
        elif rotate_pairs and name.endswith("k_proj.weight"):
            data = permute(data, kv_heads(config))
        if kind == "q8_0":
            data = gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0)
        writer.write_tensor_data(data)


def main() -> None:
    # `--q8_0`: matrices as llama.cpp's 8-bit blocks (half of f16's size).
    q8 = "--q8_0" in sys.argv
    if q8:
        sys.argv.remove("--q8_0")
    if sys.argv[1] == "--check":
        # Before fusing, on the base model: whether its fused model could be written.
        checked_config(Path(sys.argv[2]), whole=False)
        checked_tokenizer(Path(sys.argv[2]), sys.argv[3:])
        print("CHECKED")
        return
    model_dir, out, trained_on = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    config = checked_config(model_dir, whole=True)
    arch, rotate_pairs = ARCHS[config["model_type"]]
    scaling, scaling_type = rope_scaling(config)
    width = head_dim(config)

    # Tensors that are not weights of the model (written first, in this order).
    extra: list[np.ndarray] = []
    partial = out.with_name(f".{out.name}.partial")
    writer = gguf.GGUFWriter(partial, gguf.MODEL_ARCH_NAMES[arch])
    writer.add_name(config.get("_name_or_path", model_dir.name).split("/")[-1] or "model")
    writer.add_context_length(config.get("max_position_embeddings", 2048))
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(kv_heads(config))
    writer.add_rope_dimension_count(width)
    if width * config["num_attention_heads"] != config["hidden_size"]:
        # Heads wider or narrower than hidden / heads (Qwen3's): llama.cpp assumes that unless told.
        writer.add_key_length(width)
        writer.add_value_length(width)
    writer.add_layer_norm_rms_eps(config.get("rms_norm_eps", 1e-5))
    writer.add_rope_freq_base(config.get("rope_theta", 10000.0))
    if scaling_type == "linear":
        writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        writer.add_rope_scaling_factor(scaling["factor"])
    elif scaling_type == "llama3":
        factors = llama3_rope_factors(config, scaling)
        writer.add_tensor_info(gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.ROPE_FREQS] + ".weight", factors.shape, factors.dtype, factors.nbytes)
        extra.append(factors)
    writer.add_vocab_size(config["vocab_size"])
    write_vocab(writer, model_dir, config["vocab_size"], trained_on)
    plan = plan_tensors(model_dir, config, arch, q8)
    add_tensor_infos(writer, plan)
    kinds = {kind for _, _, _, kind, _ in plan}
    if "q8_0" in kinds:
        writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    else:
        writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if "f16" in kinds else gguf.LlamaFileType.ALL_F32)

    # Written under a temporary name and renamed when whole; the model is the team's talk
    # and code, so its owner's alone, as the dataset is.
    try:
        # Made owner-only before anything is in it; the writer's open keeps the mode.
        partial.unlink(missing_ok=True)
        partial.touch(mode=0o600)
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        for tensor in extra:
            writer.write_tensor_data(tensor)
        write_tensors(writer, plan, config, rotate_pairs)
        writer.close()
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    print(f"WROTE {out}")


if __name__ == "__main__":
    main()
