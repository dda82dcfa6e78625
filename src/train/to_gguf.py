"""Write a fused model as one GGUF file for llama.cpp:
`python to_gguf.py [--q8_0] FUSED_DIR OUT [TRAINED_ON.jsonl...]`; `python to_gguf.py --check MODEL_DIR
[TRAINED_ON.jsonl...]` says only whether it would refuse (exit 4) a model; `python to_gguf.py
--lora ADAPTER_DIR BASE_DIR OUT` writes a run's adapter as a GGUF LoRA adapter for the base
model's file (`gguf_lora.py`). The JSONL files (the run's training data) are texts the tokenizer
check runs on besides its own.

git-screenlink runs this with the mlx-lm venv's Python (`git screenlink fuse --gguf`), not
mlx-lm's own `fuse --export-gguf`: llama.cpp refuses what that writes ("invalid gguf type
for tokenizer.ggml.token_type", mlx-lm 0.32 and llama.cpp b7000-era, checked by hand), and
it labels every tokenizer SentencePiece, which garbles a byte-level BPE model's text.

The writer is llama.cpp's own (the `gguf` package); the tensors are mlx-lm's safetensors; the
tokenizer is `gguf_vocab.py`'s (and `gguf_spm.py`'s), imported from beside this file.
A model this cannot convert faithfully is refused with the reason on stderr and exit 4:
an architecture not in ARCHS (Llama's, Mistral's, Qwen2's, Qwen3's, Gemma's, Phi-3's),
quantized weights, a tokenizer llama.cpp would read otherwise than training did
(`gguf_vocab.checked_tokenizer`), a RoPE scaling other than linear or Llama 3.1's, a Gemma
whose attention scale llama.cpp would not derive (`gguf_gemma.py`).
"""

import json
import math
import re
import sys
from pathlib import Path

import mlx.core as mx
import numpy as np

try:
    import gguf
except ImportError:
    print("MISSING gguf", file=sys.stderr)
    sys.exit(5)

import gguf_gemma
import gguf_lora
import gguf_phi3
from gguf_vocab import checked_tokenizer, partial_of, refuse, write_vocab, written_whole


# The RoPE scalings (config.json's kinds) llama.cpp reads as mlx-lm computes them: a Llama's,
# a Qwen's; Gemma's and Phi-3's are their modules' `ROPE_SCALINGS`.
ROPE_SCALINGS = (None, "default", "linear", "llama3")

# Each model_type this writes: llama.cpp's architecture, and whether q and k are permuted.
# Hugging Face stores every model's q and k for a rotation of a head's two halves; llama.cpp's
# Llama rotates pairs of neighbours (its converter permutes them), its Qwen the halves.
ARCHS = {
    "llama": (gguf.MODEL_ARCH.LLAMA, True),
    "mistral": (gguf.MODEL_ARCH.LLAMA, True),
    "qwen2": (gguf.MODEL_ARCH.QWEN2, False),
    "qwen3": (gguf.MODEL_ARCH.QWEN3, False),
    **gguf_gemma.ARCHS,
    **gguf_phi3.ARCHS,
}


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
    gemma = gguf_gemma.is_gemma(config)
    if gemma:
        config = gguf_gemma.with_defaults(config)
    if whole and (config.get("quantization") or config.get("quantization_config")):
        refuse("its weights are quantized")
    kind = rope_scaling(config)[1]
    phi3 = gguf_phi3.is_phi3(config)
    scalings = gguf_gemma.ROPE_SCALINGS if gemma else gguf_phi3.ROPE_SCALINGS if phi3 else ROPE_SCALINGS
    if kind not in scalings:
        refuse(f"its RoPE scaling is {kind}")
    if gemma:
        gguf_gemma.check(config)
    if phi3:
        gguf_phi3.check(config, kind)
    return config


def gguf_name(config: dict, model_dir: Path) -> str:
    """The model's name, but never one llama.cpp reads tokens otherwise by: a name holding
    `phi-3` or `phi3` makes it strip the spaces after every special token (its rule for Phi-3's
    first tokenizer), which the tokenizer check does not do, and look up `</s>`, `<unk>` and
    `<s>`, without which it loads no file ("_Map_base::at": Phi-4-mini has none), so such a name
    is written `phi_3`."""
    name = config.get("_name_or_path", model_dir.name).split("/")[-1] or "model"
    return re.sub(r"(?i)(phi)-?3", r"\1_3", name)


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



