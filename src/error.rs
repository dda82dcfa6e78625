//! Error kinds, their exit codes, and the hint each one carries.
//!
//! Exit codes (documented in README "Exit codes"):
//! - 0: success
//! - 1: the command ran and found a problem (no pairs linked, dataset problems)
//! - 2: the command could not run: bad usage, bad configuration, missing assets,
//!   unreadable input
//! - 130: interrupted (Ctrl-C)

use std::fmt;

/// What went wrong, broadly: picks the exit code and the `error[kind]` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Usage,
    Config,
    Assets,
    Git,
    Io,
    Source,
    Interrupted,
}

impl Kind {
    pub fn exit_code(self) -> i32 {
        match self {
            Kind::Interrupted => 130,
            _ => 2,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Kind::Usage => "usage",
            Kind::Config => "config",
            Kind::Assets => "assets",
            Kind::Git => "git",
            Kind::Io => "io",
            Kind::Source => "screenpipe",
            Kind::Interrupted => "interrupted",
        }
    }
}

/// A user-facing error: one line saying what happened, one saying what to do.
#[derive(Debug, Clone)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    pub hint: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn config(message: impl Into<String>) -> Self {
        Error::new(Kind::Config, message)
    }

    pub fn assets(message: impl Into<String>) -> Self {
        Error::new(Kind::Assets, message)
    }

    pub fn io(context: impl fmt::Display, err: std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let hint = match err.kind() {
            K::PermissionDenied | K::ReadOnlyFilesystem => {
                Some("make that place writable, or move the dataset with `git config screenlink.datasetDir <dir>`; nothing was changed")
            }
            K::StorageFull | K::FileTooLarge | K::QuotaExceeded => Some("free some disk space and run it again; the files are as they were before this run"),
            _ => None,
        };
        let e = Error::new(Kind::Io, format!("{context}: {err}"));
        match hint {
            Some(h) => e.hint(h),
            None => e,
        }
    }

    pub fn exit_code(&self) -> i32 {
        self.kind.exit_code()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.kind.label(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<git2::Error> for Error {
    fn from(err: git2::Error) -> Self {
        Error::new(Kind::Git, err.message().to_string())
    }
}
