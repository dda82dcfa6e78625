//! Values stored base64-encoded, as a Kubernetes Secret's `data:` holds every value (a
//! `.dockerconfigjson`, a `DATABASE_URL`, a whole `config.yaml`) and Helm's `b64enc` writes
//! them: what they decode to is text like any other, so it is read as text is. A finding in it
//! is a finding over the whole encoded value, which is what a redaction must replace: base64 is
//! an encoding, not a lock.

use std::sync::LazyLock;

use base64::Engine;
use regex::Regex;

/// A setting whose whole value is base64 (`  DATABASE_URL: cG9zdGdyZXM6Ly9…`, `"auth": "…"`,
/// `KEY=…`), in padded blocks of four as Kubernetes and Docker write it, a YAML comment after
/// it or not (`password: cGFzc3dvcmQ=  # base64 of "password"`).
static ENCODED_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^[ \t]*(?:-[ \t]+)?["']?[A-Za-z0-9_.\-/]+["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9+/]{16,}={0,2})["']?[ \t]*,?[ \t]*(?:#[^\r\n]*)?\r?$"#)
        .expect("valid regex")
});

/// Each base64 value in `text` that decodes to text: its byte range and what it says.
pub(super) fn values(text: &str) -> impl Iterator<Item = ((usize, usize), String)> + '_ {
    ENCODED_VALUE.captures_iter(text).filter_map(|caps| {
        let m = caps.get(1)?;
        Some(((m.start(), m.end()), decode_text(m.as_str())?))
    })
}

/// What `v` decodes to, when it is text: UTF-8 with no control character but line ends and
/// tabs (a key's or an image's bytes are not read).
pub(super) fn decode_text(v: &str) -> Option<String> {
    if !v.len().is_multiple_of(4) {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(v).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.chars().all(|c| !c.is_control() || "\n\r\t".contains(c)).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    #[test]
    fn a_settings_base64_value_is_read_decoded() {
        let (url, json) = ("postgres://app:Xk29pLq7zz@db.internal:5432/app", r#"{"password": "Xk29!pLq7"}"#);
        let (url64, json64) = (b64(url), b64(json));
        let image = base64::engine::general_purpose::STANDARD.encode([0u8, 159, 146, 150, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        let text = format!(
            "data:\n  DATABASE_URL: {url64}  # base64 of the URL\n  \"config.json\": \"{json64}\",\n  ca.bin: {image}\n  user: {}\n  note: plain words here\n",
            b64("admin")
        );
        let found: Vec<(&str, String)> = values(&text).map(|(r, decoded)| (&text[r.0..r.1], decoded)).collect();
        assert_eq!(found, [(url64.as_str(), url.to_string()), (json64.as_str(), json.to_string())]);
    }

    #[test]
    fn a_finding_in_what_a_value_says_redacts_the_whole_value() {
        let url = b64("postgres://app:Xk29pLq7zz@db.internal:5432/app");
        let text = format!("kind: Secret\ndata:\n  DATABASE_URL: {url}\n  PORT: {}\n", b64("8080"));
        let (redacted, found) = crate::secrets::redact(&text);
        assert_eq!(redacted, format!("kind: Secret\ndata:\n  DATABASE_URL: [REDACTED:connection_string]\n  PORT: {}\n", b64("8080")));
        assert_eq!(found.len(), 1);
        // Redacting again finds nothing more.
        assert_eq!(crate::secrets::redact(&redacted).0, redacted);
    }
}
