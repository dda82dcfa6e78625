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
    verdict_of(c, "the adapter")
}

/// What one measure's comparison says of `subject` (the adapter against its base model, or one
/// run against another).
pub fn verdict_of(c: &crate::eval::compare::Comparison, subject: &str) -> String {
    use crate::eval::compare::{Verdict, MIN_PAIRS};
    let counts = format!("better on {} of {} pairs, worse on {}", c.better, c.pairs, c.worse);
    match c.verdict {
        Verdict::Better => format!("{counts}: {subject} does better"),
        Verdict::Worse => format!("{counts}: {subject} does worse"),
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

/// How to go on with a run that stopped, after saying where it is described.
pub fn resume_hint(described: &std::path::Path, run_id: &str) -> String {
    format!("the partial run is described in {}; `git screenlink train --resume {run_id}` goes on from its last checkpoint", described.display())
}

/// `train --resume` with no run to go on with.
pub const NO_RUN_TO_RESUME: &str = "there is no training run to resume";

/// `train --resume RUN` naming no run of this dataset.
pub fn no_such_run(run_id: &str, runs: &std::path::Path) -> String {
    format!("no training run {run_id} in {}", runs.display())
}

pub const LIST_RUNS_HINT: &str = "`git screenlink train --list` lists the runs; `git screenlink train` starts a new one";

/// `eval`, `ask`, `serve` or `fuse` of a run another process is training.
pub fn run_still_training(run_id: &str) -> String {
    format!("run {run_id} is still training in another process")
}

/// `train --resume` of a run another process holds (training or fusing it).
pub fn run_in_use(run_id: &str) -> String {
    format!("run {run_id} is in use by another process (training it, or fusing it)")
}

pub const RUN_STILL_TRAINING_HINT: &str = "wait for it to end, or stop it (Ctrl-C in its terminal), then resume it";

/// `eval`, `ask`, `serve` or `fuse` of a run still training: its adapter changes at every save.
pub const USE_WHEN_TRAINED_HINT: &str = "use it when it has finished (`git screenlink train --list` shows its status), or name a run that has";

/// `train --resume` of a run that has trained every iteration it was given.
pub fn run_done(run_id: &str, iters: u32) -> String {
    format!("run {run_id} has trained all {iters} of its iterations; there is nothing to resume")
}

pub fn run_done_hint(run_id: &str, iters: u32) -> String {
    format!("`git screenlink train --resume {run_id} --iters {}` trains it further, to a new total", iters * 2)
}

/// `train --resume` of a run that stopped before mlx-lm saved any weights.
pub fn no_checkpoint(run_id: &str) -> String {
    format!("run {run_id} stopped before mlx-lm saved a checkpoint (it saves every 100 iterations, or every `--save-every`), so there is nothing to go on from")
}

pub const NO_CHECKPOINT_HINT: &str = "start a new run with `git screenlink train`";

/// `train --resume` of a run whose exported data files have gone.
pub fn run_data_missing(run_id: &str, file: &std::path::Path) -> String {
    format!("run {run_id} cannot go on: its training data {} is missing", file.display())
}

/// Before a resumed run starts: from where, and what it keeps of the first start.
pub fn resuming(run_id: &str, at: u32, total: u32, checkpoint: &std::path::Path) -> String {
    format!(
        "Resuming run {run_id} at iteration {at} of {total}, from {} (the run's own data, model and settings; the optimizer's state and the data's order start afresh)",
        checkpoint.display()
    )
}

/// `train` through mlx.launch: how many ranks, where, and each one's share of a batch.
pub fn ranks_line(ranks: usize, hosts: &[crate::train::distributed::Host], batch_size: u32) -> String {
    format!(
        "{ranks} ranks{}: --batch-size {batch_size} is each step's whole batch, split across the ranks ({} pairs per rank per step)",
        if hosts.is_empty() { " on this machine".to_string() } else { format!(" on {}", hosts.iter().map(|h| h.ssh.as_str()).collect::<Vec<_>>().join(", ")) },
        batch_size as usize / ranks
    )
}

/// `train --resume`: what was made from the older weights, removed.
pub fn forgot_derived(gone: &[std::path::PathBuf]) -> String {
    let names: Vec<String> = gone.iter().map(|p| p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())).collect();
    format!(
        "Removed what was made from the run's older weights ({}): `git screenlink eval` and `git screenlink fuse` make it again from the new ones",
        names.join(", ")
    )
}

/// `status`: the newest run stopped short, with a checkpoint to go on from.
pub fn run_resumable(run_id: &str, status: &str, at: u32, iters: u32) -> String {
    format!("run {run_id} {status} with a checkpoint at iteration {at} of {iters} (`git screenlink train --resume` goes on from it)")
}

/// `eval --against`: a run that `eval` has not measured.
pub fn not_evaluated(run_id: &str) -> String {
    format!("run {run_id} has not been evaluated (no eval.json in its directory)")
}

/// `eval --against`: a run whose evaluation stopped before every pair was generated.
pub fn not_evaluated_whole(run_id: &str) -> String {
    format!("run {run_id}'s evaluation was stopped before every pair was generated (`git screenlink eval {run_id}` finishes it)")
}

/// `eval --against`: what is compared with what, on how many commits.
pub fn against_head(run_id: &str, other: &str, pairs: usize, only_run: usize, only_other: usize) -> String {
    let rest = if only_run + only_other > 0 {
        format!(" ({only_run} held out by {run_id} alone, {only_other} by {other} alone, not compared)")
    } else {
        String::new()
    };
    format!(
        "Run {run_id} against run {other}, pair by pair on the {} both held out{rest}: the mean difference and its 95 % bootstrap interval (code loss: lower is better)",
        super::count(pairs, "commit")
    )
}

/// `eval --against`: two runs that held out no commit in common.
pub fn no_common_pairs(run_id: &str, other: &str) -> String {
    format!("runs {run_id} and {other} held out no commit in common, so there is nothing to compare pair by pair")
}

/// `train --from RUN` of a run with no whole adapter.
pub fn no_adapter_to_start_from(run_id: &str) -> String {
    format!("run {run_id} has no whole adapter to start from")
}

pub const FROM_HINT: &str = "train without --from to start afresh, or name another run (`git screenlink train --list`)";

/// `train --from RUN` whose adapter was made for another model, kind of fine-tuning or layers.
pub fn adapter_does_not_fit(run_id: &str, theirs: (&str, &str, u64), ours: (&str, &str, u64)) -> String {
    format!(
        "run {run_id}'s adapter does not fit this run: it trained {} ({}, {} layers), this run would train {} ({}, {} layers)",
        theirs.0, theirs.1, theirs.2, ours.0, ours.1, ours.2
    )
}

/// `train --from RUN` where the new run would test on pairs the old adapter trained on.
pub fn held_out_trained(run_id: &str, seen: usize, held_out: usize) -> String {
    format!("{seen} of this run's {held_out} held-out pairs trained run {run_id}'s adapter, so they would test nothing (the dataset shrank, or --valid-fraction grew)")
}

/// `train --from RUN` as it starts.
pub fn starting_from(run_id: &str, adapter: &str) -> String {
    format!("Starting from run {run_id}'s adapter ({adapter}) rather than from nothing")
}
