//! Running mlx-lm: its output passed through as it comes (colours kept on a terminal), each
//! line handed to the caller, and Ctrl-C forwarded to it, so a run always ends with a record.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc;

use super::Loss;
use crate::error::{Error, Result};

static CHILD: AtomicI32 = AtomicI32::new(0);
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// After Ctrl-C, how long the child's group has to stop before it gets SIGTERM, then as long
/// again before SIGKILL: mlx.launch has been seen to hang in a futex wait once its ranks had
/// stopped, which left `train` waiting forever.
const GRACE: std::time::Duration = std::time::Duration::from_secs(5);

/// Ctrl-C goes to the child's whole process group: mlx-lm, or mlx.launch and every local
/// rank it started (each remote rank's SSH session ends with it).
extern "C" fn forward_sigint(_: libc::c_int) {
    let pid = CHILD.load(Ordering::SeqCst);
    if pid > 0 {
        INTERRUPTED.store(true, Ordering::SeqCst);
        unsafe { libc::kill(-pid, libc::SIGINT) };
    }
}

/// Escalate to SIGTERM, then SIGKILL, when the group outlives [`GRACE`] after a Ctrl-C;
/// returns once the child is waited for (`CHILD` back to 0).
fn watch_after_interrupt() {
    let mut since: Option<std::time::Instant> = None;
    let mut terminated = false;
    loop {
        let pid = CHILD.load(Ordering::SeqCst);
        if pid == 0 {
            return;
        }
        if INTERRUPTED.load(Ordering::SeqCst) {
            let at = *since.get_or_insert_with(std::time::Instant::now);
            if !terminated && at.elapsed() >= GRACE {
                unsafe { libc::kill(-pid, libc::SIGTERM) };
                terminated = true;
            } else if terminated && at.elapsed() >= 2 * GRACE {
                unsafe { libc::kill(-pid, libc::SIGKILL) };
                return;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// How a run ended: its exit code, whether Ctrl-C stopped it, and the last line of a Python
/// traceback it printed, which says what went wrong in the program's own words.
pub struct Ended {
    pub code: Option<i32>,
    pub interrupted: bool,
    pub error: Option<String>,
}

impl Ended {
    /// `: <the error>` to end a failure message with, or nothing.
    pub fn reason(&self) -> String {
        self.error.as_ref().map_or(String::new(), |e| format!(": {e}"))
    }
}

/// Run `cmd`, passing its output through (colours kept on a terminal, stripped otherwise),
/// handing every loss line to `on_loss`, and forwarding Ctrl-C to it.
pub fn stream(mut cmd: std::process::Command, mut on_loss: impl FnMut(Loss)) -> Result<Ended> {
    stream_lines(&mut cmd, |line| {
        if let Some(loss) = super::parse_loss(line) {
            on_loss(loss);
        }
        true
    })
}

/// Run `cmd` as [`stream`] does, handing every line to `on_line`; a line for which it
/// returns false is not printed.
pub fn stream_lines(cmd: &mut std::process::Command, mut on_line: impl FnMut(&str) -> bool) -> Result<Ended> {
    let colour = console::Term::stderr().is_term();
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::null());
    if !colour {
        cmd.env("NO_COLOR", "1");
    }
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(cmd, 0);
    // The child goes when we do, even by `kill -9`: an orphaned trainer would go on writing
    // checkpoints beside the run `train --resume` continues (Linux; the spawning thread is
    // this one, which waits for it).
    #[cfg(target_os = "linux")]
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(cmd, || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| Error::io("starting mlx-lm", e))?;
    INTERRUPTED.store(false, Ordering::SeqCst);
    CHILD.store(child.id() as i32, Ordering::SeqCst);
    let previous = unsafe { libc::signal(libc::SIGINT, forward_sigint as *const () as libc::sighandler_t) };
    let watchdog = std::thread::spawn(watch_after_interrupt);
    let (tx, rx) = mpsc::channel::<String>();
    let pipes: Vec<Box<dyn Read + Send>> = vec![Box::new(child.stdout.take().expect("piped")), Box::new(child.stderr.take().expect("piped"))];
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
    let mut error = None;
    for line in rx {
        if line.is_empty() {
            continue;
        }
        if let Some(e) = super::python_error(&line) {
            error = Some(e);
        }
        if on_line(&line) {
            eprintln!("{}", if colour { line.clone() } else { super::strip_ansi(&line) });
        }
    }
    for r in readers {
        let _ = r.join();
    }
    let status = child.wait().map_err(|e| Error::io("waiting for mlx-lm", e));
    unsafe { libc::signal(libc::SIGINT, previous) };
    CHILD.store(0, Ordering::SeqCst);
    let _ = watchdog.join();
    let status = status?;
    #[cfg(unix)]
    let interrupted = {
        use std::os::unix::process::ExitStatusExt;
        INTERRUPTED.load(Ordering::SeqCst) || status.signal() == Some(libc::SIGINT) || status.code() == Some(130)
    };
    #[cfg(not(unix))]
    let interrupted = false;
    Ok(Ended { code: status.code(), interrupted, error })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_that_ignores_ctrl_c_is_stopped_after_the_grace() {
        // A launcher that shrugs off SIGINT (as a hung mlx.launch does): Ctrl-C, then SIGTERM.
        let mut cmd = std::process::Command::new("sh");
        cmd.args(["-c", "trap '' INT; echo ready; sleep 60 & wait"]);
        let started = std::time::Instant::now();
        let mut sent = false;
        let ended = stream_lines(&mut cmd, |line| {
            if line == "ready" && !sent {
                sent = true;
                forward_sigint(libc::SIGINT);
            }
            false
        })
        .unwrap();
        assert!(sent && ended.interrupted);
        let took = started.elapsed();
        assert!(took >= GRACE && took < 2 * GRACE, "stopped after {took:?}");
    }
}
