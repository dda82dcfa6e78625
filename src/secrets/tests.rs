//! The scan's and redaction's own tests: entropy, key blocks, overlaps and what redaction leaves.

use super::cases::{finds_none, redacts_once};
use super::*;

#[test]
fn entropy_of_one_letter_and_of_a_password() {
    assert!(entropy("aaaaaaaa") < 0.1);
    assert!(entropy("q8Zr2LxP0vKm") > 3.0);
}

#[test]
fn a_private_key_is_redacted_whole() {
    let body = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB\nq8Zr2LxP0vKmR8x2Lq9ZtV4mN7bK1cW3yH6pJ0sD5fG2aE8uXy9Kq2Lm8VtR4nB7";
    let cases = [
        // A PEM file, with code around it.
        (format!("let a = 1;\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\nlet b = 2;"), "let a = 1;\n[REDACTED:private_key]\nlet b = 2;"),
        // Encrypted PEM headers, and a key cut short (no END line).
        (
            format!("-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,8F3A2B9C4D1E7F6A\n\n{body}\nfn next() {{}}"),
            "[REDACTED:private_key]\nfn next() {}",
        ),
        // A service account's key in a JSON string: escaped newlines.
        (
            format!("{{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\", \"x\": 1}}", body.replace('\n', "\\n")),
            "{\"private_key\": \"[REDACTED:private_key]\\n\", \"x\": 1}",
        ),
        // A PuTTY key file.
        (
            format!("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key\nPublic-Lines: 2\n{body}\nPrivate-Lines: 1\nAAAAIBq8Zr2LxP0vKmR8x2Lq9ZtV4mN7bK1c\nPrivate-MAC: 8f3a2b9c4d1e7f6a5b0c\nend"),
            "[REDACTED:private_key]\nend",
        ),
        // Its private part alone, as a hunk of the file shows it.
        (format!("+ x\nPrivate-Lines: 2\n{body}\nPrivate-MAC: 8f3a2b9c4d1e7f6a5b0c\nend"), "+ x\n[REDACTED:private_key]\nend"),
    ];
    // What a redaction of the header alone left behind before: the body is found too.
    let left = format!("[REDACTED:private_key]\n{body}\n-----END RSA PRIVATE KEY-----\nlet b = 2;");
    let cases = cases.into_iter().chain([(left, "[REDACTED:private_key]\n[REDACTED:private_key]\nlet b = 2;")]);
    for (text, want) in cases {
        let (out, f) = redact(&text);
        assert_eq!(out, want, "{text}");
        assert!(f.iter().all(|f| f.kind == "private_key") && !f.is_empty());
        assert!(!out.contains("MIIE") && !out.contains("q8Zr2"), "no key material left: {out}");
    }
}

#[test]
fn crypt_hashes_with_parameters_are_redacted_whole() {
    for hash in [
        "$6$rounds=5000$saltsalt$Q8zr2LxP0vKmR8x2Lq9ZtV4mN7bK1cW3yH6pJ0sD5fG.Q8zr2LxP0vKmR8x2Lq9ZtV4mN7bK1cW3y",
        "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        "$apr1$r31.....$HqJZimcKQFAMYayBlzkrA/",
    ] {
        let (out, f) = redact(&format!("admin:{hash}:19000:0:99999:7:::"));
        assert_eq!(out, "admin:[REDACTED:password_hash]:19000:0:99999:7:::", "{hash}");
        assert_eq!(f.len(), 1);
    }
}

#[test]
fn redaction_replaces_only_the_value() {
    let (out, f) = redact("password = \"q8Zr2LxP0vKm\" and key AKIAZ7Q4LMNB2XWE3R5T");
    assert_eq!(out, "password = \"[REDACTED:assigned_secret]\" and key [REDACTED:aws_access_key]");
    assert_eq!(f.len(), 2);
    assert!(!format!("{f:?}").contains("q8Zr2LxP0vKm"), "findings never carry the value");
    let (again, f2) = redact(&out);
    assert_eq!((again, f2.len()), (out.clone(), 0), "redaction is idempotent");
}

