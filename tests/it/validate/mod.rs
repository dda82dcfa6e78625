//! `git screenlink validate` on real files: the report (snapshot), `--fix`, redaction where
//! pairs are written, and `--review`; every detector in every field is in `corpus.rs`, the
//! look-alikes that must stay quiet in `look_alikes.rs`.

use std::path::Path;

use serde_json::{json, Value};

use crate::env::{hand_db, OutputExt, TestEnv};

mod corpus;
mod look_alikes;

pub(super) fn pair(instruction: &str, input: &str, output: &str, sha: &str) -> Value {
    json!({
        "instruction": instruction,
        "input": format!("Business Context from team discussions:\n\n{input}\n\nTask: Modify src/a.rs"),
        "output": format!("// file: src/a.rs\n{output}"),
        "metadata": {"commit_sha": sha, "commit_timestamp": "2026-01-05T10:00:00Z", "audio_timestamp": "2026-01-04T10:00:00Z",
            "confidence": 0.72, "keyword_score": 0.6, "semantic_score": 0.77, "audio_ids": [1], "speakers": [], "files": ["src/a.rs"],
            "model": "sentence-transformers/all-MiniLM-L6-v2", "decision": "accepted", "decided_by": "user",
            "decided_at": "2026-01-05T10:01:00Z", "schema_version": 1}
    })
}

pub(super) fn write_lines(path: &Path, values: &[Value]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, values.iter().map(|v| format!("{v}\n")).collect::<String>()).unwrap();
}

#[test]
fn the_report_reads_like_the_guides() {
    let env = TestEnv::new();
    let mut values: Vec<Value> = (0..6)
        .map(|i| {
            let mut v = pair(&format!("Add feature {i}"), "we need this because users asked", "fn feature() {}", &format!("c{i}"));
            v["metadata"]["confidence"] = json!(0.6 + 0.05 * i as f64);
            v
        })
        .collect();
    values.push(pair("Leak", "call me at +1 415-500-0132", "let key = \"AKIAZ7Q4LMNB2XWE3R5T\";", "c9"));
    let mut text: String = values.iter().map(|v| format!("{v}\n")).collect();
    text.push_str("{\"instruction\": \"half a li");
    std::fs::write(env.repo.join("d.jsonl"), &text).unwrap();
    let out = env.screenlink(["validate", "d.jsonl"]);
    assert_eq!(out.code(), 1);
    insta::assert_snapshot!(out.stdout_text());
}

#[test]
fn fix_repairs_once_keeps_a_backup_and_loses_no_valid_line() {
    let env = TestEnv::new();
    let good: Vec<Value> = (0..5).map(|i| pair(&format!("Add {i}"), "talk", "fn a() {}", &format!("c{i}"))).collect();
    let leaky = pair("Add key", "the key is AKIAZ7Q4LMNB2XWE3R5T", "fn b() {}", "c5");
    let mut text: String = good.iter().map(|v| format!("{v}\n")).collect();
    text.push_str(&format!("{leaky}\nnot json at all\n{}\n", good[0]));
    std::fs::write(env.repo.join("d.jsonl"), &text).unwrap();

    let out = env.screenlink(["validate", "d.jsonl", "--fix"]);
    assert_eq!(out.code(), 0, "clean after fixing: {}", out.stdout_text());
    assert!(out.stdout_text().contains("dropped 1 invalid line(s) and 1 duplicate(s), redacted 1 value(s); 6 pairs kept"), "{}", out.stdout_text());
    assert_eq!(std::fs::read_to_string(env.repo.join("d.jsonl.bak")).unwrap(), text);
    let fixed = std::fs::read_to_string(env.repo.join("d.jsonl")).unwrap();
    let kept: Vec<Value> = fixed.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(kept.len(), 6);
    for g in &good {
        assert!(kept.contains(g), "a valid line was lost");
    }
    assert!(kept[5]["input"].as_str().unwrap().contains("[REDACTED:aws_access_key]"));
    assert_eq!(kept[5]["metadata"]["redacted"], json!(["aws_access_key"]));

    let again = env.screenlink(["validate", "d.jsonl", "--fix"]);
    again.assert_ok();
    assert!(again.stdout_text().contains("Nothing to fix"));
    assert_eq!(std::fs::read_to_string(env.repo.join("d.jsonl")).unwrap(), fixed);
}

