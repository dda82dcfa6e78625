//! git-screenlink: link commits to the recorded discussions that motivated them.
//!
//! Data flows one way: screenpipe → candidates → scoring → review → dataset → export/train.
//! The two binaries (`git-screenlink`, `cargo-screenlink`) are thin shells around [`main_with_args`].

pub mod assets;
pub mod blob_cache;
pub mod cache_limit;
pub mod candidates;
pub mod claimed;
pub mod cli;
pub mod commands;
pub mod commits;
pub mod config;
pub mod daemon;
pub mod dataset;
pub mod error;
pub mod eval;
pub mod export;
pub mod fixture;
pub mod fsutil;
pub mod hooks;
pub mod link;
pub mod messages;
pub mod notes;
pub mod par;
pub mod pipeline;
pub mod refs;
pub mod review;
pub mod score;
pub mod secrets;
pub mod source;
pub mod talk_terms;
pub mod train;
pub mod validate;
pub mod workspace;

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches};

/// Parse `args` (program name first), run the command, print any error, and return the
/// process exit code. `bin_name` is how the user typed us (`git screenlink`, `cargo screenlink`).
pub fn main_with_args(args: Vec<OsString>, bin_name: &'static str) -> i32 {
    let _ = STARTED.set(std::time::Instant::now());
    restore_sigpipe();
    set_libgit2_options();
    let matches = cli::Cli::command().bin_name(bin_name).try_get_matches_from(cli::log_count_as_git_takes_it(args));
    let cli = match matches.and_then(|m| cli::Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind as K;
            // Help and version go to stdout as clap writes them; usage errors in our format.
            if matches!(err.kind(), K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand) {
                let _ = err.print();
            } else {
                eprintln!("{}", usage_error(&err.render().to_string(), bin_name));
            }
            return err.exit_code();
        }
    };
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("git-screenlink: {err}");
            err.exit_code()
        }
    }
}

/// clap's message as one `error[usage]` line, its tip as the hint, and its usage line.
fn usage_error(rendered: &str, bin_name: &str) -> String {
    let lines: Vec<&str> = rendered.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let first = lines.first().map_or("bad usage", |l| l.strip_prefix("error: ").unwrap_or(l));
    // "the following required arguments were not provided:" names them on the lines after.
    let what = match first.strip_suffix(':') {
        Some(head) => {
            let named: Vec<&str> = lines.iter().skip(1).take_while(|l| l.starts_with('<') || l.starts_with("--")).copied().collect();
            if named.is_empty() {
                first.to_string()
            } else {
                format!("{head}: {}", named.join(", "))
            }
        }
        None => first.to_string(),
    };
    let usage = lines.iter().find(|l| l.starts_with("Usage: "));
    let command = usage
        .and_then(|u| u.strip_prefix("Usage: "))
        .map_or(bin_name.to_string(), |u| u.split_whitespace().take_while(|w| !w.starts_with(['[', '<', '-'])).collect::<Vec<_>>().join(" "));
    let hint = match lines.iter().find_map(|l| l.strip_prefix("tip: ")) {
        Some(tip) => format!("{tip}; see `{command} --help`"),
        None => format!("see `{command} --help`"),
    };
    let mut out = format!("git-screenlink: {}\n  hint: {hint}", error::Error::new(error::Kind::Usage, what));
    if let Some(usage) = usage {
        out.push_str(&format!("\n  {usage}"));
    }
    out
}

/// A reader that stops early (`git screenlink log | head -1`) ends us quietly, as it ends
/// git: Rust ignores SIGPIPE, which turns every later print into a panic. Our own sockets
/// (std's TCP) never raise it, and every file we write is replaced or appended whole.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

/// libgit2 maps pack files into memory in windows of 1 GB up to 8 GB (64-bit defaults), and
/// those pages count as the process's memory: reading every commit of a 4,000-commit history
/// (realtext wicket, a 153 MB pack) held 80 MB of them. 8 MB windows up to 64 MB: its
/// selection peaked at 142 MB instead of 205 MB, 1 s slower (`SCREENLINK_DEBUG` prints RSS).
const PACK_WINDOW_BYTES: usize = 8 << 20;
const PACK_MAPPED_LIMIT_BYTES: usize = 64 << 20;

fn set_libgit2_options() {
    // SAFETY: called first thing in main, before any thread or repository exists.
    unsafe {
        let _ = git2::opts::set_mwindow_size(PACK_WINDOW_BYTES);
        let _ = git2::opts::set_mwindow_mapped_limit(PACK_MAPPED_LIMIT_BYTES);
        refs::allow_reftable();
    }
    // libgit2 hashes every object it reads to check its id, which git itself does only in
    // fsck: reading wicket's mixed list cold took 11.4–12.7 s without it against 13.8–15.2 s
    // (SHA-256, 22.3 s against 28.8 s), with the same pairs.
    git2::opts::strict_hash_verification(false);
}

/// cargo runs `cargo-screenlink screenlink <args>`: drop cargo's extra word.
pub fn cargo_args(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_some_and(|a| a == "screenlink") {
        args.remove(1);
    }
    args
}

static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// A line for whoever debugs us (`SCREENLINK_DEBUG=1`), with the milliseconds since the
/// process started; silent otherwise.
pub fn debug(args: std::fmt::Arguments) {
    if std::env::var_os("SCREENLINK_DEBUG").is_some_and(|v| !v.is_empty() && v != "0") {
        let ms = STARTED.get().map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
        // Resident memory where the system says it (Linux), to see which stage holds what.
        let rss = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
            .map(|kb| format!(" [{} MB]", kb / 1024))
            .unwrap_or_default();
        eprintln!("git-screenlink: debug: +{ms:.0} ms{rss} {args}");
    }
}

/// For `skip_serializing_if` in the JSON reports (backfill's summary, validate's report): a
/// count of zero is left out.
pub(crate) fn is_zero(n: &usize) -> bool {
    *n == 0
}
