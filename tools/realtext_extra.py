"""What tools/realtext_oak.py and tools/realtext_bears.py share: running
../shared/realtext/build.py's own code on projects it does not list, then mixed.py."""
import os
import subprocess
import sys


def shared_default():
    return os.path.join(os.path.dirname(__file__), "..", "..", "shared", "realtext")


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
