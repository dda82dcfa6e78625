//! Did training help? The test pairs of a run (the newest pairs, never trained on) as
//! training formatted them, generations from the base model and from base + adapter, and
//! how close each comes to the code the team really wrote (`metrics`). The generating is
//! mlx-lm's, through `generate.py`; this module prepares its input and reads its output.

pub mod against;
pub mod compare;
pub mod metrics;
mod pick;

pub use pick::{choose, pick_run, Chosen, Purpose};

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::dataset::Pair;
use crate::error::Result;

/// The generation script, run with the Python that has mlx-lm.
pub const GENERATE_PY: &str = include_str!("generate.py");
pub const EVAL_FILE: &str = "eval.json";
/// Where generations and prompts live, inside the run dir.
pub const EVAL_DIR: &str = "eval";

/// `generate.py` run with mlx-lm's Python (the one `launcher` runs), given `spec`.
pub fn generate_command(launcher: &crate::train::Launcher, spec: &Value) -> Result<std::process::Command> {
    let python = launcher.require_python()?;
    let mut cmd = std::process::Command::new(python);
    cmd.arg("-c").arg(GENERATE_PY).arg(spec.to_string());
    crate::train::hub::offline(&mut cmd);
    Ok(cmd)
}

/// One test pair: its prompt as training formatted it, and the code that was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub id: usize,
    pub sha: Option<String>,
    /// Chat and completions: the turns before the assistant's. Text: none.
    pub messages: Option<Value>,
    /// Text: the prompt as the text record begins.
    pub text: Option<String>,
    pub reference: String,
}

impl Case {
    /// The line `generate.py` reads (the reference for the code's loss).
    pub fn prompt_line(&self) -> String {
        json!({"id": self.id, "messages": self.messages, "text": self.text, "reference": self.reference}).to_string()
    }
}

/// The test cases of a run, from its `test.jsonl` in `format`; `pairs` (the dataset) names
/// each case's commit, and splits text records into prompt and code.
pub fn cases(test_jsonl: &str, format: &str, pairs: &[Pair]) -> Vec<Case> {
    let by_record: std::collections::HashMap<String, &Pair> = pairs.iter().map(|p| (crate::train::record(p, format).to_string(), p)).collect();
    let mut out = Vec::new();
    for line in test_jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
        let pair = by_record.get(&v.to_string()).copied();
        let sha = pair.map(|p| p.metadata.commit_sha.clone());
        let id = out.len();
        let case = match format {
            "completions" => v["prompt"].as_str().zip(v["completion"].as_str()).map(|(p, c)| Case {
                id,
                sha,
                messages: Some(json!([{"role": "user", "content": p}])),
                text: None,
                reference: c.to_string(),
            }),
            "text" => pair.map(|p| Case { id, sha, messages: None, text: Some(format!("{}\n\n{}\n\n", p.instruction, p.input)), reference: p.output.clone() }),
            _ => v["messages"].as_array().filter(|m| m.len() >= 2).map(|m| Case {
                id,
                sha,
                messages: Some(Value::Array(m[..m.len() - 1].to_vec())),
                text: None,
                reference: m[m.len() - 1]["content"].as_str().unwrap_or("").to_string(),
            }),
        };
        out.extend(case);
    }
    out
}

/// What one side (base, or base + adapter) scored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Side {
    pub model: String,
    pub adapter: Option<String>,
    pub test_loss: Option<f64>,
    pub perplexity: Option<f64>,
    /// Means over the pairs generated.
    pub chrf: Option<f64>,
    pub identifier_recall: Option<f64>,
    /// The mean over the pairs of each one's code loss (`PairScore::code_loss`).
    #[serde(default)]
    pub code_loss: Option<f64>,
    pub pairs: Vec<PairScore>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PairScore {
    pub id: usize,
    pub sha: Option<String>,
    pub chrf: f64,
    pub identifier_recall: Option<f64>,
    /// The mean negative log-likelihood per token of the real code given the prompt, as
    /// training tokenises the record (`generate.py`); none in generations made before it was
    /// measured.
    #[serde(default)]
    pub code_loss: Option<f64>,
    #[serde(default)]
    pub code_tokens: Option<u64>,
    /// The generation: this file (relative to the run dir), the line whose `id` is ours.
    pub generation: String,
}

