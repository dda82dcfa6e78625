//! What the detectors check of a match: whether a name is secret-like, whether its value is a
//! secret or code, a placeholder or a message (what a value looks like alone is `shapes`');
//! whether a blob decodes to credentials.

use std::sync::LazyLock;

use base64::Engine;
use regex::{Captures, Regex};

use super::names::{name_words, names_a_public_key, words_name_a_secret};
use super::shapes::{
    app_password, is_identifier, is_number_literal, is_padded_base64, is_random, is_random_token, is_route_target, is_rule_list, is_sentence, is_version_range,
    only_words, random_case,
};

/// A value assigned to a secret-like name that is a secret: not a placeholder, not code,
/// not words, and strong enough for what the name says.
pub(super) fn assigned_value(caps: &Captures, v: &str) -> bool {
    value_of_name(caps.get(1).map_or("", |m| m.as_str()), v)
}

/// A value a keyword, a position or a statement says is a password, with no name beside it
/// (`rootpw …`, `login(user, …)`, `IDENTIFIED BY '…'`): judged as a password's value.
pub(super) fn password_value(_: &Captures, v: &str) -> bool {
    value_of_name("password", v)
}

/// Whether `v`, the value of a field named `raw_name`, is a secret (see [`assigned_value`]).
pub(super) fn value_of_name(raw_name: &str, v: &str) -> bool {
    let words = name_words(raw_name);
    if words == ["key"] {
        // A bare `key` names anything (a cache's, a map's, a translation's); its value is a
        // secret only when it is a random token.
        // (A `#` glued on may join it to another part: `Key=2mm8Rl67MjoMruYfyIBg5#zy2pxc…`.)
        let v = v.trim();
        return is_random_token(v) || v.split_once('#').is_some_and(|(head, _)| is_random_token(head));
    }
    if !words_name_a_secret(&words) {
        return false;
    }
    let name = raw_name.to_ascii_lowercase();
    // A shell's quotes within the value's (`"'$DB_PASSWORD'"`): what they hold is the value.
    let v = v.trim();
    let v = ['\'', '"'].iter().find_map(|q| v.strip_prefix(*q)?.strip_suffix(*q)).unwrap_or(v);
    let lower = v.to_ascii_lowercase();
    if super::is_placeholder(v) {
        return false;
    }
    // A secret stored base64-encoded (npm's `_password`, FileZilla's `<Pass encoding="base64">`,
    // a Kubernetes secret's `data:`): its padding says so, though its letters may hold no digit.
    // What it decodes to, when that is text, is judged as the value is (`cGFzc3dvcmQ=`, the
    // guides' "password", is none); bytes that are not text are a key's.
    if is_padded_base64(v) {
        return super::encoded::decode_text(v).is_none_or(|text| value_of_name(raw_name, &text));
    }
    if app_password(v) {
        return true;
    }
    if (looks_like_code(v) && !is_random(v))
        || ["true", "false", "null", "none", "nil", "yes", "no", "required", "optional", "string", "undefined"].contains(&lower.as_str())
        // A number, a time, a version or a position (`late_compile_pass.rs:102:10`).
        || v.chars().all(|c| c.is_ascii_digit() || ":.-/".contains(c))
        || v.chars().all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '.')
        || v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("http://")
        || v.starts_with("https://")
        || lower.starts_with("env[")
        || lower.contains("%(")
        || v.starts_with([':', '*', '&', '!', '|', '-', '#', '\\', ')', ','])
        || is_number_literal(&lower)
        || is_identifier(v)
        || only_words(v)
        || v.contains("\\r")
        || v.contains("\\n")
        || lower.contains("example")
        || lower.starts_with("fake")
        || is_version_range(v)
        || (is_sentence(v) && !name.contains("passphrase"))
        || is_rule_list(v)
        || is_route_target(v)
        || says_its_name(&words, v)
        || labels_a_secret(&lower)
    {
        return false;
    }
    let password_like =
        ["pass", "pwd", "psk", "secret", "salt", "credential"].iter().any(|w| name.contains(w)) || words.iter().any(|w| w == "pw" || w == "authtok");
    let strong = super::entropy(v) >= 3.0 && v.chars().count() >= 12;
    if password_like {
        // A password is short and human: enough that it is not a word.
        v.chars().count() >= 6 && (strong || v.chars().any(|c| c.is_ascii_digit() || c.is_ascii_punctuation()) || super::entropy(v) >= 2.5)
    } else {
        strong
    }
}

/// Prose or code that says the name's own words (`UnexpectedToken: "Unexpected token %0"`,
/// `"[beginToken=" + beginToken + "]"`): a message or a string being built, not a secret,
/// which is one word.
fn says_its_name(words: &[String], v: &str) -> bool {
    let Some(last) = words.last() else { return false };
    named_for(last, v)
        || (v.contains(' ') && {
            let said = name_words(v);
            words.iter().all(|w| said.contains(w))
        })
}

/// Text that labels a secret (`Air shield password: 1,2,3,4,5`, zeroize's example; `Enter
/// passphrase: `): words, then a secret's word and a colon. A secret is one word.
fn labels_a_secret(lower: &str) -> bool {
    lower.contains(' ') && ["password:", "passphrase:", "secret:", "token:", "key:"].iter().any(|w| lower.contains(w))
}

