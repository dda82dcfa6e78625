//! Checking a dataset file: integrity line by line, token counts, confidence, sensitive data,
//! and recommendations; and the repairs `--fix` makes.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::secrets;

mod report;
pub use report::{recommendations, render};

/// Pairs below this count make a weak fine-tuning set (the guide aims for 100+).
pub const FEW_PAIRS: usize = 50;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    /// `not_json`, `truncated`, `missing_field`, `wrong_type`, `empty`, `out_of_range`, `duplicate`.
    pub kind: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineFinding {
    pub line: usize,
    pub field: &'static str,
    pub kind: &'static str,
    pub masked: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bucket {
    pub range: String,
    pub count: usize,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Confidence {
    pub average: f64,
    pub min: f64,
    pub max: f64,
    pub histogram: Vec<Bucket>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub file: String,
    pub lines: usize,
    pub valid: usize,
    /// Tokens of instruction + input + output, counted with the model's tokenizer.
    pub tokens: Option<usize>,
    pub tokenizer: String,
    pub problems: Vec<Problem>,
    pub confidence: Option<Confidence>,
    pub findings: Vec<LineFinding>,
    /// kind → field → count.
    pub findings_by_kind: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    /// Valid pairs whose instruction, input and output repeat an older line's (a change
    /// committed twice links its talk to both commits): export and train take each text once.
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub repeated: usize,
    pub recommendations: Vec<String>,
}

/// How many valid lines repeat an earlier line's instruction, input and output.
pub fn repeated(valid: &[ValidLine]) -> usize {
    crate::dataset::pair::repeats(valid.iter().map(|v| FIELDS.map(|f| v.value[f].as_str().unwrap_or("")))).into_iter().filter(|&r| r).count()
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.findings.is_empty()
    }
}

/// A line that passed the integrity checks.
pub struct ValidLine {
    pub line: usize,
    pub value: Value,
}

/// The integrity pass: valid lines, and every problem with its line number.
pub fn check_lines(text: &str) -> (Vec<ValidLine>, Vec<Problem>) {
    let mut valid = Vec::new();
    let mut problems = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let ends_whole = text.is_empty() || text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    for (i, raw) in lines.iter().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(raw) {
            Ok(v) => v,
            Err(e) => {
                let last = i + 1 == lines.len();
                problems.push(if last && !ends_whole {
                    Problem { line, kind: "truncated", message: "truncated last line (a write was interrupted)".into() }
                } else {
                    Problem { line, kind: "not_json", message: format!("not JSON ({e})") }
                });
                continue;
            }
        };
        let mut line_problems = field_problems(line, &value);
        if line_problems.is_empty() {
            let key = duplicate_key(&value);
            if let Some(first) = seen.get(&key) {
                line_problems.push(Problem { line, kind: "duplicate", message: format!("duplicate of line {first} (same commit and audio)") });
            } else {
                seen.insert(key, line);
            }
        }
        if line_problems.is_empty() {
            valid.push(ValidLine { line, value });
        } else {
            problems.extend(line_problems);
        }
    }
    (valid, problems)
}

