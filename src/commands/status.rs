//! `git screenlink status`: what git-screenlink finds here, and how to fix what is missing.

use std::time::Instant;

use serde::Serialize;

use crate::assets::{self, Location};
use crate::cli::StatusArgs;
use crate::config::{Origin, Settings};
use crate::error::Result;
use crate::messages;
use crate::score::embed::Embedder;
use crate::source::{self, time};
use chrono::Utc;

#[derive(Debug, Serialize)]
struct Status {
    version: &'static str,
    repository: Option<String>,
    /// Settings whose values are wrong (shown, not fatal: this is the command to diagnose).
    config: Check,
    hook: Option<Check>,
    dataset: Option<Check>,
    screenpipe: Check,
    onnxruntime: Check,
    model: Check,
    embedding: Check,
    /// The embedding daemon: running or not (informational; the hook starts it).
    daemon: Check,
    /// The cache dir: what each cache takes (informational; all of it can be deleted).
    caches: Check,
    /// What `train` would use: mlx-lm and the base model (informational: training is optional).
    training: Check,
    /// The training runs kept beside the dataset and what they take on disk, GGUF bases
    /// included (informational; none before the first `train`).
    runs: Option<Check>,
}

/// One line of the report: where we looked, what we found, and how to fix it if broken.
#[derive(Debug, Serialize)]
struct Check {
    path: Option<String>,
    origin: Option<Origin>,
    ok: bool,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<String>,
}

impl Check {
    fn at(loc: &Location, ok: bool, detail: String, fix: Option<String>) -> Check {
        Check { path: Some(loc.path.display().to_string()), origin: Some(loc.origin.clone()), ok, detail, fix }
    }

    /// A check with no file or URL of its own.
    fn plain(ok: bool, detail: String, fix: Option<String>) -> Check {
        Check { path: None, origin: None, ok, detail, fix }
    }
}

pub fn run(args: &StatusArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load_lenient(&dir, &args.knobs.overrides())?;
    let config = match settings.bad_values.first() {
        None => Check::plain(true, "every screenlink.* value is valid".into(), None),
        Some(bad) => Check::plain(false, settings.bad_values.iter().map(|b| b.error.message.clone()).collect::<Vec<_>>().join("; "), bad.error.hint.clone()),
    };
    let repository = git2::Repository::discover(&dir).ok().map(|r| r.workdir().unwrap_or(r.path()).display().to_string());

    let screenpipe = source_check(&settings);

    let ort = assets::ort_library(&settings);
    let onnxruntime = match assets::probe_ort(&ort.path) {
        Ok(version) => Check::at(&ort, true, format!("ONNX Runtime {version}"), None),
        Err(err) => Check::at(&ort, false, err.message, err.hint),
    };

    let model_dir = assets::model_dir(&settings);
    let missing = assets::missing_model_files(&model_dir.path, settings.model_precision.value);
    let model = if missing.is_empty() {
        let from =
            assets::model_manifest(&model_dir.path).and_then(|m| m.get("package").and_then(|p| p.as_str()).map(|p| format!(" from {p}"))).unwrap_or_default();
        let build = settings.model_precision.value.label();
        Check::at(&model_dir, true, format!("{}{build}{from}", assets::MODEL_NAME), None)
    } else {
        Check::at(&model_dir, false, format!("missing {}", missing.join(", ")), Some(messages::INSTALL_ASSETS_HINT.into()))
    };

    let embedding = if args.no_load {
        Check::plain(true, "not loaded (--no-load)".into(), None)
    } else if onnxruntime.ok && model.ok {
        let started = Instant::now();
        match Embedder::load(&settings).and_then(|mut e| e.embed(&["git-screenlink status check"])) {
            Ok(v) => {
                let norm = v[0].iter().map(|x| x * x).sum::<f32>().sqrt();
                let detail =
                    format!("model loaded in {:.2} s; a test sentence gives a {}-d vector of norm {norm:.3}", started.elapsed().as_secs_f64(), v[0].len());
                Check::plain(true, detail, None)
            }
            Err(err) => Check::plain(false, err.message, err.hint),
        }
    } else {
        let detail = "not loaded: runtime or model missing".into();
        Check::plain(false, detail, Some(messages::INSTALL_ASSETS_HINT.into()))
    };

    let in_repo = repository.is_some();
    let hook = in_repo.then(|| match super::install::installed_in(&dir) {
        Some(path) => {
            let shared =
                crate::hooks::shared_hooks_path(&dir).map(|file| format!(" (core.hooksPath from {file}: every repository that uses it runs this hook)"));
            Check {
                path: Some(path.display().to_string()),
                origin: None,
                ok: true,
                detail: format!("post-commit hook installed{}", shared.unwrap_or_default()),
                fix: None,
            }
        }
        None => Check::plain(false, "post-commit hook not installed".into(), Some("run `git screenlink install`".into())),
    });
    let store = git2::Repository::discover(&dir).ok().and_then(|repo| crate::dataset::Store::for_repo(&repo, &settings).ok());
    let runs = store.as_ref().and_then(|store| runs_check(&store.dir));
    let dataset = store.map(|store| {
        let snapshot = store.snapshot().unwrap_or_default();
        let detail = format!(
            "{}, {} waiting for `git screenlink review`{}{}; {}",
            messages::count(snapshot.pairs, "pair"),
            messages::count(snapshot.pending.len(), "commit"),
            messages::left_for_backfill(snapshot.unlinked.len()),
            messages::answered(snapshot.answered.len()),
            super::weights::describe(&store.dir, settings.scoring.value)
        );
        Check { path: Some(store.dataset_path().display().to_string()), origin: None, ok: true, detail, fix: None }
    });
    let socket = crate::daemon::socket_path(&settings);
    let daemon = Check {
        path: Some(socket.display().to_string()),
        origin: None,
        ok: true,
        detail: match (settings.daemon.value.0, crate::daemon::Client::connect(&socket, settings.model_precision.value.model_id()).is_some()) {
            (_, true) => "running: the hook embeds there".into(),
            (true, false) => "not running; the next commit starts it".into(),
            (false, false) => "off (screenlink.daemon = false)".into(),
        },
        fix: None,
    };
    let caches = caches_check(settings.cache_max_mb.value);
    let training = training_check(&settings, args.no_load);
    let status = Status {
        version: env!("CARGO_PKG_VERSION"),
        repository,
        config,
        hook,
        dataset,
        screenpipe,
        onnxruntime,
        model,
        embedding,
        daemon,
        caches,
        training,
        runs,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status).expect("status serialises"));
    } else {
        print_status(&status);
    }
    // Exit 1 when anything git-screenlink needs is wrong; a hook not installed is a choice.
    let healthy = status.config.ok && status.screenpipe.ok && status.onnxruntime.ok && status.model.ok && status.embedding.ok;
    Ok(if healthy { 0 } else { 1 })
}

