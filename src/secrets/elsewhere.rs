//! Values that stand for a secret kept elsewhere, which is why a repository may hold them: a
//! secret manager's reference (the secret is fetched when the program runs), or the secret
//! encrypted for a key the repository does not hold (GitOps keeps secrets so). Each is written
//! where a secret goes, under a secret's name, so without this they read as the secret.

use base64::Engine;

/// A reference to a secret, the file that holds it, or the secret encrypted: each is safe to
/// commit and to train on.
pub(super) fn kept_elsewhere(v: &str) -> bool {
    is_reference(v) || is_key_file(v) || is_encrypted(v)
}

/// Extensions of files that hold keys and certificates.
const KEY_FILES: &[&str] = &["pem", "der", "key", "crt", "cer", "p12", "pfx", "jks", "keystore", "b64", "asc", "gpg", "ppk"];

/// The name of a file that holds a key (`keys/admin.pem`, Spring's `classpath:private_key.der`,
/// `file:relative/secret_key.b64`): where the secret is, not the secret.
fn is_key_file(v: &str) -> bool {
    let path = v.strip_prefix("classpath:").or_else(|| v.strip_prefix("file:")).unwrap_or(v);
    path.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty()
            && KEY_FILES.contains(&ext.to_ascii_lowercase().as_str())
            && stem.chars().all(|c| c.is_ascii_alphanumeric() || "/_.-".contains(c))
            && (stem.contains(['/', '_', '-', '.']) || path.len() < v.len())
    })
}

/// Schemes that name a secret in a manager: 1Password's secret references (`op://vault/item/field`),
/// vals' and helmfile's (`ref+vault://…`, `ref+awssecrets://…`, `ref+sops://…`, any backend),
/// Berglas's Google Secret Manager and Cloud Storage ones (`sm://project/name`, `berglas://…`).
const SCHEMES: &[&str] = &["op://", "sm://", "berglas://"];

