//! Rows of a SQL dump, where a value is a secret by its column's name, which no pattern over
//! one value can see: `INSERT INTO users (id, email, password) VALUES (1, '…', '…'), (…);`
//! and pg_dump's `COPY users (id, email, password) FROM stdin;` with a tab-separated row per line.
//! mysqldump leaves the column list out (`INSERT INTO \`users\` VALUES …`): the columns are
//! then those of the table's `CREATE TABLE` in the same text.
//!
//! And statements that set a password, where the keyword is no name a value is assigned to:
//! `CREATE USER … IDENTIFIED BY '…'`, `ALTER ROLE … WITH PASSWORD '…'`, `SET PASSWORD = …`.

use std::sync::LazyLock;

use regex::Regex;

use super::checks::{password_value, value_of_name};
use super::detectors::{d, Detector};
use super::names::names_a_secret;

/// A quoted value: SQL's `'…'` (with T-SQL's `N` before it), a quoted identifier `"…"` as
/// Oracle takes a password, either inside a string of code (`\"…\"`), in the groups
/// `QUOTED_GROUPS` names.
const QUOTED: &str = r#"N?\\?(?:'([^'\r\n]{4,}?)\\?'|"([^"\r\n]{4,}?)\\?")"#;
const QUOTED_GROUPS: &[usize] = &[1, 2];

