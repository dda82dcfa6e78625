//! Which discussions can have motivated a commit: those in its time window, cut into
//! passages (the unit that is scored and becomes a pair's context).

use std::ops::Range;

use chrono::{DateTime, Duration, Utc};

use crate::commits::CommitInfo;
use crate::source::discussion::Discussion;

/// `[commit time − timeWindowDays, commit time − commitOffsetHours)`, where commit time is
/// the committer time (what the hook sees). When the author time is earlier (a rebased or
/// amended commit), the window reaches back to cover it too.
pub fn window(commit: &CommitInfo, days: u32, offset_hours: f64) -> (DateTime<Utc>, DateTime<Utc>) {
    let earliest = commit.author_time.min(commit.committer_time);
    let start = earliest - Duration::days(days as i64);
    let end = commit.committer_time - Duration::milliseconds((offset_hours * 3_600_000.0) as i64);
    (start, end.max(start))
}

/// Words per passage: about 200 model tokens, so a passage is embedded whole, and about a
/// minute of speech, so a pair's context is the stretch that mattered, not an hour of call.
pub const PASSAGE_WORDS: usize = 150;

/// Consecutive rows of one discussion, at most [`PASSAGE_WORDS`] words (a single longer row
/// stands alone; the embedder splits it).
#[derive(Debug, Clone)]
pub struct Passage<'a> {
    pub discussion: &'a Discussion,
    pub rows: Range<usize>,
    pub text: &'a str,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl<'a> Passage<'a> {
    pub fn ids(&self) -> Vec<i64> {
        self.discussion.rows[self.rows.clone()].iter().map(|r| r.id).collect()
    }

    /// The passage without the rows at either end that `keep` refuses (at least one row
    /// stays): a call moves through topics, and the excerpt is the part about the change.
    pub fn trimmed(&self, keep: &dyn Fn(&str) -> bool) -> Passage<'a> {
        let d = self.discussion;
        let text = |i: usize| &d.text[d.rows[i].span.0..d.rows[i].span.1];
        let (mut a, mut b) = (self.rows.start, self.rows.end);
        while b - a > 1 && !keep(text(a)) {
            a += 1;
        }
        while b - a > 1 && !keep(text(b - 1)) {
            b -= 1;
        }
        passage(d, a..b)
    }

    pub fn speakers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in self.discussion.rows[self.rows.clone()].iter().filter_map(|r| r.speaker.as_ref()) {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }
}

/// Every discussion cut into passages, in time order.
pub fn passages(discussions: &[Discussion]) -> Vec<Passage<'_>> {
    let mut out = Vec::new();
    for d in discussions {
        let mut first = 0;
        let mut words = 0;
        for (i, row) in d.rows.iter().enumerate() {
            let n = d.text[row.span.0..row.span.1].split_whitespace().count();
            if words > 0 && words + n > PASSAGE_WORDS {
                out.push(passage(d, first..i));
                first = i;
                words = 0;
            }
            words += n;
        }
        if first < d.rows.len() {
            out.push(passage(d, first..d.rows.len()));
        }
    }
    out
}

fn passage(d: &Discussion, rows: Range<usize>) -> Passage<'_> {
    let (a, b) = (&d.rows[rows.start], &d.rows[rows.end - 1]);
    Passage { discussion: d, text: d.text[a.span.0..b.span.1].trim(), start: a.timestamp, end: b.timestamp, rows }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn commit(author: DateTime<Utc>, committer: DateTime<Utc>) -> CommitInfo {
        CommitInfo {
            sha: "x".into(),
            subject: "s".into(),
            body: String::new(),
            author: "a".into(),
            author_time: author,
            committer_time: committer,
            files: vec![],
            identifiers: vec![],
            files_over_budget: 0,
            credential_files: 0,
            added_lines: 0,
        }
    }

    #[test]
    fn window_follows_the_guide_and_covers_rebased_author_time() {
        let t = Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap();
        let (s, e) = window(&commit(t, t), 7, 1.0);
        assert_eq!((s, e), (t - Duration::days(7), t - Duration::hours(1)));
        let authored = t - Duration::days(3);
        let (s, e) = window(&commit(authored, t), 7, 1.0);
        assert_eq!((s, e), (authored - Duration::days(7), t - Duration::hours(1)));
    }
}
