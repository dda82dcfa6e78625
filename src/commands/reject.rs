//! `git screenlink reject COMMIT...`: take back links already in the dataset. Each pair moves
//! to `rejected.jsonl` (nothing is deleted), its git note goes, and the reject is logged as
//! the person's answer: a label for the refit, and a decision `backfill --again` reopens.

use crate::cli::RejectArgs;
use crate::config::Settings;
use crate::dataset::{answers, Store};
use crate::error::Result;
use crate::messages;

pub fn run(args: &RejectArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &args.knobs.overrides())?;
    let repo = crate::pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    let mut lines = answers::pair_lines(&store)?;
    let mut code = 0;
    for rev in &args.commits {
        let commit = super::resolve(&repo, rev)?;
        let sha = commit.id().to_string();
        let short = messages::short(&sha);
        let Some(line) = lines.remove(&sha) else {
            eprintln!("git-screenlink: {short} has no linked talk to reject");
            code = 1;
            continue;
        };
        answers::reject(&store, &store.dataset_path(), &line)?;
        crate::notes::after_reject(&repo, &sha);
        println!("Rejected the link of {short} {}: its pair is now in {}", commit.summary().ok().flatten().unwrap_or(""), store.rejected_path().display());
    }
    if let Some(line) = super::weights::refit_if_due(&store) {
        println!("{line}");
    }
    Ok(code)
}
