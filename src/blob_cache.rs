//! A table of key → bytes in one SQLite file of the cache dir, for the caches that keep what
//! can be computed again (the talk's terms, examined commits): owner-only, WAL so the hook
//! reads while a backfill writes, a short wait for a writer, and never a reason to fail a
//! run. A file that cannot be opened, read or written only means the work is done again.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

pub type Key = [u8; 32];

pub struct BlobCache {
    conn: Option<Connection>,
    table: &'static str,
}

impl BlobCache {
    /// No cache: nothing is found, nothing kept.
    pub fn none() -> BlobCache {
        BlobCache { conn: None, table: "" }
    }

    /// Open (or create) `table` in `file` in `dir`. The table's name carries its layout's
    /// version: a new layout is a new table, never rows read the old way.
    pub fn open(dir: &Path, file: &str, table: &'static str) -> BlobCache {
        let schema = format!("CREATE TABLE IF NOT EXISTS {table} (key BLOB PRIMARY KEY, value BLOB NOT NULL, added INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;");
        // Waits briefly: the hook must not wait on a backfill's write; a missed write only
        // costs the work again.
        let conn =
            open_db(dir, file, std::time::Duration::from_millis(100), &schema, &[table]).map_err(|e| crate::debug(format_args!("{file} unused: {e}"))).ok();
        BlobCache { conn, table }
    }

    /// The values of `keys` (by position) that the cache holds.
    pub fn get_many(&self, keys: &[Key]) -> HashMap<usize, Vec<u8>> {
        self.conn.as_ref().map(|c| read_each(c, &format!("SELECT value FROM {} WHERE key = ?1", self.table), keys)).unwrap_or_default()
    }

    /// Store `items` in one transaction; a failed write is only work done again later.
    pub fn put_many(&mut self, items: impl Iterator<Item = (Key, Vec<u8>)>) {
        let table = self.table;
        let mut items = items.peekable();
        let Some(conn) = self.conn.as_mut().filter(|_| items.peek().is_some()) else { return };
        let sql = format!("INSERT OR REPLACE INTO {table} (key, value, {ADDED}) VALUES (?1, ?2, {NOW})");
        if let Err(e) = write_all(conn, &sql, items) {
            crate::debug(format_args!("{table} cache not written: {e}"));
        }
    }
}

/// The column every cache table carries (`cache_limit`: the oldest rows go first past the
/// size limit), and the value a write stores in it.
pub const ADDED: &str = "added";
pub const NOW: &str = "CAST(strftime('%s','now') AS INTEGER)";

/// Open a cache file ([`crate::fsutil::open_cache_db`]) whose `schema` creates `tables`, each
/// with [`ADDED`]; a table from before the size limit gains the column (its rows read 0: the
/// oldest). Cheap: SQLite changes only the schema.
pub fn open_db(dir: &Path, file: &str, busy: std::time::Duration, schema: &str, tables: &[&str]) -> Result<Connection, String> {
    let conn = crate::fsutil::open_cache_db(dir, file, busy, schema)?;
    for table in tables {
        if !columns(&conn, table).map_err(|e| e.to_string())?.iter().any(|(c, _)| c == ADDED) {
            conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {ADDED} INTEGER NOT NULL DEFAULT 0")).map_err(|e| e.to_string())?;
        }
    }
    Ok(conn)
}

/// Each column of `table`: its name and whether it is part of the primary key.
pub fn columns(conn: &Connection, table: &str) -> rusqlite::Result<Vec<(String, bool)>> {
    let mut stmt = conn.prepare(&format!("PRAGMA table_info({table})"))?;
    let cols = stmt.query_map([], |r| Ok((r.get::<_, String>(1)?, r.get::<_, i64>(5)? > 0)))?.collect();
    cols
}

/// The one-column rows `sql` (a query of `?1` = key) finds for `keys`, by position: the
/// caches' reads. A key it cannot read is a key the cache does not hold.
pub fn read_each<T: rusqlite::types::FromSql>(conn: &Connection, sql: &str, keys: &[Key]) -> HashMap<usize, T> {
    let mut out = HashMap::new();
    let Ok(mut stmt) = conn.prepare_cached(sql) else { return out };
    for (i, k) in keys.iter().enumerate() {
        if let Ok(Some(value)) = stmt.query_row([&k[..]], |r| r.get::<_, T>(0)).optional() {
            out.insert(i, value);
        }
    }
    out
}

/// `sql` (an insert of `?1` = key, `?2` = value) for every item, in one transaction: the
/// caches' writes.
pub fn write_all<V: rusqlite::ToSql>(conn: &mut Connection, sql: &str, items: impl Iterator<Item = (Key, V)>) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut stmt = tx.prepare_cached(sql)?;
        for (k, v) in items {
            stmt.execute(rusqlite::params![&k[..], v])?;
        }
    }
    tx.commit()
}
