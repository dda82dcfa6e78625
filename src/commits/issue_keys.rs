//! The issues a commit message names (`WICKET-2181`, `#123`): two commits that name the same
//! issue are parts of one piece of work (a fix and its follow-up, a patch on a branch and its
//! merge to trunk), and the talk that asked for it motivated both.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

static JIRA: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b([A-Z][A-Z0-9]{1,9})-([1-9][0-9]{0,6})\b").unwrap());
static GITHUB: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|[\s(\[,;:])(?:[A-Za-z][\w.-]*/[\w.-]+)?#([1-9][0-9]{0,6})\b").unwrap());

/// Prefixes shaped like an issue key that name a standard or a version instead
/// (`UTF-8`, `SHA-256`, `RFC-2616`, `JDK-8`).
const NOT_ISSUES: &[&str] = &[
    "UTF", "UCS", "SHA", "MD", "ISO", "IEC", "RFC", "CP", "AES", "DES", "RSA", "HTTP", "TLS", "SSL", "IPV", "ES", "ECMA", "JSR", "JDK", "JRE", "JAVA", "J2SE",
    "J2EE", "CVE", "CWE", "PEP", "LTS", "COVID", "WIN", "X", "X86", "TODO", "SQL", "LICENSE", "APACHE", "GPL", "LGPL", "AGPL", "BSD", "MPL", "SNAPSHOT",
    "RELEASE", "RC", "BETA", "ALPHA",
];

/// Issue keys named in `message`, as written: `OAK-1812`, and GitHub's `#123` or
/// `owner/repo#123` (another repository's issue is another issue).
pub fn issue_keys(message: &str) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = JIRA.captures_iter(message).filter(|c| !NOT_ISSUES.contains(&&c[1])).map(|c| format!("{}-{}", &c[1], &c[2])).collect();
    for m in GITHUB.find_iter(message) {
        let s = m.as_str().trim_start_matches(|c: char| c.is_whitespace() || "([,;:".contains(c));
        keys.insert(s.to_string());
    }
    keys
}

impl super::CommitInfo {
    /// The pieces of work this commit is part of ([`work`]).
    pub fn work(&self) -> BTreeSet<String> {
        work(&format!("{}\n{}", self.subject, self.body), &self.patch)
    }
}

/// The pieces of work of a commit with `message` and patch digest `patch`: the issues the
/// message names, and its change itself (`patch:<digest>`, shared by the same change committed
/// twice).
pub fn work(message: &str, patch: &str) -> BTreeSet<String> {
    let mut work = issue_keys(message);
    if !patch.is_empty() {
        work.insert(format!("patch:{patch}"));
    }
    work
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same_issue(a: &str, b: &str) -> bool {
        !issue_keys(a).is_disjoint(&issue_keys(b))
    }

    #[test]
    fn keys_are_found_as_trackers_write_them() {
        let k = issue_keys("WICKET-2181 fixed\n\nSee also [OAK-12], fixes #34 and apache/maven#5.\ngit-svn-id: x@739604");
        assert_eq!(k.into_iter().collect::<Vec<_>>(), ["#34", "OAK-12", "WICKET-2181", "apache/maven#5"]);
    }

    #[test]
    fn standards_and_versions_are_not_issues() {
        assert!(issue_keys("Read UTF-8, hash with SHA-256 per RFC-2616 on JDK-8; ISO-8859-1 too").is_empty());
        assert!(issue_keys("Apache LICENSE-2.0, SQL-92 syntax, 1.0-SNAPSHOT-2, X86-64").is_empty());
        assert!(issue_keys("step#1 and a#b, color: #fff, 0-1, A-1").is_empty());
    }

    #[test]
    fn work_on_one_issue_is_the_same_issue() {
        assert!(same_issue("ACCUMULO-795 Applied patch", "ACCUMULO-795 Applied patch (merged from 1.4)"));
        assert!(same_issue("Fix escaping\n\nIssue: WICKET-3098", "WICKET-3098 follow-up"));
        assert!(same_issue("Retry uploads (#123)", "Follow-up to #123"));
        assert!(!same_issue("ACCUMULO-3224 Use nanoTime", "ACCUMULO-3229 Format long"));
        assert!(!same_issue("Batch upload writes", "Batch upload writes"));
        assert!(!same_issue("Read UTF-8 input", "Write UTF-8 output"));
    }
}
