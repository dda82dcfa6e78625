//! Secret and personal-data detection, and redaction: shared by `validate` and by every
//! writer of the dataset (backfill, the hook, review), so nothing sensitive reaches the
//! dataset unnoticed.
//!
//! Each detector is a regex plus, where a regex alone fires on look-alikes, a check
//! (Luhn for card numbers, Shannon entropy for assigned secrets, placeholder lists for
//! documentation examples). A finding never carries the secret itself: only its kind, where
//! it is, and a masked excerpt.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// What `screenlink.redact` asks writers to do with findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RedactMode {
    /// Replace each finding with `[REDACTED:<kind>]` (the default).
    Redact,
    /// Keep the text and mark the pair `metadata.sensitive`.
    Flag,
    Off,
}

impl std::str::FromStr for RedactMode {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s.to_ascii_lowercase().as_str() {
            "redact" => Ok(RedactMode::Redact),
            "flag" => Ok(RedactMode::Flag),
            "off" => Ok(RedactMode::Off),
            _ => Err(()),
        }
    }
}

/// One detector: a kind name, a pattern, the capture group holding the sensitive part, and
/// an extra check on that part.
struct Detector {
    kind: &'static str,
    re: Regex,
    group: usize,
    check: fn(&str) -> bool,
}

fn always(_: &str) -> bool {
    true
}

fn d(kind: &'static str, pattern: &str, group: usize, check: fn(&str) -> bool) -> Detector {
    Detector { kind, re: Regex::new(pattern).expect("valid detector regex"), group, check }
}

static DETECTORS: LazyLock<Vec<Detector>> = LazyLock::new(|| {
    vec![
        d("private_key", r"-----BEGIN ((RSA|EC|DSA|OPENSSH|PGP|ENCRYPTED) )?PRIVATE KEY( BLOCK)?-----", 0, always),
        d("aws_access_key", r"\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b", 1, always),
        d("github_token", r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b", 1, always),
        d("gitlab_token", r"\b(glpat-[A-Za-z0-9_\-]{20,})", 1, always),
        d("slack_webhook", r"(https://hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/[A-Za-z0-9]+)", 1, always),
        d("slack_token", r"\b(xox[abposr]-[A-Za-z0-9-]{10,})", 1, always),
        d("stripe_key", r"\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})\b", 1, always),
        d("anthropic_key", r"\b(sk-ant-[A-Za-z0-9]+-[A-Za-z0-9_\-]{20,})", 1, always),
        d("openai_key", r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,})", 1, |s| !s.starts_with("sk-ant-")),
        d("google_api_key", r"\b(AIza[0-9A-Za-z_\-]{35})", 1, always),
        d("jwt", r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})", 1, always),
        d(
            "connection_string",
            r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@]+:([^\s@/]{3,})@[^\s/]+",
            1,
            |pw| !is_placeholder(pw) && !pw.chars().all(|c| c == '*' || c == 'x'),
        ),
        d(
            "assigned_secret",
            r#"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|client[_-]?secret|secret[_-]?key)\b["']?\s*[:=]\s*["']?([^\s"',;)]{8,})"#,
            1,
            |v| !is_placeholder(v) && !looks_like_code(v) && entropy(v) >= 3.0,
        ),
        d("email", r"\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b", 1, |e| !is_example_email(e)),
        d("credit_card", r"\b((?:\d[ -]?){12,18}\d)\b", 1, luhn_card),
        d("phone", r"(?:^|[^\w.])((?:\+\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4})\b", 1, always),
        d(
            "ip_address",
            r"(?:^|[^\w.])((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?:$|[^\w.])",
            1,
            |ip| !is_boring_ip(ip),
        ),
    ]
});

/// Documentation examples and placeholders that look like secrets but are not.
fn is_placeholder(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    v.ends_with("EXAMPLE")
        || v.contains("EXAMPLE")
        || lower.contains("redacted")
        || lower.starts_with('<')
        || lower.starts_with("${")
        || lower.starts_with("{{")
        || lower.starts_with('$')
        || lower.starts_with('[')
        || ["password", "changeme", "your_password", "yourpassword", "placeholder", "example", "secret"].contains(&lower.as_str())
        || lower.chars().all(|c| c == 'x' || c == '*' || c == '.')
}

