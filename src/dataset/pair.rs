//! A training pair: the seed guide's Output Format, plus what makes a pair traceable.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::candidates::Passage;
use crate::commits::CommitInfo;
use crate::link::Scored;

/// Bumped when a field changes meaning; readers accept every version up to this one.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    /// The cleaned commit subject.
    pub instruction: String,
    /// `Business Context from team discussions:\n\n<discussion>\n\nTask: Modify <files>`
    pub input: String,
    /// The added code, a `// file: <path>` line before each file's lines.
    pub output: String,
    pub metadata: Metadata,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    pub commit_sha: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub commit_timestamp: String,
    /// When the discussion excerpt began, UTC.
    pub audio_timestamp: String,
    pub confidence: f64,
    pub keyword_score: f64,
    pub semantic_score: f64,
    /// `audio_transcriptions.id` of every row in the excerpt.
    pub audio_ids: Vec<i64>,
    pub speakers: Vec<String>,
    pub files: Vec<String>,
    /// The embedding model that scored the pair.
    pub model: String,
    pub decision: Decision,
    pub decided_by: DecidedBy,
    pub decided_at: String,
    pub schema_version: u32,
    /// Commit terms the excerpt says, heaviest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub matched_keywords: Vec<String>,
    /// Cargo packages the commit touches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crates: Vec<String>,
    /// Kinds of sensitive data replaced by `[REDACTED:<kind>]` before the pair was written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redacted: Vec<String>,
    /// Set with `screenlink.redact = flag` when the pair holds sensitive data (kept as is,
    /// and left out of training exports).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// The pieces of work the commit is part of: the issues its message names (`OAK-1812`,
    /// `#123`) and its change (`patch:<digest>`). Talk linked to this commit may be linked
    /// to another commit of the same work, never to any other (`crate::claimed`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub work: Vec<String>,
    /// The fitted scorer's features of this link (see `score::features::NAMES`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<f64>,
    /// What made the link sure, by feature name, as the prompt said it (`score::why`): the
    /// weights that scored it may be refitted since, so it is kept rather than recomputed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Accepted,
    Rejected,
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DecidedBy {
    /// A person pressed a key.
    User,
    /// `--yes` or `screenlink.prompt = auto`.
    Auto,
}

pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

static CONVENTIONAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[a-zA-Z]+(\([^)]*\))?!?:\s+").expect("valid regex"));
static TRAILING_REF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*\(#\d+\)\s*$").expect("valid regex"));

impl Pair {
    /// The passage the pair cites: its input less the header and the task line.
    pub fn talk(&self) -> &str {
        let s = self.input.strip_prefix("Business Context from team discussions:\n\n").unwrap_or(&self.input);
        s.rsplit_once("\n\nTask:").map_or(s, |(talk, _)| talk).trim()
    }
}

/// `feat(api): add pagination to search (#123).` → `Add pagination to search`.
pub fn clean_subject(subject: &str) -> String {
    let s = CONVENTIONAL.replace(subject.trim(), "");
    let s = TRAILING_REF.replace(s.trim_end_matches('.'), "");
    let s = s.trim().trim_end_matches('.').trim();
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => subject.trim().to_string(),
    }
}

/// The pair's instruction: the cleaned subject, or, when the subject names only an issue
/// (`WICKET-2038`, `[OAK-1812]`, `#123`) or says nothing (`wip`, `fix`, `update`), the first
/// line of the body that says more, as many a project writes it (`OAK-1812` then
/// `- catch attempts to write blobs that are too long`).
pub fn instruction(subject: &str, body: &str) -> String {
    let cleaned = clean_subject(subject);
    if !SAYS_NOTHING.is_match(&cleaned) {
        return cleaned;
    }
    body.lines()
        .filter(|l| !l.trim_start().starts_with("git-svn-id:"))
        .map(|l| l.trim().trim_start_matches(['-', '*', '•']).trim())
        .find(|l| l.split_whitespace().count() >= 3)
        .map(clean_subject)
        .unwrap_or(cleaned)
}

static SAYS_NOTHING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[\[(]?[A-Z][A-Z0-9_]*-\d+[\])]?[:.,]?\s*)+$|^(?:issue\s*)?#?\d+$|^(?:wip|fix|fixes|fixed|update|updates|cleanup|tmp|temp|changes|misc|minor|more|stuff|oops)\W*$")
        .expect("valid regex")
});

/// `Task: Modify a.rs, b.rs (crate api)`.
pub fn task_line(commit: &CommitInfo, crates: &[String]) -> String {
    let files: Vec<&str> = commit.files.iter().map(|f| f.path.as_str()).collect();
    let mut line = format!("Task: Modify {}", files.join(", "));
    match crates {
        [] => {}
        [one] => line.push_str(&format!(" (crate {one})")),
        many => line.push_str(&format!(" (crates {})", many.join(", "))),
    }
    line
}

