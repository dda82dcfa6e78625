//! Secret and personal-data detection, and redaction: shared by `validate` and by every
//! writer of the dataset (backfill, the hook, review), so nothing sensitive reaches the
//! dataset unnoticed.
//!
//! Each detector is a regex plus, where a regex alone fires on look-alikes, a check
//! (Luhn for card numbers, Shannon entropy for assigned secrets, placeholder lists for
//! documentation examples). A finding never carries the secret itself: only its kind, where
//! it is, and a masked excerpt.

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

mod calls;
#[cfg(test)]
mod cases;
mod checks;
mod ciphers;
mod commands;
mod cookies;
mod definitions;
mod detectors;
mod devices;
mod elsewhere;
mod encoded;
mod escaped;
mod installers;
mod keys;
mod mailboxes;
mod mnemonic;
mod names;
mod numbers;
mod paths;
mod placeholders;
mod providers;
mod services;
mod setters;
mod shapes;
mod shell;
mod spoken;
mod sql;
mod taken;

use placeholders::{is_placeholder, names_itself};
use taken::{Markers, Taken};

pub use paths::is_credential_path;

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = s.chars().count() as f64;
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
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

/// Compile the detectors now (~40 ms on 2 cores, once per process), so a caller that will
/// scan soon can pay for it on another thread while it does other work: the hook, which
/// reads the talk and loads the model first.
pub fn prepare() {
    std::sync::LazyLock::force(&detectors::DETECTORS);
    keys::prepare();
}

/// Every finding in `text`, in order, overlapping ones reduced to the first: in the lines that
/// escape their quotes (a notebook's cells, code in a JSON string) read decoded, which is what
/// they say (`postgres:\/\/user:…@db` is a URL, not an email), then in the text as written.
/// A base64 value (a Kubernetes Secret's `data:`) is read decoded too: a finding in what it
/// says is one over the whole value.
pub fn scan(text: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = match escaped::view(text) {
        Some(view) => scan_as_written(&view.text)
            .into_iter()
            .map(|f| {
                let range = view.original(f.range);
                Finding { kind: f.kind, range, masked: mask(&text[range.0..range.1]) }
            })
            .collect(),
        None => Vec::new(),
    };
    let mut taken = Taken::default();
    found.retain(|f| taken.take(f.range));
    for f in scan_as_written(text) {
        if taken.take(f.range) {
            found.push(f);
        }
    }
    // A value already found as written is not read again decoded.
    for (range, decoded) in encoded::values(text) {
        if taken.overlaps(range) {
            continue;
        }
        if let Some(f) = scan_as_written(&decoded).first() {
            taken.take(range);
            found.push(Finding { kind: f.kind, range, masked: mask(&text[range.0..range.1]) });
        }
    }
    found.sort_by_key(|f| f.range.0);
    found
}

/// A scanner of a whole text: the byte range of each finding.
type WholeText = fn(&str) -> Vec<(usize, usize)>;

/// Scanners that read a whole text, not one match at a time, after the detectors, each with
/// the kind of its findings: recovery phrases, cloud-init's `chpasswd` list, SQL dumps' secret
/// columns and statements, session cookies.
const WHOLE_TEXT: &[(&str, WholeText)] = &[
    ("seed_phrase", mnemonic::findings),
    ("install_password", installers::chpasswd_findings),
    ("assigned_secret", sql::findings),
    ("session_cookie", cookies::findings),
];

fn scan_as_written(text: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    let mut taken = Taken::default();
    let ours = Markers::of(text);
    // The first finding over a stretch of text keeps it.
    let mut add = |found: &mut Vec<Finding>, kind: &'static str, range: (usize, usize)| {
        if taken.take(range) {
            found.push(Finding { kind, range, masked: mask(&text[range.0..range.1]) });
        }
    };
    // Key blocks first: a block's lines hold what other rules would take for tokens.
    for range in keys::findings(text) {
        if !ours.hold(range.0) {
            add(&mut found, "private_key", range);
        }
    }
    for det in detectors::DETECTORS.iter().filter(|d| d.hint.is_none_or(|h| h(text))) {
        let mut at = 0;
        while at <= text.len() {
            let Some(caps) = det.re.captures_at(text, at) else { break };
            let Some(all) = caps.get(0) else { break };
            // The next search starts after this match (a character on, after an empty one), or
            // right after a finding (below).
            at = if all.is_empty() { all.end() + text[all.end()..].chars().next().map_or(1, char::len_utf8) } else { all.end() };
            let Some(m) = det.groups.iter().find_map(|g| caps.get(*g)) else { continue };
            // A quoted value is taken as written.
            let quoted = text[..m.start()].ends_with(['"', '\'']);
            let (start, value) = if quoted { (m.start(), m.as_str()) } else { within_backticks(m.start(), m.as_str()) };
            if value.is_empty() {
                continue;
            }
            let checks_itself =
                ["connection_string", "assigned_secret", "credential_file", "private_key", "password_hash", "device_secret"].contains(&det.kind);
            if ours.hold(start) || (!checks_itself && is_placeholder(value)) {
                continue;
            }
            if !(det.check)(&caps, value) || det.around.is_some_and(|around| !around(text, (start, start + value.len()))) {
                continue;
            }
            // A value that ended at a closing backtick has no more words after it.
            let whole = start + value.len() == m.end();
            let mut end = match det.tail.and_then(|g| caps.get(g)).filter(|t| whole && t.start() == m.end()) {
                Some(t) if shell::tail_is_value(text, &caps, t.as_str()) => start + text[start..t.end()].trim_end().len(),
                // Else the value alone; what follows (the line's next setting, a command) is
                // searched again for secrets of its own (`ansible_ssh_pass=… ansible_become_pass=…`).
                _ => start + value.len(),
            };
            while let Some(more) = shell::joined_literal(text, end).filter(|_| quoted) {
                end = more;
            }
            // What the pattern read past a finding (a comma, a dash, a slash, the line's next
            // setting) may begin the next one: `10.0.1.5,10.0.1.6`, `168.1.6.50-168.1.6.80`.
            // Past a value that is none (a version's `[5.0.9.0,5.0.10.0)`) the match's end stays.
            at = end;
            add(&mut found, det.kind, (start, end));
        }
    }
    for (kind, findings) in WHOLE_TEXT {
        for range in findings(text) {
            if !ours.hold(range.0) {
                add(&mut found, kind, range);
            }
        }
    }
    found.sort_by_key(|f| f.range.0);
    found
}

/// The text of each byte range (for tests of the scanners that return ranges).
#[cfg(test)]
fn spans(text: &str, ranges: Vec<(usize, usize)>) -> Vec<&str> {
    ranges.into_iter().map(|(s, e)| &text[s..e]).collect()
}

/// An unquoted value without the backticks a Markdown guide or a Go raw string puts around it
/// (`` `mysql -psecret` ``, `` `token: Xq…`, ``): a leading one, and a last one with nothing
/// but punctuation after it. One inside a value is the value's (`ab`cd`); a value that ends in
/// one loses that character only. Its start, and it.
fn within_backticks(start: usize, value: &str) -> (usize, &str) {
    let (start, value) = match value.strip_prefix('`') {
        Some(rest) => (start + 1, rest),
        None => (start, value),
    };
    let value = match value.rfind('`') {
        Some(i) if i > 0 && value[i + 1..].chars().all(|c| ".,;:*)!?]".contains(c)) => &value[..i],
        _ => value,
    };
    (start, value)
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
mod tests;
