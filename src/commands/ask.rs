//! `git screenlink ask "INSTRUCTION"`: the fine-tuned model, asked for a change in the very
//! format it was trained on (the instruction, the talk as business context, the task line),
//! its answer streamed as it is generated.

use chrono::{Duration, Utc};

use crate::cli::AskArgs;
use crate::config::Settings;
use crate::dataset::Store;
use crate::error::{Error, Kind, Result};
use crate::eval;
use crate::train;

pub fn run(args: &AskArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &args.knobs.overrides())?;
    let repo = crate::pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;

    let chosen = eval::choose(&settings, &store.dir, args.model.as_deref(), args.base, args.run.as_deref(), eval::Purpose::Ask)?;
    let context = match (&args.context, args.from_talk) {
        (Some(text), _) => text.clone(),
        (None, true) => best_talk(&settings, &args.instruction)?,
        (None, false) => "(no discussion given)".to_string(),
    };
    let task = if args.files.is_empty() { "Task: make the change".to_string() } else { format!("Task: Modify {}", args.files.join(", ")) };
    let input = format!("Business Context from team discussions:\n\n{context}\n\n{task}");
    let prompt = format!("{}\n\n{input}", args.instruction);
    let rec = match chosen.format.as_str() {
        "text" => serde_json::json!({"text": format!("{prompt}\n\n")}),
        "completions" => serde_json::json!({"messages": [{"role": "user", "content": prompt}]}),
        _ => serde_json::json!({"messages": [{"role": "system", "content": train::SYSTEM_LINE}, {"role": "user", "content": prompt}]}),
    };
    let what = chosen.describe();
    if args.dry_run {
        // The chat format's system turn too: a client of `serve` sends it as training did.
        let system = rec["messages"][0]["role"].as_str().filter(|r| *r == "system").map(|_| format!("System: {}\n", train::SYSTEM_LINE)).unwrap_or_default();
        println!("Model: {what}\nFormat: {}\n{system}Prompt:\n{prompt}", chosen.format);
        return Ok(0);
    }
    crate::train::hub::require_here(&chosen.model, crate::messages::MODEL_NOT_HERE_HINT)?;
    let launcher = train::find_mlx(&settings)?;
    eprintln!("git-screenlink: asking {what}");
    let spec =
        serde_json::json!({"model": chosen.model, "adapter": chosen.adapter, "max_tokens": args.max_tokens, "stream": true, "prompt": rec, "label": "ask"});
    let status = eval::generate_command(&launcher, &spec)?.status().map_err(|e| Error::io("starting mlx-lm's Python", e))?;
    match status.code() {
        Some(0) => Ok(0),
        Some(code) => Err(Error::new(Kind::Io, format!("generating failed (exit code {code})")).hint("the lines above are mlx-lm's")),
        None => Ok(Kind::Interrupted.exit_code()),
    }
}

/// The passage of the last timeWindowDays most like the instruction.
fn best_talk(settings: &Settings, instruction: &str) -> Result<String> {
    let now = Utc::now();
    let from = now - Duration::days(settings.time_window_days.value as i64);
    let rows = crate::source::open(settings)?.read(from, now)?;
    let gap = Duration::milliseconds((settings.discussion_gap_minutes.value * 60_000.0) as i64);
    let discussions = crate::source::discussion::group(&rows, gap, settings.min_audio_length.value as usize);
    let passages = crate::candidates::passages(&discussions);
    if passages.is_empty() {
        return Err(Error::new(Kind::Source, format!("no talk in the last {} days to use as context", settings.time_window_days.value))
            .hint("give the context with --context TEXT, or look further back with --time-window-days N"));
    }
    let mut semantic = crate::pipeline::load_semantic(settings, false)?;
    // The model reads each passage as linking does (and `index` cached it): fillers left out.
    let read: Vec<String> = passages.iter().map(|p| p.model_text()).collect();
    let mut texts: Vec<&str> = vec![instruction];
    texts.extend(read.iter().map(String::as_str));
    semantic.prepare(&texts, &mut |_| {})?;
    let (best, score) =
        passages.iter().zip(&read).map(|(p, r)| (p, semantic.similarity(instruction, r))).max_by(|a, b| a.1.total_cmp(&b.1)).expect("not empty");
    eprintln!("git-screenlink: context: talk from {} (similarity {score:.2})", best.start.format("%Y-%m-%d %H:%M"));
    Ok(best.text.to_string())
}
