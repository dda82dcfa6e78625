//! Network devices' configurations (Cisco IOS, NX-OS and ASA, Juniper Junos, Arista EOS),
//! where a secret follows a keyword with no `=` or `:` and often a number that says how it
//! is stored: `0` plain text, `7` Cisco's reversible cipher, `5`/`8`/`9` hashes (found as
//! `password_hash`). Kind `device_secret`: plain passwords and shared keys, community
//! strings, and the two reversible forms, Cisco's type 7 and Junos' `$9$`, which anyone can
//! turn back into the password.

use super::checks::{password_value, value_of_name};
use super::detectors::{always, d, Detector};

/// Cisco's type 7 key, public since 1995: each byte of the password is XORed with it.
const TYPE7_KEY: &[u8] = b"dsfd;kfoA,.iyewrkldJKDHSUBsgvca69834ncxv9873254k;fg87";

/// What a type 7 string (`0822455D0A16`: two decimal digits, the offset into the key, then
/// a hex byte per character) hides, when it is one: printable ASCII.
fn type7_plain(v: &str) -> Option<String> {
    let seed: usize = v.get(..2)?.parse().ok()?;
    let hex = v.get(2..)?;
    if seed > 15 || hex.is_empty() || !hex.len().is_multiple_of(2) {
        return None;
    }
    (0..hex.len() / 2)
        .map(|i| {
            let byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
            let plain = byte ^ TYPE7_KEY[(seed + i) % TYPE7_KEY.len()];
            (plain.is_ascii_graphic() || plain == b' ').then_some(plain as char)
        })
        .collect()
}

/// Where a device's statement starts: its line, or an Ansible list's item (`- "username …"`).
const STATEMENT: &str = r#"^[ \t]*(?:-[ \t]+)?["']?"#;

/// Keywords a shared key or password follows on a device: a key chain's `key-string`,
/// IPsec's `pre-shared-key`, an IOS keyring's `pre-shared-key address|hostname PEER key` (as
/// AWS's VPN configurations for customers' routers write it) and `crypto isakmp key`, OSPF's
/// `authentication-key` and `message-digest-key N md5`, NTP's `authentication-key N
/// sha1|sha256|hmac-…|cmac…`, BGP's `neighbor X password`, HSRP's `authentication`, wireless
/// `wpa-psk ascii`, TACACS+ and RADIUS servers' `key` (on the server's line, or
/// its own line under `radius server NAME`), a user's or `enable` `password` (each a line's
/// statement, or an Ansible list's item: "Invalid username or password entered." is a
/// program's message), ASA's `passwd`.
fn keyword() -> String {
    format!(
        r"(?:\bkey-string|\bpre-shared-key(?:[ \t]+(?:address[ \t]+\S+(?:[ \t]+\d+\.\d+\.\d+\.\d+)?|hostname[ \t]+\S+)[ \t]+key)?|\bcrypto[ \t]+isakmp[ \t]+key|\bauthentication-key(?:[ \t]+\d+[ \t]+(?:md5|sha\d*|hmac-sha\S*|cmac(?:-aes\S*)?))?|\bmessage-digest-key[ \t]+\d+[ \t]+md5|\bneighbor[ \t]+\S+[ \t]+password|\bstandby[ \t]+\d+[ \t]+authentication(?:[ \t]+md5[ \t]+key-string)?|\bwpa-psk[ \t]+ascii|\b(?:tacacs|radius)-server\b[^\r\n]*?[ \t]key|^[ \t]*key|{STATEMENT}enable[ \t]+password(?:[ \t]+level[ \t]+\d+)?|{STATEMENT}username[ \t]+\S+(?:[ \t]+privilege[ \t]+\d+)?[ \t]+password|^[ \t]*passwd|^[ \t]*password)"
    )
}

/// A type 7 string: the offset into the key (00–15), then a hex byte per character.
const TYPE7: &str = r"((?:0\d|1[0-5])[0-9A-Fa-f]{8,})";

