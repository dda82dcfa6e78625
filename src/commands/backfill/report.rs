//! What backfill says when it is done: the guide's blocks of text, or one JSON document.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cli::BackfillArgs;
use crate::commits::SkipReason;
use crate::dataset::Pair;
use crate::error::Result;
use crate::messages;
use crate::pipeline::Profile;

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub commits_examined: usize,
    pub commits_skipped: BTreeMap<SkipReason, usize>,
    /// Commits whose diffs were read in this run (0 when the commit cache held them all).
    pub commits_diffed: usize,
    /// Files left out of pairs for not fitting screenlink.maxOutputBytes.
    pub files_over_budget: usize,
    /// Files left out of pairs because they hold credentials.
    pub credential_files: usize,
    pub already_decided: usize,
    /// Of those, the commits whose link a person rejected or skipped (`--again` asks again).
    pub answered: usize,
    pub transcription_rows: usize,
    pub discussions: usize,
    pub passages: usize,
    /// Blocks of time the talk was read and linked in (`screenlink.talkBlockRows`).
    pub talk_blocks: usize,
    pub texts_embedded: usize,
    pub texts_from_cache: usize,
    /// Discussions whose rows were split into terms in this run (0 when the term cache held
    /// all of them: a warm run over unchanged talk).
    pub discussions_split: usize,
    /// Commits whose best candidate reached minConfidence.
    pub linked: usize,
    /// Commits below minConfidence a person was asked about, unsure (screenlink.askConfidence).
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub asked_unsure: usize,
    pub below_threshold: usize,
    pub no_candidates: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub skipped: usize,
    pub unasked: usize,
    /// Linked, but another process gave the talk or the commit a pair first.
    #[serde(skip_serializing_if = "crate::is_zero")]
    pub taken_meanwhile: usize,
    /// Ctrl-C at a prompt: decisions so far are kept, and the exit code is 130.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// Why nothing could link, when the threshold is not the reason: no commit to link
    /// ([`messages::nothing_to_link`]), or no talk read at all ([`messages::no_talk`]).
    #[serde(skip)]
    pub why_nothing: Option<String>,
    pub estimated_tokens: usize,
    pub average_confidence: Option<f64>,
    pub min_confidence: Option<f64>,
    pub max_confidence: Option<f64>,
    pub dry_run: bool,
    pub dataset: String,
    pub profile: Profile,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    pairs: &'a [Pair],
    summary: &'a Summary,
}

/// Print the guide's blocks (or JSON) and pick the exit code.
pub fn report(args: &BackfillArgs, summary: &Summary, pairs: &[Pair]) -> Result<i32> {
    if args.json {
        let out = serde_json::to_string_pretty(&JsonOut { pairs, summary }).unwrap_or_default();
        println!("{out}");
    } else {
        print_human(summary, args.profile);
    }
    // The guide's error is for a run where nothing links at all; a re-run that only finds
    // nothing new (idempotence) is not a failure.
    if summary.interrupted {
        return Ok(crate::error::Kind::Interrupted.exit_code());
    }
    let user_decided = summary.rejected + summary.skipped + summary.unasked > 0;
    if pairs.is_empty() && summary.already_decided == 0 && !user_decided {
        eprintln!("{}", summary.why_nothing.as_deref().unwrap_or(messages::NO_PAIRS));
        return Ok(1);
    }
    Ok(0)
}

fn print_human(s: &Summary, profile: bool) {
    let verb = if s.dry_run { "Would save" } else { "Saved" };
    if s.linked + s.asked_unsure > 0 {
        let unsure =
            if s.asked_unsure > 0 { format!(", and asked about {} below it, unsure (screenlink.askConfidence)", s.asked_unsure) } else { String::new() };
        println!(
            "  ✓ Linked {} at or above threshold{unsure} ({} below, {} with no candidate)",
            messages::count(s.linked, "commit"),
            s.below_threshold,
            s.no_candidates
        );
    }
    if s.taken_meanwhile > 0 {
        println!("  ✓ {} linked meanwhile by another git-screenlink run (one talk, one commit)", messages::count(s.taken_meanwhile, "commit"));
    }
    if s.rejected + s.skipped + s.unasked > 0 {
        println!("  ✓ {} accepted, {} rejected, {} skipped, {} left unasked", s.accepted, s.rejected, s.skipped, s.unasked);
    }
    if s.accepted > 0 {
        println!();
        println!("[Output] {} training data to {}", if s.dry_run { "Would save" } else { "Saving" }, s.dataset);
        println!("  ✓ {verb} {}", messages::count(s.accepted, "training pair"));
        println!();
        println!("[Statistics]");
        println!("  Total training pairs: {}", s.accepted);
        println!("  Estimated tokens: {}", messages::thousands(s.estimated_tokens));
        if let (Some(avg), Some(lo), Some(hi)) = (s.average_confidence, s.min_confidence, s.max_confidence) {
            println!("  Average confidence: {avg:.3}");
            println!("  Confidence range: {lo:.3} - {hi:.3}");
        }
    } else if s.already_decided > 0 {
        println!(
            "  ✓ No new training pairs: {} already decided, {} below min_confidence",
            messages::count(s.already_decided, "commit"),
            s.below_threshold + s.no_candidates
        );
    }
    if profile {
        println!();
        println!("[Profile]");
        for (stage, secs) in &s.profile.stages {
            println!("  {stage:<24} {secs:>8.3} s");
        }
    }
}

pub(super) fn skipped_text(skipped: &BTreeMap<SkipReason, usize>) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = skipped
        .iter()
        .map(|(r, n)| format!("{} {n}", serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default().replace('_', " ")))
        .collect();
    format!(", skipped: {}", parts.join(", "))
}
