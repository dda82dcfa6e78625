//! Which discussions can have motivated a commit: those in its time window, cut into
//! passages (the unit that is scored and becomes a pair's context).

use std::ops::Range;

use chrono::{DateTime, Duration, Utc};

use crate::commits::CommitInfo;
use crate::source::discussion::Discussion;
use crate::talk_terms::{RowTerms, TalkTerms};

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
    /// The discussion's index in the slice the passages were cut from (and its terms built
    /// from: [`TalkTerms::rows`]).
    pub discussion_index: usize,
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
        passage(d, self.discussion_index, a..b)
    }

    /// What the embedding model reads of the passage: its text without speech's fillers
    /// (`fillers::without_fillers`). The pair's context keeps the text as said.
    pub fn model_text(&self) -> String {
        crate::score::fillers::without_fillers(self.text)
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

/// Every discussion cut into passages, in time order (its rows split into terms here; see
/// [`cut`] to reuse terms already split).
pub fn passages(discussions: &[Discussion]) -> Vec<Passage<'_>> {
    cut(discussions, &TalkTerms::new(discussions))
}

/// Every discussion cut into passages, in time order, reading the rows' terms from `terms`
/// (built from the same `discussions`).
pub fn cut<'a>(discussions: &'a [Discussion], terms: &TalkTerms) -> Vec<Passage<'a>> {
    let mut out = Vec::new();
    let indexed: Vec<(usize, &Discussion)> = discussions.iter().enumerate().collect();
    let all_shifts = crate::par::par_map(&indexed, |(i, _)| topic_shifts(terms.rows(*i)));
    for ((index, d), shifts) in indexed.into_iter().zip(all_shifts) {
        let mut first = 0;
        let mut words = 0;
        for (i, row) in terms.rows(index).iter().enumerate() {
            let n = row.words as usize;
            if words > 0 && (words + n > PASSAGE_WORDS || (words >= TOPIC_MIN_WORDS && shifts[i])) {
                out.push(passage(d, index, first..i));
                first = i;
                words = 0;
            }
            words += n;
        }
        if first < d.rows.len() {
            out.push(passage(d, index, first..d.rows.len()));
        }
    }
    out
}

/// Words a passage holds before a change of topic may end it: two or three rows of speech.
pub const TOPIC_MIN_WORDS: usize = 40;

/// Whether the talk changes topic before each row: the two rows before it and the two from it
/// on share no term, leaving out terms said in over half the rows of a longer discussion
/// (what the whole call is about). A call moves through topics; a passage cut at a fixed
/// length mixes the end of one with the start of the next, and a pair's context should be
/// the topic. A bug report, one topic throughout, is not cut (realtext's passages are the
/// same with and without); held out, meeting talk's reach went 0.82–0.85 → 0.91–0.93 and
/// its recall 0.37–0.46 → 0.43–0.49 (README, "Link quality").
fn topic_shifts(rows: &[RowTerms]) -> Vec<bool> {
    use std::collections::HashMap;
    let words: usize = rows.iter().map(|r| r.words as usize).sum();
    if words <= TOPIC_MIN_WORDS {
        return vec![false; rows.len()];
    }
    let mut df: HashMap<u32, usize> = HashMap::new();
    if rows.len() >= 6 {
        for &t in rows.iter().flat_map(|r| r.ids.iter()) {
            *df.entry(t).or_default() += 1;
        }
    }
    let telling = |t: u32| rows.len() < 6 || df[&t] * 2 <= rows.len();
    let said_in = |rs: &[RowTerms], t: u32| rs.iter().any(|r| r.ids.binary_search(&t).is_ok());
    (0..rows.len())
        .map(|i| {
            if i == 0 {
                return false;
            }
            let (before, after) = (&rows[i.saturating_sub(2)..i], &rows[i..(i + 2).min(rows.len())]);
            let mut before_terms = before.iter().flat_map(|r| r.ids.iter().copied()).filter(|&t| telling(t)).peekable();
            let any_after = after.iter().flat_map(|r| r.ids.iter().copied()).any(telling);
            before_terms.peek().is_some() && any_after && !before_terms.any(|t| said_in(after, t))
        })
        .collect()
}

fn passage(d: &Discussion, discussion_index: usize, rows: Range<usize>) -> Passage<'_> {
    let (a, b) = (&d.rows[rows.start], &d.rows[rows.end - 1]);
    Passage { discussion: d, discussion_index, text: d.text[a.span.0..b.span.1].trim(), start: a.timestamp, end: b.timestamp, rows }
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
            patch: String::new(),
        }
    }

    /// A discussion of `rows`, 30 s apart.
    fn discussion(rows: &[&str]) -> Discussion {
        Discussion::of_rows(rows, Utc.with_ymd_and_hms(2026, 3, 10, 12, 0, 0).unwrap(), Duration::seconds(30))
    }

    #[test]
    fn a_passage_ends_where_the_talk_changes_topic() {
        let export = "the export times out for big customers when the report has thousands of rows and the export job";
        let export2 = "maybe the export should stream rows to the customers instead of building the whole report first";
        let export3 = "and the export job could report progress so big customers see the report is coming along fine";
        let lunch = "unrelated but the team lunch on friday moved to the italian place near the station at noon sharp";
        let lunch2 = "bring your laptop to lunch because the friday demo happens right after at the station office";
        let lunch3 = "and whoever books the italian place please tell them we are twelve people for friday at noon";
        let d = discussion(&[export, export2, export3, lunch, lunch2, lunch3]);
        let ps = passages(std::slice::from_ref(&d));
        let rows: Vec<Range<usize>> = ps.iter().map(|p| p.rows.clone()).collect();
        assert_eq!(rows, [0..3, 3..6], "cut where the export talk ends and lunch begins");
        assert!(ps[0].text.ends_with("coming along fine") && ps[1].text.starts_with("unrelated"));
        // One topic throughout (a bug report): cut only by length.
        let one = discussion(&[export, export2, export3]);
        assert_eq!(passages(std::slice::from_ref(&one)).len(), 1);
        // A topic shorter than TOPIC_MIN_WORDS is not a passage of its own.
        let short = discussion(&["the export times out", lunch, lunch2, lunch3]);
        let ps = passages(std::slice::from_ref(&short));
        assert_eq!((ps.len(), ps[0].rows.clone()), (1, 0..4));
        // Fillers on both sides of the change say nothing of the topic: still cut.
        let said = |t: &str| format!("{t} I mean sort of");
        // (Said in two rows of six, the fillers would count as a topic the two rows share.)
        let (c, x) = (said(export3), said(lunch));
        let spoken = discussion(&[export, export2, &c, &x, lunch2, lunch3]);
        let rows: Vec<Range<usize>> = passages(std::slice::from_ref(&spoken)).iter().map(|p| p.rows.clone()).collect();
        assert_eq!(rows, [0..3, 3..6], "\"I mean\" on both sides is not a shared topic");
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
