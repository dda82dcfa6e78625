//! Grouping transcription rows into discussions.
//!
//! A discussion is a run of rows of one kind (microphone or system output) with no gap
//! longer than `screenlink.discussionGapMinutes` between neighbours. The two kinds are
//! grouped apart, since on a call both record at once. Every row's id, time and speaker
//! are kept, so a training pair can cite exactly which rows it used.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::Transcription;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowRef {
    pub id: i64,
    pub timestamp: DateTime<Utc>,
    pub speaker: Option<String>,
    /// Byte range of what this row adds to [`Discussion::text`] (empty when it only repeated
    /// the chunk overlap), so a passage of rows is a slice of the discussion's text. The
    /// row's own text is not kept beside it: a year of talk held twice cost ~60 MB.
    pub span: (usize, usize),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discussion {
    pub rows: Vec<RowRef>,
    /// The rows' text joined, with words repeated by the chunks' overlap said once.
    pub text: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub is_input: Option<bool>,
}

impl Discussion {
    pub fn ids(&self) -> Vec<i64> {
        self.rows.iter().map(|r| r.id).collect()
    }

    /// Distinct speaker names, in order of first appearance.
    pub fn speakers(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for name in self.rows.iter().filter_map(|r| r.speaker.as_ref()) {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
        out
    }
}

#[cfg(test)]
impl Discussion {
    /// A discussion of `rows`, the first at `start` and each `step` after the one before,
    /// joined as [`group`] joins them (for unit tests).
    pub fn of_rows(rows: &[&str], start: DateTime<Utc>, step: Duration) -> Discussion {
        let mut text = String::new();
        let mut refs = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            if !text.is_empty() {
                text.push(' ');
            }
            let from = text.len();
            text.push_str(r);
            refs.push(RowRef { id: i as i64, timestamp: start + step * i as i32, speaker: None, span: (from, text.len()) });
        }
        let end = refs.last().map_or(start, |r| r.timestamp);
        Discussion { rows: refs, text, start, end, is_input: Some(true) }
    }
}

/// Group `rows` (any order) into discussions at least `min_chars` long.
pub fn group(rows: &[Transcription], gap: Duration, min_chars: usize) -> Vec<Discussion> {
    let mut sorted: Vec<&Transcription> = rows.iter().collect();
    sorted.sort_by_key(|r| r.order_key());

    let mut out = Vec::new();
    for kind in [Some(true), Some(false), None] {
        let mut current: Vec<&Transcription> = Vec::new();
        for row in sorted.iter().filter(|r| r.is_input == kind) {
            if let Some(last) = current.last() {
                if row.timestamp - last.timestamp > gap {
                    out.extend(finish(&current, min_chars));
                    current.clear();
                }
            }
            current.push(row);
        }
        out.extend(finish(&current, min_chars));
    }
    out.sort_by_key(|d| d.start);
    out
}

fn finish(rows: &[&Transcription], min_chars: usize) -> Option<Discussion> {
    let (first, last) = (rows.first()?, rows.last()?);
    let mut text = String::new();
    let mut kept = Vec::new();
    for row in rows {
        let fresh = strip_overlap(&text, row.text.trim());
        if fresh.is_empty() && !text.is_empty() {
            // Entirely repeated (the overlap, or screenpipe's duplicate): still cite the row.
            kept.push(row_ref(row, (text.len(), text.len())));
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        let start = text.len();
        text.push_str(fresh);
        kept.push(row_ref(row, (start, text.len())));
    }
    (text.chars().count() >= min_chars).then_some(Discussion { rows: kept, text, start: first.timestamp, end: last.timestamp, is_input: first.is_input })
}

fn row_ref(row: &Transcription, span: (usize, usize)) -> RowRef {
    RowRef { id: row.id, timestamp: row.timestamp, speaker: row.speaker.clone(), span }
}

/// Longest run of words that chunk overlap can repeat (2 s of speech is well under this).
const MAX_OVERLAP_WORDS: usize = 12;

/// `next` without the words at its start that repeat the end of `before` (the 2 s overlap
/// between audio chunks). Words compare case- and punctuation-insensitively; one repeated
/// word is not taken as overlap, since speech repeats single words naturally.
fn strip_overlap<'a>(before: &str, next: &'a str) -> &'a str {
    let norm = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    let tail: Vec<String> = before.split_whitespace().rev().take(MAX_OVERLAP_WORDS).map(norm).collect();
    let tail: Vec<&String> = tail.iter().rev().collect();
    let words: Vec<(usize, &str)> = word_starts(next);
    if before.is_empty() || words.is_empty() {
        return next;
    }
    let heads: Vec<String> = words.iter().take(MAX_OVERLAP_WORDS).map(|(_, w)| norm(w)).collect();
    for k in (1..=heads.len().min(tail.len())).rev() {
        let matches = tail[tail.len() - k..].iter().zip(&heads[..k]).all(|(a, b)| *a == b);
        if matches && k >= 2 {
            return match words.get(k) {
                Some((offset, _)) => &next[*offset..],
                None => "",
            };
        }
    }
    next
}

/// (byte offset, word) for each whitespace-separated word.
fn word_starts(s: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(st)) => {
                out.push((st, &s[st..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, &s[st..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, secs: i64, text: &str, is_input: Option<bool>) -> Transcription {
        Transcription {
            id,
            timestamp: DateTime::from_timestamp(1_770_000_000 + secs, 0).unwrap(),
            text: text.into(),
            speaker: Some(format!("speaker {}", id % 2)),
            is_input,
        }
    }

    #[test]
    fn overlap_is_said_once() {
        assert_eq!(strip_overlap("we should add pagination to the", "to the search endpoint"), "search endpoint");
        assert_eq!(strip_overlap("the cache is slow.", "Cache is slow. So we retry"), "So we retry");
        assert_eq!(strip_overlap("it is broken", "broken builds again"), "broken builds again", "one word is not overlap");
        assert_eq!(strip_overlap("retry the request", "the request"), "", "whole row repeated");
        assert_eq!(strip_overlap("", "hello there"), "hello there");
        assert_eq!(strip_overlap("alpha beta", "gamma delta"), "gamma delta");
    }

    #[test]
    fn groups_by_gap_and_kind_and_drops_short_ones() {
        let gap = Duration::minutes(5);
        let rows = vec![
            row(1, 0, "so the login page keeps timing out when the", Some(true)),
            row(2, 28, "timing out when the auth server is slow", Some(true)),
            row(3, 10, "on the call someone says the retries are missing", Some(false)),
            row(4, 56, "we should add exponential backoff to auth requests", Some(true)),
            // 10 minutes later: a new discussion.
            row(5, 656, "lunch is at noon", Some(true)),
        ];
        let ds = group(&rows, gap, 10);
        assert_eq!(ds.len(), 3);
        let first = &ds[0];
        assert_eq!(first.ids(), vec![1, 2, 4]);
        assert_eq!(first.text, "so the login page keeps timing out when the auth server is slow we should add exponential backoff to auth requests");
        assert_eq!(first.speakers(), vec!["speaker 1".to_string(), "speaker 0".to_string()]);
        assert_eq!(ds[1].ids(), vec![3]);
        assert_eq!(ds[1].is_input, Some(false));
        assert_eq!(ds[2].ids(), vec![5]);
        // min length drops the short one.
        assert_eq!(group(&rows, gap, 20).len(), 2);
    }
}
