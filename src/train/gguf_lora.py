"""A run's adapter as a GGUF LoRA adapter, for the base model to_gguf.py writes: llama.cpp
applies it at load time (`llama-cli -m BASE.gguf --lora ADAPTER.gguf`; Ollama's `ADAPTER`), so
one base file serves every run and each run is a file of megabytes, not a model.

Read from llama.cpp's `src/llama-adapter.cpp` and mlx-lm's `tuner/lora.py`. mlx-lm adds
`scale · (x @ lora_a) @ lora_b` to a layer's output, `lora_a` being (in, rank) and `lora_b`
(rank, out); llama.cpp adds `alpha / rank · B (A x)` with A as (rank, in) and B as (out, rank)
in numpy's order, so the matrices are written transposed and alpha is scale · rank. B's rows
are the layer's outputs, so a Llama's q and k rows are permuted as the base's are. DoRA and
full fine-tuning have no LoRA matrices to write, and are refused.
"""

import json
from pathlib import Path

import mlx.core as mx
import numpy as np

import gguf
import gguf_gemma
from gguf_vocab import partial_of, refuse, written_whole


def adapter_config(adapter_dir: Path) -> dict:
    """adapter_config.json, refused unless its adapter is LoRA (what llama.cpp applies)."""
    config = json.loads((adapter_dir / "adapter_config.json").read_text(encoding="utf-8"))
    kind = config.get("fine_tune_type", "lora")
    if kind != "lora":
        refuse(f"its fine-tuning is {kind} (adapter_config.json's fine_tune_type), and llama.cpp applies LoRA adapters only")
    return config


def pairs(adapter_dir: Path) -> dict[str, dict[str, mx.array]]:
    """The adapter's matrices by layer (`model.layers.1.self_attn.q_proj`): lora_a, lora_b."""
    by_layer: dict[str, dict[str, mx.array]] = {}
    for key, value in mx.load(str(adapter_dir / "adapters.safetensors")).items():
        layer, leaf = key.rsplit(".", 1)
        if leaf not in ("lora_a", "lora_b"):
            refuse(f"its adapter holds {key}, which a LoRA adapter for llama.cpp has no place for")
        by_layer.setdefault(layer, {})[leaf] = value
    return by_layer


def write(adapter_dir: Path, config: dict, arch: gguf.MODEL_ARCH, permute_rows, out: Path, name: str) -> None:
    """The adapter in `adapter_dir` (for the model of `config`, llama.cpp's `arch`) as the GGUF
    file `out`, written under a partial name and renamed when whole, owner-only; `permute_rows`
    (layer name, matrix) gives B's rows in llama.cpp's order."""
    lora = adapter_config(adapter_dir)["lora_parameters"]
    rank, scale = lora["rank"], lora["scale"]
    names = gguf.get_tensor_name_map(arch, config["num_hidden_layers"])
    tensors = []
    for layer, leaves in sorted(pairs(adapter_dir).items()):
        if set(leaves) != {"lora_a", "lora_b"}:
            refuse(f"its adapter holds only {', '.join(leaves)} for {layer}")
        gname = names.get_name(gguf_gemma.tensor_name(config, f"{layer}.weight"), try_suffixes=(".weight",))
        if gname is None or not gname.startswith("blk."):
            refuse(f"its adapter changes {layer}, which llama.cpp's {gguf.MODEL_ARCH_NAMES[arch]} adapters have no place for")
        a = np.array(leaves["lora_a"].astype(mx.float32)).T
        b = permute_rows(layer, np.array(leaves["lora_b"].astype(mx.float32)).T)
        if a.shape[0] != rank or b.shape[1] != rank:
            refuse(f"its adapter's {layer} has rank {a.shape[0]}, not the {rank} adapter_config.json says")
        tensors += [(f"{gname}.lora_a", np.ascontiguousarray(a)), (f"{gname}.lora_b", np.ascontiguousarray(b))]
    if not tensors:
        refuse("its adapter holds no LoRA matrices")

    writer = gguf.GGUFWriter(partial_of(out), gguf.MODEL_ARCH_NAMES[arch])
    writer.add_type(gguf.GGUFType.ADAPTER)
    writer.add_name(name)
    writer.add_string(gguf.Keys.Adapter.TYPE, "lora")
    writer.add_float32(gguf.Keys.Adapter.LORA_ALPHA, float(scale) * rank)
    for tname, data in tensors:
        writer.add_tensor(tname, data)
    with written_whole(out):
        writer.write_header_to_file()
        writer.write_kv_data_to_file()
        writer.write_tensors_to_file()
        writer.close()