#[test]
fn an_unquoted_config_value_is_redacted_to_the_end_of_its_line() {
    // ini, YAML and properties values run to the end of the line: the words after a
    // space are the secret too (before, `3xQ9` was left in the dataset).
    for (text, want) in [
        ("[db]\npassword = Tr0ub4dor 3xQ9\nhost = db", "[db]\npassword = [REDACTED:assigned_secret]\nhost = db"),
        ("db_password: Tr0ub4dor 3xQ9  # rotated\n", "db_password: [REDACTED:assigned_secret]  # rotated\n"),
        ("API_KEY=Zk3Vq9Lr2Xw7Nt5B", "API_KEY=[REDACTED:assigned_secret]"),
        ("password = \"q8Zr2LxP0vKm\" if x else y", "password = \"[REDACTED:assigned_secret]\" if x else y"),
    ] {
        let (out, f) = redact(text);
        assert_eq!(out, want, "{text}");
        assert_eq!(f.len(), 1, "{text}");
        assert!(!f[0].masked.contains("3xQ9"), "{}", f[0].masked);
    }
}

#[test]
fn a_command_after_an_environment_prefix_is_not_redacted_with_its_value() {
    // `PGPASSWORD=pw psql …` sets a variable for one command: the password goes, the
    // command stays in the pair (before, the whole line was redacted as the value).
    redacts_once(&[
        ("PGPASSWORD=Zk3Vq9Lr2Xw7 psql -h db -U app", "PGPASSWORD=[REDACTED:assigned_secret] psql -h db -U app"),
        ("DB_PASSWORD=Zk3Vq9Lr2Xw7 ./bin/migrate --up", "DB_PASSWORD=[REDACTED:assigned_secret] ./bin/migrate --up"),
        ("REDIS_PASSWORD=Zk3Vq9Lr2Xw7 redis-cli", "REDIS_PASSWORD=[REDACTED:assigned_secret] redis-cli"),
        // Still the value's words: a dotenv or ini line, a lower-case or spaced name.
        ("DB_PASSWORD=Zk3Vq9Lr2Xw7 horse battery", "DB_PASSWORD=[REDACTED:assigned_secret]"),
        ("db_password=Tr0ub4dor 3xQ9 -x", "db_password=[REDACTED:assigned_secret]"),
        ("DB_PASSWORD = Tr0ub4dor psql -h", "DB_PASSWORD = [REDACTED:assigned_secret]"),
    ]);
}

#[test]
fn a_flags_argument_is_one_word_and_the_next_argument_stays() {
    // A setting given to a flag (`docker run -e`, `helm --set`, `--build-arg`, a key store's
    // `--ks-pass pass:`) or to `env` is one shell word: before, the image, the chart or the
    // APK after it was redacted with the password.
    redacts_once(&[
        ("docker run -d -e POSTGRES_PASSWORD=Xk9mQ2vLp7 postgres:16", "docker run -d -e POSTGRES_PASSWORD=[REDACTED:assigned_secret] postgres:16"),
        (
            "helm install db --set auth.password=Xk9mQ2vLp7 bitnami/postgresql",
            "helm install db --set auth.password=[REDACTED:assigned_secret] bitnami/postgresql",
        ),
        ("docker build --build-arg NPM_TOKEN=Xk9mQ2vLp7Zr4 .", "docker build --build-arg NPM_TOKEN=[REDACTED:assigned_secret] ."),
        ("apksigner sign --ks-pass pass:Zr8qLm2Xv4 app.apk", "apksigner sign --ks-pass pass:[REDACTED:assigned_secret] app.apk"),
        ("env DB_PASSWORD=Pq8zLm3vXk ./run.sh", "env DB_PASSWORD=[REDACTED:assigned_secret] ./run.sh"),
        // Not a flag: a YAML list item's dash, and a value's own words after no flag.
        ("users:\n  - password: Tr0ub4dor 3xQ9\n", "users:\n  - password: [REDACTED:assigned_secret]\n"),
        ("- db_password=Tr0ub4dor 3xQ9", "- db_password=[REDACTED:assigned_secret]"),
    ]);
}

