//! The prompt over backfill's links: each commit's pick, and on a terminal the other talk it
//! could take (Next), as the hook offers it; a person's accept, reject or skip is written.

use console::Term;

use super::Summary;
use crate::dataset::{Accepted, DecidedBy, Decision, DecisionRecord, Pair, Store};
use crate::error::{Error, Result};
use crate::messages;
use crate::review::{self, Choice};

/// One link to offer: its pair built and its question written while its block's talk was held.
pub(super) struct Offer {
    pub pair: Pair,
    pub question: Option<String>,
}

/// A commit's offers, its pick first (last when the person turned its talk down before).
pub(super) struct Ready {
    pub offers: Vec<Offer>,
    /// The pick is below minConfidence (how the summary counted the commit).
    pub pick_unsure: bool,
}

pub(super) struct Decide<'a> {
    pub term: Option<&'a Term>,
    pub store: &'a Store,
    pub repo: &'a git2::Repository,
    pub notes: bool,
    pub dry_run: bool,
}

/// Ask about (or, with no terminal, accept) each commit's offers, oldest commit first; the
/// pairs written, and their tokens counted by `tokens`.
pub(super) fn decide_all(ready: Vec<Ready>, d: &Decide, summary: &mut Summary, tokens: &mut dyn FnMut(&Pair) -> usize) -> Result<Vec<Pair>> {
    let mut pairs = Vec::new();
    let mut quit = false;
    for Ready { mut offers, pick_unsure } in ready {
        if quit {
            summary.unasked += 1;
            continue;
        }
        let mut i = 0;
        loop {
            let offer = &offers[i];
            let choice = match (d.term, &offer.question) {
                (Some(term), Some(question)) => {
                    let io = |e| Error::io("reading the terminal", e);
                    term.write_str(question).map_err(io)?;
                    let mut choices = vec![Choice::Accept, Choice::Reject, Choice::Skip];
                    if offers.len() > 1 {
                        term.write_line(&format!("  candidate {} of {}", i + 1, offers.len())).map_err(io)?;
                        choices.push(Choice::Next);
                    }
                    choices.push(Choice::Quit);
                    review::ask(term, &choices, Choice::Interrupted).map_err(io)?
                }
                _ => Choice::Accept,
            };
            match choice {
                Choice::Next => i = (i + 1) % offers.len(),
                Choice::Accept => {
                    let written = if d.dry_run { Accepted::Written } else { d.store.accept(&offer.pair)? };
                    match written {
                        Accepted::Written => {
                            if !d.dry_run {
                                crate::notes::after_accept(d.repo, d.notes, &offer.pair);
                            }
                            summary.accepted += 1;
                            summary.estimated_tokens += tokens(&offer.pair);
                            pairs.push(offers.swap_remove(i).pair);
                            break;
                        }
                        // Another of the commit's talk may still be free: the person picks again.
                        Accepted::TalkClaimed(_) if offers.len() > 1 => {
                            if let Some(term) = d.term {
                                let _ = term.write_line(messages::TALK_TAKEN);
                            }
                            offers.remove(i);
                            i %= offers.len();
                        }
                        Accepted::TalkClaimed(_) | Accepted::CommitHasPair => {
                            if pick_unsure {
                                summary.asked_unsure -= 1;
                            } else {
                                summary.linked -= 1;
                            }
                            summary.taken_meanwhile += 1;
                            break;
                        }
                    }
                }
                Choice::Reject | Choice::Skip => {
                    let decision = if choice == Choice::Reject { Decision::Rejected } else { Decision::Skipped };
                    let m = &offer.pair.metadata;
                    d.store.log(
                        &DecisionRecord::now(&m.commit_sha, decision, DecidedBy::User, Some(m.confidence), m.audio_ids.clone()).with_features(&m.features),
                    )?;
                    if choice == Choice::Reject {
                        summary.rejected += 1;
                    } else {
                        summary.skipped += 1;
                    }
                    break;
                }
                other => {
                    quit = true;
                    summary.interrupted = other == Choice::Interrupted;
                    summary.unasked += 1;
                    break;
                }
            }
        }
    }
    Ok(pairs)
}
