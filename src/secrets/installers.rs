//! Unattended installs' answer files, which set a machine's first passwords and live in the
//! repositories that build images (Packer templates, Vagrant boxes, PXE servers): Kickstart's
//! `rootpw`, Debian's preseed `d-i passwd/…`, cloud-init's `chpasswd` list, and Windows' answer
//! files (`Autounattend.xml`), whose password with `<PlainText>false</PlainText>` is base64 of
//! UTF-16 text that anyone can turn back. Kind `install_password`; a value is judged as a
//! password is (`vagrant`, every Vagrant box's, is none). The hashed forms (`rootpw --iscrypted
//! $6$…`, `d-i passwd/root-password-crypted password $6$…`) are `password_hash`'s.

use std::sync::LazyLock;

use base64::Engine;
use regex::{Captures, Regex};

use super::checks::{password_value, value_of_name};
use super::detectors::{d, Detector};

pub(super) fn detectors() -> Vec<Detector> {
    vec![
        // Kickstart: `rootpw --plaintext PASS` (`--iscrypted` is a hash's, `--lock` none; a
        // bare `rootpw PASS`, as OpenLDAP's slapd.conf writes it too, is `services.rs`').
        Detector {
            hint: Some(|t| t.contains("rootpw")),
            ..d("install_password", r"(?m)^[ \t]*rootpw[ \t]+--plaintext[ \t]+([^\s-]\S{3,})", &[1], password_value)
        },
        // Debian's preseed: the root's and the first user's passwords, GRUB's, and a wireless
        // network's WPA key; not Debian's example file's root password, `r00tme`, which guides
        // copy (its user's, `insecure`, is a word, which no password is).
        Detector {
            hint: Some(|t| t.contains("d-i")),
            ..d(
                "install_password",
                r"(?m)^[ \t]*d-i[ \t]+(?:(?:passwd/(?:root|user)-password|grub-installer/password)(?:-again)?[ \t]+password|netcfg/wireless_wpa[ \t]+string)[ \t]+(\S{4,})",
                &[1],
                |c, v| v != "r00tme" && password_value(c, v),
            )
        },
        // Windows' answer files: `<AdministratorPassword>` and a user's or AutoLogon's
        // `<Password>`, each a `<Value>` (a comment may come first) and whether it is plain text.
        Detector {
            hint: Some(|t| t.contains("<Value>")),
            ..d(
                "install_password",
                r"<(AdministratorPassword|Password)>(?:\s*<!--(?s:.){0,400}?-->)*\s*<Value>([^<\r\n]{4,200})</Value>(?:\s*<PlainText>(true|false)</PlainText>)?",
                &[2],
                answer_file_password,
            )
        },
    ]
}

/// A Windows answer file's password: as written, or, when not plain text, what its base64
/// holds: the password and the element's name after it, in UTF-16.
fn answer_file_password(c: &Captures, v: &str) -> bool {
    let plain = c.get(3).is_none_or(|p| p.as_str() == "true");
    let decoded = if plain { None } else { encoded_password(v, c.get(1).map_or("", |m| m.as_str())) };
    value_of_name("password", decoded.as_deref().unwrap_or(v))
}

/// What Windows' setup encodes for a password of `element`: base64 of UTF-16LE text ending in
/// the element's name; or, as some scripts and guides write it, base64 of the password alone.
fn encoded_password(v: &str, element: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(v.trim()).ok()?;
    let units: Vec<u16> = bytes.chunks_exact(2).map(|b| u16::from_le_bytes([b[0], b[1]])).collect();
    let utf16 = (bytes.len() % 2 == 0).then(|| String::from_utf16(&units).ok()).flatten();
    match utf16.as_deref().and_then(|text| text.strip_suffix(element)) {
        Some(password) => Some(password.to_string()),
        None => String::from_utf8(bytes).ok().filter(|text| !text.is_empty() && text.chars().all(|c| c.is_ascii_graphic() || c == ' ')),
    }
}

