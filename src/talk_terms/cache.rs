//! The term cache: each discussion's rows as terms, in one SQLite file beside the embedding
//! cache (`terms.sqlite` in the user's cache dir), keyed by the SHA-256 of the discussion's
//! text and row spans and of how terms are split today, so a change to the splitting rules
//! or to the talk misses rather than reads stale terms.
//!
//! Like the embedding cache, it never fails a run: a file that cannot be opened or written
//! only means the rows are split again next time.

use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use super::Local;
use crate::blob_cache::BlobCache;
pub use crate::blob_cache::Key;
use crate::source::discussion::Discussion;

pub const FILE_NAME: &str = "terms.sqlite";

/// Bump when the stored layout changes, or when a rule changes what the probe below cannot show
/// (v2: fillers leave the talk's terms, and the probe gained them, so its terms stayed the same).
const LAYOUT: &str = "terms-v2";

/// What the splitting rules make of a probe that exercises each of them (case changes,
/// separators, plurals, stop words, non-ASCII, a script without spaces), so a changed rule
/// changes every key.
fn rules() -> &'static [u8; 32] {
    static RULES: OnceLock<[u8; 32]> = OnceLock::new();
    RULES.get_or_init(|| {
        let probe = "The HTTPClient's retry_budget caches ÀA does classes x1 idempotency-keys um yeah sort of basically 修复SessionPool的缓存";
        let mut h = Sha256::new();
        h.update(LAYOUT.as_bytes());
        for t in crate::score::keywords::talk_terms(probe) {
            h.update(t.as_bytes());
            h.update([0]);
        }
        h.finalize().into()
    })
}

/// The cache key of a discussion: its text, its rows' spans, and the splitting rules.
pub fn key(d: &Discussion) -> Key {
    let mut h = Sha256::new();
    h.update(rules());
    h.update(d.text.as_bytes());
    for r in &d.rows {
        h.update((r.span.0 as u64).to_le_bytes());
        h.update((r.span.1 as u64).to_le_bytes());
    }
    h.finalize().into()
}

pub struct TermCache(BlobCache);

impl TermCache {
    /// Open (or create) the cache in `dir`; a cache that cannot be used holds nothing.
    pub fn open(dir: &Path) -> TermCache {
        TermCache(BlobCache::open(dir, FILE_NAME, "terms_v1"))
    }

    /// The discussions of `keys` (by position) that the cache holds.
    pub fn get_many(&self, keys: &[Key]) -> HashMap<usize, Local> {
        self.0.get_many(keys).into_iter().filter_map(|(i, blob)| Some((i, decode(&blob)?))).collect()
    }

    /// Store split discussions; a failed write is only a later re-split.
    pub fn put_many<'a>(&mut self, items: impl Iterator<Item = (&'a Key, &'a Local)>) {
        self.0.put_many(items.map(|(k, local)| (*k, encode(local))));
    }
}

/// `[words joined by \n][rows: len, words, n, n ids]`, little-endian u32s, after the byte
/// length of the words. Terms are letters and digits, never a newline.
fn encode(local: &Local) -> Vec<u8> {
    let joined = local.words.join("\n");
    let mut out = Vec::with_capacity(8 + joined.len() + local.rows.len() * 16);
    let put = |v: u32, out: &mut Vec<u8>| out.extend_from_slice(&v.to_le_bytes());
    put(joined.len() as u32, &mut out);
    put(local.words.len() as u32, &mut out);
    out.extend_from_slice(joined.as_bytes());
    put(local.rows.len() as u32, &mut out);
    for (ids, len, words) in &local.rows {
        put(*len, &mut out);
        put(*words, &mut out);
        put(ids.len() as u32, &mut out);
        for id in ids {
            put(*id, &mut out);
        }
    }
    out
}

/// The inverse of [`encode`]; `None` for a blob it did not write (then the rows are split).
fn decode(blob: &[u8]) -> Option<Local> {
    let mut r = Reader { blob, at: 0 };
    let bytes = r.u32()? as usize;
    let n_words = r.u32()? as usize;
    let text = std::str::from_utf8(r.take(bytes)?).ok()?;
    let words: Vec<String> = if n_words == 0 { Vec::new() } else { text.split('\n').map(str::to_string).collect() };
    if words.len() != n_words {
        return None;
    }
    let n_rows = r.u32()? as usize;
    let mut rows = Vec::with_capacity(n_rows.min(blob.len() / 12));
    for _ in 0..n_rows {
        let (len, w, n) = (r.u32()?, r.u32()?, r.u32()? as usize);
        let ids: Vec<u32> = (0..n).map(|_| r.u32()).collect::<Option<_>>()?;
        if ids.iter().any(|&id| id as usize >= n_words) {
            return None;
        }
        rows.push((ids, len, w));
    }
    Some(Local { words, rows })
}

/// Reads a blob front to back; `None` past its end.
struct Reader<'b> {
    blob: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let out = self.blob.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(out)
    }

    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discussion_survives_the_round_trip_and_garbage_is_refused() {
        let local =
            Local { words: vec!["export".into(), "timeout".into(), "ünïcode".into()], rows: vec![(vec![0, 2], 3, 5), (vec![], 0, 2), (vec![1], 1, 1)] };
        assert_eq!(decode(&encode(&local)), Some(local));
        let empty = Local { words: vec![], rows: vec![(vec![], 0, 1)] };
        assert_eq!(decode(&encode(&empty)), Some(empty));
        let blob = encode(&Local { words: vec!["a1".into()], rows: vec![(vec![0], 1, 1)] });
        assert_eq!(decode(&blob[..blob.len() - 2]), None);
        let mut bad_id = blob.clone();
        let last = bad_id.len() - 4;
        bad_id[last..].copy_from_slice(&7u32.to_le_bytes());
        assert_eq!(decode(&bad_id), None);
    }

    #[test]
    fn an_unusable_cache_holds_nothing_and_fails_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, "not a dir").unwrap();
        let mut cache = TermCache::open(&blocked);
        let local = Local { words: vec!["x1".into()], rows: vec![(vec![0], 1, 1)] };
        cache.put_many([(&[0u8; 32], &local)].into_iter());
        assert!(cache.get_many(&[[0u8; 32]]).is_empty());
    }
}
