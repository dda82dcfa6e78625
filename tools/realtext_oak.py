#!/usr/bin/env python3
"""A fifth real-text project that no weight is fitted on: Apache Jackrabbit Oak.

../shared/realtext/build.py lays Bugs.jar reports out as talk before their fixes for four
projects, which tools/fit_linker.sh fits on (leave one out). Quatrain's report file also
holds 278 Bugs.jar reports for Oak (not a Defects4J project). This builds them the same way,
with build.py's own code, as a set the shipped weights have never seen:

    # fetch github:apache/jackrabbit-oak (the search tool's fetch) into MIRRORS first
    python3 tools/realtext_oak.py --mirrors MIRRORS --out REALTEXT_DIR
    cargo run --release --example quality -- --realtext REALTEXT_DIR   # prints oak apart

Oak's Bugs.jar fixes are on the history before its git import was redone, reachable from
old pull-request refs and not from today's trunk, so build.py (which wants fixes reachable
from HEAD) reads a second bare repository that shares the mirror's objects and whose HEAD
is the first such ref holding every fix. The mirror lacks a few large blobs, so the working
tree's checkout fails; build.py's clone keeps the full history, which is what it needs.
"""
import json
import os
import subprocess
import sys

import realtext_extra

UPSTREAM_DIR = "apache+jackrabbit-oak"


def git(gd, *args, check=True):
    return subprocess.run(["git", "--git-dir", gd, *args], capture_output=True, text=True, check=check)


def fixes(quatrain):
    reports = json.loads(git(quatrain, "show", "HEAD:data/BugReport/Bug_Report_All.json").stdout)
    return [k.split("-", 1)[1] for k in reports if k.startswith("oak-")]


def old_history(mirror, shas):
    """The first pull-request ref whose history holds every fix."""
    newest = max(shas, key=lambda s: int(git(mirror, "log", "-1", "--format=%ct", s).stdout))
    refs = git(mirror, "for-each-ref", "--contains", newest, "--format=%(refname)", "refs/pull").stdout.split()
    for ref in refs:
        if all(git(mirror, "merge-base", "--is-ancestor", s, ref, check=False).returncode == 0 for s in shas):
            return git(mirror, "rev-parse", ref).stdout.strip()
    sys.exit("no ref of %s holds every Oak fix" % mirror)


def main():
    args = realtext_extra.arguments(__doc__)
    mirror = realtext_extra.mirror(args.mirrors, UPSTREAM_DIR)
    quatrain = realtext_extra.mirror(args.mirrors, realtext_extra.QUATRAIN_DIR)
    shas = [git(mirror, "rev-parse", s + "^{commit}").stdout.strip() for s in fixes(quatrain)]
    head = old_history(mirror, shas)
    # Mirrors as build.py wants them: Quatrain, and Oak with HEAD on the old history.
    staged = os.path.join(args.out, ".oak-mirrors")
    os.makedirs(staged, exist_ok=True)
    link = os.path.join(staged, "Trustworthy-Software+Quatrain")
    if not os.path.islink(link):
        os.symlink(os.path.abspath(os.path.dirname(quatrain)), link)
    gd = os.path.join(staged, UPSTREAM_DIR, "repo")
    if not os.path.isdir(gd):
        subprocess.run(["git", "clone", "-q", "--bare", "--shared", mirror, gd], check=True)
    git(gd, "update-ref", "refs/heads/old-history", head)
    git(gd, "symbolic-ref", "HEAD", "refs/heads/old-history")

    def prepare(build):
        build.PROJECTS["oak"] = (None, UPSTREAM_DIR, "apache/jackrabbit-oak", None)
    realtext_extra.build(args.shared, staged, args.out, ["oak"], prepare)


if __name__ == "__main__":
    main()
