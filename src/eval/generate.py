# git-screenlink's generation step, run with the Python that has mlx-lm.
#
# argv[1] is a JSON object:
#   {"model": DIR_OR_ID, "adapter": DIR or null, "prompts": JSONL or null, "out": JSONL or null,
#    "max_tokens": N, "label": "base", "stream": false, "prompt": {...} for one streamed answer}
# Each prompt line is {"id": N, "messages": [...] or null, "text": "..." or null}: the prompt
# exactly as training formatted it (messages through the tokenizer's chat template, with the
# assistant's turn opened; text as is). Decoding is greedy. Generations are appended to "out"
# one JSON line at a time, and ids already there are skipped, so an interrupted run resumes.
# Each line also holds "code_loss": the mean negative log-likelihood per token of the code the
# team wrote ("reference"), given the prompt, tokenised as mlx-lm's training tokenises the
# record (the chat template's whole conversation; a text record with its end token), and
# "code_tokens", how many tokens it is over (the first 2,048 tokens of the record, mlx-lm's
# default max_seq_length); a generation made before that was measured gets a line of its own
# with the two.
import json
import math
import sys
import time

import mlx.core as mx
import mlx.nn as nn
from mlx_lm import load, stream_generate
from mlx_lm.sample_utils import make_sampler

args = json.loads(sys.argv[1])
model, tokenizer = load(args["model"], adapter_path=args.get("adapter"))
sampler = make_sampler(temp=0.0)


def prompt_text(rec):
    messages = rec.get("messages")
    if messages:
        if getattr(tokenizer, "chat_template", None):
            return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return "\n\n".join(m["content"] for m in messages) + "\n\n"
    return rec["text"]


MAX_SEQ_LENGTH = 2048


def record_tokens(rec):
    """The record as training tokenises it, and where its code begins."""
    messages = rec.get("messages")
    if messages:
        whole = messages + [{"role": "assistant", "content": rec["reference"]}]
        if getattr(tokenizer, "chat_template", None):
            tokens = list(tokenizer.apply_chat_template(whole, return_dict=False))
            prompt = list(tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_dict=False))
        else:
            tokens = tokenizer.encode(prompt_text(rec) + rec["reference"])
            prompt = tokenizer.encode(prompt_text(rec))
    else:
        tokens = tokenizer.encode(rec["text"] + rec["reference"])
        if tokens and tokens[-1] != tokenizer.eos_token_id:
            tokens.append(tokenizer.eos_token_id)
        prompt = tokenizer.encode(rec["text"])
    # Where the prompt's tokens stop matching (a boundary token may merge across the seam).
    start = 0
    while start < min(len(prompt), len(tokens)) and prompt[start] == tokens[start]:
        start += 1
    return tokens[:MAX_SEQ_LENGTH], start


def code_loss(rec):
    """Mean cross-entropy of the reference's tokens given what precedes them; and their count."""
    if rec.get("reference") is None:
        return None, 0
    tokens, start = record_tokens(rec)
    start = max(start, 1)
    if start >= len(tokens):
        return None, 0
    x = mx.array(tokens)[None]
    logits = model(x[:, :-1])
    ce = nn.losses.cross_entropy(logits.astype(mx.float32), x[:, 1:])[0]
    code = ce[start - 1 :]
    loss = code.mean().item()
    # NaN is not JSON: a line holding it could not be read back, and its generation would be lost.
    return (loss if math.isfinite(loss) else None), int(code.size)


def generate(rec, on_text=None):
    out = []
    for response in stream_generate(model, tokenizer, prompt_text(rec), max_tokens=args["max_tokens"], sampler=sampler):
        out.append(response.text)
        if on_text:
            on_text(response.text)
    return "".join(out)


if args.get("stream"):
    generate(args["prompt"], lambda t: (sys.stdout.write(t), sys.stdout.flush()))
    sys.stdout.write("\n")
    sys.exit(0)

done, measured = set(), set()
try:
    with open(args["out"]) as f:
        for line in f:
            try:
                rec = json.loads(line)
            except ValueError:
                continue  # a line cut short by an interruption
            if not isinstance(rec, dict) or "id" not in rec:
                continue
            if "generation" in rec:
                done.add(rec["id"])
            if rec.get("code_tokens") is not None:
                measured.add(rec["id"])
except FileNotFoundError:
    pass

with open(args["prompts"]) as f:
    prompts = [json.loads(line) for line in f if line.strip()]
with open(args["out"], "a") as out:
    for i, rec in enumerate(prompts):
        if rec["id"] in done:
            # Generated before the code's loss was measured: a line with the loss alone.
            if rec["id"] not in measured:
                loss, n = code_loss(rec)
                out.write(json.dumps({"id": rec["id"], "code_loss": loss, "code_tokens": n}) + "\n")
                out.flush()
            continue
        started = time.time()
        loss, n = code_loss(rec)
        text = generate(rec)
        out.write(json.dumps({"id": rec["id"], "generation": text, "code_loss": loss, "code_tokens": n}) + "\n")
        out.flush()
        print(f"screenlink-eval: {args['label']} {i + 1}/{len(prompts)} generated ({time.time() - started:.1f} s)", flush=True)
