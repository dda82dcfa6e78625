//! Vectors an earlier version stored (a pair's or an answer's features, a repository's refit
//! weights), laid out as today's scorer reads them.

use super::features::{BASE, CENTRED_INDEX, LIKE_COMMITS_INDEX, N};

/// The base features added since the first layout, oldest first, each at its index.
const ADDED: [usize; 2] = [LIKE_COMMITS_INDEX, CENTRED_INDEX];

/// `v`, a vector stored before today's base features, laid out as today with a 0 in each
/// missing one's place. Its first `lead` entries come before the features (a calibration's
/// ranker score); `now` is today's length: `lead + BASE` (a ranker's weights) or `lead + N`
/// (every feature). Feature vectors and weights are laid out anew by this one rule.
pub fn widen(v: &mut Vec<f64>, lead: usize, now: usize) {
    let Some(k) = v.len().checked_sub(lead) else { return };
    if k < LIKE_COMMITS_INDEX || v.len() >= now {
        return;
    }
    // Which layout: every feature (the base ones, then the ranker's context) or base alone.
    let lacking = if now - lead == N {
        // First layout: 10 base features and up to 5 of context; then 16; today 17.
        if k <= LIKE_COMMITS_INDEX + (N - BASE) {
            ADDED.len()
        } else {
            N - k
        }
    } else {
        BASE - k
    };
    for at in &ADDED[ADDED.len() - lacking.min(ADDED.len())..] {
        v.insert(lead + at, 0.0);
    }
}

/// A stored feature vector laid out as today: base features added since it was stored read 0
/// in their places, and context features it lacks read 0. `None`: not a layout this version
/// knows (fewer than the first ranker's ten features, or more than [`N`]).
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
    use crate::score::features::TALK_LEVEL_INDEX;

    #[test]
    fn vectors_stored_before_talk_of_like_commits_are_laid_out_as_today() {
        // Fifteen features as stored before: base 0–9, then rank_margin … talk_level.
        let old: Vec<f64> = (1..=15).map(f64::from).collect();
        let now = upgrade(&old).unwrap();
        assert_eq!(now[..LIKE_COMMITS_INDEX], old[..LIKE_COMMITS_INDEX]);
        assert_eq!((now[LIKE_COMMITS_INDEX], now[CENTRED_INDEX]), (0.0, 0.0));
        assert_eq!((now[BASE], now[TALK_LEVEL_INDEX]), (11.0, 15.0), "rank_margin and talk_level where they are now");
        // Older still (no talk_level yet): the features it lacks read 0.
        assert_eq!(upgrade(&old[..11]).unwrap()[BASE..], [11.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn vectors_stored_before_semantic_centred_are_laid_out_as_today() {
        // Sixteen: base 0–10 (talk_of_like_commits last), then rank_margin … talk_level.
        let old: Vec<f64> = (1..=16).map(f64::from).collect();
        let now = upgrade(&old).unwrap();
        assert_eq!(now[..CENTRED_INDEX], old[..CENTRED_INDEX]);
        assert_eq!(now[CENTRED_INDEX], 0.0);
        assert_eq!((now[BASE], now[TALK_LEVEL_INDEX]), (12.0, 16.0));
        let today: Vec<f64> = (1..=17).map(f64::from).collect();
        assert_eq!(upgrade(&today).unwrap().to_vec(), today, "today's layout is kept");
        // A ranker's weights: ten (first layout) and eleven (before this) both become twelve.
        for len in [10, 11] {
            let mut w: Vec<f64> = (1..=len).map(f64::from).collect();
            widen(&mut w, 0, BASE);
            assert_eq!(w.len(), BASE);
            assert_eq!((w[9], w[CENTRED_INDEX]), (10.0, 0.0), "{len}");
        }
        // A calibration's weights: the ranker's score first, then sixteen features.
        let mut c: Vec<f64> = (0..17).map(f64::from).collect();
        widen(&mut c, 1, N + 1);
        assert_eq!((c.len(), c[1 + CENTRED_INDEX], c[1 + BASE]), (N + 1, 0.0, 12.0));
    }
}
