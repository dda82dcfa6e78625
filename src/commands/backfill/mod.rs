//! `git screenlink backfill`: link past commits to the talk that motivated them.

use std::io::Read;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::BackfillArgs;
use crate::commits::{self, RevisionSet, SkipReason};
use crate::config::{Override, Settings};
use crate::dataset::{pair, DecidedBy, Pair, Store};
use crate::error::{Error, Kind, Result};
use crate::messages;
use crate::pipeline::{self, Profile};
use crate::review;
use crate::source::time;
use crate::workspace::Workspace;

mod decide;
mod report;
use decide::{Decide, Offer, Ready};
use report::skipped_text;
pub use report::{report, Summary};

pub fn run(args: &BackfillArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let stdin_shas = if args.stdin { Some(read_stdin_shas()?) } else { None };
    let (summary, pairs) = run_in(&dir, args, &[], stdin_shas)?;
    report(args, &summary, &pairs)
}

/// Everything but printing the result: the seam `demo` and tests use.
pub fn run_in(dir: &Path, args: &BackfillArgs, extra: &[Override], stdin_shas: Option<Vec<String>>) -> Result<(Summary, Vec<Pair>)> {
    let mut profile = Profile::default();
    let mut overrides = args.knobs.overrides();
    overrides.extend_from_slice(extra);
    let settings = Settings::load(dir, &overrides)?;
    let repo = pipeline::open_repo(dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    // A run of few commits scores at the level this repository's talk has had.
    let (params, mut history) = pipeline::scoring_params(&settings, &store.dir, true);
    let term = if args.yes || args.dry_run {
        None
    } else {
        let hint = if args.again {
            "--again asks you about the links you answered: run it on a terminal, or add --dry-run to only see them"
        } else {
            "pass --yes to accept every pair at or above minConfidence, or --dry-run to only see them"
        };
        Some(review::require_terminal("backfill", hint)?)
    };
    // Talk that cannot be read fails the run before the commits are examined, which on a long
    // history (or a cold cache) takes seconds to minutes; a history with no commit says that
    // instead (looked at only then: in a reftable repository HEAD is read by running git).
    let source = crate::source::open(&settings).or_else(|err| {
        if args.range.is_none() && stdin_shas.is_none() {
            super::require_head(&repo)?;
        }
        Err(err)
    })?;
    let human = !args.json;
    let say = |line: String| {
        if human {
            println!("{line}");
        }
    };

    let set = RevisionSet {
        range: args.range.clone(),
        since: args.since.as_deref().map(|s| parse_date(s, "--since")).transpose()?,
        until: args.until.as_deref().map(|s| parse_date(s, "--until")).transpose()?,
        shas: stdin_shas,
        max: settings.max_commits.value as usize,
    };
    let selection =
        profile.time("commit extraction", || commits::select_cached(&repo, &set, commits::Filters::from_settings(&settings), &crate::fsutil::cache_dir()))?;
    let crate::dataset::Snapshot { decided, unlinked, answered, claimed, bad_lines, .. } = store.snapshot()?;
    pipeline::warn_bad_lines(&store.dataset_path(), &bad_lines);
    let mut summary = Summary {
        commits_examined: selection.commits.len() + selection.skipped.values().sum::<usize>(),
        commits_skipped: selection.skipped.clone(),
        commits_diffed: selection.examined,
        files_over_budget: selection.commits.iter().map(|c| c.files_over_budget).sum(),
        credential_files: selection.commits.iter().map(|c| c.credential_files).sum(),
        dry_run: args.dry_run,
        dataset: store.dataset_path().display().to_string(),
        ..Summary::default()
    };
    // What the hook could not link when a commit was made is looked at again: backfill sees
    // the commits after it, the hook did not. A person's reject or skip, when they ask.
    let (todo, done): (Vec<_>, Vec<_>) = selection
        .commits
        .into_iter()
        .partition(|c| !decided.contains_key(&c.sha) || unlinked.contains(&c.sha) || (args.again && answered.contains_key(&c.sha)));
    summary.already_decided = done.len();
    summary.answered = done.iter().filter(|c| answered.contains_key(&c.sha)).count();
    say(format!(
        "[Stage 1] Commits: {} examined, {} to link{}{}",
        summary.commits_examined,
        todo.len(),
        skipped_text(&summary.commits_skipped),
        messages::already_decided(done.len(), summary.answered)
    ));
    if let Some(n) = summary.commits_skipped.get(&SkipReason::MissingObjects) {
        say(format!(
            "  {} {} objects this repository has not fetched (a partial clone): `git log -p >/dev/null` makes git fetch them; then run backfill again",
            messages::count(*n, "commit"),
            if *n == 1 { "lacks" } else { "lack" }
        ));
    }
    if let Some(n) = summary.commits_skipped.get(&SkipReason::Shallow) {
        let (is, its, it) = if *n == 1 { ("is", "its", "it") } else { ("are", "their", "they") };
        say(format!(
            "  {} {is} the edge of a shallow clone: {its} parents are not here, so what {it} changed is not known; `git fetch --deepen=100` (or `--unshallow`) brings more history, then run backfill again",
            messages::count(*n, "commit"),
        ));
    }
    if let Some(n) = summary.commits_skipped.get(&SkipReason::UnreadableObjects) {
        say(format!("  {} with objects that could not be read (a damaged repository): {}", messages::count(*n, "commit"), messages::UNREADABLE_OBJECTS_HINT));
    }
    if summary.credential_files > 0 {
        say(format!("  {} that hold credentials (.env, .npmrc, keys…) left out of their pairs", messages::count(summary.credential_files, "file")));
    }
    if summary.files_over_budget > 0 {
        say(format!("  {} over screenlink.maxOutputBytes left out of their pairs", messages::count(summary.files_over_budget, "file")));
    }
    if todo.is_empty() {
        summary.why_nothing = Some(messages::nothing_to_link(summary.commits_examined, &summary.commits_skipped));
        summary.profile = profile;
        return Ok((summary, Vec::new()));
    }

    crate::debug(format_args!("{} commits to link", todo.len()));
    // Blocks of talk follow the commits in time; the user is asked oldest first.
    let mut todo = todo;
    todo.sort_by_key(|c| c.committer_time);
    let t = Instant::now();
    let mut semantic = pipeline::load_semantic(&settings, false)?;
    profile.add("model load", t.elapsed());
    let model = semantic.model_id();
    let ws = profile.time("workspace", || repo.workdir().map(Workspace::load).unwrap_or_default());
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("  {spinner} texts embedded or from the cache: {pos}/{len} {wide_bar} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let now = Utc::now();
    let decided_by = if term.is_some() { DecidedBy::User } else { DecidedBy::Auto };
    let filters = commits::Filters::from_settings(&settings);
    let ask_floor = settings.ask_floor();
    // Each block's links become pairs (and the question to ask) while its talk is held.
    let mut ready: Vec<Ready> = Vec::new();
    let mut building = std::time::Duration::ZERO;
    let mut claimed = claimed;
    let totals = pipeline::blocks::link_in_blocks(
        &settings,
        source.as_ref(),
        &todo,
        &done,
        &params,
        &ws,
        &mut claimed,
        &mut semantic,
        &mut profile,
        &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        },
        settings.talk_block_rows.value as u64,
        &mut |block| {
            if !args.dry_run {
                pipeline::remember_talk_level(
                    &store.dir,
                    &mut history,
                    block.centre,
                    pipeline::judged(&params),
                    block.links.iter().map(|l| (&block.commits[l.commit], l)),
                );
            }
            let t = Instant::now();
            // The block's links are in its commits' order, oldest first.
            for l in &block.links {
                let commit = &block.commits[l.commit];
                let Some(best) = l.best() else {
                    summary.no_candidates += 1;
                    continue;
                };
                // Below the threshold a person at the prompt is still asked, unsure, down to
                // screenlink.askConfidence; nothing below it is accepted without them.
                let unsure = best.confidence < params.min_confidence;
                if unsure && (term.is_none() || best.confidence < ask_floor) {
                    summary.below_threshold += 1;
                    continue;
                }
                let full = match commits::with_code(&repo, commit, filters)? {
                    Ok(full) => full,
                    Err(reason) => {
                        // Damaged since it was examined (from the commit cache): counted, said.
                        *summary.commits_skipped.entry(reason).or_default() += 1;
                        eprintln!("{}", messages::unreadable_commit(&commit.sha));
                        continue;
                    }
                };
                if unsure {
                    summary.asked_unsure += 1;
                } else {
                    summary.linked += 1;
                }
                // On a terminal, the commit's other talk too, as the hook offers it (Next): the
                // sure ones when the pick is sure, else those down to askConfidence.
                let floor = if unsure { ask_floor } else { params.min_confidence };
                let others = l.candidates[1..].iter().filter(|c| term.is_some() && c.confidence >= floor);
                let mut offers: Vec<Offer> = std::iter::once(best)
                    .chain(others)
                    .map(|s| {
                        let passage = &block.passages[s.passage];
                        let pair = pair::build(&full, &l.crates, passage, s, model, decided_by, now);
                        let question = term.is_some().then(|| review::render(commit, passage, s, now, &params));
                        Offer { pair, question }
                    })
                    .collect();
                // Asked again (--again): the talk the person turned down for it comes last.
                if let Some(before) = answered.get(&commit.sha) {
                    offers.sort_by_key(|o| o.pair.metadata.audio_ids.iter().any(|id| before.audio_ids.contains(id)));
                }
                ready.push(Ready { offers, pick_unsure: unsure });
            }
            building += t.elapsed();
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    profile.add("pairs built", building);
    summary.transcription_rows = totals.rows;
    summary.discussions = totals.discussions;
    summary.passages = totals.passages;
    summary.talk_blocks = totals.blocks;
    summary.discussions_split = totals.discussions_split;
    crate::debug(format_args!("talk read in {} block(s): {} rows, {} passages", totals.blocks, totals.rows, totals.passages));
    say(format!(
        "[Stage 2] Audio discussions from {}: {} rows, {} discussions, {} passages{}",
        totals.source,
        totals.rows,
        summary.discussions,
        summary.passages,
        if totals.blocks > 1 { format!(" (read in {} blocks of time)", totals.blocks) } else { String::new() }
    ));
    if totals.rows == 0 {
        let (first, last) = (todo[0].committer_time, todo[todo.len() - 1].committer_time);
        // The API's summary covers its last 30 days only: no span to say, nor "holds none".
        let talk = if source.kind() == "db" { source.summary().ok() } else { None };
        summary.why_nothing = Some(messages::no_talk((todo.len(), first, last), settings.time_window_days.value, talk.as_ref(), &source.location()));
    }
    summary.texts_embedded = semantic.embedded;
    summary.texts_from_cache = semantic.from_cache;
    let scoring = match params.scoring {
        crate::config::Scoring::Guide => format!("keyword × {} + semantic × {}", params.keyword_weight, params.semantic_weight),
        crate::config::Scoring::Fitted if params.fitted.is_some() => "this repository's refitted weights".to_string(),
        crate::config::Scoring::Fitted => "fitted weights".to_string(),
    };
    say(format!(
        "[Stage 3] Linking {} ({scoring}, threshold {}): {} embedded, {} from cache",
        messages::count(todo.len(), "commit"),
        params.min_confidence,
        messages::count(summary.texts_embedded, "text"),
        summary.texts_from_cache
    ));

    let t = Instant::now();
    let decide = Decide { term: term.as_ref(), store: &store, repo: &repo, notes: settings.notes.value.0, dry_run: args.dry_run };
    let pairs = decide::decide_all(ready, &decide, &mut summary, &mut |p| semantic.count_tokens(&format!("{}\n{}\n{}", p.instruction, p.input, p.output)))?;
    profile.add("writing", t.elapsed());
    if let Some(pruned) = crate::cache_limit::enforce(&crate::score::cache::default_dir(), crate::cache_limit::megabytes(settings.cache_max_mb.value)) {
        say(messages::cache_pruned(&pruned, settings.cache_max_mb.value));
    }
    if term.is_some() && !args.dry_run {
        if let Some(line) = super::weights::refit_if_due(&store) {
            say(line);
        }
    }
    let confidences: Vec<f64> = pairs.iter().map(|p| p.metadata.confidence).collect();
    if !confidences.is_empty() {
        summary.average_confidence = Some(confidences.iter().sum::<f64>() / confidences.len() as f64);
        summary.min_confidence = confidences.iter().copied().reduce(f64::min);
        summary.max_confidence = confidences.iter().copied().reduce(f64::max);
    }
    summary.profile = profile;
    Ok((summary, pairs))
}

/// `2026-03-01` (midnight UTC), a timestamp, or anything `git log --since` takes
/// (`yesterday`, `2 weeks ago`, `last monday`), which git itself reads.
fn parse_date(s: &str, flag: &str) -> Result<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    if let Some(t) = time::parse(s) {
        return Ok(t);
    }
    let bad = || {
        Error::new(Kind::Usage, format!("{flag} {s:?} is not a date"))
            .hint(format!("give {flag} as YYYY-MM-DD, or as git log takes it: yesterday, \"2 weeks ago\", \"last monday\""))
    };
    // git's approximate dates; it reads words it does not know as "now", so "now" from
    // anything but a word for now is not a date.
    let out = std::process::Command::new("git").arg("rev-parse").arg(format!("--since={s}")).output().map_err(|_| bad())?;
    let secs: i64 = String::from_utf8_lossy(&out.stdout).trim().strip_prefix("--max-age=").and_then(|n| n.parse().ok()).ok_or_else(bad)?;
    let when = DateTime::from_timestamp(secs, 0).ok_or_else(bad)?;
    let said_now = ["now", "today"].contains(&s.trim().to_ascii_lowercase().as_str());
    if !said_now && (Utc::now() - when).num_seconds().abs() <= 2 {
        return Err(bad());
    }
    Ok(when)
}

fn read_stdin_shas() -> Result<Vec<String>> {
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text).map_err(|e| Error::io("reading commits from stdin", e))?;
    Ok(text.split_whitespace().map(str::to_string).collect())
}
