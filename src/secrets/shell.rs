//! Where a value ends: whether the words after an unquoted value are more of it or a command
//! it prefixes, and whether literals joined to a quoted one are more of it.

use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Whether an unquoted value's words after a space are more of it (ini, YAML, properties,
/// dotenv: the value runs to the end of the line), not a command the assignment prefixes:
/// `PGPASSWORD=pw psql -h db` sets an environment variable for `psql`, whose line is not the
/// secret. A shell prefix is glued to its `=`, has an environment variable's name, and is
/// followed by a program name and its flags, or by a program that reads such variables.
pub(super) fn tail_is_value(text: &str, caps: &Captures, tail: &str) -> bool {
    static PROGRAM: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:\./|/)?[a-z][a-z0-9_.\-/]*$").expect("valid regex"));
    const READS_ENV: &[&str] = &[
        "psql",
        "pg_dump",
        "pg_dumpall",
        "pg_restore",
        "pgbench",
        "mysql",
        "mysqldump",
        "redis-cli",
        "mongosh",
        "mongo",
        "curl",
        "wget",
        "docker",
        "kubectl",
        "helm",
        "terraform",
        "aws",
        "gcloud",
        "az",
        "npm",
        "npx",
        "yarn",
        "pnpm",
        "node",
        "python",
        "python3",
        "ruby",
        "bundle",
        "rails",
        "rake",
        "java",
        "mvn",
        "gradle",
        "cargo",
        "go",
        "make",
        "sh",
        "bash",
        "zsh",
        "env",
        "exec",
        "sudo",
        "git",
        "ssh",
        "sshpass",
        "rsync",
        "uv",
        "poetry",
        "pytest",
        "dotnet",
    ];
    // The next argument of a command line (`--admin-password=secret1234 --admin-email=…`) or
    // the line's continuation (`\`) is not more of the value.
    let first = tail.split_whitespace().next().unwrap_or("");
    if first.starts_with('-') || first == "\\" {
        return false;
    }
    // A flag's argument is one word: `docker run -e POSTGRES_PASSWORD=… postgres:16`, `helm
    // --set db.password=… ./chart`, `--ks-pass pass:… app.apk` (a YAML list's bare `-` is no flag).
    // So is a setting `env` gives the command after it (`env DB_PASSWORD=… ./run.sh`).
    if caps.get(1).and_then(|n| last_word(&text[..n.start()])).is_some_and(|w| is_flag(w) || w == "env") {
        return false;
    }
    let glued = caps.get(2).is_some_and(|sep| sep.as_str() == "=" && caps.get(1).is_some_and(|n| n.end() == sep.start()));
    // Another `name=value` after a glued one starts the next setting: RouterOS' `/user add
    // name=ops password=… group=full`, a shell's `A=… B=… cmd`.
    let next_setting = first.split_once('=').is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c)));
    if glued && next_setting {
        return false;
    }
    let env_name = caps.get(1).is_some_and(|n| n.as_str().chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'));
    if !(glued && env_name && tail.starts_with([' ', '\t'])) {
        return true;
    }
    let mut words = tail.split_whitespace();
    let Some(program) = words.next() else { return true };
    let flags = words.any(|w| w.starts_with('-') || w.contains('=') || ["|", "&&", ">", "<"].contains(&w));
    let command = PROGRAM.is_match(program) && (flags || READS_ENV.contains(&program.rsplit('/').next().unwrap_or(program)));
    !command
}

/// The word before a name on its line, when a space or tab separates them.
fn last_word(before: &str) -> Option<&str> {
    let line = before.rsplit(['\n', '\r']).next().unwrap_or(before);
    line.strip_suffix([' ', '\t']).and_then(|l| l.split_whitespace().next_back())
}

