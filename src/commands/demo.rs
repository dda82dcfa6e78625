//! `git screenlink demo`: a sample repository and screenpipe database, linked end to end.

use crate::cli::{BackfillArgs, DemoArgs};
use crate::config::{self, Override};
use crate::error::{Error, Kind, Result};
use crate::fixture::{self, Spec};

pub fn run(args: &DemoArgs) -> Result<i32> {
    let dir = match &args.dir {
        Some(dir) => {
            let empty = std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(true);
            if !empty {
                return Err(Error::new(Kind::Usage, format!("{} is not empty", dir.display()))
                    .hint("give --dir a new or empty directory, or leave it out to use a new temp dir"));
            }
            dir.clone()
        }
        None => tempfile::Builder::new().prefix("screenlink-demo-").tempdir().map_err(|e| Error::io("creating a temp dir", e))?.keep(),
    };
    let spec = Spec::named(&args.scale, args.seed).expect("clap checked the scale");
    if !args.json {
        println!("Building a sample world ({}, seed {}) in {}", args.scale, args.seed, dir.display());
    }
    let world = fixture::build(&spec, &dir)?;
    // So that every later command run inside the sample repo reads the sample database.
    let repo = git2::Repository::open(&world.repo)?;
    let mut cfg = repo.config()?;
    cfg.set_str(config::SOURCE, "db")?;
    cfg.set_str(config::SCREENPIPE_DB, &world.db.to_string_lossy())?;
    let backfill = BackfillArgs { yes: true, json: args.json, knobs: args.knobs.clone(), ..Default::default() };
    let extra = [Override { key: config::SCREENPIPE_DB, flag: "demo", value: world.db.to_string_lossy().into() }];
    let (summary, pairs) = super::backfill::run_in(&world.repo, &backfill, &extra, None)?;
    let code = super::backfill::report(&backfill, &summary, &pairs)?;
    if !args.json {
        println!();
        println!("Sample repository:   {}", world.repo.display());
        println!("screenpipe database: {}", world.db.display());
        println!("Ground truth:        {}", world.truth_path.display());
        println!("Dataset:             {}", summary.dataset);
        println!();
        println!("Next: cd {} && git screenlink status", world.repo.display());
    }
    Ok(code)
}
