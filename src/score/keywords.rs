//! The keyword score: how much of what a commit is about is said in a discussion.
//!
//! Definition. Both sides are reduced to *terms*: lower-cased words of 3+ letters, split on
//! camelCase, snake_case, kebab-case and path separators, with a plural `s` removed and
//! stop words dropped.
//! - The commit's terms `C` come from its subject, body, changed paths (each directory and
//!   file stem), the identifiers in its added lines, and its crate names. A term weighs 2
//!   when it is a technical keyword (the seed guide's TECH_KEYWORDS, extended by
//!   `screenlink.keywords`), else 1.
//! - The discussion's terms `D` are those of its text.
//! - The commit's terms fall in two groups: what its message says (subject, body) `M`, and
//!   what its code names (paths, identifiers, crates) `K`. With `w` summing weights,
//!   `keyword = ½ · w(M ∩ D) / w(M) + ½ · w(K ∩ D) / w(K)` (a group with no terms is left
//!   out of the mean): the share of what the commit says that the talk says, averaged over
//!   both sides, so talk about the same change in another module, or about another change in
//!   the same module, scores half.
//!
//! Measured on the one-month sample world, seed 1, with the semantic stage, threshold 0.6,
//! before the one-talk-one-commit rule (`cargo run --release --example link_quality`):
//! one pooled share of all terms gave precision 0.868, recall 0.823; the two groups give
//! 0.875, 0.875. Weighting terms by IDF over the passages gave 0.852, 0.781, so it is off.

use std::collections::{BTreeMap, BTreeSet};

/// The seed guide's idea of technical vocabulary: words that signal a discussion is about code.
pub const TECH_KEYWORDS: &[&str] = &[
    "api",
    "endpoint",
    "database",
    "query",
    "schema",
    "migration",
    "index",
    "cache",
    "redis",
    "auth",
    "login",
    "token",
    "session",
    "password",
    "pagination",
    "page",
    "retry",
    "backoff",
    "timeout",
    "latency",
    "performance",
    "slow",
    "memory",
    "leak",
    "crash",
    "bug",
    "error",
    "exception",
    "test",
    "deploy",
    "release",
    "config",
    "logging",
    "log",
    "metric",
    "dashboard",
    "search",
    "upload",
    "download",
    "export",
    "import",
    "webhook",
    "rate",
    "limit",
    "throttle",
    "encrypt",
    "stream",
    "batch",
    "queue",
    "worker",
    "job",
    "scheduler",
    "cron",
    "parser",
    "validation",
    "validate",
    "refactor",
    "async",
    "thread",
    "lock",
    "sync",
    "server",
    "client",
    "request",
    "response",
    "frontend",
    "backend",
    "feature",
    "flag",
    "function",
    "struct",
    "module",
    "crate",
];

const STOP_WORDS: &[&str] = &[
    "the", "and", "for", "that", "this", "with", "from", "are", "was", "were", "but", "not", "you", "your", "have", "has", "had", "can", "will", "would",
    "should", "could", "about", "into", "they", "them", "then", "than", "there", "here", "what", "when", "which", "who", "why", "how", "all", "any", "our",
    "out", "just", "like", "yeah", "okay", "think", "know", "maybe", "really", "some", "one", "two", "also", "get", "got", "let", "use", "make", "need",
    "want", "said", "say", "see", "now", "too", "very", "well", "right", "its", "it's", "does", "did", "don", "doe", "src", "lib", "mod", "main", "new", "add",
    "fix", "pub", "impl", "self", "mut", "ref",
];

/// The terms of transcribed speech: [`terms`] of the text less its fillers ([`super::fillers`]).
pub fn talk_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    super::fillers::said(text).for_each(|w| push_terms(w, &mut out));
    out
}

/// Terms of free text or code: lower-case, split on case changes and separators.
pub fn terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    push_terms(text, &mut out);
    out
}

fn push_terms(text: &str, out: &mut Vec<String>) {
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        // Most spoken words are plain lower-case ASCII: no case to split, nothing to lower,
        // and no string to allocate for one that is dropped (the rules below, unchanged).
        if word.bytes().all(|b| b.is_ascii_lowercase()) {
            let t = if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") { &word[..word.len() - 1] } else { word };
            if t.len() >= 3 && !STOP_WORDS.contains(&t) {
                out.push(t.to_string());
            }
            continue;
        }
        word_terms(word, out);
    }
}

/// The terms of one word, any word: split on case changes, lower-cased, a plural `s` off.
fn word_terms(word: &str, out: &mut Vec<String>) {
    for part in split_case(word) {
        let mut t = part.to_lowercase();
        // Letters, not bytes: "ÀA" is two letters however it is encoded.
        let letters = t.chars().count();
        if letters > 3 && t.ends_with('s') && !t.ends_with("ss") {
            t.pop();
        }
        if letters.min(t.chars().count()) >= 3 && !t.chars().all(|c| c.is_ascii_digit()) && !STOP_WORDS.contains(&t.as_str()) {
            out.push(t);
        }
    }
}

