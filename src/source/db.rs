//! screenpipe's SQLite database, read-only.
//!
//! Opened with `mode=ro` (never `immutable=1`: screenpipe writes it in WAL mode while we
//! read) and a busy timeout, so it is never written or created. Columns are discovered
//! with `PRAGMA table_info`, since older databases lack later ones and newer add some.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};

use super::{time, Source, Summary, Transcription};
use crate::config::{Origin, Settings};
use crate::error::{Error, Kind, Result};

/// How long to wait for screenpipe's writers before calling the database locked.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(3);

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
const VAULT_MAGIC: &[u8; 8] = b"SPVAULT1";

pub struct DbSource {
    path: PathBuf,
    conn: Connection,
    /// `SELECT … FROM …` for the columns this database has, without the WHERE clause.
    select: String,
}

fn err(message: String, hint: &str) -> Error {
    Error::new(Kind::Source, message).hint(hint)
}

const USE_API: &str = "set `git config screenlink.source api` to read through screenpipe's REST API instead";

impl DbSource {
    pub fn open(settings: &Settings) -> Result<DbSource> {
        DbSource::open_path(&settings.screenpipe_db.value, &settings.screenpipe_db.origin)
    }

    pub fn open_path(path: &Path, origin: &Origin) -> Result<DbSource> {
        // screenpipe's data dir (what SCREENPIPE_DATA_DIR names) holds db.sqlite: take it.
        let inside = path.join("db.sqlite");
        let path = if path.is_dir() {
            if !inside.is_file() {
                return Err(err(
                    format!("{} is a directory with no db.sqlite in it", path.display()),
                    "point screenlink.screenpipeDb at screenpipe's db.sqlite, or at the directory that holds it",
                ));
            }
            inside.as_path()
        } else {
            path
        };
        check_file(path, origin)?;
        // Never `immutable`: screenpipe may open the database and write while we read (even
        // when no -wal file is there yet). A WAL database thus gets the -wal/-shm files every
        // SQLite reader needs; the database file itself is never written.
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(sqlite_uri(path), flags).map_err(|e| sql_error(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| sql_error(path, e))?;

        let tables = names(&conn, "SELECT name FROM sqlite_master WHERE type = 'table'", path)?;
        if !tables.contains("audio_transcriptions") {
            return Err(err(
                format!("{} has no audio_transcriptions table: it is not a screenpipe database, or audio recording was never on", path.display()),
                "point screenlink.screenpipeDb at screenpipe's db.sqlite (usually ~/.screenpipe/db.sqlite)",
            ));
        }
        let cols = names(&conn, "SELECT name FROM pragma_table_info('audio_transcriptions')", path)?;
        let speakers = if tables.contains("speakers") { names(&conn, "SELECT name FROM pragma_table_info('speakers')", path)? } else { HashSet::new() };
        let select = select_for(&cols, &speakers);
        Ok(DbSource { path: path.to_path_buf(), conn, select })
    }
}

/// Everything that can be said about the file before SQLite opens it.
fn check_file(path: &Path, origin: &Origin) -> Result<()> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let why = match origin {
                Origin::Default => "screenpipe's default location".to_string(),
                other => format!("set by {other}"),
            };
            return Err(err(
                format!("screenpipe database not found at {} ({why})", path.display()),
                "start screenpipe once, or point `git config screenlink.screenpipeDb` (or SCREENPIPE_DATA_DIR) at its db.sqlite",
            ));
        }
        Err(e) => return Err(Error::io(format!("opening {}", path.display()), e)),
    };
    let mut head = [0u8; 16];
    let n = file.read(&mut head).map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    if head[..n.min(8)] == VAULT_MAGIC[..] {
        return Err(err(format!("{} is screenpipe's encrypted vault; it cannot be read directly", path.display()), USE_API));
    }
    if n < 16 || &head != SQLITE_MAGIC {
        return Err(err(format!("{} is not a SQLite database", path.display()), "point screenlink.screenpipeDb at screenpipe's db.sqlite"));
    }
    if let Some(dir) = path.parent() {
        if dir.join("storage.json").is_file() {
            return Err(err(
                format!("screenpipe keeps transcripts outside {} (compressed storage mode, {} present)", path.display(), dir.join("storage.json").display()),
                USE_API,
            ));
        }
    }
    Ok(())
}

