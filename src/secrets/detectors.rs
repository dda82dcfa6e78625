//! The detectors: a kind, a pattern, the capture group that holds the sensitive value, and a
//! check on the match where a pattern alone fires on look-alikes. Provider prefixes follow
//! the public rule lists of the major scanners (gitleaks, trufflehog, GitHub's secret
//! scanning); the assignment rules cover the formats configuration is written in.

use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::checks::{
    assigned_value, cli_password, decodes_to_credentials, decodes_to_private_key, defined_value, generated_body, holds_key_material, is_boring_ip,
    is_example_email, looks_like_code, luhn_card, value_of_name, xml_value,
};
use super::paths::is_credential_path;

pub(super) struct Detector {
    pub kind: &'static str,
    pub re: Regex,
    /// Capture groups that may hold the value; the first that matched is it.
    pub groups: &'static [usize],
    pub check: fn(&Captures, &str) -> bool,
    /// A capture group that, right after the value, is more of it: what an unquoted config
    /// value holds past a space (`password = Tr0ub4dor 3xQ9` in ini, YAML, properties). It is
    /// redacted with the value; the check judges the first word alone.
    pub tail: Option<usize>,
    /// A cheap test a text must pass for the pattern to be worth running: for a pattern that
    /// starts at every line and so gives the regex engine no literal to look for first.
    pub hint: Option<fn(&str) -> bool>,
}

/// A value that runs on into a URL's next parameter (`pass=123456&DevBat=80`), after a name
/// that is a parameter itself (`?` or `&` before it).
fn is_query_string(c: &Captures, v: &str) -> bool {
    let (Some(name), Some(all)) = (c.get(1), c.get(0)) else { return false };
    let text = all.as_str();
    let before = &text[..name.start() - all.start()];
    (before.ends_with('?') || before.ends_with('&')) && v.split('&').skip(1).any(|p| p.contains('='))
}

/// Whether a text compares anything: the comparison rules start at any name.
fn compares(t: &str) -> bool {
    t.contains("==") || t.contains("!=")
}

fn always(_: &Captures, _: &str) -> bool {
    true
}

fn d(kind: &'static str, pattern: &str, groups: &'static [usize], check: fn(&Captures, &str) -> bool) -> Detector {
    Detector { kind, re: Regex::new(pattern).expect("valid detector regex"), groups, check, tail: None, hint: None }
}

/// Words that make a name secret-like, anywhere in it (`DB_PASSWORD`, `smtp_pass`,
/// `secret_key_base`, `_authToken`).
/// YAML's tags for a plain value (`password: !!str …`, `key: !!binary <base64>`), which hold
/// the secret itself; other tags (`!secret name`, `!Ref`, `!vault`) name or encrypt it.
const YAML_TAG: &str = r"!!(?:binary|str)[ \t]+";
const SECRET_NAME: &str = r"[A-Za-z0-9_.\-]*?(?i:password|passwd|passphrase|pwd|pass|pw|psk|secret|api[_.\-]?key|apikey|access[_.\-]?key|private[_.\-]?key|(?:encryption|signing|master|app|hmac|session)[_.\-]?key|(?:ado|devops|github|gh|gitlab)[_.\-]?pat|auth[_.\-]?token|access[_.\-]?token|refresh[_.\-]?token|token|client[_.\-]?secret|client[_.\-]?key|salt|key)[A-Za-z0-9_.\-]*";

/// A key block's first and last lines (PEM, OpenSSH, PGP).
const BEGIN_KEY: &str = r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";
const END_KEY: &str = r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";

/// One more line of a key block: a newline (real or escaped; a blank line may come first, as
/// after an encrypted key's headers) and then base64, or a header
/// a key file carries (`Proc-Type`, `DEK-Info`, PuTTY's `Encryption`, `Comment`, `…-Lines`).
const KEY_LINE: &str =
    r"(?:\r?\n|\\r?\\n){1,2}[ \t+]*(?:[A-Za-z0-9+/=]{16,}|(?:Proc-Type|DEK-Info|Encryption|Comment|Public-Lines|Private-Lines|Private-MAC): [^\r\n\\]*)";

