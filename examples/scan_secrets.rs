//! Every secret and personal-data finding in each file named, as one JSON line per file:
//! `{"file": …, "findings": [[kind, start byte, end byte], …]}` (never the values). For
//! measuring the detectors on other scanners' test data: `tools/secretlint_eval.py` reads it.
//!
//! `cargo run --release --example scan_secrets -- FILE…`
fn main() {
    for path in std::env::args().skip(1) {
        let Ok(text) = std::fs::read_to_string(&path) else { continue }; // binary
        let findings: Vec<serde_json::Value> = git_screenlink::secrets::scan(&text).iter().map(|f| serde_json::json!([f.kind, f.range.0, f.range.1])).collect();
        println!("{}", serde_json::json!({ "file": path, "findings": findings }));
    }
}