/// `file:` URI with `mode=ro`, the path percent-encoded where URI syntax needs it.
fn sqlite_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file:");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'?' | b'#' | b'%' | b' ' => out.push_str(&format!("%{b:02X}")),
            _ => out.push(b as char),
        }
    }
    out.push_str("?mode=ro");
    out
}

fn sql_error(path: &Path, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode::*;
    match e.sqlite_error_code() {
        Some(DatabaseBusy) | Some(DatabaseLocked) => {
            err(format!("{} is still locked by another program (screenpipe?) after {} s", path.display(), BUSY_TIMEOUT.as_secs()), USE_API)
        }
        Some(NotADatabase) => {
            err(format!("{} is not a SQLite database (or is damaged)", path.display()), "point screenlink.screenpipeDb at screenpipe's db.sqlite")
        }
        Some(CannotOpen) | Some(PermissionDenied) | Some(ReadOnly) => err(
            format!("cannot open {} for reading: {e}", path.display()),
            "check the file's permissions, or that its directory is readable (SQLite needs it for the WAL files)",
        ),
        _ => err(format!("reading {}: {e}", path.display()), "check that the file is screenpipe's db.sqlite"),
    }
}

fn names(conn: &Connection, sql: &str, path: &Path) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare(sql).map_err(|e| sql_error(path, e))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).map_err(|e| sql_error(path, e))?;
    rows.collect::<rusqlite::Result<_>>().map_err(|e| sql_error(path, e))
}

/// The SELECT for the columns present. Output columns, always in this order:
/// id, timestamp, text, speaker name, is_input_device.
fn select_for(cols: &HashSet<String>, speaker_cols: &HashSet<String>) -> String {
    let has = |c: &str| cols.contains(c);
    // A late-2026 redacted copy is preferred when present and filled.
    let text = if has("text_redacted") { "COALESCE(t.text_redacted, t.transcription)" } else { "t.transcription" };
    let join_speakers = has("speaker_id") && speaker_cols.contains("id");
    let speaker = if join_speakers && speaker_cols.contains("name") { "NULLIF(TRIM(s.name), '')" } else { "NULL" };
    let is_input = if has("is_input_device") { "t.is_input_device" } else { "NULL" };
    let mut sql = format!("SELECT t.id, t.timestamp, {text}, {speaker}, {is_input} FROM audio_transcriptions t");
    if join_speakers {
        sql.push_str(" LEFT JOIN speakers s ON s.id = t.speaker_id");
    }
    // screenpipe's own search leaves out speakers marked as hallucinations.
    let skip_hallucinations = if join_speakers && speaker_cols.contains("hallucination") { " AND COALESCE(s.hallucination, 0) = 0" } else { "" };
    // Bounds are compared as text so the timestamp index is used; they are a day wider
    // than asked on each side, which covers every shape and offset, and the exact range
    // is applied after parsing.
    sql.push_str(&format!(" WHERE t.timestamp >= ?1 AND t.timestamp < ?2{skip_hallucinations} ORDER BY t.timestamp, t.id"));
    sql
}

