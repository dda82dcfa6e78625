//! Session cookies: what a browser sends to prove who is logged in, pasted with the request
//! that carried it (a `Copy as cURL` with `-H 'cookie: …'` or `-b …`, a `Cookie:` header in a
//! recorded request, `document.cookie = …`, requests' `cookies={'sessionid': …}`, a HAR file's
//! cookie `{"name": …, "value": …}`), or the `Set-Cookie:` that handed it out. Whoever has it
//! is that user until it expires. Kind `session_cookie`: a cookie named for a session or a
//! login (`sessionid`, `JSESSIONID`, `PHPSESSID`, `connect.sid`, `.ASPXAUTH`, `auth_token`;
//! never a CSRF token, an analytics or a bot-check cookie) whose value is random.

use std::sync::LazyLock;

use regex::Regex;

use super::placeholders::is_placeholder;
use super::shapes::{generated_body, hyphenated_words, is_hex_token, is_random_token};

/// Where a cookie string starts: a `Cookie`/`Set-Cookie` header or field (`Cookie: `,
/// `'cookie': '`, `"Cookie", "value": "` as HAR writes headers, `document.cookie = "`), or
/// curl's `-b`/`--cookie`. The string runs to its quote or the line's end.
static STRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:(?-u:\b)(?:set-)?cookie["']?[ \t]*[:=][ \t]*["'`]?|(?-u:\b)cookie"[ \t\r\n]*,[ \t\r\n]*"value"[ \t\r\n]*:[ \t\r\n]*"|(?:^|[ \t'"])(?:-b|--cookie)[ \t]+["']?)([^\r\n"'`]+)"#,
    )
    .expect("valid regex")
});

/// A dictionary of cookies in code (`cookies={'sessionid': '…'}`, `cookies = {"session": …}`).
static DICT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"(?i)(?-u:\b)cookies?["']?[ \t]*[:=][ \t]*\{([^{}\r\n]*)\}"#).expect("valid regex"));
static DICT_ITEM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"["']([^"'\r\n]+)["'][ \t]*:[ \t]*["']([^"'\r\n]+)["']"#).expect("valid regex"));

/// A HAR file's or a browser export's cookie: `{"name": "sessionid", "value": "…"`, on one
/// line or as JSON is pretty-printed.
static OBJECT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""name"[ \t\r\n]*:[ \t\r\n]*"([^"\r\n]+)"[ \t\r\n]*,[ \t\r\n]*"value"[ \t\r\n]*:[ \t\r\n]*"([^"\r\n]+)""#).expect("valid regex")
});

/// Each session cookie's value in `text`, as byte ranges.
pub(super) fn findings(text: &str) -> Vec<(usize, usize)> {
    if !["ookie", "OOKIE", "\"name\"", "-b "].iter().any(|w| text.contains(w)) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for caps in STRING.captures_iter(text) {
        let Some(s) = caps.get(1) else { continue };
        let mut at = s.start();
        for pair in s.as_str().split(';') {
            if let Some((name, value)) = pair.split_once('=') {
                let start = at + name.len() + 1;
                let lead = value.len() - value.trim_start().len();
                let value = value.trim();
                if is_session_cookie(name.trim(), value) {
                    found.push((start + lead, start + lead + value.len()));
                }
            }
            at += pair.len() + 1;
        }
    }
    for dict in DICT.captures_iter(text).filter_map(|c| c.get(1)) {
        session_values(&DICT_ITEM, dict.as_str(), dict.start(), &mut found);
    }
    if text.contains("\"name\"") {
        session_values(&OBJECT, text, 0, &mut found);
    }
    found
}

/// The value of each name and value `re` captures in `hay` (groups 1 and 2) that is a session
/// cookie's, as a byte range `offset` on.
fn session_values(re: &Regex, hay: &str, offset: usize, found: &mut Vec<(usize, usize)>) {
    for caps in re.captures_iter(hay) {
        if let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) {
            if is_session_cookie(name.as_str(), value.as_str()) {
                found.push((offset + value.start(), offset + value.end()));
            }
        }
    }
}

/// A cookie named for a session or a login, with a random value.
fn is_session_cookie(name: &str, value: &str) -> bool {
    names_a_session(name) && random_value(value)
}

/// `sessionid`, `JSESSIONID`, `laravel_session`, `sid`, `connect.sid`, `.ASPXAUTH`,
/// `auth_token`, `remember_user_token`, `__Secure-next-auth.session-token`, `jwt`; not
/// `csrftoken`, `XSRF-TOKEN`, `_ga`, `__cf_bm`.
fn names_a_session(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.is_empty() || lower.len() > 64 || lower.contains(char::is_whitespace) || lower.contains("csrf") || lower.contains("xsrf") {
        return false;
    }
    ["sess", "auth", "token", "jwt"].iter().any(|w| lower.contains(w)) || lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| w == "sid" || w == "sso")
}

/// A value a server drew at random: 16 or more characters of a token's alphabet (a signed
/// cookie's `s%3A…`, Jetty's `node0….node0` and `….server` suffixes too), letters and digits
/// both, not a placeholder or hyphenated words.
fn random_value(value: &str) -> bool {
    let v = value.trim_matches(|c| c == '"' || c == '\'');
    v.len() >= 16
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "%+/=_.-:".contains(c))
        && !is_placeholder(v)
        && !hyphenated_words(v)
        && (is_random_token(v) || is_hex_token(v) || (generated_body(v) && super::entropy(v) >= 3.5))
}

#[cfg(test)]
mod tests {
    use super::super::cases::{finds_none, redacts_to};

    #[test]
    fn session_cookies_are_found_where_requests_carry_them() {
        redacts_to(&[
            (
                "curl 'https://example.org/api' -H 'cookie: sessionid=a8f7e6d5c4b3a2918f7e6d5c4b3a2918; csrftoken=Kq9LmZ2xV7rT1pN8wB3cY6dH0sJ5gA2e'",
                "curl 'https://example.org/api' -H 'cookie: sessionid=[REDACTED:session_cookie]; csrftoken=Kq9LmZ2xV7rT1pN8wB3cY6dH0sJ5gA2e'",
            ),
            (
                "curl -b 'JSESSIONID=9F8E7D6C5B4A39281F0E1D2C3B4A5968' https://example.org/",
                "curl -b 'JSESSIONID=[REDACTED:session_cookie]' https://example.org/",
            ),
            (
                "Cookie: PHPSESSID=k9lmz2xv7rt1pn8wb3cy6dh0s; lang=en; laravel_session=q7Lm2Xv9Rk4Tp8Wz3Ny6Bc1D",
                "Cookie: PHPSESSID=[REDACTED:session_cookie]; lang=en; laravel_session=[REDACTED:session_cookie]",
            ),
            (
                "Set-Cookie: JSESSIONID=node01fbo7ic4v5uoljrsasfbc3jqy2.node0; Path=/; HttpOnly",
                "Set-Cookie: JSESSIONID=[REDACTED:session_cookie]; Path=/; HttpOnly",
            ),
            (
                "headers = {'Cookie': 'sessionId=s%3AFZC3Gl06ksNv_WdqQgnGEI5VX7HcZu9N.b3tcMb5%2BnjUb%2BqnwEiQOiD'}",
                "headers = {'Cookie': 'sessionId=[REDACTED:session_cookie]'}",
            ),
            (
                "requests.get(url, cookies={'sessionid': 'a8f7e6d5c4b3a2918f7e6d5c4b3a2918', 'lang': 'en'})",
                "requests.get(url, cookies={'sessionid': '[REDACTED:session_cookie]', 'lang': 'en'})",
            ),
            (
                r#"{"cookies": [{"name": "sessionid", "value": "a8f7e6d5c4b3a2918f7e6d5c4b3a2918", "domain": ".example.org"}]}"#,
                r#"{"cookies": [{"name": "sessionid", "value": "[REDACTED:session_cookie]", "domain": ".example.org"}]}"#,
            ),
            (
                "\"cookies\": [\n  {\n    \"name\": \"JSESSIONID\",\n    \"value\": \"944811ACAE4745805CD489509409AA44\"\n  }\n]",
                "\"cookies\": [\n  {\n    \"name\": \"JSESSIONID\",\n    \"value\": \"[REDACTED:session_cookie]\"\n  }\n]",
            ),
            (
                r#"{"name": "Cookie", "value": "connect.sid=s%3AKq9LmZ2xV7rT1pN8wB3cY6dH.0sJ5gA2eU9iO7kM1qW3e"}"#,
                r#"{"name": "Cookie", "value": "connect.sid=[REDACTED:session_cookie]"}"#,
            ),
        ]);
    }

    #[test]
    fn other_cookies_and_placeholders_are_none() {
        finds_none(
            &[],
            &[
                "-H 'cookie: __cfduid=deaef43a25c69b76878433dc4dcdacd5e1528402014' --compressed",
                "Cookie: _ga=GA1.2.1234567890.1528402014; _gid=GA1.2.987654321.1528402014",
                "Cookie: JSESSIONID=xxx; XSRF-TOKEN=xxx",
                "'Cookie': 'sessionid=abcd1234; username=guest',",
                "cookies = {'sessionid': 'your_session_id_here'}",
                "headers={'cookie': 'sessionid=synthetic-im-secret; page_state=synthetic-ui-data'}",
                "'Cookie': 'sessionid=' + session_id",
                "Set-Cookie: session=deleted; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                "git checkout -b session-timeouts",
                r#"{"name": "theme", "value": "a8f7e6d5c4b3a2918f7e6d5c4b3a2918"}"#,
            ],
        );
    }
}
