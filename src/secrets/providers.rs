//! Provider tokens, by prefix: a service's own format says a value is its secret. The
//! prefixes follow the public rule lists of gitleaks, trufflehog, GitHub's secret scanning,
//! Nosey Parker and secretlint; each session that added some says which it measured on.

use super::detectors::{always, d, Detector};
use super::shapes::generated_body;

pub(super) fn detectors() -> Vec<Detector> {
    vec![
        d("aws_access_key", r"\b((?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16})\b", &[1], always),
        d(
            "github_token",
            r"\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255}|ghs_[0-9]{1,20}_[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})",
            &[1],
            always,
        ),
        d("gitlab_token", r"\b(gl(?:pat|dt|ptt|rt|soat|cbt|ft|imt|agent|oas|ffct)-[A-Za-z0-9_\-]{20,})", &[1], always),
        d("slack_webhook", r"(https://hooks\.slack\.com/(?:services|workflows)/T[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+)", &[1], always),
        d("slack_token", r"\b(xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{10,})", &[1], always),
        d("discord_webhook", r"(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d+/[A-Za-z0-9_\-]{20,})", &[1], always),
        d("teams_webhook", r"(https://[A-Za-z0-9\-]+\.webhook\.office\.com/webhookb2/[A-Za-z0-9\-@/]{40,})", &[1], always),
        // A shared access signature: the `sig` of a URL that says what it signs (`sv=`).
        d("azure_sas", r"[?&]sv=\d{4}-\d{2}-\d{2}&[^\s\x22'<>]*?\bsig=([A-Za-z0-9%+/=]{20,})", &[1], always),
        d("stripe_key", r"\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})\b", &[1], always),
        d("anthropic_key", r"\b(sk-ant-[A-Za-z0-9]+-[A-Za-z0-9_\-]{20,})", &[1], always),
        // Keys in OpenAI's shape from services that are not OpenAI, so that the report names the
        // key to revoke: Langfuse's secret key (`sk-lf-` and a UUID; its `pk-lf-` is public)
        // and OpenRouter's.
        d("langfuse_key", r"\b(sk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", &[1], |_, s| generated_body(&s[6..])),
        d("openrouter_key", r"\b(sk-or-v1-[0-9a-f]{64})\b", &[1], |_, s| generated_body(&s[9..])),
        // Words joined by hyphens are CSS classes (SpinKit's `sk-spinner-fading-circle`), not a key.
        d("openai_key", r"\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,})", &[1], |_, s| !s.starts_with("sk-ant-") && generated_body(&s[3..])),
        d("google_api_key", r"\b(AIza[0-9A-Za-z_\-]{35})", &[1], always),
        d("npm_token", r"\b(npm_[A-Za-z0-9]{36})\b", &[1], always),
        d("pypi_token", r"\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})", &[1], always),
        d("sendgrid_key", r"\b(SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})\b", &[1], always),
        d("twilio_key", r"\b(SK[0-9a-fA-F]{32})\b", &[1], |_, s| super::entropy(s) > 3.0),
        // An auth token after its account's SID, the next argument of any call: Twilio's
        // `Client("AC…", "…")`, `twilio(…)`, `Twilio.init(…)`, `TwilioClient.Init(…)`.
        d("twilio_key", r#"["']AC[0-9a-f]{32}["']\s*,\s*["']([0-9a-f]{32})["']"#, &[1], |_, v| super::shapes::is_hex_token(v)),
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
        // Session 52: the AI services an ML developer's code calls (trufflehog's detectors and
        // gitleaks' rules give the formats), and the prefixed tokens of gitleaks' list no rule
        // here knew. Each is found by its format alone, so under a name that says nothing
        // (`Client("r8_…")`, a list, a header) too; placeholders (`nvapi-xxxx…`) are not random.
        d("replicate_token", r"\b(r8_[0-9A-Za-z_\-]{37})\b", &[1], |_, v| generated_body(&v[3..])),
        d("nvidia_key", r"\b(nvapi-[A-Za-z0-9_\-]{64})\b", &[1], |_, v| generated_body(&v[6..])),
        d("langsmith_key", r"\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})\b", &[1], |_, v| super::shapes::is_hex_token(&v[8..40])),
        d("xai_key", r"\b(xai-[A-Za-z0-9_]{80})\b", &[1], |_, v| generated_body(&v[4..])),
        d("pinecone_key", r"\b(pcsk_[A-Za-z0-9]{0,6}_[A-Za-z0-9]{63})\b", &[1], |_, v| generated_body(&v[5..])),
        d("perplexity_key", r"\b(pplx-[A-Za-z0-9]{48})\b", &[1], |_, v| generated_body(&v[5..])),
        d("notion_token", r"\b(ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b", &[1], |_, v| {
            generated_body(v.split_once('_').map_or(v, |(_, body)| body))
        }),
        d("elevenlabs_key", r"\b(sk_[a-f0-9]{48})\b", &[1], |_, v| super::shapes::is_hex_token(&v[3..])),
        // A Bedrock API key is base64 of `BedrockAPIKey-…:…` after `ABSK`; four letters alone
        // begin runs of an image's base64 too. A short-term key is a presigned URL's encoding.
        d(
            "aws_bedrock_key",
            r"\b(ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{40,}={0,2}|bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%]{20,})",
            &[1],
            always,
        ),
        d("heroku_key", r"\b(HRKU-AA[0-9A-Za-z_\-]{58})\b", &[1], always),
        d("huggingface_token", r"\b(api_org_[A-Za-z]{34})\b", &[1], always),
        // The two whose literal is not at their start are tried only where it is.
        Detector {
            hint: Some(|t| t.contains(".atlasv1.")),
            ..d("terraform_cloud_token", r"\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70})", &[1], always)
        },
        d("readme_key", r"\b(rdme_[a-z0-9]{70})\b", &[1], always),
        Detector { hint: Some(|t| t.contains("_mmk")), ..d("maxmind_key", r"\b([A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)\b", &[1], |_, v| generated_body(&v[..36])) },
        d("openshift_token", r"\b(sha256~[A-Za-z0-9_\-]{43})(?:[^A-Za-z0-9_\-]|$)", &[1], |_, v| generated_body(&v[7..])),
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
        // Its 21–23 A's are a counter's zero bytes; base64 data (an image in a `.resx`) has
        // runs of A's everywhere, so a longer run, or another of 10 later, is data.
        d("twitter_bearer", r"\b(A{22}[A-Za-z0-9%]{30,})", &[1], |_, v| {
            let rest = v.trim_start_matches('A');
            v.len() - rest.len() <= 23 && !rest.contains("AAAAAAAAAA")
        }),
        d("mapbox_secret", r"\b(sk\.eyJ[A-Za-z0-9._\-]{80,})", &[1], always),
        d("linkedin_secret", r"(?i)linkedin[A-Za-z_\-]*(?:secret|key)[^\n]{0,20}?\b([A-Za-z0-9]{16})\b", &[1], |_, v| super::entropy(v) >= 3.2),
        d("heroku_key", r"(?i)heroku[A-Za-z_\-]*(?:key|token)[^\n]{0,20}?\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", &[1], always),
        d("jwt", r"\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})", &[1], always),
    ]
}
