//! One fine-tuned run against another, pair by pair, from what `eval` already measured of
//! each: did the new settings (a learning rate, more iterations, a resumed run, more pairs)
//! do better than the old on the same held-out commits? Nothing is generated again.
//!
//! Pairs are matched by their commit, so two runs whose test splits overlap only in part (the
//! dataset grew between them) are compared on the commits both held out. Generation measures
//! need the same token budget on both sides (a longer generation scores differently), and code
//! loss the same base model (it is per token of that model's tokenizer).

use std::collections::BTreeMap;

use super::compare::{self, Comparison};
use super::{Report, MEASURES};

/// The comparison of run `a` with run `b`: `a`'s fine-tuned side against `b`'s.
#[derive(Debug, Clone, PartialEq)]
pub struct Against {
    /// Commits both runs scored.
    pub pairs: usize,
    /// Commits only one of them scored (held out by one run alone, or not generated yet).
    pub only_a: usize,
    pub only_b: usize,
    /// Per measure: the mean of `a` and of `b` over the common pairs, and `a` − `b` pair by
    /// pair (`better` means `a` did better).
    pub measures: BTreeMap<&'static str, (f64, f64, Comparison)>,
    /// Measures left out, and why.
    pub left_out: Vec<(&'static str, &'static str)>,
}

pub const OTHER_BUDGET: &str = "the runs were evaluated with different --max-tokens";
pub const OTHER_BASE: &str = "the runs have different base models, whose tokens differ";

/// Compare the fine-tuned sides of two evaluations.
pub fn between(a: &Report, b: &Report) -> Against {
    let by_commit = |r: &Report| -> BTreeMap<String, super::PairScore> { r.adapter.pairs.iter().filter_map(|p| Some((p.sha.clone()?, p.clone()))).collect() };
    let (pa, pb) = (by_commit(a), by_commit(b));
    let common: Vec<(&super::PairScore, &super::PairScore)> = pa.iter().filter_map(|(sha, x)| Some((x, pb.get(sha)?))).collect();
    let mut measures = BTreeMap::new();
    let mut left_out = Vec::new();
    for m in &MEASURES {
        let why = if m.key == super::CODE_LOSS {
            (a.adapter.model != b.adapter.model).then_some(OTHER_BASE)
        } else {
            (a.max_tokens != b.max_tokens).then_some(OTHER_BUDGET)
        };
        if let Some(why) = why {
            left_out.push((m.name, why));
            continue;
        }
        let values: Vec<(f64, f64)> = common.iter().filter_map(|(x, y)| Some(((m.value)(y)?, (m.value)(x)?))).collect();
        let mean = |side: fn(&(f64, f64)) -> f64| values.iter().map(side).sum::<f64>() / values.len().max(1) as f64;
        if let Some(c) = compare::compare(&values, m.higher_is_better) {
            measures.insert(m.key, (mean(|v| v.1), mean(|v| v.0), c));
        }
    }
    Against { pairs: common.len(), only_a: pa.len() - common.len(), only_b: pb.len() - common.len(), measures, left_out }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{PairScore, Side};

    fn report(model: &str, max_tokens: u32, pairs: &[(&str, f64, f64)]) -> Report {
        let pairs = pairs
            .iter()
            .enumerate()
            .map(|(id, (sha, chrf, loss))| PairScore {
                id,
                sha: Some(sha.to_string()),
                chrf: *chrf,
                identifier_recall: None,
                code_loss: Some(*loss),
                code_tokens: Some(10),
                generation: "eval/adapter.t16.jsonl".into(),
            })
            .collect();
        Report {
            run_id: "r".into(),
            created: String::new(),
            complete: true,
            pairs_in_test: 0,
            max_tokens,
            base: Side::default(),
            adapter: Side { model: model.into(), pairs, ..Side::default() },
            comparison: Default::default(),
        }
    }

    #[test]
    fn pairs_are_matched_by_commit_and_the_first_run_is_the_subject() {
        // b's test split is shifted by two commits (the dataset grew): five in common.
        let a = report("m", 16, &[("c1", 40.0, 2.0), ("c2", 41.0, 2.1), ("c3", 42.0, 2.2), ("c4", 43.0, 2.3), ("c5", 44.0, 2.4), ("c6", 45.0, 2.5)]);
        let b = report("m", 16, &[("c3", 30.0, 3.2), ("c4", 31.0, 3.3), ("c5", 32.0, 3.4), ("c6", 33.0, 3.5), ("c7", 34.0, 3.6), ("c8", 35.0, 3.7)]);
        let r = between(&a, &b);
        assert_eq!((r.pairs, r.only_a, r.only_b), (4, 2, 2));
        let (mean_a, mean_b, loss) = &r.measures["code_loss"];
        assert!((mean_a - 2.35).abs() < 1e-9 && (mean_b - 3.35).abs() < 1e-9, "{mean_a} {mean_b}");
        assert!((loss.difference + 1.0).abs() < 1e-9, "{loss:?}");
        assert_eq!((loss.better, loss.worse), (4, 0), "a lower loss is a's win");
        assert_eq!(loss.verdict, compare::Verdict::TooFew, "four pairs give no interval");
        // The other way round: the same pairs, the other sign.
        let back = between(&b, &a);
        assert_eq!((back.measures["chrf"].2.better, back.measures["chrf"].2.worse), (0, 4));
    }

    #[test]
    fn measures_that_cannot_compare_are_left_out_with_the_reason() {
        let six: Vec<(String, f64, f64)> = (0..6).map(|i| (format!("c{i}"), 40.0 + i as f64, 2.0)).collect();
        let six: Vec<(&str, f64, f64)> = six.iter().map(|(s, c, l)| (s.as_str(), *c, *l)).collect();
        let a = report("m", 16, &six);
        let r = between(&a, &report("m", 64, &six));
        assert!(r.measures.contains_key("code_loss") && !r.measures.contains_key("chrf"));
        assert!(r.left_out.contains(&("chrF", OTHER_BUDGET)));
        let r = between(&a, &report("other", 16, &six));
        assert!(!r.measures.contains_key("code_loss") && r.measures.contains_key("chrf"));
        assert_eq!(r.measures["chrf"].2.verdict, compare::Verdict::Same);
        assert!(r.left_out.contains(&("code loss", OTHER_BASE)));
        // No commit in common: nothing compared.
        let r = between(&a, &report("m", 16, &[("z", 1.0, 1.0)]));
        assert_eq!((r.pairs, r.measures.len()), (0, 0));
    }
}
