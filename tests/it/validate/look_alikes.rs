//! Things that look like secrets and are not: none may be a finding.

use serde_json::{json, Value};

use super::{pair, write_lines};
use crate::env::{OutputExt, TestEnv};
use crate::gitops::sealed_value;

/// Things that look like secrets and are not.
const LOOK_ALIKES: &[&str] = &[
    // Session 38, from secretlint's tests of what must stay quiet: a template's names and a
    // guide's words for a password in a URL, key blocks with no key in them, and tokens
    // whose body is one character again and again.
    "postgresql://{username}:{password}@db.internal:5432/app",
    "https://{USER}:{PASS}@template.internal",
    "mysql://admin:REPLACE_WITH_PASSWORD@mysql.internal:3306/db",
    "\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\\n\"",
    "-----BEGIN PRIVATE KEY-----\n***\n-----END PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\nQQ==\n-----END PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\nYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=\n-----END PRIVATE KEY-----",
    "STRIPE_SECRET_KEY=sk_live_AAAAAAAAAAAAAAAAAAAAAAAA",
    "HF_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "shippo_test_1111111111111111111111111111111111111111",
    // False alarms in real projects' code (Wicket, Log4j 2, Maven, trufflehog): a version
    // range, messages and strings built from the name's own words, a template's variables
    // inside a URL, a build's filter token.
    "\"parse-passwd\": \"^1.0.0\",",
    "kc={UnexpectedToken:\"Unexpected token %0\",UnexpectedNumber:\"Unexpected number\"}",
    "return \"Renderer [beginToken=\" + beginToken + \", endToken=\" + endToken + \"]\";",
    "connection: \"mongodb://${env:DB_USER}:${env:DB_PASS}@localhost:27017/\"",
    "<token>@version@</token>",
    // Traccar's and Oak's tests: parameters of a URL whose value is no secret, code between
    // two strings, and the Azure Storage emulator's published key.
    "request(\"/?user=driver&pass=123456&DevBat=80&Lat=60.0&Long=30.0\")",
    "request(\"?UserName=name&Password=pass&LOC=$PWS,1\")",
    "[![codecov](https://codecov.io/gh/acme/app/branch/main/graph/badge.svg?token=yt4XSmQNKQ)](https://codecov.io/gh/acme/app)",
    ".append(\"userPassword: \").append(password).append('\\n')",
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;",
    "githubScanToken = githubScan.Flag(\"token\", \"GitHub token. Can be provided with environment variable GITHUB_TOKEN.\").String()",
    // Names in code that begin as a short prefix does; CSS classes (SpinKit's) that begin
    // as OpenAI's keys do.
    "<div class=\"sk-spinner sk-spinner-fading-circle\"><div class=\"sk-double-bounce-circle\"></div></div>",
    "let vca_ComputeAverageTotalsForRegion = 1;",
    "shpat_abcdefabcdefabcdefabcdefabcdefab",
    // Session 35's forms, where they are not secrets (from whispers' compliant lines): an XML
    // element holding its own name, a template, a reference or a number; a comparison with
    // nothing or a variable; a prompt for the TLS password; a Dockerfile variable.
    "<TRAVEL_API_KEY>TRAVEL_API_KEY</TRAVEL_API_KEY>",
    "<api_secret>AUTH_TOKEN</api_secret>",
    "<compliantApiToken>{token}</compliantApiToken>",
    "<MasterUserPassword>!Ref 'MasterUserPassword'</MasterUserPassword>",
    "<NUMERIC_APIKEY>1925483168813050783076</NUMERIC_APIKEY>",
    "if password == \"\":\n    return None",
    "if token_type == \"Bearer\":",
    "curl --tlspassword https://localhost",
    "ENV DB_PASSWORD $DB_PASSWORD",
    "<entry>\n  <key>password</key>\n  <value></value>\n</entry>",
    // The internet's example password, and a header set from a variable.
    "snapshot(&[(\"CC_TEST_SECRET\", \"hunter2\")])",
    "req.Header.Set(\"X-Api-Key\", apiKey)",
    // Session 34's names and prefixes, where they are not secrets: a regex named `pat`, a
    // placeholder key, a licence expression, a Twitch-like name, a Cisco-like shell line.
    "let pat = \"[A-Za-z0-9]+_[0-9]{3,}\";",
    "TAVILY_API_KEY = \"tvly-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"",
    "license_key = \"MIT OR Apache-2.0\"",
    "live_stream_url = https://twitch.tv/somebody",
    "echo $8$9 done",
    "id 3f2b8c1e-9d4a-4b7e-8f6a-2c1d0e9b7a65",
    "fixed in 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "\"integrity\": \"sha512-Fh8fA2YyMhxmmt6Q3Cw6d9Dn6u0W8bHQbxkbnGp5J1YQY2F8N4D3mGvY5Lw==\"",
    "checksum = \"7a8ce0b1d2f6b0c4cbd2b12c5e7c9a1f3d4e5f60718293a4b5c6d7e8f9a0b1c2\"",
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "mail user@example.com or ci@users.noreply.github.com",
    "version 1.2.3 released 2026-01-05 10:00:00, build 10.0.19041.1",
    "let password = get_password(&config);",
    "api_key = os.environ[\"API_KEY\"]",
    "she said [EMAIL] and [PHONE] then <redacted> and [REDACTED:email]",
    "let ts = 1735689600000; let n = 4242424242;",
    "listen on 127.0.0.1:8080 or 0.0.0.0",
    "{\"password\": \"Password\", \"password_hint\": \"At least 12 characters\"}",
    "password_label = \"Enter your password\"",
    "password_min_length = 12",
    "token_url = \"https://oauth2.googleapis.com/token\"",
    "pub api_key: Option<String>,",
    "let secret = config.secret.clone();",
    "PASSWORD=${DB_PASSWORD}",
    "password: {{ vault_password }}",
    "define('AUTH_KEY', 'put your unique phrase here');",
    "secret_name = \"prod-db-credentials\"",
    "token = next_token(&mut lexer)",
    "const TOKEN_KIND: &str = \"identifier\";",
    "password = \"changeme\"",
    "url = \"postgres://user:${DB_PASS}@localhost/db\"",
    "the API expects a Bearer token in the header",
    "echo $1 $2 $3",
    "sha256:3b8f9f2e1c4d5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
    "\"resolved\": \"https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz\"",
    "auth_token: Option<AuthToken>,",
    "access_key = settings.AWS_ACCESS_KEY",
    "client_secret: env.CLIENT_SECRET",
    "passphrase = prompt_passphrase()",
    "curl -u \"$USER:$TOKEN\" https://api.github.com",
    "curl --user admin:password https://localhost",
    "wget --password=$PASS https://example.org",
    "machine example.com login user password changeme",
    "_auth = ${NPM_AUTH}",
    "see https://discord.com/api/webhooks for the docs",
    "https://docs.microsoft.com/rest/api/storageservices/create-service-sas?sv=the-version",
    "client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=",
    "mysql -u root -p -h db app < dump.sql",
    "mysqldump -p$MYSQL_PWD app",
    "sshpass -p \"$SSHPASS\" ssh deploy",
    "{\"password\": \"Password (required)\"}",
    "\"private_key_id\": \"\"",
    "let bracket_token = bracketed!(content in input);",
    "   --> $DIR/late_compile_pass.rs:102:10",
    "- name: DB_PASSWORD\n  valueFrom:\n    secretKeyRef:\n      name: db",
    "- name: API_TOKEN\n  value: ${API_TOKEN}",
    "{\"name\": \"password\", \"value\": \"\"}",
    "docker login -u deploy -p $REGISTRY_PASSWORD registry.internal",
    "ssh login -p 2222 host",
    "bypass = Xy7pLm2qRz9",
    "description: >-\n  Tr0ub4dor3xQ9 is what the docs call it",
    "password_hint: |\n  At least twelve characters",
    "\nlocalhost:5432:app:app:changeme\n",
    "\nat com.acme.Main:42:run:thread:main\n",
    "DB_PASSWORD = os.getenv(\"DB_PASSWORD\", \"\")",
    "password = os.environ.get('DB_PASSWORD', 'changeme')",
    "const token = process.env.API_TOKEN || \"\";",
    "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-}",
    "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}",
    "<property name=\"password\" value=\"${db.password}\"/>",
    "<add key=\"PasswordMinLength\" value=\"12\"/>",
    "'key' => env('APP_KEY'),",
    "<entry key=\"password\">${jdbc.password}</entry>",
    "<param name=\"token\" value=\"true\"/>",
    "master_key = master_key_from(args)",
    "pw = pw.trim().to_string();",
    "pw_uid: u.uid.0,",
    "file->session_key = attr_session->key;",
    "let value: TokenStream = TokenTree::from(Literal::u128_suffixed(gen_random())).into();",
    "pub token_stream: __IncompleteArrayField<__u8>,",
    "hash = \"$P$\" + encode64(salt)",
    "ENCRYPTION_KEY=${ENCRYPTION_KEY}",
    "<option name=\"PASSWORD_HINT\" value=\"At least 12 chars\" />",
    "\npassword reset-flow\n",
    "\n    pass  # nothing to do\n",
    "\nsecret sauce\n",
    "\nrocommunity public\n",
    "\npassword 12345678\n",
    "we talked about the password \"policy\" again",
    "$password = $_POST['password'];",
    "$password = password_hash($input, PASSWORD_DEFAULT);",
    "my $password = shift;",
    "$cfg['Servers'][$i]['password'] = '';",
    "client_key: ${CLIENT_KEY}",
    "$token = $request->bearerToken();",
    "compass = Xy7pLm2qRz9",
    "{\"key\": \"user.profile.title\"}",
    "key = \"cache:v2:users\"",
    "\"key\": \"3f2b8c1d9e4a5b6c7d8e9f0a1b2c3d4e\"",
    "key: ArrowLeft",
    "monkey = \"Xy9Kq2Lm8VtR4nB7cD1eF0gH5jK3lM6n\"",
    "the password is password lol",
    "the password was reset yesterday",
    "the password is the usual one",
    "the token is valid for an hour",
    "the password is too short, it needs twelve characters",
    "the api key is in the vault",
    // Real config files' look-alikes (bitnami/charts, docker/awesome-compose, Maven POMs).
    "    ## key and certificate should start with -----BEGIN CERTIFICATE----- or\n    ## -----BEGIN RSA PRIVATE KEY-----\n    ##\n    ## name should line up with a tlsSecret set further up\n    tls: []",
    "<developerConnection>scm:git:git@github.com:junit-team/junit4.git</developerConnection>",
    "quarkus.mongodb.connection-string: mongodb://DB_USER:DB_PASSWORD@mongodb:27017",
    "clone it as `https://USERNAME:PERSONAL_ACCESS_TOKEN@github.com/USERNAME/REPOSITORY`",
    "tsigSecretAlg: hmac-sha256",
    "FAB_PASSWORD_HASH_METHOD = \"pbkdf2:sha256\"",
    "- name: AIRFLOW__WEBSERVER__SECRET_KEY_CMD\n  value: \"cat /opt/bitnami/airflow/secrets/airflow-secret-key\"",
    "password authentication for `fly login -u ... -p ...`.",
    "MAILU_PASSWORD_SCHEME=SHA512-CRYPT",
    "For the non-root app user instead: `mysql -udefault -psecret` (or your own `MYSQL_USER`).",
    // Session 44, from realtext's checkouts: four numbers that are a version (after a name
    // for one, or starting with 0), and every test's made-up address.
    "<groupId>org.xerial.snappy</groupId>\n  <version>1.1.10.5</version>",
    "<aspectj.version>1.9.25.1</aspectj.version>",
    "assertTrue(range.containsVersion(new DefaultArtifactVersion(\"5.0.9.0\")));",
    "Bump org.xerial.snappy:snappy-java to version `1.1.10.8`",
    "Updated Kafka client from 0.9.1.0 to 0.10.0.0.",
    "String volume = \"hdfs://1.2.3.4/accumulo\";",
    // Session 47: SQL that sets a test's password, and devices' words about secrets.
    "CREATE USER db1 WITH PASSWORD 'db1';",
    "ALTER USER '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_NEW_PASSWORD';",
    "Each message is identified by its 'Xk29vLq8Pz' id.",
    "username cisco privilege 15 password 0 cisco",
    "router bgp 65001\n neighbor as2 send-community extended\n set community 65001:2 additive",
    "service password-encryption",
    // Numbers that are no one's: 555-01xx, a router's metrics, an IMEI, a 64-bit hash.
    "call +1 415-555-0132 for the demo",
    "redistribute connected metric 1000 100 100 100 1400",
    "\"imei:359586015829802,A\"",
    "(4951948911778577463, 2037035976334486086),",
    // Session 48: four numbers that are a release's (a folder, a product's token, an image's
    // tag, a suffix), and command lines that ask for the password or read it from elsewhere.
    "COPY dockerfiles/12.2.1.4/install.rsp /opt/",
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
    "image: container-registry.oracle.com/middleware/soasuite:14.1.2.0",
    "FROM eclipse-temurin:11.0.32.0-jdk",
    "if [ \"${VERSION}\" != \"14.1.2.0\" ]; then",
    "keytool -importcert -storepass:env STORE_PASS -file ca.pem",
    "ldapsearch -x -D cn=admin,dc=example,dc=com -W -b dc=example,dc=com",
    "sqlplus scott/tiger@orcl",
    "echo \"$SUDO_PASS\" | sudo -S true",
    "$pdo = new PDO($dsn, $user, $pass, $options);",
    "nameserver 8.8.8.8\nnameserver 1.1.1.1",
    "See https://tools.ietf.org/html/rfc2616#section-8.1.2.2 and cmsms-2.2.9.1-install.php",
    "$ sh buildDockerImage.sh -v 12.2.1.4",
    "EMAIL_HOST_PASSWORD = 'abcd efgh ijkl mnop'  # your app password",
    "password: thisismypassword",
    "we looked at stripe dot com; ticket 123-45-6789; DE89 3704 0044 0532 0130 00; one two three four five six seven eight nine ten",
    "String h = hashPassword(\"Hp8kQ2xLm7\"); config.setPassword(password);",
    // Session 49, from .NET and PHP projects (ShareX, PowerShell, jellyfin, ILSpy, Laravel):
    // the public key token of every assembly reference, `.resx` and `web.config`; an image in
    // base64; a program's messages, a doc comment, an encoder's pass and filter string; a
    // class path, validation rules, a string joined to a call, a test's query string; a
    // spec's section and a /16 network; a car's VIN.
    "<value>System.Resources.ResXResourceReader, System.Windows.Forms, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089</value>",
    "<assemblyIdentity name=\"Newtonsoft.Json\" publicKeyToken=\"30ad4fe6b2a6aeed\" culture=\"neutral\" />",
    "<PublicKeyToken>^B03F5F7F11D50A3A$</PublicKeyToken>",
    "AAAAAAAAAAAAAAAAAAAAAABwhh8f6riimpWVn6ezva7GyNz5MR0wJ2MAAAAAAAAAAAAAAAAAAAAAAAAA",
    "throw new AuthenticationException(\"Invalid username or password entered.\");",
    "throw new Exception(\"Signature or Username/Password is missing.\");",
    "/// <param name=\"singlePass\">If true, the quantization only needs to loop through the source pixels once</param>",
    "overlayFilters.Add(\"overlay=eof_action=pass:repeatlast=0\"); var hwScaleFilterFirstPass = \"vpp_rkrga=format=bgra:afbc=1\";",
    "const string VersionToken = \"Version=\";",
    "'Password'  => 'Illuminate\\Support\\Facades\\Password',",
    "'password' => 'required|confirmed|min:6',",
    "return new Expression('<input type=\"hidden\" name=\"_token\" value=\"'.csrf_token().'\">');",
    "$this->assertRegexp('/token=myToken&channel=channel1&username=Monolog&text=&attachments=.*$/', $content);",
    "string token = \"FakeToken0+/=\"",
    "/// Gets the better conversion target (C# 9.0 spec, §12.6.4.7)",
    "[GeneratedCodeAttribute(\"System.Resources.Tools.StronglyTypedResourceBuilder\", \"17.0.0.0\")] subnet 10.6.0.0",
    "values(120,62, 'OM89K40I5L1PNACD9', 'Ford')",
    // …and from Android's: a Firebase Storage download link an app shows its own image by, and
    // the fingerprint of the key that signs a released APK.
    "imageUrl = \"https://firebasestorage.googleapis.com/v0/b/app.appspot.com/o/img%2Fic_topic_UI.svg?alt=media&token=0ee1842b-12e8-435f-87ba-a5bb02c47594\"",
    "CB:84:06:9B:D6:81:16:BA:FA:E5:EE:4E:E5:B0:8A:56:7A:A6:D8:98:40:4E:7C:B1:2F:9E:75:6D:F5:CF:5C:AB",
    // Session 50, from notebooks (Hugging Face's, Google Cloud's, Azure's, Pinecone's) and rule
    // tests read decoded: a guide's placeholders and a tokenizer's text, a variable named for
    // what it holds, a shell variable in quotes within quotes, a Rails route, a netmask.
    r#"    "api_key = \"YOUR_API_KEY\"\n", "token=\"<YOUR_HUGGINGFACEHUB_API_TOKEN>\"\n","#,
    r#"    "tokenized_text = \"Jim Henson was a puppeteer\"\n","#,
    r#"        "            password=neo4j_password\n","#,
    r#""- echo 'export DATABASE_PASSWORD=\"'$PRECOMPILE_PASSWORD'\"' >> .env\n","#,
    r#"  put '/forgot-password' => "cms/sites/passwords#update", as: 'forgot'"#,
    r#""1.0.0.1\t \t255.255.255.0","#,
    // Session 51, from GitOps repositories (onedr0p's, bjw-s's and sulibot's home-ops, SOPS's
    // and Sealed Secrets' own, Kubernetes' examples): secret managers' references, secrets
    // encrypted for a key the repository does not hold, a variable escaped for a heredoc, an
    // environment variable's name, and base64 data that decodes to nothing secret.
    "S3_SECRET_KEY=op://homelab/volsync/SECRET_S3_SECRET_KEY",
    "  token: op://automation/talos/MACHINE_TOKEN",
    "db_password: ref+vault://secret/data/db#/password",
    "AWS_SECRET_ACCESS_KEY: vault:secret/data/accounts/aws#AWS_SECRET_ACCESS_KEY",
    "password: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    "api_token: projects/my-project/secrets/api-token/versions/latest",
    r#"DB_PASSWORD: "@Microsoft.KeyVault(SecretUri=https://myvault.vault.azure.net/secrets/dbpass/)""#,
    r#"  "github_password": "ENC[AES256_GCM,data:Rk9nQ2xLm7Vq8Zt3Wp+4=,iv:Qm2LxV7tRp4NwZ8bYc3HdFuK9xQv2mLwKp4Tq8Zr2Lx=,tag:Zk3Vq9Lr2Xw7Nt5BQm2LxA==,type:str]","#,
    "DB_PASSWORD: AQICAHhL8Rz0WmXn3kQ9xGvTqUpbcJc5eY9+VxW7nG5eN2Tq8QFsn0o6vYqL0gF3aYw8oT9qIxLqAAAAZzBlBgkqhkiG9w0BBwagWDBWAgEAMFEGCSqGSIb3DQEHATAeBglghkgBZQMEAS4wEQQM",
    r#"    --password="\$KOPIA_PASSWORD" \"#,
    "    - secretKey: B2_S3_ENDPOINT",
    "  existingSecret: oauth2-proxy-credentials",
    // …and from Spring, Puppet and Vault: Jasypt's, hiera-eyaml's, Spring Cloud Config's and
    // Vault transit's ciphertexts, and a key's file named where the key goes.
    "spring.datasource.password=ENC(pCRvr+EmDC1DjSjRisfBpPOHWBEBLMiDtcO9KIhZeKOcfYkn2wdPz4TwdE1zlxTl)",
    "profile::db::password: ENC[PKCS7,MIIBeQYJKoZIhvcNAQcDoIIBajCCAWYCAQAxggEhMIIBHQIBADAFMAACAQEwDQYJKoZIhvcNAQEBBQAEggEAq8bN2YxV9kQz]",
    "password: vault:v1:8SDd3WHDOjf7mq69CyCqYjBXAiQQAVZRkFM13ok481zoCmHnSeDX9vyf7w==",
    "  password: '{cipher}AQA2Sx5Lq8vTPeGg0X3Y4tR8k2lH6zVbN9mQ1cW7dJ5fE3aK0uI4oP6sD8gH2jL5nM7bV9cX1zA3qW5eR7tY9uI0oP2aS4dF6gH8jK0lZ2xC4vB6nM8qW0eR2tY4u'",
    "jasypt.encryptor.private-key-location=classpath:private_key.pem",
    "  - private_key: keys/private_key_admin1.pem",
    // NixOS's and Terraform's: wpa_supplicant's password in its secrets file, and a Secret
    // named with its namespace.
    r#"      pskRaw = "ext:psk_home";"#,
    r#"  "cert-manager.io/inject-ca-from-secret" = "cert-manager/cert-manager-webhook-ca""#,
    // Kubernetes' guides' `data:`, base64 of "password" and "admin": judged as what they say.
    "  password: cGFzc3dvcmQ=\n  MYSQL_ROOT_PASSWORD: YWRtaW4=",
    "  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJzekNDQVZtZ0F3SUJBZ0lVUTN3egotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==",
    "  DATABASE_URL: cG9zdGdyZXM6Ly9sb2NhbGhvc3QvcHJvZA==\n  PORT: ODA4MA==\n  username: YWRtaW4=",
    // Session 52, from AI services' guides and notebooks (NVIDIA's, Pinecone's, LangSmith's
    // examples): keys written as placeholders in the services' formats, and an image's base64
    // with a run that begins as a Bedrock key (`ABSK`) or an EasyPost one (`EZAK`) does.
    "API_CACHE_KEY = \"users_by_email\"",
    // …and from their SDKs' tests and notebooks: a token written as words, jwt.io's example
    // token, and a guide's elision where a URL's password goes.
    "headers: { authorization: 'Bearer host-only-credential' },",
    "expect(headers['authorization']).toBe('Bearer vercel-deployment-oidc-token');",
    "Authorization: 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',",
    "!git clone https://julien-c:...token...@huggingface.co/julien-c/policy-distilbert",
    "NGC_API_KEY=nvapi-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "LANGSMITH_API_KEY=lsv2_pt_00000000000000000000000000000000_0000000000",
    // Session 53: Langfuse's public key (a client's, public by design) and a zeroed secret one.
    "LANGFUSE_PUBLIC_KEY=pk-lf-7c1e9a42-5b3d-4f8e-a6c0-2d9b8e71f435",
    "LANGFUSE_SECRET_KEY=sk-lf-00000000-0000-0000-0000-000000000000",
    "client = replicate.Client(\"r8_*************************************\")",
    // Session 54: tests' and guides' keys handed to ciphers (a counting run, a unit said again,
    // cryptopals' words, Telegram's constant), and cookies no one logs in with.
    "cipher = AES.new(b'0123456789abcdef', AES.MODE_ECB)",
    "block, err := aes.NewCipher([]byte(\"12345678123456781234567812345678\"))",
    "p = AES.new(b'YELLOW SUBMARINE', AES.MODE_ECB).decrypt(data)",
    "secret = hmac.new(b'WebAppData', token.encode(), hashlib.sha256).digest()",
    "-H 'cookie: __cfduid=deaef43a25c69b76878433dc4dcdacd5e1528402014' --compressed",
    "-H 'Cookie: JSESSIONID=xxx; XSRF-TOKEN=xxx' \\",
    "cookies = {'sessionid': 'your_session_id_here'}",
    "  \"image/png\": \"iVBORw0KGgoAAAANSUhEUgAAAMgAAAEiCAIAAAAzkgqZAAEAAElEQVR4nKz9x9ItSZImiCkxM2eH/ABSKd4o9mGpOOSaCEsyl3jnHDCWLJmXy1d2Dxe9/+c+pGv/jf/KPU2z39/aq0+EZAKdidpRwABBBBAAAEEEEAAAQQQQ\",",
];

#[test]
fn look_alikes_are_not_findings() {
    let env = TestEnv::new();
    let sealed = format!("  encryptedData:\n    password: {}", sealed_value());
    let texts = LOOK_ALIKES.iter().copied().chain([sealed.as_str()]);
    let values: Vec<Value> = texts.enumerate().map(|(i, t)| pair(&format!("Update {i}"), t, t, &format!("c{i}"))).collect();
    write_lines(&env.repo.join("d.jsonl"), &values);
    let out = env.screenlink(["validate", "d.jsonl", "--json"]);
    let report: Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!(report["findings"], json!([]), "false alarms: {:#}", report["findings"]);
}
