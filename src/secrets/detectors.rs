//! The detectors: a kind, a pattern, the capture group that holds the sensitive value, and a
//! check on the match where a pattern alone fires on look-alikes. Provider prefixes follow
//! the public rule lists of the major scanners (gitleaks, trufflehog, GitHub's secret
//! scanning); the assignment rules cover the formats configuration is written in.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::checks::{
    assigned_value, cli_password, decodes_to_credentials, decodes_to_private_key, defined_value, holds_key_material, looks_like_code, password_value,
    value_of_name, xml_value,
};
use super::numbers::{host_address, iban, luhn_card, not_in_an_outline, phone_number, ssn, IP_ADDRESS};
use super::paths::is_credential_path;

pub(super) struct Detector {
    pub kind: &'static str,
    pub re: Regex,
    /// Capture groups that may hold the value; the first that matched is it.
    pub groups: &'static [usize],
    pub check: fn(&Captures, &str) -> bool,
    /// A capture group that, right after the value, is more of it: what an unquoted config
    /// value holds past a space (`password = Tr0ub4dor 3xQ9` in ini, YAML, properties). It is
    /// redacted with the value; the check judges the first word alone.
    pub tail: Option<usize>,
    /// A cheap test a text must pass for the pattern to be worth running: for a pattern that
    /// starts at every line and so gives the regex engine no literal to look for first.
    pub hint: Option<fn(&str) -> bool>,
    /// A check on the text around a value that passed `check` (its byte range), for what no
    /// match shows: the run of numbers an address stands in.
    pub around: Option<Around>,
}

/// A text and a value's byte range in it: whether the value is one, by what is around it.
pub(super) type Around = fn(&str, (usize, usize)) -> bool;

/// A value that runs on into a URL's next parameter (`pass=123456&DevBat=80`), after a name
/// that is a parameter itself (`?` or `&` before it).
fn is_query_string(c: &Captures, v: &str) -> bool {
    let (Some(name), Some(all)) = (c.get(1), c.get(0)) else { return false };
    let text = all.as_str();
    let before = &text[..name.start() - all.start()];
    let params = v.split('&').skip(1).filter(|p| p.contains('=')).count();
    // An unquoted value after `?` or `&` is the query rule's whatever follows it; two parameters
    // after it are a query string wherever it starts (a test's pattern, `'/token=myToken&…'`).
    ((before.ends_with('?') || before.ends_with('&')) && (params > 0 || c.get(5).is_some())) || params >= 2
}

/// A name after `=` and before `:` is a value itself, in a list of `key=value` joined by `:`
/// (ffmpeg's `overlay=eof_action=pass:repeatlast=0`); after a flag's `=` it is a name
/// (`--from-literal=password=…`).
fn follows_a_value(c: &Captures) -> bool {
    c.get(0).is_some_and(|all| all.as_str().starts_with('=')) && c.get(2).is_some_and(|sep| sep.as_str() == ":")
}

/// Whether a text compares anything: the comparison rules start at any name.
fn compares(t: &str) -> bool {
    t.contains("==") || t.contains("!=")
}

/// A URL's password: test URLs say `user:pass@`, `foo:bar@`, `john:smith@`, and a password of
/// words alone is not one.
fn url_password(_: &Captures, pw: &str) -> bool {
    !super::is_placeholder(pw) && !pw.chars().all(|c| c.is_alphabetic() || c == '*') && pw.chars().count() >= 6
}

pub(super) fn always(_: &Captures, _: &str) -> bool {
    true
}

pub(super) fn d(kind: &'static str, pattern: &str, groups: &'static [usize], check: fn(&Captures, &str) -> bool) -> Detector {
    Detector { kind, re: Regex::new(pattern).expect("valid detector regex"), groups, check, tail: None, hint: None, around: None }
}

