//! Checks the detectors' tests share: texts redacted to exactly what is wanted, and look-alikes
//! that give no finding, of some kinds or of any.

use super::{redact, scan};

/// Each text redacts to exactly its wanted text.
pub(super) fn redacts_to(cases: &[(&str, &str)]) {
    for (text, want) in cases {
        assert_eq!(redact(text).0, *want, "{text}");
    }
}

/// Each text redacts to exactly its wanted text, with one finding.
pub(super) fn redacts_once(cases: &[(&str, &str)]) {
    for (text, want) in cases {
        let (out, found) = redact(text);
        assert_eq!(out, *want, "{text}");
        assert_eq!(found.len(), 1, "{text}: {found:?}");
    }
}

/// No text gives a finding of these kinds, or of any kind when `kinds` is empty.
pub(super) fn finds_none(kinds: &[&str], texts: &[&str]) {
    for text in texts {
        let found = scan(text);
        assert!(found.iter().all(|f| !kinds.is_empty() && !kinds.contains(&f.kind)), "{text}: {found:?}");
    }
}
