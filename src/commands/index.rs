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
    let mut semantic = pipeline::load_semantic(&settings, false)?;
    let bar = indicatif::ProgressBar::new(0);
    if args.quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut terms_cache = crate::talk_terms::TermCache::open(&cache::default_dir());
    let (mut rows_read, mut passages) = (0, 0);
    // Days of talk in blocks of about `talkBlockRows` rows, as backfill reads them, so a year
    // indexed at once holds one block's talk and vectors at a time, not all of it.
    let per_day = src.rows_per_day(start, now)?;
    for (from, to) in spans(&per_day, (start, now), settings.talk_block_rows.value as u64) {
        // A discussion belongs to the block it starts in: read a day either side so one that
        // crosses a block's edge is whole in the block it starts in, and not cut in the next.
        let lo = if from == start { start } else { from - Duration::days(1) };
        let hi = if to == now { now } else { to + Duration::days(1) };
        let rows = src.read(lo, hi)?;
        rows_read += rows.iter().filter(|r| r.timestamp >= from && r.timestamp < to).count();
        let discussions: Vec<_> =
            discussion::group(&rows, gap, settings.min_audio_length.value as usize).into_iter().filter(|d| d.start >= from && d.start < to).collect();
        drop(rows);
        // Their terms too, into the term cache: the hook then splits only talk newer than this.
        let terms = crate::talk_terms::TalkTerms::build(&discussions, Some(&mut terms_cache));
        let block = candidates::cut(&discussions, &terms);
        let owned: Vec<String> = block.iter().map(|p| p.model_text()).collect();
        let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
        passages += texts.len();
        bar.inc_length(texts.len() as u64);
        semantic.prepare(&texts, &mut |n| bar.inc(n as u64))?;
        semantic.forget();
    }
    bar.finish_and_clear();
    state.insert(key, serde_json::Value::String(time::format(now)));
    crate::fsutil::write_atomic(&state_path, &serde_json::to_string_pretty(&state).expect("state serialises"))?;
    let (embedded, from_cache) = (semantic.embedded, semantic.from_cache);
    // Its cache connection closed, so the pruning can compact the file.
    drop(semantic);
    // The hook's own form of the model too, so the next commit does not make it.
    if let Err(err) = crate::score::embed::Embedder::save_for_hook(&settings, &cache::default_dir()) {
        crate::debug(format_args!("{err}"));
    }
    let pruned = crate::cache_limit::enforce(&cache::default_dir(), crate::cache_limit::megabytes(settings.cache_max_mb.value));
    if !args.quiet {
        if let Some(pruned) = pruned {
            println!("{}", crate::messages::cache_pruned(&pruned, settings.cache_max_mb.value));
        }
        println!(
            "Indexed {} passages from {} rows since {} ({}): {} embedded, {} already cached",
            passages,
            rows_read,
            time::format(start),
            src.location(),
            embedded,
            from_cache
        );
    }
    Ok(0)
}

/// `[start, end)` cut at day boundaries into spans of about `block_rows` rows by the source's
/// counts per day (whole days; the first span starts at `start`, the last ends at `end`). No
/// counts (the API): one span.
fn spans(per_day: &[(chrono::NaiveDate, u64)], (start, end): (DateTime<Utc>, DateTime<Utc>), block_rows: u64) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut days = per_day.to_vec();
    days.sort();
    let mut out = Vec::new();
    let mut from = start;
    let mut rows = 0;
    for (day, n) in days {
        let next = day.succ_opt().map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc()).unwrap_or(end);
        rows += n;
        if rows >= block_rows && next > from && next < end {
            out.push((from, next));
            from = next;
            rows = 0;
        }
    }
    out.push((from, end));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn spans_cover_the_range_once_at_day_edges() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 15, 0, 0).unwrap();
        let end = Utc.with_ymd_and_hms(2026, 1, 6, 9, 30, 0).unwrap();
        let days: Vec<(chrono::NaiveDate, u64)> = (1..=6).map(|d| (chrono::NaiveDate::from_ymd_opt(2026, 1, d).unwrap(), 40)).collect();
        assert_eq!(spans(&days, (start, end), 1_000), vec![(start, end)]);
        assert_eq!(spans(&[], (start, end), 10), vec![(start, end)], "no counts: one read");
        let cut = spans(&days, (start, end), 80);
        assert_eq!(cut.first().unwrap().0, start);
        assert_eq!(cut.last().unwrap().1, end);
        assert!(cut.windows(2).all(|w| w[0].1 == w[1].0 && w[0].1.time() == chrono::NaiveTime::MIN), "{cut:?}");
        assert_eq!(cut.len(), 3, "{cut:?}");
    }
}