fn is_reference(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    SCHEMES.iter().any(|s| lower.starts_with(s) && lower.len() > s.len())
        || lower.strip_prefix("ref+").and_then(|r| r.split_once("://")).is_some_and(|(backend, path)| {
            !backend.is_empty() && backend.chars().all(|c| c.is_ascii_alphanumeric()) && !path.is_empty()
        })
        || is_vault_path(v)
        || is_arn(&lower)
        || is_gcp_secret_name(v)
        // Azure App Service's and Functions' Key Vault references.
        || lower.starts_with("@microsoft.keyvault(")
        // Azure Container Apps' `secretref:name`; wpa_supplicant's `ext:name` (NixOS's
        // `pskRaw = "ext:psk_home"`), a password in a secrets file.
        || ["secretref:", "ext:"].iter().any(|p| lower.strip_prefix(p).is_some_and(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')))
        || is_object_name(v)
}

/// A Kubernetes object named with its namespace (cert-manager's
/// `inject-ca-from-secret: cert-manager/cert-manager-webhook-ca`): lower-case words and
/// hyphens on both sides of one slash.
fn is_object_name(v: &str) -> bool {
    let label = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !p.starts_with('-') && !p.ends_with('-');
    v.split_once('/').is_some_and(|(ns, name)| label(ns) && label(name) && v.contains('-'))
}

/// Bank-Vaults' webhook references (`vault:secret/data/accounts/aws#AWS_SECRET_ACCESS_KEY`, with
/// an optional `#version`): a path in Vault and a key in it.
fn is_vault_path(v: &str) -> bool {
    let Some(rest) = v.strip_prefix("vault:") else { return false };
    let Some((path, key)) = rest.split_once('#') else { return false };
    path.contains('/')
        && path.chars().all(|c| c.is_ascii_alphanumeric() || "/_.-".contains(c))
        && !key.is_empty()
        && key.chars().all(|c| c.is_ascii_alphanumeric() || "#_.-".contains(c))
}

/// An Amazon Resource Name (`arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf`,
/// an SSM parameter's, a KMS key's): it names a resource, it holds none.
fn is_arn(lower: &str) -> bool {
    let mut parts = lower.splitn(6, ':');
    parts.next() == Some("arn")
        && parts.next().is_some_and(|p| p.starts_with("aws"))
        && parts.next().is_some_and(|service| !service.is_empty() && service.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && parts.next().is_some_and(|region| region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && parts.next().is_some_and(|account| account.is_empty() || account == "aws" || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())))
        && parts.next().is_some_and(|resource| !resource.is_empty())
}

/// Google Secret Manager's resource name: `projects/<project>/secrets/<name>`, with its
/// `/versions/<version>` or not.
fn is_gcp_secret_name(v: &str) -> bool {
    let parts: Vec<&str> = v.split('/').collect();
    let name = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    matches!(parts.len(), 4 | 6)
        && parts[0] == "projects"
        && name(parts[1])
        && parts[2] == "secrets"
        && name(parts[3])
        && (parts.len() == 4 || (parts[4] == "versions" && name(parts[5])))
}

/// A secret encrypted for a key kept outside the repository: SOPS's values
/// (`ENC[AES256_GCM,data:…,iv:…,tag:…,type:str]`, or the part of one a rule's value stops at)
/// and hiera-eyaml's (`ENC[PKCS7,…]`, `ENC[GPG,…]`), Jasypt's in Spring properties
/// (`ENC(…)`), Spring Cloud Config's (`{cipher}…`), Vault's transit ciphertext (`vault:v1:…`),
/// a Sealed Secret's ciphertext, an AWS KMS ciphertext blob.
fn is_encrypted(v: &str) -> bool {
    ["ENC[AES256_GCM", "ENC[PKCS7,", "ENC[GPG,"].iter().any(|p| v.starts_with(p))
        || v.strip_prefix("{cipher}").is_some_and(|r| {
            // After the key's name, when there is one (`{cipher}{key:prod}…`).
            let mut body = r;
            while let Some((_, rest)) = body.strip_prefix('{').and_then(|b| b.split_once('}')) {
                body = rest;
            }
            is_base64_text(body)
        })
        || v.strip_prefix("ENC(").and_then(|r| r.strip_suffix(')').or(Some(r))).is_some_and(is_base64_text)
        || v.strip_prefix("vault:v")
            .and_then(|r| r.split_once(':'))
            .is_some_and(|(n, body)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()) && is_base64_text(body))
        || is_sealed(v)
        || is_kms_blob(v)
}

/// Sixteen or more characters of base64.
fn is_base64_text(v: &str) -> bool {
    v.len() >= 16 && v.chars().all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
}

/// Bitnami's Sealed Secrets: base64 of a two-byte length, the session key encrypted by the
/// cluster's RSA key (that many bytes: 128 to 512), then the value sealed by AES-GCM (its
/// 16-byte tag at least). A random secret begins so once in 65,536 and is not 150 bytes long.
fn is_sealed(v: &str) -> bool {
    // The length is in the first four characters: the whole value is decoded only when it
    // is one of those (this runs on every long value a rule matches).
    let Some(head) = v.get(..4).filter(|_| v.len() >= 200) else { return false };
    let Some(&[hi, lo, ..]) = base64::engine::general_purpose::STANDARD.decode(head).ok().as_deref() else { return false };
    let key = (usize::from(hi) << 8) | usize::from(lo);
    [128, 256, 384, 512].contains(&key) && base64::engine::general_purpose::STANDARD.decode(v).is_ok_and(|bytes| bytes.len() > 2 + key + 16)
}

/// An AWS KMS ciphertext blob (what `aws kms encrypt` prints, Lambda's encrypted environment
/// variables): base64 beginning with its version and key-id header, `AQICAH` or `AQECAH`.
fn is_kms_blob(v: &str) -> bool {
    (v.starts_with("AQICAH") || v.starts_with("AQECAH")) && v.len() >= 100 && is_base64_text(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_a_secret_and_hold_none() {
        for v in [
            "op://homelab/volsync/SECRET_S3_SECRET_KEY",
            "op://Services/OVHcloud/API Keys/traefik-application-secret",
            "ref+vault://secret/data/db#/password",
            "ref+awssecrets://myteam/api#/key",
            "ref+sops://secrets.enc.yaml#/db/password",
            "vault:secret/data/myapp#password",
            "vault:secret/data/accounts/aws#AWS_SECRET_ACCESS_KEY#2",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
            "arn:aws:ssm:eu-west-1:123456789012:parameter/prod/db/password",
            "projects/my-project/secrets/api-token/versions/latest",
            "projects/my-project/secrets/api-token",
            "sm://my-project/api-key",
            "@Microsoft.KeyVault(SecretUri=https://myvault.vault.azure.net/secrets/dbpass/)",
            "secretref:db-password",
            "keys/private_key_admin1.pem",
            "classpath:private_key.der",
            "file:relative/path/secret_key.b64",
            "ext:psk_home",
            "cert-manager/cert-manager-webhook-ca",
        ] {
            assert!(kept_elsewhere(v), "{v}");
        }
    }

    #[test]
    fn secrets_that_resemble_references_are_not_taken_for_them() {
        for v in [
            "op://",
            "ref+://x",
            "vault:Sup3rS3cret!",
            "vault:s3cr3t#",
            "arn:x:Kq8vPz2mLw",
            "projects/x/secrets",
            "secretref:",
            "Kq8vPz2mLw7xYt4nBv6c",
            "AQICAHhshort",
            "ENC[",
            "ENC(short)",
            "vault:v1:",
            "Sup3r.pem",
            "my pass.key",
            "ext:",
            "ext:Sup3r S3cret",
            "abc/def",
            "Pa-ss/w0rd",
        ] {
            assert!(!kept_elsewhere(v), "{v}");
        }
    }

    #[test]
    fn encrypted_values_are_not_secrets() {
        let sops = "ENC[AES256_GCM,data:To6eP3uCm+IQo6KCBalF2Q+7zc4=,iv:GZz08Kz9fjCsIk1edHVZRYgSzfF9smzGbllOU6op+z8=,tag:Zrp5RNck7DXCVffX/zmWIQ==,type:str]";
        assert!(kept_elsewhere(sops));
        // Sealed with a 4096-bit key: the length 512, the key's bytes, the value and its tag.
        let mut sealed = vec![0x02, 0x00];
        sealed.extend((0..512 + 40).map(|i| (i * 37 % 251) as u8));
        let sealed = base64::engine::general_purpose::STANDARD.encode(&sealed);
        assert!(kept_elsewhere(&sealed));
        // The same bytes cut before the value's tag, or with another length, are not sealed.
        let cut = base64::engine::general_purpose::STANDARD.encode([&[0x02, 0x00][..], &[7; 520]].concat());
        assert!(!kept_elsewhere(&cut));
        let odd = base64::engine::general_purpose::STANDARD.encode([&[0x02, 0x01][..], &[7; 600]].concat());
        assert!(!kept_elsewhere(&odd));
        let kms = "AQICAHhL8Rz0WmXn3kQ9xGvTqUpbcJc5eY9+VxW7nG5eN2Tq8QFsn0o6vYqL0gF3aYw8oT9qIxLqAAAAZzBlBgkqhkiG9w0BBwagWDBWAgEAMFEGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM";
        assert!(kept_elsewhere(kms));
        for v in [
            "ENC[PKCS7,MIIBeQYJKoZIhvcNAQcDoIIBajCCAWYCAQAxggEhMIIBHQIBADAFMAACAQEwDQYJKoZIhvcNAQEBBQAEggEAq8bN2YxV9kQz]",
            "ENC(nrmZtkF7T0kjG/VodDvBw93Ct8EgjCAwkaCqWTbTTVcTGmSF0jHvh7XYVlTb7Q+c)",
            "vault:v1:8SDd3WHDOjf7mq69CyCqYjBXAiQQAVZRkFM13ok481zoCmHnSeDX9vyf7w==",
            "{cipher}AQA2Sx5Lq8vTPeGg0X3Y4tR8k2lH6zVbN9mQ1cW7dJ5fE3aK0uI4oP6sD8gH2jL5nM7bV9cX1zA3qW5eR7tY9uI0oP2aS4dF6gH8jK0lZ2xC4vB6nM8qW0eR2tY4u",
            "{cipher}{key:prod}682bc583f4641835fa2db009355293665d2647dade3375c0ee201de2a49f7bda",
        ] {
            assert!(kept_elsewhere(v), "{v}");
        }
    }
}
