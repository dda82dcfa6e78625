//! Build a sample world: `cargo run --release --example fixture_world -- DIR [week|month|four-months] [SEED] [old] [meeting]`.
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(args.get(1).expect("usage: fixture_world DIR [week|month|four-months] [SEED] [old] [meeting]"));
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let scale = args.get(2).map(String::as_str).unwrap_or("week");
    let mut spec = git_screenlink::fixture::Spec::named(scale, seed).expect("scale: week, month, four-months, talk-heavy or year");
    if args.iter().skip(4).any(|a| a == "old") {
        spec.schema = git_screenlink::fixture::Schema::Old;
    }
    if args.iter().skip(4).any(|a| a == "meeting") {
        spec.style = git_screenlink::fixture::Style::Meeting;
    }
    let started = std::time::Instant::now();
    let world = git_screenlink::fixture::build(&spec, &dir).unwrap_or_else(|e| panic!("{e}"));
    // What git and the database hold (the first commit and a few rows of hallucinated
    // speakers are not in the ground truth's counts).
    let commits = git2::Repository::open(&world.repo)
        .and_then(|r| {
            let mut walk = r.revwalk()?;
            walk.push_head()?;
            Ok(walk.count())
        })
        .unwrap_or(0);
    let rows: i64 = rusqlite::Connection::open(&world.db).and_then(|c| c.query_row("SELECT count(*) FROM audio_transcriptions", [], |r| r.get(0))).unwrap_or(0);
    println!(
        "{commits} commits ({} in the ground truth), {rows} rows ({} in the ground truth), db {}, repo {}, truth {} ({:.1} s)",
        world.truth.commits.len(),
        world.truth.rows,
        world.db.display(),
        world.repo.display(),
        world.truth_path.display(),
        started.elapsed().as_secs_f64()
    );
}
