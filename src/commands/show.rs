//! `git screenlink show [COMMIT]` and `git screenlink log [RANGE]`: the talk behind commits,
//! read from the dataset, as git shows commits.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};

use crate::cli::{LogArgs, ShowArgs};
use crate::commits::{history, Replacements, Start};
use crate::config::Settings;
use crate::dataset::{Pair, Store};
use crate::error::{Error, Kind, Result};
use crate::messages;
use crate::pipeline;
use crate::source::time;

fn pairs_by_sha(store: &Store) -> Result<HashMap<String, Pair>> {
    Ok(store.pairs()?.records.into_iter().map(|p| (p.metadata.commit_sha.clone(), p)).collect())
}

fn talk_of(pair: &Pair) -> &str {
    pair.talk()
}

fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

fn dim(s: &str) -> String {
    if color() {
        console::style(s).dim().to_string()
    } else {
        s.to_string()
    }
}

pub fn show(args: &ShowArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &args.knobs.overrides())?;
    let repo = pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    let commit = super::resolve(&repo, &args.commit)?;
    let sha = commit.id().to_string();
    let Some(pair) = pairs_by_sha(&store)?.remove(&sha) else {
        let short = messages::short(&sha);
        // A link a person rejected or skipped is asked about again only with --again.
        let answered = answered(&store, &sha)?;
        let again = if answered.is_some() { " --again" } else { "" };
        // A root commit has no `~1` to start a range from.
        let root = Replacements::read(&repo).commit(&repo, commit.id())?.parent_count() == 0;
        let link =
            if root { format!("echo {short} | git screenlink backfill --stdin{again}") } else { format!("git screenlink backfill{again} {short}~1..{short}") };
        match answered {
            Some(said) => eprintln!("git-screenlink: {short} has no linked talk: {said} (`{link}` asks again)"),
            None => eprintln!("git-screenlink: {short} has no linked talk (link it with `{link}`)"),
        }
        return Ok(1);
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&pair).unwrap_or_default());
        return Ok(0);
    }
    let m = &pair.metadata;
    let who = if m.speakers.is_empty() { String::new() } else { format!(" by {}", m.speakers.join(", ")) };
    println!("{} {}", dim(messages::short(&sha)), pair.instruction);
    let before = match (time::parse(&m.audio_timestamp), time::parse(&m.commit_timestamp)) {
        (Some(said), Some(made)) if said <= made => format!(" ({} before the commit)", time::span(made - said)),
        _ => String::new(),
    };
    println!("said {}{who}{before}:", m.audio_timestamp);
    for line in textwrap_lines(talk_of(&pair), 96) {
        println!("  {line}");
    }
    println!(
        "{}",
        dim(&format!(
            "confidence {:.3} (keyword {:.3}, semantic {:.3}), {} by {} at {}; rows {}",
            m.confidence,
            m.keyword_score,
            m.semantic_score,
            serde_json::to_value(m.decision).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            serde_json::to_value(m.decided_by).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
            m.decided_at,
            m.audio_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ))
    );
    if let Some(why) = messages::why(&m.why) {
        println!("{} {why}", dim("why:"));
    }
    Ok(0)
}

/// "you rejected its link on 2026-12-01" when a person's reject or skip is the commit's
/// latest decision.
fn answered(store: &Store, sha: &str) -> Result<Option<String>> {
    Ok(store.snapshot()?.answered.remove(sha).map(|r| {
        let what = if r.decision == crate::dataset::Decision::Rejected { "rejected" } else { "skipped" };
        format!("you {what} its link on {}", r.decided_at.get(..10).unwrap_or(&r.decided_at))
    }))
}

fn textwrap_lines(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.chars().count() + word.chars().count() + 1 > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

pub fn log(args: &LogArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &args.knobs.overrides())?;
    let repo = pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    let pairs = pairs_by_sha(&store)?;
    let replaced = Replacements::read(&repo);
    let start = match args.range.as_deref() {
        Some(r) if r.contains("..") => Start::Range(r),
        Some(r) => Start::Commit(super::resolve(&repo, r)?.id()),
        None => Start::Head,
    };
    let walk = history(&repo, start, &replaced)?.ok_or_else(|| match start {
        Start::Range(r) => Error::new(Kind::Usage, format!("{r:?} is not a range here")).hint("give A..B"),
        _ => Error::new(Kind::Git, "this repository has no commits yet").hint("make a commit first"),
    })?;
    let mut out = String::new();
    let mut shown = 0;
    for oid in walk {
        if shown >= args.max_count {
            break;
        }
        let oid = oid?;
        let sha = oid.to_string();
        let pair = pairs.get(&sha);
        if args.linked && pair.is_none() {
            continue;
        }
        shown += 1;
        // As git log shows it: a replaced commit's message is its replacement's.
        let commit = replaced.commit(&repo, oid)?;
        let subject = crate::commits::message_text(&commit).lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").to_string();
        if args.json {
            let v = serde_json::json!({
                "commit": sha,
                "subject": subject,
                "talk": pair.map(talk_of),
                "confidence": pair.map(|p| p.metadata.confidence),
            });
            out.push_str(&format!("{v}\n"));
            continue;
        }
        match pair {
            Some(p) => {
                let words: Vec<&str> = talk_of(p).split_whitespace().take(12).collect();
                out.push_str(&format!(
                    "{} {subject} {}\n",
                    dim(messages::short(&sha)),
                    dim(&format!("← \"{}…\" ({:.2})", words.join(" "), p.metadata.confidence))
                ));
            }
            None => out.push_str(&format!("{} {subject}\n", dim(messages::short(&sha)))),
        }
    }
    page(&out);
    Ok(0)
}

/// Through git's pager (`GIT_PAGER`, `core.pager`, `PAGER`) on a terminal, as git does;
/// straight out otherwise.
fn page(text: &str) {
    let pager = std::io::stdout()
        .is_terminal()
        .then(|| std::process::Command::new("git").args(["var", "GIT_PAGER"]).output().ok())
        .flatten()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .filter(|p| !p.is_empty() && p != "cat");
    if let Some(pager) = pager {
        let child = std::process::Command::new("sh")
            .args(["-c", &pager])
            .env("LESS", std::env::var("LESS").unwrap_or_else(|_| "FRX".into()))
            .stdin(std::process::Stdio::piped())
            .spawn();
        if let Ok(mut child) = child {
            if let Some(mut stdin) = child.stdin.take() {
                let _ = stdin.write_all(text.as_bytes());
            }
            let _ = child.wait();
            return;
        }
    }
    print!("{text}");
}
