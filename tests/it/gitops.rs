//! A GitOps repository's commit (Kubernetes manifests whose secrets are kept elsewhere: a
//! secret manager's references, SOPS's and Sealed Secrets' ciphertexts) becomes a pair as
//! written, not one flagged sensitive; a plain Secret's base64 `data:` is read decoded, and
//! the password in it redacted where the pair is written.

use base64::Engine;

use crate::commits::commit;
use crate::env::{OutputExt, TestEnv};

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A Sealed Secret's value as `kubeseal` writes it (4096-bit key: the length 512, the sealed
/// session key, the value and its tag).
pub(crate) fn sealed_value() -> String {
    let mut bytes = vec![0x02, 0x00];
    bytes.extend((0..512 + 30).map(|i: u32| (i.wrapping_mul(2_246_822_519) >> 24) as u8));
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The billing service's manifests: its settings' references, its sealed password, its
/// SOPS-encrypted token, and (when `leak` holds) a plain Secret with the database URL.
fn manifests(leak: bool) -> String {
    let mut text = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: billing\nspec:\n  template:\n    spec:\n      containers:\n        - name: billing\n          image: ghcr.io/acme/billing:1.4.2\n          env:\n            - name: STRIPE_API_KEY\n              value: op://payments/stripe/api_key\n            - name: INVOICE_TOKEN\n              value: ref+vault://secret/data/billing#/invoice_token\n---\napiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: billing-db\nspec:\n  encryptedData:\n    password: {}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: billing-webhook\nstringData:\n  webhook_token: ENC[AES256_GCM,data:Rk9nQ2xLm7Vq8Zt3Wp+4Yq8kQ2xLm7==,iv:Qm2LxV7tRp4NwZ8bYc3HdFuK9xQv2mLwKp4Tq8Zr2Lx=,tag:Zk3Vq9Lr2Xw7Nt5BQm2LxA==,type:str]\n",
        sealed_value()
    );
    if leak {
        text.push_str(&format!(
            "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: billing-db-url\ntype: Opaque\ndata:\n  DATABASE_URL: {}\n  PORT: {}\n",
            b64("postgres://billing:Bq7kQ2xLm9@db.internal:5432/billing"),
            b64("8080")
        ));
    }
    text
}

fn backfill_pair(leak: bool) -> serde_json::Value {
    let env = TestEnv::new();
    env.talk(&[
        ("2026-03-01T10:00:00+00:00", "the billing service needs its stripe key and the invoice token in the cluster, deploy billing with its secrets"),
        ("2026-03-01T10:00:30+00:00", "yes I will add the billing deployment manifests with the stripe key, the invoice token and the database secret"),
    ]);
    commit(&env, "deploy/billing.yaml", manifests(leak).as_bytes(), "Deploy billing with its stripe key and invoice token", &[]);
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let text = std::fs::read_to_string(env.repo.join(".git/screenlink/training_data.jsonl")).unwrap();
    let pairs: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(pairs.len(), 1, "{text}");
    pairs.into_iter().next().unwrap()
}

#[test]
fn secrets_kept_elsewhere_are_written_as_they_are() {
    let pair = backfill_pair(false);
    let output = pair["output"].as_str().unwrap();
    for kept in ["op://payments/stripe/api_key", "ref+vault://secret/data/billing#/invoice_token", "ENC[AES256_GCM,data:"] {
        assert!(output.contains(kept), "{kept} not in {output}");
    }
    // The sealed value, 724 characters of base64 on a line, is data to the pair builder, as a
    // notebook's plotted image is: left out, not redacted.
    assert!(output.contains("  encryptedData:\n---\n") && !output.contains(&sealed_value()[..40]), "{output}");
    assert!(!output.contains("REDACTED"), "{output}");
    assert_eq!(pair["metadata"].get("redacted"), None, "{}", pair["metadata"]);
}

#[test]
fn a_password_in_a_secrets_base64_data_is_redacted() {
    let pair = backfill_pair(true);
    let output = pair["output"].as_str().unwrap();
    assert!(output.contains("  DATABASE_URL: [REDACTED:connection_string]\n"), "{output}");
    assert!(!output.contains(&b64("postgres://billing:Bq7kQ2xLm9@db.internal:5432/billing")), "{output}");
    assert!(output.contains(&format!("  PORT: {}", b64("8080"))), "{output}");
    assert!(output.contains("op://payments/stripe/api_key"), "{output}");
    assert_eq!(pair["metadata"]["redacted"], serde_json::json!(["connection_string"]));
}
