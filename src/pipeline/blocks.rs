//! A long history's talk read and linked block by block, so memory holds one block of talk
//! at a time rather than all of it (a year of talk was ~110 MB of rows and discussions).
//!
//! Commits are taken in time order and cut into blocks whose windows together cover about
//! `screenlink.talkBlockRows` rows of talk (50,000: a year of the sample world, 232k rows,
//! reads in five blocks; a month, 20k, and every realtext project in one). Each block is
//! linked as `review` links a commit: beside its rivals, the commits whose windows overlap
//! its own, which may fit its talk better; its keyword weights (IDF) and talk level come
//! from its own talk and commits. Talk a block links at or above `minConfidence` is claimed
//! before the next block is linked (one talk, one commit). A history whose windows hold
//! fewer rows than one block is linked exactly as before, in one block.

use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};

use super::{read_talk_span, Profile, Talk};
use crate::candidates::{self, Passage};
use crate::commits::CommitInfo;
use crate::config::Settings;
use crate::error::Result;
use crate::link::{self, CommitLinks, Params};
use crate::score::features::TALK_LEVEL_MIN_COMMITS;
use crate::score::semantic::Semantic;
use crate::source::Source;
use crate::workspace::Workspace;

/// What one block's linking hands on, before its talk is dropped.
pub struct Block<'a> {
    /// In time order.
    pub commits: &'a [CommitInfo],
    pub talk: &'a Talk,
    pub passages: &'a [Passage<'a>],
    /// One per commit of the block, in the block's order (`CommitLinks::commit` indexes `commits`).
    pub links: Vec<CommitLinks>,
    /// The centre of the block's commits and talk (`score::centre`).
    pub centre: Option<crate::score::centre::Centre>,
}

/// Counts over every block, each row, discussion and passage counted once.
#[derive(Debug, Default)]
pub struct Totals {
    pub source: String,
    pub rows: usize,
    pub discussions: usize,
    pub passages: usize,
    pub blocks: usize,
    /// Discussions split into terms (not found in the term cache).
    pub discussions_split: usize,
}

/// Ranges of `commits` (in time order) whose windows cover at most about `block_rows` rows,
/// given the source's rows per day; at least [`TALK_LEVEL_MIN_COMMITS`] commits each, so a
/// block measures its own talk level. No counts: one block.
pub fn plan(commits: &[CommitInfo], per_day: &[(NaiveDate, u64)], (window_days, offset_hours): (u32, f64), block_rows: u64) -> Vec<Range<usize>> {
    if commits.is_empty() {
        return Vec::new();
    }
    let mut days: Vec<(NaiveDate, u64)> = per_day.to_vec();
    days.sort();
    let rows_in = |(a, b): (DateTime<Utc>, DateTime<Utc>)| -> u64 {
        let lo = days.partition_point(|(d, _)| *d < a.date_naive());
        let hi = days.partition_point(|(d, _)| *d <= b.date_naive());
        days[lo..hi.max(lo)].iter().map(|(_, n)| n).sum()
    };
    let window = |c: &CommitInfo| candidates::window(c, window_days, offset_hours);
    let mut out = Vec::new();
    let mut first = 0;
    let mut span = window(&commits[0]);
    for (i, c) in commits.iter().enumerate().skip(1) {
        let w = window(c);
        let grown = (span.0.min(w.0), span.1.max(w.1));
        if i - first >= TALK_LEVEL_MIN_COMMITS && rows_in(grown) > block_rows {
            out.push(first..i);
            first = i;
            span = w;
        } else {
            span = grown;
        }
    }
    // A short last block joins the one before: too few commits to measure its talk.
    match out.last_mut() {
        Some(last) if commits.len() - first < TALK_LEVEL_MIN_COMMITS => last.end = commits.len(),
        _ => out.push(first..commits.len()),
    }
    out
}

