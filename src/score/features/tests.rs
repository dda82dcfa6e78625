//! Tests of the feature vector: context, talk level, shared work.

use super::*;

const RANK_MARGIN: usize = BASE;
const PASSAGE_RANK_MARGIN: usize = BASE + 1;
const BEST_FOR_PASSAGE: usize = BASE + 2;
const PASSAGE_OVER_MEAN: usize = BASE + 3;

fn cand(passage: usize, semantic: f64, bm25: f64) -> Candidate {
    Candidate {
        passage,
        raw: Raw {
            keyword: bm25 / 2.0,
            bm25,
            semantic,
            semantic_message: semantic / 2.0,
            gap_hours: 23.0,
            identifiers_said: 1,
            author_speaks: true,
            like_commits: 0.0,
            semantic_centred: 0.0,
        },
    }
}

#[test]
fn the_same_change_committed_twice_does_not_compete_for_a_passage() {
    // Commits 0 and 1 make one change; commit 2 is other work. All see passage 1.
    let commits = vec![vec![cand(1, 0.8, 0.6)], vec![cand(1, 0.7, 0.6)], vec![cand(1, 0.5, 0.6)]];
    let mut w = vec![0.0; BASE];
    w[0] = 4.0;
    let ranker = Logistic { weights: w, bias: 0.0 };
    let apart = derive(&commits, &[], &ranker, &ranker, true, None);
    assert_eq!((apart[0][0][BEST_FOR_PASSAGE], apart[1][0][BEST_FOR_PASSAGE]), (1.0, 0.0), "apart, commit 1 is not the passage's best");
    let one = derive(&commits, &["a", "a", "b"], &ranker, &ranker, true, None);
    assert_eq!(
        (one[0][0][BEST_FOR_PASSAGE], one[1][0][BEST_FOR_PASSAGE], one[2][0][BEST_FOR_PASSAGE]),
        (1.0, 1.0, 0.0),
        "one change: both lead the other work"
    );
    assert!((one[1][0][PASSAGE_RANK_MARGIN] - (0.8f64 / 4.0).tanh()).abs() < 1e-12, "commit 1 against commit 2 alone: 4 × (0.7 − 0.5)");
    assert!((one[2][0][PASSAGE_RANK_MARGIN] + (1.2f64 / 4.0).tanh()).abs() < 1e-12, "other work still meets the best of them");
}

#[test]
fn margins_compare_with_the_commits_and_passages_best_other() {
    // Commit 0 sees passages 1 and 2; commit 1 sees passage 1 only, less similar.
    let commits = vec![vec![cand(1, 0.8, 0.6), cand(2, 0.5, 0.2)], vec![cand(1, 0.6, 0.3)]];
    // A ranker that reads the semantic score alone, times 4.
    let mut w = vec![0.0; BASE];
    w[0] = 4.0;
    let ranker = Logistic { weights: w, bias: 0.0 };
    let f = derive(&commits, &[], &ranker, &ranker, true, None);
    let a = f[0][0];
    assert!((a[0] - 0.8).abs() < 1e-12 && (a[1] - 0.4).abs() < 1e-12);
    assert!((a[4] - 0.3).abs() < 1e-12, "semantic margin over passage 2");
    assert!((a[6] - 0.15).abs() < 1e-12, "over the mean of 0.8 and 0.5");
    assert!((a[7] - 24f64.ln() / 169f64.ln()).abs() < 1e-12);
    assert!((a[8] - 1.0 / 3.0).abs() < 1e-12 && a[9] == 1.0);
    assert!((a[RANK_MARGIN] - (1.2f64 / 4.0).tanh()).abs() < 1e-12, "ranker lead over passage 2: 4 × 0.3");
    assert!((a[PASSAGE_RANK_MARGIN] - (0.8f64 / 4.0).tanh()).abs() < 1e-12, "passage 1: 4 × (0.8 − 0.6) over commit 1");
    assert_eq!(a[BEST_FOR_PASSAGE], 1.0);
    assert!((a[PASSAGE_OVER_MEAN] - 0.1).abs() < 1e-12, "0.8 against passage 1's mean of 0.7");
    assert_eq!(f[1][0][BEST_FOR_PASSAGE], 0.0, "commit 1 is not passage 1's best");
    assert!((f[1][0][PASSAGE_RANK_MARGIN] + (0.8f64 / 4.0).tanh()).abs() < 1e-12);
    assert!((f[1][0][RANK_MARGIN] - 1.0f64.tanh()).abs() < 1e-12, "a lone candidate leads by 4 logits");
    assert_eq!(a[TALK_LEVEL_INDEX], TALK_LEVEL_NEUTRAL, "two commits are too few to say what kind of talk this is");
    let hook = derive(&commits, &[], &ranker, &ranker, false, Some(0.3));
    assert_eq!((hook[0][0][PASSAGE_RANK_MARGIN], hook[0][0][BEST_FOR_PASSAGE], hook[0][0][PASSAGE_OVER_MEAN]), (0.0, 0.0, 0.0));
    assert_eq!(hook[0][0][TALK_LEVEL_INDEX], 0.3, "the hook's level comes from its history");
    // At a level of 0.3 every cosine feature reads 0.44 / 0.3 times larger.
    let k = TALK_LEVEL_NEUTRAL / 0.3;
    assert!((hook[0][0][0] - 0.8 * k).abs() < 1e-12 && (hook[0][0][4] - 0.3 * k).abs() < 1e-12);
    assert!((hook[0][0][RANK_MARGIN] - (1.2 * k / 4.0).tanh()).abs() < 1e-12);
    assert_eq!(hook[0][0][2], a[2], "keyword scores are not cosines");
}

