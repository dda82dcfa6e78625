//! What the detectors check of a match: whether a name is secret-like, whether its value is a
//! secret or code, a placeholder or a message (what a value looks like alone is `shapes`');
//! whether a blob decodes to credentials.

use std::sync::LazyLock;

use base64::Engine;
use regex::{Captures, Regex};

use super::shapes::{is_identifier, is_number_literal, is_padded_base64, is_random, is_random_token, is_version_range, only_words, random_case};

/// Name endings that say the value is about a secret, not the secret: `password_label`,
/// `token_url`, `api_key_header`, `secret_name`.
const NOT_A_SECRET_SUFFIXES: &[&str] = &[
    "label",
    "field",
    "length",
    "len",
    "min",
    "max",
    "url",
    "uri",
    "name",
    "file",
    "path",
    "prompt",
    "placeholder",
    "type",
    "hint",
    "policy",
    "regex",
    "pattern",
    "enabled",
    "required",
    "expires",
    "expiry",
    "ttl",
    "env",
    "var",
    "header",
    "column",
    "input",
    "reset",
    "count",
    "id",
    "ids",
    "kind",
    "format",
    "mode",
    "help",
    "text",
    "title",
    "message",
    "error",
    "provider",
    "store",
    "dir",
    "size",
    "timeout",
    "version",
    "prefix",
    "endpoint",
    // How a secret is made or read, not the secret: `FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256"`,
    // `tsigSecretAlg: hmac-sha256`, `SECRET_KEY_CMD: "cat /run/secrets/key"`,
    // `MAILU_PASSWORD_SCHEME=SHA512-CRYPT`.
    "alg",
    "algorithm",
    "method",
    "scheme",
    "cmd",
    "command",
];

/// The words of a name, lower-cased, less a number they end in: `DB_PASSWORD` → db,
/// password; `apiKey` → api, key; `static_password01`, `PASSWORD2` → password.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut cur = String::new();
        let mut prev_lower = false;
        for c in part.chars() {
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(c.to_ascii_lowercase());
        }
        if !cur.is_empty() {
            words.push(cur);
        }
    }
    for w in &mut words {
        let stem = w.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if stem > 0 {
            w.truncate(stem);
        }
    }
    words
}

/// Whether a name says it holds a secret: one of its words is a secret word, or two
/// neighbours make one (`api key`, `client secret`). `passthrough` or `bypass` do not.
fn is_secret_name(words: &[String]) -> bool {
    const ONE: &[&str] = &[
        "password",
        "passwd",
        "passphrase",
        "pwd",
        "psk",
        "pass",
        "secret",
        "token",
        "apikey",
        "salt",
        "secretkey",
        "authtoken",
        "apitoken",
        "accesstoken",
        "privatekey",
        "accesskey",
        "passwort",
        "motdepasse",
    ];
    const TWO: &[(&str, &str)] = &[
        ("api", "key"),
        ("access", "key"),
        ("private", "key"),
        ("secret", "key"),
        ("master", "key"),
        ("encryption", "key"),
        ("signing", "key"),
        ("app", "key"),
        ("hmac", "key"),
        ("session", "key"),
        ("client", "secret"),
        ("client", "key"),
        ("auth", "token"),
        ("access", "token"),
        ("refresh", "token"),
        ("preshared", "key"),
        // Personal access tokens named for their service (`ado_pat`, `AZURE_DEVOPS_PAT`).
        ("ado", "pat"),
        ("devops", "pat"),
        ("github", "pat"),
        ("gh", "pat"),
        ("gitlab", "pat"),
    ];
    // Glued names end in the secret word (`PGPASSWORD`, `dbpassword`, `appsecret`); `bypass`
    // and `passthrough` do not.
    // `pass` glued to what it is for (`dbpass`, `smtppass`), not to any word (`compass`).
    const FOR: &[&str] =
        &["db", "sql", "mysql", "pg", "ftp", "sftp", "smtp", "mail", "imap", "admin", "root", "user", "ldap", "proxy", "redis", "ssh", "app", "api"];
    let glued = |w: &String| ["password", "passwd", "secret"].iter().any(|s| w.ends_with(s)) || w.strip_suffix("pass").is_some_and(|head| FOR.contains(&head));
    // `pw` only ends a name (`db_pw`): C's `struct passwd` fields begin with it (`pw_uid`).
    words.last().is_some_and(|w| w == "pw")
        || words.iter().any(|w| ONE.contains(&w.as_str()) || glued(w))
        || words.windows(2).any(|p| TWO.contains(&(p[0].as_str(), p[1].as_str())))
}

