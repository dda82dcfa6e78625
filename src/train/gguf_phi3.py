"""Phi-3's architecture (Phi-3.5-mini's, Phi-4-mini's, Phi-4's) as llama.cpp's `phi3` reads it
(`to_gguf.py`), mlx-lm's model class the reference, as the fused weights were trained through it.

- q, k and v in one matrix, gate and up in another: llama.cpp's `phi3` takes both as they are
  (gate first, as mlx-lm splits them).
- Part of each head rotated (`partial_rotary_factor`, 0.75 in Phi-4-mini), by halves, as
  llama.cpp's `phi3` rotates: nothing permuted, the rotated width written.
- LongRoPE (`longrope`, `su`): mlx-lm always rotates by the long factors and scales what it
  rotates by sqrt(1 + ln(max / original context) / ln(original context)); llama.cpp picks the
  long or the short factors by the context it is given, so the long ones are written as both,
  and the scale as the attention factor llama.cpp multiplies the rotation by.
"""

import math

import gguf
import numpy as np

from gguf_vocab import refuse

ARCHS = {"phi3": (gguf.MODEL_ARCH.PHI3, False)}

LONG_ROPE = ("longrope", "su")

# The RoPE scalings llama.cpp's Phi-3 reads as mlx-lm computes them (config.json's kinds).
ROPE_SCALINGS = (None, "default", "linear", *LONG_ROPE)


def is_phi3(config: dict) -> bool:
    return config["model_type"] in ARCHS


def rotated(config: dict) -> int:
    """How much of each head is rotated, as mlx-lm's Phi-3 computes it."""
    width = config["hidden_size"] // config["num_attention_heads"]
    return int(width * config.get("partial_rotary_factor", 1.0))


def check(config: dict, kind: str | None) -> None:
    if config.get("rope_traditional"):
        refuse("its RoPE rotates neighbouring pairs (rope_traditional), where llama.cpp's Phi-3 rotates halves")
    if kind in LONG_ROPE and len(config["rope_scaling"]["long_factor"]) * 2 != rotated(config):
        refuse(f"its LongRoPE has {len(config['rope_scaling']['long_factor'])} long factors for {rotated(config)} rotated values a head")


def long_rope(config: dict) -> tuple[np.ndarray, float]:
    """The long factors and the scale mlx-lm's SuScaledRoPE rotates by."""
    factors = np.array(config["rope_scaling"]["long_factor"], dtype=np.float32)
    original = config.get("original_max_position_embeddings", 4096)
    factor = config.get("max_position_embeddings", 131072) / original
    return factors, 1.0 if factor <= 1.0 else math.sqrt(1 + math.log(factor) / math.log(original))


def add_long_rope(writer: gguf.GGUFWriter, config: dict, extra: list[np.ndarray]) -> None:
    factors, scale = long_rope(config)
    for tensor in (gguf.MODEL_TENSOR.ROPE_FACTORS_LONG, gguf.MODEL_TENSOR.ROPE_FACTORS_SHORT):
        writer.add_tensor_info(gguf.TENSOR_NAMES[tensor] + ".weight", factors.shape, factors.dtype, factors.nbytes)
        extra.append(factors)
    writer.add_rope_scaling_attn_factors(scale)
