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
mod commands;
mod definitions;
mod detectors;
mod devices;
mod elsewhere;
mod encoded;
mod escaped;
mod keys;
mod mailboxes;
mod mnemonic;
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

use placeholders::{is_placeholder, names_itself};

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
    let overlaps = |found: &[Finding], r: (usize, usize)| found.iter().any(|g| g.range.0 < r.1 && r.0 < g.range.1);
    for f in scan_as_written(text) {
        if !overlaps(&found, f.range) {
            found.push(f);
        }
    }
    // A value already found as written is not read again decoded.
    for (range, decoded) in encoded::values(text) {
        if overlaps(&found, range) {
            continue;
        }
        if let Some(f) = scan_as_written(&decoded).first() {
            found.push(Finding { kind: f.kind, range, masked: mask(&text[range.0..range.1]) });
        }
    }
    found.sort_by_key(|f| f.range.0);
    found
}

fn scan_as_written(text: &str) -> Vec<Finding> {
    let mut found: Vec<Finding> = Vec::new();
    // The first finding over a stretch of text keeps it.
    let add = |found: &mut Vec<Finding>, kind: &'static str, range: (usize, usize)| {
        if !found.iter().any(|f| f.range.0 < range.1 && range.0 < f.range.1) {
            found.push(Finding { kind, range, masked: mask(&text[range.0..range.1]) });
        }
    };
    // Key blocks first: a block's lines hold what other rules would take for tokens.
    for range in keys::findings(text) {
        if !is_ours_or_placeholder(text, range.0) {
            add(&mut found, "private_key", range);
        }
    }
    for det in detectors::DETECTORS.iter().filter(|d| d.hint.is_none_or(|h| h(text))) {
        let mut at = 0;
        while at <= text.len() {
            let Some(caps) = det.re.captures_at(text, at) else { break };
            let Some(all) = caps.get(0) else { break };
            // The next search starts after this match (a character on, after an empty one), or
            // right after the value where what followed it is not more of it (below).
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
            if is_ours_or_placeholder(text, start) || (!checks_itself && is_placeholder(value)) {
                continue;
            }
            if !(det.check)(&caps, value) {
                continue;
            }
            // A value that ended at a closing backtick has no more words after it.
            let whole = start + value.len() == m.end();
            let mut end = match det.tail.and_then(|g| caps.get(g)).filter(|t| whole && t.start() == m.end()) {
                Some(t) if shell::tail_is_value(&caps, t.as_str()) => start + text[start..t.end()].trim_end().len(),
                // The line's next setting or a command: searched again for secrets of its own
                // (`ansible_ssh_pass=… ansible_become_pass=…`).
                Some(_) => {
                    at = start + value.len();
                    at
                }
                None => start + value.len(),
            };
            while let Some(more) = shell::joined_literal(text, end).filter(|_| quoted) {
                end = more;
            }
            add(&mut found, det.kind, (start, end));
        }
    }
    for range in mnemonic::findings(text) {
        if !is_ours_or_placeholder(text, range.0) {
            add(&mut found, "seed_phrase", range);
        }
    }
    for range in sql::findings(text) {
        if !is_ours_or_placeholder(text, range.0) {
            add(&mut found, "assigned_secret", range);
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
    fn entropy_of_one_letter_and_of_a_password() {
        assert!(entropy("aaaaaaaa") < 0.1);
        assert!(entropy("q8Zr2LxP0vKm") > 3.0);
    }

    #[test]
    fn a_private_key_is_redacted_whole() {
        let body = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\nq8Zr2LxP0vKmR8x2Lq9ZtV4mN7bK1cW3yH6pJ0sD5fG2aE8uXy9Kq2Lm8VtR4nB7";
        let cases = [
            // A PEM file, with code around it.
            (format!("let a = 1;\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\nlet b = 2;"), "let a = 1;\n[REDACTED:private_key]\nlet b = 2;"),
            // Encrypted PEM headers, and a key cut short (no END line).
            (
                format!("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,8F3A2B9C4D1E7F6A\n\n{body}\nfn next() {{}}"),
                "[REDACTED:private_key]\nfn next() {}",
            ),
            // A service account's key in a JSON string: escaped newlines.
            (
                format!("{{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\", \"x\": 1}}", body.replace('\n', "\\n")),
                "{\"private_key\": \"[REDACTED:private_key]\\n\", \"x\": 1}",
            ),
            // A PuTTY key file.
            (
                format!("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key\nPublic-Lines: 2\n{body}\nPrivate-Lines: 1\nAAAAIBq8Zr2LxP0vKmR8x2Lq9ZtV4mN7bK1c\nPrivate-MAC: 8f3a2b9c4d1e7f6a5b0c\nend"),
                "[REDACTED:private_key]\nend",
            ),
            // Its private part alone, as a hunk of the file shows it.
            (format!("+ x\nPrivate-Lines: 2\n{body}\nPrivate-MAC: 8f3a2b9c4d1e7f6a5b0c\nend"), "+ x\n[REDACTED:private_key]\nend"),
        ];
        // What a redaction of the header alone left behind before: the body is found too.
        let left = format!("[REDACTED:private_key]\n{body}\n-----END RSA PRIVATE KEY-----\nlet b = 2;");
        let cases = cases.into_iter().chain([(left, "[REDACTED:private_key]\n[REDACTED:private_key]\nlet b = 2;")]);
        for (text, want) in cases {
            let (out, f) = redact(&text);
            assert_eq!(out, want, "{text}");
            assert!(f.iter().all(|f| f.kind == "private_key") && !f.is_empty());
            assert!(!out.contains("MIIE") && !out.contains("q8Zr2"), "no key material left: {out}");
        }
    }

    #[test]
    fn crypt_hashes_with_parameters_are_redacted_whole() {
        for hash in [
            "$6$rounds=5000$saltsalt$Q8zr2LxP0vKmR8x2Lq9ZtV4mN7bK1cW3yH6pJ0sD5fG.Q8zr2LxP0vKmR8x2Lq9ZtV4mN7bK1cW3y",
            "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
            "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
            "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/",
        ] {
            let (out, f) = redact(&format!("admin:{hash}:19000:0:99999:7:::"));
            assert_eq!(out, "admin:[REDACTED:password_hash]:19000:0:99999:7:::", "{hash}");
            assert_eq!(f.len(), 1);
        }
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

    #[test]
    fn an_unquoted_config_value_is_redacted_to_the_end_of_its_line() {
        // ini, YAML and properties values run to the end of the line: the words after a
        // space are the secret too (before, `3xQ9` was left in the dataset).
        for (text, want) in [
            ("[db]\npassword = Tr0ub4dor 3xQ9\nhost = db", "[db]\npassword = [REDACTED:assigned_secret]\nhost = db"),
            ("db_password: Tr0ub4dor 3xQ9  # rotated\n", "db_password: [REDACTED:assigned_secret]  # rotated\n"),
            ("API_KEY=Zk3Vq9Lr2Xw7Nt5B", "API_KEY=[REDACTED:assigned_secret]"),
            ("password = \"q8Zr2LxP0vKm\" if x else y", "password = \"[REDACTED:assigned_secret]\" if x else y"),
        ] {
            let (out, f) = redact(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(f.len(), 1, "{text}");
            assert!(!f[0].masked.contains("3xQ9"), "{}", f[0].masked);
        }
    }

    #[test]
    fn a_command_after_an_environment_prefix_is_not_redacted_with_its_value() {
        // `PGPASSWORD=pw psql …` sets a variable for one command: the password goes, the
        // command stays in the pair (before, the whole line was redacted as the value).
        for (text, want) in [
            ("PGPASSWORD=Zk3Vq9Lr2Xw7 psql -h db -U app", "PGPASSWORD=[REDACTED:assigned_secret] psql -h db -U app"),
            ("DB_PASSWORD=Zk3Vq9Lr2Xw7 ./bin/migrate --up", "DB_PASSWORD=[REDACTED:assigned_secret] ./bin/migrate --up"),
            ("REDIS_PASSWORD=Zk3Vq9Lr2Xw7 redis-cli", "REDIS_PASSWORD=[REDACTED:assigned_secret] redis-cli"),
            // Still the value's words: a dotenv or ini line, a lower-case or spaced name.
            ("DB_PASSWORD=Zk3Vq9Lr2Xw7 horse battery", "DB_PASSWORD=[REDACTED:assigned_secret]"),
            ("db_password=Tr0ub4dor 3xQ9 -x", "db_password=[REDACTED:assigned_secret]"),
            ("DB_PASSWORD = Tr0ub4dor psql -h", "DB_PASSWORD = [REDACTED:assigned_secret]"),
        ] {
            let (out, f) = redact(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(f.len(), 1, "{text}");
        }
    }

    #[test]
    fn htpasswd_with_the_password_on_its_command_line_is_found() {
        for (text, want) in [
            ("htpasswd -b /etc/nginx/.htpasswd admin Zk3Vq9Lr2X", "htpasswd -b /etc/nginx/.htpasswd admin [REDACTED:cli_password]"),
            ("htpasswd -nbB admin Zk3Vq9Lr2X > users", "htpasswd -nbB admin [REDACTED:cli_password] > users"),
            ("htpasswd -c -b -C 12 .htpasswd ops 'Zk3 Vq9'", "htpasswd -c -b -C 12 .htpasswd ops [REDACTED:cli_password]"),
        ] {
            let (out, f) = redact(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(f.len(), 1, "{text}");
        }
        // Without `-b` the password is asked for: nothing on the line is one.
        for text in ["htpasswd -c .htpasswd admin", "htpasswd -B .htpasswd admin", "htpasswd -b .htpasswd admin $HTPASS"] {
            assert!(scan(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_yaml_tag_before_a_value_keeps_the_value_a_secret() {
        // `!!binary` holds the secret as base64, `!!str` as text (detect-secrets' test data
        // has both); `!secret`, `!Ref` and `!vault` name or encrypt one elsewhere.
        for (text, want) in [
            ("db_secret: !!binary MjNjcnh1IDJieXJpdXYyeXJpaTJidnl1MnI4OXkyb3UwMg==", "db_secret: !!binary [REDACTED:assigned_secret]"),
            ("password: !!str Zk3Vq9Lr2Xw7", "password: !!str [REDACTED:assigned_secret]"),
            ("secret_key: !!binary |\n  MjNjcnh1IDJieXJpdXYyeXJpaTJidnl1MnI4OXkyb3UwMg==\n", "secret_key: !!binary |\n  [REDACTED:assigned_secret]\n"),
        ] {
            let (out, f) = redact(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(f.len(), 1, "{text}");
        }
        for text in ["api_password: !secret http_password", "password: !Ref DbPassword", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n"] {
            assert!(scan(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn an_ini_value_on_the_line_after_its_name_is_found() {
        let (out, f) = redact("[smtp]\nsmtp_password =\n    Zk3Vq9Lr2Xw7\nhost = mail\n");
        assert_eq!(out, "[smtp]\nsmtp_password =\n    [REDACTED:assigned_secret]\nhost = mail\n");
        assert_eq!(f.len(), 1);
        // Its further indented lines are more of it, and go with it.
        let (out, _) = redact("[smtp]\nsmtp_password =\n    Zk3Vq9Lr2Xw7\n    Qm8rX3zTw7Lp\nhost = mail\n");
        assert_eq!(out, "[smtp]\nsmtp_password =\n    [REDACTED:assigned_secret]\nhost = mail\n");
        // Code that continues an assignment on the next line is not a value.
        for text in ["let token =\n    compute_token(&cfg);", "password =\n    config.password", "secret =\n    (a, b)"] {
            assert!(scan(text).is_empty(), "{text}");
        }
    }
}
