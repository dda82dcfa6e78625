"""SentencePiece-style tokenizers (Llama 2's, Mistral's, CodeLlama's: BPE over text whose spaces
are `▁`, with a token per byte for characters it lacks) as llama.cpp's `llama` tokenizer reads
them.

llama.cpp does not run tokenizer.json's merges on these: it joins, again and again, the two
neighbouring pieces whose joined text is the token of highest score (SentencePiece's rule;
ties to the leftmost). tokenizer.json holds no scores (llama.cpp's own converter reads them
from tokenizer.model, or writes -1000 for every token, which merges in another order), so
each token a merge makes scores the negated rank of the first merge that makes it: joined in
tokenizer.json's order. Whether that gives the tokens training gave is checked, not assumed:
`Reader` is llama.cpp's tokenizer written again (src/llama-vocab.cpp: `llm_tokenizer_spm_session`,
the SPM case of `tokenize_impl`, `tokenizer_st_partition`), run on what the model was trained on,
rendered as mlx-lm rendered it; the GGUF tests run llama.cpp itself on the same texts.
"""

import heapq

import gguf

# The score of a token no merge makes and longer than one character: below every other, so
# llama.cpp joins pieces into it only when no other join is left (training never makes it).
UNMADE = -1e9


def is_sentencepiece_style(tokenizer: dict) -> bool:
    model = tokenizer.get("model") or {}
    return model.get("type") == "BPE" and bool(model.get("byte_fallback"))


def vocab_of(tokenizer: dict, rows: int) -> tuple[list[str], list[float], list[int]] | str:
    """Each row's token, score and type (tokenizer.json's vocabulary and added tokens, padded
    to the embedding's `rows`), or why it cannot be written."""
    model = tokenizer["model"]
    ids = dict(model["vocab"])
    # A special token past the rows has no embedding, so no model input ever was it: left out,
    # as llama.cpp's converter leaves it (Gemma 3's image token in its 1B model; the `<mask>`
    # transformers adds when it saves a Gemma tokenizer that lacks one).
    added_tokens = [a for a in tokenizer.get("added_tokens") or [] if a["id"] < rows or not a.get("special")]
    for added in added_tokens:
        ids[added["content"]] = added["id"]
    if max(ids.values()) >= rows:
        return f"its tokenizer has a token {max(ids.values())} for {rows} rows of embeddings"
    missing = [b for b in range(256) if f"<0x{b:02X}>" not in ids]
    if missing:
        return f"its byte fallback has no token for {len(missing)} of the 256 bytes"
    tokens = [f"[PAD{i}]" for i in range(rows)]
    types = [gguf.TokenType.UNUSED] * rows
    for text, i in ids.items():
        tokens[i], types[i] = text, gguf.TokenType.NORMAL
    for b in range(256):
        types[ids[f"<0x{b:02X}>"]] = gguf.TokenType.BYTE
    for added in added_tokens:
        types[added["id"]] = gguf.TokenType.CONTROL if added.get("special") else gguf.TokenType.USER_DEFINED
    if model.get("unk_token") in ids:
        types[ids[model["unk_token"]]] = gguf.TokenType.UNKNOWN
    first_rank: dict[str, int] = {}
    for rank, merge in enumerate(model.get("merges") or []):
        left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
        first_rank.setdefault(left + right, rank)
    scores = [-float(first_rank[t]) if t in first_rank else (0.0 if len(t) == 1 else UNMADE) for t in tokens]
    return tokens, scores, types


