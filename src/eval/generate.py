# git-screenlink's generation step, run with the Python that has mlx-lm.
#
# argv[1] is a JSON object:
#   {"model": DIR_OR_ID, "adapter": DIR or null, "prompts": JSONL or null, "out": JSONL or null,
#    "max_tokens": N, "label": "base", "stream": false, "prompt": {...} for one streamed answer}
# Each prompt line is {"id": N, "messages": [...] or null, "text": "..." or null}: the prompt
# exactly as training formatted it (messages through the tokenizer's chat template, with the
# assistant's turn opened; text as is). Decoding is greedy. Generations are appended to "out"
# one JSON line at a time, and ids already there are skipped, so an interrupted run resumes.
import json
import sys
import time

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

done = set()
try:
    with open(args["out"]) as f:
        for line in f:
            try:
                done.add(json.loads(line)["id"])
            except (ValueError, KeyError):
                pass  # a line cut short by an interruption
except FileNotFoundError:
    pass

with open(args["prompts"]) as f:
    prompts = [json.loads(line) for line in f if line.strip()]
with open(args["out"], "a") as out:
    for i, rec in enumerate(prompts):
        if rec["id"] in done:
            continue
        started = time.time()
        text = generate(rec)
        out.write(json.dumps({"id": rec["id"], "generation": text}) + "\n")
        out.flush()
        print(f"screenlink-eval: {args['label']} {i + 1}/{len(prompts)} generated ({time.time() - started:.1f} s)", flush=True)
