//! What the dataset already holds (its talk and its commits), read incrementally so each
//! accept reads only the lines appended since the last.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::jsonl::file_identity;
use crate::claimed::Claimed;
use crate::error::{Error, Result};

/// Talk and commits already in the dataset file `file` (device, inode), read up to
/// `offset` bytes.
#[derive(Debug, Default)]
pub(super) struct Claims {
    pub file: Option<(u64, u64)>,
    pub offset: u64,
    pub ids: Claimed,
    pub commits: HashSet<String>,
}

impl Claims {
    /// Read the dataset from `offset` to its last whole line (from the start again when
    /// it shrank: a `validate --fix` or a rewrite replaced it). The caller holds the lock.
    pub(super) fn catch_up(&mut self, path: &Path) -> Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let io = |err| Error::io(format!("reading {}", path.display()), err);
        let mut file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                *self = Claims::default();
                return Ok(());
            }
            Err(e) => return Err(io(e)),
        };
        let meta = file.metadata().map_err(io)?;
        // Replaced (a rewrite renames a new file in) or shrunk: read it from the start.
        let identity = Some(file_identity(&meta));
        if identity != self.file || meta.len() < self.offset {
            *self = Claims { file: identity, ..Claims::default() };
        }
        file.seek(SeekFrom::Start(self.offset)).map_err(io)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(io)?;
        let whole = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        for line in bytes[..whole].split(|b| *b == b'\n') {
            if let Ok(keys) = serde_json::from_slice::<PairKeys>(line) {
                self.ids.claim(&keys.metadata.audio_ids, &keys.metadata.work());
                self.commits.insert(keys.metadata.commit_sha);
            }
        }
        self.offset += whole as u64;
        Ok(())
    }
}

/// Only what the snapshot needs of a pair, so reading a large dataset stays cheap.
#[derive(Deserialize)]
pub(super) struct PairKeys {
    pub metadata: KeyFields,
}

#[derive(Deserialize)]
pub(super) struct KeyFields {
    pub commit_sha: String,
    #[serde(default)]
    pub audio_ids: Vec<i64>,
    #[serde(default)]
    pub work: Vec<String>,
}

impl KeyFields {
    pub fn work(&self) -> crate::claimed::Work {
        Arc::new(self.work.iter().cloned().collect())
    }
}
