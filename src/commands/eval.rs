//! `git screenlink eval [RUN]`: the base model against base + adapter on the run's test
//! pairs: mlx-lm's test loss and perplexity, then greedy generations scored with chrF and
//! identifier recall, and each pair's code loss; the two sides compared pair by pair
//! (`eval::compare`). Ctrl-C keeps what was generated; a second run resumes.

use std::path::Path;

use chrono::Utc;

use crate::cli::EvalArgs;
use crate::config::Settings;
use crate::dataset::Store;
use crate::error::{Error, Kind, Result};
use crate::eval::{self, Case, Report, Side};
use crate::train::process::stream_lines;
use crate::train::{self, Launcher};

pub fn run(args: &EvalArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &[])?;
    let repo = crate::pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    let m = eval::pick_run(&train::list_runs(&store.dir), args.run.as_deref(), eval::Purpose::Evaluate)?;
    let run_dir = train::runs_dir(&store.dir).join(&m.run_id);
    if let Some(other) = &args.against {
        return super::eval_against::run(&store, &m.run_id, other, args.json);
    }
    if let Some(model) = &args.model {
        train::require_model_dir(model, "give --model a fused model (`git screenlink train --fuse` writes one in the run dir)")?;
    }
    let launcher = train::find_mlx(&settings)?;

    let format = m.dataset.format.clone();
    let test = std::fs::read_to_string(run_dir.join("test.jsonl")).map_err(|e| Error::io(format!("reading {}", run_dir.join("test.jsonl").display()), e))?;
    // The dataset names each case's commit (and splits a text record): ours, and those the
    // run took pairs from with `--also`.
    let mut pairs = store.pairs().map(|r| r.records).unwrap_or_default();
    for other in &m.dataset.also {
        pairs.extend(crate::dataset::read_jsonl::<crate::dataset::Pair>(Path::new(&other.path)).map(|r| r.records).unwrap_or_default());
    }
    let all = eval::cases(&test, &format, &pairs);
    let pairs_in_test = all.len();
    let cases: Vec<Case> = all.into_iter().take(args.limit.unwrap_or(usize::MAX)).collect();
    if cases.is_empty() {
        return Err(Error::new(Kind::Usage, format!("run {} has no test pairs to generate for", m.run_id))
            .hint("train on more pairs, so that the test split is not empty"));
    }
    let base_model = m.base_model().to_string();
    // Both sides run the base model, read offline.
    train::hub::require_here(&base_model, crate::messages::MODEL_NOT_HERE_HINT)?;
    let batch = (m.options["batch_size"].as_u64().unwrap_or(1) as usize).min(pairs_in_test).max(1);
    let mut report = Report {
        run_id: m.run_id.clone(),
        created: crate::dataset::pair::timestamp(Utc::now()),
        complete: false,
        pairs_in_test,
        max_tokens: args.max_tokens,
        base: Side { model: base_model.clone(), ..Side::default() },
        adapter: match &args.model {
            Some(fused) => Side { model: fused.display().to_string(), ..Side::default() },
            None => Side { model: base_model.clone(), adapter: Some(m.adapter_path.clone()), ..Side::default() },
        },
        comparison: Default::default(),
    };
    let eval_dir = run_dir.join(eval::EVAL_DIR);
    crate::fsutil::create_private_dir(&eval_dir).map_err(|e| Error::io(format!("creating {}", eval_dir.display()), e))?;
    let prompts = eval_dir.join("prompts.jsonl");
    crate::fsutil::write_atomic(&prompts, &cases.iter().map(|c| c.prompt_line() + "\n").collect::<String>())?;

    let intro = format!(
        "Evaluating run {} on {} of its {} test pairs (the newest, never trained on): greedy decoding, at most {} tokens",
        m.run_id,
        cases.len(),
        pairs_in_test,
        args.max_tokens
    );
    // With --json, stdout is the report alone.
    if args.json {
        eprintln!("{intro}");
    } else {
        println!("{intro}");
    }
    let mut interrupted = false;
    for label in ["base", "adapter"] {
        let side = if label == "base" { &mut report.base } else { &mut report.adapter };
        let loss = test_loss(&launcher, side, &run_dir, batch)?;
        interrupted |= loss.1;
        if let Some((l, p)) = loss.0 {
            side.test_loss = Some(l);
            side.perplexity = Some(p);
        }
        if interrupted {
            break;
        }
        // A model given in place of base + adapter has generations of its own.
        let file = match (label, &args.model) {
            ("adapter", Some(dir)) => eval::generations_file(&eval::model_label(dir), args.max_tokens),
            _ => eval::generations_file(label, args.max_tokens),
        };
        interrupted |= generate(&launcher, side, &prompts, &run_dir.join(&file), args.max_tokens, label)?;
        let text = std::fs::read_to_string(run_dir.join(&file)).unwrap_or_default();
        side.pairs = eval::score(&cases, &text, &file.display().to_string());
        eval::summarise(side);
        if interrupted {
            break;
        }
    }
    report.complete = !interrupted && report.base.pairs.len() == cases.len() && report.adapter.pairs.len() == cases.len();
    report.compare();
    let json = serde_json::to_value(&report).expect("a report serialises");
    let mut json = json;
    json["difference"] = report.difference();
    crate::fsutil::write_atomic(&run_dir.join(eval::EVAL_FILE), &serde_json::to_string_pretty(&json).expect("JSON"))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json).expect("JSON"));
    } else {
        print_table(&report, &cases, &run_dir);
    }
    if interrupted {
        eprintln!("git-screenlink: interrupted; what was generated is kept, and `git screenlink eval {}` resumes", m.run_id);
        return Ok(Kind::Interrupted.exit_code());
    }
    Ok(0)
}

