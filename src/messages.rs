//! User-facing wording that more than one place prints, kept together so it stays consistent.

/// How to get ONNX Runtime and the model when either is missing or broken.
pub const INSTALL_ASSETS_HINT: &str = "run `./install.sh --assets-only` in a git-screenlink checkout (it fetches ONNX Runtime and the model from PyPI), \
     or point ORT_DYLIB_PATH / SCREENLINK_MODEL_DIR at existing copies";

pub const NOT_A_REPO: &str = "not in a git repository";

/// When nothing links (the seed guide's "No training pairs created"), with our key's name.
pub const NO_PAIRS: &str = "git-screenlink: no training pairs created\n  hint: try a lower screenlink.minConfidence \
    (e.g. --min-confidence 0.4); `--dry-run --json` shows the best confidence each commit reached";

/// Said after every hook problem: the commit itself is never affected.
pub const HOOK_SAFE: &str = "your commit is fine; it is queued for `git screenlink review`";

/// When a concurrent commit took the talk just accepted.
pub const TALK_TAKEN: &str = "  that talk was just linked to another commit (made at the same time); not used twice";

/// A commit id as lines print it: its first 10 characters.
pub fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

/// One line when the hook queues a commit instead of asking.
pub fn queued(sha: &str, why: &str) -> String {
    format!("git-screenlink: {} queued ({why}); `git screenlink review` will ask about it", short(sha))
}

/// One line when nothing reaches minConfidence.
pub fn nothing_linked(sha: &str, best: Option<f64>, min: f64) -> String {
    match best {
        // Cut, not rounded, so the best never reads as reaching the threshold it missed.
        Some(b) => format!("git-screenlink: no discussion linked to {} (best {:.3} < minConfidence {min})", short(sha), (b * 1000.0).floor() / 1000.0),
        None => format!("git-screenlink: no discussion found for {}", short(sha)),
    }
}

/// Status's note on the commits nothing could be linked to when they were made: backfill
/// looks at them again beside the commits made after them, which on real text links about
/// as many again as the hook did (README, "Link quality"). Empty when there are none.
pub fn left_for_backfill(n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    format!(", {} nothing was linked to when made (`git screenlink backfill` looks at them again, beside the commits after them)", count(n, "commit"))
}

/// `87432` → `87,432`, as the guide prints counts.
/// `1 pair`, `2 pairs`, `1,000 pairs`: a count with its noun in the right number.
pub fn count(n: usize, noun: &str) -> String {
    let noun = if n == 1 { noun.to_string() } else { format!("{noun}s") };
    format!("{} {noun}", thousands(n))
}

pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// After a run that took the caches past `screenlink.cacheMaxMb`.
pub fn cache_pruned(p: &crate::cache_limit::Pruned, max_mb: u32) -> String {
    let mb = |b: u64| b as f64 / 1_048_576.0;
    format!(
        "git-screenlink: the caches passed screenlink.cacheMaxMb ({max_mb} MB): their oldest {} entries went, {:.0} MB -> {:.0} MB (an entry that went is computed again when needed)",
        thousands(p.rows as usize),
        mb(p.before),
        mb(p.after)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separators() {
        assert_eq!(super::thousands(87432), "87,432");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn a_missed_threshold_never_reads_as_reached() {
        let line = super::nothing_linked("0123456789abcdef", Some(0.9996), 0.9999);
        assert!(line.ends_with("(best 0.999 < minConfidence 0.9999)"), "{line}");
        let line = super::nothing_linked("0123456789abcdef", Some(0.5), 0.6);
        assert!(line.ends_with("(best 0.500 < minConfidence 0.6)"), "{line}");
    }
}
