"""The tokenizer of a model written as GGUF (`to_gguf.py`), checked first: llama.cpp must read
text as training read it, or the model is refused (`refuse`), never guessed.

Byte-level BPE tokenizers (GPT-2's, Llama 3's, Qwen's, DeepSeek Coder's) go by the name of
their split (`LLAMA_CPP_PRE`); SentencePiece-style ones (Llama 2's, Mistral's) by scores
(`gguf_spm.py`).
"""

import json
import sys
import unicodedata
from contextlib import contextmanager
from pathlib import Path

import gguf
from mlx_lm.tokenizer_utils import load as load_tokenizer
from tokenizers import Regex, Tokenizer, pre_tokenizers

import gguf_spm

REFUSED = 4


def refuse(why: str) -> None:
    print(f"REFUSED {why}", file=sys.stderr)
    sys.exit(REFUSED)


def partial_of(out: Path) -> Path:
    """Where a GGUF file is written before it is whole (`written_whole`)."""
    return out.with_name(f".{out.name}.partial")


@contextmanager
def written_whole(out: Path):
    """The body writes `partial_of(out)`, which is made owner-only before anything is in it (a
    GGUF writer's open keeps the mode: the model is the team's talk and code, as the dataset is)
    and renamed to `out` when the body is done, or removed when it fails."""
    partial = partial_of(out)
    try:
        partial.unlink(missing_ok=True)
        partial.touch(mode=0o600)
        yield
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


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
    # GPT-4o's (Phi-4-mini's), as llama.cpp writes it: a letter not a-z for its capitals,
    # one not A-Z for its small letters.
    "gpt-4o": lambda: _splits(
        [
            r"[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?"
            r"|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?"
            r"|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"
        ]
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
    # `gpt-4o` last: its pieces are coarser than the others' at contractions, so it reads alike
    # any tokenizer with no merge across them; it is the name only when no other is.
    own = bool(tokenizer["model"].get("ignore_merges"))
    for name in sorted(LLAMA_CPP_PRE, key=lambda n: (n == "gpt-4o", (n in TAKES_WHOLE_PIECES) != own)):
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


def conversations_of(files: list[str]) -> list:
    """What mlx-lm trained on, sample by sample: a chat's messages, a completion as a user's
    message and its answer (as mlx-lm renders one), or a text."""
    out: list = []
    for f in files:
        for line in Path(f).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            if "messages" in d:
                out.append(d["messages"])
            elif "prompt" in d and "completion" in d:
                out.append([{"role": "user", "content": d["prompt"]}, {"role": "assistant", "content": d["completion"]}])
            elif "text" in d:
                out.append(d["text"])
    return out


def checked_tokenizer(model_dir: Path, trained_on: list[str], rows: int) -> tuple[dict, str | bool, tuple[bool, bool]]:
    """The tokenizer, how llama.cpp must read it (a byte-level tokenizer's pre-tokenizer name, or
    whether a SentencePiece-style one puts a space before text: `gguf_spm.space_prefix`), and
    whether training put BOS and EOS around a text; refused unless that is sure."""
    tokenizer = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))
    model = tokenizer.get("model") or {}
    if model.get("type") != "BPE":
        refuse(f"its tokenizer is {model.get('type')}, not BPE")
    trained = load_tokenizer(model_dir)
    if gguf_spm.is_sentencepiece_style(tokenizer):
        prefix, why = gguf_spm.space_prefix(tokenizer, rows, trained, conversations_of(trained_on), CHECK_TEXTS)
        if prefix is None:
            refuse(f"its tokenizer is SentencePiece-style, and {why}")
        return tokenizer, prefix, adds_bos_eos(trained)
    if (tokenizer.get("decoder") or {}).get("type") != "ByteLevel":
        refuse("its BPE tokenizer is neither byte-level nor SentencePiece-style")
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


def write_vocab(writer: gguf.GGUFWriter, model_dir: Path, rows: int, trained_on: list[str]) -> None:
    """The tokenizer, padded to the embedding's `rows` (DeepSeek Coder pads its 32,256 rows
    past its tokenizer's tokens): llama.cpp wants one token per row, the padding unused."""
    tokenizer, how, (bos, eos) = checked_tokenizer(model_dir, trained_on, rows)
    sentencepiece = gguf_spm.is_sentencepiece_style(tokenizer)
    if sentencepiece:
        tokens, scores, types = gguf_spm.vocab_of(tokenizer, rows)
        writer.add_tokenizer_model("llama")
        writer.add_token_list(tokens)
        writer.add_token_scores(scores)
        writer.add_token_types(types)
        writer.add_add_space_prefix(how)
    else:
        tokens = [text for text, _, _ in gguf.BpeVocab(model_dir).all_tokens()]
        if len(tokens) > rows:
            refuse(f"its tokenizer has {len(tokens)} tokens for {rows} rows of embeddings")
        types = token_types(tokenizer, len(tokens)) + [gguf.TokenType.UNUSED] * (rows - len(tokens))
        tokens += [f"[PAD{i}]" for i in range(len(tokens), rows)]
        writer.add_tokenizer_model("gpt2")
        writer.add_tokenizer_pre(how)
        writer.add_token_list(tokens)
        writer.add_token_types(types)
    # SentencePiece-style tokenizers merge by the scores above, not by merges.
    special = gguf.SpecialVocab(model_dir, load_merges=not sentencepiece, n_vocab=rows)
    special.add_special_token["bos"], special.add_special_token["eos"] = bos, eos
    special.add_to_gguf(writer, quiet=True)
