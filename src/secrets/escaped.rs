//! Text inside escaped string literals: a notebook's cells (each line of code a JSON string,
//! its quotes written `\"` and its end `\n`), code or a command held in a JSON value, a string
//! of code quoting another (`"curl -H \"Authorization: …\""`), a URL with its slashes escaped
//! (`postgres:\/\/user:…@db`). The detectors read quotes, line ends and slashes as written, so
//! `password = \"…\"` or `password: …\n",` is none of theirs; here each line that escapes
//! them is read decoded, and what is found there is mapped back to the text's own bytes.

/// The decoded lines, and where each of their bytes came from.
pub struct View {
    pub text: String,
    /// For each byte of `text`, the start and the end of what it was decoded from.
    starts: Vec<usize>,
    ends: Vec<usize>,
}

impl View {
    /// The range in the original text of the view's `start..end` (at character boundaries).
    pub fn original(&self, (start, end): (usize, usize)) -> (usize, usize) {
        (self.starts[start], self.ends[end.max(start + 1) - 1])
    }

    fn push(&mut self, c: char, from: (usize, usize)) {
        let n = c.len_utf8();
        self.text.push(c);
        self.starts.extend(std::iter::repeat_n(from.0, n));
        self.ends.extend(std::iter::repeat_n(from.1, n));
    }
}

/// The lines of `text` that escape a quote, a slash, a line end or a character, decoded; `None`
/// when no line does (most text: nothing more to read).
pub fn view(text: &str) -> Option<View> {
    if !text.contains('\\') {
        return None;
    }
    let mut view = View { text: String::new(), starts: Vec::new(), ends: Vec::new() };
    let (mut at, mut last) = (0, None);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let start = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if !has_escape(body) {
            continue;
        }
        // Lines apart in the text stay apart (a blank line between): no rule reads a value on
        // the line after its name from a line further down.
        match last {
            Some(l) if l + 1 == i => view.push('\n', (start, start)),
            Some(_) => {
                view.push('\n', (start, start));
                view.push('\n', (start, start));
            }
            None => {}
        }
        last = Some(i);
        decode_into(&mut view, body, start);
    }
    (!view.text.is_empty()).then_some(view)
}

/// A backslash before a character JSON, Python or JavaScript strings escape, where reading it
/// decoded can show more: a quote, a slash or a character escaped, a line end or a tab inside
/// a string (lines joined in one). A line end that only ends a string (each line of a
/// notebook's cell, `"x = 1\n",`) changes how an unquoted value ends, so it counts only
/// on a line that names a secret (`"password: …\n",`): most lines are code, and reading each
/// twice cost a notebook's scan half as much again.
fn has_escape(line: &str) -> bool {
    let b = line.as_bytes();
    let mut ends_only = false;
    for (i, w) in b.windows(2).enumerate() {
        if w[0] != b'\\' {
            continue;
        }
        match w[1] {
            b'"' | b'\'' | b'/' => return true,
            // Not a path's `\users`: only a character's four hex digits.
            b'u' if unicode(&line[i + 2..]).is_some() => return true,
            b'n' | b't' | b'r' => match b.get(i + 2) {
                None | Some(b'"') | Some(b'\'') => ends_only = true,
                _ => return true,
            },
            _ => {}
        }
    }
    ends_only && mentions_a_secret(line)
}

/// A word secrets are named by, in any case (cheaper than the detectors' names).
fn mentions_a_secret(line: &str) -> bool {
    const WORDS: &[&str] = &["pass", "pwd", "secret", "token", "key", "auth", "cred"];
    let lower = line.to_ascii_lowercase();
    WORDS.iter().any(|w| lower.contains(w))
}

fn decode_into(view: &mut View, line: &str, offset: usize) {
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let from = offset + i;
        if c != '\\' {
            view.push(c, (from, from + c.len_utf8()));
            continue;
        }
        let Some(&(_, next)) = chars.peek() else {
            view.push(c, (from, from + 1));
            continue;
        };
        let decoded = match next {
            '"' | '\'' | '\\' | '/' => Some((next, 2)),
            'n' => Some(('\n', 2)),
            't' => Some(('\t', 2)),
            'r' => Some(('\r', 2)),
            'u' => unicode(&line[i + 2..]).map(|c| (c, 6)),
            _ => None,
        };
        match decoded {
            Some((d, len)) => {
                view.push(d, (from, from + len));
                // The escape's other characters are read.
                for _ in 1..len {
                    chars.next();
                }
            }
            // Any other backslash is the text's own (a path, a regex).
            None => view.push(c, (from, from + 1)),
        }
    }
}

