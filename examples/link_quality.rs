//! Linking quality on a sample world against its ground truth, with the real model:
//! `cargo run --release --example link_quality -- [week|month|four-months] [SEED] [LIMIT...]`.
//! For each candidate limit (0 = no pruning) prints precision, recall and F1 at several
//! thresholds, the texts embedded, and the time taken. A pair is correct when the passage
//! it cites holds a row of the commit's true discussion.

use std::time::Instant;

use chrono::Duration;
use git_screenlink::candidates;
use git_screenlink::commits::{select, RevisionSet};
use git_screenlink::config::{Origin, Settings};
use git_screenlink::fixture::{self, Spec};
use git_screenlink::link::{self, Params};
use git_screenlink::score::cache::EmbeddingCache;
use git_screenlink::score::semantic::Semantic;
use git_screenlink::source::db::DbSource;
use git_screenlink::source::{discussion, Source};
use git_screenlink::workspace::Workspace;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let scale = args.get(1).map(String::as_str).unwrap_or("month");
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let limits: Vec<usize> = args.iter().skip(3).filter_map(|s| s.parse().ok()).collect();
    let limits = if limits.is_empty() { vec![8, 0] } else { limits };
    let spec = Spec::named(scale, seed).expect("scale: week, month or four-months");
    let dir = tempfile::tempdir().unwrap();
    let world = fixture::build(&spec, dir.path()).unwrap();
    let repo = git2::Repository::open(&world.repo).unwrap();
    let sel = select(&repo, &RevisionSet { max: 1000, ..Default::default() }, 5).unwrap();
    let src = DbSource::open_path(&world.db, &Origin::Default).unwrap();
    let (a, b) = (spec.start - Duration::days(30), spec.start + Duration::days(spec.days + 30));
    let ds = discussion::group(&src.read(a, b).unwrap(), Duration::minutes(5), 100);
    let terms = git_screenlink::talk_terms::TalkTerms::new(&ds);
    let ps = candidates::cut(&ds, &terms);
    let settings = Settings::load(dir.path(), &[]).unwrap();
    let cache_dir = tempfile::tempdir().unwrap();
    println!("{scale} world, seed {seed}: {} commits, {} discussions, {} passages", sel.commits.len(), ds.len(), ps.len());
    let idf = std::env::var("IDF").map_or(true, |v| v != "0");
    for kw_only in [true, false] {
        for &limit in &limits {
            let mut params = Params { candidate_limit: limit, idf, ..Params::from_settings(&settings) };
            params.grouped = std::env::var("GROUPED").map_or(true, |v| v != "0");
            if std::env::var_os("SHARED").is_some() {
                params.min_confidence = 2.0;
            }
            let mut semantic = (!kw_only).then(|| Semantic::new(&settings, EmbeddingCache::open(cache_dir.path(), "m")).unwrap());
            let t = Instant::now();
            let links = link::link(&sel.commits, &ps, &terms, &Workspace::default(), &params, &Default::default(), semantic.as_mut(), &mut |_, _| {}).unwrap();
            let secs = t.elapsed().as_secs_f64();
            let embedded = semantic.as_ref().map_or(0, |s| s.embedded);
            let label = if kw_only { "keyword only".to_string() } else { format!("cascade, limit {limit}") };
            println!("{label}: {secs:.1} s, {embedded} texts embedded");
            for threshold in [0.3, 0.4, 0.5, 0.6, 0.7] {
                let (mut pairs, mut correct, mut motivated) = (0, 0, 0);
                for l in &links {
                    let c = &sel.commits[l.commit];
                    let Some(truth) = world.truth.commits.iter().find(|t| t.sha == c.sha) else { continue };
                    motivated += usize::from(!truth.rows.is_empty());
                    let score = |s: &link::Scored| if kw_only { s.keyword } else { s.confidence };
                    let best = l.candidates.iter().max_by(|x, y| score(x).total_cmp(&score(y)));
                    if let Some(best) = best.filter(|s| score(s) >= threshold) {
                        pairs += 1;
                        correct += usize::from(ps[best.passage].ids().iter().any(|id| truth.rows.contains(id)));
                    }
                }
                let p = correct as f64 / pairs.max(1) as f64;
                let r = correct as f64 / motivated.max(1) as f64;
                println!("  threshold {threshold}: {pairs:4} pairs, precision {p:.3}, recall {r:.3}, F1 {:.3}", 2.0 * p * r / (p + r).max(1e-9));
            }
            if std::env::var_os("DUMP").is_some() && !kw_only {
                for l in &links {
                    let c = &sel.commits[l.commit];
                    let Some(truth) = world.truth.commits.iter().find(|t| t.sha == c.sha) else { continue };
                    let Some(best) = l.best() else {
                        println!("  none motivated={}", !truth.rows.is_empty());
                        continue;
                    };
                    let ok = ps[best.passage].ids().iter().any(|id| truth.rows.contains(id));
                    let true_rank = l.candidates.iter().position(|s| ps[s.passage].ids().iter().any(|id| truth.rows.contains(id)));
                    println!(
                        "  motivated={} ok={ok} conf={:.3} kw={:.3} sem={:.3} second={:.3} true_rank={true_rank:?} n={} {}",
                        !truth.rows.is_empty(),
                        best.confidence,
                        best.keyword,
                        best.semantic,
                        l.candidates.get(1).map_or(0.0, |s| s.confidence),
                        l.candidates.len(),
                        c.subject
                    );
                }
            }
            if kw_only {
                break;
            }
        }
    }
}
