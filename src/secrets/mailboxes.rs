//! What is written as an email address and is no one's mailbox: a guide's example, a systemd
//! unit's instance, an SSH algorithm's name, a cloud service account.

/// The documentation domains (RFC 2606's, and GitHub's no-reply addresses).
pub(super) fn is_example_email(e: &str) -> bool {
    is_example_domain(&domain(e))
}

/// The part after `@`, lower-cased.
fn domain(e: &str) -> String {
    e.rsplit('@').next().unwrap_or("").to_ascii_lowercase()
}

fn is_example_domain(domain: &str) -> bool {
    ["example.com", "example.org", "example.net", "test.com", "localhost", "users.noreply.github.com"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
        || domain.ends_with(".example")
        || domain.ends_with(".invalid")
        || domain.ends_with(".test")
}

/// The kinds of systemd unit, which a template's instance is written before: `openvpn@server.service`,
/// `wg-quick@wg0.service`, `frr@sdn.service`. None is a top-level domain.
const UNIT_KINDS: &[&str] = &["service", "socket", "timer", "mount", "automount", "swap", "target", "path", "slice", "scope", "device"];

/// Domains that name things, not mailboxes: SSH's algorithms are named in their authors'
/// domains (`chacha20-poly1305@openssh.com`, `curve25519-sha256@libssh.org`), and a Google Cloud
/// service account is a program's identity (`deployer@project.iam.gserviceaccount.com`).
const NAMING_DOMAINS: &[&str] = &["openssh.com", "libssh.org"];

/// Whether `e`, written as an email address, is no one's: a person's mailbox is personal
/// data; a unit, an algorithm or a program is not, nor what no mail system would take.
pub(super) fn no_ones_mailbox(e: &str) -> bool {
    let domain = domain(e);
    let unit = domain.rsplit_once('.').is_some_and(|(instance, kind)| !instance.contains('.') && UNIT_KINDS.contains(&kind));
    // A local part with dots at its end or two together is no address (`…token...@host`, a
    // guide's elision before a URL's host).
    let local = e.split('@').next().unwrap_or("");
    let no_address = local.starts_with('.') || local.ends_with('.') || local.contains("..");
    is_example_domain(&domain) || unit || NAMING_DOMAINS.contains(&domain.as_str()) || domain.ends_with(".gserviceaccount.com") || no_address
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_algorithms_and_service_accounts_are_no_ones_mailbox() {
        for e in [
            "frr@sdn.service",
            "wg-quick@wg0.service",
            "container-getty@1.service",
            "backup@daily.timer",
            "chacha20-poly1305@openssh.com",
            "umac-128-etm@openssh.com",
            "curve25519-sha256@libssh.org",
            "terraform-state@my-project.iam.gserviceaccount.com",
            "123456789-compute@developer.gserviceaccount.com",
            "jane@example.com",
            "token...@huggingface.co",
            ".hidden@acme-corp.io",
        ] {
            assert!(no_ones_mailbox(e), "{e}");
        }
        for e in ["jane.doe@acme-corp.io", "ops@service.acme-corp.io", "root@pve01.acme.com", "someone@openssh.org", "dev@services.example-corp.services"] {
            assert!(!no_ones_mailbox(e), "{e}");
        }
    }
}
