//! `git screenlink export`: the dataset in formats other trainers read.

use crate::cli::ExportArgs;
use crate::config::Settings;
use crate::dataset::Store;
use crate::error::Result;
use crate::{messages, pipeline, train};

pub fn run(args: &ExportArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &args.knobs.overrides())?;
    let repo = pipeline::open_repo(&dir)?;
    let store = Store::for_repo(&repo, &settings)?;
    let read = store.pairs()?;
    pipeline::warn_bad_lines(&store.dataset_path(), &read.bad_lines);
    let (also, theirs) = super::also(&args.also, &store.dataset_path())?;
    let mut records = read.records;
    records.extend(theirs);
    let (pairs, repeated) = train::usable(records);
    let fraction = args.valid_fraction.unwrap_or(settings.train_valid_fraction.value);
    // One pair per split at least; the rest by time.
    if pairs.len() < 3 {
        return Err(crate::error::Error::new(
            crate::error::Kind::Usage,
            format!("{} usable: an export needs at least 3 (one for each of train, validation and test)", messages::count(pairs.len(), "pair")),
        )
        .hint("link more commits first (`git screenlink backfill`)"));
    }
    let split = train::split(pairs.len(), 1, fraction)?;
    let out = args.out.clone().unwrap_or_else(|| store.dir.join("export").join(&args.format));
    let files = crate::export::write(&pairs, split, &args.format, &out)?;
    println!(
        "Exported {} ({} train, {} validation, {} test) as {} to {}{}",
        messages::count(pairs.len(), "pair"),
        split.train,
        split.valid,
        split.test,
        args.format,
        out.display(),
        messages::repeated(repeated)
    );
    for o in &also {
        println!("{}", messages::taken_also(o.pairs, &o.path));
    }
    for f in files {
        println!("  {}", f.display());
    }
    Ok(0)
}
