//! Vectors an earlier version stored (a pair's or an answer's features, a repository's refit
//! weights), laid out as today's scorer reads them.

use super::features::{LIKE_COMMITS_INDEX, N};

/// `v`, a vector stored before `talk_of_like_commits` when it is shorter than `now` (its
/// first `lead` entries come before the features: a calibration's ranker score), with a 0 in
/// the new feature's place. Feature vectors and weights are laid out anew by this one rule.
pub fn widen(v: &mut Vec<f64>, lead: usize, now: usize) {
    if v.len() < now && v.len() >= lead + LIKE_COMMITS_INDEX {
        v.insert(lead + LIKE_COMMITS_INDEX, 0.0);
    }
}

/// A stored feature vector laid out as today: one from before `talk_of_like_commits` gets a 0
/// in its place, and features added after it was stored read 0. `None`: not a layout this
/// version knows (fewer than the first ranker's ten features, or more than [`N`]).
pub fn upgrade(stored: &[f64]) -> Option<[f64; N]> {
    if !(LIKE_COMMITS_INDEX..=N).contains(&stored.len()) {
        return None;
    }
    let mut v = stored.to_vec();
    widen(&mut v, 0, N);
    let mut out = [0.0; N];
    out[..v.len()].copy_from_slice(&v);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::features::{BASE, TALK_LEVEL_INDEX};

    #[test]
    fn vectors_stored_before_talk_of_like_commits_are_laid_out_as_today() {
        // Fifteen features as stored before: base 0–9, then rank_margin … talk_level.
        let old: Vec<f64> = (1..=15).map(f64::from).collect();
        let now = upgrade(&old).unwrap();
        assert_eq!(now[..LIKE_COMMITS_INDEX], old[..LIKE_COMMITS_INDEX]);
        assert_eq!(now[LIKE_COMMITS_INDEX], 0.0);
        assert_eq!((now[BASE], now[TALK_LEVEL_INDEX]), (11.0, 15.0), "rank_margin and talk_level where they are now");
        // Older still (no talk_level yet): the features it lacks read 0.
        assert_eq!(upgrade(&old[..11]).unwrap()[BASE..], [11.0, 0.0, 0.0, 0.0, 0.0]);
        let today: Vec<f64> = (1..=16).map(f64::from).collect();
        assert_eq!(upgrade(&today).unwrap().to_vec(), today, "today's layout is kept");
    }
}
