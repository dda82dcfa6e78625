//! Private key blocks (PEM, OpenSSH, PGP): the whole block, its key material too, not the
//! header alone (a redacted header before the base64 body would leave the key in the dataset).
//!
//! A block runs from a BEGIN line to the END line after it, when no other BEGIN comes first
//! and what lies between reads as a key, not prose: a chart's values.yaml says "key and
//! certificate should start with … -----BEGIN RSA PRIVATE KEY-----" in a comment, and its END
//! line may be thousands of lines on, past a sample block (bitnami/charts: a span of 80 KB
//! was one finding, and a pair's whole file would have been redacted). Otherwise the block is
//! cut short (a diff can show it so): the BEGIN line and the key lines that follow it; and a
//! BEGIN line with no key line after it is a key's only where it is not named in prose.

use std::sync::LazyLock;

use regex::Regex;

use super::checks::holds_key_material;
use super::detectors::{BEGIN_KEY, END_KEY, KEY_LINE};

static BEGIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(BEGIN_KEY).expect("valid regex"));
static END: LazyLock<Regex> = LazyLock::new(|| Regex::new(END_KEY).expect("valid regex"));
static CUT_SHORT: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!("^{BEGIN_KEY}(?:{KEY_LINE})*")).expect("valid regex"));

/// Compile this module's patterns (see [`super::prepare`]).
pub(super) fn prepare() {
    for re in [&BEGIN, &END, &CUT_SHORT] {
        LazyLock::force(re);
    }
}

/// Byte ranges of the key blocks in `text`.
pub(super) fn findings(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    for begin in BEGIN.find_iter(text) {
        if begin.start() < from {
            continue;
        }
        let next_begin = BEGIN.find_at(text, begin.end()).map_or(text.len(), |m| m.start());
        let whole = END
            .find_at(text, begin.end())
            .filter(|end| end.start() < next_begin && reads_as_key(&text[begin.end()..end.start()]))
            .map(|end| (begin.start(), end.end()));
        let range = whole.or_else(|| {
            let cut = CUT_SHORT.find(&text[begin.start()..]).map_or(begin.end(), |m| begin.start() + m.end());
            (cut > begin.end() || !named_in_prose(text, begin.start(), begin.end())).then_some((begin.start(), cut))
        });
        if let Some((start, end)) = range.filter(|&(s, e)| holds_key_material(&text[s..e])) {
            out.push((start, end));
            from = end;
        }
    }
    out
}

/// Whether the text between a BEGIN line and an END line is a key's: base64 lines, headers
/// (`Proc-Type: …`), the quotes and `+` of a key written as a string in code; at most one
/// line of prose (a comment).
fn reads_as_key(body: &str) -> bool {
    body.lines().filter(|l| is_prose(l)).nth(1).is_none()
}

/// Three words or more in a row, as prose has them (not a header, which holds `: `).
fn is_prose(line: &str) -> bool {
    if line.contains(": ") {
        return false;
    }
    let mut run = 0;
    for word in line.split(' ') {
        run = if word.len() >= 2 && word.chars().all(|c| c.is_alphabetic() || c == ',' || c == '.') { run + 1 } else { 0 };
        if run >= 3 {
            return true;
        }
    }
    false
}

/// A BEGIN line named, not written: prose on its own line or on the next line that holds any
/// (after a comment's `#`, `//` or `*`).
fn named_in_prose(text: &str, start: usize, end: usize) -> bool {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let strip = |l: &str| l.trim().trim_start_matches(['#', '/', '*', ';']).trim().to_string();
    let next = text[line_end..].lines().map(strip).find(|l| !l.is_empty()).unwrap_or_default();
    is_prose(&text[line_start..start]) || is_prose(&text[end..line_end]) || is_prose(&next)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "-----BEGIN RSA PRIVATE KEY-----\nMIIEogIBAAKCAQEAvLYcyu8f3skuRyUgeeNpeDvYBCDcgq+LsWap6zbX5f8oLqp4\nwrj2wDbCDCFmfqnSJ+dKI3vFLlEz44sAV8jX/kd4Y6ZTQhlLbYc8LMdoP6VXTkF0\n-----END RSA PRIVATE KEY-----";

    #[test]
    fn a_key_named_in_prose_is_not_one_and_does_not_hide_the_key_after_it() {
        let values = format!(
            "## key and certificate should start with -----BEGIN CERTIFICATE----- or\n## -----BEGIN RSA PRIVATE KEY-----\n##\n## name should line up with a tlsSecret set further up\nsecrets: []\n\n{KEY}\n"
        );
        let at = values.find(KEY).unwrap();
        assert_eq!(findings(&values), vec![(at, at + KEY.len())]);
        assert_eq!(findings("-----BEGIN RSA PRIVATE KEY-----\n"), vec![(0, 31)], "cut short, no prose: the header stays a finding");
        let cut = "-----BEGIN RSA PRIVATE KEY-----\nMIIEogIBAAKCAQEAvLYcyu8f3skuRyUgeeNpeDvYBCDcgq+LsWap6zbX5f8oLqp4\nwrj2wDbCDCFmfqnSJ+dKI3vFLlEz44sAV8jX/kd4Y6ZTQhlLbYc8LMdoP6VXTkF0\n";
        assert_eq!(findings(cut), vec![(0, cut.trim_end().len())]);
        let java = "String k = \"-----BEGIN RSA PRIVATE KEY-----\\n\" +\n    \"MIIEogIBAAKCAQEAvLYcyu8f3skuRyUgeeNpeDvYBCDcgq+LsWap6zbX5f8oLqp4\\n\" +\n    \"-----END RSA PRIVATE KEY-----\";";
        let at = java.find("-----BEGIN").unwrap();
        assert_eq!(findings(java), vec![(at, java.rfind("-----\"").unwrap() + 5)]);
    }
}
