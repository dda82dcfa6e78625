//! Showing a linked pair to the developer and reading one keypress.
//!
//! The prompt writes to stderr and reads keys from the terminal (console reads `/dev/tty`
//! when stdin is not one, which is how git runs hooks). Ctrl-C is read as a key, so the
//! caller decides what it means (quit, or "later" in the hook) and nothing is lost.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use console::{style, Key, Term};

use crate::candidates::Passage;
use crate::commits::CommitInfo;
use crate::link::{Params, Scored};
use crate::score::keywords;
use crate::source::time;

/// What the developer can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    Accept,
    Reject,
    Skip,
    Next,
    Edit,
    Later,
    Quit,
    Good,
    Bad,
    /// Ctrl-C where the command should then exit 130 (never offered as a key).
    Interrupted,
}

impl Choice {
    fn key(self) -> char {
        match self {
            Choice::Accept => 'a',
            Choice::Reject => 'r',
            Choice::Skip => 's',
            Choice::Next => 'n',
            Choice::Edit => 'e',
            Choice::Later => 'l',
            Choice::Quit => 'q',
            Choice::Good => 'g',
            Choice::Bad => 'b',
            Choice::Interrupted => '^',
        }
    }

    fn label(self) -> &'static str {
        match self {
            Choice::Accept => "ccept",
            Choice::Reject => "eject",
            Choice::Skip => "kip",
            Choice::Next => "ext candidate",
            Choice::Edit => "dit instruction",
            Choice::Later => "ater",
            Choice::Quit => "uit",
            Choice::Good => "ood",
            Choice::Bad => "ad",
            Choice::Interrupted => "C",
        }
    }
}

/// A terminal a person is at: stderr is a terminal and `/dev/tty` can be opened.
pub fn terminal() -> Option<Term> {
    let term = Term::stderr();
    let tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").is_ok();
    (term.is_term() && tty).then_some(term)
}

/// The terminal, or the usage error a command that must ask gives without one.
pub fn require_terminal(what: &str, hint: &str) -> crate::error::Result<Term> {
    terminal().ok_or_else(|| {
        crate::error::Error::new(crate::error::Kind::Usage, format!("{what} asks about each pair, and there is no terminal to ask on")).hint(hint)
    })
}

/// Characters of the excerpt shown (the pair keeps it whole).
const EXCERPT_CHARS: usize = 480;

/// The commit, the excerpt with matched terms highlighted, when and who, the scores, and what
/// made the link sure.
pub fn render(commit: &CommitInfo, passage: &Passage, scored: &Scored, now: DateTime<Utc>, params: &Params) -> String {
    let matched: BTreeSet<&str> = scored.matched.iter().map(String::as_str).collect();
    let excerpt = excerpt(passage.text, &matched, &|w| style(w).yellow().bold().to_string());
    let speakers = passage.speakers();
    let who = if speakers.is_empty() { String::new() } else { format!(", {}", speakers.join(", ")) };
    // Below minConfidence a link is only ever shown to be asked about (screenlink.askConfidence).
    let verdict = if scored.confidence >= params.min_confidence { style("✓").green() } else { style("? unsure:").yellow() };
    let how = match params.scoring {
        crate::config::Scoring::Guide => {
            format!("= {} × keyword {:.3} + {} × semantic {:.3}", params.keyword_weight, scored.keyword, params.semantic_weight, scored.semantic)
        }
        crate::config::Scoring::Fitted => {
            format!("(right about {:.0} times in 10; keyword {:.3}, semantic {:.3})", scored.confidence * 10.0, scored.keyword, scored.semantic)
        }
    };
    // What made the link sure beyond the two scores shown (the fitted scoring only).
    let names: Vec<&str> = scored.why.iter().map(|&i| crate::score::features::NAMES[i]).collect();
    let why = crate::messages::why(&names).map_or(String::new(), |why| format!("  {} {why}\n", style("why:").dim()));
    format!(
        "\n{} {}\n  said {}{who}:\n  \"{excerpt}\"\n  {verdict} confidence {:.3} {how}   matched: {}\n{why}",
        style(crate::messages::short(&commit.sha)).dim(),
        style(&commit.subject).bold(),
        said_when(passage, commit, now),
        scored.confidence,
        scored.matched.iter().take(8).cloned().collect::<Vec<_>>().join(", "),
    )
}

/// "3 hours ago" for talk of the last week (the hook, a recent backfill); for older talk the
/// day, and how long before the commit it was said, which is what a person judges it by.
fn said_when(passage: &Passage, commit: &CommitInfo, now: DateTime<Utc>) -> String {
    if now - passage.start < chrono::Duration::days(7) {
        return time::ago(passage.start, now);
    }
    format!("on {} ({} before the commit)", passage.start.format("%Y-%m-%d"), time::span(commit.committer_time - passage.start))
}

/// Print the choices and wait for one of their keys. Ctrl-C, Esc and Ctrl-D (end of input,
/// which a terminal's reader sees as that key) map to `on_cancel`.
pub fn ask(term: &Term, choices: &[Choice], on_cancel: Choice) -> std::io::Result<Choice> {
    let line: Vec<String> = choices.iter().map(|c| format!("[{}]{}", style(c.key()).bold().cyan(), c.label())).collect();
    term.write_str(&format!("  {} ", line.join(" ")))?;
    loop {
        let key = term.read_key_raw()?;
        let picked = match key {
            Key::CtrlC | Key::Escape | Key::Char('\u{4}') => Some(on_cancel),
            Key::Char(c) => choices.iter().copied().find(|ch| ch.key() == c.to_ascii_lowercase()),
            _ => None,
        };
        if let Some(choice) = picked {
            term.write_line(&format!("{}{}", style(choice.key()).bold(), choice.label()))?;
            return Ok(choice);
        }
    }
}

/// The first [`EXCERPT_CHARS`] of `text`, each word whose terms `matched` holds marked by
/// `mark`; a filler's word is not ("sort" of "sort of" when "sort order" matched).
fn excerpt(text: &str, matched: &BTreeSet<&str>, mark: &dyn Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for (word, meant) in text.split_whitespace().zip(crate::score::fillers::meant(text)) {
        if shown > EXCERPT_CHARS {
            out.push('…');
            break;
        }
        shown += word.len() + 1;
        let hit = meant && keywords::terms(word).iter().any(|t| matched.contains(t.as_str()));
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&if hit { mark(word) } else { word.to_string() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_excerpt_marks_matched_words_but_not_fillers() {
        let matched: BTreeSet<&str> = ["sort", "order"].into_iter().collect();
        let mark = |w: &str| format!("[{w}]");
        assert_eq!(excerpt("it is sort of slow, the sort order", &matched, &mark), "it is sort of slow, the [sort] [order]");
        let long = "word ".repeat(200);
        assert!(excerpt(&long, &matched, &mark).ends_with('…'), "cut after {EXCERPT_CHARS} characters");
    }
}