/// A measure compared pair by pair: its key in `eval.json`'s `comparison`, its name and
/// digits in the table, which way is better, and a pair's value (none: left out).
pub struct Measure {
    pub key: &'static str,
    pub name: &'static str,
    pub digits: usize,
    pub higher_is_better: bool,
    pub value: fn(&PairScore) -> Option<f64>,
}

/// The code loss's key: the measure `train --list` and `status` name a run's verdict by.
pub const CODE_LOSS: &str = "code_loss";

/// The measures `eval` compares, in the table's order (the comparison prints one digit more
/// than the means: a difference that is small and sure shows as such).
pub const MEASURES: [Measure; 3] = [
    Measure { key: CODE_LOSS, name: "code loss", digits: 3, higher_is_better: false, value: |p| p.code_loss },
    Measure { key: "chrf", name: "chrF", digits: 2, higher_is_better: true, value: |p| Some(p.chrf) },
    Measure { key: "identifier_recall", name: "identifier recall", digits: 3, higher_is_better: true, value: |p| p.identifier_recall },
];

/// `eval.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub run_id: String,
    pub created: String,
    /// Every test pair generated on both sides (false after Ctrl-C).
    pub complete: bool,
    pub pairs_in_test: usize,
    pub max_tokens: u32,
    pub base: Side,
    pub adapter: Side,
    /// Each measure, adapter against base pair by pair (`compare`).
    #[serde(default)]
    pub comparison: std::collections::BTreeMap<String, compare::Comparison>,
}

impl Report {
    pub fn read(run_dir: &Path) -> Option<Report> {
        serde_json::from_str(&std::fs::read_to_string(run_dir.join(EVAL_FILE)).ok()?).ok()
    }

    /// adapter − base, per measure (chrF and identifier recall: higher is better; test loss
    /// and perplexity: lower is better).
    pub fn difference(&self) -> Value {
        let d = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a - b);
        json!({
            "test_loss": d(self.adapter.test_loss, self.base.test_loss),
            "perplexity": d(self.adapter.perplexity, self.base.perplexity),
            "chrf": d(self.adapter.chrf, self.base.chrf),
            "identifier_recall": d(self.adapter.identifier_recall, self.base.identifier_recall),
            "code_loss": d(self.adapter.code_loss, self.base.code_loss),
        })
    }

    /// Fill `comparison` from the pairs both sides scored.
    pub fn compare(&mut self) {
        self.comparison.clear();
        for m in &MEASURES {
            let values: Vec<(f64, f64)> =
                self.base.pairs.iter().filter_map(|b| Some(((m.value)(b)?, (m.value)(self.adapter.pairs.iter().find(|a| a.id == b.id)?)?))).collect();
            if let Some(c) = compare::compare(&values, m.higher_is_better) {
                self.comparison.insert(m.key.to_string(), c);
            }
        }
    }
}

/// Score the generations in `generations` (JSONL of `{"id", "generation"}`) against `cases`;
/// ids not generated yet are left out.
pub fn score(cases: &[Case], generations: &str, file: &str) -> Vec<PairScore> {
    // A line may hold the generation, the code's loss, or both (a generation made before the
    // loss was measured gets the loss on a line of its own).
    type Line = (Option<String>, Option<f64>, Option<u64>);
    let mut by_id: std::collections::HashMap<usize, Line> = std::collections::HashMap::new();
    for line in generations.lines() {
        let Ok(v) = serde_json::from_str::<Value>(line) else { continue };
        let Some(id) = v["id"].as_u64() else { continue };
        let entry = by_id.entry(id as usize).or_default();
        if let Some(text) = v["generation"].as_str() {
            entry.0 = Some(text.to_string());
        }
        if let Some(n) = v["code_tokens"].as_u64() {
            (entry.1, entry.2) = (v["code_loss"].as_f64().filter(|l| l.is_finite()), Some(n));
        }
    }
    cases
        .iter()
        .filter_map(|c| {
            let (Some(g), code_loss, code_tokens) = by_id.get(&c.id)? else { return None };
            Some(PairScore {
                id: c.id,
                sha: c.sha.clone(),
                chrf: metrics::chrf(g, &c.reference),
                identifier_recall: metrics::identifier_recall(g, &c.reference),
                code_loss: *code_loss,
                code_tokens: code_tokens.filter(|_| code_loss.is_some()),
                generation: file.to_string(),
            })
        })
        .collect()
}