/// Words that make a name secret-like, anywhere in it (`DB_PASSWORD`, `smtp_pass`,
/// `secret_key_base`, `_authToken`).
/// YAML's tags for a plain value (`password: !!str …`, `key: !!binary <base64>`), which hold
/// the secret itself; other tags (`!secret name`, `!Ref`, `!vault`) name or encrypt it.
const YAML_TAG: &str = r"!!(?:binary|str)[ \t]+";
pub(super) const SECRET_NAME: &str = r"[A-Za-z0-9_.\-]*?(?i:password|passwd|passphrase|pwd|pass|pw|psk|secret|api[_.\-]?key|apikey|access[_.\-]?key|private[_.\-]?key|(?:encryption|signing|master|app|hmac|session)[_.\-]?key|(?:ado|devops|github|gh|gitlab)[_.\-]?pat|auth[_.\-]?token|access[_.\-]?token|refresh[_.\-]?token|token|client[_.\-]?secret|client[_.\-]?key|salt|pepper|authtok|key)[A-Za-z0-9_.\-]*";

/// A key block's first and last lines (PEM, OpenSSH, PGP).
pub(super) const BEGIN_KEY: &str = r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";
pub(super) const END_KEY: &str = r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";

/// One more line of a key block: a newline (real or escaped; a blank line may come first, as
/// after an encrypted key's headers) and then base64, or a header
/// a key file carries (`Proc-Type`, `DEK-Info`, PuTTY's `Encryption`, `Comment`, `…-Lines`).
pub(super) const KEY_LINE: &str =
    r"(?:\r?\n|\\r?\\n){1,2}[ \t+]*(?:[A-Za-z0-9+/=]{16,}|(?:Proc-Type|DEK-Info|Encryption|Comment|Public-Lines|Private-Lines|Private-MAC): [^\r\n\\]*)";

