//! `git screenlink index`: embed the discussions that arrived since the last run (and keep
//! their terms), so a later commit's hook finds its talk in the caches and only embeds the
//! commit itself.
//!
//! Every passage of the window is embedded (not only those a commit's keywords would pick),
//! since the commit is not known yet. The time of the last run is kept per source in the
//! cache dir; each run starts a little before it, as a discussion may have grown since.

use chrono::{DateTime, Duration, Utc};

use crate::candidates;
use crate::cli::IndexArgs;
use crate::config::Settings;
use crate::error::Result;
use crate::pipeline;
use crate::score::cache;
use crate::source::{self, discussion, time};

pub fn run(args: &IndexArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &args.knobs.overrides())?;
    let src = source::open(&settings)?;
    let state_path = cache::default_dir().join("index.json");
    let mut state: serde_json::Map<String, serde_json::Value> =
        std::fs::read_to_string(&state_path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    let key = format!("{} {}", src.kind(), src.location());
    let now = Utc::now();
    let last: Option<DateTime<Utc>> = state.get(&key).and_then(|v| v.as_str()).and_then(time::parse);
    let gap = Duration::milliseconds((settings.discussion_gap_minutes.value * 60_000.0) as i64);
    let start = match (args.days, last) {
        (Some(days), _) => now - Duration::days(days as i64),
        // A discussion still going on at the last run has grown: start one gap (and a
        // margin) before it.
        (None, Some(last)) => last - gap - Duration::minutes(30),
        (None, None) => now - Duration::days(settings.time_window_days.value as i64),
    };
    let rows = src.read(start, now)?;
    let discussions = discussion::group(&rows, gap, settings.min_audio_length.value as usize);
    // Their terms too, into the term cache: the hook then splits only talk newer than this.
    let terms = crate::talk_terms::TalkTerms::build(&discussions, Some(&mut crate::talk_terms::TermCache::open(&cache::default_dir())));
    let passages = candidates::cut(&discussions, &terms);
    let texts: Vec<&str> = passages.iter().map(|p| p.text).collect();
    let mut semantic = pipeline::load_semantic(&settings, false)?;
    let bar = indicatif::ProgressBar::new(texts.len() as u64);
    if args.quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    semantic.prepare(&texts, &mut |n| bar.inc(n as u64))?;
    bar.finish_and_clear();
    state.insert(key, serde_json::Value::String(time::format(now)));
    crate::fsutil::write_atomic(&state_path, &serde_json::to_string_pretty(&state).expect("state serialises"))?;
    if !args.quiet {
        println!(
            "Indexed {} passages from {} rows since {} ({}): {} embedded, {} already cached",
            passages.len(),
            rows.len(),
            time::format(start),
            src.location(),
            semantic.embedded,
            semantic.from_cache
        );
    }
    Ok(0)
}
