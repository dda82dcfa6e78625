//! `LINK_EVAL_EXPLAIN=SET link_eval fit …`: each wrong and each missed backfill link of a set.

use std::collections::{BTreeMap, HashSet};

use git_screenlink::score::features::N;

use super::figures::{Figures, Score};
use super::Row;

/// Why each wrong backfill link happened (LINK_EVAL_EXPLAIN=SET): the link, and the commit
/// whose gold the passage holds, with that commit's own fate; then each missed commit.
pub fn explain(rows: &[&Row], feats: &[Vec<[f64; N]>], score: &Score<'_>, fit: &Figures) {
    let done = &fit.linked;
    let claimed: HashSet<i64> = done.iter().flat_map(|(ri, (ci, _))| rows[*ri].cands[*ci].ids.iter().copied()).collect();
    // Whose gold is each passage (first id)?
    let mut owner: BTreeMap<i64, usize> = BTreeMap::new();
    for (ri, r) in rows.iter().enumerate() {
        for c in r.cands.iter().filter(|c| c.label) {
            owner.insert(c.ids[0], ri);
        }
    }
    let (mut also_linked, mut stolen, mut orphan, mut missed_low, mut missed_taken) = (0, 0, 0, 0, 0);
    for (ri, (ci, conf)) in done {
        let r = rows[*ri];
        let c = &r.cands[*ci];
        if c.label {
            continue;
        }
        let o = owner.get(&c.ids[0]).copied();
        let fate = o.map(|o| match done.get(&o) {
            Some((oc, occ)) => format!("owner linked to {} conf {:.2} right={}", rows[o].cands[*oc].ids[0], occ, rows[o].cands[*oc].label),
            None => "owner unlinked".into(),
        });
        match o {
            Some(o) if done.contains_key(&o) => also_linked += 1,
            Some(_) => stolen += 1,
            None => orphan += 1,
        }
        println!(
            "  WRONG {} gold={} conf {conf:.2} passage {} owner {:?} {}",
            &r.sha[..10],
            r.has_gold,
            c.ids[0],
            o.map(|o| &rows[o].sha[..10]),
            fate.unwrap_or_default()
        );
    }
    for (ri, r) in rows.iter().enumerate() {
        if r.has_gold && !done.contains_key(&ri) {
            let best = r.cands.iter().zip(&feats[ri]).filter(|(c, _)| c.label).map(|(c, x)| (score(x, c.keyword, c.semantic).1, c.ids[0])).next();
            let taken = best.is_some_and(|b| claimed.contains(&b.1));
            if taken {
                missed_taken += 1
            } else {
                missed_low += 1
            }
            println!("  MISSED {} best gold conf {:?} taken={taken}", &r.sha[..10], best.map(|b| b.0));
        }
    }
    println!(
        "  wrong: owner also linked {also_linked}, owner left unlinked {stolen}, passage of no commit {orphan}; missed: low {missed_low}, taken {missed_taken}"
    );
}