/// The character of a `\uXXXX` escape's four hex digits (no surrogate halves).
fn unicode(rest: &str) -> Option<char> {
    let hex = rest.get(..4)?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoded_lines_map_back_to_their_bytes() {
        let text = "x = 1\n    \"pw = \\\"Zk3\\u0026q\\\"\\n\",\nplain\n";
        let v = view(text).unwrap();
        assert_eq!(v.text, "    \"pw = \"Zk3&q\"\n\",");
        let at = v.text.find("Zk3").unwrap();
        let (s, e) = v.original((at, at + "Zk3&q".len()));
        assert_eq!(&text[s..e], "Zk3\\u0026q");
        assert!(view("no escapes here\nC:\\Windows\\System32").is_none(), "a path's backslashes escape nothing");
        // Lines apart stay apart; lines next to each other stay next to each other.
        assert_eq!(view("a \\\"x\\\"\nplain\nb \\\"y\\\"\nc \\\"z\\\"").unwrap().text, "a \"x\"\n\nb \"y\"\nc \"z\"");
    }

    #[test]
    fn secrets_in_escaped_strings_are_redacted_where_they_are_written() {
        for (text, want) in [
            // A notebook's cells: a quoted value, an unquoted one before the line's `\n`, a call.
            (r#"    "neo4j_password = \"Nz9xQv2mLwKp4Tq\"\n","#, r#"    "neo4j_password = \"[REDACTED:assigned_secret]\"\n","#),
            (r#"    "password: Yq8kQ2xLm7\n","#, r#"    "password: [REDACTED:assigned_secret]\n","#),
            (
                r#"    "db = connect(host=\"db\", user=\"admin\", password=\"Pc8kQ2xLm7\")\n","#,
                r#"    "db = connect(host=\"db\", user=\"admin\", password=\"[REDACTED:assigned_secret]\")\n","#,
            ),
            // Code in one JSON string, its lines joined by `\n`.
            (
                r#""source": "import os\nos.environ[\"OPENAI_API_KEY\"] = \"Zk3Vq9Lr2Xw7Qm8r\"\nclient = OpenAI()""#,
                r#""source": "import os\nos.environ[\"OPENAI_API_KEY\"] = \"[REDACTED:assigned_secret]\"\nclient = OpenAI()""#,
            ),
            // A URL with its slashes escaped, a command quoting its password, a `\u` escape.
            (r#"{"url": "postgres:\/\/admin:Pg8kQ2xLm7@db.internal\/app"}"#, r#"{"url": "postgres:\/\/admin:[REDACTED:connection_string]@db.internal\/app"}"#),
            (r#"{"cmd": "mysql -u root -p\"My8kQ2xLm7\" app"}"#, r#"{"cmd": "mysql -u root -p\"[REDACTED:cli_password]\" app"}"#),
            (r#"{"dsn": "User Id=sa;Password=Zk3Vq9\u0026Lr2;"}"#, r#"{"dsn": "User Id=sa;Password=[REDACTED:assigned_secret];"}"#),
        ] {
            let (out, found) = crate::secrets::redact(text);
            assert_eq!(out, want, "{text}");
            assert_eq!(found.len(), 1, "{text}");
        }
    }

    #[test]
    fn escaped_look_alikes_stay_quiet() {
        for text in [
            r#"    "api_key = \"YOUR_API_KEY\"\n","#,
            r#"    "token = \"<YOUR_HUGGINGFACEHUB_API_TOKEN>\"\n","#,
            r#"    "tokenized_text = \"Jim Henson was a puppeteer\"\n","#,
            r#"    "password = os.environ[\"DB_PASSWORD\"]\n","#,
        ] {
            assert!(crate::secrets::scan(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn what_escaped_lines_showed_is_no_secret_as_written_either() {
        // Read decoded, four look-alikes came to light, each one as plain text too: a variable
        // named for what it holds, a shell variable in quotes within quotes, a Rails route's
        // target, a netmask (noseyparker's and trufflehog's rule tests, a Neo4j notebook, a
        // network test's strings).
        let lines = [
            "            password=neo4j_password",
            "- echo 'export DATABASE_PASSWORD=\"'$PRECOMPILE_PASSWORD'\"' >> .env",
            "  put '/forgot-password' => \"cms/sites/passwords#update\", as: 'x'",
            "\"1.0.0.1\\t \\t255.255.255.0\",",
            "client_secret = appSecret",
        ];
        for text in lines {
            let escaped = format!("    \"{}\\n\",", text.replace('"', "\\\""));
            for t in [text, escaped.as_str()] {
                assert!(crate::secrets::scan(t).is_empty(), "{t}: {:?}", crate::secrets::scan(t));
            }
        }
        // Still secrets: a password with a digit after the name's word, one in plain quotes.
        for text in ["password=my_password1", "DATABASE_PASSWORD=\"'Zk3Vq9Lr2Xw7'\""] {
            assert_eq!(crate::secrets::scan(text).len(), 1, "{text}");
        }
    }
}
