//! The report: what to do next (recommendations) and the text in the seed guide's layout.

use super::{Report, FEW_PAIRS};

pub fn recommendations(r: &Report, min_confidence: f64) -> Vec<String> {
    let mut out = Vec::new();
    if r.valid < FEW_PAIRS {
        out.push(format!(
            "Only {}: aim for {FEW_PAIRS}+ before training (keep the hook installed, run `git screenlink backfill` over more history, or lower screenlink.minConfidence to 0.5)",
            crate::messages::count(r.valid, "valid pair")
        ));
    }
    if let Some(c) = &r.confidence {
        if c.average < min_confidence {
            out.push(format!("Average confidence {:.3} is below {min_confidence}: review low pairs with `git screenlink validate --review 20`, or raise screenlink.minConfidence to 0.7", c.average));
        }
    }
    if !r.problems.is_empty() {
        out.push(format!("{} line problem(s): `git screenlink validate --fix` drops invalid lines and duplicates (a .bak is kept)", r.problems.len()));
    }
    if !r.findings.is_empty() {
        out.push(format!("{} sensitive value(s) found: `git screenlink validate --fix` redacts them; keep screenlink.redact = redact so new pairs are redacted as they are written", r.findings.len()));
    }
    if out.is_empty() {
        out.push("The dataset looks good: `git screenlink train --dry-run` shows what training would run".into());
    }
    out
}

/// The report as text, in the seed guide's layout.
pub fn render(r: &Report) -> String {
    let rule = "-".repeat(80);
    let mut s = String::new();
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    line("Training Data Validation Report".into());
    line("=".repeat(80));
    line(String::new());
    line("OVERVIEW".into());
    line(rule.clone());
    line(format!("File: {}", r.file));
    line(format!("Total training pairs: {}", r.lines));
    let share = if r.lines > 0 { 100.0 * r.valid as f64 / r.lines as f64 } else { 0.0 };
    line(format!("Valid pairs: {} ({share:.1}%)", r.valid));
    if r.repeated > 0 {
        line(format!("Repeated text: {} (a change committed twice; export and train take each text once)", crate::messages::count(r.repeated, "pair")));
    }
    match r.tokens {
        Some(t) => line(format!("Total tokens: {} ({} tokenizer)", crate::messages::thousands(t), r.tokenizer)),
        None => line(format!("Total tokens: not counted ({})", r.tokenizer)),
    }
    line(String::new());
    line("INTEGRITY".into());
    line(rule.clone());
    if r.problems.is_empty() {
        line("No problems found.".into());
    }
    for p in &r.problems {
        line(format!("  line {}: {}", p.line, p.message));
    }
    line(String::new());
    line("CONFIDENCE METRICS".into());
    line(rule.clone());
    match &r.confidence {
        None => line("No valid pairs.".into()),
        Some(c) => {
            line(format!("Average confidence: {:.3}", c.average));
            line(format!("Min confidence: {:.3}", c.min));
            line(format!("Max confidence: {:.3}", c.max));
            line(String::new());
            line("Confidence Distribution:".into());
            let most = c.histogram.iter().map(|b| b.count).max().unwrap_or(1);
            for b in &c.histogram {
                let bar = "█".repeat(((b.count as f64 / most as f64) * 28.0).round().max(1.0) as usize);
                line(format!("  {}: {:>4} pairs {bar} ({:.1}%)", b.range, b.count, b.share * 100.0));
            }
        }
    }
    line(String::new());
    line("SECURITY ANALYSIS".into());
    line(rule.clone());
    if r.findings.is_empty() {
        line("No secrets or personal data found.".into());
    } else {
        line("Findings by kind:".into());
        for (kind, fields) in &r.findings_by_kind {
            let where_: Vec<String> = fields.iter().map(|(f, n)| format!("{f} {n}")).collect();
            line(format!("  {kind}: {} ({})", fields.values().sum::<usize>(), where_.join(", ")));
        }
        line(String::new());
        line("Findings:".into());
        for f in &r.findings {
            line(format!("  line {}, {}: {} {}", f.line, f.field, f.kind, f.masked));
        }
    }
    line(String::new());
    line("RECOMMENDATIONS".into());
    line(rule);
    for rec in &r.recommendations {
        line(format!("  • {rec}"));
    }
    s
}
