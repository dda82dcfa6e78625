"""Gemma (1: CodeGemma's), Gemma 2 and Gemma 3 as llama.cpp reads them (`to_gguf.py`): what
their GGUF file says besides a Llama's, and what llama.cpp derives where mlx-lm reads the
config, checked.

mlx-lm's model classes are the reference (the fused weights were trained through them), so a
config's missing values are mlx-lm's defaults, not llama.cpp's converter's.
- Norms: Gemma multiplies by 1 + weight, llama.cpp by the weight: written shifted by 1.
- Embeddings scaled by sqrt(hidden size) and q and k rotated by halves: llama.cpp's Gemma does
  both itself, so nothing is written and nothing permuted (a config that rotates pairs,
  `rope_traditional`, is refused). RoPE scaling: linear or none (`ROPE_SCALINGS`), as
  llama.cpp's Gemma reads.
- Attention scale (Gemma 2 and 3): mlx-lm takes `query_pre_attn_scalar` from the config,
  llama.cpp derives it (1 / sqrt(head width), or hidden / heads for the 27B models, told by
  their layer count): a config whose number llama.cpp would not derive is refused.
- Gemma 1: nothing more. mlx-lm computes its GELU exactly, llama.cpp with the tanh
  approximation (as Hugging Face's Gemma does): on the tiny test model the two differ by 3e-6.
- Gemma 2: its caps on attention and output logits; a window on every other layer (mlx-lm
  attends to the whole context, which is the same up to the window, 4,096 tokens); no RoPE
  scaling, as mlx-lm's Gemma 2 reads none.
- Gemma 3: local layers (each `sliding_window_pattern`-th layer is global) with their own
  window and RoPE base, the global layers' RoPE scaling; no cap on logits in mlx-lm, so none
  written. `gemma3`, the model with vision that mlx-lm trains the language half of, is written
  as that half: its `text_config`, its `language_model.` weights.
"""

import dataclasses
import importlib

import gguf

from gguf_vocab import refuse

ARCHS = {
    "gemma": (gguf.MODEL_ARCH.GEMMA, False),
    "gemma2": (gguf.MODEL_ARCH.GEMMA2, False),
    "gemma3_text": (gguf.MODEL_ARCH.GEMMA3, False),
    "gemma3": (gguf.MODEL_ARCH.GEMMA3, False),
}

# The RoPE scalings llama.cpp's Gemma reads (config.json's kinds).
ROPE_SCALINGS = (None, "default", "linear")

# The layer count by which llama.cpp knows a 27B model, whose attention scale it derives from
# hidden / heads (src/models/gemma2.cpp, gemma3.cpp).
LAYERS_OF_27B = {"gemma2": 46, "gemma3_text": 62, "gemma3": 62}

# The prefix of the language half's weights in `gemma3` (mlx-lm's and Hugging Face's).
LANGUAGE_MODEL = "language_model."


def _args(module: str, config: dict) -> dict:
    """The config as mlx-lm's ModelArgs reads it: every value, defaults filled in."""
    args = importlib.import_module(f"mlx_lm.models.{module}").ModelArgs.from_dict(config)
    return dataclasses.asdict(args)


def is_gemma(config: dict) -> bool:
    return config["model_type"] in ARCHS


def with_defaults(config: dict) -> dict:
    """The config as mlx-lm trains with it; `gemma3`'s is its language half's, under the
    outer `model_type` and vocabulary size. mlx-lm's Gemma 2 has no RoPE scaling, so a
    config's is not what training did and is dropped."""
    if config["model_type"] == "gemma2":
        config = {k: v for k, v in config.items() if k != "rope_scaling"}
    if config["model_type"] == "gemma3":
        outer = _args("gemma3", config)
        text = outer["text_config"]
        return {**config, **text, **_args("gemma3_text", text), "model_type": "gemma3", "vocab_size": outer["vocab_size"]}
    return {**config, **_args(config["model_type"], config)}


def check(config: dict) -> None:
    """Refused unless llama.cpp rotates and scales attention as mlx-lm does."""
    if config.get("rope_traditional"):
        refuse("its RoPE rotates neighbouring pairs (rope_traditional), where llama.cpp's Gemma rotates halves")
    if config["model_type"] == "gemma":
        # Gemma 1's scale is the head width's in mlx-lm and llama.cpp alike.
        return
    width, heads, hidden = config["head_dim"], config["num_attention_heads"], config["hidden_size"]
    derived = hidden / heads if config["num_hidden_layers"] == LAYERS_OF_27B[config["model_type"]] else width
    if abs(config["query_pre_attn_scalar"] - derived) > 1e-6 * derived:
        refuse(
            f"its attention is scaled by 1 / sqrt({config['query_pre_attn_scalar']:g}) (query_pre_attn_scalar), "
            f"where llama.cpp's Gemma with {config['num_hidden_layers']} layers scales by 1 / sqrt({derived:g})"
        )


def norm_shift(config: dict) -> float:
    return 1.0 if is_gemma(config) else 0.0


def tensor_name(config: dict, name: str) -> str:
    """A weight's name as llama.cpp's names map it: `gemma3`'s without its language prefix."""
    if config["model_type"] == "gemma3" and name.startswith(LANGUAGE_MODEL):
        return name[len(LANGUAGE_MODEL) :]
    return name


def add_params(writer: gguf.GGUFWriter, config: dict) -> None:
    if config["model_type"] == "gemma":
        return
    if config["model_type"] == "gemma2":
        writer.add_attn_logit_softcapping(config["attn_logit_softcapping"])
        writer.add_final_logit_softcapping(config["final_logit_softcapping"])
        writer.add_sliding_window(config.get("sliding_window") or 4096)
        return
    if config["sliding_window_pattern"] > 1:
        # Every layer global (a pattern of 1) is no window at all: llama.cpp, told of a
        # window with no local layer, stops (GGML_ASSERT is_swa_any), so none is written.
        writer.add_sliding_window(config["sliding_window"])
        writer.add_sliding_window_pattern(config["sliding_window_pattern"])
        writer.add_rope_freq_base_swa(config["rope_local_base_freq"])
