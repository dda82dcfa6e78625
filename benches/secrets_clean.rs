//! False alarms on clean text: every detector over a large corpus nobody here wrote, the
//! sources of the crates in the local cargo registry (thousands of real files: code, docs,
//! manifests, test data). Prints findings per 1,000 files by kind, with examples (masked,
//! with their file), so each false alarm can be reviewed. Asserts nothing.
//!
//! `cargo bench --bench secrets_clean [-- DIR]` (default: `$CARGO_HOME/registry/src`)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Kinds that are personal data rather than secrets: a registry holds authors' addresses
/// and documentation IPs by design, so they are counted apart.
const PERSONAL: &[&str] = &["email", "phone", "ip_address", "credit_card", "ssn", "iban"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.metadata().is_ok_and(|m| m.len() <= 1_000_000) {
            out.push(p);
        }
    }
}

fn main() {
    let dir = std::env::args().skip(1).find(|a| !a.starts_with('-')).map(PathBuf::from).unwrap_or_else(|| {
        let home =
            std::env::var_os("CARGO_HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
        home.join("registry").join("src")
    });
    let mut all = Vec::new();
    files(&dir, &mut all);
    all.sort();
    let started = Instant::now();
    let (mut scanned, mut bytes) = (0usize, 0usize);
    let mut by_kind: BTreeMap<&str, (usize, Vec<String>)> = BTreeMap::new();
    for path in &all {
        let Ok(text) = std::fs::read_to_string(path) else { continue }; // binary
        scanned += 1;
        bytes += text.len();
        let mut kinds_here: Vec<&str> = Vec::new();
        for f in git_screenlink::secrets::scan(&text) {
            let e = by_kind.entry(f.kind).or_default();
            if !kinds_here.contains(&f.kind) {
                kinds_here.push(f.kind);
                e.0 += 1;
            }
            // SECRETS_BENCH_SHOW=N: N examples per kind with their whole line, for reviewing
            // a clean corpus (never set it on data that may hold real secrets).
            let show: usize = std::env::var("SECRETS_BENCH_SHOW").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
            if e.1.len() < show.max(6) {
                let rel = path.strip_prefix(&dir).unwrap_or(path).display().to_string();
                let line = text[..f.range.0].lines().count();
                let context = if show > 0 {
                    let start = text[..f.range.0].rfind('\n').map_or(0, |i| i + 1);
                    let end = text[f.range.1..].find('\n').map_or(text.len(), |i| f.range.1 + i);
                    format!("  «{}»", text[start..end].chars().take(140).collect::<String>())
                } else {
                    String::new()
                };
                e.1.push(format!("{rel}:{line} {}{context}", f.masked));
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("corpus: {} ({scanned} text files, {:.1} MB), scanned in {secs:.1} s", dir.display(), bytes as f64 / 1e6);
    let per_k = |n: usize| n as f64 * 1000.0 / scanned.max(1) as f64;
    for personal in [false, true] {
        println!("\n{}", if personal { "## personal data (expected in a registry: authors, docs)" } else { "## secrets (target: ≤ 1 file per 1,000)" });
        println!("| kind | files | per 1,000 files |");
        println!("|---|---|---|");
        let mut total = 0;
        for (kind, (n, _)) in by_kind.iter().filter(|(k, _)| PERSONAL.contains(k) == personal) {
            println!("| {kind} | {n} | {:.2} |", per_k(*n));
            total += n;
        }
        println!("| all | {total} | {:.2} |", per_k(total));
        for (kind, (_, examples)) in by_kind.iter().filter(|(k, _)| PERSONAL.contains(k) == personal) {
            for e in examples {
                println!("  {kind}: {e}");
            }
        }
    }
}
