"""Mistral's own SentencePiece tokenizers written by `fuse --gguf`'s writer and read by llama.cpp,
on talk and code nobody here wrote:
`python tools/sentencepiece_real.py MISTRAL_COMMON_DATA REALTEXT_PROJECT OUT_DIR`, with mlx-lm's
Python (`~/.local/share/screenlink/mlx-venv/bin/python`) and llama.cpp for the tests
(`./install.sh --llama-check`).

MISTRAL_COMMON_DATA is `mistral_common/data` in the wheel `pip download --no-deps mistral-common`
fetches (Mistral's tokenizer files: `tokenizer.model.v1`, Mistral 7B v0.1's, 32,000 tokens;
`…240323.model.v3`, v0.3's and Codestral's, 32,768 tokens). Each becomes a model folder as a
user's would hold it: `tokenizer.json` as transformers 5 converts the SentencePiece file (v1 in
the layout of the hub's Llama 2 and Mistral v0.1 files: a normalizer puts `▁` before text),
Mistral's chat template of that version, and random weights of a tiny Mistral.
REALTEXT_PROJECT is one of the folders ../shared/realtext's build.py makes: 200 chats pair three
of its screenpipe rows (real bug reports) with a real commit of its repository (`git show`, up to
3,000 characters); the first 100 are the run's training data.

Printed per tokenizer, llama.cpp's tokens against those training read (mlx-lm's load of the
tokenizer: its chat template for chats, plain for texts) and against SentencePiece's own: for
the file `src/train/to_gguf.py` writes; the same file with every score -1000, as mlx-lm's
`--export-gguf` and llama.cpp's converter without tokenizer.model write them; and with
SentencePiece's own scores and llama.cpp's default space setting, as llama.cpp's converter
writes a model that has tokenizer.model.
"""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import gguf
import mlx.core as mx
import sentencepiece
from mlx.utils import tree_flatten
from mlx_lm.models import llama
from mlx_lm.tokenizer_utils import load
from tokenizers.models import BPE
from transformers import LlamaTokenizer
from transformers.convert_slow_tokenizer import SentencePieceExtractor

HERE = Path(__file__).resolve().parent
TO_GGUF = HERE.parent / "src/train/to_gguf.py"
TEMPLATES = {
    "v1": "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'assistant' %}{{ m['content'] }}{{ eos_token }}"
    "{% else %}[INST] {{ m['content'] }} [/INST]{% endif %}{% endfor %}",
    "v3": "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'assistant' %} {{ m['content'] }}{{ eos_token }}"
    "{% else %}[INST] {{ m['content'] }}[/INST]{% endif %}{% endfor %}",
}
FILES = {"v1": "tokenizer.model.v1", "v3": "mistral_instruct_tokenizer_240323.model.v3"}


