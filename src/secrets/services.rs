//! Servers' own configuration syntaxes, where a secret follows a keyword with no `=` or `:`, or
//! sits in a position the file's format gives it: Redis (`redis-cli -a`, ACL rules), HAProxy,
//! strongSwan's `ipsec.secrets`, Postfix's `sasl_passwd`, Squid's `cache_peer`, s3fs'
//! `passwd-s3fs`, ASP.NET's keys in `web.config` and its Core's key ring. (A keyword and its
//! value alone on a line, OpenLDAP's `rootpw`, nslcd's `bindpw`, keepalived's `auth_pass`, are
//! the whole-line keyword rule's in `detectors.rs`.)

use super::checks::{command_password, password_value};
use super::detectors::{d, Detector};

pub(super) fn detectors() -> Vec<Detector> {
    vec![
        // Redis: `redis-cli -a …` (`--pass`), and a user's password in an ACL rule
        // (`ACL SETUSER app on >… ~* +@all`, a `users.acl` file's `user app on >…`).
        d("cli_password", r#"\bredis-cli\b[^\r\n|;&]*?\s(?:-a|--pass)[ =](?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"]{4,}))"#, &[1, 2, 3], command_password),
        Detector {
            hint: Some(|t| t.contains(" >")),
            ..d("cli_password", r"(?m)(?:\bACL[ \t]+SETUSER[ \t]+\S+|^[ \t]*user[ \t]+\S+[ \t][^\r\n>]*?\bon\b)[^\r\n>]*[ \t]>(\S{4,})", &[1], password_value)
        },
        // Redis Sentinel's `sentinel auth-pass MASTER …`; Apache's `AuthLDAPBindPassword …`
        // (`exec:` runs a program that prints it).
        d("assigned_secret", r"(?m)^[ \t]*sentinel[ \t]+auth-pass[ \t]+\S+[ \t]+(\S{4,})", &[1], password_value),
        d("assigned_secret", r#"(?m)^[ \t]*AuthLDAPBindPassword[ \t]+(?:"([^"\r\n]{4,})"|([^\s"]{4,}))"#, &[1, 2], |c, v| {
            !v.starts_with("exec:") && password_value(c, v)
        }),
        // HAProxy: a userlist's `user NAME insecure-password …`, `stats auth USER:…`.
        d("assigned_secret", r"\binsecure-password[ \t]+(\S{4,})", &[1], password_value),
        d("assigned_secret", r"(?m)^[ \t]*stats[ \t]+auth[ \t]+[^\s:]+:(\S{4,})", &[1], password_value),
        // strongSwan's and Libreswan's `ipsec.secrets`: `[IDs] : PSK "…"` (also EAP, XAUTH,
        // NTLM); `: RSA key.pem` names a file.
        d(
            "assigned_secret",
            r##"(?m)^[^\r\n#:]*:[ \t]*(?:PSK|EAP|XAUTH|NTLM)[ \t]+(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})'|([^\s"'#]{4,}))"##,
            &[1, 2, 3],
            |_, v| !super::is_placeholder(v) && v.chars().count() >= 6,
        ),
        // Postfix's `sasl_passwd`: `[smtp.example.com]:587 user@example.com:…`, a relay host
        // (in brackets, or a name with dots), then the user and the password.
        d(
            "assigned_secret",
            r"(?m)^(?:\[[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+\]|[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)(?::\d+)?[ \t]+[^\s:{};]+:([^\s:{};]{4,})[ \t]*\r?$",
            &[1],
            password_value,
        ),
        // Squid's `cache_peer … login=USER:…`.
        d("assigned_secret", r"\bcache_peer\b[^\r\n]*?\blogin=[^\s:]+:(\S{4,})", &[1], password_value),
        // ASP.NET Core's Data Protection key ring (`key-<id>.xml`, kept in the repository when
        // the app persists it there): `<masterKey …>` with its key in plain `<value>`, which
        // signs and encrypts the app's cookies and tokens (encrypted, it is `<encryptedSecret>`).
        d("assigned_secret", r"<masterKey\b[^>]*>\s*(?:<!--[^>]*-->\s*)?<value>([A-Za-z0-9+/]{40,}={0,2})</value>", &[1], |_, v| super::entropy(v) >= 4.0),
        // ASP.NET's `<machineKey validationKey="…" decryptionKey="…">` in `web.config`.
        d("assigned_secret", r#"\b(?:validationKey|decryptionKey)\s*=\s*"([0-9A-Fa-f]{32,})""#, &[1], |_, v| super::entropy(v) >= 3.0),
        // s3fs' `passwd-s3fs` (`ACCESS_KEY:SECRET_KEY`, a bucket before them too).
        d("aws_secret_key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}:([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)", &[1], |_, v| super::entropy(v) >= 4.0),
    ]
}

#[cfg(test)]
mod tests {
    use crate::secrets::cases::{finds_none, redacts_to};

    #[test]
    fn servers_secrets_are_found_and_redacted_to_the_value() {
        let cases = [
            ("    user admin insecure-password H4pr0xyPw9", "    user admin insecure-password [REDACTED:assigned_secret]"),
            ("sentinel auth-pass mymaster Sn8kQ2xLm7", "sentinel auth-pass mymaster [REDACTED:assigned_secret]"),
            ("  AuthLDAPBindPassword \"Al8kQ2xLm7\"", "  AuthLDAPBindPassword \"[REDACTED:assigned_secret]\""),
            ("ldap_default_authtok = La8kQ2xLm7", "ldap_default_authtok = [REDACTED:assigned_secret]"),
            ("    stats auth admin:St4tsPw9zQ", "    stats auth admin:[REDACTED:assigned_secret]"),
            (": PSK \"Ips3cPskV4lue9\"", ": PSK \"[REDACTED:assigned_secret]\""),
            ("203.0.113.5 198.51.100.7 : PSK \"S1teT0S1tePsk\"", "203.0.113.5 198.51.100.7 : PSK \"[REDACTED:assigned_secret]\""),
            ("carol : EAP \"C4rolEapPw9\"", "carol : EAP \"[REDACTED:assigned_secret]\""),
            ("[smtp.gmail.com]:587 alerts:Gm4ilAppPw9zq", "[smtp.gmail.com]:587 alerts:[REDACTED:assigned_secret]"),
            (
                "cache_peer proxy.acme.io parent 3128 0 no-query login=squid:Sq1dPeerPw9",
                "cache_peer proxy.acme.io parent 3128 0 no-query login=squid:[REDACTED:assigned_secret]",
            ),
            ("rootpw Sl4pdR00tPw", "rootpw [REDACTED:assigned_secret]"),
            ("bindpw B1ndR34derPw", "bindpw [REDACTED:assigned_secret]"),
            ("        auth_pass K33pAl1v", "        auth_pass [REDACTED:assigned_secret]"),
            ("AKIAJ2QW7ZRXP4KMN3VA:hT8qLm2vXw9rPz4Kc7Nb1Fy6Ud3Gs5Je0Ai8Ro2W", "[REDACTED:aws_access_key]:[REDACTED:aws_secret_key]"),
            ("redis-cli -h cache.internal -a Red1sCliPw9 ping", "redis-cli -h cache.internal -a [REDACTED:cli_password] ping"),
            ("ACL SETUSER worker on >W0rkerPw9x ~jobs:* +@all", "ACL SETUSER worker on >[REDACTED:cli_password] ~jobs:* +@all"),
            ("user app on >Red1sAclPw9 ~app:* +@all", "user app on >[REDACTED:cli_password] ~app:* +@all"),
            (
                "<masterKey p4:requiresEncryption=\"true\">\n  <!-- Warning: the key below is in an unencrypted form. -->\n  <value>Qm9vT3NlY3JldE1hc3RlcktleTFBOGZ6UTJ4THA3dk05cVc0ck41dEI4eUMzbg==</value>",
                "<masterKey p4:requiresEncryption=\"true\">\n  <!-- Warning: the key below is in an unencrypted form. -->\n  <value>[REDACTED:assigned_secret]</value>",
            ),
            (
                "<machineKey validationKey=\"7AB3C9E1F04D2B6A8C5E7F9012345678ABCDEF0123456789FEDCBA9876543210\" decryptionKey=\"E4F1A9B2C7D3086512FE34AB97CD0E18\" validation=\"SHA1\" />",
                "<machineKey validationKey=\"[REDACTED:assigned_secret]\" decryptionKey=\"[REDACTED:assigned_secret]\" validation=\"SHA1\" />",
            ),
        ];
        redacts_to(&cases);
    }

    #[test]
    fn what_servers_say_around_secrets_is_not_one() {
        finds_none(
            &[],
            &[
                ": RSA moonKey.pem",
                "AuthLDAPBindPassword exec:/usr/local/bin/ldap-pass",
                "sentinel auth-pass mymaster <password>",
                "ldap_default_authtok_type = password",
                "rootpw {SSHA}",
                "rootpw secret",
                "    auth_type PASS",
                "redis-cli -a secret_redis FLUSHALL",
                "redis-cli -a $REDIS_PASSWORD ping",
                "user default off nopass ~* +@all",
                "stats auth admin:admin",
                "See ticket:ABC-1234",
                "smtp.example.com user:password",
                "FROM node:18-alpine3.19",
                "table.pyhltable td{vertical-align:top;padding-top:0;line-height:1.45}",
                "[INFO] org.apache.maven.its.mng3890:b:jar:0.1",
                "<machineKey validationKey=\"AutoGenerate,IsolateApps\" decryptionKey=\"AutoGenerate,IsolateApps\" />",
                "<masterKey><encryptedSecret decryptorType=\"Microsoft.AspNetCore.DataProtection.XmlEncryption.DpapiXmlDecryptor\">",
            ],
        );
    }
}