pub(super) static DETECTORS: LazyLock<Vec<Detector>> = LazyLock::new(|| {
    let assignment = format!(
        r#"(?m)(?:^|[^A-Za-z0-9_])({SECRET_NAME})["']?\]?[ \t]*(=>|:=|::?|=)[ \t]*(?:{YAML_TAG})?(?:(?:@|b)?"([^"\r\n]{{4,}})"|b?'([^'\r\n]{{4,}})'|([^\s"',;#)}}\]<][^\s"',;)}}\]<]{{3,}})([ \t]+[^\s#;'"][^\r\n#]*)?)"#
    );
    vec![
        // Key blocks with their BEGIN line are `keys.rs`'; newlines in them may be real or
        // escaped (a key in a JSON string).
        // Key material without its BEGIN line: what a redaction of the header alone (before
        // this version) left in a dataset, so `validate --fix` can finish the job.
        d("private_key", &format!(r"(?:[A-Za-z0-9+/=]{{16,}}(?:\r?\n|\\r?\\n))+{END_KEY}"), &[0], |_, v| holds_key_material(v)),
        d(
            "private_key",
            r"-----BEGIN OpenVPN Static key V\d-----(?:[\s\S]*?-----END OpenVPN Static key V\d-----|(?:(?:\r?\n|\\r?\\n)[0-9a-fA-F]{16,})*)",
            &[0],
            always,
        ),
        d("private_key", &format!(r"PuTTY-User-Key-File-\d+: [^\r\n\\]+(?:[\s\S]*?Private-MAC: [0-9a-fA-F]+|(?:{KEY_LINE})*)"), &[0], always),
        // A PuTTY key's private part without the file's first line (a diff hunk, a paste of
        // the body): its `Private-Lines` count and the base64 lines after it.
        d("private_key", &format!(r"Private-Lines: \d+(?:\r?\n|\\r?\\n)[ \t+]*[A-Za-z0-9+/=]{{16,}}(?:{KEY_LINE})*"), &[0], always),
        // A key file as base64, as kubeconfig's `client-key-data` and Kubernetes' TLS secrets
        // hold it (`LS0tLS1CRUdJTi` is `-----BEGIN` encoded).
        d("private_key", r"\b(LS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}={0,2})", &[1], |_, v| decodes_to_private_key(v)),
        // A Google service account's key file: the key is a block above; its id names it.
        d("gcp_service_account", r#""private_key_id"\s*:\s*"([0-9a-f]{40})""#, &[1], always),
    ]
    .into_iter()
    // Provider tokens, by prefix (`providers.rs`), before the rules that read names and values.
    .chain(super::providers::detectors())
    // Installers' answer files (`installers.rs`): their keywords name no secret a generic rule
    // knows as such (`rootpw`, `<Value>`), and their kind says where the password came from.
    .chain(super::installers::detectors())
    .chain(vec![
        // Credentials in URLs, headers and blobs.
        d(
            "connection_string",
            // The user may be empty (`redis://:password@host`).
            // A password may hold `@` itself (`u:bria@pass135!@host`): the host follows the last.
            r#"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@]*:([^\s/'"]{3,})@[^\s/@'"]+"#,
            &[1],
            url_password,
        ),
        // Go's MySQL driver's DSN has no scheme: `user:password@tcp(host:3306)/db`.
        d("connection_string", r#"(?:^|[\s"'`=(])[^\s:@/"'`]*:([^\s@/"'`]{3,})@(?:tcp|tcp6|udp|unix)\("#, &[1], url_password),
        d("basic_auth", r"(?i)\bauthorization\b[\s:=]+[\x22']?basic\s+([A-Za-z0-9+/]{8,}={0,2})", &[1], |_, v| decodes_to_credentials(v)),
        // `curl -u user:password`, `--user`, `wget --http-password`, `--tlspassword`; the flag
        // may be on a line continued with `\`.
        d(
            "basic_auth",
            r#"\b(?:curl|http|wget)\b(?:[^\r\n]*?\\\r?\n)*?[^\r\n]*?\s(?:-u|--user|--proxy-user)[ =]['"]?[^\s:'"]+:([^\s'"@]{4,})"#,
            &[1],
            |_, v| !super::is_placeholder(v) && !looks_like_code(v) && v.chars().count() >= 6,
        ),
        d("basic_auth", r#"(?i)--(?:http-|ftp-|proxy-)?(?:tls)?password[ =]['"]?([^\s'"]{6,})"#, &[1], |_, v| {
            // `curl --tlspassword https://host` asks for it: the next word is the URL.
            !super::is_placeholder(v) && !looks_like_code(v) && !v.contains("://")
        }),
        // Passwords on command lines: `docker login -p …`, `sshpass -p …`, MySQL's
        // `-p<password>` (no space).
        d("cli_password", r#"\blogin\b[^\r\n|;&]*?\s-p[ =](?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"]{4,}))"#, &[1, 2, 3], |caps, v| {
            cli_password(caps, v) && !v.chars().all(|c| c.is_ascii_digit())
        }),
        d("cli_password", r#"\bsshpass\s+-p\s*(?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"]+))"#, &[1, 2, 3], cli_password),
        d(
            "cli_password",
            r#"\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\r\n|;&]*?\s-p(?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"]{4,}))"#,
            &[1, 2, 3],
            cli_password,
        ),
        // Apache's `htpasswd -b FILE USER PASSWORD` (`-nb USER PASSWORD` prints instead).
        d(
            "cli_password",
            r#"\bhtpasswd((?:[ \t]+-[A-Za-z]+(?:[ \t]+\d+)?)+)[ \t]+[^\s|;&<>-]\S*[ \t]+('[^'\r\n]+'|"[^"\r\n]+"|[^\s|;&<>]+)(?:[ \t]+('[^'\r\n]+'|"[^"\r\n]+"|[^\s|;&<>]+))?"#,
            &[3, 2],
            |caps, v| {
                caps.get(1).is_some_and(|f| f.as_str().split_whitespace().any(|w| w.starts_with('-') && w.contains('b')))
                    && cli_password(caps, v.trim_matches(['\'', '"']))
            },
        ),
        d("docker_auth", r#""auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})""#, &[1], |_, v| decodes_to_credentials(v)),
        // npm's `_auth` (base64 of user:password), in .npmrc syntax anywhere.
        d("basic_auth", r#"(?m)(?:^|[\s:])_auth\s*=\s*["']?([A-Za-z0-9+/]{8,}={0,2})"#, &[1], |_, v| decodes_to_credentials(v)),
        d("bearer_token", r"(?i)\bbearer\s+([A-Za-z0-9_\-.=+/]{20,})", &[1], |_, v| super::entropy(v) >= 3.5 && !super::shapes::hyphenated_words(v)),
        // Password hashes: crypt(3) forms, bcrypt, LDAP-style.
        d("password_hash", r"(\$(?:1|2[abxy]?|5|6|7|8|9|y|gy|apr1)\$(?:[^\s:$]{0,60}\$){1,3}[./A-Za-z0-9]{8,})", &[1], always),
        // phpass (WordPress, phpBB), Django's and PHC strings (argon2, scrypt, pbkdf2), MySQL's.
        d("password_hash", r"(\$[PH]\$[./A-Za-z0-9]{31})(?:[^./A-Za-z0-9]|$)", &[1], always),
        d("password_hash", r"\b((?:pbkdf2_sha256|pbkdf2_sha1|bcrypt_sha256|argon2|scrypt)\$[^\s'\x22$]*\$[^\s'\x22]{16,})", &[1], always),
        d("password_hash", r"(\$(?:argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?)\$[^\s'\x22]*\$[A-Za-z0-9+/.]{8,}\$[A-Za-z0-9+/.]{16,})", &[1], always),
        d("password_hash", r"(\*[0-9A-F]{40})\b", &[1], |_, v| v[1..].chars().any(|c| c.is_ascii_digit()) && v[1..].chars().any(|c| c.is_ascii_alphabetic())),
        // PostgreSQL's: `md5` and 32 hex digits, SCRAM-SHA-256's stored form.
        d("password_hash", r#"(?:^|[\s'\x22=:,(])(md5[0-9a-f]{32})\b"#, &[1], always),
        d("password_hash", r"(SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]{8,}\$[A-Za-z0-9+/=]{16,}:[A-Za-z0-9+/=]{16,})", &[1], always),
        d("password_hash", r"(\{(?:SHA|SSHA|SHA256|SSHA256|SHA512|SSHA512|MD5|SMD5|CRYPT)\}[A-Za-z0-9+/=.$]{8,})", &[1], always),
        // Secrets assigned to secret-like names, in every format configuration takes.
        // A URL's query parameter (`?user=driver&pass=…&lat=60.0`): its value ends at the next
        // `&`. The assignment rule below, which would run on over the other parameters, leaves
        // such a value to this one.
        // Firebase Storage's download URLs (`?alt=media&token=<uuid>`) are the links an app
        // shows its own files by, published with them.
        d("assigned_secret", &format!(r"(?:(\balt=media)&|[?&])({SECRET_NAME})=([^&#\s\x22',;)}}\]<>]{{4,}})"), &[3], |c, v| {
            c.get(1).is_none() && value_of_name(&c[2], v)
        }),
        Detector {
            tail: Some(6),
            ..d("assigned_secret", &assignment, &[3, 4, 5], |c, v| {
                c.get(2).is_some_and(|sep| sep.as_str() != "::") && !is_query_string(c, v) && !follows_a_value(c) && assigned_value(c, v)
            })
        },
        d("assigned_secret", r"(?i)<([A-Za-z_:\-]*(?:password|passwd|pass|pwd|secret|token|apikey|api_key))\b[^>]*>([^<\r\n]{4,})</", &[2], xml_value),
        // A YAML block scalar: `password: |` (or `>-`), the value on the next line.
        d(
            "assigned_secret",
            &format!(r"(?m)^[ \t-]*({SECRET_NAME})[ \t]*:[ \t]*(?:{YAML_TAG})?[|>][-+0-9]*[ \t]*\r?\n[ \t]+([^\s#][^\r\n]*)"),
            &[2],
            assigned_value,
        ),
        // An ini value on the lines after its name (`password =`, then an indented line), as
        // Python's configparser reads it: its first line.
        // Its further lines, indented the same way, are more of the value.
        Detector {
            tail: Some(3),
            ..d(
                "assigned_secret",
                &format!(r"(?m)^[ \t]*({SECRET_NAME})[ \t]*=[ \t]*\r?\n[ \t]+([^\s#;'\x22(\[{{][^\r\n]*)((?:\r?\n[ \t]+[^\s#;][^\r\n]*)*)"),
                &[2],
                assigned_value,
            )
        },
        // A secret as the default of an environment lookup: `os.getenv("DB_PASSWORD", "…")`,
        // `environ.get`, `getOrDefault`, Ruby's `ENV.fetch`, Laravel's `env('APP_KEY', '…')`,
        // python-decouple's `config('SECRET_KEY', default='…')`.
        d(
            "assigned_secret",
            &format!(
                r#"\b(?:getenv|get|getOrDefault|fetch|setdefault|env|config)\(\s*["']({SECRET_NAME})["']\s*,\s*(?:default\s*=\s*)?(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#
            ),
            &[2, 3],
            assigned_value,
        ),
        // …or after it: `process.env.DB_PASSWORD || "…"`, `ENV['DB_PASSWORD'] || '…'`,
        // `os.environ.get("X") or "…"`, and the shell's and Compose's `${DB_PASSWORD:-…}`.
        d(
            "assigned_secret",
            &format!(
                r#"(?:\benv\.|\bENV\[["']|\benviron\[["']|\benviron\.get\(["']|\bgetenv\(["'])({SECRET_NAME})["']?[\])]?\s*(?:\|\||\?\?|\bor\b)\s*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#
            ),
            &[2, 3],
            assigned_value,
        ),
        // A template's default: the shell's `${DB_PASSWORD:-…}`, Spring's `${DB_PASSWORD:…}`.
        d("assigned_secret", &format!(r"\$\{{({SECRET_NAME})(?::[-=]?|[-=])([^}}\s$]{{4,}})\}}"), &[2], assigned_value),
        // A secret compared with a literal: a credential check written into code
        // (`if password == "…"`, `"…" === apiToken`), Python's f-strings too.
        Detector {
            hint: Some(compares),
            ..d(
                "assigned_secret",
                &format!(r#"(?:^|[^A-Za-z0-9_.])({SECRET_NAME})[ \t]*(?:===?|!==?)[ \t]*[fbr]?(?:"([^"\r\n{{}}]{{4,}})"|'([^'\r\n{{}}]{{4,}})')"#),
                &[2, 3],
                assigned_value,
            )
        },
        Detector {
            hint: Some(compares),
            ..d(
                "assigned_secret",
                &format!(r#"(?:"([^"\r\n{{}}]{{4,}})"|'([^'\r\n{{}}]{{4,}})')[ \t]*(?:===?|!==?)[ \t]*({SECRET_NAME})\b"#),
                &[1, 2],
                |c, v| value_of_name(c.get(3).map_or("", |m| m.as_str()), v),
            )
        },
        // A name and its value as a call's first two arguments: a request's header
        // (`req.Header.Set("X-Api-Key", "…")`, `setHeader`), a map's entry (`put("token", "…")`),
        // an environment variable set in code (`os.Setenv("API_TOKEN", "…")`).
        d("assigned_secret", &format!(r#"\(\s*["']({SECRET_NAME})["']\s*,\s*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#), &[2, 3], assigned_value),
        // A Dockerfile's `ENV NAME value` (its older form, no `=`).
        Detector {
            hint: Some(|t| t.contains("ENV")),
            ..d(
                "assigned_secret",
                &format!(r#"(?m)^[ \t]*ENV[ \t]+({SECRET_NAME})[ \t]+(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})'|([^\s"'=][^\r\n]{{3,}}))[ \t]*\r?$"#),
                &[2, 3, 4],
                assigned_value,
            )
        },
        // Capistrano's and Sinatra's `set :db_password, "…"`.
        d("assigned_secret", &format!(r#"\bset\s+:({SECRET_NAME})\s*,\s*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#), &[2, 3], assigned_value),
        // A name and its value as attributes of one XML element (`<property name="password"
        // value="…"/>`, .NET's `<add key="Password" value="…"/>`), or as its text
        // (`<entry key="db.password">…</entry>`).
        d(
            "assigned_secret",
            &format!(r#"<[A-Za-z_:\-]+\s[^>]*?\b(?:name|key)\s*=\s*["']({SECRET_NAME})["'][^>]*?\bvalue\s*=\s*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#),
            &[2, 3],
            assigned_value,
        ),
        d(
            "assigned_secret",
            &format!(r#"<[A-Za-z_:\-]+\s[^>]*?\b(?:name|key)\s*=\s*["']({SECRET_NAME})["'](?:\s+[^>]*[^/>\s])?\s*>([^<\r\n]{{4,}})</"#),
            &[2],
            assigned_value,
        ),
        // A name and its value as two elements: Hadoop's and Hive's `<property><name>…</name>
        // <value>…</value>`, `<entry><key>password</key><value>…</value>`.
        d(
            "assigned_secret",
            &format!(r"<(?:name|key)>\s*({SECRET_NAME})\s*</(?:name|key)>\s*(?:<description>[^<]*</description>\s*)?<value>([^<\r\n]{{4,}})</value>"),
            &[2],
            assigned_value,
        ),
        // A `.pgpass` line written out anywhere: `host:port:database:user:password`.
        // (Its password holds no `:` but escaped, `\:`; a certificate's fingerprint,
        // `CB:84:06:…`, is all colons.)
        d("assigned_secret", r"(?m)^[A-Za-z0-9.\-*]+:(?:\d{2,5}|\*):[^:\s]+:[^:\s]+:((?:[^\s:\\]|\\.){6,})$", &[1], |_, v| {
            let mixed = !v.chars().all(|c| c.is_ascii_alphanumeric()) || (v.chars().any(|c| c.is_ascii_digit()) && v.chars().any(char::is_alphabetic));
            !super::is_placeholder(v) && mixed
        }),
        // A name and its value as two fields: Kubernetes' `env` (`- name: DB_PASSWORD` then
        // `value: …`), ECS task definitions, Postman's `{"key": "api_key", "value": …}`.
        d(
            "assigned_secret",
            &format!(
                r#"(?m)["']?(?:name|key)["']?[ \t]*:[ \t]*["']?({SECRET_NAME})["']?[ \t]*(?:,|\r?\n)[ \t-]*["']?value["']?[ \t]*:[ \t]*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})'|([^\s"',}}#]{{4,}}))"#
            ),
            &[2, 3, 4],
            assigned_value,
        ),
        d(
            "assigned_secret",
            r#"(?i)define\(\s*['"]([A-Z0-9_]*(?:PASSWORD|SECRET|KEY|SALT|TOKEN|PASS)[A-Z0-9_]*)['"]\s*,\s*['"]([^'"\r\n]{4,})['"]"#,
            &[2],
            defined_value,
        ),
        // A keyword and its value with only space between, a whole line, as msmtp, fetchmail,
        // Redis (`requirepass`, `masterauth`), snmpd (`rocommunity`), OpenLDAP (`rootpw`),
        // nslcd and pam_ldap (`bindpw`) and keepalived (`auth_pass`) write them; fetchmail's
        // quoted `password "…"` anywhere in its `poll` line.
        Detector {
            hint: Some(|t| ["pass", "secret", "psk", "masterauth", "community", "pw"].iter().any(|w| t.contains(w))),
            ..d(
                "assigned_secret",
                r#"(?m)^[ \t]*(password|passwd|passphrase|pass|secret|requirepass|masterauth|psk|wpa_passphrase|rocommunity|rwcommunity|rootpw|bindpw|auth_pass)[ \t]+(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})'|([^\s"'#;]{4,}))[ \t]*(?:#[^\r\n]*)?\r?$"#,
                &[2, 3, 4],
                password_value,
            )
        },
        d("assigned_secret", r#"\b(password|passwd)[ \t]+"([^"\r\n]{4,})""#, &[2], assigned_value),
        // Composer's `auth.json`: a token under the host it is for.
        d(
            "assigned_secret",
            r#""(?:github-oauth|gitlab-token|gitlab-oauth|bitbucket-oauth|bearer)"\s*:\s*\{\s*"[^"]+"\s*:\s*"([^"\s]{16,})""#,
            &[1],
            |_, v| !super::is_placeholder(v) && super::entropy(v) >= 3.0,
        ),
        // A netrc entry written out anywhere: `machine host login me password s3cret`.
        d("assigned_secret", r"\bmachine\s+\S+\s+(?:login\s+\S+\s+)?password\s+(\S{4,})", &[1], |_, v| !super::is_placeholder(v)),
        // A file of credentials named in a pair (`// file: .npmrc`).
        d("credential_file", r"(?m)^// file: ([^\r\n]+)$", &[1], |_, p| is_credential_path(p)),
    ])
    // Credentials a call takes by position (`calls.rs`), keys handed to a cipher or a MAC
    // (`ciphers.rs`), or values a call's name or an option's says are one (`setters.rs`).
    .chain(super::calls::detectors())
    .chain(super::ciphers::detectors())
    .chain(super::setters::detectors())
    // Names given a value with no `=` (`#define`, Gradle's Groovy, `buildConfigField`).
    .chain(super::definitions::detectors())
    // Statements that set a password (`sql.rs`).
    .chain(super::sql::detectors())
    // Network devices' configurations (`devices.rs`), servers' own syntaxes (`services.rs`),
    // tools' command lines (`commands.rs`).
    .chain(super::devices::detectors())
    .chain(super::services::detectors())
    .chain(super::commands::detectors())
    // Personal data said aloud (`spoken.rs`).
    .chain(super::spoken::detectors())
    .chain(vec![
        // Personal data.
        // `git@github.com:group/repo.git` is an SSH remote, not a mailbox, and the token in
        // `https://USER:PERSONAL_ACCESS_TOKEN@github.com/…` a guide's placeholder.
        d("email", r"\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b(:)?", &[1], |c, e| {
            let ssh_remote = e.starts_with("git@") && c.get(2).is_some();
            !(super::mailboxes::no_ones_mailbox(e) || ssh_remote || super::names_itself(e.split('@').next().unwrap_or("")))
        }),
        // Not the digits after a decimal point (`0.2422717958688736`).
        d("credit_card", r"(?:^|[^0-9A-Za-z_.])((?:\d[ -]?){12,18}\d)\b", &[1], |_, n| luhn_card(n)),
        d("phone", r"(?:^|[^\w.])((?:\+\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4})\b", &[1], |_, v| phone_number(v)),
        // A Social Security number, dashed; an IBAN, in one piece or in groups of four.
        d("ssn", r"(?:^|[^A-Za-z0-9_.\-])([0-9]{3}-[0-9]{2}-[0-9]{4})(?:$|[^A-Za-z0-9_\-]|\.(?:$|[^0-9]))", &[1], |_, v| ssn(v)),
        d("iban", r"\b([A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,6}(?: [A-Z0-9]{1,4})?))\b", &[1], |_, v| iban(v)),
        Detector { around: Some(not_in_an_outline), ..d("ip_address", IP_ADDRESS, &[3], host_address) },
    ])
    .collect()
});
