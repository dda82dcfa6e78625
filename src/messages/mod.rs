//! User-facing wording that more than one place prints, kept together so it stays consistent.
//! What the steps after training say (serve, fuse, eval, the base model) is in `models.rs`.

mod models;
pub use models::*;

/// How to get ONNX Runtime and the model when either is missing or broken.
pub const INSTALL_ASSETS_HINT: &str = "run `./install.sh --assets-only` in a git-screenlink checkout (it fetches ONNX Runtime and the model from PyPI), \
     or point ORT_DYLIB_PATH / SCREENLINK_MODEL_DIR at existing copies";

pub const NOT_A_REPO: &str = "not in a git repository";

/// What each feature (`score::features::NAMES`, in order) says of a link when it is what made
/// the link sure (`score::why`), for the prompt's `why:` line.
pub const WHY: [&str; crate::score::features::N] = [
    "close in meaning to the change",
    "close in meaning to the commit message",
    "says the commit's words",
    "says the commit's rarer words",
    "closer in meaning than the commit's other talk",
    "says more of the commit's words than its other talk",
    "closer in meaning than most talk before the commit",
    "said shortly before the commit",
    "names code the commit touches",
    "the commit's author speaks in it",
    "sounds like the talk behind commits like this one",
    "closer in meaning than this period's talk usually is",
    "well ahead of the commit's other talk",
    "of the commits after this talk, it fits this one best, by far",
    "of the commits after this talk, it fits this one best",
    "closer in meaning to this commit than to the others after it",
    "the kind of talk that motivates commits here",
];

/// The prompt's and `show`'s "why:" line from the features named (`score::why::reasons`),
/// read by name so a pair written by another version says what it can; None for none.
pub fn why<S: AsRef<str>>(features: &[S]) -> Option<String> {
    let said: Vec<&str> = features.iter().filter_map(|name| crate::score::features::NAMES.iter().position(|n| *n == name.as_ref())).map(|i| WHY[i]).collect();
    (!said.is_empty()).then(|| said.join("; "))
}

/// Backfill's ", N already decided" in its commits line; the rejected or skipped among them
/// are said with the flag that asks about them again.
pub fn already_decided(decided: usize, answered: usize) -> String {
    match (decided, answered) {
        (0, _) => String::new(),
        (n, 0) => format!(", {n} already decided"),
        (n, a) => format!(", {n} already decided ({a} you rejected or skipped: `--again` asks about them again)"),
    }
}

/// When nothing links (the seed guide's "No training pairs created"), with our key's name.
pub const NO_PAIRS: &str = "git-screenlink: no training pairs created\n  hint: try a lower screenlink.minConfidence \
    (e.g. --min-confidence 0.4); `--dry-run --json` shows the best confidence each commit reached";

/// Commits whose objects are damaged: how to find them.
pub const UNREADABLE_OBJECTS_HINT: &str =
    "`git fsck` names the damaged objects; a fresh clone, or `git fetch` of them from another copy, repairs them; then run backfill again";

/// A commit whose objects could not be read when its pair was built.
pub fn unreadable_commit(sha: &str) -> String {
    format!("git-screenlink: warning: {}'s objects could not be read (a damaged repository): skipped; {UNREADABLE_OBJECTS_HINT}", short(sha))
}

/// When backfill has no commit to link (the range holds none, or every one was skipped),
/// the guide's "no training pairs" says so, with the fix for the commonest reason, instead of
/// suggesting a lower threshold.
pub fn nothing_to_link(examined: usize, skipped: &std::collections::BTreeMap<crate::commits::SkipReason, usize>) -> String {
    use crate::commits::SkipReason as R;
    let Some((reason, _)) = skipped.iter().max_by_key(|(r, n)| (**n, std::cmp::Reverse(**r))) else {
        return "git-screenlink: no training pairs created: no commit in the range\n  hint: give a range that holds commits (`git log A..B` lists them), or leave it out for the newest".into();
    };
    let hint = match reason {
        R::MissingObjects => "`git log -p >/dev/null` makes git fetch what this partial clone lacks; then run backfill again",
        R::Shallow => "`git fetch --deepen=100` (or `--unshallow`) brings more history; then run backfill again",
        R::UnreadableObjects => UNREADABLE_OBJECTS_HINT,
        R::TooFewCodeLines => "a commit needs screenlink.minCodeLines added code lines: `--min-code-lines 1` takes smaller ones, or give a wider range (`--since`, `--max-commits`)",
        _ => "give a range whose commits add code a person wrote (`git screenlink backfill A..B`); the counts above say why each was skipped",
    };
    format!("git-screenlink: no training pairs created: none of the {} examined has code to link\n  hint: {hint}", count(examined, "commit"))
}