/// A cell as text, whatever SQLite holds there: invalid UTF-8 is replaced (U+FFFD), blobs
/// and numbers are written out, NULL is `None`. Another tool's bytes never stop a read.
fn lossy_text(v: rusqlite::types::ValueRef<'_>) -> Option<String> {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(b) | ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

impl Source for DbSource {
    fn kind(&self) -> &'static str {
        "db"
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn read(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Vec<Transcription>> {
        let lo = (start - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let hi = (end + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
        let mut stmt = self.conn.prepare_cached(&self.select).map_err(|e| sql_error(&self.path, e))?;
        let rows = stmt
            .query_map([&lo, &hi], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    lossy_text(r.get_ref(1)?).unwrap_or_default(),
                    lossy_text(r.get_ref(2)?).unwrap_or_default(),
                    lossy_text(r.get_ref(3)?),
                    r.get::<_, Option<bool>>(4).unwrap_or(None),
                ))
            })
            .map_err(|e| sql_error(&self.path, e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, ts, text, speaker, is_input) = row.map_err(|e| sql_error(&self.path, e))?;
            // A row whose time cannot be read cannot be placed in any window: skip it.
            let Some(timestamp) = time::parse(&ts) else { continue };
            if timestamp >= start && timestamp < end {
                out.push(Transcription { id, timestamp, text, speaker, is_input });
            }
        }
        // Text order can differ from time order across shapes (`T` vs space): sort by time.
        out.sort_by_key(Transcription::order_key);
        Ok(out)
    }

    fn newest(&self) -> Result<Option<DateTime<Utc>>> {
        // The timestamp index answers it without a scan. Text order is time order within a
        // shape; the newest few rows of years 1000-2999 are parsed, the latest kept, so a
        // cell that is not a time (sorted past every digit) cannot hide the rest.
        let mut stmt = self
            .conn
            .prepare_cached("SELECT timestamp FROM audio_transcriptions WHERE timestamp >= '1' AND timestamp < '3' ORDER BY timestamp DESC LIMIT 16")
            .map_err(|e| sql_error(&self.path, e))?;
        let cells = stmt.query_map([], |r| Ok(lossy_text(r.get_ref(0)?).unwrap_or_default())).map_err(|e| sql_error(&self.path, e))?;
        let mut newest = None;
        for cell in cells {
            let cell = cell.map_err(|e| sql_error(&self.path, e))?;
            newest = newest.max(time::parse(&cell));
        }
        match newest {
            Some(t) => Ok(Some(t)),
            None => Ok(self.summary()?.newest),
        }
    }

    fn rows_per_day(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Vec<(chrono::NaiveDate, u64)>> {
        let lo = (start - chrono::Duration::days(1)).format("%Y-%m-%d").to_string();
        let hi = (end + chrono::Duration::days(2)).format("%Y-%m-%d").to_string();
        // The date as written: within a day of the UTC date for any offset, which is all
        // planning needs; the timestamp index answers it without reading any text.
        let mut stmt = self
            .conn
            .prepare_cached("SELECT substr(timestamp, 1, 10), COUNT(*) FROM audio_transcriptions WHERE timestamp >= ?1 AND timestamp < ?2 GROUP BY 1")
            .map_err(|e| sql_error(&self.path, e))?;
        let days =
            stmt.query_map([&lo, &hi], |r| Ok((lossy_text(r.get_ref(0)?).unwrap_or_default(), r.get::<_, i64>(1)?))).map_err(|e| sql_error(&self.path, e))?;
        let mut out = Vec::new();
        for day in days {
            let (day, n) = day.map_err(|e| sql_error(&self.path, e))?;
            if let Ok(d) = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d") {
                out.push((d, n.max(0) as u64));
            }
        }
        Ok(out)
    }

    fn summary(&self) -> Result<Summary> {
        let (rows, oldest, newest) = self
            .conn
            .query_row("SELECT COUNT(*), MIN(julianday(timestamp)), MAX(julianday(timestamp)) FROM audio_transcriptions", [], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<f64>>(1)?, r.get::<_, Option<f64>>(2)?))
            })
            .map_err(|e| sql_error(&self.path, e))?;
        let from_julian = |jd: f64| DateTime::from_timestamp_millis(((jd - 2_440_587.5) * 86_400_000.0).round() as i64);
        Ok(Summary { rows: rows as u64, oldest: oldest.and_then(from_julian), newest: newest.and_then(from_julian) })
    }
}
