"""What tools/realtext_oak.py and tools/realtext_bears.py share: running
../shared/realtext/build.py's own code on projects it does not list, then mixed.py."""
import argparse
import os
import subprocess
import sys

QUATRAIN_DIR = "Trustworthy-Software+Quatrain"


def arguments(doc):
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirrors", required=True, help="the folder fetch put the mirrors in (owner+name/repo)")
    ap.add_argument("--out", required=True, help="the realtext folder (build.py's --out)")
    ap.add_argument("--shared", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "realtext"))
    return ap.parse_args()


def mirror(mirrors, name):
    """The bare git dir fetch made for `name` (owner+name), or exit saying to fetch it."""
    d = os.path.join(mirrors, name, "repo")
    if not os.path.isdir(d):
        sys.exit("missing mirror %s: fetch it first" % d)
    return d


def build(shared, mirrors, out, projects, prepare):
    """Build `projects` with build.py, `prepare(build_module)` first telling it about them."""
    sys.path.insert(0, os.path.abspath(shared))
    import build as realtext  # noqa: E402  (../shared/realtext/build.py)
    prepare(realtext)
    argv = ["build.py", "--mirrors", mirrors, "--out", out, "--projects", ",".join(projects)]
    sys.argv = argv
    try:
        realtext.main()
    except subprocess.CalledProcessError:
        # The checkout of the newest tree fails on large blobs a mirror lacks; the clone's
        # history is complete, and a second run finds it at the right HEAD and goes on.
        sys.argv = argv
        realtext.main()
    for proj in projects:
        subprocess.run([sys.executable, os.path.join(shared, "mixed.py"), out, proj], check=True)