/// Assemble the pair for `commit` and the passage it was linked to.
pub fn build(commit: &CommitInfo, crates: &[String], passage: &Passage, scored: &Scored, model: &str, decided_by: DecidedBy, now: DateTime<Utc>) -> Pair {
    assert!(!commit.code_shed(), "a pair is built from a commit with its code (commits::with_code)");
    // The excerpt: the passage less the rows at its ends that say none of the commit's terms.
    let said: std::collections::HashSet<&str> = scored.matched.iter().map(String::as_str).collect();
    let keep = |row: &str| crate::score::keywords::talk_terms(row).iter().any(|t| said.contains(t.as_str()));
    let passage = &if said.is_empty() { passage.clone() } else { passage.trimmed(&keep) };
    let output = commit.files.iter().map(|f| format!("// file: {}\n{}", f.path, f.added.join("\n"))).collect::<Vec<_>>().join("\n");
    Pair {
        instruction: instruction(&commit.subject, &commit.body),
        input: format!("Business Context from team discussions:\n\n{}\n\n{}", passage.text, task_line(commit, crates)),
        output,
        metadata: Metadata {
            commit_sha: commit.sha.clone(),
            commit_timestamp: timestamp(commit.committer_time),
            audio_timestamp: timestamp(passage.start),
            // Scores are shares and probabilities: never written outside [0, 1].
            confidence: round3(scored.confidence.clamp(0.0, 1.0)),
            keyword_score: round3(scored.keyword.clamp(0.0, 1.0)),
            semantic_score: round3(scored.semantic.clamp(0.0, 1.0)),
            audio_ids: passage.ids(),
            speakers: passage.speakers(),
            files: commit.files.iter().map(|f| f.path.clone()).collect(),
            model: model.to_string(),
            decision: Decision::Accepted,
            decided_by,
            decided_at: timestamp(now),
            schema_version: SCHEMA_VERSION,
            matched_keywords: scored.matched.iter().take(12).cloned().collect(),
            crates: crates.to_vec(),
            redacted: Vec::new(),
            sensitive: false,
            work: commit.work().into_iter().collect(),
            features: scored.features.iter().map(|x| (x * 10_000.0).round() / 10_000.0).collect(),
            why: scored.why.iter().map(|&i| crate::score::features::NAMES[i].to_string()).collect(),
        },
    }
}

/// Which texts (instruction, input, output) repeat an earlier one's: a change committed twice
/// links its talk to both commits, and the two pairs say the same (export and train take the
/// text once, validate counts the copies).
pub fn repeats<'a>(texts: impl IntoIterator<Item = [&'a str; 3]>) -> Vec<bool> {
    let mut seen = std::collections::HashSet::new();
    texts.into_iter().map(|t| !seen.insert(t)).collect()
}

/// Apply `mode` to a pair about to be written: redact its text, or flag it.
pub fn protect(pair: &mut Pair, mode: crate::secrets::RedactMode) {
    use crate::secrets::{redact, scan, RedactMode};
    match mode {
        RedactMode::Off => {}
        RedactMode::Flag => {
            pair.metadata.sensitive = [&pair.instruction, &pair.input, &pair.output].iter().any(|t| !scan(t).is_empty());
        }
        RedactMode::Redact => {
            let mut kinds = Vec::new();
            for text in [&mut pair.instruction, &mut pair.input, &mut pair.output] {
                let (clean, found) = redact(text);
                kinds.extend(found.iter().map(|f| f.kind.to_string()));
                *text = clean;
            }
            kinds.sort();
            kinds.dedup();
            pair.metadata.redacted = kinds;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_cleaned() {
        assert_eq!(clean_subject("feat(api): add pagination to search (#123)."), "Add pagination to search");
        assert_eq!(clean_subject("Fix: retry uploads"), "Retry uploads");
        assert_eq!(clean_subject("Make storage idempotent"), "Make storage idempotent");
        assert_eq!(clean_subject("  "), "");
    }

    #[test]
    fn a_subject_that_names_only_an_issue_takes_the_body_s_first_line() {
        assert_eq!(instruction("OAK-1812", "- catch attempts to write blobs that are too long"), "Catch attempts to write blobs that are too long");
        assert_eq!(instruction("[WICKET-2038]", "\nFix the page map eviction\n\nMore words."), "Fix the page map eviction");
        assert_eq!(instruction("wip", "retry uploads when the network drops"), "Retry uploads when the network drops");
        // Nothing better to say: the subject stays.
        assert_eq!(instruction("WICKET-2038", ""), "WICKET-2038");
        assert_eq!(instruction("WICKET-2038", "git-svn-id: https://svn.apache.org/repos/asf/wicket/trunk@739604 13f79535-47bb"), "WICKET-2038");
        assert_eq!(instruction("#123", "ok"), "#123");
        // A subject that says something is kept whatever the body says.
        assert_eq!(instruction("WICKET-2038 fix the eviction", "Other words here"), "WICKET-2038 fix the eviction");
        assert_eq!(instruction("Fix: retry uploads", "long body text here"), "Retry uploads");
    }
}