/// `parseHTTPResponse` → `parse`, `HTTP`, `Response`; snake_case is split by the caller's
/// separator split already; `修复MailUtil发送` → `修复`, `Mail`, `Util`, `发送`.
fn split_case(word: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (pos, c) = chars[i];
        let prev = chars[i - 1].1;
        let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
        let boundary = (prev.is_lowercase() && c.is_uppercase())
            || (prev.is_uppercase() && c.is_uppercase() && next_lower)
            || (prev.is_alphabetic() && c.is_ascii_digit())
            || unspaced(prev) != unspaced(c);
        if boundary {
            parts.push(&word[start..pos]);
            start = pos;
        }
    }
    if start < word.len() {
        parts.push(&word[start..]);
    }
    parts
}

/// A letter of a script written without spaces between words (Chinese, Japanese, Thai, …),
/// or Korean's, which glues particles to the word before: where text in it meets other letters,
/// a word ends. Chinese speech names code inside a sentence (`修复MailUtil发送邮件问题`), and
/// without the cut the name is lost in the sentence.
fn unspaced(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0EFF // Thai, Lao
        | 0x1000..=0x109F // Myanmar
        | 0x1780..=0x17FF // Khmer
        | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF // Hangul
        | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F // Hiragana, Katakana
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3FFFF // Han
    )
}

/// A commit's weighted terms, built once and matched against many discussions.
#[derive(Debug, Clone, Default)]
pub struct CommitTerms {
    weights: BTreeMap<String, f64>,
    /// When set, the score is the mean of each group's own share (see [`CommitTerms::grouped`]).
    groups: Vec<BTreeMap<String, f64>>,
}

impl CommitTerms {
    /// `texts`: subject, body, paths, identifiers, crate names. `extra`: `screenlink.keywords`.
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a str>, extra: &[String]) -> CommitTerms {
        let extra: BTreeSet<String> = extra.iter().flat_map(|k| terms(k)).collect();
        let mut weights = BTreeMap::new();
        for text in texts {
            for t in terms(text) {
                let w = if TECH_KEYWORDS.contains(&t.as_str()) || extra.contains(&t) { 2.0 } else { 1.0 };
                weights.insert(t, w);
            }
        }
        CommitTerms { weights, groups: Vec::new() }
    }

    /// Terms in groups scored apart — what the message says and what the code names — the
    /// score being the mean of the groups' shares, so a passage must speak to both.
    pub fn grouped(groups: Vec<Vec<&str>>, extra: &[String]) -> CommitTerms {
        let parts: Vec<CommitTerms> = groups.into_iter().map(|g| CommitTerms::new(g, extra)).collect();
        let mut all = CommitTerms::default();
        for p in &parts {
            all.weights.extend(p.weights.iter().map(|(k, v)| (k.clone(), *v)));
        }
        all.groups = parts.into_iter().map(|p| p.weights).filter(|g| !g.is_empty()).collect();
        all
    }

    /// Every term of the commit.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.weights.keys().map(String::as_str)
    }

    /// The score in [0, 1] and the matched terms, heaviest first.
    pub fn score(&self, discussion: &str) -> (f64, Vec<String>) {
        self.score_terms(&talk_terms(discussion).into_iter().collect())
    }

    /// Weigh every term by its rarity among `idf`'s texts as well: a term said in every
    /// passage (a component name everyone mentions) tells less than one said in few.
    pub fn with_idf(mut self, idf: &Idf) -> CommitTerms {
        for (t, w) in self.weights.iter_mut().chain(self.groups.iter_mut().flatten()) {
            *w *= idf.weight(t);
        }
        self
    }

    /// [`score`](Self::score) for text already reduced to its set of terms.
    pub fn score_terms(&self, said: &BTreeSet<String>) -> (f64, Vec<String>) {
        self.score_with(|t| said.contains(t))
    }

    /// [`score_terms`](Self::score_terms) for talk that answers "was this term said?".
    pub fn score_with(&self, said: impl Fn(&str) -> bool) -> (f64, Vec<String>) {
        let mut matched: Vec<(&String, f64)> = self.weights.iter().filter(|(t, _)| said(t)).map(|(t, w)| (t, *w)).collect();
        let share = |weights: &BTreeMap<String, f64>| {
            let total: f64 = weights.values().sum();
            let hit: f64 = weights.iter().filter(|(t, _)| said(t)).map(|(_, w)| w).sum();
            if total > 0.0 {
                hit / total
            } else {
                0.0
            }
        };
        let score = if self.groups.is_empty() { share(&self.weights) } else { self.groups.iter().map(share).sum::<f64>() / self.groups.len() as f64 };
        matched.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        (score, matched.into_iter().map(|(t, _)| t.clone()).collect())
    }
}

