//! What the repository's own attributes say a file is: GitHub's `linguist-generated` and
//! `linguist-vendored` (in `.gitattributes`, `info/attributes` or the user's attributes file)
//! mark code nobody on the team wrote, which a pair should not teach (the issue's item 5).
//! They are read as the repository states them now (the work tree, then the index), so the
//! commit cache's key carries a digest of every place they come from.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// Whether `path` is marked generated or vendored; asked once per path.
pub(super) struct Marked<'r> {
    repo: &'r git2::Repository,
    seen: HashMap<String, bool>,
}

impl<'r> Marked<'r> {
    pub fn new(repo: &'r git2::Repository) -> Marked<'r> {
        Marked { repo, seen: HashMap::new() }
    }

    pub fn generated_or_vendored(&mut self, path: &str) -> bool {
        if let Some(v) = self.seen.get(path) {
            return *v;
        }
        let set = |name: &str| {
            let v = self.repo.get_attr(std::path::Path::new(path), name, git2::AttrCheckFlags::FILE_THEN_INDEX).ok().flatten();
            matches!(git2::AttrValue::from_string(v), git2::AttrValue::True) || v.is_some_and(|s| s.eq_ignore_ascii_case("true"))
        };
        let marked = set("linguist-generated") || set("linguist-vendored");
        self.seen.insert(path.to_string(), marked);
        marked
    }
}

/// What the repository's attributes are, once per run.
pub struct Attributes {
    /// A digest of everything they are read from (the commit cache's key holds it).
    pub digest: [u8; 32],
    /// Whether any of it says `linguist-` (if not, no file need be asked).
    pub linguist: bool,
}

/// Every `.gitattributes` in the index (its path and blob) and in the work tree (its bytes),
/// `info/attributes`, and the user's attributes file (`core.attributesFile`, or git's
/// default place for it).
pub fn read(repo: &git2::Repository) -> Attributes {
    let mut h = Sha256::new();
    let mut linguist = false;
    let mut saw = |bytes: &[u8]| linguist |= bytes.windows(9).any(|w| w == b"linguist-");
    let mut top_read = false;
    if let Ok(index) = repo.index() {
        for e in index.iter() {
            let path = String::from_utf8_lossy(&e.path);
            if path == ".gitattributes" || path.ends_with("/.gitattributes") {
                h.update(b"i");
                h.update(path.as_bytes());
                h.update(e.id.as_bytes());
                if let Ok(blob) = repo.find_blob(e.id) {
                    saw(blob.content());
                }
                if let Some(bytes) = repo.workdir().and_then(|w| std::fs::read(w.join(path.as_ref())).ok()) {
                    h.update(b"w");
                    h.update(&bytes);
                    saw(&bytes);
                }
                top_read |= path == ".gitattributes";
            }
        }
    }
    // The work tree's top `.gitattributes` when it is not tracked yet (a nested one not yet
    // tracked is not seen until it is added).
    if let Some(bytes) = repo.workdir().filter(|_| !top_read).and_then(|w| std::fs::read(w.join(".gitattributes")).ok()) {
        h.update(b"r");
        h.update(&bytes);
        saw(&bytes);
    }
    if let Ok(bytes) = std::fs::read(repo.path().join("info").join("attributes")) {
        h.update(b"a");
        h.update(&bytes);
        saw(&bytes);
    }
    let user_file = repo.config().ok().and_then(|c| c.get_path("core.attributesFile").ok()).or_else(|| {
        std::env::var_os("XDG_CONFIG_HOME")
            .map(std::path::PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|home| std::path::PathBuf::from(home).join(".config")))
            .map(|dir| dir.join("git").join("attributes"))
    });
    if let Some(bytes) = user_file.and_then(|p| std::fs::read(p).ok()) {
        h.update(b"u");
        h.update(&bytes);
        saw(&bytes);
    }
    Attributes { digest: h.finalize().into(), linguist }
}
