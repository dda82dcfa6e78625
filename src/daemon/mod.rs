//! `git screenlink daemon`: the embedding model held in memory, so the commit hook does not
//! load it for every commit (loading is most of the hook's time). The pattern is git's
//! fsmonitor--daemon and watchman's: started on demand by the hook, a Unix socket in the
//! user's runtime dir (owner-only), one JSON line per request, an exit after an idle
//! timeout. The hook never depends on it: absent, busy, of another version or slow, and the
//! hook embeds in-process as before.
//!
//! Protocol (one line each way): `{"v": PROTOCOL, "model": <model id>, "texts": [...]}` →
//! `{"vectors": [[f32; 384], ...]}` or `{"error": "..."}`.

pub mod server;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Settings;

/// Bumped whenever the request or reply changes.
pub const PROTOCOL: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub v: u32,
    pub model: String,
    pub texts: Vec<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Reply {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vectors: Vec<Vec<f32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where sockets live: `$XDG_RUNTIME_DIR/git-screenlink`, else `<data dir>/run`; owner-only.
pub fn socket_dir() -> PathBuf {
    match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d).join("git-screenlink"),
        None => crate::assets::data_dir().join("run"),
    }
}

/// The socket of the daemon for these settings' model and runtime, and this version: a
/// daemon of another version or model is never asked.
pub fn socket_path(settings: &Settings) -> PathBuf {
    let model = crate::assets::model_dir(settings).path;
    let ort = crate::assets::ort_library(settings).path;
    let id = settings.model_precision.value.model_id();
    let key = format!("{}\0{id}\0{}\0{}", env!("CARGO_PKG_VERSION"), model.display(), ort.display());
    let hash: String = Sha256::digest(key.as_bytes()).iter().take(6).map(|b| format!("{b:02x}")).collect();
    socket_dir().join(format!("daemon-{}-{hash}.sock", env!("CARGO_PKG_VERSION")))
}

/// A connection to a running daemon.
pub struct Client {
    stream: UnixStream,
    /// The model the caller scores with; a daemon holding another refuses.
    model: &'static str,
}

impl Client {
    /// Connect if a daemon answers at `socket` (no waiting: it is there or it is not).
    pub fn connect(socket: &Path, model: &'static str) -> Option<Client> {
        UnixStream::connect(socket).ok().map(|stream| Client { stream, model })
    }

    /// Vectors for `texts`, or `None` when the daemon errs, is of another version, or does
    /// not answer by `deadline` (the caller then embeds them itself).
    pub fn embed(&mut self, texts: &[&str], deadline: Instant) -> Option<Vec<Vec<f32>>> {
        let left = deadline.checked_duration_since(Instant::now())?.max(Duration::from_millis(1));
        self.stream.set_read_timeout(Some(left)).ok()?;
        self.stream.set_write_timeout(Some(left)).ok()?;
        let req = Request { v: PROTOCOL, model: self.model.into(), texts: texts.iter().map(|t| t.to_string()).collect() };
        let mut line = serde_json::to_string(&req).ok()?;
        line.push('\n');
        self.stream.write_all(line.as_bytes()).ok()?;
        let mut reply = String::new();
        BufReader::new(&self.stream).read_line(&mut reply).ok()?;
        let reply: Reply = serde_json::from_str(&reply).ok()?;
        if let Some(e) = reply.error {
            crate::debug(format_args!("the daemon declined: {e}"));
            return None;
        }
        (reply.vectors.len() == texts.len()).then_some(reply.vectors)
    }
}

/// Start a daemon for these settings in the background, detached from the terminal and
/// from the caller's output, for the next commit to use. Never fails the caller.
pub fn start_in_background(settings: &Settings) {
    let Ok(exe) = std::env::current_exe() else { return };
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("daemon")
        .arg("--model-dir")
        .arg(crate::assets::model_dir(settings).path)
        .arg("--ort-library")
        .arg(crate::assets::ort_library(settings).path)
        .arg("--idle-minutes")
        .arg(settings.daemon_idle_minutes.value.to_string())
        .current_dir("/")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    // Its own process group: Ctrl-C at the terminal is not for it.
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    match cmd.spawn() {
        Ok(child) => crate::debug(format_args!("started the daemon (pid {})", child.id())),
        Err(e) => crate::debug(format_args!("could not start the daemon: {e}")),
    }
}