#[test]
fn a_missing_dataset_is_a_clear_error() {
    let env = TestEnv::new();
    let out = env.screenlink(["validate"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("no dataset at") && out.stderr_text().contains("backfill"), "{}", out.stderr_text());
}

#[test]
fn pairs_are_redacted_or_flagged_as_they_are_written() {
    let env = TestEnv::new();
    std::fs::create_dir_all(env.repo.join("src")).unwrap();
    std::fs::write(
        env.repo.join("src/search.rs"),
        "pub struct SearchPage {\n    pub page_size: usize,\n    pub next_cursor: Option<String>,\n}\npub fn paginate_search(page_size: usize) -> SearchPage {\n    SearchPage { page_size, next_cursor: None }\n}\n",
    )
    .unwrap();
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "Add pagination to search"]).assert_ok();
    let talk = [
        ("2026-03-01T15:00:00+00:00", "users complain search is slow, mail jane.doe@acme-corp.io about the search page"),
        ("2026-03-01T15:00:30+00:00", "paginate search with a page size and a next cursor, the staging key is AKIAZ7Q4LMNB2XWE3R5T"),
    ];
    let db = hand_db(env.root(), &talk);
    let args = ["backfill", "--yes", "--source", "db", "--screenpipe-db", db.to_str().unwrap(), "--min-confidence", "0.2"];
    env.screenlink(args).assert_ok();
    let data = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap();
    assert!(!data.contains("AKIAZ7Q4LMNB2XWE3R5T") && !data.contains("jane.doe@acme-corp.io"), "{data}");
    assert!(data.contains("[REDACTED:aws_access_key]") && data.contains("[REDACTED:email]"));
    let v: Value = serde_json::from_str(data.lines().next().unwrap()).unwrap();
    assert_eq!(v["metadata"]["redacted"], json!(["aws_access_key", "email"]));

    std::fs::remove_dir_all(env.repo.join(".git/screenlink")).unwrap();
    env.git(["config", "screenlink.redact", "flag"]).assert_ok();
    env.screenlink(args).assert_ok();
    let data = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap();
    let v: Value = serde_json::from_str(data.lines().next().unwrap()).unwrap();
    assert_eq!(v["metadata"]["sensitive"], json!(true));
    assert!(data.contains("AKIAZ7Q4LMNB2XWE3R5T"), "flag keeps the text");
}

/// On a real pseudo-terminal: mark one sampled pair bad and one good. The bad one moves to
/// `rejected.jsonl` and is logged as rejected; the good one stays.
#[cfg(unix)]
#[test]
fn review_moves_bad_pairs_out_and_logs_them() {
    let env = TestEnv::new();
    let dir = env.repo.join(".git/screenlink");
    let values: Vec<Value> = (0..3).map(|i| pair(&format!("Add feature {i}"), "talk", "fn a() {}", &format!("c{i}"))).collect();
    write_lines(&dir.join("training_data.jsonl"), &values);
    let mut cmd = env.command("git-screenlink");
    cmd.args(["validate", "--review", "2", "--seed", "7"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    let (before, _) = p.exp_regex(r"\[g\]ood").unwrap();
    let first: usize = before.split("line ").nth(1).and_then(|t| t.split_whitespace().next()).unwrap().parse().unwrap();
    p.send("b").unwrap();
    p.flush().unwrap();
    p.exp_regex(r"\[g\]ood").unwrap();
    p.send("g").unwrap();
    p.flush().unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("1 good, 1 bad"), "{rest}");

    let kept: Vec<Value> = std::fs::read_to_string(dir.join("training_data.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(kept.len(), 2);
    let bad = &values[first - 1];
    assert!(!kept.contains(bad), "the bad pair left the dataset");
    let rejected: Vec<Value> = std::fs::read_to_string(dir.join("rejected.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["instruction"], bad["instruction"]);
    assert_eq!(rejected[0]["metadata"]["decision"], "rejected");
    let log = std::fs::read_to_string(dir.join("decisions.jsonl")).unwrap();
    assert!(log.contains(bad["metadata"]["commit_sha"].as_str().unwrap()) && log.contains("\"rejected\""), "{log}");
}

#[test]
fn review_skip_and_quit_leave_pairs_alone_and_report_writes_where_asked() {
    let env = TestEnv::new();
    let dir = env.repo.join(".git/screenlink");
    let values: Vec<Value> = (0..3).map(|i| pair(&format!("Add feature {i}"), "talk", "fn a() {}", &format!("c{i}"))).collect();
    write_lines(&dir.join("training_data.jsonl"), &values);
    let before = std::fs::read(dir.join("training_data.jsonl")).unwrap();
    let mut cmd = env.command("git-screenlink");
    cmd.args(["validate", "--review", "3", "--seed", "7"]);
    let mut p = rexpect::session::spawn_command(cmd, Some(30_000)).unwrap();
    p.exp_regex(r"\[g\]ood").unwrap();
    p.send("s").unwrap();
    p.flush().unwrap();
    p.exp_regex(r"\[g\]ood").unwrap();
    p.send("q").unwrap();
    p.flush().unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("0 good, 0 bad") && rest.contains("1 skipped"), "{rest}");
    assert!(!rest.contains("[3/3]"), "quit stops asking: {rest}");
    assert_eq!(std::fs::read(dir.join("training_data.jsonl")).unwrap(), before, "skip and quit change nothing");
    assert!(!dir.join("rejected.jsonl").exists());
    assert!(!dir.join("decisions.jsonl").exists(), "skips are not labels");

    let report = env.root().join("elsewhere/report.txt");
    std::fs::create_dir_all(report.parent().unwrap()).unwrap();
    let out = env.screenlink(["validate", "--report", report.to_str().unwrap()]);
    assert!(out.stdout_text().contains(&format!("Report written to {}", report.display())), "{}", out.stdout_text());
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.contains("Total training pairs: 3"), "{text}");
    assert!(!dir.join("validation_report.txt").exists(), "only where asked");
}