/// Values that are code, not secrets: `password = get_password(config)`, `env::var("X")`.
fn looks_like_code(v: &str) -> bool {
    v.contains('(') || v.contains("::") || v.starts_with("self.") || v.starts_with("os.") || v.starts_with("process.")
        || v.starts_with("env.") || v.starts_with("config.") || v.chars().all(|c| c.is_ascii_alphabetic() || c == '_' || c == '.')
}

fn is_example_email(e: &str) -> bool {
    let domain = e.rsplit('@').next().unwrap_or("").to_ascii_lowercase();
    ["example.com", "example.org", "example.net", "test.com", "localhost", "users.noreply.github.com"].iter().any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
        || domain.ends_with(".example")
        || domain.ends_with(".invalid")
        || domain.ends_with(".test")
}

fn is_boring_ip(ip: &str) -> bool {
    ip.starts_with("127.")
        || ip == "0.0.0.0"
        || ip == "255.255.255.255"
        || ip.starts_with("192.0.2.")
        || ip.starts_with("198.51.100.")
        || ip.starts_with("203.0.113.")
}

/// A card number: 13–19 digits, a known issuer prefix, and a valid Luhn checksum.
fn luhn_card(n: &str) -> bool {
    let digits: Vec<u32> = n.chars().filter_map(|c| c.to_digit(10)).collect();
    if !(13..=19).contains(&digits.len()) || !matches!(digits[0], 3..=6) {
        return false;
    }
    if digits.iter().all(|d| *d == digits[0]) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 1 { let x = d * 2; if x > 9 { x - 9 } else { x } } else { *d })
        .sum();
    sum.is_multiple_of(10)
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    counts.values().map(|&k| { let p = k as f64 / n; -p * p.log2() }).sum()
}

/// One sensitive value found in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: &'static str,
    /// Byte range of the sensitive part in the text.
    #[serde(skip)]
    pub range: (usize, usize),
    /// The first characters and the length, never the value: `AKIA… (20 chars)`.
    pub masked: String,
}

pub fn mask(value: &str) -> String {
    let shown: String = value.chars().take(4).collect();
    format!("{shown}… ({} chars)", value.chars().count())
}

/// Every finding in `text`, in order, overlapping ones reduced to the first.
pub fn scan(text: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    for det in DETECTORS.iter() {
        for caps in det.re.captures_iter(text) {
            let Some(m) = caps.get(det.group) else { continue };
            let value = m.as_str();
            if is_ours_or_placeholder(text, m.start()) || (det.kind != "connection_string" && det.kind != "assigned_secret" && is_placeholder(value)) {
                continue;
            }
            if !(det.check)(value) {
                continue;
            }
            let range = (m.start(), m.end());
            if found.iter().any(|f| f.range.0 < range.1 && range.0 < f.range.1) {
                continue;
            }
            found.push(Finding { kind: det.kind, range, masked: mask(value) });
        }
    }
    found.sort_by_key(|f| f.range.0);
    found
}

/// Inside our own `[REDACTED:…]` marker.
fn is_ours_or_placeholder(text: &str, at: usize) -> bool {
    let before = &text[..at];
    before.rfind("[REDACTED:").is_some_and(|i| !before[i..].contains(']'))
}

/// `text` with every finding replaced by `[REDACTED:<kind>]`.
pub fn redact(text: &str) -> (String, Vec<Finding>) {
    let findings = scan(text);
    if findings.is_empty() {
        return (text.to_string(), findings);
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for f in &findings {
        out.push_str(&text[last..f.range.0]);
        out.push_str(&format!("[REDACTED:{}]", f.kind));
        last = f.range.1;
    }
    out.push_str(&text[last..]);
    (out, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_entropy() {
        assert!(luhn_card("4111 1111 1111 1111"));
        assert!(!luhn_card("4111 1111 1111 1112"));
        assert!(!luhn_card("1234567890123"));
        assert!(entropy("aaaaaaaa") < 0.1);
        assert!(entropy("q8Zr2LxP0vKm") > 3.0);
    }

    #[test]
    fn redaction_replaces_only_the_value() {
        let (out, f) = redact("password = \"q8Zr2LxP0vKm\" and key AKIAZ7Q4LMNB2XWE3R5T");
        assert_eq!(out, "password = \"[REDACTED:assigned_secret]\" and key [REDACTED:aws_access_key]");
        assert_eq!(f.len(), 2);
        assert!(!format!("{f:?}").contains("q8Zr2LxP0vKm"), "findings never carry the value");
        let (again, f2) = redact(&out);
        assert_eq!((again, f2.len()), (out.clone(), 0), "redaction is idempotent");
    }
}
