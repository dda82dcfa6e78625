use super::*;

fn pair(sha: &str, ids: Vec<i64>) -> Pair {
    let json = serde_json::json!({
        "instruction": "Add pagination to search endpoint",
        "input": "Business Context from team discussions:\n\nWe need pagination\n\nTask: Modify src/server.rs",
        "output": "// file: src/server.rs\nlet limit = 20;",
        "metadata": {
            "commit_sha": sha, "commit_timestamp": "2025-11-20T14:30:00Z",
            "audio_timestamp": "2025-11-19T10:15:00Z", "confidence": 0.824, "keyword_score": 0.714,
            "semantic_score": 0.872, "audio_ids": ids, "speakers": ["Ana"], "files": ["src/server.rs"],
            "model": "sentence-transformers/all-MiniLM-L6-v2", "decision": "accepted", "decided_by": "user",
            "decided_at": "2025-11-20T14:31:00Z", "schema_version": 1
        }
    });
    serde_json::from_value(json).unwrap()
}

#[test]
fn a_second_writer_cannot_claim_talk_or_a_commit_already_in_the_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (Store::at(dir.path().join("s")), Store::at(dir.path().join("s")));
    assert_eq!(one.accept(&pair("a", vec![1, 2])).unwrap(), Accepted::Written);
    assert_eq!(two.accept(&pair("b", vec![2, 3])).unwrap(), Accepted::TalkClaimed(vec![2]));
    assert_eq!(two.accept(&pair("a", vec![9])).unwrap(), Accepted::CommitHasPair);
    assert_eq!(two.accept(&pair("b", vec![3])).unwrap(), Accepted::Written);
    // `one` catches up with what `two` appended; a rewrite that shrinks the file resets it.
    assert_eq!(one.accept(&pair("c", vec![3])).unwrap(), Accepted::TalkClaimed(vec![3]));
    std::fs::write(one.dataset_path(), "").unwrap();
    assert_eq!(one.accept(&pair("c", vec![3])).unwrap(), Accepted::Written);
    assert_eq!(one.pairs().unwrap().records.len(), 1);
}

#[test]
fn talk_goes_to_a_second_commit_only_when_both_name_one_issue() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("s"));
    let of = |sha: &str, ids: Vec<i64>, issues: &[&str]| Pair {
        metadata: pair::Metadata { work: issues.iter().map(|s| s.to_string()).collect(), ..pair(sha, ids).metadata },
        ..pair(sha, vec![])
    };
    assert_eq!(store.accept(&of("fix", vec![1, 2], &["WICKET-2181"])).unwrap(), Accepted::Written);
    assert_eq!(store.accept(&of("other", vec![2], &["WICKET-9"])).unwrap(), Accepted::TalkClaimed(vec![2]));
    assert_eq!(store.accept(&of("plain", vec![1], &[])).unwrap(), Accepted::TalkClaimed(vec![1]));
    assert_eq!(store.accept(&of("follow-up", vec![1, 2], &["WICKET-2181"])).unwrap(), Accepted::Written);
    // Read back from the file, as the next process sees it.
    let again = Store::at(dir.path().join("s"));
    assert_eq!(again.accept(&of("merge", vec![2, 3], &["WICKET-2181", "WICKET-7"])).unwrap(), Accepted::Written);
    assert_eq!(again.accept(&of("late", vec![3], &["WICKET-7"])).unwrap(), Accepted::Written);
    assert_eq!(again.accept(&of("later", vec![2], &["WICKET-7"])).unwrap(), Accepted::TalkClaimed(vec![2]));
    assert_eq!(again.pairs().unwrap().records.len(), 4);
}

#[test]
fn pairs_round_trip_through_the_store_and_count_as_decided() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("screenlink"));
    let p = pair("abc1234", vec![7, 8]);
    assert_eq!(store.accept(&p).unwrap(), Accepted::Written);
    store
        .log(&DecisionRecord {
            commit_sha: "def".into(),
            decision: Decision::Rejected,
            decided_by: DecidedBy::User,
            decided_at: "2025-11-20T14:32:00Z".into(),
            confidence: Some(0.7),
            audio_ids: vec![],
            features: vec![],
        })
        .unwrap();
    let read = store.pairs().unwrap();
    assert_eq!(read.records, vec![p.clone()]);
    let line = std::fs::read_to_string(store.dataset_path()).unwrap();
    let again: Pair = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(again, p, "one JSON object per line, round-tripped");
    let decided = store.decided().unwrap();
    assert_eq!(decided["abc1234"], Decision::Accepted);
    assert_eq!(decided["def"], Decision::Rejected);
    let claimed = store.claimed_ids().unwrap();
    assert_eq!((claimed.len(), claimed.contains(7), claimed.contains(8)), (2, true, true));
}

#[test]
fn only_the_hooks_nothing_linked_is_looked_at_again() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path().join("screenlink"));
    let note = |sha: &str, decision: Decision, by: DecidedBy, ids: Vec<i64>| {
        store.log(&DecisionRecord::now(sha, decision, by, Some(0.4), ids)).unwrap();
    };
    note("auto", Decision::Skipped, DecidedBy::Auto, vec![]);
    note("person", Decision::Skipped, DecidedBy::User, vec![3]);
    note("then-rejected", Decision::Skipped, DecidedBy::Auto, vec![]);
    note("then-rejected", Decision::Rejected, DecidedBy::User, vec![4]);
    note("then-paired", Decision::Skipped, DecidedBy::Auto, vec![]);
    assert_eq!(store.accept(&pair("then-paired", vec![5])).unwrap(), Accepted::Written);
    let s = store.snapshot().unwrap();
    assert_eq!(s.unlinked, HashSet::from(["auto".to_string()]));
    assert!(["auto", "person", "then-rejected", "then-paired"].iter().all(|c| s.decided.contains_key(*c)), "the queue still counts them all as seen");
}

#[test]
fn rewriting_commits_renames_and_drops_in_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path());
    assert_eq!(store.accept(&pair("old1", vec![1])).unwrap(), Accepted::Written);
    assert_eq!(store.accept(&pair("old2", vec![2])).unwrap(), Accepted::Written);
    store.queue("old3", "no terminal").unwrap();
    let renames = HashMap::from([("old1".to_string(), "new1".to_string()), ("old3".to_string(), "new3".to_string())]);
    let drop = HashSet::from(["old2".to_string()]);
    let done = store.rewrite_commits(&renames, &drop).unwrap();
    assert_eq!(done, Rewritten { renamed: 3, dropped: 2 });
    let shas: Vec<String> = store.pairs().unwrap().records.into_iter().map(|p| p.metadata.commit_sha).collect();
    assert_eq!(shas, ["new1"]);
    assert_eq!(store.pending().unwrap()[0].commit_sha, "new3");
    let decided = store.decided().unwrap();
    assert!(decided.contains_key("new1") && !decided.contains_key("old1") && !decided.contains_key("old2"));
}

#[test]
fn a_torn_last_line_is_reported_not_fatal() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::at(dir.path());
    assert_eq!(store.accept(&pair("a", vec![1])).unwrap(), Accepted::Written);
    std::fs::OpenOptions::new().append(true).open(store.dataset_path()).and_then(|mut f| std::io::Write::write_all(&mut f, b"{\"instruction\": \"x")).unwrap();
    let read = store.pairs().unwrap();
    assert_eq!(read.records.len(), 1);
    assert_eq!(read.bad_lines.len(), 1);
    assert_eq!(read.bad_lines[0].0, 2);
}
