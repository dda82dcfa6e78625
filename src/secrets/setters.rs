//! Values a call's own name or an option's constant says are a secret, with no name beside the
//! value: setters and builders (`config.setPassword("…")`, `.withPassword("…")`, Spring
//! Security's `.password("{noop}…")`, Go's `ssh.Password("…")`), curl's options
//! (`CURLOPT_USERPWD`), JNDI's `SECURITY_CREDENTIALS`, a keystore's `"…".toCharArray()`, and
//! `user:password` encoded in code for a basic-auth header (`btoa("admin:…")`).

use super::checks::{password_value, value_of_name};
use super::detectors::{d, Detector};

/// A literal argument, quoted either way; Spring Security's `{noop}` (an encoder's id before a
/// plain password) is not part of it.
const LITERAL: &str = r#"\s*(?:"(?:\{noop\})?([^"\r\n]{4,})"|'(?:\{noop\})?([^'\r\n]{4,})')"#;

pub(super) fn detectors() -> Vec<Detector> {
    vec![
        // A setter or a builder named for a password or a secret (`setKeyStorePassword`,
        // `set_password`, `withClientSecret`), or a call that is the word alone (`.password(…)`,
        // `ssh.Password(…)`): the value judged by the call's name. Not `hashPassword(…)` or
        // `checkPassword(…)`, whose argument is any input.
        d(
            "assigned_secret",
            &format!(
                r"\b((?:[Ss]et|[Ww]ith)_?[A-Za-z_]*?(?:Password|password|Passwd|passwd|Passphrase|passphrase|Secret|secret)|[Pp]assword|[Pp]asswd|[Pp]assphrase)\({LITERAL}\s*[,)]"
            ),
            &[2, 3],
            |c, v| value_of_name(&c[1], v),
        ),
        // .NET's signing keys made from a literal: `new SymmetricSecurityKey(Encoding.UTF8.GetBytes("…"))`,
        // `new HMACSHA256(Encoding.ASCII.GetBytes("…"))`.
        d(
            "assigned_secret",
            &format!(r"\b(?:SymmetricSecurityKey|HMAC(?:SHA1|SHA256|SHA384|SHA512|MD5))\(\s*Encoding\.\w+\.GetBytes\({LITERAL}\s*\)"),
            &[1, 2],
            |_, v| value_of_name("signing_key", v),
        ),
        // curl's options (PHP's `curl_setopt`, pycurl's `setopt`): `USERPWD` holds `user:…`.
        d(
            "assigned_secret",
            r#"\b(?:CURLOPT_|pycurl\.)(?:PROXY)?USERPWD\s*,\s*(?:"[^"':\r\n]*:([^"\r\n]{4,})"|'[^"':\r\n]*:([^'\r\n]{4,})')"#,
            &[1, 2],
            password_value,
        ),
        d("assigned_secret", &format!(r"\b(?:CURLOPT_|pycurl\.)(?:PROXY)?(?:PASSWORD|KEYPASSWD|SSLKEYPASSWD)\s*,{LITERAL}"), &[1, 2], password_value),
        // JNDI's (and so LDAP's from Java) credentials: `env.put(Context.SECURITY_CREDENTIALS, "…")`.
        d("assigned_secret", &format!(r#"(?:SECURITY_CREDENTIALS|java\.naming\.security\.credentials["'])\s*,{LITERAL}"#), &[1, 2], password_value),
        // A keystore's or a key's password as a literal turned into characters, given to
        // `load`, `init`, `getKey`, `setKeyEntry`, `store` or a `PasswordProtection`.
        d(
            "assigned_secret",
            r#"\b(?:load|init|getKey|setKeyEntry|store|PasswordProtection)\([^()\r\n]*?"([^"\r\n]{4,})"\.toCharArray\(\)"#,
            &[1],
            password_value,
        ),
        // `user:password` encoded in code for a basic-auth header: `btoa("admin:…")`,
        // `base64.b64encode(b"admin:…")`, `Base64.getEncoder().encodeToString("admin:…".getBytes())`.
        d(
            "basic_auth",
            r#"\b(?:btoa|b64encode|encodeToString|encodeBase64String|Base64\.encode[A-Za-z0-9_]*|strict_encode64|encode64)\(\s*b?(?:"[A-Za-z0-9_.@\-]+:([^"\s]{4,})"|'[A-Za-z0-9_.@\-]+:([^'\s]{4,})')"#,
            &[1, 2],
            password_value,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use crate::secrets::cases::{finds_none, redacts_to};

    #[test]
    fn a_value_a_calls_name_or_option_says_is_a_password_is_found() {
        redacts_to(&[
            (r#"session.setPassword("Js8kQ2xLm7");"#, r#"session.setPassword("[REDACTED:assigned_secret]");"#),
            (r#"config.setKeyStorePassword("Hk8kQ2xLm7");"#, r#"config.setKeyStorePassword("[REDACTED:assigned_secret]");"#),
            (r#"user.set_password('Dj8kQ2xLm7')"#, r#"user.set_password('[REDACTED:assigned_secret]')"#),
            (
                r#"new PostgreSQLContainer("postgres:15").withPassword("Tc8kQ2xLm7");"#,
                r#"new PostgreSQLContainer("postgres:15").withPassword("[REDACTED:assigned_secret]");"#,
            ),
            (
                r#"auth.inMemoryAuthentication().withUser("admin").password("{noop}Sp8kQ2xLm7")"#,
                r#"auth.inMemoryAuthentication().withUser("admin").password("{noop}[REDACTED:assigned_secret]")"#,
            ),
            (r#"ssh.Password("Gs8kQ2xLm7")"#, r#"ssh.Password("[REDACTED:assigned_secret]")"#),
            (r#"b.withClientSecret("Zq8rT5vLp9xY2mN7bK1c")"#, r#"b.withClientSecret("[REDACTED:assigned_secret]")"#),
            (r#"curl_setopt($ch, CURLOPT_USERPWD, "api:Cu8kQ2xLm7");"#, r#"curl_setopt($ch, CURLOPT_USERPWD, "api:[REDACTED:assigned_secret]");"#),
            (r#"c.setopt(pycurl.PASSWORD, 'Cp8kQ2xLm7')"#, r#"c.setopt(pycurl.PASSWORD, '[REDACTED:assigned_secret]')"#),
            (r#"env.put(Context.SECURITY_CREDENTIALS, "Ld8kQ2xLm7");"#, r#"env.put(Context.SECURITY_CREDENTIALS, "[REDACTED:assigned_secret]");"#),
            (r#"keyStore.load(in, "Ks8kQ2xLm7".toCharArray());"#, r#"keyStore.load(in, "[REDACTED:assigned_secret]".toCharArray());"#),
            (
                r#"headers: { Authorization: "Basic " + btoa("admin:Bt8kQ2xLm7") }"#,
                r#"headers: { Authorization: "Basic " + btoa("admin:[REDACTED:basic_auth]") }"#,
            ),
            (r#"base64.b64encode(b"admin:Bp8kQ2xLm7")"#, r#"base64.b64encode(b"admin:[REDACTED:basic_auth]")"#),
            (
                r#"IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("k9Qm2LxV7tRp4NwZ8bYc"))"#,
                r#"IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes("[REDACTED:assigned_secret]"))"#,
            ),
        ]);
    }

    #[test]
    fn variables_inputs_words_and_placeholders_stay() {
        finds_none(
            &["assigned_secret", "basic_auth"],
            &[
                "session.setPassword(password);",
                r#"config.setPassword("");"#,
                r#"config.setPassword("${DB_PASSWORD}");"#,
                r#"form.setPasswordHint("Use 8 characters or more");"#,
                r#"assertTrue(encoder.checkPassword("Ab12345!", hash));"#,
                r#"String h = hashPassword("Hp8kQ2xLm7");"#,
                r#"User.withDefaultPasswordEncoder().username("user").password("password").roles("USER")"#,
                r#".password("{bcrypt}$2a$10$abc")"#,
                r#"field.setPlaceholder("Password");"#,
                r#"curl_setopt($ch, CURLOPT_USERPWD, "$user:$pass");"#,
                r#"keyStore.load(in, password.toCharArray());"#,
                r#"keyStore.load(in, "changeit".toCharArray());"#,
                r#"btoa(`${user}:${pass}`)"#,
                r#"btoa("hello world")"#,
                r#"env.put(Context.SECURITY_CREDENTIALS, credentials);"#,
                r#"new SymmetricSecurityKey(Encoding.UTF8.GetBytes(configuration["Jwt:Key"]))"#,
                r#"new SymmetricSecurityKey(Encoding.UTF8.GetBytes("this is my custom Secret key for authentication"))"#,
            ],
        );
    }
}
