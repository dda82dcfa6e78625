//! Prints how long reading a 7-day window from a four-month screenpipe database takes
//! (~80k rows), and grouping it into discussions. Figures, not assertions:
//! `cargo bench --bench source_read`.

use std::time::Instant;

use chrono::Duration;
use git_screenlink::config::Origin;
use git_screenlink::fixture::{self, Spec};
use git_screenlink::source::db::DbSource;
use git_screenlink::source::{discussion, Source};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let world = fixture::build(&Spec::four_months(1), dir.path()).unwrap();
    println!("fixture: four months, {} rows, {} commits, built in {:.1} s", world.truth.rows, world.truth.commits.len(), started.elapsed().as_secs_f64());

    let open_times: Vec<f64> = (0..10)
        .map(|_| {
            let t = Instant::now();
            DbSource::open_path(&world.db, &Origin::Default).unwrap();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    let src = DbSource::open_path(&world.db, &Origin::Default).unwrap();
    let (mut read_ms, mut group_ms, mut rows) = (Vec::new(), Vec::new(), Vec::new());
    for commit in world.truth.commits.iter().step_by(25) {
        let (start, end) = (commit.time - Duration::days(7), commit.time - Duration::hours(1));
        let t = Instant::now();
        let got = src.read(start, end).unwrap();
        read_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let ds = discussion::group(&got, Duration::minutes(5), 100);
        group_ms.push(t.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(ds);
        rows.push(got.len() as f64);
    }
    println!("open (schema discovery): median {:.2} ms over {} runs", median(open_times), 10);
    println!(
        "read a 7-day window: median {:.2} ms, max {:.2} ms over {} windows (median {} rows per window)",
        median(read_ms.clone()),
        read_ms.iter().cloned().fold(0.0, f64::max),
        read_ms.len(),
        median(rows)
    );
    println!("group into discussions: median {:.2} ms", median(group_ms));
}
