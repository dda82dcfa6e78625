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

/// The dataset's line for `commit_sha`, as JSON, if it has one.
pub fn pair_line(store: &Store, commit_sha: &str) -> Result<Option<serde_json::Value>> {
    let path = store.dataset_path();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    Ok(text.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()).find(|v| v["metadata"]["commit_sha"].as_str() == Some(commit_sha)))
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
