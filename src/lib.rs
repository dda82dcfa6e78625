//! git-screenlink: link commits to the recorded discussions that motivated them.
//!
//! Data flows one way: screenpipe → candidates → scoring → review → dataset → export/train.
//! The two binaries (`git-screenlink`, `cargo-screenlink`) are thin shells around [`main_with_args`].

pub mod assets;
pub mod candidates;
pub mod cli;
pub mod commits;
pub mod commands;
pub mod config;
pub mod dataset;
pub mod error;
pub mod export;
pub mod fixture;
pub mod fsutil;
pub mod hooks;
pub mod link;
pub mod messages;
pub mod notes;
pub mod pipeline;
pub mod review;
pub mod score;
pub mod secrets;
pub mod source;
pub mod train;
pub mod validate;
pub mod workspace;

use std::ffi::OsString;

use clap::{CommandFactory, FromArgMatches};

/// Parse `args` (program name first), run the command, print any error, and return the
/// process exit code. `bin_name` is how the user typed us (`git screenlink`, `cargo screenlink`).
pub fn main_with_args(args: Vec<OsString>, bin_name: &'static str) -> i32 {
    restore_sigpipe();
    let matches = cli::Cli::command().bin_name(bin_name).try_get_matches_from(args);
    let cli = match matches.and_then(|m| cli::Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(err) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = err.print();
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

/// cargo runs `cargo-screenlink screenlink <args>`: drop cargo's extra word.
pub fn cargo_args(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_some_and(|a| a == "screenlink") {
        args.remove(1);
    }
    args
}

/// A line for whoever debugs us (`SCREENLINK_DEBUG=1`); silent otherwise.
pub fn debug(args: std::fmt::Arguments) {
    if std::env::var_os("SCREENLINK_DEBUG").is_some_and(|v| !v.is_empty() && v != "0") {
        eprintln!("git-screenlink: debug: {args}");
    }
}
