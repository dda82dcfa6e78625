//! Validating a 100k-pair dataset: prints seconds and peak memory, asserts nothing.
//! `cargo bench --bench validate`

use std::io::Write;
use std::process::Command;
use std::time::Instant;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("training_data.jsonl");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
    let n = 100_000;
    for i in 0..n {
        let secret = if i % 1000 == 0 { " the key is AKIAZ7Q4LMNB2XWE3R5T" } else { "" };
        let v = serde_json::json!({
            "instruction": format!("Add retries to upload worker {i}"),
            "input": format!("Business Context from team discussions:\n\nit keeps timing out when the upstream server is slow, we need retries with exponential backoff and some jitter, cap the attempts so we do not hammer the server{secret}\n\nTask: Modify src/upload_{i}.rs"),
            "output": format!("// file: src/upload_{i}.rs\npub fn retry_upload_{i}(input: &Upload) -> Result<Upload, Error> {{\n    let attempts = input.attempts.max(3);\n    let backoff_ms = attempts * 200;\n    Ok(Upload {{ attempts, backoff_ms, ..input.clone() }})\n}}"),
            "metadata": {"commit_sha": format!("{i:040x}"), "commit_timestamp": "2026-01-05T10:00:00Z", "audio_timestamp": "2026-01-04T10:00:00Z",
                "confidence": 0.6 + (i % 40) as f64 / 100.0, "keyword_score": 0.6, "semantic_score": 0.7, "audio_ids": [i, i + 1],
                "speakers": ["Ana"], "files": [format!("src/upload_{i}.rs")], "model": "sentence-transformers/all-MiniLM-L6-v2",
                "decision": "accepted", "decided_by": "auto", "decided_at": "2026-01-05T10:01:00Z", "schema_version": 1}
        });
        writeln!(out, "{v}").unwrap();
    }
    drop(out);
    let mb = std::fs::metadata(&file).unwrap().len() as f64 / 1e6;
    let t = Instant::now();
    let run = Command::new(env!("CARGO_BIN_EXE_git-screenlink")).args(["validate", file.to_str().unwrap(), "--json"]).current_dir(dir.path()).output().unwrap();
    let secs = t.elapsed().as_secs_f64();
    let report: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    println!(
        "validate: {n} pairs ({mb:.0} MB) in {secs:.2} s — {} valid, {} tokens, {} findings",
        report["valid"],
        report["tokens"],
        report["findings"].as_array().map_or(0, |f| f.len())
    );
}
