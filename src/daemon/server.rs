//! The daemon's side: load the model, listen on the socket, embed what is asked, leave after
//! an idle timeout (or when another daemon took the socket over).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Reply, Request, PROTOCOL};
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::score::embed::Embedder;

/// Serve until nobody has asked for `idle`. Returns when another daemon holds the socket.
pub fn serve(settings: &Settings, socket: &Path, idle: Duration) -> Result<()> {
    // The model first: until it is loaded there is no socket, and hooks embed themselves.
    let embedder = Arc::new(Mutex::new(Embedder::load_for(settings, false)?));
    let dir = socket.parent().unwrap_or(Path::new("."));
    crate::fsutil::create_private_dir(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    // Ours alone, even when something else made it first.
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| Error::io(format!("securing {}", dir.display()), e))?;
    let Some(listener) = bind(socket)? else {
        crate::debug(format_args!("another daemon answers at {}", socket.display()));
        return Ok(());
    };
    let _ = crate::fsutil::make_private(socket);
    let ours = std::fs::metadata(socket).map(|m| m.ino()).ok();
    listener.set_nonblocking(true).map_err(|e| Error::io("listening", e))?;
    let last = Arc::new(Mutex::new(Instant::now()));
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let (embedder, last, active) = (embedder.clone(), last.clone(), active.clone());
                active.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    let _ = stream.set_nonblocking(false);
                    handle(stream, &embedder, &last);
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                let quiet = last.lock().map(|t| t.elapsed()).unwrap_or_default();
                let replaced = std::fs::metadata(socket).map(|m| m.ino()).ok() != ours;
                if replaced || (quiet >= idle && active.load(Ordering::SeqCst) == 0) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            Err(e) => return Err(Error::io(format!("accepting on {}", socket.display()), e)),
        }
    }
    if std::fs::metadata(socket).map(|m| m.ino()).ok() == ours {
        let _ = std::fs::remove_file(socket);
    }
    Ok(())
}

/// Bind `socket`; a stale file (nobody answers) is replaced, a live daemon is left alone
/// (`None`).
fn bind(socket: &Path) -> Result<Option<UnixListener>> {
    match UnixListener::bind(socket) {
        Ok(l) => Ok(Some(l)),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            if UnixStream::connect(socket).is_ok() {
                return Ok(None);
            }
            let _ = std::fs::remove_file(socket);
            UnixListener::bind(socket).map(Some).map_err(|e| Error::io(format!("listening on {}", socket.display()), e))
        }
        Err(e) => Err(Error::io(format!("listening on {}", socket.display()), e)),
    }
}

/// Answer every request line of one connection.
fn handle(stream: UnixStream, embedder: &Mutex<Embedder>, last: &Mutex<Instant>) {
    let Ok(mut out) = stream.try_clone() else { return };
    let model_id = embedder.lock().map(|e| e.info.model).unwrap_or_default();
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { return };
        let reply = match serde_json::from_str::<Request>(&line) {
            Ok(r) if r.v != PROTOCOL || r.model != model_id => {
                Reply { error: Some(format!("this daemon speaks protocol {PROTOCOL} with {model_id}")), ..Reply::default() }
            }
            Ok(r) => match embedder.lock().map_err(|_| ()).and_then(|mut e| e.embed(&r.texts).map_err(|_| ())) {
                Ok(vectors) => Reply { vectors, error: None },
                Err(()) => Reply { error: Some("embedding failed".into()), ..Reply::default() },
            },
            Err(e) => Reply { error: Some(format!("not a request: {e}")), ..Reply::default() },
        };
        if let Ok(mut t) = last.lock() {
            *t = Instant::now();
        }
        let Ok(mut text) = serde_json::to_string(&reply) else { return };
        text.push('\n');
        if out.write_all(text.as_bytes()).is_err() {
            return;
        }
    }
}
