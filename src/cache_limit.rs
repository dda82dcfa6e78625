//! The caches' size limit (`screenlink.cacheMaxMb`): the cache dir holds only what can be
//! computed again (vectors, the talk's terms, examined commits), but it grows with every day
//! of talk, so the oldest entries go once it passes the limit.
//!
//! Every cache row carries `added`, the time it was written (rows of files from before this
//! read 0, so they go first). After a backfill or an index run (never in the hook, which must
//! stay fast) [`enforce`] measures the pages in use; over the limit, it deletes the oldest
//! rows, whichever cache holds them, down to [`KEEP_FRACTION`] of the limit, then compacts the
//! files. A row that goes costs its recomputation, never a result.

use std::path::Path;

use rusqlite::Connection;

use crate::blob_cache::{columns, ADDED};

/// The cache files the limit covers (the embedding cache, the term cache, the commit cache).
pub const FILES: [&str; 3] = [crate::score::cache::FILE_NAME, crate::talk_terms::cache::FILE_NAME, crate::commits::CACHE_FILE];

/// What a pruned cache keeps of its limit: room for the next runs before the next pruning.
pub const KEEP_FRACTION: f64 = 0.8;

/// What a pruning did: bytes in use before and after, rows deleted.
#[derive(Debug, Clone, PartialEq)]
pub struct Pruned {
    pub before: u64,
    pub after: u64,
    pub rows: u64,
}

/// Bytes the cache files in `dir` use (their pages in use, not free pages a deletion left).
pub fn used_bytes(dir: &Path) -> u64 {
    FILES.iter().filter_map(|f| open(dir, f)).map(|c| in_use(&c)).sum()
}

/// `screenlink.cacheMaxMb` in bytes (0: no limit).
pub fn megabytes(mb: u32) -> u64 {
    u64::from(mb) * 1_048_576
}

/// Keep the caches in `dir` under `max_bytes` (0: no limit): see the module's comment. `None`
/// when under it; errors only cost the pruning, never the run.
pub fn enforce(dir: &Path, max_bytes: u64) -> Option<Pruned> {
    if max_bytes == 0 {
        return None;
    }
    let conns: Vec<(&str, Connection)> = FILES.iter().filter_map(|f| open(dir, f).map(|c| (*f, c))).collect();
    let before = total_in_use(&conns);
    if before <= max_bytes {
        return None;
    }
    let need = before as f64 - KEEP_FRACTION * max_bytes as f64;
    // Every row of every table by age, each weighing its file's bytes per row: the oldest
    // go first, whichever cache they are in.
    let mut ages: Vec<(i64, usize, String, u64, f64)> = Vec::new();
    for (i, (_, conn)) in conns.iter().enumerate() {
        let tables = tables(conn);
        let counts: Vec<Vec<(i64, u64)>> = tables.iter().map(|t| histogram(conn, t).unwrap_or_default()).collect();
        let rows: u64 = counts.iter().flatten().map(|(_, n)| n).sum();
        let per_row = in_use(conn) as f64 / rows.max(1) as f64;
        for (t, hist) in tables.into_iter().zip(counts) {
            ages.extend(hist.into_iter().map(|(added, n)| (added, i, t.clone(), n, per_row)));
        }
    }
    ages.sort_by_key(|a| a.0);
    let mut doomed: std::collections::BTreeMap<(usize, String), u64> = std::collections::BTreeMap::new();
    let mut freed = 0.0;
    for (_, i, table, n, per_row) in ages {
        if freed >= need {
            break;
        }
        let take = (((need - freed) / per_row).ceil() as u64).min(n);
        freed += take as f64 * per_row;
        *doomed.entry((i, table)).or_default() += take;
    }
    let mut rows = 0;
    for ((i, table), n) in &doomed {
        let (file, conn) = &conns[*i];
        match prune_table(conn, table, *n) {
            Ok(n) => rows += n,
            Err(e) => crate::debug(format_args!("{file}: {table} not pruned: {e}")),
        }
    }
    for (file, conn) in &conns {
        // Give the pages back to the file system; a reader holding the file makes this wait
        // or fail, which leaves the freed pages for the next writes to reuse.
        if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);") {
            crate::debug(format_args!("{file} not compacted: {e}"));
        }
    }
    Some(Pruned { before, after: total_in_use(&conns), rows })
}

fn total_in_use(conns: &[(&str, Connection)]) -> u64 {
    conns.iter().map(|(_, c)| in_use(c)).sum()
}

fn open(dir: &Path, file: &str) -> Option<Connection> {
    let path = dir.join(file);
    if !path.exists() {
        return None;
    }
    let conn = Connection::open(path).ok()?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).ok()?;
    Some(conn)
}