/// Statements that set a password (kind `sql_password`): MySQL's and MariaDB's `IDENTIFIED
/// [WITH plugin] BY '…'` (in `CREATE USER`, `ALTER USER`, `GRANT`), ClickHouse's too;
/// PostgreSQL's, Cassandra's, Neo4j's, T-SQL's and Snowflake's `PASSWORD '…'` or
/// `PASSWORD = '…'` in a `CREATE`/`ALTER` `USER`, `ROLE`, `LOGIN` or `GROUP`; `SET PASSWORD
/// [FOR …] = [PASSWORD(]'…'`; Oracle's unquoted `CREATE USER scott IDENTIFIED BY …`;
/// T-SQL's `sp_addlogin 'user', '…'` and `sp_password old, '…'`. A value is judged as a
/// password is (`'password'`, `'secret'`, `'mypassword'`, `'${PW}'` are none), and one that is
/// the user's own name again (`CREATE USER db1 WITH PASSWORD 'db1'`) is a test's.
pub(super) fn detectors() -> Vec<Detector> {
    // Most texts hold no such statement; a case-insensitive pattern has no literal to find first.
    let says_so = |t: &str| ["PASSWORD", "password", "Password", "IDENTIFIED", "identified", "Identified", "sp_addlogin"].iter().any(|w| t.contains(w));
    let statement = |pattern: &str, groups| Detector { hint: Some(says_so), ..d("sql_password", pattern, groups, is_password_not_the_user) };
    vec![
        statement(&format!(r#"(?i)(?-u:\b)IDENTIFIED[ \t\r\n]+(?:WITH[ \t\r\n]+['"`]?[A-Za-z0-9_]+['"`]?[ \t\r\n]+)?BY[ \t\r\n]+{QUOTED}"#), QUOTED_GROUPS),
        statement(
            &format!(
                r#"(?i)(?-u:\b)(?:CREATE|ALTER)[ \t\r\n]+(?:USER|ROLE|LOGIN|GROUP)[ \t\r\n](?:[^;\r\n]*\n){{0,3}}[^;\r\n]*?(?-u:\b)PASSWORD[ \t\r\n]*=?[ \t\r\n]*{QUOTED}"#
            ),
            QUOTED_GROUPS,
        ),
        statement(&format!(r#"(?i)(?-u:\b)SET[ \t\r\n]+PASSWORD(?-u:\b)[^=;\r\n]*=[ \t\r\n]*(?:(?:OLD_)?PASSWORD\([ \t\r\n]*)?{QUOTED}"#), QUOTED_GROUPS),
        statement(
            &format!(
                r#"(?i)(?-u:\b)sp_addlogin[ \t\r\n]+(?:@loginame[ \t\r\n]*=[ \t\r\n]*)?N?'[^'\r\n]*'[ \t\r\n]*,[ \t\r\n]*(?:@passwd[ \t\r\n]*=[ \t\r\n]*)?{QUOTED}"#
            ),
            QUOTED_GROUPS,
        ),
        statement(
            &format!(
                r#"(?i)(?-u:\b)sp_password[ \t\r\n]+(?:@old[ \t\r\n]*=[ \t\r\n]*)?(?:NULL|N?'[^'\r\n]*')[ \t\r\n]*,[ \t\r\n]*(?:@new[ \t\r\n]*=[ \t\r\n]*)?{QUOTED}"#
            ),
            QUOTED_GROUPS,
        ),
        // Oracle's password is an identifier, unquoted: only in a `CREATE`/`ALTER USER`
        // ("identified by the" is prose).
        statement(
            r"(?i)(?-u:\b)(?:CREATE|ALTER)[ \t\r\n]+USER[ \t\r\n]+[A-Za-z0-9_$#.]+[ \t\r\n]+IDENTIFIED[ \t\r\n]+BY[ \t\r\n]+([A-Za-z][A-Za-z0-9_$#]{3,})(?-u:\b)",
            &[1],
        ),
    ]
}

/// A password, and not the user's name said again: `CREATE USER db1 WITH PASSWORD 'db1'`.
fn is_password_not_the_user(caps: &regex::Captures, v: &str) -> bool {
    let (Some(all), Some(value)) = (caps.get(0), caps.get(1).or(caps.get(2))) else { return false };
    let before = all.as_str()[..value.start() - all.start()].to_ascii_lowercase();
    password_value(caps, v) && !before.contains(&v.to_ascii_lowercase())
}

static INSERT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\bINSERT\s+(?:IGNORE\s+)?INTO\s+([^\s(]+)\s*(?:\(([^)]*)\)\s*)?VALUES\s*"#).expect("valid regex"));
static CREATE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bCREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([^\s(]+)\s*\(").expect("valid regex"));
static COPY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?im)^COPY\s+[^\s(]+\s*\(([^)]*)\)\s+FROM\s+stdin;[ \t]*\r?\n").expect("valid regex"));

/// The byte ranges of values in secret columns.
pub(super) fn findings(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // Read only when an INSERT names no columns: most texts hold no SQL at all.
    let mut tables: Option<Vec<(String, Vec<String>)>> = None;
    for caps in INSERT.captures_iter(text) {
        let (Some(table), Some(all)) = (caps.get(1), caps.get(0)) else { continue };
        let cols = match caps.get(2) {
            Some(list) => columns(list.as_str()),
            None => {
                let name = table_name(table.as_str());
                let tables = tables.get_or_insert_with(|| created_tables(text));
                let Some((_, cols)) = tables.iter().rev().find(|(t, _)| *t == name) else { continue };
                cols.clone()
            }
        };
        if !cols.iter().any(|c| names_a_secret(c)) {
            continue;
        }
        for row in tuples(text, all.end()) {
            keep_secrets(text, &cols, &row, &mut out);
        }
    }
    for caps in COPY.captures_iter(text) {
        let (Some(cols), Some(all)) = (caps.get(1), caps.get(0)) else { continue };
        let cols = columns(cols.as_str());
        if !cols.iter().any(|c| names_a_secret(c)) {
            continue;
        }
        let mut at = all.end();
        for line in text[all.end()..].split_inclusive('\n') {
            let body = line.trim_end_matches(['\r', '\n']);
            if body == "\\." {
                break;
            }
            let mut start = at;
            let row: Vec<(usize, usize)> = body
                .split('\t')
                .map(|v| {
                    let r = (start, start + v.len());
                    start += v.len() + 1;
                    r
                })
                .collect();
            keep_secrets(text, &cols, &row, &mut out);
            at += line.len();
        }
    }
    out
}

/// Each `CREATE TABLE` of the text: its name and its columns.
fn created_tables(text: &str) -> Vec<(String, Vec<String>)> {
    CREATE
        .captures_iter(text)
        .filter_map(|c| Some((table_name(c.get(1)?.as_str()), definitions(&text[c.get(0)?.end()..]))))
        .map(|(name, defs)| (name, defs.into_iter().filter_map(column_of_definition).collect()))
        .collect()
}

/// A name without SQL's quotes: `` `users` ``, `"users"`, `[users]`.
fn unquote(name: &str) -> &str {
    name.trim_matches(['`', '"', '[', ']'])
}

/// `\`app\`.\`users\``, `public.users`, `"Users"` → `users`.
fn table_name(name: &str) -> String {
    unquote(name.rsplit('.').next().unwrap_or(name)).to_ascii_lowercase()
}

/// A `CREATE TABLE`'s definitions, split at its top-level commas, up to its closing bracket.
fn definitions(body: &str) -> Vec<&str> {
    let (mut out, mut start, mut depth, mut quote) = (Vec::new(), 0, 0, None);
    // A table's definitions fit in far less; an unclosed bracket is not read to the end.
    for (i, c) in body.char_indices().take_while(|(i, _)| *i < 65_536) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => {
                out.push(&body[start..i]);
                return out;
            }
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    Vec::new()
}

/// The column a `CREATE TABLE` definition makes (`\`password\` varchar(255) NOT NULL`), not a
/// key or a constraint.
fn column_of_definition(def: &str) -> Option<String> {
    const NOT_COLUMNS: &[&str] = &["primary", "key", "unique", "constraint", "index", "foreign", "check", "fulltext", "spatial", "exclude"];
    let first = def.split_whitespace().next()?;
    let quoted = first.starts_with(['`', '"', '[']);
    let name = unquote(first);
    (quoted || !NOT_COLUMNS.contains(&name.to_ascii_lowercase().as_str())).then(|| name.to_string())
}

fn columns(list: &str) -> Vec<String> {
    list.split(',').map(|c| unquote(c.trim()).to_string()).collect()
}

fn keep_secrets(text: &str, cols: &[String], row: &[(usize, usize)], out: &mut Vec<(usize, usize)>) {
    for (col, &(start, end)) in cols.iter().zip(row) {
        let v = &text[start..end];
        if v != "\\N" && !v.eq_ignore_ascii_case("null") && value_of_name(col, v) {
            out.push((start, end));
        }
    }
}

/// The values of each `( … )` after `VALUES`, as byte ranges inside their quotes, up to the
/// statement's end. Quotes are SQL's (`''`) or MySQL's (`\'`).
fn tuples(text: &str, from: usize) -> Vec<Vec<(usize, usize)>> {
    let bytes = text.as_bytes();
    let (mut rows, mut row, mut i) = (Vec::new(), Vec::new(), from);
    let mut value_start: Option<usize> = None;
    let mut depth = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' if depth == 1 => {
                let start = i + 1;
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'\'' if bytes.get(i + 1) == Some(&b'\'') => i += 1,
                        b'\'' => break,
                        _ => {}
                    }
                    i += 1;
                }
                row.push((start, i.min(bytes.len())));
                value_start = None;
            }
            b'(' => {
                depth += 1;
                if depth == 1 {
                    value_start = Some(i + 1);
                }
            }
            b',' | b')' if depth == 1 => {
                if let Some(s) = value_start.take() {
                    let v = text[s..i].trim();
                    let lead = text[s..i].len() - text[s..i].trim_start().len();
                    row.push((s + lead, s + lead + v.len()));
                }
                if bytes[i] == b')' {
                    depth = 0;
                    rows.push(std::mem::take(&mut row));
                } else {
                    value_start = Some(i + 1);
                }
            }
            b')' => depth -= 1,
            // Between rows only commas and space: anything else ends the statement.
            c if depth == 0 && !(c == b',' || c.is_ascii_whitespace()) => break,
            _ => {}
        }
        i += 1;
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::findings;

    fn found(text: &str) -> Vec<&str> {
        super::super::spans(text, findings(text))
    }

    #[test]
    fn values_in_secret_columns_of_inserts_and_copies() {
        let dump = "CREATE TABLE `wp_users` (\n  `ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT,\n  `user_login` varchar(60) NOT NULL DEFAULT '',\n  `user_pass` varchar(255) NOT NULL DEFAULT '',\n  PRIMARY KEY (`ID`),\n  KEY `user_login_key` (`user_login`)\n) ENGINE=InnoDB;\nINSERT INTO `wp_users` VALUES (1,'admin','Zq8rT5vLp9xY'),(2,'bob','');\n";
        assert_eq!(found(dump), ["Zq8rT5vLp9xY"]);
        let insert = "INSERT INTO `users` (`id`, `email`, `password`) VALUES (1, 'a@b.c', '5f4dcc3b5aa765d61d8327deb882cf99'), (2, 'it''s', 'Zq8rT5vLp9');";
        assert_eq!(found(insert), ["5f4dcc3b5aa765d61d8327deb882cf99", "Zq8rT5vLp9"]);
        let copy = "COPY public.api_keys (id, name, api_key) FROM stdin;\n1\tci\tXy9Kq2Lm8VtR4nB7cD1e\n2\tnone\t\\N\n\\.\nSELECT 1;\n";
        assert_eq!(found(copy), ["Xy9Kq2Lm8VtR4nB7cD1e"]);
    }

    #[test]
    fn other_columns_and_placeholders_are_not_findings() {
        assert!(found("INSERT INTO users (id, name, password_hint) VALUES (1, 'Xy9Kq2Lm8VtR4nB7', 'your pet');").is_empty());
        assert!(found("INSERT INTO users (id, password) VALUES (1, NULL), (2, 'changeme');").is_empty());
        assert!(found("INSERT INTO t VALUES (1, 'Xy9Kq2Lm8VtR4nB7');").is_empty());
    }

    #[test]
    fn passwords_set_by_statements_are_found_and_redacted_to_the_value() {
        let cases = [
            ("CREATE USER 'app'@'%' IDENTIFIED BY 'Xk29vLq8Pz';", "CREATE USER 'app'@'%' IDENTIFIED BY '[REDACTED:sql_password]';"),
            (
                "CREATE USER repl IDENTIFIED WITH mysql_native_password BY 'R3pl1c4Zq';",
                "CREATE USER repl IDENTIFIED WITH mysql_native_password BY '[REDACTED:sql_password]';",
            ),
            ("GRANT ALL ON *.* TO 'admin'@'%' IDENTIFIED BY \"Gr4ntPwZ8\";", "GRANT ALL ON *.* TO 'admin'@'%' IDENTIFIED BY \"[REDACTED:sql_password]\";"),
            ("SET PASSWORD FOR 'bob'@'%' = PASSWORD('B0bPw9zXq');", "SET PASSWORD FOR 'bob'@'%' = PASSWORD('[REDACTED:sql_password]');"),
            ("CREATE USER scott IDENTIFIED BY Orac1ePw9;", "CREATE USER scott IDENTIFIED BY [REDACTED:sql_password];"),
            ("CREATE ROLE reporting LOGIN PASSWORD 'R3p0rtZ9q';", "CREATE ROLE reporting LOGIN PASSWORD '[REDACTED:sql_password]';"),
            (
                "ALTER ROLE app WITH ENCRYPTED PASSWORD 'Enc9PwZqx' VALID UNTIL 'infinity';",
                "ALTER ROLE app WITH ENCRYPTED PASSWORD '[REDACTED:sql_password]' VALID UNTIL 'infinity';",
            ),
            ("ALTER LOGIN sa WITH PASSWORD = N'S4PwZq9x!';", "ALTER LOGIN sa WITH PASSWORD = N'[REDACTED:sql_password]';"),
            ("EXEC sp_addlogin 'legacy', 'L3gacyPwZ';", "EXEC sp_addlogin 'legacy', '[REDACTED:sql_password]';"),
            ("EXEC sp_password NULL, 'N3wSaPw9z', 'sa';", "EXEC sp_password NULL, '[REDACTED:sql_password]', 'sa';"),
            ("cur.execute(\"CREATE USER reader WITH PASSWORD 'Rd9PwZqx7'\")", "cur.execute(\"CREATE USER reader WITH PASSWORD '[REDACTED:sql_password]'\")"),
            ("db.exec(\"ALTER USER hr IDENTIFIED BY \\\"Hr5chemaZ\\\"\");", "db.exec(\"ALTER USER hr IDENTIFIED BY \\\"[REDACTED:sql_password]\\\"\");"),
        ];
        for (text, redacted) in cases {
            assert_eq!(super::super::redact(text).0, redacted, "{text}");
        }
    }

    #[test]
    fn statements_without_a_password_in_them_are_not_findings() {
        for text in [
            "CREATE USER 'app'@'%' IDENTIFIED BY 'password';",
            "CREATE USER 'app'@'%' IDENTIFIED BY '${DB_PASSWORD}';",
            "ALTER USER '$MYSQL_USER'@'%' IDENTIFIED BY '$MYSQL_NEW_PASSWORD';",
            "CREATE USER app IDENTIFIED BY :password;",
            "CREATE USER db1 WITH PASSWORD 'db1';",
            "CREATE USER myuser WITH PASSWORD 'mypassword';",
            "ALTER USER \"default\" WITH PASSWORD 'newpass'",
            "CREATE ROLE sr_check_user WITH LOGIN PASSWORD 'some-password';",
            "CREATE USER scott IDENTIFIED BY tiger;",
            "CREATE USER u IDENTIFIED BY VALUES 'S:1234';",
            "CREATE ROLE r WITH PASSWORD NULL;",
            "sql = f\"CREATE USER {user} WITH PASSWORD '{password}'\"",
            "query(\"SET PASSWORD FOR ? = ?\", user, pw)",
            "Each row is identified by the 'Xk29vLq8Pz' key.",
        ] {
            assert!(super::super::scan(text).is_empty(), "{text}: {:?}", super::super::scan(text));
        }
    }
}
