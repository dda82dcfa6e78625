#!/usr/bin/env python3
"""Real text with talk that motivated nothing: each realtext project's mixed list less half its fixes.

../shared/realtext's mixed lists hold every report's fix, so every report there motivated a
commit of the list, and a linker is never asked to leave talk alone. A user's talk is mostly
not about any commit. This writes, beside each project's `mixed/`, an `orphans/` with the same
lists less the fix commits of half the reports (chosen by the fix's SHA, so every run drops the
same) and every commit of the same piece of work (one naming an issue key the fix names, or
with its subject), so those reports' talk motivated no commit of the list. Their rows are no
commit's gold; a link to them is a false link.

    python3 tools/realtext_orphans.py REALTEXT_DIR      # after build.py, mixed.py (and the
                                                        # tools/realtext_oak.py / _bears.py sets)
    cargo run --release --example quality -- --realtext REALTEXT_DIR   # prints them apart
"""
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

PROJECTS = ["wicket", "accumulo", "log4j2", "mng", "oak", "spoon", "sdc", "traccar"]
ISSUE_KEY = re.compile(r"\b[A-Z][A-Z0-9]+-\d+\b|#\d+")


def dropped(sha):
    """Half the fixes, the same every run."""
    return int(hashlib.sha1(sha.encode()).hexdigest(), 16) % 2 == 0


def messages(repo, shas):
    out = {}
    for i in range(0, len(shas), 500):
        batch = shas[i : i + 500]
        text = subprocess.run(
            ["git", "-C", str(repo), "show", "-s", "--format=%H%x00%B%x1e", *batch], capture_output=True, text=True, check=True
        ).stdout
        for rec in text.split("\x1e"):
            if "\x00" in rec:
                sha, body = rec.strip("\n").split("\x00", 1)
                out[sha] = body
    return out


def orphans(proj_dir):
    mixed = proj_dir / "mixed"
    shas = mixed.joinpath("commits.txt").read_text().split()
    gold = json.loads(mixed.joinpath("gold.json").read_text())
    msg = messages(proj_dir / "repo", shas)
    keys = lambda s: set(ISSUE_KEY.findall(msg.get(s, "")))
    subject = lambda s: msg.get(s, "").split("\n", 1)[0].strip().lower()
    gone = [s for s in shas if gold.get(s) and dropped(s)]
    gone_keys = set().union(*(keys(s) for s in gone)) if gone else set()
    gone_subjects = {subject(s) for s in gone}
    kept = [s for s in shas if s not in gone and not (keys(s) & gone_keys) and subject(s) not in gone_subjects]
    out = proj_dir / "orphans"
    out.mkdir(exist_ok=True)
    out.joinpath("commits.txt").write_text("".join(s + "\n" for s in kept))
    out.joinpath("gold.json").write_text(json.dumps({s: gold.get(s, []) for s in kept}))
    fixes = sum(1 for s in kept if gold.get(s))
    print(f"{proj_dir.name}: {len(kept)} of {len(shas)} commits, {fixes} fixes kept, {len(gone)} reports left with no commit of theirs")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: tools/realtext_orphans.py REALTEXT_DIR")
    root = Path(sys.argv[1])
    for p in PROJECTS:
        if (root / p / "mixed" / "commits.txt").exists():
            orphans(root / p)


if __name__ == "__main__":
    main()
