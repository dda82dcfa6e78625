//! Running mlx-lm: its output passed through as it comes (colours kept on a terminal), each
//! line handed to the caller, and Ctrl-C forwarded to it, so a run always ends with a record.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::mpsc;

use super::Loss;
use crate::error::{Error, Result};

static CHILD: AtomicI32 = AtomicI32::new(0);

/// Ctrl-C goes to the child's whole process group: mlx-lm, or mlx.launch and every local
/// rank it started (each remote rank's SSH session ends with it).
extern "C" fn forward_sigint(_: libc::c_int) {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        unsafe { libc::kill(-pid, libc::SIGINT) };
    }
}

/// Run `cmd`, passing its output through (colours kept on a terminal, stripped otherwise),
/// handing every loss line to `on_loss`, and forwarding Ctrl-C to it. Returns its exit
/// code and whether it was interrupted.
pub fn stream(mut cmd: std::process::Command, mut on_loss: impl FnMut(Loss)) -> Result<(Option<i32>, bool)> {
    stream_lines(&mut cmd, |line| {
        if let Some(loss) = super::parse_loss(line) {
            on_loss(loss);
        }
        true
    })
}

/// Run `cmd` as [`stream`] does, handing every line to `on_line`; a line for which it
/// returns false is not printed.
pub fn stream_lines(cmd: &mut std::process::Command, mut on_line: impl FnMut(&str) -> bool) -> Result<(Option<i32>, bool)> {
    let colour = console::Term::stderr().is_term();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
    if !colour {
        cmd.env("NO_COLOR", "1");
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    let mut child = cmd.spawn().map_err(|e| Error::io("starting mlx-lm", e))?;
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    let previous = unsafe { libc::signal(libc::SIGINT, forward_sigint as *const () as libc::sighandler_t) };
    let (tx, rx) = mpsc::channel::<String>();
    let pipes: Vec<Box<dyn Read + Send>> = vec![
        Box::new(child.stdout.take().expect("piped")),
        Box::new(child.stderr.take().expect("piped")),
    ];
    let readers: Vec<_> = pipes
        .into_iter()
        .map(|pipe| {
            let tx = tx.clone();
            std::thread::spawn(move || {
                // mlx-lm redraws its progress bar with \r; split on both.
                let mut reader = BufReader::new(pipe);
                let mut buf = Vec::new();
                while reader.read_until(b'\n', &mut buf).map(|n| n > 0).unwrap_or(false) {
                    for part in String::from_utf8_lossy(&buf).split('\r') {
                        let _ = tx.send(part.trim_end_matches('\n').to_string());
                    }
                    buf.clear();
                }
            })
        })
        .collect();
    drop(tx);
    for line in rx {
        if line.is_empty() {
            continue;
        }
        if on_line(&line) {
            eprintln!("{}", if colour { line.clone() } else { super::strip_ansi(&line) });
        }
    }
    for r in readers {
        let _ = r.join();
    }
    let status = child.wait().map_err(|e| Error::io("waiting for mlx-lm", e))?;
    unsafe { libc::signal(libc::SIGINT, previous) };
    CHILD.store(0, Ordering::SeqCst);
    #[cfg(unix)]
    let interrupted = {
        use std::os::unix::process::ExitStatusExt;
        status.signal() == Some(libc::SIGINT) || status.code() == Some(130)
    };
    #[cfg(not(unix))]
    let interrupted = false;
    Ok((status.code(), interrupted))
}

