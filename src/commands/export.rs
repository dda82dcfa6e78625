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
    if let Some(ignore) = keep_out_of_git(&repo, &out)? {
        println!("  {} (this export is inside the work tree: it keeps the files out of git, as they hold your team's talk)", ignore.display());
    }
    Ok(0)
}

/// An export written inside the work tree, where git does not already ignore it, gets a
/// `.gitignore` of `*`: the directory ignores itself, so a `git add -A` cannot commit (and a
/// push publish) what was said. Never overwrites a `.gitignore` that is there.
fn keep_out_of_git(repo: &git2::Repository, out: &std::path::Path) -> Result<Option<std::path::PathBuf>> {
    let (Some(workdir), Ok(out_abs)) = (repo.workdir().and_then(|w| w.canonicalize().ok()), out.canonicalize()) else { return Ok(None) };
    let Ok(rel) = out_abs.strip_prefix(&workdir) else { return Ok(None) };
    let probe = rel.join("train.jsonl");
    let ignore = out.join(".gitignore");
    if repo.is_path_ignored(&probe).unwrap_or(false) || ignore.exists() {
        return Ok(None);
    }
    let text = "# Written by git-screenlink export: these files hold your team's talk and code.\n*\n";
    crate::fsutil::write_atomic(&ignore, text)?;
    Ok(Some(ignore))
}
