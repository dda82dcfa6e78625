//! The lines of the store's logs: each decision made, and each commit queued for review.

use serde::{Deserialize, Serialize};

use super::pair::{self, DecidedBy, Decision};

/// One line of `decisions.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRecord {
    pub commit_sha: String,
    pub decision: Decision,
    pub decided_by: DecidedBy,
    pub decided_at: String,
    /// The best candidate's confidence when the decision was made (none: nothing linked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audio_ids: Vec<i64>,
    /// The fitted scorer's features of the link decided on: a person's answer is a label
    /// for refitting (`git screenlink weights --refit`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<f64>,
}

impl DecisionRecord {
    /// Whether this record says only that nothing could be linked (skipped automatically,
    /// with no talk): the hook's or review's note, not anybody's decision.
    pub fn nothing_linked(&self) -> bool {
        self.decision == Decision::Skipped && self.decided_by == DecidedBy::Auto && self.audio_ids.is_empty()
    }

    /// The same record, carrying the decided link's features.
    pub fn with_features(mut self, features: &[f64]) -> DecisionRecord {
        self.features = features.to_vec();
        self
    }

    /// A decision about `commit_sha` made now.
    pub fn now(commit_sha: &str, decision: Decision, decided_by: DecidedBy, confidence: Option<f64>, audio_ids: Vec<i64>) -> DecisionRecord {
        DecisionRecord {
            commit_sha: commit_sha.to_string(),
            decision,
            decided_by,
            decided_at: pair::timestamp(chrono::Utc::now()),
            confidence,
            audio_ids,
            features: Vec::new(),
        }
    }
}

/// One line of `pending.jsonl`: a commit waiting for `git screenlink review`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingRecord {
    pub commit_sha: String,
    pub queued_at: String,
    /// Why it was queued: no terminal, a rebase, `later`, a timeout, an error.
    pub reason: String,
}
