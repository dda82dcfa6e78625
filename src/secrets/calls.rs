//! Credentials a call takes by position, where no name beside the value says what it is: the
//! call's own name does (`NetworkCredential(user, pw)`, `Github(token)`, `OAuthHandler(key,
//! secret)`), or an `Authorization` header's scheme (`Token …`, GitHub's and Django REST
//! Framework's).

use regex::Captures;

use super::checks::{password_value, value_of_name};
use super::detectors::{d, Detector};
use super::shapes::{is_hex_token, is_random_token};

/// Calls that take a user name and then a password: PyGithub's `Auth.Login`, .NET's
/// `NetworkCredential`, Java's `PasswordAuthentication`, HttpClient's
/// `UsernamePasswordCredentials`, JGit's `UsernamePasswordCredentialsProvider`, JCR's
/// `SimpleCredentials`, requests' `HTTPBasicAuth` and `auth=(user, pw)` (`basic_auth=`, as
/// jira's client names it), the `login(user, pw)` of smtplib, ftplib and imaplib, paramiko's
/// `auth_password`, Spring's `BasicAuthenticationInterceptor`, `basicAuthentication`,
/// `setBasicAuth` and `UsernamePasswordAuthenticationToken`, OkHttp's `Credentials.basic`,
/// REST Assured's `.basic(user, pw)`; and, after the place as their first argument, JDBC's
/// `getConnection(url, user, pw)` and ftplib's `FTP(host, user, pw)`.
const USER_THEN_PASSWORD: &str = r#"(?:\b(?:Auth\.Login|NetworkCredential|PasswordAuthentication|UsernamePasswordCredentials|UsernamePasswordCredentialsProvider|SimpleCredentials|HTTPBasicAuth|HTTPDigestAuth|HttpBasicAuth|BasicAuth|login|auth_password|BasicAuthenticationInterceptor|basicAuthentication|setBasicAuth|withBasicAuth|basicAuth|basic|BasicCredentials|UsernamePasswordAuthenticationToken)\(|\b(?:basic_|digest_|proxy_)?auth\s*=\s*\(|\b(?:getConnection|FTP|FTP_TLS)\([^,()]+,)\s*(?:"[^"\r\n]*"|'[^'\r\n]*')\s*,\s*(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})')"#;

/// Calls whose name says their arguments are credentials, which take a token with no name
/// beside it: `client.auth(token)`, PyGithub's `Github(token)` and `Auth.Token(token)`,
/// tweepy's `OAuthHandler(key, secret)`, requests-oauthlib's `OAuth1(key, secret)`,
/// go-github's `WithAuthToken(token)`, Dropbox's `Dropbox(token)`, JGit's
/// `UsernamePasswordCredentialsProvider(token, "")`.
const TOKEN_CALL: &str = r"\b(?:Auth\.Token|auth|authenticate|authorize|login|Github|GitHub|Dropbox|DropboxTeam|UsernamePasswordCredentialsProvider|OAuthHandler|OAuth1|OAuth1Session|OAuth2Session|BasicAWSCredentials|StaticCredentialsProvider|Credentials|set_?api_?key|set_?ApiKey|setAPIKey|set_?token|setToken|set_?access_?token|setAccessToken|with_?token|withToken|with_?auth_?token|WithAuthToken|bearer_?auth|bearerAuth|token_?auth|TokenAuth|HTTPTokenAuth)\(";

/// Database drivers' and directories' connect calls that take the place first, then a user
/// and a password: `mysqli_connect(host, user, pw, db)` (`new mysqli`, `mysql_connect`), PDO's
/// `new PDO(dsn, user, pw)`, Perl's `DBI->connect(dsn, user, pw)`, MySQLdb's and PyMySQL's
/// `connect(host, user, pw, db)`, Ruby's `Mysql.new`, `new Sequelize(db, user, pw)`, PHP's
/// `ldap_bind(link, dn, pw)`. The user may be a variable here.
const PLACE_USER_PASSWORD: &str = r"\b(?:mysqli_connect|mysql_p?connect|mysqli|PDO|DBI->connect|(?:MySQLdb|pymysql|mysql\.connector)\.[Cc]onnect|Mysql2?\.(?:new|real_connect|connect)|Sequelize|ldap_bind)\(";

