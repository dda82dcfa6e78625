//! A person's answers about pairs already in the dataset (`validate --review`, `reject`):
//! each is logged with the link's features, a label for refitting the weights.

use std::path::Path;

use chrono::Utc;

use super::{pair, to_line, DecidedBy, Decision, DecisionRecord, Store};
use crate::error::{Error, Result};
use crate::fsutil;

/// A person confirmed a pair: log it as their accept.
pub fn confirm(store: &Store, value: &serde_json::Value) -> Result<()> {
    let record = user_decision(value, Decision::Accepted);
    fsutil::append_lines(&store.decisions_path(), &to_line(&record)?)
}

/// Move one pair from `file` (the dataset, or the file `validate` was given) to
/// `rejected.jsonl`, and log the decision.
pub fn reject(store: &Store, file: &Path, value: &serde_json::Value) -> Result<()> {
    let _lock = fsutil::DirLock::acquire(&store.dir)?;
    let text = std::fs::read_to_string(file).map_err(|e| Error::io(format!("reading {}", file.display()), e))?;
    let target = serde_json::to_string(value).expect("a JSON value serialises");
    let mut removed = false;
    let kept: String = text
        .lines()
        .filter(|l| {
            let same =
                !removed && serde_json::from_str::<serde_json::Value>(l).is_ok_and(|v| serde_json::to_string(&v).ok().as_deref() == Some(target.as_str()));
            removed |= same;
            !same
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let mut rejected = value.clone();
    if let Some(m) = rejected.get_mut("metadata").and_then(|m| m.as_object_mut()) {
        m.insert("decision".into(), "rejected".into());
        m.insert("decided_by".into(), "user".into());
        m.insert("decided_at".into(), pair::timestamp(Utc::now()).into());
    }
    fsutil::append_lines_locked(&store.rejected_path(), &to_line(&rejected)?)?;
    fsutil::write_atomic(file, &kept)?;
    let record = user_decision(value, Decision::Rejected);
    fsutil::append_lines_locked(&store.decisions_path(), &to_line(&record)?)
}

/// The dataset's lines, as JSON, by commit (the first line of each).
pub fn pair_lines(store: &Store) -> Result<std::collections::HashMap<String, serde_json::Value>> {
    let mut by_sha = std::collections::HashMap::new();
    for v in super::read_jsonl::<serde_json::Value>(&store.dataset_path())?.records {
        if let Some(sha) = v["metadata"]["commit_sha"].as_str() {
            by_sha.entry(sha.to_string()).or_insert(v);
        }
    }
    Ok(by_sha)
}

/// A person's decision about the pair on a dataset line, with the link's features.
fn user_decision(value: &serde_json::Value, decision: Decision) -> DecisionRecord {
    let md = &value["metadata"];
    let numbers = |key: &str| md[key].as_array().map(|a| a.iter().filter_map(|x| x.as_f64()).collect::<Vec<_>>()).unwrap_or_default();
    DecisionRecord::now(
        md["commit_sha"].as_str().unwrap_or(""),
        decision,
        DecidedBy::User,
        md["confidence"].as_f64(),
        md["audio_ids"].as_array().map(|a| a.iter().filter_map(|i| i.as_i64()).collect()).unwrap_or_default(),
    )
    .with_features(&numbers("features"))
}
