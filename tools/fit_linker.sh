#!/usr/bin/env bash
# Fit the linker's shipped weights (src/score/fitted.rs) and print leave-one-group-out figures.
#
#   tools/fit_linker.sh REALTEXT_DIR [OUT_DIR]
#
# REALTEXT_DIR is what ../shared/realtext/build.py and mixed.py wrote (see its README).
# Labelled candidates go to OUT_DIR (default: target/link-eval), one file per set; the
# figures and the weights to paste into src/score/fitted.rs go to stdout.
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
"$bin" fit "$out"/*.jsonl