class Reader:
    """llama.cpp's reading of text with the vocabulary it is given (`vocab_of`'s rows)."""

    def __init__(self, tokens: list[str], scores: list[float], types: list[int], space_prefix: bool):
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.scores, self.space_prefix = scores, space_prefix
        self.byte_ids = [self.ids[f"<0x{b:02X}>"] for b in range(256)]
        specials = [i for i, k in enumerate(types) if k in (gguf.TokenType.CONTROL, gguf.TokenType.USER_DEFINED, gguf.TokenType.UNKNOWN)]
        # Longest first (in bytes), as llama.cpp partitions text by them.
        specials.sort(key=lambda i: -len(tokens[i].encode()))
        self.specials = [(tokens[i], types[i] == gguf.TokenType.USER_DEFINED) for i in specials]

    def tokens(self, text: str, parse_special: bool) -> list[int]:
        """llama.cpp's `llama_tokenize(text, add_special=false, parse_special)`: text split at
        special tokens (user-defined ones always), a space before each run of text at the start
        or after a special token when `space_prefix`, spaces as `▁`, then SentencePiece's joins."""
        out: list[int] = []
        after_special = True
        for piece, special in self._partition(text, parse_special):
            if special:
                out.append(self.ids[piece])
                after_special = True
                continue
            escaped = ((" " if self.space_prefix and after_special else "") + piece).replace(" ", "▁")
            out.extend(self._joined(escaped))
            after_special = False
        return out

    def _partition(self, text: str, parse_special: bool) -> list[tuple[str, bool]]:
        parts = [(text, False)]
        for special, user_defined in self.specials:
            if not (parse_special or user_defined):
                continue
            split: list[tuple[str, bool]] = []
            for piece, is_special in parts:
                if is_special:
                    split.append((piece, True))
                    continue
                for n, run in enumerate(piece.split(special)):
                    if n:
                        split.append((special, True))
                    if run:
                        split.append((run, False))
            parts = split
        return parts

    def _joined(self, text: str) -> list[int]:
        pieces = list(text)
        nxt = list(range(1, len(pieces))) + [-1]
        prv = list(range(-1, len(pieces) - 1))
        queue: list[tuple[float, int, int, int]] = []

        def consider(left: int, right: int) -> None:
            if left < 0 or right < 0:
                return
            joined = pieces[left] + pieces[right]
            if joined in self.ids:
                heapq.heappush(queue, (-self.scores[self.ids[joined]], left, right, len(joined)))

        for i in range(1, len(pieces)):
            consider(i - 1, i)
        while queue:
            _, left, right, size = heapq.heappop(queue)
            # A join one of whose pieces has been joined since is stale.
            if not pieces[left] or not pieces[right] or len(pieces[left]) + len(pieces[right]) != size or nxt[left] != right:
                continue
            pieces[left], pieces[right] = pieces[left] + pieces[right], ""
            nxt[left] = nxt[right]
            if nxt[right] >= 0:
                prv[nxt[right]] = left
            consider(prv[left], left)
            consider(left, nxt[left])
        out: list[int] = []
        i = 0 if pieces else -1
        while i >= 0:
            piece = pieces[i]
            if piece in self.ids:
                out.append(self.ids[piece])
            else:
                out.extend(self.byte_ids[b] for b in piece.encode())
            i = nxt[i]
        return out


def samples(trained, conversations: list, texts: list[str]) -> list[tuple[str, list[int], bool]]:
    """What training tokenized, as (text, its tokens, whether special tokens were parsed in it):
    each conversation rendered by the chat template as mlx-lm renders it (the check texts too,
    as a user's message and its answer), or plain text where the tokenizer has no template or
    the data is `text`."""
    chat = getattr(trained, "chat_template", None) is not None
    out = []
    for sample in conversations + [[{"role": "user", "content": t}, {"role": "assistant", "content": t}] if chat else t for t in texts]:
        if isinstance(sample, str):
            out.append((sample, trained._tokenizer(sample, add_special_tokens=False)["input_ids"], False))
        elif chat:
            rendered = trained.apply_chat_template(sample, tokenize=False)
            out.append((rendered, list(trained.apply_chat_template(sample, return_dict=False)), True))
    return out


def space_prefix(tokenizer: dict, rows: int, trained, conversations: list, texts: list[str]) -> tuple[bool | None, str]:
    """Whether llama.cpp must put a space before text at the start and after special tokens
    (`tokenizer.ggml.add_space_prefix`) to read every sample as training did: the first of
    yes and no that does, or None and the first sample neither reads alike."""
    vocab = vocab_of(tokenizer, rows)
    if isinstance(vocab, str):
        return None, vocab
    checked = samples(trained, conversations, texts)
    off: list[list[str]] = []
    for prefix in (True, False):
        reader = Reader(*vocab, space_prefix=prefix)
        off.append([text for text, want, parse in checked if reader.tokens(text, parse) != want])
        if not off[-1]:
            return prefix, ""
    fewest = min(off, key=len)
    return None, (
        f"llama.cpp would read {len(fewest)} of the {len(checked)} texts checked otherwise than training did, "
        f"with or without a space before each run of text (first: {fewest[0][:50]!r})"
    )