fn print_status(s: &Status) {
    println!("git-screenlink {}", s.version);
    let unreadable = match crate::pipeline::open_repo(&std::env::current_dir().unwrap_or_default()) {
        Err(e) if s.repository.is_none() => e.message,
        _ => messages::NOT_A_REPO.to_string(),
    };
    println!("{:13} {}", "repository", s.repository.as_deref().unwrap_or(&unreadable));
    let config = Some(&s.config).filter(|c| !c.ok);
    for (name, check) in [
        ("config", config),
        ("hook", s.hook.as_ref()),
        ("dataset", s.dataset.as_ref()),
        ("daemon", Some(&s.daemon)),
        ("caches", Some(&s.caches)),
        ("training", Some(&s.training)),
        ("runs", s.runs.as_ref()),
    ] {
        if let Some(check) = check {
            let mark = if check.ok { "ok" } else { "no" };
            match &check.path {
                Some(path) => println!("{name:13} {mark}: {} — {path}", check.detail),
                None => println!("{name:13} {mark}: {}", check.detail),
            }
            if let Some(fix) = &check.fix {
                println!("{:13}   fix: {fix}", "");
            }
        }
    }
    for (name, check) in [("screenpipe", &s.screenpipe), ("onnxruntime", &s.onnxruntime), ("model", &s.model), ("embedding", &s.embedding)] {
        let mark = match &check.path {
            _ if check.ok => "ok",
            Some(path) if !std::path::Path::new(path).exists() && !path.contains("://") => "MISSING",
            _ => "error",
        };
        match (&check.path, &check.origin) {
            // A failure's message often names the path and its origin already: say each once.
            (Some(path), Some(origin)) if check.detail.contains(path.as_str()) => {
                if check.detail.contains(&origin.to_string()) {
                    println!("{name:13} {mark}: {}", check.detail)
                } else {
                    println!("{name:13} {mark}: {} ({origin})", check.detail)
                }
            }
            (Some(path), Some(origin)) => println!("{name:13} {mark}: {} — {path} ({origin})", check.detail),
            _ => println!("{name:13} {mark}: {}", check.detail),
        }
        if let Some(fix) = &check.fix {
            println!("{:13}   fix: {fix}", "");
        }
    }
}