def model_folder(sp_file: Path, out: Path, version: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    spec = SentencePieceExtractor(str(sp_file)).extract(BPE)
    tok = LlamaTokenizer(vocab=spec["vocab"], merges=spec["merges"], legacy=version == "v1", additional_special_tokens=spec["additional_special_tokens"])
    tok._tokenizer.save(str(out / "tokenizer.json"))
    if version == "v1":
        j = json.loads((out / "tokenizer.json").read_text(encoding="utf-8"))
        j["pre_tokenizer"] = None
        j["normalizer"] = {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}
        (out / "tokenizer.json").write_text(json.dumps(j, ensure_ascii=False), encoding="utf-8")
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"}
    (out / "special_tokens_map.json").write_text(json.dumps(special))
    config = {"tokenizer_class": "LlamaTokenizer", "legacy": version == "v1", "add_bos_token": True, "add_eos_token": False, "chat_template": TEMPLATES[version]}
    (out / "tokenizer_config.json").write_text(json.dumps({**config, **special}))
    rows = sentencepiece.SentencePieceProcessor(model_file=str(sp_file)).get_piece_size()
    config = {"model_type": "mistral", "hidden_size": 64, "num_hidden_layers": 1, "intermediate_size": 128, "num_attention_heads": 4, "num_key_value_heads": 2}
    config.update(rms_norm_eps=1e-5, vocab_size=rows, max_position_embeddings=4096, rope_theta=1e6, tie_word_embeddings=True, bos_token_id=1, eos_token_id=2)
    (out / "config.json").write_text(json.dumps(config))
    mx.random.seed(0)
    mx.save_safetensors(str(out / "model.safetensors"), dict(tree_flatten(llama.Model(llama.ModelArgs.from_dict(config)).parameters())))


def chats(project: Path) -> list:
    db = sqlite3.connect(f"file:{project / 'screenpipe/db.sqlite'}?mode=ro", uri=True)
    rows = [r[0] for r in db.execute("select transcription from audio_transcriptions order by id")]
    shas = subprocess.run(["git", "-C", str(project / "repo"), "log", "--format=%H", "-n", "200"], capture_output=True, text=True, check=True).stdout.split()
    out = []
    for n, sha in enumerate(shas):
        change = subprocess.run(["git", "-C", str(project / "repo"), "show", "--format=%B", sha], capture_output=True, text=True, errors="replace").stdout
        talk = " ".join(rows[(2 * n) % len(rows) : (2 * n) % len(rows) + 3])[:1500]
        out.append([{"role": "user", "content": talk}, {"role": "assistant", "content": change[:3000]}])
    return out


# to_gguf.py with other scores and space setting: `python -c OTHER SRC_TRAIN SCORES FLAG TO_GGUF
# MODEL OUT`, SCORES `flat` (-1000 each) or a SentencePiece file (its own scores, as llama.cpp's
# converter reads them from tokenizer.model).
OTHER = """
import runpy, sys
import sentencepiece
sys.path.insert(0, sys.argv[1])
import gguf_spm
scores, flag = sys.argv[2], sys.argv[3] == "True"
real = gguf_spm.vocab_of
def other(tokenizer, rows):
    v = real(tokenizer, rows)
    if scores == "flat":
        return v[0], [-1000.0] * len(v[1]), v[2]
    sp = sentencepiece.SentencePieceProcessor(model_file=scores)
    return v[0], [sp.get_score(i) if i < len(sp) else 0.0 for i in range(len(v[1]))], v[2]
gguf_spm.vocab_of = other
gguf_spm.space_prefix = lambda *a: (flag, "")
sys.argv = sys.argv[4:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def llama_cpp_tokens(file: Path, items: list) -> list:
    # Where `./install.sh --llama-check` put it (git-screenlink's data dir).
    data_dir = os.environ.get("SCREENLINK_DATA_DIR") or os.path.expanduser("~/.local/share/screenlink")
    modules = Path(data_dir) / "llama-check"
    out = subprocess.run(["node", str(HERE / "llama_check/tokens.mjs"), str(modules), str(file)], input=json.dumps(items), capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    data, project, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    conversations = chats(project)
    for version in ("v1", "v3"):
        folder = out / f"mistral-{version}"
        model_folder(data / FILES[version], folder, version)
        (folder / "train.jsonl").write_text("".join(json.dumps({"messages": c}) + "\n" for c in conversations[:100]))
        written = out / f"mistral-{version}.gguf"
        wrote = subprocess.run([sys.executable, str(TO_GGUF), str(folder), str(written), str(folder / "train.jsonl")], capture_output=True, text=True)
        if wrote.returncode:
            print(f"{version}: refused: {wrote.stderr.strip().splitlines()[-1]}")
            continue
        prefix = gguf.GGUFReader(str(written)).fields["tokenizer.ggml.add_space_prefix"].contents()
        others = {"scores -1000": ("flat", str(prefix)), "tokenizer.model's scores, space yes": (str(data / FILES[version]), "True")}
        for name, (scores, flag) in others.items():
            other = out / f"mistral-{version}-{scores == 'flat' and 'flat' or 'sp'}.gguf"
            subprocess.run([sys.executable, "-c", OTHER, str(TO_GGUF.parent), scores, flag, str(TO_GGUF), str(folder), str(other)], capture_output=True, check=True)
        trained = load(folder)
        sp = sentencepiece.SentencePieceProcessor(model_file=str(data / FILES[version]))
        rendered = [trained.apply_chat_template(c, tokenize=False) for c in conversations]
        want = [list(trained.apply_chat_template(c, return_dict=False)) for c in conversations]
        texts = [m["content"] for c in conversations for m in c]
        plain = [trained.encode(t, add_special_tokens=False) for t in texts]
        items = [{"text": r, "special": True} for r in rendered] + [{"text": t, "special": False} for t in texts]
        print(f"{version}: {len(sp)} tokens, add_space_prefix {prefix}; {sum(map(len, want))} tokens in {len(want)} chats")
        for name, file in (("to_gguf.py", written), ("scores -1000", out / f"mistral-{version}-flat.gguf"), ("tokenizer.model's scores, space yes", out / f"mistral-{version}-sp.gguf")):
            got = llama_cpp_tokens(file, items)
            chat_same = sum(g == w for g, w in zip(got, want))
            plain_same = sum(g == w for g, w in zip(got[len(want) :], plain))
            sp_same = sum(g == sp.encode(t) for g, t in zip(got[len(want) :], texts))
            count = sum(map(len, got[: len(want)]))
            print(
                f"  {name}: chats as training read them {chat_same}/{len(want)} ({count} tokens), "
                f"texts as training {plain_same}/{len(texts)}, as SentencePiece {sp_same}/{len(texts)}"
            )
        print(f"  training's own texts as SentencePiece reads them: {sum(p == sp.encode(t) for p, t in zip(plain, texts))}/{len(texts)}")


if __name__ == "__main__":
    main()