/// Inverse document frequency of terms over a set of texts (the passages in play):
/// `ln((N + 1) / (df + 1)) + 1`, so a term in every text still counts a little and a term
/// in none counts most.
#[derive(Debug, Clone, Default)]
pub struct Idf {
    docs: usize,
    df: std::collections::HashMap<String, usize>,
}

impl Idf {
    pub fn new<'a>(texts: impl IntoIterator<Item = &'a BTreeSet<String>>) -> Idf {
        let mut idf = Idf::default();
        for set in texts {
            idf.docs += 1;
            for t in set {
                *idf.df.entry(t.clone()).or_default() += 1;
            }
        }
        idf
    }

    /// From document frequencies already counted: `docs` texts, each term's count.
    pub fn from_counts(docs: usize, df: impl IntoIterator<Item = (String, usize)>) -> Idf {
        Idf { docs, df: df.into_iter().collect() }
    }

    /// BM25's IDF: `ln((N − df + 0.5) / (df + 0.5) + 1)`.
    pub fn bm25_weight(&self, term: &str) -> f64 {
        let df = self.df.get(term).copied().unwrap_or(0) as f64;
        ((self.docs as f64 - df + 0.5) / (df + 0.5) + 1.0).ln()
    }

    pub fn weight(&self, term: &str) -> f64 {
        let df = self.df.get(term).copied().unwrap_or(0);
        ((self.docs as f64 + 1.0) / (df as f64 + 1.0)).ln() + 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lower_case_fast_path_gives_what_any_word_gives() {
        let words = ["cats", "class", "bus", "its", "the", "data", "abc", "abcs", "ss", "sss", "ssss", "sessions", "yes", "is", "x", "does", "news"];
        for w in words {
            let mut slow = Vec::new();
            word_terms(w, &mut slow);
            assert_eq!(terms(w), slow, "{w}");
        }
        // And over every lower-case word of a stretch of talk.
        let talk = "the exports keep timing out for big customers so maybe the pagination thing needs its limits raised yes";
        let mut slow = Vec::new();
        talk.split(' ').for_each(|w| word_terms(w, &mut slow));
        assert_eq!(terms(talk), slow);
    }

    #[test]
    fn splits_code_and_prose_alike() {
        assert_eq!(terms("parseHTTPResponse"), ["parse", "http", "response"]);
        assert_eq!(terms("page_size nextCursor"), ["page", "size", "next", "cursor"]);
        assert_eq!(terms("src/api/search.rs"), ["api", "search"]);
        assert_eq!(terms("the retries and the caches"), ["retrie", "cache"]);
        assert!(terms("um yeah so I think 2026").is_empty());
    }

    #[test]
    fn code_said_inside_a_sentence_without_spaces_is_its_own_terms() {
        // A real commit subject (dromara/hutool): before, `修复mail` and `util发送html…` were
        // the terms, and neither `mail` nor `util` was.
        let t = talk_terms("修复MailUtil发送html格式邮件无法正常展示图片问题");
        assert_eq!(t[..3], ["mail", "util", "html"], "{t:?}");
        assert_eq!(terms("SessionPoolの設定を変更"), ["session", "pool", "の設定を変更"]);
        assert_eq!(terms("새CacheManager를"), ["cache", "manager"]);
        // Letters of spaced scripts stay whole, accents and all.
        assert_eq!(terms("Größe résumé"), ["größe", "résumé"]);
    }

    #[test]
    fn fillers_are_not_talk_terms() {
        let said = talk_terms("it's sort of slow, you know, I mean the sort order is kind of basically broken");
        assert_eq!(said, ["slow", "sort", "order", "broken"], "the sort order is said; \"sort of\" is not");
        // A commit's own text keeps every term.
        let commit = terms("Sort results by kind");
        assert!(commit.contains(&"sort".to_string()) && commit.contains(&"kind".to_string()));
        assert_eq!(talk_terms("what kind of cache"), ["cache"]);
    }

    #[test]
    fn scores_the_weighted_share_of_commit_terms_said() {
        let c = CommitTerms::new(["Add pagination to search", "src/search.rs", "page_size", "next_cursor"], &[]);
        let (full, matched) = c.score("search results need pagination with a page size and a next cursor");
        assert!((full - 1.0).abs() < 1e-9, "{full} {matched:?}");
        let pos = |t: &str| matched.iter().position(|m| m == t).unwrap();
        assert!(pos("pagination") < pos("cursor"), "technical keywords weigh more: {matched:?}");
        let (none, m) = c.score("lunch is at noon at the pizza place");
        assert_eq!((none, m.len()), (0.0, 0));
        let (part, _) = c.score("the search page is slow");
        assert!(part > 0.0 && part < 1.0, "{part}");
    }

    #[test]
    fn configured_keywords_weigh_double() {
        let plain = CommitTerms::new(["Tune tokio runtime"], &[]);
        let extra = CommitTerms::new(["Tune tokio runtime"], &["tokio".into()]);
        let (a, _) = plain.score("tokio");
        let (b, _) = extra.score("tokio");
        assert!(b > a, "{a} {b}");
    }
}
