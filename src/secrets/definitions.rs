//! Names given a value by a language's or a build's own syntax, with no `=` or `:` between
//! them: C's and Objective-C's `#define DB_PASSWORD "…"`, Gradle's Groovy DSL `storePassword
//! '…'` (Android's signing configs), Android's `buildConfigField "String", "API_SECRET",
//! "\"…\""`, Terraform's `variable "db_password" { default = "…" }`. (An assignment, `x =
//! "…"`, in any language is `detectors.rs`' rule.)

use super::checks::assigned_value;
use super::detectors::{d, Detector, SECRET_NAME};

pub(super) fn detectors() -> Vec<Detector> {
    vec![
        // `#define API_SECRET @"…"`: a string constant (Objective-C's with its `@`).
        d("assigned_secret", &format!(r#"(?m)^[ \t]*#[ \t]*define[ \t]+({SECRET_NAME})[ \t]+@?"([^"\r\n]{{4,}})""#), &[2], assigned_value),
        // Groovy's call without brackets, a whole statement: `storePassword 'St0rePw9'` on its
        // line, or in a block written on one (`release { storePassword "…"; keyAlias "…" }`);
        // `keyPassword System.getenv("KEY_PASSWORD")` is code and no string.
        d(
            "assigned_secret",
            r#"(?m)(?:^|[{;])[ \t]*([A-Za-z_]*(?:[Pp]assword|[Ss]ecret|[Pp]assphrase))[ \t]+(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})')[ \t]*(?:[;}]|\r?$)"#,
            &[2, 3],
            assigned_value,
        ),
        // Terraform's `variable "db_password" { default = "…" }`: the name is the block's label.
        d("assigned_secret", &format!(r#"\bvariable\s+"({SECRET_NAME})"\s*\{{[^{{}}]*?\bdefault\s*=\s*"([^"\r\n]{{4,}})""#), &[2], assigned_value),
        // Android's `buildConfigField "String", "API_SECRET", "\"…\""`: the name is the second
        // argument, the value the third, its quotes escaped inside it.
        d(
            "assigned_secret",
            &format!(r#"\bbuildConfigField\s*\(?\s*["']\w+["']\s*,\s*["']({SECRET_NAME})["']\s*,\s*["'](?:\\")?([^"'\\\r\n]{{4,}})(?:\\")?["']"#),
            &[2],
            assigned_value,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use crate::secrets::cases::{finds_none, redacts_to};

    #[test]
    fn values_defined_without_an_equals_sign_are_found() {
        redacts_to(&[
            ("#define DB_PASSWORD \"Dp9xQv2mLw\"", "#define DB_PASSWORD \"[REDACTED:assigned_secret]\""),
            ("#define API_SECRET @\"k9Qm2LxV7tRp4NwZ8bYc3HdFt\"", "#define API_SECRET @\"[REDACTED:assigned_secret]\""),
            ("        storePassword 'St0rePw9xQ'", "        storePassword '[REDACTED:assigned_secret]'"),
            (
                r#"signingConfigs { release { storeFile file("r.jks"); storePassword "Bq8#xN4mZ2vK"; keyPassword "Rt5&yH9cW3pL" } }"#,
                r#"signingConfigs { release { storeFile file("r.jks"); storePassword "[REDACTED:assigned_secret]"; keyPassword "[REDACTED:assigned_secret]" } }"#,
            ),
            ("        keyPassword \"Kp9xQv2mL\"", "        keyPassword \"[REDACTED:assigned_secret]\""),
            (
                "variable \"db_password\" {\n  type    = string\n  default = \"Tf9!xQv2mLw\"\n}",
                "variable \"db_password\" {\n  type    = string\n  default = \"[REDACTED:assigned_secret]\"\n}",
            ),
            (
                r#"buildConfigField "String", "API_SECRET", "\"k9Qm2LxV7tRp4NwZ8bYc3HdFw\"""#,
                r#"buildConfigField "String", "API_SECRET", "\"[REDACTED:assigned_secret]\"""#,
            ),
        ]);
    }

    #[test]
    fn code_names_and_placeholders_stay() {
        finds_none(
            &["assigned_secret"],
            &[
                "#define PASSWORD_MAX_LENGTH 64",
                "#define PASSWORD_PROMPT \"Enter your password: \"",
                "        storePassword System.getenv(\"STORE_PASSWORD\")",
                "        keyPassword keystoreProperties['keyPassword']",
                "        storePassword 'android'",
                "    password \"${dbPassword}\"",
                r#"buildConfigField "String", "API_SECRET", "\"${apiSecret}\"""#,
                r#"buildConfigField "String", "BASE_URL", "\"https://api.acme.io\"""#,
                "variable \"db_password\" {\n  type      = string\n  sensitive = true\n}",
                "variable \"api_key_name\" { default = \"prod-api-key-v2\" }",
            ],
        );
    }
}
