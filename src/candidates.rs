//! Which discussions can have motivated a commit: those in its time window.

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

/// The discussions that end inside the window (a discussion still going on when the
/// window closes was not finished before the commit).
pub fn in_window(
    discussions: &[Discussion],
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> impl Iterator<Item = &Discussion> {
    discussions.iter().filter(move |d| d.start >= start && d.end < end)
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