#[test]
fn cosines_are_read_at_the_level_of_their_talk() {
    // The same 25 commits twice: once as plain talk, once as quiet talk where every
    // cosine is half as high. Read at their talk's level, the two give the same features
    // but the level itself.
    let ranker = Logistic { weights: vec![1.0; BASE], bias: 0.0 };
    let world =
        |k: f64| -> Vec<Vec<Candidate>> { (0..25).map(|i| vec![cand(2 * i, k * (0.4 + i as f64 / 100.0), 0.3), cand(2 * i + 1, k * 0.2, 0.1)]).collect() };
    let (plain, quiet) = (derive(&world(1.0), &[], &ranker, &ranker, true, None), derive(&world(0.5), &[], &ranker, &ranker, true, None));
    for (p, q) in plain.iter().flatten().zip(quiet.iter().flatten()) {
        for i in 0..N - 1 {
            assert!((p[i] - q[i]).abs() < 1e-9, "{}: {} vs {}", NAMES[i], p[i], q[i]);
        }
        assert!((p[N - 1] - 2.0 * q[N - 1]).abs() < 1e-12, "the level says which talk it was");
    }
    assert!((plain[0][0][0] - 0.4 * TALK_LEVEL_NEUTRAL / 0.52).abs() < 1e-12, "median best cosine 0.52");
    assert_eq!(talk_scale(0.05), 2.0);
    assert_eq!(talk_scale(0.99), 0.5);
}

#[test]
fn talk_level_is_the_median_best_cosine_over_commits() {
    let ranker = Logistic { weights: vec![0.0; BASE], bias: 0.0 };
    // 25 commits; commit k's best candidate has cosine k / 100, its other one 0.01.
    let commits: Vec<Vec<Candidate>> = (0..25).map(|k| vec![cand(2 * k, k as f64 / 100.0, 0.1), cand(2 * k + 1, 0.01, 0.1)]).collect();
    let f = derive(&commits, &[], &ranker, &ranker, true, None);
    assert!(f.iter().flatten().all(|x| (x[TALK_LEVEL_INDEX] - 0.12).abs() < 1e-12), "median of 0.00..0.24 is 0.12");
    // Commits without candidates do not count.
    let mut more = commits.clone();
    more.extend((0..30).map(|_| Vec::new()));
    assert!((derive(&more, &[], &ranker, &ranker, true, None)[0][0][TALK_LEVEL_INDEX] - 0.12).abs() < 1e-12);
    // A level known from the history counts only where these commits are too few.
    assert!((derive(&commits, &[], &ranker, &ranker, true, Some(0.5))[0][0][TALK_LEVEL_INDEX] - 0.12).abs() < 1e-12);
    assert_eq!(derive(&commits[..5], &[], &ranker, &ranker, true, Some(0.5))[0][0][TALK_LEVEL_INDEX], 0.5);
}
