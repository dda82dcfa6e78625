//! File operations that must not lose data: private directories, locked appends of whole
//! lines, and atomic rewrites.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, Result};

/// Where the caches live (vectors, terms, examined commits): `$SCREENLINK_CACHE_DIR`, else
/// the platform cache dir (`~/.cache/screenlink` on Linux, `~/Library/Caches/screenlink` on
/// macOS). Each is shared by every repository, backfill and the hook.
pub fn cache_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("SCREENLINK_CACHE_DIR").filter(|d| !d.is_empty()) {
        return std::path::PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "screenlink")
        .map(|p| p.cache_dir().to_path_buf())
        .unwrap_or_else(|| crate::config::home_dir().join(".cache").join("screenlink"))
}

/// Open (or create) the cache database `file` in `dir` (made owner-only) in WAL mode, so
/// the hook reads while a backfill writes, waiting at most `busy` for a writer, with `schema`
/// applied. The caches never fail a run: callers fall back to no cache on an error.
///
/// `synchronous = NORMAL`: a cache holds copies of what can be computed again, so a commit
/// need not wait for the disk (WAL stays consistent; a power cut may lose the last writes).
/// The hook writes the new commit's vectors every time, and this keeps an fsync off its path.
pub fn open_cache_db(dir: &Path, file: &str, busy: std::time::Duration, schema: &str) -> std::result::Result<rusqlite::Connection, String> {
    create_private_dir(dir).map_err(|e| e.to_string())?;
    let path = dir.join(file);
    let conn = rusqlite::Connection::open(&path).map_err(|e| e.to_string())?;
    // Owner-only whatever the directory (a cache dir made before, or a shared
    // SCREENLINK_CACHE_DIR, may be readable by others): the caches hold the talk's words and
    // the commits' code. SQLite gives its WAL and shared-memory files the database's mode.
    for f in [path.clone(), sibling(&path, "-wal"), sibling(&path, "-shm")] {
        make_private_if_loose(&f).map_err(|e| e.to_string())?;
    }
    conn.busy_timeout(busy).map_err(|e| e.to_string())?;
    let _: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)).map_err(|e| e.to_string())?;
    conn.execute_batch("PRAGMA synchronous=NORMAL;").map_err(|e| e.to_string())?;
    conn.execute_batch(schema).map_err(|e| e.to_string())?;
    Ok(conn)
}

/// `path` with `suffix` after its file name (`x.sqlite` → `x.sqlite-wal`).
fn sibling(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    name.into()
}

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

/// Make `path` readable and writable by its owner alone (0600; nothing to do off Unix).
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// [`make_private`] for a file that exists and others can read: one `stat` where it is
/// private already (the hook opens the caches on every commit; a `chmod` each time would
/// write the inode for nothing).
fn make_private_if_loose(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        match std::fs::metadata(path) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => make_private(path),
            _ => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(())
    }
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
        Self::acquire_saying(dir, || {})
    }

    /// [`DirLock::acquire`], calling `waiting` first when another process holds the lock.
    pub fn acquire_saying(dir: &Path, waiting: impl FnOnce()) -> Result<DirLock> {
        create_private_dir(dir).map_err(|err| Error::io(format!("locking {}", dir.display()), err))?;
        Self::on_file(&dir.join(".lock"), waiting)
    }

    /// The lock held on the file `path` (made if missing), as a directory's is on its `.lock`.
    pub fn on_file(path: &Path, waiting: impl FnOnce()) -> Result<DirLock> {
        let io = |err| Error::io(format!("locking {}", path.display()), err);
        let file = open_private_append(path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock().map_err(io)?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
        }
        Ok(DirLock { file })
    }

    /// The lock on the file `path` if no other process holds it, else `None`, without waiting.
    pub fn try_on_file(path: &Path) -> Result<Option<DirLock>> {
        let io = |err| Error::io(format!("locking {}", path.display()), err);
        let file = open_private_append(path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(DirLock { file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
        }
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
///
/// Only a regular file (or no file) is replaced. A symlink is followed and its target
/// rewritten (the link stays a link); a device, named pipe or socket (`/dev/null`,
/// `/dev/stdout`, a FIFO) is written in place, never renamed over.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let target = resolve_symlinks(path);
    let path = target.as_path();
    let io = |err| Error::io(format!("writing {}", path.display()), err);
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => return Err(Error::io(format!("writing {}", path.display()), std::io::Error::other("it is a directory"))),
        Ok(m) if !m.is_file() => {
            let mut f = OpenOptions::new().write(true).open(path).map_err(io)?;
            return f.write_all(text.as_bytes()).map_err(io);
        }
        _ => {}
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    create_private_dir(dir).map_err(io)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(text.as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    make_private(tmp.path()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    // The rename itself must reach the disk too.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// `path` with every symlink along its last component followed (a dangling link resolves
/// to where it points, so the file is created there).
fn resolve_symlinks(path: &Path) -> std::path::PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => match std::fs::read_link(&p) {
                Ok(link) if link.is_absolute() => p = link,
                Ok(link) => p = p.parent().unwrap_or(Path::new(".")).join(link),
                Err(_) => return p,
            },
            _ => return p,
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn rewrites_go_through_symlinks_and_never_replace_special_files() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        // A symlink: the target is rewritten, the link stays.
        let target = dir.path().join("real.txt");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        write_atomic(&link, "new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link was replaced");
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // A dangling link: the file is created where it points.
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("sub/made.txt", &dangling).unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        write_atomic(&dangling, "made").unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("sub/made.txt")).unwrap(), "made");
        // A named pipe: written into, still a pipe.
        let fifo = dir.path().join("pipe");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write_atomic(&fifo, "through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        // A device.
        write_atomic(Path::new("/dev/null"), "gone").unwrap();
        assert!(std::fs::metadata("/dev/null").unwrap().file_type().is_char_device());
        // A directory is refused.
        assert!(write_atomic(dir.path(), "x").is_err());
    }

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