/// Link `todo` (in committer-time order) block by block, `done` (commits already decided)
/// scored beside them; `claimed` gains the rows each block links at or above
/// `minConfidence`. `each` sees every block's links while its talk is held.
#[allow(clippy::too_many_arguments)]
pub fn link_in_blocks(
    settings: &Settings,
    source: &dyn Source,
    todo: &[CommitInfo],
    done: &[CommitInfo],
    params: &Params,
    ws: &Workspace,
    claimed: &mut crate::claimed::Claimed,
    semantic: &mut Semantic,
    profile: &mut Profile,
    progress: &mut dyn FnMut(usize, usize),
    block_rows: u64,
    each: &mut dyn FnMut(Block<'_>) -> Result<()>,
) -> Result<Totals> {
    let Some(whole) = link::read_span(todo, params) else { return Ok(Totals::default()) };
    let per_day = profile.time("source read", || source.rows_per_day(whole.0, whole.1))?;
    let blocks = plan(todo, &per_day, (params.time_window_days, params.commit_offset_hours), block_rows);
    let mut totals = Totals { blocks: blocks.len(), ..Totals::default() };
    let mut read_until: Option<DateTime<Utc>> = None;
    let mut offset = 0;
    for range in blocks.iter().cloned() {
        let commits = &todo[range.clone()];
        // Its rivals: every other commit, to link or decided, whose window overlaps the
        // block's (it could claim the same talk). The talk read is what the commits being
        // linked can see, as one read of all of it was; a decided commit is scored on the part
        // of its window that holds. One block: its rivals are the decided commits that can see
        // its talk, the only ones that ever had candidates beside it.
        let own = link::read_span(commits, params).expect("a block has commits");
        let sees = |c: &&CommitInfo| {
            let (start, end) = candidates::window(c, params.time_window_days, params.commit_offset_hours);
            start < own.1 && end > own.0
        };
        let linked: Vec<CommitInfo> = todo[..range.start].iter().chain(&todo[range.end..]).filter(sees).cloned().collect();
        let span = link::read_span(&linked, params).map_or(own, |(a, b)| (own.0.min(a), own.1.max(b)));
        let rivals: Vec<CommitInfo> = linked.into_iter().chain(done.iter().filter(sees).cloned()).collect();
        let talk = profile.time("source read", || read_talk_span(settings, source, span, read_until))?;
        let talk = profile.time("candidate selection", || talk.with_terms());
        let passages = profile.time("candidate selection", || talk.passages());
        totals.source = talk.source.clone();
        totals.rows += talk.rows;
        totals.discussions_split += talk.terms.split;
        totals.discussions += talk.discussions.iter().filter(|d| read_until.is_none_or(|t| d.start >= t)).count();
        totals.passages += passages.iter().filter(|p| read_until.is_none_or(|t| p.start >= t)).count();
        read_until = Some(read_until.map_or(span.1, |t| t.max(span.1)));
        crate::debug(format_args!("block of {} commits ({} rivals): {} passages", commits.len(), rivals.len(), passages.len()));
        let t = std::time::Instant::now();
        let mut texts = 0;
        let links = link::link_in_context(commits, &rivals, &passages, &talk.terms, ws, params, claimed, Some(semantic), &mut |d, n| {
            texts = n;
            progress(offset + d, offset + n);
        })?;
        offset += texts;
        profile.add("embedding and scoring", t.elapsed());
        for l in &links {
            if let Some(best) = l.best().filter(|b| b.confidence >= params.min_confidence) {
                claimed.claim(&passages[best.passage].ids(), &l.work);
            }
        }
        each(Block { commits, talk: &talk, passages: &passages, links, centre: semantic.observed.take() })?;
        // The cache keeps the vectors; the next block reads the ones it needs again.
        semantic.forget();
    }
    Ok(totals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn commits(n: usize) -> Vec<CommitInfo> {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
        (0..n)
            .map(|i| {
                let t = t0 + Duration::days(i as i64);
                CommitInfo {
                    sha: format!("{i:040}"),
                    subject: "s".into(),
                    body: String::new(),
                    author: "a".into(),
                    author_time: t,
                    committer_time: t,
                    files: vec![],
                    identifiers: vec![],
                    files_over_budget: 0,
                    credential_files: 0,
                    added_lines: 0,
                    patch: String::new(),
                }
            })
            .collect()
    }

    /// The default window: 7 days, ending an hour before the commit.
    fn params() -> (u32, f64) {
        (7, 1.0)
    }

    fn days(n: i64, rows: u64) -> Vec<(NaiveDate, u64)> {
        let d0 = NaiveDate::from_ymd_opt(2025, 12, 1).unwrap();
        (0..n).map(|i| (d0 + Duration::days(i), rows)).collect()
    }

    #[test]
    fn without_counts_everything_is_one_block() {
        assert_eq!(plan(&commits(300), &[], params(), 10), vec![0..300]);
        assert!(plan(&[], &days(10, 5), params(), 10).is_empty());
    }

    #[test]
    fn blocks_cut_at_the_row_budget_and_cover_every_commit_once() {
        // A commit a day, 1,000 rows a day: 20 commits' windows (7 days before each) hold
        // 28 days of talk, over a 20,000-row budget, so each block stops at the 20 commits
        // a block needs to measure its own talk level.
        let got = plan(&commits(100), &days(200, 1000), params(), 20_000);
        assert_eq!(got, vec![0..20, 20..40, 40..60, 60..80, 80..100]);
        // A larger budget: fewer, larger blocks, each within it (but for the last commit
        // that crossed it).
        let got = plan(&commits(100), &days(200, 1000), params(), 60_000);
        assert_eq!(got.first().map(|r| r.start), Some(0));
        assert!(got.windows(2).all(|w| w[0].end == w[1].start) && got.last().unwrap().end == 100, "{got:?}");
        assert!(got.len() >= 2 && got.iter().all(|r| r.len() >= TALK_LEVEL_MIN_COMMITS), "{got:?}");
        assert!(got.iter().all(|r| r.len() <= 54), "{got:?}");
    }

    #[test]
    fn a_short_last_block_joins_the_one_before() {
        let got = plan(&commits(45), &days(200, 1000), params(), 20_000);
        assert_eq!(got, vec![0..20, 20..45]);
    }
}
