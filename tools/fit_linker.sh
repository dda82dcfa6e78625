#!/usr/bin/env bash
# Fit the linker's shipped weights (src/score/fitted.rs) and print leave-one-group-out figures.
#
#   tools/fit_linker.sh REALTEXT_DIR [OUT_DIR]
#
# REALTEXT_DIR is what ../shared/realtext/build.py and mixed.py wrote (see its README), and
# tools/realtext_oak.py and tools/realtext_bears.py if run: those sets are never fitted on,
# nor is each project's list less half its fixes, which this writes (`link_eval orphans`).
# Labelled candidates go to OUT_DIR (default: target/link-eval), one file per set; the
# figures and the weights to paste into src/score/fitted.rs go to stdout. The weights for runs
# with no centre (fitted.rs's *_UNCENTRED) are the same fit with semantic_centred at 0:
#   LINK_EVAL_ZERO=11 target/release/examples/link_eval fit OUT_DIR/*.jsonl
set -euo pipefail
cd "$(dirname "$0")/.."
realtext=${1:?usage: tools/fit_linker.sh REALTEXT_DIR [OUT_DIR]}
out=${2:-target/link-eval}
mkdir -p "$out"
cargo build --release --example link_eval
bin=target/release/examples/link_eval
for seed in 1 2 3; do
  "$bin" world "plain#$seed" month "$seed" plain "$out/plain$seed.jsonl"
  "$bin" world "meeting#$seed" month "$seed" meeting "$out/meeting$seed.jsonl"
done
for p in wicket accumulo log4j2 mng; do
  d="$realtext/$p"
  "$bin" dump "$p" "$d/repo" "$d/screenpipe/db.sqlite" "$d/mixed/gold.json" "$d/mixed/commits.txt" "$out/$p.jsonl"
done
# Sets no weight is fitted on (tools/realtext_oak.py, tools/realtext_bears.py), when built:
# judged by the models fitted on all the others (LINK_EVAL_UNSEEN).
unseen=()
for p in oak spoon sdc traccar; do
  d="$realtext/$p"
  # A dump left from an earlier run must not be fitted on as a seen set.
  [ -d "$d/mixed" ] || { rm -f "$out/$p.jsonl"; continue; }
  "$bin" dump "$p" "$d/repo" "$d/screenpipe/db.sqlite" "$d/mixed/gold.json" "$d/mixed/commits.txt" "$out/$p.jsonl"
  unseen+=("$p")
done
# Each project less half its fixes (examples/link_eval/orphans.rs): talk that motivated no
# commit of the list, judged apart like the sets above.
"$bin" orphans "$realtext"
for p in wicket accumulo log4j2 mng oak spoon sdc traccar; do
  d="$realtext/$p"
  [ -d "$d/orphans" ] || { rm -f "$out/${p}orph.jsonl"; continue; }
  "$bin" dump "${p}orph" "$d/repo" "$d/screenpipe/db.sqlite" "$d/orphans/gold.json" "$d/orphans/commits.txt" "$out/${p}orph.jsonl"
  unseen+=("${p}orph")
done
LINK_EVAL_UNSEEN=$(IFS=,; echo "${unseen[*]}") "$bin" fit "$out"/*.jsonl