/// What `train` would run: mlx-lm (its version, and the `gguf` package's that `fuse --gguf`
/// needs; not looked for with --no-load, as finding them starts Python) and the base model,
/// which is read from a local directory or the Hugging Face cache and downloaded only by
/// `train --download`.
fn training_check(settings: &Settings, no_load: bool) -> Check {
    let model = &settings.train_model.value;
    let mlx = if no_load {
        "mlx-lm not looked for (--no-load)".to_string()
    } else {
        match crate::train::find_mlx(settings) {
            Ok(l) => {
                let gguf = l.python().map(|py| messages::gguf_beside(&py, crate::train::fuse::gguf_version(&py).as_deref()));
                format!("mlx-lm {}{}", l.version, gguf.unwrap_or_default())
            }
            Err(e) => return Check::plain(false, e.message, e.hint),
        }
    };
    let local = crate::train::is_local_model(model);
    let path = if local { Some(model.clone()) } else { crate::train::hub::cache_dir().map(|d| d.display().to_string()) };
    let (ok, base, fix) = if local {
        match crate::train::require_model_dir(std::path::Path::new(model), "set screenlink.train.model to a directory holding an mlx-lm model") {
            Ok(()) => (true, format!("base model {model}"), None),
            Err(e) => (false, format!("base model {}", e.message), e.hint),
        }
    } else if crate::train::hub::is_here(model) {
        (true, format!("base model {model}, in the Hugging Face cache"), None)
    } else {
        (false, messages::model_not_on_machine(model), Some(messages::MODEL_DOWNLOAD_HINT.to_string()))
    };
    Check { path, origin: None, ok, detail: format!("{mlx}; {base}"), fix }
}

/// The cache dir's files and their sizes (with their write-ahead logs): copies of what can be
/// computed again, which a user may want to see before deleting.
fn caches_check(max_mb: u32) -> Check {
    let dir = crate::fsutil::cache_dir();
    let size = |file: &str| -> u64 { ["", "-wal"].iter().filter_map(|ext| std::fs::metadata(dir.join(format!("{file}{ext}"))).ok()).map(|m| m.len()).sum() };
    let parts: Vec<(&str, u64)> =
        [("vectors", crate::score::cache::FILE_NAME), ("talk terms", crate::talk_terms::cache::FILE_NAME), ("commits", crate::commits::CACHE_FILE)]
            .into_iter()
            .map(|(what, file)| (what, size(file)))
            .chain([("the hook's saved model", tree_size(&dir.join("models")))])
            .collect();
    let mb = |b: u64| format!("{:.1} MB", b as f64 / 1_048_576.0);
    let total: u64 = parts.iter().map(|(_, b)| b).sum();
    let detail = if total == 0 {
        "empty".to_string()
    } else {
        let each: Vec<String> = parts.iter().filter(|(_, b)| *b > 0).map(|(what, b)| format!("{what} {}", mb(*b))).collect();
        format!("{} ({}); each is rebuilt as needed, so deleting it costs only time", mb(total), each.join(", "))
    };
    let limit = if max_mb == 0 {
        "; no size limit (screenlink.cacheMaxMb = 0)".to_string()
    } else {
        format!("; the oldest entries go past {max_mb} MB (screenlink.cacheMaxMb; the saved model is not counted: one file, replaced when the model or runtime changes)")
    };
    let detail = format!("{detail}{limit}");
    Check { path: Some(dir.display().to_string()), origin: None, ok: true, detail, fix: None }
}

