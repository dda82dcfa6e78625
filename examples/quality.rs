//! The quality program: link a sample world with `git screenlink backfill --yes` (the
//! product path, default settings) and score the dataset it wrote against the world's ground
//! truth; then score the seed guide's plain formula on the same world for comparison.
//!
//! `cargo run --release --example quality -- [week|month|four-months] [SEED]`
//!
//! precision = pairs whose excerpt holds a row of the commit's true discussion / pairs;
//! recall = those correct pairs / commits that have a true discussion.

use std::collections::HashSet;
use std::time::Instant;

use chrono::Duration;
use git_screenlink::candidates::Passage;
use git_screenlink::commits::{select, RevisionSet};
use git_screenlink::config::{Origin, Settings};
use git_screenlink::dataset::{read_jsonl, Pair};
use git_screenlink::fixture::{self, GroundTruth, Spec};
use git_screenlink::link::{self, Params};
use git_screenlink::pipeline;
use git_screenlink::source::db::DbSource;
use git_screenlink::source::{discussion, Source};
use git_screenlink::workspace::Workspace;

struct Score {
    pairs: usize,
    correct: usize,
    motivated: usize,
}

impl Score {
    fn line(&self, label: &str, secs: f64) -> String {
        let p = self.correct as f64 / self.pairs.max(1) as f64;
        let r = self.correct as f64 / self.motivated.max(1) as f64;
        let f1 = 2.0 * p * r / (p + r).max(1e-9);
        format!("| {label:<34} | {:>5} | {p:>9.3} | {r:>6.3} | {f1:>5.3} | {secs:>7.1} |", self.pairs)
    }
}

fn score(truth: &GroundTruth, links: impl Iterator<Item = (String, Vec<i64>)>) -> Score {
    let motivated = truth.commits.iter().filter(|c| !c.rows.is_empty()).count();
    let (mut pairs, mut correct) = (0, 0);
    for (sha, ids) in links {
        let Some(t) = truth.commits.iter().find(|t| t.sha == sha) else { continue };
        pairs += 1;
        correct += usize::from(ids.iter().any(|id| t.rows.contains(id)));
    }
    Score { pairs, correct, motivated }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scale = args.get(1).map(String::as_str).unwrap_or("month");
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let spec = Spec::named(scale, seed).expect("scale: week, month or four-months");
    let dir = tempfile::tempdir().unwrap();
    let world = fixture::build(&spec, dir.path()).unwrap();
    // A cold cache of our own, so the timing is honest and the user's cache is untouched.
    std::env::set_var("SCREENLINK_CACHE_DIR", dir.path().join("cache"));

    // The product: backfill --yes at default settings, in the world's repo.
    std::env::set_current_dir(&world.repo).unwrap();
    let db = world.db.to_string_lossy().to_string();
    let argv = ["git-screenlink", "backfill", "--yes", "--source", "db", "--screenpipe-db", &db];
    let t = Instant::now();
    let code = git_screenlink::main_with_args(argv.iter().map(Into::into).collect(), "git screenlink");
    let product_secs = t.elapsed().as_secs_f64();
    assert!(code <= 1, "backfill failed with exit code {code}");
    let dataset: Vec<Pair> = read_jsonl(&world.repo.join(".git/screenlink/training_data.jsonl")).unwrap().records;
    let product = score(&world.truth, dataset.iter().map(|p| (p.metadata.commit_sha.clone(), p.metadata.audio_ids.clone())));

    // The guide's plain formula: whole discussions (cut to the model's 256 tokens, as
    // sentence-transformers does), keyword share of all commit terms, no pruning, and a
    // discussion may serve any number of commits.
    let settings = Settings::load(&world.repo, &[]).unwrap();
    let repo = git2::Repository::open(&world.repo).unwrap();
    let sel = select(&repo, &RevisionSet { max: 1000, ..Default::default() }, 5).unwrap();
    let src = DbSource::open_path(&world.db, &Origin::Default).unwrap();
    let (a, b) = (spec.start - Duration::days(30), spec.start + Duration::days(spec.days + 30));
    let ds = discussion::group(&src.read(a, b).unwrap(), Duration::minutes(5), 100);
    let whole: Vec<Passage> = ds
        .iter()
        .map(|d| {
            // ~180 words is about the model's 256 tokens.
            let end = d.text.match_indices(' ').nth(180).map_or(d.text.len(), |(i, _)| i);
            Passage { discussion: d, rows: 0..d.rows.len(), text: &d.text[..end], start: d.start, end: d.end }
        })
        .collect();
    let plain = Params { grouped: false, candidate_limit: 0, min_confidence: f64::INFINITY, ..Params::from_settings(&settings) };
    let mut semantic = pipeline::load_semantic(&settings, false).unwrap();
    let t = Instant::now();
    let links = link::link(&sel.commits, &whole, &Workspace::default(), &plain, &HashSet::new(), Some(&mut semantic), &mut |_, _| {}).unwrap();
    let plain_secs = t.elapsed().as_secs_f64();
    let threshold = settings.min_confidence.value;
    let guide = score(
        &world.truth,
        links.iter().filter_map(|l| {
            let best = l.best().filter(|b| b.confidence >= threshold)?;
            Some((sel.commits[l.commit].sha.clone(), whole[best.passage].ids()))
        }),
    );

    println!();
    println!(
        "{scale} world, seed {seed}: {} commits, {} with a true discussion, {} transcription rows; threshold {threshold}",
        world.truth.commits.len(),
        product.motivated,
        world.truth.rows
    );
    println!("| {:<34} | pairs | precision | recall |    F1 | seconds |", "method");
    println!("|{}|-------|-----------|--------|-------|---------|", "-".repeat(36));
    println!("{}", product.line("git screenlink backfill --yes", product_secs));
    println!("{}", guide.line("guide's plain formula", plain_secs));
}
