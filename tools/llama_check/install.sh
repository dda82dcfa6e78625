#!/usr/bin/env bash
# For the tests only: llama.cpp itself, to load the GGUF files `git screenlink fuse --gguf`
# writes. node-llama-cpp's prebuilt llama.cpp for this platform, from the npm registry,
# into the data dir (beside the mlx-lm venv); nothing is built and nothing else fetched
# (its postinstall, which could download a llama.cpp release, is not run).
set -euo pipefail
VERSION=3.21.1

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) platform=linux-x64 ;;
  Linux/aarch64|Linux/arm64) platform=linux-arm64 ;;
  Darwin/arm64) platform=mac-arm64-metal ;;
  *) echo "llama_check/install.sh: no prebuilt llama.cpp for $(uname -s) $(uname -m)" >&2; exit 1 ;;
esac
command -v npm >/dev/null 2>&1 || { echo "llama_check/install.sh: npm not found (Node.js 20 or newer: on Debian, apt-get install nodejs npm)" >&2; exit 1; }

if [ -n "${SCREENLINK_DATA_DIR:-}" ]; then
  data_dir=$SCREENLINK_DATA_DIR
elif [ "$(uname -s)" = Darwin ]; then
  data_dir="$HOME/Library/Application Support/screenlink"
else
  data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/screenlink"
fi
dir="$data_dir/llama-check"
if [ -f "$dir/node_modules/node-llama-cpp/package.json" ] && grep -q "\"version\": \"$VERSION\"" "$dir/node_modules/node-llama-cpp/package.json"; then
  echo "==> node-llama-cpp $VERSION already in $dir"
  exit 0
fi
mkdir -p "$dir"
echo "==> Installing node-llama-cpp $VERSION ($platform, ~85 MB, from npm) into $dir"
cd "$dir"
[ -f package.json ] || echo '{"private": true}' >package.json
# Only this platform's build: the optional ones for every other (CUDA, Vulkan: ~700 MB) left out.
npm install --silent --no-audit --no-fund --ignore-scripts --omit=optional -E \
  "node-llama-cpp@$VERSION" "@node-llama-cpp/$platform@$VERSION"
