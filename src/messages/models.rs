//! The wording of the steps after training: serving, fusing and converting a model, evaluating
//! it, and a base model that is not on this machine.

/// `serve` as it starts: what it serves and where.
pub fn serving(what: &str, url: &str) -> String {
    format!("git-screenlink: serving {what} at {url} (OpenAI-compatible: POST {url}/chat/completions, {url}/completions); Ctrl-C stops it")
}

/// `serve` once the port answers.
pub fn serving_ready(url: &str) -> String {
    format!(
        "git-screenlink: ready at {url}; the model was trained on prompts as `git screenlink ask --dry-run \"INSTRUCTION\"` prints them (the instruction, then the talk as business context, then the task line)"
    )
}

/// `serve` when mlx-lm could not load the model: the server stopped.
pub fn model_did_not_load(what: &str, why: &str) -> String {
    format!("mlx-lm could not load {what}, so nothing is served: {why}")
}

pub const MODEL_DID_NOT_LOAD_HINT: &str =
    "the lines above are mlx-lm's; check that the model's directory holds its weights whole (a fused model is `<run dir>/fused`, as `train --fuse` writes it)";

/// `fuse --gguf` of a model `to_gguf.py` will not convert faithfully.
pub fn gguf_refused(why: &str) -> String {
    format!("this model cannot be written as GGUF here: {why}")
}

/// Where the fused model is (or `git screenlink fuse` puts it) for llama.cpp's converter.
pub fn gguf_refused_hint(model_dir: &std::path::Path) -> String {
    format!(
        "`git screenlink fuse` (without --gguf) writes the whole fused model to {}, which llama.cpp's own converter reads: `python convert_hf_to_gguf.py {0}` (in llama.cpp's source) knows every tokenizer llama.cpp supports",
        model_dir.display()
    )
}

pub const GGUF_PACKAGE_MISSING: &str = "the gguf package (llama.cpp's GGUF writer) is not installed beside mlx-lm";

/// `status`, after mlx-lm's version: the `gguf` package beside it (`version`, if installed),
/// which `fuse --gguf` needs (informational, as training itself is).
pub fn gguf_beside(python: &std::path::Path, version: Option<&str>) -> String {
    match version {
        Some(version) => format!(", gguf {version} (fuse --gguf)"),
        None => format!(", no gguf package (fuse --gguf needs it: {})", gguf_package_hint(python)),
    }
}

pub fn gguf_package_hint(python: &std::path::Path) -> String {
    format!("`./install.sh --mlx` installs it, or `{} -m pip install gguf`", python.display())
}

/// `fuse` when it is done: where each file is and what reads it.
pub fn fused(dir: &std::path::Path, gguf: Option<&std::path::Path>) -> String {
    let mut s = format!(
        "git-screenlink: the fused model is a whole mlx-lm model: `git screenlink ask --model {0}`, `serve --model {0}`, `eval --model {0}`",
        dir.display()
    );
    if let Some(g) = gguf {
        s.push_str(&format!(
            "\ngit-screenlink: the GGUF file runs in llama.cpp (`llama-cli -m {0}`) and the tools built on it; it is the team's talk and code in a model: share it as you would them",
            g.display()
        ));
    }
    s
}

/// An adapter `fuse --gguf --lora` cannot write as a LoRA adapter.
pub const LORA_REFUSED_HINT: &str = "`git screenlink fuse --gguf` (without --lora) writes the run as one fused GGUF file";

/// Said when another `fuse` of the same run holds it.
pub fn fuse_waiting(run_id: &str) -> String {
    format!("git-screenlink: another fuse of run {run_id} is running; waiting for it to finish")
}

/// `fuse --gguf --lora`: how the two files are used together.
pub fn lora_written(base: &std::path::Path, lora: &std::path::Path) -> String {
    format!(
        "git-screenlink: llama.cpp applies the adapter to the base as it loads it (`llama-cli -m {0} --lora {1}`; in Ollama, a Modelfile of `FROM {0}` and `ADAPTER {1}`); the adapter is the team's talk and code in a model: share it as you would them",
        base.display(),
        lora.display()
    )
}

/// `serve` on an address other machines can reach.
pub fn served_beyond_this_machine(host: &str, port: u16) -> String {
    format!(
        "git-screenlink: warning: listening on {host}: anyone who can reach this machine's port {port} can use a model trained on your talk and code, with no password (mlx-lm's server has none)"
    )
}

/// `serve` when the port cannot be listened on.
pub fn port_unusable(host: &str, port: u16, err: &std::io::Error) -> String {
    match err.kind() {
        std::io::ErrorKind::AddrInUse => format!("port {port} on {host} is in use"),
        _ => format!("cannot listen on {host} port {port}: {err}"),
    }
}

/// A model that is neither a directory nor in the Hugging Face cache (serve, ask, eval).
pub fn model_not_here(model: &str) -> String {
    format!("{model} is neither a model directory nor a model downloaded to this machine")
}

/// Where a model named by a hub id is not on this machine (serve, ask, eval: they run
/// mlx-lm offline).
pub const MODEL_NOT_HERE_HINT: &str =
    "models are read offline: download it once (`git screenlink train --download` does), or give a local mlx-lm model directory with --model DIR";

/// A local model directory without the weights mlx-lm loads; `other` is a weights file of
/// another format found there.
pub fn no_safetensors(dir: &std::path::Path, other: Option<&str>) -> String {
    let found = other.map_or(String::new(), |f| format!(" (it holds {f}, another format)"));
    format!("{} holds no model*.safetensors weights, the only ones mlx-lm loads{found}", dir.display())
}

/// `train` with a hub id that is not on this machine, and no `--download`.
pub fn model_not_downloaded(model: &str) -> String {
    format!("{model} is not on this machine, and train downloads nothing unless told")
}

/// `status` of a base model named by a hub id that is not in the cache.
pub fn model_not_on_machine(model: &str) -> String {
    format!("base model {model} is not on this machine (not in the Hugging Face cache)")
}

pub const MODEL_DOWNLOAD_HINT: &str =
    "`git screenlink train --download` lets mlx-lm fetch it from the Hugging Face hub once (later runs read it from the cache), \
or set --model (screenlink.train.model) to a local mlx-lm model directory";

/// `eval`'s comparison of the adapter with the base model, pair by pair.
pub const EVAL_COMPARISON_HEAD: &str = "Adapter against base, pair by pair: the mean difference and its 95 % bootstrap interval (code loss: lower is better)";

/// What one measure's comparison says, for `eval`'s table.
pub fn eval_verdict(c: &crate::eval::compare::Comparison) -> String {
    use crate::eval::compare::{Verdict, MIN_PAIRS};
    let counts = format!("better on {} of {} pairs, worse on {}", c.better, c.pairs, c.worse);
    match c.verdict {
        Verdict::Better => format!("{counts}: the adapter does better"),
        Verdict::Worse => format!("{counts}: the adapter does worse"),
        Verdict::Unclear => format!("{counts}: {} pairs cannot tell them apart", c.pairs),
        Verdict::Same => format!("the same on all {} pairs", c.pairs),
        Verdict::TooFew => format!("{counts}: too few pairs to tell (an interval needs {MIN_PAIRS})"),
    }
}

/// A verdict in one word, for `train --list`'s column.
pub fn verdict_word(v: crate::eval::compare::Verdict) -> &'static str {
    use crate::eval::compare::Verdict;
    match v {
        Verdict::Better => "better",
        Verdict::Worse => "worse",
        Verdict::Unclear => "unclear",
        Verdict::Same => "same",
        Verdict::TooFew => "too few",
    }
}
