//! `link_eval orphans REALTEXT_DIR`: real text with talk that motivated nothing.
//!
//! `../shared/realtext`'s mixed lists hold every report's fix, so every report there motivated
//! a commit of the list, and a linker is never asked to leave talk alone; a user's talk is
//! mostly about no commit. This writes, beside each project's `mixed/`, an `orphans/` with the
//! same lists less the fix commits of half the reports (those whose SHA ends in an even hex
//! digit, so every run drops the same) and every commit of the same piece of work (naming an
//! issue the fix names, `commits::issue_keys`, or with its subject; or whose message holds the
//! report's title, and the commits naming that one's issues), so those reports' talk
//! motivated no commit of the list. Their rows are no commit's gold: a link to them is false.
//! `examples/quality.rs` and `tools/fit_linker.sh` judge these lists apart.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use git_screenlink::commits::issue_keys;

/// Whether the fix `sha` is one of the half left out.
fn dropped(sha: &str) -> bool {
    sha.chars().last().and_then(|c| c.to_digit(16)).is_some_and(|d| d % 2 == 0)
}

pub fn write(root: &Path) {
    for proj in super::realtext::FITTED.into_iter().chain(super::realtext::UNSEEN) {
        let d = root.join(proj);
        let Ok(list) = std::fs::read_to_string(d.join("mixed/commits.txt")) else { continue };
        let shas: Vec<&str> = list.split_whitespace().collect();
        let gold: HashMap<String, Vec<i64>> = serde_json::from_str(&std::fs::read_to_string(d.join("mixed/gold.json")).unwrap()).unwrap();
        let repo = git2::Repository::open(d.join("repo")).unwrap();
        let message = |sha: &str| {
            git2::Oid::from_str(sha).ok().and_then(|o| repo.find_commit(o).ok()).and_then(|c| c.message().ok().map(String::from)).unwrap_or_default()
        };
        let messages: HashMap<&str, String> = shas.iter().map(|s| (*s, message(s))).collect();
        // What each commit's message says, read once: its subject, its issues, and its words
        // as a title is matched against them.
        let subject: HashMap<&str, String> = shas.iter().map(|s| (*s, messages[s].lines().next().unwrap_or("").trim().to_lowercase())).collect();
        let keys: HashMap<&str, BTreeSet<String>> = shas.iter().map(|s| (*s, issue_keys(&messages[s]))).collect();
        let words = |m: &str| m.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let is_fix = |sha: &str| gold.get(sha).is_some_and(|rows| !rows.is_empty());
        let gone: Vec<&str> = shas.iter().copied().filter(|s| is_fix(s) && dropped(s)).collect();
        // A commit whose message holds a dropped report's title works on that report even where
        // the fix names no issue (realtext keeps no issue key of a report): of its piece of work.
        let titles = report_titles(&d, &gone);
        let by_title: Vec<&str> = shas
            .iter()
            .copied()
            .filter(|s| !gone.contains(s))
            .filter(|s| {
                let m = words(&messages[s]);
                titles.iter().any(|t| m.contains(t.as_str()))
            })
            .collect();
        let gone_subjects: BTreeSet<&str> = gone.iter().map(|s| subject[s].as_str()).collect();
        let keep = |of_work: &[&str]| -> Vec<&str> {
            let work_keys: BTreeSet<&String> = of_work.iter().flat_map(|s| &keys[s]).collect();
            shas.iter()
                .copied()
                .filter(|s| !of_work.contains(s) && keys[s].iter().all(|k| !work_keys.contains(k)) && !gone_subjects.contains(subject[s].as_str()))
                .collect()
        };
        let kept = keep(&gone.iter().chain(&by_title).copied().collect::<Vec<_>>());
        // How many of those commits the issue-key and subject rules had not already left out.
        let by_title_only = keep(&gone).len() - kept.len();
        let out = d.join("orphans");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("commits.txt"), kept.iter().map(|s| format!("{s}\n")).collect::<String>()).unwrap();
        let kept_gold: BTreeMap<&str, Vec<i64>> = kept.iter().map(|s| (*s, gold.get(*s).cloned().unwrap_or_default())).collect();
        std::fs::write(out.join("gold.json"), serde_json::to_string(&kept_gold).unwrap()).unwrap();
        let fixes = kept.iter().filter(|s| is_fix(s)).count();
        println!(
            "{proj}: {} of {} commits, {fixes} fixes kept, {} reports left with no commit of theirs ({by_title_only} more left out for holding a dropped report's title)",
            kept.len(),
            shas.len(),
            gone.len()
        );
    }
}

/// The titles of the reports whose fixes are `gone` (realtext's report text starts with its
/// title and a full stop, `build.py`'s `report_text`), normalised; titles under 20 characters
/// are too common to say which report a message means.
fn report_titles(d: &Path, gone: &[&str]) -> Vec<String> {
    let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("meta.json")).unwrap()).unwrap();
    let db = rusqlite::Connection::open_with_flags(d.join("screenpipe/db.sqlite"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let first_rows: BTreeSet<i64> = meta["discussions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|disc| disc["commits"].as_array().into_iter().flatten().any(|c| c.as_str().is_some_and(|c| gone.contains(&c))))
        .filter_map(|disc| disc["row_ids"][0].as_i64())
        .collect();
    first_rows
        .into_iter()
        .filter_map(|id| db.query_row("SELECT transcription FROM audio_transcriptions WHERE id = ?1", [id], |r| r.get::<_, String>(0)).ok())
        .filter_map(|text| {
            let title = text.split(". ").next()?.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            (title.len() >= 20).then_some(title)
        })
        .collect()
}