/// …and those that take the user first: `cx_Oracle.connect(user, pw, dsn)` (python-oracledb's
/// too), PHP's `oci_connect(user, pw, db)`, python-ldap's `simple_bind_s(dn, pw)`.
const USER_PASSWORD: &str = r"\b(?:(?:cx_Oracle|oracledb)\.connect|oci_p?connect|oci_new_connect|simple_bind_s|simple_bind|bind_s)\(";

/// Where a JSON Web Token's signing key is passed: the second argument of `jwt.sign`,
/// `encode`, `decode` and `verify` (jsonwebtoken, PyJWT, ruby-jwt), java-jwt's
/// `Algorithm.HMAC256(key)`, jjwt's `signWith([alg,] key)` and `setSigningKey(key)`.
const JWT_KEY: &str = r#"(?:\b(?:jwt|JWT)\.(?:sign|encode|decode|verify)\(\s*(?:\{[^{}\r\n]*\}|"[^"\r\n]*"|'[^'\r\n]*'|[^,"'{}()\r\n]+?)\s*,|\bAlgorithm\.HMAC(?:256|384|512)\(|\b(?:signWith|setSigningKey|hmacShaKeyFor)\((?:\s*SignatureAlgorithm\.\w+\s*,)?)\s*(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})')"#;

/// One argument before the value, of any form but a call.
const ARG: &str = r#"(?:"[^"\r\n]*"|'[^'\r\n]*'|[^,()"'\r\n]+)\s*,\s*"#;

/// A token as services issue them: random letters and digits in mixed case, or a long hex
/// number (a UUID too). Placeholders are not.
fn is_token(_: &Captures, v: &str) -> bool {
    (is_hex_token(v) || is_random_token(v)) && !super::is_placeholder(v)
}

/// Pusher's secrets: 20 hex digits, letters and digits both (or any token of the usual kind).
fn pusher_secret(c: &Captures, v: &str) -> bool {
    let hex = v.len() == 20 && v.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (hex && v.bytes().any(|b| b.is_ascii_digit()) && v.bytes().any(|b| b.is_ascii_alphabetic())) || is_token(c, v)
}

