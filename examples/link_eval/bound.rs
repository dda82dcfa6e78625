//! What the gold lets any linker reach on a set whose gold names one fix per report
//! (realtext): an oracle right about every commit except that it cannot tell a report's fix
//! from the other commits of the same change (`same_change`: a common issue key or subject)
//! that see the report among their candidates, which the gold counts wrong.

use std::collections::{BTreeMap, BTreeSet};

use super::same_change::same_change;
use super::Row;

/// One report: how many of its gold commits see it, and how many commits of the same change
/// see it too.
struct Report {
    gold: usize,
    siblings: usize,
}

fn reports(rows: &[&Row]) -> Vec<Report> {
    // A report is the rows of one commit's true candidates; two fixes of one report share rows.
    let mut report_of_row: BTreeMap<i64, usize> = BTreeMap::new();
    let mut members: Vec<(BTreeSet<i64>, BTreeSet<usize>)> = Vec::new();
    for (ri, r) in rows.iter().enumerate() {
        let ids: BTreeSet<i64> = r.cands.iter().filter(|c| c.label).flat_map(|c| c.ids.iter().copied()).collect();
        if ids.is_empty() {
            continue;
        }
        let k = match ids.iter().find_map(|i| report_of_row.get(i)) {
            Some(&k) => k,
            None => {
                members.push((BTreeSet::new(), BTreeSet::new()));
                members.len() - 1
            }
        };
        for &i in &ids {
            report_of_row.insert(i, k);
        }
        members[k].0.extend(ids);
        members[k].1.insert(ri);
    }
    members
        .iter()
        .map(|(ids, gold)| {
            let sees = |r: &Row| r.cands.iter().any(|c| c.ids.iter().any(|i| ids.contains(i)));
            let siblings = rows
                .iter()
                .enumerate()
                .filter(|(ri, r)| !gold.contains(ri) && sees(r) && gold.iter().any(|&g| same_change(&rows[g].message, &r.message)))
                .count();
            Report { gold: gold.len(), siblings }
        })
        .collect()
}

/// Precision and recall of the oracle over `reports` (worst odds first, [`by_odds`]) of a set
/// with `gold` commits, when it gives up on the share `abstain` of the reports with siblings
/// and links each other report to as many of its same-change commits as it has gold commits,
/// chosen blindly.
fn oracle(reports: &[Report], gold: usize, abstain: f64) -> (f64, f64) {
    let with_siblings = reports.iter().filter(|r| r.siblings > 0).count();
    let skip = (abstain * with_siblings as f64).round() as usize;
    let (mut right, mut pairs) = (0.0, 0.0);
    for (k, r) in reports.iter().enumerate() {
        if r.siblings > 0 && k < skip {
            continue;
        }
        let g = r.gold as f64;
        right += g * g / (g + r.siblings as f64);
        pairs += g;
    }
    (right / pairs.max(1.0), right / gold.max(1) as f64)
}

/// A set's reports, the worst odds (gold commits among the commits of the change) first.
fn by_odds(rows: &[&Row]) -> Vec<Report> {
    let odds = |r: &Report| r.gold as f64 / (r.gold + r.siblings) as f64;
    let mut rs = reports(rows);
    rs.sort_by(|a, b| odds(a).total_cmp(&odds(b)));
    rs
}

/// The oracle's macro precision and recall over `sets`, giving up on 0, 20, … 100 % of the
/// reports with siblings.
pub fn print(rows: &[Row], sets: &[&str]) {
    if sets.is_empty() {
        return;
    }
    // Each set's reports and gold commits, found once.
    let per_set: Vec<(&str, Vec<Report>, usize)> = sets
        .iter()
        .map(|s| {
            let set: Vec<&Row> = rows.iter().filter(|r| r.set == *s).collect();
            (*s, by_odds(&set), set.iter().filter(|r| r.has_gold).count())
        })
        .collect();
    let n = sets.len() as f64;
    let line: Vec<String> = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
        .iter()
        .map(|&a| {
            let (p, r) = per_set.iter().fold((0.0, 0.0), |acc, (_, rs, gold)| {
                let (p, r) = oracle(rs, *gold, a);
                (acc.0 + p / n, acc.1 + r / n)
            });
            format!("{:.0} %: {p:.3} / {r:.3}", a * 100.0)
        })
        .collect();
    let counts: Vec<String> = per_set
        .iter()
        .map(|(s, rs, _)| {
            let shared: Vec<&Report> = rs.iter().filter(|r| r.siblings > 0).collect();
            format!("{s} {} of {} reports, {} commits", shared.len(), rs.len(), shared.iter().map(|r| r.siblings).sum::<usize>())
        })
        .collect();
    println!("realtext, reports that other commits of their fix's change see too: {}", counts.join("; "));
    println!(
        "realtext macro, an oracle wrong only among the commits of one change (giving up on that share of the reports such commits share): {}",
        line.join("; ")
    );
}
