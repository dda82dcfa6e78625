//! What a name says of its value: whether a field, a variable or a column is named for a
//! secret (`DB_PASSWORD`, `apiKey`, `client_secret`) or for something about one
//! (`password_label`, `api_keys`, `PublicKeyToken`).

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
    // Another object's name: Flux's and Kubernetes' `secretRef`, `passwordSecretRef`.
    "ref",
];

/// The words of a name, lower-cased, less a number they end in: `DB_PASSWORD` → db,
/// password; `apiKey` → api, key; `static_password01`, `PASSWORD2` → password.
pub(super) fn name_words(name: &str) -> Vec<String> {
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
        // Devise's and others' secret added to every password before it is hashed.
        "pepper",
        "secretkey",
        "authtoken",
        "apitoken",
        "accesstoken",
        "privatekey",
        "accesskey",
        "passwort",
        "motdepasse",
        // PAM's and SSSD's word for a password (`ldap_default_authtok`).
        "authtok",
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
        // A symmetric cipher's key (`FERNET_KEY`, Airflow's `fernet_key`, `AES_KEY`).
        ("fernet", "key"),
        ("aes", "key"),
        ("cipher", "key"),
        // A JSON Web Token's signing key (Go's `var jwtKey = []byte("…")`).
        ("jwt", "key"),
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
    // `pass` glued to what it is for (`dbpass`, `smtppass`, offlineimap's `remotepass`), not to
    // any word (`compass`).
    const FOR: &[&str] = &[
        "db", "sql", "mysql", "pg", "ftp", "sftp", "smtp", "mail", "imap", "admin", "root", "user", "ldap", "proxy", "redis", "ssh", "app", "api", "remote",
        "local",
    ];
    let glued = |w: &String| ["password", "passwd", "secret"].iter().any(|s| w.ends_with(s)) || w.strip_suffix("pass").is_some_and(|head| FOR.contains(&head));
    // A renderer's or an encoder's pass (`singlePass`, `hwScaleFilterFirstPass`) is a step.
    const STEPS: &[&str] = &["single", "multi", "first", "second", "third", "final", "last", "next", "render", "two", "one"];
    let a_step = |i: usize| words[i] == "pass" && i > 0 && STEPS.contains(&words[i - 1].as_str());
    // `pw` only ends a name (`db_pw`): C's `struct passwd` fields begin with it (`pw_uid`).
    words.last().is_some_and(|w| w == "pw")
        || words.iter().enumerate().any(|(i, w)| (ONE.contains(&w.as_str()) && !a_step(i)) || glued(w))
        || words.windows(2).any(|p| TWO.contains(&(p[0].as_str(), p[1].as_str())))
        // An API's key named for what it is for between the two (`API_CATALOG_KEY`, NVIDIA's).
        || words.last().is_some_and(|w| w == "key") && words[..words.len() - 1].iter().any(|w| w == "api")
}

/// A public key's name (.NET's `PublicKeyToken`, the strong-name key's hash that every
/// assembly reference, `.resx` and `web.config` names; `public_key`): what it holds is public.
pub(super) fn names_a_public_key(words: &[String]) -> bool {
    words.windows(2).any(|p| p[0] == "public" && p[1] == "key") && !words.iter().any(|w| w == "private" || w == "secret")
}

/// Whether a name says its value is a secret, not about one (`password_hint`, `api_keys`).
pub(super) fn names_a_secret(raw_name: &str) -> bool {
    words_name_a_secret(&name_words(raw_name))
}

/// [`names_a_secret`] of a name already split into its words.
pub(super) fn words_name_a_secret(words: &[String]) -> bool {
    let last = words.last().map_or("", String::as_str);
    // Helm charts' `existingSecret: app-credentials` names a Secret object the chart reads
    // (an `existing_password` is a password).
    let existing = words.first().is_some_and(|w| w == "existing") && words.get(1).is_some_and(|w| w == "secret");
    is_secret_name(words)
        && !existing
        && !NOT_A_SECRET_SUFFIXES.contains(&last)
        && !last.ends_with("tokens")
        && !last.ends_with("keys")
        && !names_a_public_key(words)
}
