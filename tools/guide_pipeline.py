#!/usr/bin/env python3
"""The seed guide's linking pipeline, reimplemented to time it against git-screenlink.

    python3 tools/guide_pipeline.py --repo REPO --db DB [--out FILE] [--once]

What the guide's `extract_training_hybrid.py` does (see ../shared/seed/), at its best: rows
grouped into discussions (5-minute gaps, at least 100 characters); up to 500 commits with at
least 5 added lines; for each commit, the discussions in [commit − 7 days, commit − 1 hour];
the keyword score (the share of the commit's words the discussion says, technical keywords
counting double) and the semantic score (cosine of all-MiniLM-L6-v2 embeddings, each text
truncated to the model's 256 tokens); confidence 0.3 · keyword + 0.7 · semantic, the best
discussion kept at ≥ 0.6, with the commit's diff as the output.

"At its best": the embeddings are batched (32 texts a call, sentence-transformers' default)
and run on ONNX Runtime, the runtime git-screenlink uses, rather than PyTorch, so the
comparison measures the pipeline and not the runtime. The guide embeds every discussion of
each commit's window again for every commit; `--once` embeds each distinct discussion once
instead (a better pipeline than the guide's; both are printed by the bench note in README).

Needs: `pip install onnxruntime tokenizers numpy` (PyPI), and the model install.sh fetched
($SCREENLINK_DATA_DIR or ~/.local/share/screenlink, models/all-MiniLM-L6-v2).
"""
import argparse
import datetime as dt
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

TECH = {"api", "endpoint", "database", "query", "schema", "migration", "index", "cache", "redis", "auth", "login", "token", "session",
        "password", "pagination", "page", "retry", "backoff", "timeout", "latency", "performance", "slow", "memory", "leak", "crash",
        "bug", "error", "exception", "test", "deploy", "release", "config", "logging", "log"}
STOP = {"the", "and", "for", "that", "this", "with", "from", "are", "was", "were", "but", "not", "you", "your", "have", "has", "had"}


def parse_time(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T"))


def words(text):
    out = set()
    for w in re.split(r"[^A-Za-z0-9]+", re.sub(r"([a-z])([A-Z])", r"\1 \2", text)):
        w = w.lower()
        if len(w) >= 3 and w not in STOP:
            out.add(w)
    return out


class Model:
    def __init__(self, folder):
        self.tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tok.enable_truncation(256)
        self.tok.enable_padding()
        self.sess = ort.InferenceSession(str(folder / "model.onnx"), providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.sess.get_inputs()}

    def encode(self, texts, batch=32):
        out = []
        for i in range(0, len(texts), batch):
            enc = self.tok.encode_batch(texts[i:i + batch])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self.inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self.sess.run(None, feed)[0]
            m = mask[..., None].astype(np.float32)
            v = (hidden * m).sum(1) / np.clip(m.sum(1), 1e-9, None)
            out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
        return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)


def discussions(db):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("SELECT timestamp, transcription, is_input_device FROM audio_transcriptions ORDER BY timestamp").fetchall()
    out = []
    for kind in (0, 1, None):
        cur = []
        for ts, text, inp in rows:
            if inp != kind or not text:
                continue
            t = parse_time(ts)
            if cur and (t - cur[-1][0]).total_seconds() > 300:
                out.append(cur)
                cur = []
            cur.append((t, text.strip()))
        if cur:
            out.append(cur)
    result = []
    for d in out:
        text = " ".join(x[1] for x in d)
        if len(text) >= 100:
            result.append({"start": d[0][0], "end": d[-1][0], "text": text, "words": words(text)})
    return sorted(result, key=lambda d: d["start"])


def commits(repo, max_commits=500, min_lines=5):
    log = subprocess.run(["git", "-C", repo, "log", "--no-merges", "--numstat", "--format=\x01%H\x02%cI\x02%s\x02%b\x03"], capture_output=True,
                         text=True, errors="replace", check=True).stdout
    out = []
    for chunk in log.split("\x01")[1:]:
        head, _, stat = chunk.partition("\x03")
        sha, when, subject, body = head.split("\x02", 3)
        files, added = [], 0
        for line in stat.strip().splitlines():
            parts = line.split("\t")
            if len(parts) == 3:
                files.append(parts[2])
                added += int(parts[0]) if parts[0].isdigit() else 0
        if added >= min_lines:
            out.append({"sha": sha, "time": parse_time(when), "subject": subject, "body": body.strip(), "files": files})
        if len(out) >= max_commits:
            break
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--out", default=os.devnull)
    ap.add_argument("--once", action="store_true", help="embed each distinct discussion once (better than the guide)")
    a = ap.parse_args()
    data = Path(os.environ.get("SCREENLINK_DATA_DIR") or Path.home() / ".local/share/screenlink")
    t0 = time.time()
    ds = discussions(a.db)
    cs = commits(a.repo)
    model = Model(data / "models" / "all-MiniLM-L6-v2")
    print(f"[Stage 1] {len(ds)} discussions, {len(cs)} commits ({time.time() - t0:.1f} s)", file=sys.stderr)
    cached = {}
    pairs, embedded = [], 0
    for c in cs:
        lo, hi = c["time"] - dt.timedelta(days=7), c["time"] - dt.timedelta(hours=1)
        window = [d for d in ds if lo <= d["start"] and d["end"] <= hi]
        if not window:
            continue
        ctext = f"{c['subject']}\n{c['body']}\nFiles: {', '.join(c['files'])}"
        cwords = words(ctext)
        if a.once:
            todo = [d["text"] for d in window if d["text"] not in cached]
            for text, v in zip(todo, model.encode(todo)):
                cached[text] = v
            cv = model.encode([ctext])[0]
            dv = np.array([cached[d["text"]] for d in window])
            embedded += len(todo) + 1
        else:
            vecs = model.encode([ctext] + [d["text"] for d in window])
            cv, dv = vecs[0], vecs[1:]
            embedded += len(window) + 1
        sims = np.clip(dv @ cv, 0, 1)
        best = None
        for d, s in zip(window, sims):
            w = {t: (2 if t in TECH else 1) for t in cwords}
            kw = sum(v for t, v in w.items() if t in d["words"]) / max(sum(w.values()), 1)
            conf = 0.3 * kw + 0.7 * float(s)
            if conf >= 0.6 and (best is None or conf > best[0]):
                best = (conf, kw, float(s), d)
        if best:
            diff = subprocess.run(["git", "-C", a.repo, "show", "--format=", c["sha"]], capture_output=True, text=True, errors="replace").stdout
            conf, kw, s, d = best
            pairs.append({"instruction": c["subject"], "input": f"Business Context from team discussions:\n\n{d['text'][:2000]}\n\nTask: Modify {', '.join(c['files'][:3])}",
                          "output": diff[:8000], "metadata": {"commit_sha": c["sha"], "commit_timestamp": c["time"].isoformat(),
                                                              "audio_timestamp": d["start"].isoformat(), "confidence": round(conf, 3),
                                                              "keyword_score": round(kw, 3), "semantic_score": round(s, 3)}})
    with open(a.out, "w") as f:
        for p in pairs:
            f.write(json.dumps(p) + "\n")
    secs = time.time() - t0
    print(json.dumps({"seconds": round(secs, 2), "commits": len(cs), "discussions": len(ds), "texts_embedded": embedded, "pairs": len(pairs), "once": a.once}))


if __name__ == "__main__":
    main()