/// The training runs and what they take: a fused model or a GGUF file is gigabytes, and a GGUF
/// base (`fuse --gguf --lora`) outlives the runs that named it. `None` before any run.
fn runs_check(dataset_dir: &std::path::Path) -> Option<Check> {
    let dir = crate::train::runs_dir(dataset_dir);
    let runs = crate::train::list_runs(dataset_dir);
    let bases_dir = dir.join(crate::train::adapter_gguf::BASES_DIR);
    let bases: Vec<(std::path::PathBuf, u64)> = std::fs::read_dir(&bases_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "gguf"))
        .map(|p| (p.clone(), std::fs::metadata(&p).map_or(0, |m| m.len())))
        .collect();
    if runs.is_empty() && bases.is_empty() {
        return None;
    }
    // Gigabytes at scale; a small model's files in megabytes rather than "0.00 GB".
    let size = |b: u64| if b >= 1 << 30 { format!("{:.2} GB", b as f64 / 1_073_741_824.0) } else { format!("{:.1} MB", b as f64 / 1_048_576.0) };
    // By file name: a repository moved since keeps its runs' old paths.
    let file_name = |p: &std::path::Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let named: std::collections::HashSet<String> = runs.iter().filter_map(|m| file_name(std::path::Path::new(m.gguf_base_path.as_deref()?))).collect();
    let unnamed: Vec<&(std::path::PathBuf, u64)> = bases.iter().filter(|(p, _)| !file_name(p).is_some_and(|n| named.contains(&n))).collect();
    let in_bases: u64 = bases.iter().map(|(_, b)| b).sum();
    // Whether training helped, as the newest evaluation found it (`git screenlink eval`).
    let evaluated =
        runs.iter().rev().find_map(|m| Some((m.run_id.clone(), crate::eval::Report::read(&dir.join(&m.run_id))?.comparison.remove(crate::eval::CODE_LOSS)?)));
    let helped = evaluated.map_or(String::new(), |(id, c)| format!("; eval of {id}: code loss {}", messages::eval_verdict(&c)));
    // The newest run, if it stopped short with a checkpoint to go on from.
    let stopped = runs
        .last()
        .and_then(|m| Some((m, crate::train::resumable_at(&dir.join(&m.run_id), m)?)))
        .map_or(String::new(), |(m, (status, at))| format!("; {}", messages::run_resumable(&m.run_id, status, at, m.iters())));
    let detail = format!(
        "{}, {} in all (GGUF bases: {}, {}){helped}{stopped}",
        messages::count(runs.len(), "run"),
        size(tree_size(&dir)),
        messages::count(bases.len(), "file"),
        size(in_bases)
    );
    let fix = (!unnamed.is_empty()).then(|| {
        let names: Vec<String> = unnamed.iter().map(|(p, _)| p.display().to_string()).collect();
        let it = if unnamed.len() == 1 { "it" } else { "them" };
        format!(
            "no run's run.json names {} ({}): delete {it} if no llama.cpp or Ollama setup of yours loads {it}; `fuse --gguf --lora` writes a base again when a run needs it",
            names.join(", "),
            size(unnamed.iter().map(|(_, b)| b).sum()),
        )
    });
    Some(Check { path: Some(dir.display().to_string()), origin: None, ok: true, detail, fix })
}

/// Bytes of the files under `dir` (0 when it is missing).
fn tree_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.path(), e.metadata().ok()?)))
        .map(|(p, m)| if m.is_dir() { tree_size(&p) } else { m.len() })
        .sum()
}

/// The source `screenlink.source` picks: where it is, how many rows, which times.
fn source_check(settings: &Settings) -> Check {
    let db_location = Location { path: settings.screenpipe_db.value.clone(), origin: settings.screenpipe_db.origin.clone() };
    match source::open(settings).and_then(|src| Ok((src.summary()?, src))) {
        Ok((summary, src)) => {
            let span = match (summary.oldest, summary.newest) {
                (Some(old), Some(new)) => {
                    format!(", {} to {}, newest {}", old.format("%Y-%m-%d"), new.format("%Y-%m-%d %H:%M UTC"), time::ago(new, Utc::now()))
                }
                (None, Some(new)) => format!(", newest {}", time::ago(new, Utc::now())),
                _ => String::new(),
            };
            let detail = format!("{} source, {} transcription rows{span}", src.kind(), summary.rows);
            let origin = if src.kind() == "db" { settings.screenpipe_db.origin.clone() } else { settings.screenpipe_url.origin.clone() };
            // Readable, so not an error; but a screenpipe that stopped recording leaves every
            // new commit without talk, which the hook alone would only say one commit at a time.
            let days = settings.time_window_days.value;
            let fix = if summary.rows == 0 {
                Some("screenpipe holds no audio transcriptions yet: is it recording audio?".to_string())
            } else if summary.newest.is_some() && source::silent(summary.newest, Utc::now(), days) {
                Some(format!(
                    "nothing recorded in the last {days} days (screenlink.timeWindowDays): a new commit has no talk to link; is screenpipe recording audio?"
                ))
            } else {
                None
            };
            Check { path: Some(src.location()), origin: Some(origin), ok: true, detail, fix }
        }
        Err(err) => Check::at(&db_location, false, err.message, err.hint),
    }
}