pub(super) static DETECTORS: LazyLock<Vec<Detector>> = LazyLock::new(|| {
    let assignment = format!(
        r#"(?m)(?:^|[^A-Za-z0-9_])({SECRET_NAME})["']?\]?[ \t]*(=>|:=|::?|=)[ \t]*(?:{YAML_TAG})?(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})'|([^\s"',;#)}}\]<]{{4,}})([ \t]+[^\s#;'"][^\r\n#]*)?)"#
    );
    vec![
        // Keys and key files: the whole block, its key material too, not the header alone (a
        // redacted header before the base64 body would leave the key in the dataset). A block
        // cut short (no END line, as a diff can show it) runs on over the lines that look like
        // key material. Newlines may be real or escaped (a key in a JSON string).
        d("private_key", &format!(r"{BEGIN_KEY}(?:[\s\S]*?{END_KEY}|(?:{KEY_LINE})*)"), &[0], |_, v| holds_key_material(v)),
        // Key material without its BEGIN line: what a redaction of the header alone (before
        // this version) left in a dataset, so `validate --fix` can finish the job.
        d("private_key", &format!(r"(?:[A-Za-z0-9+/=]{{16,}}(?:\r?\n|\\r?\\n))+{END_KEY}"), &[0], |_, v| holds_key_material(v)),
        d(
            "private_key",
            r"-----BEGIN OpenVPN Static key V\d-----(?:[\s\S]*?-----END OpenVPN Static key V\d-----|(?:(?:\r?\n|\\r?\\n)[0-9a-fA-F]{16,})*)",
            &[0],
            always,
        ),
        d("private_key", &format!(r"PuTTY-User-Key-File-\d+: [^\r\n\\]+(?:[\s\S]*?Private-MAC: [0-9a-fA-F]+|(?:{KEY_LINE})*)"), &[0], always),
        // A PuTTY key's private part without the file's first line (a diff hunk, a paste of
        // the body): its `Private-Lines` count and the base64 lines after it.
        d("private_key", &format!(r"Private-Lines: \d+(?:\r?\n|\\r?\\n)[ \t+]*[A-Za-z0-9+/=]{{16,}}(?:{KEY_LINE})*"), &[0], always),
        // A key file as base64, as kubeconfig's `client-key-data` and Kubernetes' TLS secrets
        // hold it (`LS0tLS1CRUdJTi` is `-----BEGIN` encoded).
        d("private_key", r"\b(LS0tLS1CRUdJTi[A-Za-z0-9+/]{20,}={0,2})", &[1], |_, v| decodes_to_private_key(v)),
        // A Google service account's key file: the key is a block above; its id names it.
        d("gcp_service_account", r#""private_key_id"\s*:\s*"([0-9a-f]{40})""#, &[1], always),
        // Provider tokens, by prefix.
        d("aws_access_key", r"\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b", &[1], always),
        d(
            "github_token",
            r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255}|ghs_[0-9]{1,20}_[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})",
            &[1],
            always,
        ),
        d("gitlab_token", r"\b(gl(?:pat|dt|ptt|rt|soat|cbt)-[A-Za-z0-9_\-]{20,})", &[1], always),
        d("slack_webhook", r"(https://hooks\.slack\.com/(?:services|workflows)/T[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+)", &[1], always),
        d("slack_token", r"\b(xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,})", &[1], always),
        d("discord_webhook", r"(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_\-]{20,})", &[1], always),
        d("teams_webhook", r"(https://[A-Za-z0-9\-]+\.webhook\.office\.com/webhookb2/[A-Za-z0-9\-@/]{40,})", &[1], always),
        // A shared access signature: the `sig` of a URL that says what it signs (`sv=`).
        d("azure_sas", r"[?&]sv=\d{4}-\d{2}-\d{2}&[^\s\x22'<>]*?\bsig=([A-Za-z0-9%+/=]{20,})", &[1], always),
        d("stripe_key", r"\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})\b", &[1], always),
        d("anthropic_key", r"\b(sk-ant-[A-Za-z0-9]+-[A-Za-z0-9_\-]{20,})", &[1], always),
        // Words joined by hyphens are CSS classes (SpinKit's `sk-spinner-fading-circle`), not a key.
        d("openai_key", r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,})", &[1], |_, s| !s.starts_with("sk-ant-") && generated_body(&s[3..])),
        d("google_api_key", r"\b(AIza[0-9A-Za-z_\-]{35})", &[1], always),
        d("npm_token", r"\b(npm_[A-Za-z0-9]{36})\b", &[1], always),
        d("pypi_token", r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})", &[1], always),
        d("sendgrid_key", r"\b(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})\b", &[1], always),
        d("twilio_key", r"\b(SK[0-9a-fA-F]{32})\b", &[1], |_, s| super::entropy(s) > 3.0),
        d("shopify_token", r"\b(shp(?:at|ss|ca|pa)_[A-Za-z0-9]{32,64})\b", &[1], |_, v| generated_body(&v[6..])),
        d("discord_token", r"\b([MNO][A-Za-z\d_\-]{23,25}\.[A-Za-z\d_\-]{6}\.[A-Za-z\d_\-]{27,38})\b", &[1], always),
        d("telegram_token", r"\b(\d{8,10}:AA[0-9A-Za-z_\-]{33})\b", &[1], always),
        d("azure_storage_key", r"(?i)AccountKey=([A-Za-z0-9+/]{86}==)", &[1], always),
        d("mailgun_key", r"\b(key-[0-9a-zA-Z]{32})\b", &[1], |_, s| super::entropy(s) > 3.5),
        d("mailchimp_key", r"\b([0-9a-f]{32}-us[0-9]{1,2})\b", &[1], always),
        d("square_token", r"\b(sq0(?:atp|csp)-[0-9A-Za-z_\-]{22,43})", &[1], always),
        d("digitalocean_token", r"\b(do[por]_v1_[a-f0-9]{64})\b", &[1], always),
        d("huggingface_token", r"\b(hf_[A-Za-z]{34})\b", &[1], always),
        d("databricks_token", r"\b(dapi[a-fA-F0-9]{32}(?:-\d)?)\b", &[1], always),
        d("newrelic_key", r"\b(NRAK-[A-Z0-9]{27})\b", &[1], always),
        d("age_secret_key", r"\b(AGE-SECRET-KEY-1[0-9A-Z]{58})\b", &[1], always),
        // Session 16: more providers' prefixed tokens, after gitleaks' public rules.
        d("vault_token", r"\b(hv[sb]\.[A-Za-z0-9_\-]{90,})", &[1], always),
        d("doppler_token", r"\b(dp\.(?:pt|st|sa|ct|scim|audit)\.(?:[a-z0-9_\-]{2,35}\.)?[A-Za-z0-9]{40,44})\b", &[1], always),
        d("dynatrace_token", r"\b(dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64})\b", &[1], always),
        d("grafana_token", r"\b(glc_[A-Za-z0-9+/]{32,400}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})", &[1], always),
        d("linear_key", r"\b(lin_api_[A-Za-z0-9_]{32,128})\b", &[1], |_, v| generated_body(&v[8..])),
        d("planetscale_token", r"\b(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_=.\-]{32,64})", &[1], always),
        d("postman_key", r"\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b", &[1], always),
        d("prefect_key", r"\b(pnu_[A-Za-z0-9]{36})\b", &[1], always),
        d("pulumi_token", r"\b(pul-[a-f0-9]{40})\b", &[1], always),
        d("rubygems_key", r"\b(rubygems_[a-f0-9]{48})\b", &[1], always),
        d("sendinblue_key", r"\b(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})\b", &[1], always),
        d("shippo_token", r"\b(shippo_(?:live|test)_[a-f0-9]{40})\b", &[1], always),
        d("sentry_token", r"\b(sntrys_eyJ[A-Za-z0-9_=+/\-]{60,}|sntryu_[a-f0-9]{64})", &[1], always),
        d("sourcegraph_token", r"\b(sgp_(?:[a-f0-9]{16}_)?[a-f0-9]{40})\b", &[1], always),
        d("artifactory_key", r"\b(AKCp[A-Za-z0-9]{69})\b", &[1], always),
        d("atlassian_token", r"\b(ATATT3[A-Za-z0-9_\-=]{150,})", &[1], always),
        d("alibaba_key", r"\b(LTAI[A-Za-z0-9]{20})\b", &[1], |_, v| v.chars().any(|c| c.is_ascii_digit())),
        d("flutterwave_key", r"\b(FLWSECK(?:_TEST)?-[a-h0-9]{32}-X)", &[1], always),
        d("clojars_token", r"\b(CLOJARS_[a-z0-9]{60})\b", &[1], always),
        d("duffel_token", r"\b(duffel_(?:test|live)_[A-Za-z0-9_\-=]{43})", &[1], always),
        d("dropbox_token", r"\b(sl\.[A-Za-z0-9_\-=]{130,})", &[1], always),
        // Session 34: the prefixed tokens of Nosey Parker's rule examples that no rule here
        // found (praetorian-inc/noseyparker, `data/default/builtin/rules`, fetched to measure).
        d("adafruit_key", r"\b(aio_[A-Za-z0-9]{28})\b", &[1], always),
        d("dependency_track_key", r"\b(odt_[A-Za-z0-9]{32,255})\b", &[1], always),
        d("jina_key", r"\b(jina_[a-f0-9]{32}[A-Za-z0-9_\-]{20,})", &[1], always),
        d("tavily_key", r"\b(tvly-(?:dev-|prod-)?[A-Za-z0-9]{32})\b", &[1], |_, v| super::entropy(v) > 3.0),
        d("twitch_stream_key", r"\b(live_\d{6,12}_[A-Za-z0-9]{30})\b", &[1], always),
        // Session 38: prefixes of secretlint's rules (secretlint/secretlint, each rule's
        // `test/snapshots`, fetched to measure) that no rule here knew.
        d("tailscale_key", r"\b(tskey-[a-z]{2,20}-[0-9A-Za-z_]{8,40}-[0-9A-Za-z_]{16,60})\b", &[1], always),
        d("vercel_token", r"\b(vc[pikar]_[A-Za-z0-9]{20,60})\b", &[1], |_, v| generated_body(&v[4..])),
        d("cloudflare_token", r"\b((?:cfk|cfut|cfat)_[A-Za-z0-9]{40}[0-9a-f]{8})\b", &[1], always),
        d("docker_token", r"\b(dckr_(?:pat|oat)_[A-Za-z0-9_\-]{27,64})", &[1], |_, v| generated_body(&v[9..])),
        d("groq_key", r"\b(gsk_[A-Za-z0-9]{52})\b", &[1], always),
        d("onepassword_token", r"\b(ops_eyJ[A-Za-z0-9+/=_\-]{100,})", &[1], always),
        // The two without a literal to start from are tried only where their literal is.
        Detector {
            hint: Some(|t| t.contains("NRA") || t.contains("NRI")),
            ..d("newrelic_key", r"\b(NRA[AIJ]-[a-f0-9]{27}|NRI[IQ]-[A-Za-z0-9_\-]{32}|[A-Za-z0-9]{36}NRAL)\b", &[1], |_, v| super::entropy(v) > 3.0)
        },
        d("pixie_key", r"\b(px-(?:api|dep)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", &[1], always),
        d("gitlab_token", r"\b(GR1348941[A-Za-z0-9_\-]{20})\b", &[1], always),
        d("nuget_key", r"\b(oy2[a-z0-9]{43})\b", &[1], always),
        d("okta_token", r"\bSSWS\s+(00[A-Za-z0-9_\-]{40})\b", &[1], always),
        d("sonar_token", r"\b(sq[pua]_[a-f0-9]{40})\b", &[1], always),
        d("sonar_token", r"(?i)sonar[._\-]?(?:login|token)[^\n]{0,6}?\b([a-f0-9]{40})\b", &[1], always),
        d("sourcegraph_token", r"\b(sgp_local_[a-f0-9]{40})\b", &[1], always),
        d("salesforce_token", r"\b(00D[A-Za-z0-9]{12,15}![A-Za-z0-9_.]{80,})", &[1], always),
        // Jenkins' encrypted secrets (`credentials.xml`, job `config.xml`): `{AQAAAB…}`, which
        // the instance's master key opens.
        d("jenkins_secret", r"\{(AQAAAB[A-Za-z0-9+/]{20,}={0,2})\}", &[1], always),
        Detector { hint: Some(|t| t.contains("AZDO")), ..d("azure_devops_pat", r"\b([A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4})\b", &[1], always) },
        d("grafana_token", r"\b(eyJrIjoi[A-Za-z0-9+/]{50,}={0,2})", &[1], always),
        d("teams_webhook", r"(https://outlook\.office(?:365)?\.com/webhook/[A-Za-z0-9\-@]{36,}/IncomingWebhook/[A-Za-z0-9\-/]{20,})", &[1], always),
        // HashiCorp Vault's unseal keys, as `vault operator init` prints them and `unseal` takes them.
        d("vault_unseal_key", r"(?i)\bunseal key \d+:\s*([A-Za-z0-9+/]{43,44}={0,2})", &[1], always),
        d("vault_unseal_key", r"\bvault operator unseal\s+(?:-\S+\s+)*([A-Za-z0-9+/]{43,44}={0,2})", &[1], always),
        // A Kubernetes bootstrap token (`kubeadm join --token`, a bootstrap token secret).
        d(
            "kubernetes_bootstrap_token",
            r#"(?i)(?:bootstrap[_\-]?token|--token|--discovery-token|--tls-bootstrap-token)["']?\s*[:=\s]\s*["']?([a-z0-9]{6}\.[a-z0-9]{16})\b"#,
            &[1],
            always,
        ),
        d("plaid_token", r"\b(access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", &[1], always),
        Detector {
            hint: Some(|t| t.contains("Q~")),
            ..d("azure_ad_secret", r"([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.\-]{31,34})(?:$|[^A-Za-z0-9_~.\-])", &[1], always)
        },
        d("google_oauth_secret", r"\b(GOCSPX-[A-Za-z0-9_\-]{28})", &[1], always),
        d("google_oauth_token", r"\b(ya29\.[0-9A-Za-z_\-]{30,})", &[1], always),
        d("facebook_token", r"\b(EAA[A-Za-z0-9]{2}[A-Za-z0-9]*ZD[A-Za-z0-9]{0,4}|EAACEdEose0cBA[0-9A-Za-z]{20,})\b", &[1], |_, v| v.len() >= 40),
        d("twitter_bearer", r"\b(A{22}[A-Za-z0-9%]{30,})", &[1], always),
        d("mapbox_secret", r"\b(sk\.eyJ[A-Za-z0-9._\-]{80,})", &[1], always),
        d("linkedin_secret", r"(?i)linkedin[A-Za-z_\-]*(?:secret|key)[^\n]{0,20}?\b([A-Za-z0-9]{16})\b", &[1], |_, v| super::entropy(v) >= 3.2),
        d("heroku_key", r"(?i)heroku[A-Za-z_\-]*(?:key|token)[^\n]{0,20}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", &[1], always),
        d("jwt", r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})", &[1], always),
        // Credentials in URLs, headers and blobs.
        d(
            "connection_string",
            // The user may be empty (`redis://:password@host`).
            // A password may hold `@` itself (`u:bria@pass135!@host`): the host follows the last.
            r#"\b[a-zA-Z][a-zA-Z0-9+.-]{1,20}://[^\s:/@]*:([^\s/'"]{3,})@[^\s/@'"]+"#,
            &[1],
            // Test URLs say `user:pass@`, `foo:bar@`, `john:smith@`: a password of words alone is not one.
            |_, pw| !super::is_placeholder(pw) && !pw.chars().all(|c| c.is_alphabetic() || c == '*') && pw.chars().count() >= 6,
        ),
        d("basic_auth", r"(?i)\bauthorization\b[\s:=]+[\x22']?basic\s+([A-Za-z0-9+/]{8,}={0,2})", &[1], |_, v| decodes_to_credentials(v)),
        // `curl -u user:password`, `--user`, `wget --http-password`, `--tlspassword`; the flag
        // may be on a line continued with `\`.
        d(
            "basic_auth",
            r#"\b(?:curl|http|wget)\b(?:[^\r\n]*?\\\r?\n)*?[^\r\n]*?\s(?:-u|--user|--proxy-user)[ =]['"]?[^\s:'"]+:([^\s'"@]{4,})"#,
            &[1],
            |_, v| !super::is_placeholder(v) && !looks_like_code(v) && v.chars().count() >= 6,
        ),
        d("basic_auth", r#"(?i)--(?:http-|ftp-|proxy-)?(?:tls)?password[ =]['"]?([^\s'"]{6,})"#, &[1], |_, v| {
            // `curl --tlspassword https://host` asks for it: the next word is the URL.
            !super::is_placeholder(v) && !looks_like_code(v) && !v.contains("://")
        }),
        // Passwords on command lines: `docker login -p …`, `sshpass -p …`, MySQL's
        // `-p<password>` (no space).
        d("cli_password", r#"\blogin\b[^\r\n|;&]*?\s-p[ =](?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"]{4,}))"#, &[1, 2, 3], |caps, v| {
            cli_password(caps, v) && !v.chars().all(|c| c.is_ascii_digit())
        }),
        d("cli_password", r#"\bsshpass\s+-p\s*(?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"]+))"#, &[1, 2, 3], cli_password),
        d(
            "cli_password",
            r#"\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\r\n|;&]*?\s-p(?:'([^'\r\n]+)'|"([^"\r\n]+)"|([^\s'"]{4,}))"#,
            &[1, 2, 3],
            cli_password,
        ),
        // Apache's `htpasswd -b FILE USER PASSWORD` (`-nb USER PASSWORD` prints instead).
        d(
            "cli_password",
            r#"\bhtpasswd((?:[ \t]+-[A-Za-z]+(?:[ \t]+\d+)?)+)[ \t]+[^\s|;&<>-]\S*[ \t]+('[^'\r\n]+'|"[^"\r\n]+"|[^\s|;&<>]+)(?:[ \t]+('[^'\r\n]+'|"[^"\r\n]+"|[^\s|;&<>]+))?"#,
            &[3, 2],
            |caps, v| {
                caps.get(1).is_some_and(|f| f.as_str().split_whitespace().any(|w| w.starts_with('-') && w.contains('b')))
                    && cli_password(caps, v.trim_matches(['\'', '"']))
            },
        ),
        d("docker_auth", r#""auth"\s*:\s*"([A-Za-z0-9+/]{8,}={0,2})""#, &[1], |_, v| decodes_to_credentials(v)),
        // npm's `_auth` (base64 of user:password), in .npmrc syntax anywhere.
        d("basic_auth", r#"(?m)(?:^|[\s:])_auth\s*=\s*["']?([A-Za-z0-9+/]{8,}={0,2})"#, &[1], |_, v| decodes_to_credentials(v)),
        d("bearer_token", r"(?i)\bbearer\s+([A-Za-z0-9_\-.=+/]{20,})", &[1], |_, v| super::entropy(v) >= 3.5),
        // Password hashes: crypt(3) forms, bcrypt, LDAP-style.
        d("password_hash", r"(\$(?:1|2[abxy]?|5|6|7|8|9|y|gy|apr1)\$(?:[^\s:$]{0,60}\$){1,3}[./A-Za-z0-9]{8,})", &[1], always),
        // phpass (WordPress, phpBB), Django's and PHC strings (argon2, scrypt, pbkdf2), MySQL's.
        d("password_hash", r"(\$[PH]\$[./A-Za-z0-9]{31})(?:[^./A-Za-z0-9]|$)", &[1], always),
        d("password_hash", r"\b((?:pbkdf2_sha256|pbkdf2_sha1|bcrypt_sha256|argon2|scrypt)\$[^\s'\x22$]*\$[^\s'\x22]{16,})", &[1], always),
        d("password_hash", r"(\$(?:argon2(?:id|i|d)|scrypt|pbkdf2(?:-sha\d+)?)\$[^\s'\x22]*\$[A-Za-z0-9+/.]{8,}\$[A-Za-z0-9+/.]{16,})", &[1], always),
        d("password_hash", r"(\*[0-9A-F]{40})\b", &[1], |_, v| v[1..].chars().any(|c| c.is_ascii_digit()) && v[1..].chars().any(|c| c.is_ascii_alphabetic())),
        // PostgreSQL's: `md5` and 32 hex digits, SCRAM-SHA-256's stored form.
        d("password_hash", r#"(?:^|[\s'\x22=:,(])(md5[0-9a-f]{32})\b"#, &[1], always),
        d("password_hash", r"(SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]{8,}\$[A-Za-z0-9+/=]{16,}:[A-Za-z0-9+/=]{16,})", &[1], always),
        d("password_hash", r"(\{(?:SHA|SSHA|SHA256|SSHA256|SHA512|SSHA512|MD5|SMD5|CRYPT)\}[A-Za-z0-9+/=.$]{8,})", &[1], always),
        // Secrets assigned to secret-like names, in every format configuration takes.
        // A URL's query parameter (`?user=driver&pass=…&lat=60.0`): its value ends at the next
        // `&`. The assignment rule below, which would run on over the other parameters, leaves
        // such a value to this one.
        d("assigned_secret", &format!(r"[?&]({SECRET_NAME})=([^&#\s\x22',;)}}\]<>]{{4,}})"), &[2], assigned_value),
        Detector {
            tail: Some(6),
            ..d("assigned_secret", &assignment, &[3, 4, 5], |c, v| {
                c.get(2).is_some_and(|sep| sep.as_str() != "::") && !is_query_string(c, v) && assigned_value(c, v)
            })
        },
        d("assigned_secret", r"(?i)<([A-Za-z_:\-]*(?:password|passwd|pass|pwd|secret|token|apikey|api_key))\b[^>]*>([^<\r\n]{4,})</", &[2], xml_value),
        // A YAML block scalar: `password: |` (or `>-`), the value on the next line.
        d(
            "assigned_secret",
            &format!(r"(?m)^[ \t-]*({SECRET_NAME})[ \t]*:[ \t]*(?:{YAML_TAG})?[|>][-+0-9]*[ \t]*\r?\n[ \t]+([^\s#][^\r\n]*)"),
            &[2],
            assigned_value,
        ),
        // An ini value on the lines after its name (`password =`, then an indented line), as
        // Python's configparser reads it: its first line.
        // Its further lines, indented the same way, are more of the value.
        Detector {
            tail: Some(3),
            ..d(
                "assigned_secret",
                &format!(r"(?m)^[ \t]*({SECRET_NAME})[ \t]*=[ \t]*\r?\n[ \t]+([^\s#;'\x22(\[{{][^\r\n]*)((?:\r?\n[ \t]+[^\s#;][^\r\n]*)*)"),
                &[2],
                assigned_value,
            )
        },
        // A secret as the default of an environment lookup: `os.getenv("DB_PASSWORD", "…")`,
        // `environ.get`, `getOrDefault`, Ruby's `ENV.fetch`, Laravel's `env('APP_KEY', '…')`,
        // python-decouple's `config('SECRET_KEY', default='…')`.
        d(
            "assigned_secret",
            &format!(
                r#"\b(?:getenv|get|getOrDefault|fetch|setdefault|env|config)\(\s*["']({SECRET_NAME})["']\s*,\s*(?:default\s*=\s*)?(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#
            ),
            &[2, 3],
            assigned_value,
        ),
        // …or after it: `process.env.DB_PASSWORD || "…"`, `ENV['DB_PASSWORD'] || '…'`,
        // `os.environ.get("X") or "…"`, and the shell's and Compose's `${DB_PASSWORD:-…}`.
        d(
            "assigned_secret",
            &format!(
                r#"(?:\benv\.|\bENV\[["']|\benviron\[["']|\benviron\.get\(["']|\bgetenv\(["'])({SECRET_NAME})["']?[\])]?\s*(?:\|\||\?\?|\bor\b)\s*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#
            ),
            &[2, 3],
            assigned_value,
        ),
        d("assigned_secret", &format!(r"\$\{{({SECRET_NAME}):?[-=]([^}}\s$]{{4,}})\}}"), &[2], assigned_value),
        // A secret compared with a literal: a credential check written into code
        // (`if password == "…"`, `"…" === apiToken`), Python's f-strings too.
        Detector {
            hint: Some(compares),
            ..d(
                "assigned_secret",
                &format!(r#"(?:^|[^A-Za-z0-9_.])({SECRET_NAME})[ \t]*(?:===?|!==?)[ \t]*[fbr]?(?:"([^"\r\n{{}}]{{4,}})"|'([^'\r\n{{}}]{{4,}})')"#),
                &[2, 3],
                assigned_value,
            )
        },
        Detector {
            hint: Some(compares),
            ..d(
                "assigned_secret",
                &format!(r#"(?:"([^"\r\n{{}}]{{4,}})"|'([^'\r\n{{}}]{{4,}})')[ \t]*(?:===?|!==?)[ \t]*({SECRET_NAME})\b"#),
                &[1, 2],
                |c, v| value_of_name(c.get(3).map_or("", |m| m.as_str()), v),
            )
        },
        // A name and its value as a call's first two arguments: a request's header
        // (`req.Header.Set("X-Api-Key", "…")`, `setHeader`), a map's entry (`put("token", "…")`),
        // an environment variable set in code (`os.Setenv("API_TOKEN", "…")`).
        d("assigned_secret", &format!(r#"\(\s*["']({SECRET_NAME})["']\s*,\s*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#), &[2, 3], assigned_value),
        // A Dockerfile's `ENV NAME value` (its older form, no `=`).
        Detector {
            hint: Some(|t| t.contains("ENV")),
            ..d(
                "assigned_secret",
                &format!(r#"(?m)^[ \t]*ENV[ \t]+({SECRET_NAME})[ \t]+(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})'|([^\s"'=][^\r\n]{{3,}}))[ \t]*\r?$"#),
                &[2, 3, 4],
                assigned_value,
            )
        },
        // Capistrano's and Sinatra's `set :db_password, "…"`.
        d("assigned_secret", &format!(r#"\bset\s+:({SECRET_NAME})\s*,\s*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#), &[2, 3], assigned_value),
        // A password as the argument after a user name, where an API takes them in that order:
        // .NET's `NetworkCredential`, Java's `PasswordAuthentication`, HttpClient's
        // `UsernamePasswordCredentials`, JCR's `SimpleCredentials`, requests' `HTTPBasicAuth`
        // and `auth=(user, pw)`, the `login(user, pw)` of smtplib, ftplib and imaplib, and
        // JDBC's `getConnection(url, user, pw)`. Judged as a password's value.
        d(
            "assigned_secret",
            r#"(?:\b(?:NetworkCredential|PasswordAuthentication|UsernamePasswordCredentials|SimpleCredentials|HTTPBasicAuth|HTTPDigestAuth|HttpBasicAuth|BasicAuth|login)\(|\bauth\s*=\s*\(|\bgetConnection\([^,()]+,)\s*(?:"[^"\r\n]*"|'[^'\r\n]*')\s*,\s*(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})')"#,
            &[1, 2],
            |_, v| value_of_name("password", v),
        ),
        // A name and its value as attributes of one XML element (`<property name="password"
        // value="…"/>`, .NET's `<add key="Password" value="…"/>`), or as its text
        // (`<entry key="db.password">…</entry>`).
        d(
            "assigned_secret",
            &format!(r#"<[A-Za-z_:\-]+\s[^>]*?\b(?:name|key)\s*=\s*["']({SECRET_NAME})["'][^>]*?\bvalue\s*=\s*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#),
            &[2, 3],
            assigned_value,
        ),
        d(
            "assigned_secret",
            &format!(r#"<[A-Za-z_:\-]+\s[^>]*?\b(?:name|key)\s*=\s*["']({SECRET_NAME})["'](?:\s+[^>]*[^/>\s])?\s*>([^<\r\n]{{4,}})</"#),
            &[2],
            assigned_value,
        ),
        // A name and its value as two elements: Hadoop's and Hive's `<property><name>…</name>
        // <value>…</value>`, `<entry><key>password</key><value>…</value>`.
        d(
            "assigned_secret",
            &format!(r"<(?:name|key)>\s*({SECRET_NAME})\s*</(?:name|key)>\s*(?:<description>[^<]*</description>\s*)?<value>([^<\r\n]{{4,}})</value>"),
            &[2],
            assigned_value,
        ),
        // A `.pgpass` line written out anywhere: `host:port:database:user:password`.
        d("assigned_secret", r"(?m)^[A-Za-z0-9.\-*]+:(?:\d{2,5}|\*):[^:\s]+:[^:\s]+:(\S{6,})$", &[1], |_, v| {
            let mixed = !v.chars().all(|c| c.is_ascii_alphanumeric()) || (v.chars().any(|c| c.is_ascii_digit()) && v.chars().any(char::is_alphabetic));
            !super::is_placeholder(v) && mixed
        }),
        // A name and its value as two fields: Kubernetes' `env` (`- name: DB_PASSWORD` then
        // `value: …`), ECS task definitions, Postman's `{"key": "api_key", "value": …}`.
        d(
            "assigned_secret",
            &format!(
                r#"(?m)["']?(?:name|key)["']?[ \t]*:[ \t]*["']?({SECRET_NAME})["']?[ \t]*(?:,|\r?\n)[ \t-]*["']?value["']?[ \t]*:[ \t]*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})'|([^\s"',}}#]{{4,}}))"#
            ),
            &[2, 3, 4],
            assigned_value,
        ),
        d(
            "assigned_secret",
            r#"(?i)define\(\s*['"]([A-Z0-9_]*(?:PASSWORD|SECRET|KEY|SALT|TOKEN|PASS)[A-Z0-9_]*)['"]\s*,\s*['"]([^'"\r\n]{4,})['"]"#,
            &[2],
            defined_value,
        ),
        // A keyword and its value with only space between, a whole line, as msmtp, fetchmail,
        // Redis (`requirepass`, `masterauth`) and snmpd (`rocommunity`) write them; fetchmail's
        // quoted `password "…"` anywhere in its `poll` line.
        Detector {
            hint: Some(|t| ["pass", "secret", "psk", "masterauth", "community"].iter().any(|w| t.contains(w))),
            ..d(
                "assigned_secret",
                r#"(?m)^[ \t]*(password|passwd|passphrase|pass|secret|requirepass|masterauth|psk|wpa_passphrase|rocommunity|rwcommunity)[ \t]+(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})'|([^\s"'#;]{4,}))[ \t]*(?:#[^\r\n]*)?\r?$"#,
                &[2, 3, 4],
                |_, v| value_of_name("password", v),
            )
        },
        d("assigned_secret", r#"\b(password|passwd)[ \t]+"([^"\r\n]{4,})""#, &[2], assigned_value),
        // Composer's `auth.json`: a token under the host it is for.
        d(
            "assigned_secret",
            r#""(?:github-oauth|gitlab-token|gitlab-oauth|bitbucket-oauth|bearer)"\s*:\s*\{\s*"[^"]+"\s*:\s*"([^"\s]{16,})""#,
            &[1],
            |_, v| !super::is_placeholder(v) && super::entropy(v) >= 3.0,
        ),
        // PowerShell's `ConvertTo-SecureString "…" -AsPlainText`.
        d("cli_password", r#"(?i)ConvertTo-SecureString\s+(?:-String\s+)?(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})')\s+-AsPlainText"#, &[1, 2], cli_password),
        // Said aloud (the talk is transcribed speech): "the password is …", "the password for
        // the router is …", "the api key was …".
        d(
            "assigned_secret",
            r"(?i)\b(password|passcode|passphrase|passwort|secret key|api key|access key|token)(?:\s+(?:for|of|on|to)(?:\s+the)?\s+[\w.\-]+)?\s+(?:is|was)\s+(?:still\s+|now\s+|just\s+)?([^\s,;]{4,})",
            &[2],
            |c, v| value_of_name(&c[1].replace(' ', "_"), v.trim_end_matches(['.', ',', '!', '?'])),
        ),
        // A netrc entry written out anywhere: `machine host login me password s3cret`.
        d("assigned_secret", r"\bmachine\s+\S+\s+(?:login\s+\S+\s+)?password\s+(\S{4,})", &[1], |_, v| !super::is_placeholder(v)),
        // A file of credentials named in a pair (`// file: .npmrc`).
        d("credential_file", r"(?m)^// file: ([^\r\n]+)$", &[1], |_, p| is_credential_path(p)),
        // Personal data.
        d("email", r"\b([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\b", &[1], |_, e| !is_example_email(e)),
        d("credit_card", r"\b((?:\d[ -]?){12,18}\d)\b", &[1], |_, n| luhn_card(n)),
        d("phone", r"(?:^|[^\w.])((?:\+\d{1,3}[ .-]?)?\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4})\b", &[1], always),
        d("ip_address", r"(?:^|[^\w.])((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?:$|[^\w.])", &[1], |_, ip| {
            !is_boring_ip(ip)
        }),
    ]
});