fn field_problems(line: usize, v: &Value) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut need = |path: &str, get: Option<&Value>, kind: Kind| match get {
        None | Some(Value::Null) => out.push(Problem { line, kind: "missing_field", message: format!("missing {path}") }),
        Some(x) => {
            let ok = match kind {
                Kind::Text | Kind::NonEmptyText => x.is_string(),
                Kind::Score => x.is_number(),
                Kind::Ids => x.as_array().is_some_and(|a| a.iter().all(|i| i.is_i64())),
            };
            if !ok {
                out.push(Problem { line, kind: "wrong_type", message: format!("{path} is {}, expected {}", type_name(x), kind.expected()) });
            } else if kind == Kind::NonEmptyText && x.as_str().is_some_and(|s| s.trim().is_empty()) {
                out.push(Problem { line, kind: "empty", message: format!("{path} is empty") });
            } else if kind == Kind::Score && !x.as_f64().is_some_and(|f| (0.0..=1.0).contains(&f)) {
                out.push(Problem { line, kind: "out_of_range", message: format!("{path} is {x}, expected a number from 0 to 1") });
            }
        }
    };
    need("instruction", v.get("instruction"), Kind::NonEmptyText);
    need("input", v.get("input"), Kind::Text);
    need("output", v.get("output"), Kind::NonEmptyText);
    let m = match v.get("metadata") {
        None | Some(Value::Null) => {
            out.push(Problem { line, kind: "missing_field", message: "missing metadata".into() });
            return out;
        }
        Some(m) if !m.is_object() => {
            out.push(Problem { line, kind: "wrong_type", message: format!("metadata is {}, expected an object", type_name(m)) });
            return out;
        }
        Some(m) => Some(m),
    };
    if let Some(m) = m {
        need("metadata.commit_sha", m.get("commit_sha"), Kind::NonEmptyText);
        need("metadata.commit_timestamp", m.get("commit_timestamp"), Kind::Text);
        need("metadata.audio_timestamp", m.get("audio_timestamp"), Kind::Text);
        need("metadata.confidence", m.get("confidence"), Kind::Score);
        need("metadata.keyword_score", m.get("keyword_score"), Kind::Score);
        need("metadata.semantic_score", m.get("semantic_score"), Kind::Score);
        if m.get("audio_ids").is_some() {
            need("metadata.audio_ids", m.get("audio_ids"), Kind::Ids);
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    NonEmptyText,
    Score,
    Ids,
}

impl Kind {
    fn expected(self) -> &'static str {
        match self {
            Kind::Text | Kind::NonEmptyText => "a string",
            Kind::Score => "a number",
            Kind::Ids => "a list of whole numbers",
        }
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Same commit and same audio rows (or, for the guide's pairs without ids, the same audio time).
fn duplicate_key(v: &Value) -> String {
    let m = &v["metadata"];
    let audio = match m.get("audio_ids").and_then(|a| a.as_array()) {
        Some(ids) => {
            let mut ids: Vec<i64> = ids.iter().filter_map(|i| i.as_i64()).collect();
            ids.sort_unstable();
            format!("{ids:?}")
        }
        None => m["audio_timestamp"].as_str().unwrap_or("").to_string(),
    };
    format!("{}|{audio}", m["commit_sha"].as_str().unwrap_or(""))
}

pub const FIELDS: [&str; 3] = ["instruction", "input", "output"];

/// Findings in the text fields of valid lines.
pub fn findings(valid: &[ValidLine]) -> Vec<LineFinding> {
    let mut out = Vec::new();
    for v in valid {
        for field in FIELDS {
            if let Some(text) = v.value.get(field).and_then(|t| t.as_str()) {
                for f in secrets::scan(text) {
                    out.push(LineFinding { line: v.line, field, kind: f.kind, masked: f.masked });
                }
            }
        }
    }
    out
}

pub fn confidence(valid: &[ValidLine]) -> Option<Confidence> {
    let cs: Vec<f64> = valid.iter().filter_map(|v| v.value["metadata"]["confidence"].as_f64()).collect();
    if cs.is_empty() {
        return None;
    }
    let mut counts = [0usize; 10];
    for c in &cs {
        counts[((c * 10.0).floor() as usize).min(9)] += 1;
    }
    let histogram = counts
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(i, n)| Bucket { range: format!("{:.1}-{:.1}", i as f64 / 10.0, (i + 1) as f64 / 10.0), count: *n, share: *n as f64 / cs.len() as f64 })
        .collect();
    Some(Confidence {
        average: cs.iter().sum::<f64>() / cs.len() as f64,
        min: cs.iter().copied().fold(f64::INFINITY, f64::min),
        max: cs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        histogram,
    })
}

/// What `--fix` changed.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct Fixed {
    pub dropped_invalid: usize,
    pub dropped_duplicates: usize,
    pub redacted: usize,
    pub pairs_kept: usize,
}

/// The repaired file: valid lines only, each once, with findings redacted.
pub fn fix(text: &str) -> (String, Fixed) {
    let (valid, problems) = check_lines(text);
    let mut fixed = Fixed {
        dropped_invalid: problems.iter().filter(|p| p.kind != "duplicate").count(),
        dropped_duplicates: problems.iter().filter(|p| p.kind == "duplicate").count(),
        ..Fixed::default()
    };
    let mut out = String::with_capacity(text.len());
    for mut v in valid {
        let mut kinds = Vec::new();
        for field in FIELDS {
            if let Some(Value::String(t)) = v.value.get_mut(field) {
                let (clean, found) = secrets::redact(t);
                if !found.is_empty() {
                    fixed.redacted += found.len();
                    kinds.extend(found.iter().map(|f| f.kind.to_string()));
                    *t = clean;
                }
            }
        }
        if !kinds.is_empty() {
            if let Some(m) = v.value.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                let mut all: Vec<String> =
                    m.get("redacted").and_then(|r| r.as_array()).map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_string)).collect()).unwrap_or_default();
                all.extend(kinds);
                all.sort();
                all.dedup();
                m.insert("redacted".into(), all.into());
            }
        }
        out.push_str(&serde_json::to_string(&v.value).expect("a JSON value serialises"));
        out.push('\n');
        fixed.pairs_kept += 1;
    }
    (out, fixed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(sha: &str, conf: f64) -> String {
        serde_json::json!({
            "instruction": "Add retries", "input": "Business Context from team discussions:\n\nretry it\n\nTask: Modify src/a.rs",
            "output": "// file: src/a.rs\nfn a() {}",
            "metadata": {"commit_sha": sha, "commit_timestamp": "2026-01-01T00:00:00Z", "audio_timestamp": "2026-01-01T00:00:00Z",
                "confidence": conf, "keyword_score": 0.5, "semantic_score": 0.5, "audio_ids": [1, 2]}
        })
        .to_string()
    }

    #[test]
    fn a_text_repeated_on_another_commit_is_counted_not_a_problem() {
        // Commits b and c: the same change committed twice; d: the same text but its output.
        let d = pair("d", 0.7).replace("fn a() {}", "fn d() {}");
        let (valid, problems) = check_lines(&format!("{}\n{}\n{}\n{d}", pair("a", 0.7), pair("b", 0.8), pair("c", 0.9)));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(repeated(&valid), 2, "b and c repeat a; d says other code");
    }

    #[test]
    fn integrity_problems_carry_line_numbers() {
        let text = format!(
            "{}\nnot json\n{}\n{}\n{{\"instruction\": 3, \"input\": \"\", \"output\": \"\", \"metadata\": {{}}}}\n{}",
            pair("a", 0.7),
            pair("a", 0.7),
            pair("b", 1.5),
            &pair("c", 0.7)[..20]
        );
        let (valid, problems) = check_lines(&text);
        assert_eq!(valid.len(), 1);
        let at = |l: usize| problems.iter().filter(|p| p.line == l).map(|p| p.kind).collect::<Vec<_>>();
        assert_eq!(at(2), ["not_json"]);
        assert_eq!(at(3), ["duplicate"]);
        assert_eq!(at(4), ["out_of_range"]);
        assert!(at(5).contains(&"wrong_type") && at(5).contains(&"empty") && at(5).contains(&"missing_field"));
        assert_eq!(at(6), ["truncated"]);
    }

    #[test]
    fn fix_keeps_every_valid_line_and_is_idempotent() {
        let text = format!("{}\ngarbage\n{}\n{}\n", pair("a", 0.7), pair("a", 0.7), pair("b", 0.8));
        let (once, f1) = fix(&text);
        assert_eq!(f1, Fixed { dropped_invalid: 1, dropped_duplicates: 1, redacted: 0, pairs_kept: 2 });
        let (twice, f2) = fix(&once);
        assert_eq!(twice, once);
        assert_eq!(f2, Fixed { pairs_kept: 2, ..Fixed::default() });
    }
}