/// A variable named for what it holds (`password=neo4j_password`, `secret=appSecret`): a name
/// in code whose last word is the name's (not `password1`, `Password_123`).
fn named_for(last: &str, v: &str) -> bool {
    if !v.starts_with(|c: char| c.is_ascii_lowercase()) || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || v.len() <= last.len() {
        return false;
    }
    let (head, tail) = v.split_at(v.len() - last.len());
    tail.eq_ignore_ascii_case(last) && (head.ends_with('_') || tail.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// A PHP constant's value: as an assignment's, or, for a `…_KEY` (WordPress's `AUTH_KEY`,
/// `NONCE_KEY`), a random string.
pub(super) fn defined_value(caps: &Captures, v: &str) -> bool {
    let name = caps.get(1).map_or("", |m| m.as_str()).to_ascii_uppercase();
    assigned_value(caps, v) || (name.ends_with("KEY") && !super::is_placeholder(v) && is_random(v))
}

pub(super) fn xml_value(caps: &Captures, v: &str) -> bool {
    let v = v.trim();
    if super::is_placeholder(v) || v.chars().all(|c| c.is_alphabetic() || c == ' ') || v.chars().count() < 4 {
        return false;
    }
    // Not what whispers' compliant lines hold: the name again or another name in code
    // (`<API_KEY>AUTH_TOKEN<`), a template (`{token}`), a reference (`!Ref 'X'`), a number.
    // (Jenkins' braced secrets, `{AQAAAB…}`, are `jenkins_secret`'s.)
    let name = caps.get(1).map_or("", |m| m.as_str());
    let template = v.starts_with('{') && v.ends_with('}') && v[1..v.len() - 1].chars().all(|c| c.is_ascii_alphanumeric() || "_.-{}".contains(c));
    !(v.eq_ignore_ascii_case(name)
        || is_identifier(v)
        || template
        || v.starts_with('!')
        || v.chars().all(|c| c.is_ascii_digit())
        || names_a_public_key(&name_words(name)))
}

/// Values that are code, not secrets: `password = get_password(config)`, `env::var("X")`,
/// `Option<String>`, `self.token`.
pub(super) fn looks_like_code(v: &str) -> bool {
    // PHP's and JS's strings joined to a call (`'.csrf_token().'`) are code too.
    static CALL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^(?:['"] ?\. ?)?[A-Za-z0-9_.$:!]*\("#).expect("valid regex"));
    // A call, a macro or a phrase (`get_password(cfg)`, `bracketed!(x`, `Password (required)`);
    // a bracket inside a random string is not code (Django's keys draw from `!@#$%^&*(-_=+)`).
    (v.contains('(') && (CALL.is_match(v) || v.contains(char::is_whitespace)))
        || v.contains("::")
        || v.contains("->")
        || v.contains('<')
        || v.contains('{')
        || v.contains('[')
        || v.starts_with("self.")
        || v.starts_with("os.")
        || v.starts_with("process.")
        || v.starts_with("env.")
        || v.starts_with("config.")
        || v.starts_with("settings.")
        || v.starts_with("this.")
        || v.starts_with('@')
        || (v.chars().all(|c| c.is_ascii_alphabetic() || c == '_' || c == '.') && !v.split(['_', '.']).any(random_case))
        || is_field_path(v)
}

/// `node.colon2_token`, `self.config.api_key`: a path of names, as code reads a field; PHP's
/// `Illuminate\Support\Facades\Password`, a class's. A part whose case and digits change at
/// random is no name (an AWS VPN's pre-shared key, `QMP5tKPP5qk95Y1Eee9c_82.MofNUJQV`).
fn is_field_path(v: &str) -> bool {
    let sep = if v.contains('\\') { '\\' } else { '.' };
    v.contains(sep)
        && v.split(sep).all(|p| {
            p.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !random_case(p)
        })
}

/// A password given on a command line, not a variable (`$PASS`) or a placeholder.
pub(super) fn cli_password(_: &Captures, v: &str) -> bool {
    // `fly login -u ... -p ...`: a guide's dots, no password.
    !v.starts_with('$') && !v.starts_with('%') && !super::is_placeholder(v) && v.chars().count() >= 4 && v.chars().any(char::is_alphanumeric)
}

/// …and judged as a password is: on a command line too a word or a name is a guide's.
pub(super) fn command_password(c: &Captures, v: &str) -> bool {
    cli_password(c, v) && password_value(c, v)
}

/// Whether a key block holds key material. The smallest real key (Ed25519 in PKCS#8) is 64
/// base64 characters, so a block whose body is shorter (`...`, `xxx`, `***`, `QQ==`, the
/// alphabet in base64) is a placeholder in a guide or a test. A block cut short before its
/// END line is kept whatever it holds: what followed it is not known.
pub(super) fn holds_key_material(block: &str) -> bool {
    let Some(end) = block.rfind("-----END") else { return true };
    // After the BEGIN line when there is one (its own letters are not key material).
    let start = match block.strip_prefix("-----BEGIN") {
        Some(rest) => rest.find("-----").map_or(0, |i| "-----BEGIN".len() + i + "-----".len()),
        None => 0,
    };
    let body = block[start..end].replace("\\r", "\n").replace("\\n", "\n");
    // A header line (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`) is not key material either.
    let material: usize =
        body.lines().filter(|l| !l.contains(':')).map(|l| l.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/').count()).sum();
    material >= 60
}

/// A base64 blob that decodes to a private key file.
pub(super) fn decodes_to_private_key(v: &str) -> bool {
    base64::engine::general_purpose::STANDARD.decode(v).ok().is_some_and(|b| String::from_utf8_lossy(&b).contains("PRIVATE KEY"))
}

/// A base64 blob that decodes to `user:password`.
pub(super) fn decodes_to_credentials(v: &str) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(v)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|s| s.split_once(':').is_some_and(|(u, p)| !u.is_empty() && p.len() >= 3 && !super::is_placeholder(p)))
}