/// A value assigned to a secret-like name that is a secret: not a placeholder, not code,
/// not words, and strong enough for what the name says.
pub(super) fn assigned_value(caps: &Captures, v: &str) -> bool {
    value_of_name(caps.get(1).map_or("", |m| m.as_str()), v)
}

/// Whether a name says its value is a secret, not about one (`password_hint`, `api_keys`).
pub(super) fn names_a_secret(raw_name: &str) -> bool {
    let words = name_words(raw_name);
    let last = words.last().map_or("", String::as_str);
    is_secret_name(&words) && !NOT_A_SECRET_SUFFIXES.contains(&last) && !last.ends_with("tokens") && !last.ends_with("keys")
}

/// Whether `v`, the value of a field named `raw_name`, is a secret (see [`assigned_value`]).
pub(super) fn value_of_name(raw_name: &str, v: &str) -> bool {
    let words = name_words(raw_name);
    if words == ["key"] {
        // A bare `key` names anything (a cache's, a map's, a translation's); its value is a
        // secret only when it is a random token.
        return is_random_token(v.trim());
    }
    if !names_a_secret(raw_name) {
        return false;
    }
    let name = raw_name.to_ascii_lowercase();
    let v = v.trim();
    let lower = v.to_ascii_lowercase();
    if super::is_placeholder(v) {
        return false;
    }
    // A secret stored base64-encoded (npm's `_password`, FileZilla's `<Pass encoding="base64">`,
    // a Kubernetes secret's `data:`): its padding says so, though its letters may hold no digit.
    if is_padded_base64(v) {
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
        || v.starts_with([':', '*', '&', '!', '|', '-', '#', '\\', ')'])
        || is_number_literal(&lower)
        || is_identifier(v)
        || only_words(v)
        || v.contains("\\r")
        || v.contains("\\n")
        || lower.contains("example")
        || is_version_range(v)
        || says_its_name(&words, v)
    {
        return false;
    }
    let password_like = ["pass", "pwd", "psk", "secret", "salt", "credential"].iter().any(|w| name.contains(w)) || words.iter().any(|w| w == "pw");
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
    let said = name_words(v);
    v.contains(' ') && !words.is_empty() && words.iter().all(|w| said.contains(w))
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
    !(v.eq_ignore_ascii_case(name) || is_identifier(v) || template || v.starts_with('!') || v.chars().all(|c| c.is_ascii_digit()))
}

/// Values that are code, not secrets: `password = get_password(config)`, `env::var("X")`,
/// `Option<String>`, `self.token`.
pub(super) fn looks_like_code(v: &str) -> bool {
    static CALL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_.$:!]*\(").expect("valid regex"));
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

/// `node.colon2_token`, `self.config.api_key`: a path of names, as code reads a field.
fn is_field_path(v: &str) -> bool {
    v.contains('.')
        && v.split('.')
            .all(|p| p.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// A base64 blob that decodes to `user:password`.
/// A password given on a command line, not a variable (`$PASS`) or a placeholder.
pub(super) fn cli_password(_: &Captures, v: &str) -> bool {
    // `fly login -u ... -p ...`: a guide's dots, no password.
    !v.starts_with('$') && !v.starts_with('%') && !super::is_placeholder(v) && v.chars().count() >= 4 && v.chars().any(char::is_alphanumeric)
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

pub(super) fn decodes_to_credentials(v: &str) -> bool {
    base64::engine::general_purpose::STANDARD
        .decode(v)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|s| s.split_once(':').is_some_and(|(u, p)| !u.is_empty() && p.len() >= 3 && !super::is_placeholder(p)))
}

pub(super) fn is_example_email(e: &str) -> bool {
    let domain = e.rsplit('@').next().unwrap_or("").to_ascii_lowercase();
    ["example.com", "example.org", "example.net", "test.com", "localhost", "users.noreply.github.com"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
        || domain.ends_with(".example")
        || domain.ends_with(".invalid")
        || domain.ends_with(".test")
}

/// Addresses that name no one: loopback, the documentation ranges, `0.x.x.x` (no host has
/// one; four numbers starting with 0 are a version: "Kafka client from 0.9.1.0 to 0.10.0.0"),
/// and `1.2.3.4`, every test's made-up address (78 of 468 findings in realtext's, traccar's
/// and starter-workflows' checkouts).
pub(super) fn is_boring_ip(ip: &str) -> bool {
    ip.starts_with("127.")
        || ip.starts_with("0.")
        || ip == "1.2.3.4"
        || ip == "255.255.255.255"
        || ip.starts_with("192.0.2.")
        || ip.starts_with("198.51.100.")
        || ip.starts_with("203.0.113.")
}

/// A card number: a valid Luhn checksum, a length and a prefix a card network issues (Visa,
/// Mastercard, American Express, Discover, UnionPay, Diners Club, JCB, Maestro, Mir), and,
/// when it is written in groups, the groups cards are printed in (4-4-4-4, Amex's 4-6-5).
/// Counters, AS paths, hex dumps and 64-bit numbers pass Luhn one time in ten, and IMEIs
/// always (their check digit is Luhn's): 24 such numbers in network devices' outputs
/// (`3651751271658 bytes`, `AS path: 6453 4637 1221 38803`) and 283 in traccar's tests
/// (`imei:359586015829802`) had been findings.
pub(super) fn luhn_card(n: &str) -> bool {
    let digits: Vec<u32> = n.chars().filter_map(|c| c.to_digit(10)).collect();
    let groups: Vec<usize> = n.split([' ', '-']).map(str::len).collect();
    const LAYOUTS: &[&[usize]] = &[&[4, 4, 4, 4], &[4, 4, 4, 4, 3], &[4, 6, 5], &[4, 6, 4], &[4, 4, 4, 3], &[4, 4, 4, 2]];
    // Written in one piece, 17 to 19 digits are a 64-bit number (a hash, a seed) far more
    // often than one of the rare long cards.
    if (groups.len() > 1 && !LAYOUTS.contains(&groups.as_slice())) || (groups.len() == 1 && digits.len() > 16) {
        return false;
    }
    if digits.iter().all(|d| *d == digits[0]) || !issued(&digits) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A phone number in the 3-3-4 form: its groups split the same way (`212-555-0143`, `(212)
/// 555-0143`; `516.119 1083` is two numbers of a drawing), and, in the North American plan
/// (no country code, or +1), an area code and an exchange that begin with 2–9 and are not 555,
/// the films' and the guides' (`111-222-3333`, `100 100 1400` in a router's `metric`,
/// `425.555.0100`).
pub(super) fn phone_number(v: &str) -> bool {
    let (country, rest) = match v.strip_prefix('+') {
        Some(r) => {
            let code: String = r.chars().take_while(char::is_ascii_digit).collect();
            (Some(code.clone()), r[code.len()..].trim_start_matches([' ', '.', '-']))
        }
        None => (None, v),
    };
    let digits: Vec<u32> = rest.chars().filter_map(|c| c.to_digit(10)).collect();
    let separators: Vec<char> = rest.chars().filter(|c| !c.is_ascii_digit()).collect();
    let consistent = match separators.as_slice() {
        [a, b] => a == b,
        ['(', ')', b] => *b == ' ' || *b == '-',
        ['(', ')', a, b] => a == b || (*a == ' ' && *b == '-'),
        _ => false,
    };
    if !consistent || digits.len() != 10 {
        return false;
    }
    if country.as_deref().is_some_and(|c| c != "1") {
        return true;
    }
    let (area, exchange) = (digits[0] * 100 + digits[1] * 10 + digits[2], digits[3] * 100 + digits[4] * 10 + digits[5]);
    area >= 200 && exchange >= 200 && area != 555 && exchange != 555
}

/// Whether a card network issues numbers of this prefix and length.
fn issued(digits: &[u32]) -> bool {
    let prefix = |k: usize| digits.iter().take(k).fold(0, |n, d| n * 10 + d);
    let len = digits.len();
    let (p2, p3, p4) = (prefix(2), prefix(3), prefix(4));
    match digits.first() {
        Some(4) => len == 16 || len == 19,
        Some(5) => ((51..=55).contains(&p2) && len == 16) || ([5018, 5020, 5038, 5893].contains(&p4) && (12..=19).contains(&len)),
        Some(2) => ((2221..=2720).contains(&p4) && len == 16) || ((2200..=2204).contains(&p4) && (16..=19).contains(&len)),
        Some(3) => {
            ([34, 37].contains(&p2) && len == 15)
                || (((300..=305).contains(&p3) || [36, 38, 39].contains(&p2)) && (14..=19).contains(&len))
                || ((3528..=3589).contains(&p4) && (16..=19).contains(&len))
        }
        Some(6) => {
            ((p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || p2 == 62) && (16..=19).contains(&len))
                || ([6304, 6759, 6761, 6762, 6763].contains(&p4) && (12..=19).contains(&len))
        }
        _ => false,
    }
}
