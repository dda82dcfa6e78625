//! File operations that must not lose data: private directories, locked appends of whole
//! lines, and atomic rewrites.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// Create `dir` (and parents) readable only by its owner: it holds what was said.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Open for appending, creating the file owner-only (0600) and tightening it if it is not.
fn open_private_append(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options.open(path)?;
        if file.metadata()?.permissions().mode() & 0o077 != 0 {
            file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(file)
    }
    #[cfg(not(unix))]
    options.open(path)
}

/// An exclusive lock on a directory's files (`<dir>/.lock`), held until dropped. Every
/// writer of the dataset dir takes it, so an append never lands in a file that an atomic
/// rewrite (temp file + rename) is replacing.
pub struct DirLock {
    file: File,
}

impl DirLock {
    pub fn acquire(dir: &Path) -> Result<DirLock> {
        let io = |err| Error::io(format!("locking {}", dir.display()), err);
        create_private_dir(dir).map_err(io)?;
        let file = open_private_append(&dir.join(".lock")).map_err(io)?;
        file.lock().map_err(io)?;
        Ok(DirLock { file })
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Append `text` (whole lines, each ending in `\n`) to `path` in one write under the
/// directory's lock, then fsync. If a crashed writer left the file without a final newline,
/// a newline goes first so our lines stay whole (the torn line stays torn, and readers skip it).
pub fn append_lines(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let _lock = DirLock::acquire(dir)?;
    append_lines_locked(path, text)
}

/// [`append_lines`] for a caller that already holds the [`DirLock`].
pub fn append_lines_locked(path: &Path, text: &str) -> Result<()> {
    debug_assert!(text.is_empty() || text.ends_with('\n'));
    if text.is_empty() {
        return Ok(());
    }
    let io = |err| Error::io(format!("appending to {}", path.display()), err);
    let mut file = open_private_append(path).map_err(io)?;
    let mut buf = Vec::with_capacity(text.len() + 1);
    let len = file.metadata().map_err(io)?.len();
    if len > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::Start(len - 1)).map_err(io)?;
        file.read_exact(&mut last).map_err(io)?;
        if last[0] != b'\n' {
            buf.push(b'\n');
        }
    }
    buf.extend_from_slice(text.as_bytes());
    file.write_all(&buf).map_err(io)?;
    file.sync_data().map_err(io)?;
    Ok(())
}

/// Replace `path` with `text` atomically: a private temp file beside it, fsync, rename.
/// Callers that share the file with appenders hold the [`DirLock`].
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let io = |err| Error::io(format!("writing {}", path.display()), err);
    let dir = path.parent().unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io)?;
    }
    tmp.persist(path).map_err(|e| io(e.error))?;
    // The rename itself must reach the disk too.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_stay_whole_after_a_torn_line_and_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("x.jsonl");
        append_lines(&path, "{\"a\":1}\n").unwrap();
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"torn\":").unwrap();
        append_lines(&path, "{\"b\":2}\n").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, "{\"a\":1}\n{\"torn\":\n{\"b\":2}\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        }
    }
}
