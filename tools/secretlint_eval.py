#!/usr/bin/env python3
"""The secret detectors on secretlint's rule tests (README, "Validating the dataset").

    tools/secretlint_eval.py SECRETLINT_CHECKOUT [-v]

SECRETLINT_CHECKOUT is a work tree of secretlint/secretlint (fetched for the measurement,
never committed). Each rule's `test/snapshots/<case>/` holds an input and the findings
secretlint's rule must give (`output.json`), none for a quiet case. Cases that depend on a
rule's options, and the rules that test secretlint itself or are not about secrets, are left
out. An expected finding counts as found when one of ours (personal data aside) overlaps it;
a quiet case counts as a false alarm when it gets any. `-v` lists both.
"""
import glob
import json
import os
import subprocess
import sys

# Rules that test secretlint's own machinery (comments, custom patterns) or flag what is not
# a secret (a home directory's path).
NOT_SECRETS = {"example", "filter-comments", "pattern", "no-homedir"}
PERSONAL = {"email", "phone", "ip_address", "credit_card"}


def cases(root):
    for out in sorted(glob.glob(os.path.join(root, "packages/@secretlint/secretlint-rule-*/test/snapshots/*/output.json"))):
        d = os.path.dirname(out)
        rule = d.split("/")[-4].removeprefix("secretlint-rule-")
        inputs = glob.glob(os.path.join(d, "input*"))
        expected = json.load(open(out))
        if rule.startswith("preset-") or rule in NOT_SECRETS or not inputs or "messages" not in expected:
            continue
        if os.path.exists(os.path.join(d, ".secretlintrc.json")) or os.path.exists(os.path.join(d, "options.ts")):
            continue
        yield rule, os.path.basename(d), inputs[0], expected["messages"]


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    if not args:
        sys.exit(__doc__)
    verbose = "-v" in sys.argv
    todo = list(cases(args[0]))
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run(["cargo", "build", "--release", "--quiet", "--example", "scan_secrets"], cwd=os.path.dirname(here), check=True)
    scanner = os.path.join(here, "..", "target", "release", "examples", "scan_secrets")
    found = {}
    for line in subprocess.run([scanner] + [c[2] for c in todo], capture_output=True, text=True, check=True).stdout.splitlines():
        j = json.loads(line)
        found[j["file"]] = j["findings"]
    wanted = covered = quiet = alarms = 0
    missed, alarmed = [], []
    for rule, case, path, messages in todo:
        raw = open(path, "rb").read()
        # Our ranges are bytes; secretlint's count characters (the inputs are UTF-8).
        chars = lambda b: len(raw[:b].decode("utf-8", errors="replace"))
        ours = [(k, chars(s), chars(e)) for k, s, e in found.get(path, []) if k not in PERSONAL]
        if not messages:
            quiet += 1
            if ours:
                alarms += 1
                alarmed.append((rule, case, [k for k, _, _ in ours]))
        for m in messages:
            a, b = m["range"]
            wanted += 1
            if any(s < b and a < e for _, s, e in ours):
                covered += 1
            else:
                missed.append((rule, case, m.get("message", "")[:100]))
    print(f"expected findings covered: {covered} of {wanted}; quiet cases with a finding: {alarms} of {quiet}")
    if verbose:
        print("missed:")
        for m in missed:
            print("  ", *m)
        print("false alarms:")
        for a in alarmed:
            print("  ", *a)


if __name__ == "__main__":
    main()
