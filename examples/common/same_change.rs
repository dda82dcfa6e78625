//! Two commits that make the same change, as far as gold can tell them apart: their messages
//! name a common issue key (realtext: a fix and its follow-up, backport or merge; the gold
//! names one of them) or have the same subject (a sample world making one change twice).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

static ISSUE_KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[A-Z][A-Z0-9]+-[0-9]+\b").unwrap());

pub fn same_change(a: &str, b: &str) -> bool {
    let keys = |m: &str| ISSUE_KEY.find_iter(m).map(|k| k.as_str().to_string()).collect::<HashSet<String>>();
    let subject = |m: &str| m.lines().next().unwrap_or("").trim().to_string();
    !keys(a).is_disjoint(&keys(b)) || (!subject(a).is_empty() && subject(a) == subject(b))
}

#[test]
fn issue_keys_and_subjects() {
    assert!(same_change("ACCUMULO-795 Applied patch", "ACCUMULO-795 Applied patch (merged from 1.4)"));
    assert!(same_change("Fix escaping\n\nIssue: WICKET-3098", "WICKET-3098 follow-up"));
    assert!(!same_change("ACCUMULO-3224 Use nanoTime", "ACCUMULO-3229 Format long"));
    assert!(same_change("Batch upload writes", "Batch upload writes\n"));
    assert!(!same_change("Javadoc addition.", "Use Closer methods."));
}