def permute(w: np.ndarray, heads: int) -> np.ndarray:
    """Hugging Face's rotary layout to llama.cpp's (what its converter does to q and k)."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def permuted(config: dict, layer: str, rows: np.ndarray, rotate_pairs: bool) -> np.ndarray:
    """A layer's output rows in llama.cpp's order: q's and k's permuted when `rotate_pairs`."""
    if rotate_pairs and layer.endswith("q_proj"):
        return permute(rows, config["num_attention_heads"])
    if rotate_pairs and layer.endswith("k_proj"):
        return permute(rows, kv_heads(config))
    return rows


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
            gname = names.get_name(gguf_gemma.tensor_name(config, name), try_suffixes=(".weight", ".bias"))
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
    permuted to llama.cpp's rotary layout when `rotate_pairs` (ARCHS); Gemma's norms as
    llama.cpp multiplies by them (`gguf_gemma.norm_shift`)."""
    shift = gguf_gemma.norm_shift(config)
    loaded: tuple[Path | None, dict] = (None, {})
    for _, file, name, kind, _ in plan:
        if loaded[0] != file:
            loaded = (file, mx.load(str(file)))
        value = loaded[1].pop(name)
        data = np.array(value.astype(mx.float16 if kind == "f16" else mx.float32))
        del value
        if shift and name.endswith("norm.weight"):
            data = data + shift
        data = permuted(config, name.removesuffix(".weight"), data, rotate_pairs)
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
        config = checked_config(Path(sys.argv[2]), whole=False)
        checked_tokenizer(Path(sys.argv[2]), sys.argv[3:], config["vocab_size"])
        print("CHECKED")
        return
    if sys.argv[1] == "--lora":
        # A run's adapter for the base model in BASE_DIR: `--lora ADAPTER_DIR BASE_DIR OUT`.
        adapter_dir, model_dir, out = Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
        config = checked_config(model_dir, whole=False)
        arch, rotate_pairs = ARCHS[config["model_type"]]
        gguf_lora.write(adapter_dir, config, arch, lambda layer, rows: permuted(config, layer, rows, rotate_pairs), out, gguf_name(config, model_dir))
        print(f"WROTE {out}")
        return
    model_dir, out, trained_on = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    config = checked_config(model_dir, whole=True)
    arch, rotate_pairs = ARCHS[config["model_type"]]
    scaling, scaling_type = rope_scaling(config)
    width = head_dim(config)

    # Tensors that are not weights of the model (written first, in this order).
    extra: list[np.ndarray] = []
    writer = gguf.GGUFWriter(partial_of(out), gguf.MODEL_ARCH_NAMES[arch])
    writer.add_name(gguf_name(config, model_dir))
    writer.add_context_length(config.get("max_position_embeddings", 2048))
    writer.add_embedding_length(config["hidden_size"])
    writer.add_block_count(config["num_hidden_layers"])
    writer.add_feed_forward_length(config["intermediate_size"])
    writer.add_head_count(config["num_attention_heads"])
    writer.add_head_count_kv(kv_heads(config))
    phi3 = gguf_phi3.is_phi3(config)
    writer.add_rope_dimension_count(gguf_phi3.rotated(config) if phi3 else width)
    gemma = gguf_gemma.is_gemma(config)
    if width * config["num_attention_heads"] != config["hidden_size"] or gemma:
        # Heads wider or narrower than hidden / heads (Qwen3's, Gemma's): llama.cpp assumes
        # that unless told.
        writer.add_key_length(width)
        writer.add_value_length(width)
    writer.add_layer_norm_rms_eps(config.get("rms_norm_eps", 1e-5))
    writer.add_rope_freq_base(config.get("rope_theta", 10000.0))
    if gemma:
        gguf_gemma.add_params(writer, config)
    if scaling_type == "linear":
        writer.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        writer.add_rope_scaling_factor(scaling["factor"])
    elif scaling_type == "llama3":
        factors = llama3_rope_factors(config, scaling)
        writer.add_tensor_info(gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.ROPE_FREQS] + ".weight", factors.shape, factors.dtype, factors.nbytes)
        extra.append(factors)
    elif scaling_type in gguf_phi3.LONG_ROPE:
        gguf_phi3.add_long_rope(writer, config, extra)
    writer.add_vocab_size(config["vocab_size"])
    write_vocab(writer, model_dir, config["vocab_size"], trained_on)
    plan = plan_tensors(model_dir, config, arch, q8)
    add_tensor_infos(writer, plan)
    kinds = {kind for _, _, _, kind, _ in plan}
    if "q8_0" in kinds:
        writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    else:
        writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16 if "f16" in kinds else gguf.LlamaFileType.ALL_F32)

    with written_whole(out):
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_ti_data_to_file()
        for tensor in extra:
            writer.write_tensor_data(tensor)
        write_tensors(writer, plan, config, rotate_pairs)
        writer.close()
    print(f"WROTE {out}")


if __name__ == "__main__":
    main()