/// Whether `word` is a flag: `-e`, `--env`, `--build-arg` (not a bare `-` or `--`).
fn is_flag(word: &str) -> bool {
    let flag = word.strip_prefix("--").or_else(|| word.strip_prefix('-')).unwrap_or("");
    flag.starts_with(|c: char| c.is_ascii_alphabetic()) && flag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Where a quoted value goes on when `+` joins it to another literal of no spaces: a password
/// and Salesforce's security token after it (`conn.login(user, 'pw' + 'token')`), a key split
/// over two lines. The end of that literal's text.
pub(super) fn joined_literal(text: &str, end: usize) -> Option<usize> {
    static JOINED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"^(['"])[ \t]*\+[ \t]*(?:\r?\n[ \t]*)?(['"])([^'"\s]{4,})(['"])"#).expect("valid regex"));
    let c = JOINED.captures(text.get(end..)?)?;
    let quotes = [c.get(1)?.as_str(), c.get(2)?.as_str(), c.get(4)?.as_str()];
    let more = c.get(3)?;
    // Random letters and digits, not a host name or a path (`"<key>" + "acme.jfrog.io"`).
    let random = !more.as_str().contains('.') && more.as_str().chars().any(|c| c.is_ascii_digit()) && more.as_str().chars().any(char::is_alphabetic);
    (quotes[0] == quotes[1] && quotes[1] == quotes[2] && random).then_some(end + more.end())
}

#[cfg(test)]
mod tests {
    /// A value on a command line ends where the line's next argument or its continuation
    /// begins, and the backticks around it (a Markdown guide's, a Go raw string's) are no
    /// part of it.
    #[test]
    fn a_value_ends_before_the_next_argument_and_a_closing_backtick() {
        let cases = [
            (
                "  --admin-password=Xq7rT5vLp9 --admin-email=you@example.com \\",
                "  --admin-password=[REDACTED:assigned_secret] --admin-email=you@example.com \\",
            ),
            ("  --adminpass=Xq7rT5vLp9! \\", "  --adminpass=[REDACTED:assigned_secret] \\"),
            ("run `mysql -uapp -pXq7rT5vLp9` first", "run `mysql -uapp -p[REDACTED:cli_password]` first"),
            ("input: `token = Xq7rT5vLp9Zk4vN8pQ2wLm`,", "input: `token = [REDACTED:assigned_secret]`,"),
            ("password = Tr0ub4dor 3xQ9", "password = [REDACTED:assigned_secret]"),
            ("/user add name=ops password=M1kr0t1kPw group=full", "/user add name=ops password=[REDACTED:assigned_secret] group=full"),
            // …and that setting is searched for a secret of its own.
            (
                "web1 ansible_ssh_pass=Ans1bleSshPw ansible_become_pass=Ans1bleB3come",
                "web1 ansible_ssh_pass=[REDACTED:assigned_secret] ansible_become_pass=[REDACTED:assigned_secret]",
            ),
            // A backtick inside a password is the password's.
            ("password: Xq7r`T5vLp9", "password: [REDACTED:assigned_secret]"),
        ];
        for (text, want) in cases {
            assert_eq!(super::super::redact(text).0, want, "{text}");
        }
        // Its placeholder is then seen as one: `-psecret` in a guide.
        assert!(super::super::scan("For the app user: `mysql -udefault -psecret`.").is_empty());
    }

    #[test]
    fn a_literal_joined_to_a_quoted_value_is_more_of_it() {
        for (text, want) in [
            (
                "conn.login('admin@example.com', 'Sf0rcePass9' + 'XkT2mQ8zLw4vRn7pYb3c', cb);",
                "conn.login('admin@example.com', '[REDACTED:assigned_secret]', cb);",
            ),
            ("API_KEY = \"Zk3Vq9Lr2Xw7\" +\n    \"Nt5BqL8pW2\"\n", "API_KEY = \"[REDACTED:assigned_secret]\"\n"),
            // A variable, a phrase or another kind of quote joined to it is not.
            ("password = 'q8Zr2LxP0vKm' + suffix", "password = '[REDACTED:assigned_secret]' + suffix"),
            ("password = 'q8Zr2LxP0vKm' + ' (old)'", "password = '[REDACTED:assigned_secret]' + ' (old)'"),
            ("password = 'q8Zr2LxP0vKm' + \"Nt5BqL8pW2\"", "password = '[REDACTED:assigned_secret]' + \"Nt5BqL8pW2\""),
            ("token = 'q8Zr2LxP0vKmZk3Vq9Lr2Xw7' + 'acme.jfrog.io'", "token = '[REDACTED:assigned_secret]' + 'acme.jfrog.io'"),
            ("api_key = 'q8Zr2LxP0vKm' + 'Zk3Vq9Lr2Xw7' + 'Nt5BqL8pW2'", "api_key = '[REDACTED:assigned_secret]'"),
        ] {
            assert_eq!(super::super::redact(text).0, want, "{text}");
        }
    }
}