/// mlx-lm's own test loss and perplexity for one side; and whether Ctrl-C stopped it.
fn test_loss(launcher: &Launcher, side: &Side, data: &Path, batch: usize) -> Result<(Option<(f64, f64)>, bool)> {
    let mut cmd = launcher.command("lora");
    cmd.arg("--model").arg(&side.model).arg("--data").arg(data).arg("--test");
    // An empty adapter path is mlx-lm's way to test the model alone.
    cmd.arg("--adapter-path").arg(side.adapter.as_deref().unwrap_or(""));
    cmd.args(["--batch-size", &batch.to_string()]);
    let mut found = None;
    let ended = stream_lines(&mut cmd, |line| {
        if let Some(l) = eval::parse_test_loss(&train::strip_ansi(line)) {
            found = Some(l);
        }
        false
    })?;
    let interrupted = ended.interrupted;
    if found.is_none() && !interrupted {
        eprintln!(
            "git-screenlink: warning: mlx-lm's test of {} gave no loss (exit code {:?}){}",
            side.adapter.as_deref().unwrap_or(&side.model),
            ended.code,
            ended.reason()
        );
    }
    Ok((found, interrupted))
}

/// Greedy generations for every prompt not generated yet, appended to `out`; whether Ctrl-C
/// stopped it.
fn generate(launcher: &Launcher, side: &Side, prompts: &Path, out: &Path, max_tokens: u32, label: &str) -> Result<bool> {
    let spec = serde_json::json!({
        "model": side.model, "adapter": side.adapter, "prompts": prompts, "out": out, "max_tokens": max_tokens, "label": label,
    });
    let mut cmd = eval::generate_command(launcher, &spec)?;
    let ended = stream_lines(&mut cmd, |line| line.starts_with("screenlink-eval: ") || line.contains("Error") || line.contains("Traceback"))?;
    if ended.code != Some(0) && !ended.interrupted {
        let what = side.adapter.as_deref().unwrap_or(&side.model);
        return Err(Error::new(Kind::Io, format!("generating with {what} failed (exit code {:?}){}", ended.code, ended.reason()))
            .hint("the lines above are mlx-lm's; what was generated is kept and a second run resumes"));
    }
    Ok(ended.interrupted)
}

fn print_table(r: &Report, cases: &[Case], run_dir: &Path) {
    let f = |x: Option<f64>, d: usize| x.map_or("-".to_string(), |x| format!("{x:.d$}"));
    let diff = |a: Option<f64>, b: Option<f64>, d: usize| a.zip(b).map_or("-".to_string(), |(a, b)| format!("{:+.d$}", a - b));
    println!();
    println!("{:<18} {:>10} {:>10} {:>11}", "", "base", "adapter", "difference");
    for (name, b, a, d) in [
        ("test loss", r.base.test_loss, r.adapter.test_loss, 3),
        ("perplexity", r.base.perplexity, r.adapter.perplexity, 2),
        ("chrF", r.base.chrf, r.adapter.chrf, 1),
        ("identifier recall", r.base.identifier_recall, r.adapter.identifier_recall, 2),
        ("code loss", r.base.code_loss, r.adapter.code_loss, 3),
    ] {
        println!("{name:<18} {:>10} {:>10} {:>11}", f(b, d), f(a, d), diff(a, b, d));
    }
    if !r.comparison.is_empty() {
        println!();
        println!("{}", crate::messages::EVAL_COMPARISON_HEAD);
        for m in &eval::MEASURES {
            let Some(c) = r.comparison.get(m.key) else { continue };
            let d = m.digits;
            let interval = c.low.zip(c.high).map_or(String::new(), |(l, h)| format!("[{l:+.d$}, {h:+.d$}]"));
            println!("  {:<18} {:>8} {interval:<18} {}", m.name, format!("{:+.d$}", c.difference), crate::messages::eval_verdict(c));
        }
    }
    println!();
    println!(
        "{:<5} {:<10} {:>10} {:>13} {:>11} {:>14} {:>10} {:>13}",
        "pair", "commit", "chrF base", "chrF adapter", "ident base", "ident adapter", "loss base", "loss adapter"
    );
    for c in cases {
        let b = r.base.pairs.iter().find(|p| p.id == c.id);
        let a = r.adapter.pairs.iter().find(|p| p.id == c.id);
        println!(
            "{:<5} {:<10} {:>10} {:>13} {:>11} {:>14} {:>10} {:>13}",
            c.id + 1,
            c.sha.as_deref().map(crate::messages::short).unwrap_or("-"),
            f(b.map(|p| p.chrf), 1),
            f(a.map(|p| p.chrf), 1),
            f(b.and_then(|p| p.identifier_recall), 2),
            f(a.and_then(|p| p.identifier_recall), 2),
            f(b.and_then(|p| p.code_loss), 3),
            f(a.and_then(|p| p.code_loss), 3)
        );
    }
    println!();
    println!("Generations in {}; report in {}", run_dir.join(eval::EVAL_DIR).display(), run_dir.join(eval::EVAL_FILE).display());
}