pub(super) fn detectors() -> Vec<Detector> {
    let quoted = r#"(?:"([^"\r\n]{4,})"|'([^'\r\n]{4,})')\s*[,)]"#;
    let mut found = vec![
        d("assigned_secret", USER_THEN_PASSWORD, &[1, 2], password_value),
        d("assigned_secret", &format!(r"{PLACE_USER_PASSWORD}\s*{ARG}{ARG}{quoted}"), &[1, 2], password_value),
        d("assigned_secret", &format!(r"{USER_PASSWORD}\s*{ARG}{quoted}"), &[1, 2], password_value),
        // smtplib's and ftplib's `login(user, "…")` with the user in a variable, paramiko's
        // `connect(host, port, user, "…")`, a Redis client's `auth("…")` (Jedis, ioredis).
        d("assigned_secret", &format!(r"\.login\(\s*[A-Za-z_][\w.]*\s*,\s*{quoted}"), &[1, 2], password_value),
        d("assigned_secret", &format!(r"\.connect\(\s*{ARG}\d+\s*,\s*{ARG}{quoted}"), &[1, 2], password_value),
        d("assigned_secret", &format!(r"\b(?:jedis|redis|Jedis|Redis|redisClient|ioredis)\.auth\(\s*{quoted}"), &[1, 2], password_value),
        // Ruby's `Net::SMTP.start(host, port, helo, user, "…", :login)`; Pusher's secret, third
        // in Python's and Ruby's `Pusher(app_id, key, secret)`, second in PHP's
        // `new Pusher\Pusher(key, secret, app_id)`.
        d("assigned_secret", &format!(r"\bNet::SMTP\.start\(\s*(?:{ARG}){{4}}{quoted}"), &[1, 2], password_value),
        d("assigned_secret", &format!(r"\bPusher\(\s*{ARG}{ARG}{quoted}"), &[1, 2], pusher_secret),
        d("assigned_secret", &format!(r"\bPusher\\Pusher\(\s*{ARG}{quoted}"), &[1, 2], pusher_secret),
    ];
    // The token may be any of the call's first four arguments (`OAuth1(key, secret, token,
    // token_secret)`); a match holds one value, so one pattern per position.
    for before in 0..4 {
        let pattern = format!(r#"{TOKEN_CALL}\s*(?:{ARG}){{{before}}}(?:"([A-Za-z0-9+/=_\-]{{20,}})"|'([A-Za-z0-9+/=_\-]{{20,}})')\s*[,)]"#);
        found.push(d("assigned_secret", &pattern, &[1, 2], is_token));
    }
    found.push(d("assigned_secret", JWT_KEY, &[1, 2], |_, v| value_of_name("signing_secret", v)));
    // A value under a bare `auth` (Octokit's `new Octokit({ auth: "…" })`, a keyword argument):
    // `auth` names a scheme or a switch as often (`auth: 'basic'`), so only a token is one.
    found.push(d(
        "assigned_secret",
        r#"(?:^|[^A-Za-z0-9_.$])auth["']?[ \t]*[:=][ \t]*(?:"([A-Za-z0-9+/=_\-]{20,})"|'([A-Za-z0-9+/=_\-]{20,})')"#,
        &[1, 2],
        is_token,
    ));
    // An `Authorization` header's value under a scheme that means "the token follows":
    // GitHub's and Django REST Framework's `Token`, as headers, `curl -H` lines and code
    // (`{"Authorization": "Token …"}`) write it. `Bearer` is a rule of its own, anywhere.
    found.push(d("bearer_token", r#"(?i)\bauthorization["']?\s*[:=,]\s*["']?token\s+([A-Za-z0-9_\-.=+/]{20,})"#, &[1], is_token));
    found
}

#[cfg(test)]
mod tests {
    use super::super::cases::{finds_none, redacts_to};
    use super::super::{redact, scan};

    #[test]
    fn a_token_passed_to_a_call_named_for_it_is_found() {
        for (text, want) in [
            (r#"client.auth("3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c6d7e8f90")"#, r#"client.auth("[REDACTED:assigned_secret]")"#),
            (r#"g = Github("3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c6d7e8f90")"#, r#"g = Github("[REDACTED:assigned_secret]")"#),
            (
                r#"auth = tweepy.OAuthHandler("Kq3vT9xLm2Rw7ZpN4bYc8HdJf", "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg")"#,
                r#"auth = tweepy.OAuthHandler("[REDACTED:assigned_secret]", "[REDACTED:assigned_secret]")"#,
            ),
            (
                r#"auth = OAuth1("Kq3vT9xLm2Rw7ZpN4bYc8HdJf", "L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg", owner_key, "Xa3Lq8Zr2Kv7Tp9Wm4Nb6Yc1Fd5Gh0Js8Lq3Zr")"#,
                r#"auth = OAuth1("[REDACTED:assigned_secret]", "[REDACTED:assigned_secret]", owner_key, "[REDACTED:assigned_secret]")"#,
            ),
            (r#"api.setApiKey('Zx8vQ2mN7pL4kR9tW3yB6cF1')"#, r#"api.setApiKey('[REDACTED:assigned_secret]')"#),
            // Twilio's: no name says it, its account's SID before it does (`providers.rs`).
            (
                r#"client = Client("AC3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c", "9b2c4e6a8d0f1e3c5a7b9d2f4e6c8a0b")"#,
                r#"client = Client("AC3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c", "[REDACTED:twilio_key]")"#,
            ),
            (r#"g = Github(auth=Auth.Token("3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c6d7e8f90"))"#, r#"g = Github(auth=Auth.Token("[REDACTED:assigned_secret]"))"#),
            (
                r#"headers = {"Authorization": "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}"#,
                r#"headers = {"Authorization": "Token [REDACTED:bearer_token]"}"#,
            ),
            (
                r#"curl -H "Authorization: token 3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c6d7e8f90" https://api.github.com/user"#,
                r#"curl -H "Authorization: token [REDACTED:bearer_token]" https://api.github.com/user"#,
            ),
            (r#"-H "Authorization: token ccc9ae71-913f-46bd-9d23-03356323400a" \"#, r#"-H "Authorization: token [REDACTED:bearer_token]" \"#),
        ] {
            assert_eq!(redact(text).0, want);
        }
    }

    #[test]
    fn a_signing_key_and_a_token_under_a_bare_auth_are_found() {
        for (text, want) in [
            (
                r#"token = jwt.encode({"user_id": user.id}, "Hs256-S1gn!ngK3y-2024", algorithm="HS256")"#,
                r#"token = jwt.encode({"user_id": user.id}, "[REDACTED:assigned_secret]", algorithm="HS256")"#,
            ),
            (
                "const token = jwt.sign({ id: user.id }, 'k9Q2vX7mT4pL8zR3wN6b', { expiresIn: '1h' });",
                "const token = jwt.sign({ id: user.id }, '[REDACTED:assigned_secret]', { expiresIn: '1h' });",
            ),
            (r#"Algorithm a = Algorithm.HMAC256("q7Lm2Xv9Rk4Tp8Wz3Ny6");"#, r#"Algorithm a = Algorithm.HMAC256("[REDACTED:assigned_secret]");"#),
            (
                r#"Jwts.builder().signWith(SignatureAlgorithm.HS512, "q7Lm2Xv9Rk4Tp8Wz3Ny6Bc1Df5Gh0Jk").compact();"#,
                r#"Jwts.builder().signWith(SignatureAlgorithm.HS512, "[REDACTED:assigned_secret]").compact();"#,
            ),
            (
                r#"const octokit = new Octokit({ auth: "3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c6d7e8f90" });"#,
                r#"const octokit = new Octokit({ auth: "[REDACTED:assigned_secret]" });"#,
            ),
            (
                r#"github.NewClient(nil).WithAuthToken("3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c6d7e8f90")"#,
                r#"github.NewClient(nil).WithAuthToken("[REDACTED:assigned_secret]")"#,
            ),
        ] {
            assert_eq!(redact(text).0, want);
        }
        for text in [
            "token = jwt.encode(payload, settings.SECRET_KEY, algorithm=\"HS256\")",
            "jwt.verify(token, 'secret', cb)",
            "jwt.sign(payload, 'my-secret-key')",
            "Algorithm algorithm = Algorithm.HMAC256(secret);",
            r#"auth: 'basic'"#,
            r#"{ auth: "oauth2-client-credentials" }"#,
        ] {
            assert!(scan(text).is_empty(), "{text}: {:?}", scan(text));
        }
    }

    #[test]
    fn a_password_after_its_user_is_found_in_more_calls() {
        for (text, want) in [
            (r#"jira = JIRA(server, basic_auth=("admin", "J1raAdm1n!"))"#, r#"jira = JIRA(server, basic_auth=("admin", "[REDACTED:assigned_secret]"))"#),
            (r#"Auth.Login("deploy", "Gh7Pass2024!")"#, r#"Auth.Login("deploy", "[REDACTED:assigned_secret]")"#),
            (r#"t.auth_password("deploy", "Pm2024deploy!")"#, r#"t.auth_password("deploy", "[REDACTED:assigned_secret]")"#),
            (r#"ftp = FTP('ftp.host.net', 'deploy', 'Ftp2024pass!')"#, r#"ftp = FTP('ftp.host.net', 'deploy', '[REDACTED:assigned_secret]')"#),
            (
                r#"new UsernamePasswordCredentialsProvider("deploy", "Gi7Pass2024!")"#,
                r#"new UsernamePasswordCredentialsProvider("deploy", "[REDACTED:assigned_secret]")"#,
            ),
            // Database drivers and directories, the place first.
            (
                r#"$link = mysqli_connect("localhost", "root", "Pz8kW3nQx2", "shop");"#,
                r#"$link = mysqli_connect("localhost", "root", "[REDACTED:assigned_secret]", "shop");"#,
            ),
            (
                r#"$conn = new mysqli($servername, $user, "Ms8kQ2xLm7", $dbname);"#,
                r#"$conn = new mysqli($servername, $user, "[REDACTED:assigned_secret]", $dbname);"#,
            ),
            (
                r#"$pdo = new PDO('mysql:host=localhost;dbname=shop', 'shopuser', 'Jq9xK2vLm7');"#,
                r#"$pdo = new PDO('mysql:host=localhost;dbname=shop', 'shopuser', '[REDACTED:assigned_secret]');"#,
            ),
            (
                r#"db = MySQLdb.connect("localhost","testuser","My8kQ2xLm7!","TESTDB")"#,
                r#"db = MySQLdb.connect("localhost","testuser","[REDACTED:assigned_secret]","TESTDB")"#,
            ),
            (
                r#"conn = pymysql.connect('localhost', 'root', 'Lm4xQ9vK2z', 'shop')"#,
                r#"conn = pymysql.connect('localhost', 'root', '[REDACTED:assigned_secret]', 'shop')"#,
            ),
            (
                r#"my $dbh = DBI->connect("dbi:Pg:dbname=shop", "app", "Pl8kQ2xLm7", { RaiseError => 1 });"#,
                r#"my $dbh = DBI->connect("dbi:Pg:dbname=shop", "app", "[REDACTED:assigned_secret]", { RaiseError => 1 });"#,
            ),
            (
                r#"new Sequelize('shop', 'root', 'Sz8kQ2xLm7', { dialect: 'mysql' })"#,
                r#"new Sequelize('shop', 'root', '[REDACTED:assigned_secret]', { dialect: 'mysql' })"#,
            ),
            (
                r#"ldap_bind($ds, "cn=admin,dc=example,dc=com", "Lb8kQ2xLm7");"#,
                r#"ldap_bind($ds, "cn=admin,dc=example,dc=com", "[REDACTED:assigned_secret]");"#,
            ),
            // …the user first.
            (r#"cx_Oracle.connect("system", "Cx8kQ2xLm7", "db01/ORCLPDB")"#, r#"cx_Oracle.connect("system", "[REDACTED:assigned_secret]", "db01/ORCLPDB")"#),
            (
                r#"l.simple_bind_s("cn=admin,dc=example,dc=com", "Sb8kQ2xLm7")"#,
                r#"l.simple_bind_s("cn=admin,dc=example,dc=com", "[REDACTED:assigned_secret]")"#,
            ),
            // Basic auth by a call's name, a user in a variable, paramiko, Redis.
            (
                r#"add(new BasicAuthenticationInterceptor("admin", "Ba8kQ2xLm7"));"#,
                r#"add(new BasicAuthenticationInterceptor("admin", "[REDACTED:assigned_secret]"));"#,
            ),
            (
                r#"String credential = Credentials.basic("admin", "Ok8kQ2xLm7");"#,
                r#"String credential = Credentials.basic("admin", "[REDACTED:assigned_secret]");"#,
            ),
            (r#"given().auth().preemptive().basic("admin", "Ra8kQ2xLm7")"#, r#"given().auth().preemptive().basic("admin", "[REDACTED:assigned_secret]")"#),
            (r#"smtp_server.login(sender_email, "Sl8kQ2xLm7")"#, r#"smtp_server.login(sender_email, "[REDACTED:assigned_secret]")"#),
            (r#"client.connect('web01', 22, 'deploy', 'Pm8kQ2xLm7')"#, r#"client.connect('web01', 22, 'deploy', '[REDACTED:assigned_secret]')"#),
            (r#"jedis.auth("Je8kQ2xLm7");"#, r#"jedis.auth("[REDACTED:assigned_secret]");"#),
            (
                r#"Net::SMTP.start('smtp.example.com', 587, 'example.com', 'mailer', 'Sm7tPx2kQ9', :login)"#,
                r#"Net::SMTP.start('smtp.example.com', 587, 'example.com', 'mailer', '[REDACTED:assigned_secret]', :login)"#,
            ),
            (
                r#"pusher = Pusher('1234567', '8a9b0c1d2e3f4a5b6c7d', '9f8e7d6c5b4a3f2e1d0c')"#,
                r#"pusher = Pusher('1234567', '8a9b0c1d2e3f4a5b6c7d', '[REDACTED:assigned_secret]')"#,
            ),
            (
                r#"$pusher = new Pusher\Pusher('8a9b0c1d2e3f4a5b6c7d', '9f8e7d6c5b4a3f2e1d0c', '1234567', $options);"#,
                r#"$pusher = new Pusher\Pusher('8a9b0c1d2e3f4a5b6c7d', '[REDACTED:assigned_secret]', '1234567', $options);"#,
            ),
            // Go's MySQL DSN, which has no scheme.
            (
                r#"sql.Open("mysql", "app:Rt6yH3kLw9@tcp(127.0.0.1:3306)/shop")"#,
                r#"sql.Open("mysql", "app:[REDACTED:connection_string]@tcp(127.0.0.1:3306)/shop")"#,
            ),
        ] {
            assert_eq!(redact(text).0, want);
        }
    }

    #[test]
    fn names_words_variables_and_placeholders_in_such_calls_stay() {
        for text in [
            "g = Github(token)",
            r#"g = Github(os.environ["GITHUB_TOKEN"])"#,
            r#"client.auth("username_password_authentication")"#,
            r#"client.auth("YOUR_API_TOKEN_GOES_HERE_1234")"#,
            r#"api.setApiKey("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")"#,
            r#"repo.checkout("3f9a0b7c1e2d4f6a8b9c0d1e2f3a4b5c6d7e8f90")"#,
            r#"auth = OAuth1(client_key, client_secret, resource_owner_key)"#,
            r#"headers = {"Authorization": f"Token {token}"}"#,
            r#"headers = {"Authorization": "Token <your token>"}"#,
            r#"req.Header.Set("Authorization", "token "+key)"#,
            r#"-H "Authorization: token 00000000-0000-0000-0000-000000000000""#,
            r#"ftp = FTP('ftp.host.net', 'anonymous', 'guest')"#,
            "def login(self, username, password):",
            r#"$link = mysqli_connect($host, $user, $password, $db);"#,
            r#"$link = mysqli_connect("localhost", "root", "", "shop");"#,
            r#"$pdo = new PDO($dsn, $user, $pass, $options);"#,
            r#"$pdo = new PDO('sqlite:/tmp/app.db');"#,
            r#"conn = pymysql.connect('localhost', 'root', 'password', 'shop')"#,
            r#"cx_Oracle.connect("scott", "tiger", "orcl")"#,
            r#"l.simple_bind_s("cn=admin,dc=example,dc=com", "secret")"#,
            r#"dsn := fmt.Sprintf("%s:%s@tcp(%s)/%s", user, pass, host, name)"#,
            r#"db, _ := sql.Open("mysql", "root:password@tcp(localhost:3306)/test")"#,
            r#"new Sequelize(process.env.DB, process.env.USER, process.env.PASS)"#,
            r#"smtp.login(user, password)"#,
            r#"login(request, "registration/login.html")"#,
            r#"client.connect('web01', 22, 'deploy', key_filename='id_rsa')"#,
            r#"sock.connect(("db01", 8080))"#,
            r#"given().auth().basic("user", "password")"#,
            r#"Net::SMTP.start('smtp.example.com', 25, 'example.com', nil, nil, nil)"#,
            r#"pusher = Pusher(app_id, key, secret, cluster='eu')"#,
            r#"$pusher = new Pusher\Pusher(env('PUSHER_KEY'), env('PUSHER_SECRET'), env('PUSHER_APP_ID'));"#,
        ] {
            assert!(scan(text).is_empty(), "{text}: {:?}", scan(text));
        }
    }

    #[test]
    fn passwords_by_position_and_symbol_and_long_hex_keys() {
        redacts_to(&[
            (
                r#"var c = new NetworkCredential("svc_backup", "Bkp!2024secret");"#,
                r#"var c = new NetworkCredential("svc_backup", "[REDACTED:assigned_secret]");"#,
            ),
            (r#"s.login("mailer", 'Gm4il-App-Pw')"#, r#"s.login("mailer", '[REDACTED:assigned_secret]')"#),
            (r#"requests.get(u, auth=("api", "R3qu3sts!x"))"#, r#"requests.get(u, auth=("api", "[REDACTED:assigned_secret]"))"#),
            (r#"DriverManager.getConnection(url, "sa", "Jdbc2024pw")"#, r#"DriverManager.getConnection(url, "sa", "[REDACTED:assigned_secret]")"#),
            (r#"set :db_password, "CapistranoPw99""#, r#"set :db_password, "[REDACTED:assigned_secret]""#),
            // Stored base64-encoded: no digit in it, but its padding says what it is.
            ("//npm.corp/:_password=UHJveHlQdzIwMjQ=", "//npm.corp/:_password=[REDACTED:assigned_secret]"),
            (r#""password": "RmVjYWRlIDIwMjQgcHc=""#, r#""password": "[REDACTED:assigned_secret]""#),
            (r#"private_key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318""#, r#"private_key = "[REDACTED:assigned_secret]""#),
        ]);
        // Variables, words, placeholders and numbers stay.
        finds_none(
            &[],
            &[
                "server.login(user, password)",
                r#"client.login("alice", "secret")"#,
                r#"new SimpleCredentials("admin", "admin".toCharArray())"#,
                r#"login("admin", "{{ admin_password }}")"#,
                r#"set :password, ENV["DEPLOY_PASSWORD"]"#,
                "const MASK: u128 = 0xffffffffffffffffffffffffffffffff;",
                "private_key = 0x1f2e3d4c5b6a7988",
                r#"password_hint = "Q29sb3I=""#,
                "password: Zm9v",
            ],
        );
    }
}
