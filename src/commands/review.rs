//! `git screenlink review`: walk the pending queue with the hook's prompt.

use crate::cli::ReviewArgs;
use crate::commits;
use crate::config::Settings;
use crate::dataset::{DecidedBy, Decision, DecisionRecord, Store};
use crate::error::Result;
use crate::pipeline;
use crate::review::{self, Choice};

use super::hook::{self, Outcome};

pub fn run(args: &ReviewArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &args.knobs.overrides())?;
    let repo = pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    let pending = store.pending()?;
    if pending.is_empty() {
        println!("Nothing to review: no commit is waiting in {}", store.pending_path().display());
        return Ok(0);
    }
    let term = if args.yes { None } else { Some(review::require_terminal("review", "pass --yes to accept every pair at or above minConfidence")?) };
    let (mut accepted, mut rejected, mut unlinked, mut later) = (0, 0, 0, 0);
    // One model for the whole queue: it loads on the first text the cache lacks.
    let mut semantic = pipeline::load_semantic(&settings, true)?;
    let total = pending.len();
    for (i, p) in pending.iter().enumerate() {
        let skip = |why: &str| {
            eprintln!("[{}/{total}] {}: {why}, dropped from the queue", i + 1, crate::messages::short(&p.commit_sha));
            store.log(&DecisionRecord::now(&p.commit_sha, Decision::Skipped, DecidedBy::Auto, None, Vec::new()))
        };
        let Some(commit) = crate::refs::oid(&repo, &p.commit_sha).ok().and_then(|oid| repo.find_commit(oid).ok()) else {
            skip("the commit no longer exists")?;
            continue;
        };
        let info = match commits::examine(&repo, &commit, commits::Filters::from_settings(&settings))? {
            Ok(info) => info,
            Err(_) => {
                skip("not a commit that is linked (merge, bump, bot or too little code)")?;
                continue;
            }
        };
        eprintln!("[{}/{total}] {} {}", i + 1, crate::messages::short(&info.sha), info.subject);
        let claimed = store.claimed_ids()?;
        // By now the commits after it exist: it is scored beside them, as backfill would.
        let linked = pipeline::link_with_rivals(&settings, &repo, info, &claimed, &store.dir, &mut semantic)?;
        match hook::decide(&settings, &repo, &store, &linked, term.as_ref(), Choice::Quit)? {
            Outcome::Accepted(_) => accepted += 1,
            Outcome::Rejected => rejected += 1,
            Outcome::NothingLinked(best) => {
                // `decide` noted it (skipped, automatic): it leaves the queue.
                unlinked += 1;
                eprintln!("  {}", crate::messages::nothing_linked(&linked.commit.sha, best, settings.min_confidence.value));
            }
            Outcome::Later => later += 1,
            Outcome::AlreadyLinked => eprintln!("  already linked by another git-screenlink run"),
            Outcome::Quit => {
                later += total - i;
                break;
            }
        }
    }
    println!("Reviewed {total}: {accepted} accepted, {rejected} rejected, {unlinked} with nothing linked, {later} still waiting");
    if let Some(line) = super::weights::refit_if_due(&store) {
        println!("{line}");
    }
    Ok(0)
}
