//! The embedding cache: one SQLite file in the user's cache dir, shared by every repository,
//! by backfill and by the hook, so the same text is never embedded twice.
//!
//! Key: the model id and the SHA-256 of the exact text embedded. Value: the vector as
//! little-endian f32s. Writes are batched in one transaction; a cache that cannot be opened
//! (read-only home, corrupt file) degrades to an in-memory one with a warning, never an error.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

/// Where the cache lives (see [`crate::fsutil::cache_dir`]).
pub fn default_dir() -> PathBuf {
    crate::fsutil::cache_dir()
}

pub const FILE_NAME: &str = "embeddings.sqlite";

pub type Key = [u8; 32];

pub fn key(text: &str) -> Key {
    Sha256::digest(text.as_bytes()).into()
}

pub struct EmbeddingCache {
    conn: Connection,
    model: String,
    /// Set when the file could not be used and vectors live only in memory.
    pub warning: Option<String>,
}

impl EmbeddingCache {
    /// Open (or create) the cache in `dir` for `model`.
    pub fn open(dir: &Path, model: &str) -> EmbeddingCache {
        match crate::blob_cache::open_db(dir, FILE_NAME, std::time::Duration::from_secs(5), SCHEMA, &["embeddings", "sizes"]) {
            Ok(conn) => EmbeddingCache { conn, model: model.into(), warning: None },
            Err(err) => {
                let conn = Connection::open_in_memory().expect("in-memory SQLite");
                init(&conn).expect("in-memory schema");
                EmbeddingCache {
                    conn,
                    model: model.into(),
                    warning: Some(format!("the embedding cache in {} could not be used ({err}); embeddings will not be kept", dir.display())),
                }
            }
        }
    }

    /// The cached vectors among `keys`.
    pub fn get_many(&self, keys: &[Key]) -> HashMap<Key, Vec<f32>> {
        let mut out = HashMap::new();
        let Ok(mut stmt) = self.conn.prepare_cached("SELECT vec FROM embeddings WHERE model = ?1 AND key = ?2") else {
            return out;
        };
        for k in keys {
            if out.contains_key(k) {
                continue;
            }
            if let Ok(Some(blob)) = stmt.query_row(params![self.model, &k[..]], |r| r.get::<_, Vec<u8>>(0)).optional() {
                out.insert(*k, from_blob(&blob));
            }
        }
        out
    }

    /// Store vectors in one transaction. A failed write only costs re-embedding later.
    pub fn put_many(&mut self, items: &[(Key, &[f32])]) -> Result<(), String> {
        let tx = self.conn.transaction().map_err(|e| e.to_string())?;
        {
            let sql = format!("INSERT OR REPLACE INTO embeddings (model, key, vec, added) VALUES (?1, ?2, ?3, {})", crate::blob_cache::NOW);
            let mut stmt = tx.prepare_cached(&sql).map_err(|e| e.to_string())?;
            for (k, v) in items {
                stmt.execute(params![self.model, &k[..], to_blob(v)]).map_err(|e| e.to_string())?;
            }
        }
        tx.commit().map_err(|e| e.to_string())
    }

    /// How many of each text's first words the model reads whole ([`super::semantic::Semantic::sized`]),
    /// for the texts among `keys` the cache knows; `None`: all of it. Token counts are the
    /// tokenizer's, the same for every precision of the model.
    pub fn sizes(&self, keys: &[Key]) -> HashMap<Key, Option<usize>> {
        let found: HashMap<usize, i64> = crate::blob_cache::read_each(&self.conn, "SELECT words FROM sizes WHERE key = ?1", keys);
        found.into_iter().map(|(i, words)| (keys[i], usize::try_from(words).ok())).collect()
    }

    /// Store sizes in one transaction; a failed write only costs counting tokens again.
    pub fn put_sizes(&mut self, items: &[(Key, Option<usize>)]) {
        if items.is_empty() {
            return;
        }
        let rows = items.iter().map(|(k, words)| (*k, words.map_or(-1, |w| w as i64)));
        if let Err(e) = crate::blob_cache::write_all(
            &mut self.conn,
            &format!("INSERT OR REPLACE INTO sizes (key, words, added) VALUES (?1, ?2, {})", crate::blob_cache::NOW),
            rows,
        ) {
            crate::debug(format_args!("text sizes not cached: {e}"));
        }
    }

    /// Number of vectors cached for this model.
    pub fn len(&self) -> usize {
        self.conn.query_row("SELECT count(*) FROM embeddings WHERE model = ?1", [&self.model], |r| r.get::<_, i64>(0)).unwrap_or(0) as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// `added`: when the row was written (`cache_limit`).
const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS embeddings (
     model TEXT NOT NULL,
     key BLOB NOT NULL,
     vec BLOB NOT NULL,
     added INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (model, key)
 ) WITHOUT ROWID;
 CREATE TABLE IF NOT EXISTS sizes (key BLOB PRIMARY KEY, words INTEGER NOT NULL, added INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;";

fn init(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(SCHEMA)
}

fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(b: &[u8]) -> Vec<f32> {
    b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_round_trip_per_model_and_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = EmbeddingCache::open(dir.path(), "m1");
        assert!(cache.warning.is_none());
        let v = vec![0.25f32, -1.5, 3.0];
        cache.put_many(&[(key("hello"), &v)]).unwrap();
        assert_eq!(cache.get_many(&[key("hello")])[&key("hello")], v);
        assert!(cache.get_many(&[key("hello ")]).is_empty(), "the exact text is the key");
        let other = EmbeddingCache::open(dir.path(), "m2");
        assert!(other.get_many(&[key("hello")]).is_empty(), "another model's vectors are not ours");
        drop(cache);
        let again = EmbeddingCache::open(dir.path(), "m1");
        assert_eq!(again.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn an_unusable_dir_degrades_to_memory_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").unwrap();
        let mut cache = EmbeddingCache::open(&file, "m");
        assert!(cache.warning.as_deref().unwrap().contains("could not be used"));
        cache.put_many(&[(key("a"), &[1.0])]).unwrap();
        assert_eq!(cache.len(), 1);
    }
}