/// cloud-init's `chpasswd:` list, a `user:password` per line (`list: |`, or items `- user:pw`):
/// each password's byte range. `RANDOM` asks cloud-init for one; a hash (`$6$…`) is
/// `password_hash`'s.
pub(super) fn chpasswd_findings(text: &str) -> Vec<(usize, usize)> {
    static ENTRY: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^[ \t]*(?:-[ \t]+)?['"]?[A-Za-z_][\w.-]*:([^\s'"$][^\s'"]{3,})['"]?[ \t]*\r?$"#).expect("valid regex"));
    let mut found = Vec::new();
    for (at, _) in text.match_indices("chpasswd:") {
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let indent = at - line_start;
        if !text[line_start..at].chars().all(|c| c == ' ' || c == '\t') {
            continue;
        }
        // The block: the lines after `chpasswd:` indented deeper than it.
        let mut pos = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
        let mut listing = false;
        while pos < text.len() {
            let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
            let line = &text[pos..end];
            let depth = line.len() - line.trim_start_matches([' ', '\t']).len();
            if !line.trim().is_empty() && depth <= indent {
                break;
            }
            let key = line.trim_start().split(':').next().unwrap_or("");
            if ["list", "users", "expire"].contains(&key) && !line.trim_start().starts_with('-') {
                listing = key == "list";
            } else if let Some(c) = ENTRY.captures(line).filter(|_| listing) {
                let m = c.get(1).expect("the entry's password");
                if m.as_str() != "RANDOM" && value_of_name("password", m.as_str()) {
                    found.push((pos + m.start(), pos + m.end()));
                }
            }
            pos = end + 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::encoded_password;
    use crate::secrets::cases::{finds_none, redacts_to};

    #[test]
    fn a_windows_answer_files_encoded_password_is_turned_back() {
        // "UnattendPw9!" + "AdministratorPassword" in UTF-16LE, base64: what Windows SIM writes.
        let v = "VQBuAGEAdAB0AGUAbgBkAFAAdwA5ACEAQQBkAG0AaQBuAGkAcwB0AHIAYQB0AG8AcgBQAGEAcwBzAHcAbwByAGQA";
        assert_eq!(encoded_password(v, "AdministratorPassword").as_deref(), Some("UnattendPw9!"));
        // Base64 of the password alone, as some scripts and guides write it.
        assert_eq!(encoded_password("UjN2ZWFsZWQtOTk=", "Password").as_deref(), Some("R3vealed-99"));
        assert_eq!(encoded_password(v, "AutoLogon"), None);
        assert_eq!(encoded_password("not base64!", "Password"), None);
    }

    #[test]
    fn install_passwords_are_found_and_redacted_to_the_value() {
        redacts_to(&[
            ("rootpw --plaintext Rt9xQ2mLp\n", "rootpw --plaintext [REDACTED:install_password]\n"),
            ("rootpw Rt9xQ2mLp", "rootpw [REDACTED:assigned_secret]"),
            ("d-i passwd/root-password password Pr3s33dRoot", "d-i passwd/root-password password [REDACTED:install_password]"),
            ("d-i passwd/user-password-again password Us3rPassw0rd", "d-i passwd/user-password-again password [REDACTED:install_password]"),
            ("d-i netcfg/wireless_wpa string Wpa2Key-84x", "d-i netcfg/wireless_wpa string [REDACTED:install_password]"),
            (
                "<AdministratorPassword>\n  <Value>UnattendPw9!</Value>\n  <PlainText>true</PlainText>\n</AdministratorPassword>",
                "<AdministratorPassword>\n  <Value>[REDACTED:install_password]</Value>\n  <PlainText>true</PlainText>\n</AdministratorPassword>",
            ),
            (
                "<Password>\n  <!-- keep it the same as AutoLogon's -->\n  <Value>Admin@123</Value>\n</Password>",
                "<Password>\n  <!-- keep it the same as AutoLogon's -->\n  <Value>[REDACTED:install_password]</Value>\n</Password>",
            ),
            (
                "<AdministratorPassword><Value>VQBuAGEAdAB0AGUAbgBkAFAAdwA5ACEAQQBkAG0AaQBuAGkAcwB0AHIAYQB0AG8AcgBQAGEAcwBzAHcAbwByAGQA</Value><PlainText>false</PlainText></AdministratorPassword>",
                "<AdministratorPassword><Value>[REDACTED:install_password]</Value><PlainText>false</PlainText></AdministratorPassword>",
            ),
            (
                "<Password><Value>UjN2ZWFsZWQtOTk=</Value><PlainText>false</PlainText></Password>",
                "<Password><Value>[REDACTED:install_password]</Value><PlainText>false</PlainText></Password>",
            ),
            (
                "#cloud-config\nchpasswd:\n  list: |\n    root:Cl0ud1n1tPw\n    ubuntu:RANDOM\n    ops:Op5-Pass-77\n  expire: false\nruncmd: []\n",
                "#cloud-config\nchpasswd:\n  list: |\n    root:[REDACTED:install_password]\n    ubuntu:RANDOM\n    ops:[REDACTED:install_password]\n  expire: false\nruncmd: []\n",
            ),
            ("chpasswd:\n  list:\n    - 'root:Cl0ud1n1tPw'\n", "chpasswd:\n  list:\n    - 'root:[REDACTED:install_password]'\n"),
        ]);
    }

    #[test]
    fn what_installers_say_about_passwords_is_not_one() {
        finds_none(
            &[],
            &[
                // Vagrant boxes' known password, a locked root, a hash's flag, a word.
                "rootpw --plaintext vagrant",
                "rootpw --lock",
                "d-i passwd/root-login boolean false",
                "d-i passwd/user-password password vagrant",
                "d-i passwd/root-password password r00tme\nd-i passwd/user-password-again password insecure",
                "#d-i passwd/root-password password Pr3s33dRoot",
                "<Password>\n  <Value>vagrant</Value>\n  <PlainText>true</PlainText>\n</Password>",
                // "vagrant" + "Password", encoded.
                "<Password><Value>dgBhAGcAcgBhAG4AdABQAGEAcwBzAHcAbwByAGQA</Value><PlainText>false</PlainText></Password>",
                // A guide's words in base64 ("SuperSecurePassword"), a template.
                "<Password><Value>U3VwZXJTZWN1cmVQYXNzd29yZA==</Value><PlainText>false</PlainText></Password>",
                "<AdministratorPassword><Value>$adminB64</Value><PlainText>false</PlainText></AdministratorPassword>",
                "chpasswd:\n  list: |\n    ubuntu:RANDOM\n  expire: false",
                // Lines like a list's outside chpasswd, and a time under it.
                "users:\n  - default\nruncmd:\n  - echo:Hello1234\n",
            ],
        );
    }
}
