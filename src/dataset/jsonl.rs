//! JSON Lines as the dataset's files hold them: one record per line, a bad line reported
//! with its number rather than fatal.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{Error, Kind, Result};

/// Records read from a JSONL file, and the lines that could not be read.
#[derive(Debug)]
pub struct ReadOutcome<T> {
    pub records: Vec<T>,
    /// (1-based line number, what was wrong).
    pub bad_lines: Vec<(usize, String)>,
}

pub fn to_line<T: Serialize>(record: &T) -> Result<String> {
    let mut line = serde_json::to_string(record).map_err(|e| Error::new(Kind::Io, format!("could not serialise a record: {e}")))?;
    line.push('\n');
    Ok(line)
}

/// Read a JSONL file (missing = empty). Bad lines are reported, not fatal; the caller warns.
pub fn read_jsonl<T: DeserializeOwned>(path: &Path) -> Result<ReadOutcome<T>> {
    Ok(parse_jsonl(&read_with_identity(path)?.0))
}

/// A JSONL file read once: its records, and the sha256 of its bytes (a run's record of what
/// it trained on); None for a file that does not exist.
pub fn read_jsonl_hashed<T: DeserializeOwned>(path: &Path) -> Result<Option<(ReadOutcome<T>, String)>> {
    use sha2::Digest;
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some((parse_jsonl(&text), sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(format!("reading {}", path.display()), e)),
    }
}

/// A file's text (empty when it does not exist) and which file it was.
pub(super) fn read_with_identity(path: &Path) -> Result<(String, Option<(u64, u64)>)> {
    use std::io::Read;
    let io = |e| Error::io(format!("reading {}", path.display()), e);
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((String::new(), None)),
        Err(e) => return Err(io(e)),
    };
    let identity = file.metadata().map(|m| file_identity(&m)).ok();
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(io)?;
    Ok((text, identity))
}

#[cfg(unix)]
pub(super) fn file_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
pub(super) fn file_identity(_: &std::fs::Metadata) -> (u64, u64) {
    (0, 0)
}

pub(super) fn parse_jsonl<T: DeserializeOwned>(text: &str) -> ReadOutcome<T> {
    let mut out = ReadOutcome { records: Vec::new(), bad_lines: Vec::new() };
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(r) => out.records.push(r),
            Err(e) => out.bad_lines.push((i + 1, e.to_string())),
        }
    }
    out
}