pub(super) fn detectors() -> Vec<Detector> {
    let keyword = keyword();
    vec![
        // Cisco's type 7 after its keyword (`password 7 …`, `key 7 …`; IOS XR's `password
        // encrypted …`; NTP's `md5 … 7` puts the 7 after it), judged by what it hides.
        d(
            "device_secret",
            &format!(
                r"\b(?:password|passwd|key|key-string|md5|ascii|authentication-key|pre-shared-key|server-key)[ \t]+(?:7|encrypted)[ \t]+{TYPE7}\b|\bmd5[ \t]+{TYPE7}[ \t]+7\b"
            ),
            &[1, 2],
            |_, v| type7_plain(v).is_some_and(|p| value_of_name("password", &p)),
        ),
        // NX-OS's type 3 (3DES under a key every NX-OS holds): `password 3 a667d47acc18ea6b`.
        d("device_secret", r"\b(?:password|key)[ \t]+3[ \t]+([0-9a-f]{16,})\b", &[1], |_, v| v.len().is_multiple_of(16)),
        // Junos' `$9$`: reversible, in quotes where Junos writes it (`secret "$9$…"; ##
        // SECRET-DATA`). (`$9$salt$hash`, Cisco's scrypt, is a hash.)
        d("device_secret", r#""(\$9\$[A-Za-z0-9./\-]{4,})""#, &[1], always),
        // A plain password or key after its keyword, with `0` (plain text) or nothing
        // between: the rest of the line is the value, or what IOS writes after it.
        Detector {
            hint: Some(|t| ["key", "pass"].iter().any(|w| t.contains(w))),
            ..d(
                "device_secret",
                &format!(
                    r#"(?m){keyword}[ \t]+(?:0[ \t]+)?(?:"([^"\r\n]{{4,}})"|([^\s"$][^\s;]{{3,}}))(?:[ \t]+(?:privilege[ \t]+\d+|address[ \t]+\S+|no-xauth))*[ \t]*;?[ \t]*\r?$"#
                ),
                &[1, 2],
                password_value,
            )
        },
        // ASA's hashed forms: `enable password … encrypted`, `passwd … encrypted`, `username
        // … password … encrypted|pbkdf2`.
        d(
            "password_hash",
            &format!(
                r"(?m)(?:{STATEMENT}enable[ \t]+password|^[ \t]*passwd|{STATEMENT}username[ \t]+\S+[ \t]+password)[ \t]+(\S{{12,}})[ \t]+(?:encrypted|pbkdf2)\b"
            ),
            &[1],
            |_, v| v.chars().all(|c| c.is_ascii_alphanumeric() || "./$+=".contains(c)),
        ),
        // SNMPv3 users' passwords (`snmp-server user NAME GROUP v3 auth sha PASS priv aes 128
        // PASS`, IOS's; NX-OS's `auth md5 PASS priv aes-128 PASS`): the one after `auth` and its
        // algorithm, and the one after `priv` and its cipher, each a rule of its own (both start
        // at the line's). With `encrypted` or `localizedkey` they are keys localized to the
        // device, which sign as the passwords do there.
        snmp_user(r"auth[ \t]+(?:md5|sha\S*)"),
        snmp_user(r"priv(?:[ \t]+(?:3?des|aes(?:-\d+)?(?:[ \t]+\d{3})?))?"),
        // SNMP's community strings, which grant reading (and writing) a device's state: IOS's
        // `snmp-server community …`, Junos' `set snmp community …`, CatOS' `set snmp
        // community read-only …`, each a statement of its own line (`public` and `private` are
        // every device's defaults, and known to all).
        Detector {
            hint: Some(|t| t.contains("community")),
            ..d(
                "device_secret",
                r#"(?m)^[ \t]*(?:set[ \t]+)?(?:snmp-server|snmp)[ \t]+community[ \t]+(?:(?:read-only|read-write(?:-all)?)[ \t]+)?"?([^\s"{;]{4,})"?"#,
                &[1],
                |_, v| is_community(v),
            )
        },
        // …and the community a device sends its traps with: `snmp-server host ADDRESS [traps |
        // informs] version 1|2c COMMUNITY` (version 3 names a user there instead; without a
        // version, IOS, NX-OS and ASA put other words there: `source-interface`, a host's name).
        Detector {
            hint: Some(|t| t.contains("snmp-server host")),
            ..d(
                "device_secret",
                r"(?m)^[ \t]*snmp-server[ \t]+host[ \t]+\S+(?:[ \t]+(?:traps|informs))?[ \t]+version[ \t]+(?:1|2c)[ \t]+(?:clear[ \t]+)?([^\s]{4,})",
                &[1],
                |_, v| v != "encrypted" && is_community(v),
            )
        },
    ]
}

/// An SNMPv3 user's password after `what` (`auth sha`, `priv aes 128`) on its line: judged as a
/// password is, or a localized key's hex (`0x1b2c…`).
fn snmp_user(what: &str) -> Detector {
    Detector {
        hint: Some(|t| t.contains("snmp-server user")),
        ..d("device_secret", &format!(r"(?m)^[ \t]*snmp-server[ \t]+user[ \t][^\r\n]*?[ \t]{what}[ \t]+(?:0[ \t]+)?(\S{{4,}})"), &[1], |_, v| {
            let localized = v.strip_prefix("0x").is_some_and(|hex| hex.len() >= 16 && hex.chars().all(|c| c.is_ascii_hexdigit()));
            localized || value_of_name("password", v)
        })
    }
}

/// A community string that is not a default, a placeholder or a template (`is_placeholder`
/// knows `<…>`, `{{…}}` and `$…`; an unclosed `{` is a template's too).
pub(super) fn is_community(v: &str) -> bool {
    !["public", "private"].contains(&v.to_ascii_lowercase().as_str())
        && !super::is_placeholder(v)
        && !v.starts_with('{')
        && (value_of_name("password", v) || v.chars().count() >= 8)
}

#[cfg(test)]
mod tests {
    use super::type7_plain;
    use crate::secrets::cases::{finds_none, redacts_to};

    #[test]
    fn type7_is_turned_back_into_its_password() {
        assert_eq!(type7_plain("0822455D0A16").as_deref(), Some("cisco"));
        assert_eq!(type7_plain("060E5C334F5B054A16").as_deref(), Some("h3rcul3s"));
        // Not type 7: an odd length, an offset past 15, bytes that hide no text.
        assert_eq!(type7_plain("0822455D0A1"), None);
        assert_eq!(type7_plain("9922455D0A16"), None);
        assert_eq!(type7_plain("0064736664"), None);
    }

    #[test]
    fn device_secrets_are_found_and_redacted_to_the_value() {
        let cases = [
            ("username admin privilege 15 password 7 0728331D433B4A040741195B", "username admin privilege 15 password 7 [REDACTED:device_secret]"),
            (
                " radius-server host 192.0.2.7 auth-port 1812 key 7 060E5C334F5B054A16",
                " radius-server host 192.0.2.7 auth-port 1812 key 7 [REDACTED:device_secret]",
            ),
            ("ntp authentication-key 1 md5 0738286A1F3918504205041E0073 7", "ntp authentication-key 1 md5 [REDACTED:device_secret] 7"),
            ("  password encrypted 072D265C1B0C0A1627055A", "  password encrypted [REDACTED:device_secret]"),
            ("    password 3 a667d47acc18ea6b", "    password 3 [REDACTED:device_secret]"),
            ("enable password En4bleMe9", "enable password [REDACTED:device_secret]"),
            ("username ops password 0 0ps!Pass9 privilege 15", "username ops password 0 [REDACTED:device_secret] privilege 15"),
            ("tacacs-server host 192.0.2.1 key MySecretKey1", "tacacs-server host 192.0.2.1 key [REDACTED:device_secret]"),
            ("crypto isakmp key Is4kmpPsk9 address 203.0.113.9", "crypto isakmp key [REDACTED:device_secret] address 203.0.113.9"),
            (" ikev1 pre-shared-key Tunn3lPsk99", " ikev1 pre-shared-key [REDACTED:device_secret]"),
            ("snmp-server community Publ1cR3ad RO 10", "snmp-server community [REDACTED:device_secret] RO 10"),
            (
                "snmp-server host 192.0.2.9 traps version 2c Tr4pComm9 udp-port 2162",
                "snmp-server host 192.0.2.9 traps version 2c [REDACTED:device_secret] udp-port 2162",
            ),
            ("set snmp community read-write mywritestring", "set snmp community read-write [REDACTED:device_secret]"),
            ("pre-shared-key address 203.0.113.152 key QMP5tKPP5qk95Y1Eee9c_82.MofNUJQV", "pre-shared-key address 203.0.113.152 key [REDACTED:device_secret]"),
            (
                " pre-shared-key address 198.51.100.0 255.255.255.0 key K3yr1ngPsk",
                " pre-shared-key address 198.51.100.0 255.255.255.0 key [REDACTED:device_secret]",
            ),
            (" pre-shared-key hostname peer1.example key K3yr1ngPsk", " pre-shared-key hostname peer1.example key [REDACTED:device_secret]"),
            ("ntp authentication-key 42 hmac-sha2-256 N7pK3yQ9", "ntp authentication-key 42 hmac-sha2-256 [REDACTED:device_secret]"),
            ("ntp authentication-key 7 sha256 N7pK3yQ9", "ntp authentication-key 7 sha256 [REDACTED:device_secret]"),
            (
                "snmp-server user ops OPS v3 auth sha Auth9Pass! priv aes 128 Pr1vPass9",
                "snmp-server user ops OPS v3 auth sha [REDACTED:device_secret] priv aes 128 [REDACTED:device_secret]",
            ),
            (
                "snmp-server user admin network-admin auth md5 0x1b2c3d4e5f6a7b8c priv 0x9a8b7c6d5e4f3a2b localizedkey",
                "snmp-server user admin network-admin auth md5 [REDACTED:device_secret] priv [REDACTED:device_secret] localizedkey",
            ),
            ("    secret \"$9$Hk5FCtO1IcSrv8XxVbs2aZGjqfTz36\"; ## SECRET-DATA", "    secret \"[REDACTED:device_secret]\"; ## SECRET-DATA"),
            ("enable password 8Ry2YjIyt7RRXU24 encrypted", "enable password [REDACTED:password_hash] encrypted"),
        ];
        redacts_to(&cases);
    }

    #[test]
    fn what_devices_say_about_secrets_is_not_one() {
        finds_none(
            &[],
            &[
                // Cisco's own example password, in type 7 and plain; the defaults.
                "username admin password 7 0822455D0A16",
                "enable password cisco",
                "snmp-server community public RO",
                "set snmp community \"private\" authorization read-write",
                // BGP communities are routes' labels, not credentials.
                " neighbor as2 send-community extended",
                "ip community-list expanded as1_community permit _1:",
                " set community 65001:2 additive",
                "\"Context\" : \"snmp community client-list-name\",",
                "service password-encryption",
                "no password strength-check",
                " authentication mode password",
                " password encrypted xxxxxxxx",
                "key chain OSPF\n key 1\n  key-string 7 0822455D0A16",
                "snmp-server community {{ comm_name }} RO",
                "snmp-server host 192.0.2.9 traps version 3 priv monitor",
                "snmp-server host 192.0.2.9 public",
                "snmp-server host 192.0.2.2 source-interface mgmt0",
                "snmp-server host INSIDE Machine01 poll community public",
                "snmp-server host 192.0.2.8 traps version 2c encrypted 121C121A01",
                "  key /Common/dtdi.key",
                "pre-shared-key address 1.1.1.1 key xxx",
                "snmp-server user monitor MONITOR v3 auth sha <AUTH_PASSWORD> priv aes 128 <PRIV_PASSWORD>",
                "snmp-server user ops OPS v3",
                "snmp-server user admin network-admin auth md5 dummypassword priv dummyprivacypassword localizedkey",
            ],
        );
    }
}