fn in_use(conn: &Connection) -> u64 {
    let pragma = |p: &str| conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get::<_, i64>(0)).unwrap_or(0).max(0) as u64;
    (pragma("page_count").saturating_sub(pragma("freelist_count"))) * pragma("page_size")
}

/// The tables of a cache file that carry `added`.
fn tables(conn: &Connection) -> Vec<String> {
    let names: Vec<String> =
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").and_then(|mut s| s.query_map([], |r| r.get(0))?.collect()).unwrap_or_default();
    names.into_iter().filter(|t| columns(conn, t).is_ok_and(|cs| cs.iter().any(|(c, _)| c == ADDED))).collect()
}

/// How many of `table`'s rows were written at each time.
fn histogram(conn: &Connection, table: &str) -> rusqlite::Result<Vec<(i64, u64)>> {
    let mut stmt = conn.prepare(&format!("SELECT {ADDED}, count(*) FROM {table} GROUP BY {ADDED}"))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?.max(0) as u64)))?.collect();
    rows
}

/// Delete the oldest `n` of `table`'s rows (by `added`), in one statement.
fn prune_table(conn: &Connection, table: &str, n: u64) -> rusqlite::Result<u64> {
    let key = columns(conn, table)?.into_iter().filter(|(_, pk)| *pk).map(|(c, _)| c).collect::<Vec<_>>().join(", ");
    let sql = format!("DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} ORDER BY {ADDED} LIMIT ?1)");
    Ok(conn.execute(&sql, [n as i64])? as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::cache::{key, EmbeddingCache};

    #[test]
    fn the_oldest_vectors_go_once_the_limit_is_passed() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = EmbeddingCache::open(dir.path(), "m");
        let v = vec![0.5f32; 384];
        let keys: Vec<_> = (0..3000).map(|k| key(&format!("text {k}"))).collect();
        cache.put_many(&keys.iter().map(|k| (*k, &v[..])).collect::<Vec<_>>()).unwrap();
        // The first 2,000 written long ago, the last 1,000 now.
        let conn = Connection::open(dir.path().join(crate::score::cache::FILE_NAME)).unwrap();
        for (i, k) in keys.iter().enumerate().take(2000) {
            conn.execute("UPDATE embeddings SET added = ?1 WHERE key = ?2", rusqlite::params![i as i64, &k[..]]).unwrap();
        }
        let used = used_bytes(dir.path());
        assert!(used > 3000 * 384 * 4, "{used}");
        assert_eq!(enforce(dir.path(), 0), None, "0: no limit");
        assert_eq!(enforce(dir.path(), used + 1), None, "under the limit: nothing goes");
        let limit = used / 2;
        let pruned = enforce(dir.path(), limit).expect("over the limit");
        assert!(pruned.after <= limit && pruned.after as f64 > 0.6 * limit as f64, "{pruned:?} {limit}");
        let size = std::fs::metadata(dir.path().join(crate::score::cache::FILE_NAME)).unwrap().len();
        assert!(size <= limit + 64 * 1024, "compacted: {size}");
        drop(cache);
        let cache = EmbeddingCache::open(dir.path(), "m");
        let kept = cache.get_many(&keys);
        assert_eq!(kept.len() as u64, 3000 - pruned.rows);
        assert!(keys[2000..].iter().all(|k| kept.contains_key(k)), "the newest stay");
        assert!(!kept.contains_key(&keys[0]) && !kept.contains_key(&keys[1]), "the oldest go first");
    }

    #[test]
    fn a_file_from_before_the_limit_gains_the_column_and_keeps_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(crate::score::cache::FILE_NAME);
        let old = Connection::open(&path).unwrap();
        old.execute_batch("CREATE TABLE embeddings (model TEXT NOT NULL, key BLOB NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID;")
            .unwrap();
        old.execute("INSERT INTO embeddings VALUES ('m', ?1, ?2)", rusqlite::params![&key("old")[..], vec![0u8, 0, 128, 63]]).unwrap();
        drop(old);
        let mut cache = EmbeddingCache::open(dir.path(), "m");
        assert!(cache.warning.is_none(), "{:?}", cache.warning);
        assert_eq!(cache.get_many(&[key("old")])[&key("old")], vec![1.0f32]);
        cache.put_many(&[(key("new"), &[2.0])]).unwrap();
        let conn = Connection::open(&path).unwrap();
        let added = |k: &str| conn.query_row("SELECT added FROM embeddings WHERE key = ?1", [&key(k)[..]], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(added("old"), 0, "an old row reads as the oldest");
        assert!(added("new") > 1_700_000_000, "a new row has its time");
    }
}
