//! `git screenlink daemon`: keep the embedding model loaded for the commit hook. The hook
//! starts it on demand; run it by hand to see it, `--status` to ask, `--stop` to end it.

use std::time::Duration;

use crate::cli::DaemonArgs;
use crate::config::{Override, Settings};
use crate::daemon::{self, server};
use crate::error::Result;

pub fn run(args: &DaemonArgs) -> Result<i32> {
    let mut overrides = Vec::new();
    if let Some(d) = &args.model_dir {
        overrides.push(Override { key: crate::config::MODEL_DIR, flag: "--model-dir", value: d.display().to_string() });
    }
    if let Some(o) = &args.ort_library {
        overrides.push(Override { key: crate::config::ORT_LIBRARY, flag: "--ort-library", value: o.display().to_string() });
    }
    if let Some(m) = args.idle_minutes {
        overrides.push(Override { key: crate::config::DAEMON_IDLE_MINUTES, flag: "--idle-minutes", value: m.to_string() });
    }
    let settings = Settings::load(&super::current_dir()?, &overrides)?;
    let socket = daemon::socket_path(&settings);
    let answers = daemon::Client::connect(&socket, settings.model_precision.value.model_id()).is_some();
    if args.status {
        println!("{} {}", socket.display(), if answers { "answers" } else { "is not running" });
        return Ok(if answers { 0 } else { 1 });
    }
    if args.stop {
        // A daemon leaves when its socket is gone.
        let _ = std::fs::remove_file(&socket);
        println!("{}", if answers { "git-screenlink: the daemon stops" } else { "git-screenlink: no daemon was running" });
        return Ok(0);
    }
    let idle = Duration::from_secs(settings.daemon_idle_minutes.value as u64 * 60);
    server::serve(&settings, &socket, idle)?;
    Ok(0)
}
