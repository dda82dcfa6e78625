//! A scrubbed, deterministic environment for running git and our binaries, in the manner
//! of git-branchless's tests: temp HOME, fixed dates, TZ=UTC, no system git config.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

pub struct TestEnv {
    _tmp: TempDir,
    pub home: PathBuf,
    pub repo: PathBuf,
    /// The real asset dir (ONNX Runtime and model), found with the developer's environment.
    pub data_dir: PathBuf,
}

/// Directory holding the freshly built `git-screenlink` and `cargo-screenlink`.
pub fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_git-screenlink")).parent().unwrap().to_path_buf()
}

impl TestEnv {
    /// A temp HOME and an empty git repository at `repo/`.
    pub fn new() -> TestEnv {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("home");
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&repo).unwrap();
        let env = TestEnv { data_dir: git_screenlink::assets::data_dir(), home, repo, _tmp: tmp };
        env.git(["init", "-q", "-b", "main"]).assert_ok();
        env
    }

    pub fn root(&self) -> &Path {
        self._tmp.path()
    }

    /// Write `text` to `rel` in the work tree, making its folders.
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.repo.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Apply the scrubbed environment to `cmd`, run in the repo.
    pub fn scrub<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let path = std::env::join_paths(std::iter::once(bin_dir()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()))).unwrap();
        cmd.env_clear()
            .current_dir(&self.repo)
            .env("PATH", path)
            .env("HOME", &self.home)
            .env("TZ", "UTC")
            .env("LANG", "C")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Committer")
            .env("GIT_COMMITTER_EMAIL", "committer@example.com")
            .env("GIT_AUTHOR_DATE", "2026-03-02T10:00:00+00:00")
            .env("GIT_COMMITTER_DATE", "2026-03-02T10:00:00+00:00")
            .env("SCREENLINK_DATA_DIR", &self.data_dir)
            // No embedding daemon unless a test asks for one (`with_daemon`): a daemon
            // outlives its test and holds the model's memory for minutes.
            .env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "screenlink.daemon")
            .env("GIT_CONFIG_VALUE_0", "false")
    }

    /// `cmd` allowed to use (and start) the embedding daemon.
    /// Its socket is in this test's own runtime dir.
    pub fn with_daemon<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        cmd.env_remove("GIT_CONFIG_COUNT").env_remove("GIT_CONFIG_KEY_0").env_remove("GIT_CONFIG_VALUE_0").env("XDG_RUNTIME_DIR", self.root().join("run"))
    }

    pub fn git<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.scrub(&mut Command::new("git")).args(args).output().unwrap()
    }

    /// Run `git-screenlink` (the built binary) with `args`.
    pub fn screenlink<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.run_bin("git-screenlink", args, &[])
    }

    /// A sample world (repo + screenpipe database + ground truth) under the temp root; our
    /// commands then run in its repo, and its database is the configured source.
    pub fn with_world(spec: &git_screenlink::fixture::Spec) -> (TestEnv, git_screenlink::fixture::World) {
        let mut env = TestEnv::new();
        let world = git_screenlink::fixture::build(spec, &env.root().join("world")).unwrap();
        env.repo = world.repo.clone();
        env.git(["config", "screenlink.screenpipeDb", world.db.to_str().unwrap()]).assert_ok();
        env.git(["config", "screenlink.source", "db"]).assert_ok();
        // Tests run side by side on few cores: the hook's time budget is not under test here.
        env.git(["config", "screenlink.hookTimeoutMs", "120000"]).assert_ok();
        (env, world)
    }

    /// A screenpipe database of hand-picked rows beside the repository, configured as its
    /// source.
    pub fn talk(&self, rows: &[(&str, &str)]) -> PathBuf {
        let db = hand_db(self.root(), rows);
        self.git(["config", "screenlink.screenpipeDb", db.to_str().unwrap()]).assert_ok();
        self.git(["config", "screenlink.source", "db"]).assert_ok();
        db
    }

    /// A scrubbed `Command` for one of our binaries, to spawn by hand (stdin, signals, a pty).
    pub fn command(&self, bin: &str) -> Command {
        let mut cmd = Command::new(bin_dir().join(bin));
        self.scrub(&mut cmd);
        cmd
    }

    pub fn run_bin<I, S>(&self, bin: &str, args: I, env: &[(&str, &OsStr)]) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = Command::new(bin_dir().join(bin));
        self.scrub(&mut cmd).args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    }
}

pub trait OutputExt {
    fn stdout_text(&self) -> String;
    fn stderr_text(&self) -> String;
    fn assert_ok(&self) -> &Self;
    fn code(&self) -> i32;
}

impl OutputExt for Output {
    fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    fn assert_ok(&self) -> &Self {
        assert!(self.status.success(), "failed: {:?}\nstdout:\n{}\nstderr:\n{}", self.status, self.stdout_text(), self.stderr_text());
        self
    }
    fn code(&self) -> i32 {
        self.status.code().expect("exited normally, not by a signal")
    }
}

/// Write a hook file with the exec bit, as a user's own hook is.
pub fn write_hook(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A database in screenpipe's current schema with hand-picked rows `(timestamp, text)`.
pub fn hand_db(dir: &Path, rows: &[(&str, &str)]) -> PathBuf {
    let path = dir.join("db.sqlite");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE audio_chunks (id INTEGER PRIMARY KEY AUTOINCREMENT, file_path TEXT NOT NULL, timestamp TIMESTAMP);
         CREATE TABLE speakers (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, metadata JSON, hallucination BOOLEAN DEFAULT FALSE);
         CREATE TABLE audio_transcriptions (id INTEGER PRIMARY KEY AUTOINCREMENT, audio_chunk_id INTEGER NOT NULL, offset_index INTEGER NOT NULL, timestamp TIMESTAMP NOT NULL, transcription TEXT NOT NULL, device TEXT NOT NULL DEFAULT '', is_input_device BOOLEAN NOT NULL DEFAULT TRUE, speaker_id INTEGER, text_redacted TEXT);
         CREATE INDEX idx_ts ON audio_transcriptions(timestamp);
         INSERT INTO speakers (id, name, hallucination) VALUES (1, 'Alice', 0), (2, 'Ghost', 1), (3, '', 0);",
    )
    .unwrap();
    for (i, (ts, text)) in rows.iter().enumerate() {
        conn.execute(
            "INSERT INTO audio_transcriptions (audio_chunk_id, offset_index, timestamp, transcription, speaker_id) VALUES (?1, 0, ?2, ?3, 1)",
            rusqlite::params![i as i64 + 1, ts, text],
        )
        .unwrap();
    }
    path
}