/// Means over the pairs scored.
pub fn summarise(side: &mut Side) {
    let mean = |xs: Vec<f64>| (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64);
    side.chrf = mean(side.pairs.iter().map(|p| p.chrf).collect());
    side.identifier_recall = mean(side.pairs.iter().filter_map(|p| p.identifier_recall).collect());
    side.code_loss = mean(side.pairs.iter().filter_map(|p| p.code_loss).collect());
}

static TEST_LOSS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Test loss ([0-9]+(?:\.[0-9]+)?|nan|inf), Test ppl ([0-9]+(?:\.[0-9]+)?|nan|inf)").expect("valid regex"));

/// `Test loss 2.345, Test ppl 10.433.` from `mlx_lm lora --test`.
pub fn parse_test_loss(line: &str) -> Option<(f64, f64)> {
    let c = TEST_LOSS.captures(line)?;
    Some((c[1].parse().ok()?, c[2].parse().ok()?))
}

/// Generations of one side, kept in the run dir: `eval/<label>.t<max_tokens>.jsonl`.
pub fn generations_file(label: &str, max_tokens: u32) -> PathBuf {
    Path::new(EVAL_DIR).join(format!("{label}.t{max_tokens}.jsonl"))
}

/// The label of a model directory given in place of base + adapter (`eval --model`): its path
/// and its weights' sizes and times, so that another model, or the same directory fused
/// again, is generated afresh and never read from what another model generated.
pub fn model_label(dir: &Path) -> String {
    use sha2::{Digest, Sha256};
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let mut h = Sha256::new();
    h.update(dir.to_string_lossy().as_bytes());
    let mut weights: Vec<(String, u64, Option<std::time::SystemTime>)> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".safetensors"))
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            Some((e.file_name().to_string_lossy().into_owned(), meta.len(), meta.modified().ok()))
        })
        .collect();
    weights.sort();
    h.update(format!("{weights:?}").as_bytes());
    let hex: String = h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("model-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_loss_lines_of_mlx_lm_are_read() {
        assert_eq!(parse_test_loss("Test loss 2.345, Test ppl 10.433."), Some((2.345, 10.433)));
        assert_eq!(parse_test_loss("Calculating loss...: 100%"), None);
    }

    #[test]
    fn the_comparison_pairs_each_case_with_itself_and_skips_what_one_side_lacks() {
        let score = |id: usize, chrf: f64, ident: Option<f64>, loss: Option<f64>| PairScore {
            id,
            sha: None,
            chrf,
            identifier_recall: ident,
            code_loss: loss,
            code_tokens: loss.map(|_| 10),
            generation: String::new(),
        };
        let side = |pairs: Vec<PairScore>| Side { pairs, ..Side::default() };
        let mut r = Report {
            run_id: "r".into(),
            created: String::new(),
            complete: true,
            pairs_in_test: 6,
            max_tokens: 8,
            // Listed in another order on each side; case 5 generated by the base alone.
            base: side((0..6).map(|i| score(i, 10.0, (i != 2).then_some(0.5), Some(3.0))).collect()),
            adapter: side((0..5).rev().map(|i| score(i, 10.0 + i as f64, (i != 2).then_some(0.5), (i != 4).then_some(2.0))).collect()),
            comparison: Default::default(),
        };
        r.compare();
        let chrf = &r.comparison["chrf"];
        assert_eq!((chrf.pairs, chrf.better, chrf.same), (5, 4, 1));
        assert!((chrf.difference - 2.0).abs() < 1e-12, "0 + 1 + 2 + 3 + 4 over 5");
        // A case without identifiers, or without a loss on one side, is left out of that measure.
        assert_eq!(r.comparison["identifier_recall"].pairs, 4);
        assert_eq!(r.comparison["identifier_recall"].verdict, compare::Verdict::Same);
        let loss = &r.comparison["code_loss"];
        assert_eq!((loss.pairs, loss.better, loss.worse), (4, 4, 0));
        assert_eq!(loss.verdict, compare::Verdict::TooFew);
    }

    #[test]
    fn a_report_written_before_the_comparison_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let side = r#"{"model": "m", "adapter": null, "test_loss": 2.0, "perplexity": 7.4, "chrf": 30.0, "identifier_recall": 0.5,
            "pairs": [{"id": 0, "sha": null, "chrf": 30.0, "identifier_recall": 0.5, "generation": "eval/base.t8.jsonl"}]}"#;
        let old = format!(r#"{{"run_id": "r", "created": "", "complete": true, "pairs_in_test": 1, "max_tokens": 8, "base": {side}, "adapter": {side}}}"#);
        std::fs::write(dir.path().join(EVAL_FILE), old).unwrap();
        let r = Report::read(dir.path()).expect("an older eval.json reads");
        assert!(r.comparison.is_empty() && r.base.code_loss.is_none() && r.base.pairs[0].code_loss.is_none());
        assert_eq!(r.adapter.chrf, Some(30.0));
    }

    #[test]
    fn a_loss_on_a_line_of_its_own_joins_its_generation() {
        let c = cases("{\"prompt\":\"p\",\"completion\":\"fn b() {}\"}\n", "completions", &[]);
        let lines = "{\"id\":0,\"generation\":\"fn b() {}\"}\n{\"id\":0,\"code_loss\":1.5,\"code_tokens\":7}\n";
        let s = score(&c, lines, "eval/base.t8.jsonl");
        assert_eq!((s[0].code_loss, s[0].code_tokens), (Some(1.5), Some(7)));
        // A loss alone is no generation; a loss of NaN is none.
        assert!(score(&c, "{\"id\":0,\"code_loss\":1.5,\"code_tokens\":7}\n", "f").is_empty());
        let s = score(&c, "{\"id\":0,\"generation\":\"x\",\"code_loss\":NaN,\"code_tokens\":7}\n", "f");
        assert_eq!(s.len(), 0, "NaN is not JSON: the line is unreadable (generate.py writes null)");
        let s = score(&c, "{\"id\":0,\"generation\":\"x\",\"code_loss\":null,\"code_tokens\":0}\n", "f");
        assert_eq!((s[0].code_loss, s[0].code_tokens), (None, None));
    }

    #[test]
    fn chat_and_completion_records_become_prompts_and_references() {
        let chat = r#"{"messages":[{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"assistant","content":"fn a() {}"}]}"#;
        let c = cases(chat, "chat", &[]);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].reference, "fn a() {}");
        assert_eq!(c[0].messages.as_ref().unwrap().as_array().unwrap().len(), 2);
        assert_eq!(c[0].sha, None);
        let comp = "{\"prompt\":\"p\",\"completion\":\"fn b() {}\"}\n";
        let c = cases(comp, "completions", &[]);
        assert_eq!(c[0].reference, "fn b() {}");
        assert_eq!(c[0].messages.as_ref().unwrap()[0]["content"], "p");
        let scored = score(&c, "{\"id\":0,\"generation\":\"fn b() {}\"}\n", "eval/base.t16.jsonl");
        assert_eq!(scored.len(), 1);
        assert!((scored[0].chrf - 100.0).abs() < 1e-9);
    }
}
