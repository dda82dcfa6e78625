//! Scoring a commit against a discussion.

pub mod cache;
pub mod centre;
pub mod embed;
pub mod fast_model;
pub mod features;
pub mod fillers;
pub mod fitted;
pub mod history;
pub mod keywords;
pub mod like_commits;
pub mod logistic;
pub mod recalibration;
pub mod said;
pub mod semantic;
pub mod stored;
pub mod tokenizer_file;
pub mod user;
pub mod why;

/// The seed guide's formula: `keywordWeight × keyword + semanticWeight × semantic`.
pub fn confidence(keyword: f64, semantic: f64, keyword_weight: f64, semantic_weight: f64) -> f64 {
    keyword_weight * keyword + semantic_weight * semantic
}

/// Cosine similarity of two vectors (0 when either is all zeros).
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    cosine_of(a.iter().copied().zip(b.iter().copied()))
}

/// [`cosine`] of the vectors whose entries `pairs` gives side by side (vectors computed on
/// the fly, such as each less a mean, need not be built).
pub fn cosine_of(pairs: impl Iterator<Item = (f32, f32)>) -> f32 {
    let (mut dot, mut na, mut nb) = (0f32, 0f32, 0f32);
    for (x, y) in pairs {
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        0.0
    } else {
        dot / (na.sqrt() * nb.sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::{confidence, cosine};

    #[test]
    fn confidence_is_the_guides_weighted_sum() {
        assert!((confidence(0.714, 0.872, 0.3, 0.7) - 0.8246).abs() < 1e-4);
        assert_eq!(confidence(1.0, 1.0, 0.3, 0.7), 1.0);
        assert_eq!(confidence(0.0, 0.0, 0.3, 0.7), 0.0);
    }

    #[test]
    fn cosine_of_known_vectors() {
        assert!((cosine(&[1.0, 0.0], &[1.0, 0.0]) - 1.0).abs() < 1e-6);
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).abs() < 1e-6);
        assert!((cosine(&[1.0, 1.0], &[1.0, 0.0]) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }
}