/// When backfill read no talk at all for its commits, the guide's "no training pairs" says
/// why instead of suggesting a lower threshold: the source holds no audio, or none in the
/// `window_days` before any of the commits (`commits`: how many, oldest and newest), with
/// the commits the talk it holds could link when it says when that talk is (`talk`).
pub fn no_talk(
    commits: (usize, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    window_days: u32,
    talk: Option<&crate::source::Summary>,
    location: &str,
) -> String {
    let day = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d").to_string();
    let (n, first, last) = commits;
    let made = if day(first) == day(last) { format!("made {}", day(first)) } else { format!("made {} to {}", day(first), day(last)) };
    let before = if n == 1 { "this commit".to_string() } else { format!("any of these {}", count(n, "commit")) };
    let none = "git-screenlink: no training pairs created: screenpipe has no audio transcriptions";
    let head = format!("{none} in the {window_days} days before {before} ({made})");
    match talk {
        Some(crate::source::Summary { rows: 0, .. }) => {
            format!("{none} to read ({location})\n  hint: check that screenpipe records audio (its audio capture on), then run backfill again")
        }
        Some(crate::source::Summary { rows, oldest: Some(oldest), newest: Some(newest) }) => {
            let until = *newest + chrono::Duration::days(i64::from(window_days) + 1);
            format!(
                "{head}; its {} span {} to {} ({location})\n  hint: link the commits made while screenpipe recorded: \
                 `git screenlink backfill --since {} --until {}`, or widen screenlink.timeWindowDays",
                count(*rows as usize, "row"),
                day(*oldest),
                day(*newest),
                day(*oldest),
                day(until),
            )
        }
        // The source cannot say when its talk is (the API).
        _ => format!(
            "{head} ({location})\n  hint: link the commits made while screenpipe recorded (`git screenlink backfill --since DATE --until DATE`), \
             or widen screenlink.timeWindowDays"
        ),
    }
}

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

/// The hook's line for a commit with no talk at all in its window: when screenpipe last
/// recorded audio (`newest`; `None`: it holds none), since a screenpipe that stopped
/// recording is the usual reason, and every commit would say only "no discussion found".
pub fn no_talk_for_commit(sha: &str, window_days: u32, newest: Option<chrono::DateTime<chrono::Utc>>, now: chrono::DateTime<chrono::Utc>) -> String {
    let last = match newest {
        Some(t) => format!("its newest audio is from {} ({})", t.format("%Y-%m-%d %H:%M UTC"), crate::source::time::ago(t, now)),
        None => "it holds no audio transcriptions".to_string(),
    };
    format!(
        "git-screenlink: no discussion found for {}: screenpipe has no audio in the {window_days} days before it; {last}: is screenpipe recording audio?",
        short(sha)
    )
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

/// `status`'s count of the commits whose link a person rejected or skipped.
pub fn answered(n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    format!(", {} whose link you rejected or skipped (`git screenlink backfill --again` asks again)", count(n, "commit"))
}

/// Export's and train's note of the pairs left out as copies of an older pair's text.
pub fn repeated(n: usize) -> String {
    if n == 0 {
        return String::new();
    }
    format!("; {} the same as an older pair (a change committed twice) left out", count(n, "pair"))
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

/// Train's and export's line for a dataset `--also` took pairs from.
pub fn taken_also(pairs: usize, path: &str) -> String {
    format!("  with {} from {path}", count(pairs, "pair"))
}

/// `install` into a hooks dir that `core.hooksPath` in a shared config names.
pub fn shared_hooks(config_file: &str, dir: &std::path::Path) -> String {
    format!(
        "git-screenlink: note: core.hooksPath is set in {config_file}, not for this repository alone: every repository that uses {} runs this hook and links its commits to your talk (`git screenlink uninstall` removes it for all of them; `git config core.hooksPath .git/hooks` in a repository gives it hooks of its own)",
        dir.display()
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
    fn no_talk_says_when_the_talk_is_and_which_commits_it_can_link() {
        use chrono::TimeZone;
        let at = |y, m, d| chrono::Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
        let talk = crate::source::Summary { rows: 40_123, oldest: Some(at(2019, 1, 2)), newest: Some(at(2020, 5, 2)) };
        let line = super::no_talk((168, at(2024, 3, 1), at(2024, 5, 2)), 7, Some(&talk), "db.sqlite");
        assert!(line.contains("in the 7 days before any of these 168 commits (made 2024-03-01 to 2024-05-02)"), "{line}");
        assert!(line.contains("its 40,123 rows span 2019-01-02 to 2020-05-02 (db.sqlite)"), "{line}");
        assert!(line.contains("`git screenlink backfill --since 2019-01-02 --until 2020-05-10`"), "{line}");
        assert!(!line.contains("minConfidence"), "no threshold can link talk that is not there: {line}");
        let empty = crate::source::Summary { rows: 0, oldest: None, newest: None };
        let line = super::no_talk((1, at(2024, 3, 1), at(2024, 3, 1)), 7, Some(&empty), "db.sqlite");
        assert!(line.contains("no audio transcriptions to read (db.sqlite)") && line.contains("records audio"), "{line}");
        // The API says how many rows it has lately, not since when: no made-up dates.
        let lately = crate::source::Summary { rows: 12, oldest: None, newest: Some(at(2024, 2, 1)) };
        for talk in [Some(&lately), None] {
            let line = super::no_talk((1, at(2024, 3, 1), at(2024, 3, 1)), 7, talk, "http://localhost:3030");
            assert!(line.contains("in the 7 days before this commit (made 2024-03-01) (http://localhost:3030)"), "{line}");
            assert!(line.contains("--since DATE --until DATE") && !line.contains("minConfidence"), "{line}");
        }
    }

    #[test]
    fn no_talk_for_a_commit_says_when_screenpipe_last_recorded() {
        use chrono::TimeZone;
        let now = chrono::Utc.with_ymd_and_hms(2026, 3, 20, 12, 0, 0).unwrap();
        let then = chrono::Utc.with_ymd_and_hms(2026, 3, 1, 9, 30, 0).unwrap();
        let line = super::no_talk_for_commit("0123456789abcdef", 7, Some(then), now);
        assert!(line.starts_with("git-screenlink: no discussion found for 0123456789: screenpipe has no audio in the 7 days before it"), "{line}");
        assert!(line.contains("its newest audio is from 2026-03-01 09:30 UTC (19 days ago)"), "{line}");
        let line = super::no_talk_for_commit("0123456789abcdef", 7, None, now);
        assert!(line.contains("it holds no audio transcriptions: is screenpipe recording audio?"), "{line}");
    }

    #[test]
    fn why_reads_features_by_name_and_skips_names_it_does_not_know() {
        assert_eq!(
            super::why(&["passage_rank_margin", "a_later_versions_feature", "identifiers_said"]).as_deref(),
            Some("of the commits after this talk, it fits this one best, by far; names code the commit touches")
        );
        assert_eq!(super::why(&["a_later_versions_feature"]), None);
        assert_eq!(super::why::<&str>(&[]), None);
    }

    #[test]
    fn a_missed_threshold_never_reads_as_reached() {
        let line = super::nothing_linked("0123456789abcdef", Some(0.9996), 0.9999);
        assert!(line.ends_with("(best 0.999 < minConfidence 0.9999)"), "{line}");
        let line = super::nothing_linked("0123456789abcdef", Some(0.5), 0.6);
        assert!(line.ends_with("(best 0.500 < minConfidence 0.6)"), "{line}");
    }
}