#[test]
fn htpasswd_with_the_password_on_its_command_line_is_found() {
    redacts_once(&[
        ("htpasswd -b /etc/nginx/.htpasswd admin Zk3Vq9Lr2X", "htpasswd -b /etc/nginx/.htpasswd admin [REDACTED:cli_password]"),
        ("htpasswd -nbB admin Zk3Vq9Lr2X > users", "htpasswd -nbB admin [REDACTED:cli_password] > users"),
        ("htpasswd -c -b -C 12 .htpasswd ops 'Zk3 Vq9'", "htpasswd -c -b -C 12 .htpasswd ops [REDACTED:cli_password]"),
    ]);
    // Without `-b` the password is asked for: nothing on the line is one.
    finds_none(&[], &["htpasswd -c .htpasswd admin", "htpasswd -B .htpasswd admin", "htpasswd -b .htpasswd admin $HTPASS"]);
}

#[test]
fn a_yaml_tag_before_a_value_keeps_the_value_a_secret() {
    // `!!binary` holds the secret as base64, `!!str` as text (detect-secrets' test data
    // has both); `!secret`, `!Ref` and `!vault` name or encrypt one elsewhere.
    redacts_once(&[
        ("db_secret: !!binary MjNjcnh1IDJieXJpdXYyeXJpaTJidnl1MnI4OXkyb3UwMg==", "db_secret: !!binary [REDACTED:assigned_secret]"),
        ("password: !!str Zk3Vq9Lr2Xw7", "password: !!str [REDACTED:assigned_secret]"),
        ("secret_key: !!binary |\n  MjNjcnh1IDJieXJpdXYyeXJpaTJidnl1MnI4OXkyb3UwMg==\n", "secret_key: !!binary |\n  [REDACTED:assigned_secret]\n"),
    ]);
    finds_none(&[], &["api_password: !secret http_password", "password: !Ref DbPassword", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n"]);
}

#[test]
fn an_ini_value_on_the_line_after_its_name_is_found() {
    let (out, f) = redact("[smtp]\nsmtp_password =\n    Zk3Vq9Lr2Xw7\nhost = mail\n");
    assert_eq!(out, "[smtp]\nsmtp_password =\n    [REDACTED:assigned_secret]\nhost = mail\n");
    assert_eq!(f.len(), 1);
    // Its further indented lines are more of it, and go with it.
    let (out, _) = redact("[smtp]\nsmtp_password =\n    Zk3Vq9Lr2Xw7\n    Qm8rX3zTw7Lp\nhost = mail\n");
    assert_eq!(out, "[smtp]\nsmtp_password =\n    [REDACTED:assigned_secret]\nhost = mail\n");
    // Code that continues an assignment on the next line is not a value.
    finds_none(&[], &["let token =\n    compute_token(&cfg);", "password =\n    config.password", "secret =\n    (a, b)"]);
}

#[test]
fn values_side_by_side_are_each_redacted() {
    // What a pattern reads past a value (a comma, a dash, a slash) begins the next one: the
    // second of each pair was left in the text before.
    super::cases::redacts_to(&[
        ("allowed: 10.20.30.40,10.20.30.41", "allowed: [REDACTED:ip_address],[REDACTED:ip_address]"),
        ("range 168.1.6.50-168.1.6.80 only", "range [REDACTED:ip_address]-[REDACTED:ip_address] only"),
        ("via 172.16.5.4/172.16.5.9", "via [REDACTED:ip_address]/[REDACTED:ip_address]"),
        ("ssn 536-22-8726,536-22-8727", "ssn [REDACTED:ssn],[REDACTED:ssn]"),
    ]);
}
