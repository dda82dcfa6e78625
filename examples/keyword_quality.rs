//! Keyword-only linking quality on a sample world, against its ground truth:
//! `cargo run --release --example keyword_quality -- [week|month|four-months] [SEED]`.
//! A measuring stick for the linking engine, not the engine itself.

use chrono::Duration;
use git_screenlink::candidates;
use git_screenlink::commits::{select, RevisionSet};
use git_screenlink::config::Origin;
use git_screenlink::fixture::{self, Spec};
use git_screenlink::score::keywords::CommitTerms;
use git_screenlink::source::db::DbSource;
use git_screenlink::source::{discussion, Source};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let scale = args.get(1).map(String::as_str).unwrap_or("month");
    let spec = Spec::named(scale, seed).expect("scale: week, month or four-months");
    let dir = tempfile::tempdir().unwrap();
    let world = fixture::build(&spec, dir.path()).unwrap();
    let repo = git2::Repository::open(&world.repo).unwrap();
    let sel = select(&repo, &RevisionSet { max: 1000, ..Default::default() }, 5).unwrap();
    let src = DbSource::open_path(&world.db, &Origin::Default).unwrap();
    let (a, b) = (spec.start - Duration::days(30), spec.start + Duration::days(spec.days + 30));
    let ds = discussion::group(&src.read(a, b).unwrap(), Duration::minutes(5), 100);
    for threshold in [0.3, 0.5, 0.7] {
        let (mut pairs, mut correct, mut motivated) = (0, 0, 0);
        for c in &sel.commits {
            // The world's initial skeleton commit is not in the ground truth.
            let Some(truth) = world.truth.commits.iter().find(|t| t.sha == c.sha) else { continue };
            motivated += usize::from(!truth.rows.is_empty());
            let mut texts: Vec<&str> = vec![&c.subject, &c.body];
            texts.extend(c.files.iter().map(|f| f.path.as_str()));
            texts.extend(c.identifiers.iter().map(String::as_str));
            let terms = CommitTerms::new(texts, &[]);
            let best = candidates::in_window(&ds, candidates::window(c, 7, 1.0))
                .map(|d| (terms.score(&d.text).0, d))
                .max_by(|x, y| x.0.total_cmp(&y.0));
            if let Some((score, d)) = best.filter(|(s, _)| *s >= threshold) {
                let _ = score;
                pairs += 1;
                correct += usize::from(d.ids().iter().any(|id| truth.rows.contains(id)));
            }
        }
        let p = correct as f64 / pairs.max(1) as f64;
        let r = correct as f64 / motivated.max(1) as f64;
        println!(
            "keyword-only, threshold {threshold}: {pairs} pairs, precision {p:.3}, recall {r:.3}, F1 {:.3} ({} commits, {motivated} with a true discussion, {} discussions)",
            2.0 * p * r / (p + r).max(1e-9),
            sel.commits.len(),
            ds.len()
        );
    }
}
