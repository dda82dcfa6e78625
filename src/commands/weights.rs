//! `git screenlink weights`: which weights link commits here, and refitting them from the
//! answers people gave (`--refit`) or going back to the shipped ones (`--reset`).

use std::path::Path;

use crate::cli::WeightsArgs;
use crate::config::{Scoring, Settings};
use crate::dataset::{read_jsonl, DecidedBy, Decision, DecisionRecord, Store};
use crate::error::Result;
use crate::score::features::N;
use crate::score::stored;
use crate::score::user::{self, Answer, Refit, MIN_EACH};

pub fn run(args: &WeightsArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &args.knobs.overrides())?;
    let repo = crate::pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    run_with_store(&store, args, settings.scoring.value)
}

pub fn run_with_store(store: &Store, args: &WeightsArgs, scoring: Scoring) -> Result<i32> {
    if args.reset {
        let had = user::reset(&store.dir)?;
        println!(
            "{}",
            if had {
                "Removed this repository's weights: the shipped weights are in use."
            } else {
                "No weights of this repository's: the shipped weights are in use."
            }
        );
        return Ok(0);
    }
    if args.refit {
        let answers = answers(store)?;
        match user::refit(&store.dir, &answers, &crate::dataset::pair::timestamp(chrono::Utc::now()))? {
            Refit::TooFew { accepts, rejects } => {
                println!("Not refitted: {accepts} accepts and {rejects} rejects with features; {MIN_EACH} of each are needed (answer more links with `git screenlink review` or `validate --review`).");
                return Ok(1);
            }
            Refit::NotBetter { shipped, refit } => {
                println!(
                    "Not refitted: on your newest 30 % of answers the refit does no better than the shipped weights (log loss {refit:.3} vs {shipped:.3})."
                );
                return Ok(1);
            }
            Refit::Saved(w) => println!(
                "Refitted from {} accepts and {} rejects: held-out log loss {:.3} (shipped {:.3}). Saved to {}.",
                w.accepts,
                w.rejects,
                w.held_out_refit,
                w.held_out_shipped,
                user::path(&store.dir).display()
            ),
        }
        return Ok(0);
    }
    if args.json {
        let refit = user::load(&store.dir);
        let v = serde_json::json!({
            "scoring": scoring,
            "weights": match (scoring, &refit) {
                (Scoring::Guide, _) => "guide",
                (Scoring::Fitted, Some(_)) => "repository",
                (Scoring::Fitted, None) => "shipped",
            },
            "shipped_fit": crate::score::fitted::SHIPPED_FIT,
            "refit": refit,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return Ok(0);
    }
    println!("{}", describe(&store.dir, scoring));
    Ok(0)
}

/// After a session of answers: refit when there are enough of each and they changed since
/// the last refit. Says so in one line when new weights were saved; never fails the caller.
pub fn refit_if_due(store: &Store) -> Option<String> {
    let answers = answers(store).ok()?;
    let accepts = answers.iter().filter(|a| a.1).count();
    let rejects = answers.len() - accepts;
    if accepts < MIN_EACH || rejects < MIN_EACH {
        return None;
    }
    if user::load(&store.dir).is_some_and(|w| (w.accepts, w.rejects) == (accepts, rejects)) {
        return None;
    }
    match user::refit(&store.dir, &answers, &crate::dataset::pair::timestamp(chrono::Utc::now())).ok()? {
        Refit::Saved(w) => Some(format!(
            "Learned from your answers ({} accepts, {} rejects): this repository's linking weights were refitted (held-out log loss {:.3}, shipped {:.3}); `git screenlink weights --reset` undoes it",
            w.accepts, w.rejects, w.held_out_refit, w.held_out_shipped
        )),
        _ => None,
    }
}

/// The hook's refit after a person's answer: as [`refit_if_due`], but said only when a
/// repository's first weights appear. Once there are enough of each, every answered commit
/// changes the counts and refits (a few ms after the keypress); saying so at each commit would
/// be noise, and `status` and `weights` say which weights are in use.
pub fn refit_after_answer(store: &Store) -> Option<String> {
    let had = user::load(&store.dir).is_some();
    refit_if_due(store).filter(|_| !had)
}

/// One line: which weights are in use and how well they do.
pub fn describe(dir: &Path, scoring: Scoring) -> String {
    let scoring_line = match (scoring, user::load(dir)) {
        (Scoring::Guide, _) => "scoring: the guide's formula (screenlink.scoring = guide)".to_string(),
        (Scoring::Fitted, Some(w)) => format!(
            "scoring: this repository's weights, refitted {} from {} accepts and {} rejects (held-out log loss {:.3}, shipped {:.3}); `git screenlink weights --reset` goes back",
            w.fitted_at, w.accepts, w.rejects, w.held_out_refit, w.held_out_shipped
        ),
        (Scoring::Fitted, None) => "scoring: the shipped weights".to_string(),
    };
    if scoring == Scoring::Guide {
        return scoring_line;
    }
    let history = crate::score::history::History::load(dir);
    let (level, n) = (history.level(), history.len());
    let level = if n >= crate::score::features::TALK_LEVEL_MIN_COMMITS {
        format!("talk level {level:.2} (the median best cosine of the last {n} commits scored here)")
    } else {
        format!("talk level {level:.2} (not known yet: {n} commits scored here remembered)")
    };
    let centre = match history.centre() {
        Some(c) => format!("; the hook reads its centred cosine against the mean of {} commits and {} passages scored here", c.commits, c.passages),
        None => format!(
            "; no centre yet (fewer than {} commits with talk scored here): the hook scores with the weights fitted without the centred cosine",
            crate::score::centre::CENTRE_MIN_COMMITS
        ),
    };
    // The hook keeps the shipped weights whatever a refit did, and follows it through this.
    let prior = match (history.hook_recalibration(), history.prior()) {
        (Some(r), _) => format!(
            "; the hook's confidence is recalibrated on what backfill and review said of {} commits here (log-odds x {:.2} {:+.2})",
            history.hook_views().len(),
            r.scale,
            r.shift
        ),
        (None, Some(share)) => format!(
            "; the hook's confidence moves by {:+.2} in log-odds: backfill and review linked {:.0} % of the commits they scored here",
            crate::score::fitted::hook_prior_shift(Some(share)),
            share * 100.0
        ),
        (None, None) => String::new(),
    };
    format!("{scoring_line}; {level}{centre}{prior}")
}

/// Every answer a person gave that carries a link's features, oldest first; the latest
/// answer per commit wins.
fn answers(store: &Store) -> Result<Vec<Answer>> {
    let records = read_jsonl::<DecisionRecord>(&store.decisions_path())?.records;
    let mut latest: std::collections::HashMap<String, (String, Decision, [f64; N])> = std::collections::HashMap::new();
    // An older answer's vector is laid out as today (`score::stored`); one of a layout
    // this version does not know is left out.
    for r in records.into_iter().filter(|r| r.decided_by == DecidedBy::User) {
        if let (Decision::Accepted | Decision::Rejected, Some(f)) = (r.decision, stored::upgrade(&r.features)) {
            latest.insert(r.commit_sha.clone(), (r.decided_at, r.decision, f));
        }
    }
    let mut out: Vec<(String, Answer)> = latest.into_values().map(|(at, d, f)| (at, (f, d == Decision::Accepted))).collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|(_, a)| a).collect())
}
