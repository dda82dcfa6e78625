//! How close a generation is to the code the team really wrote.
//!
//! - **chrF** (Popović 2015), as sacreBLEU 2 computes it by default: character n-grams of
//!   orders 1 to 6 with whitespace removed; per order, precision and recall of the clipped
//!   matches; both averaged over the orders that both texts have; then the F-score with
//!   β = 2 (recall weighs more), from 0 to 100. Of the common automatic measures it is the one
//!   that tracks people's judgement of generated code best.
//! - **Identifier recall**: the share of the distinct identifiers in the real code (names of
//!   two characters or more, not keywords) that the generation uses too.
//!
//! Our pairs' outputs start each file with a `// file: PATH` line; those lines are not code
//! and are left out of both measures.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

const CHAR_ORDER: usize = 6;
const BETA: f64 = 2.0;

/// chrF of `hypothesis` against `reference`, 0–100.
pub fn chrf(hypothesis: &str, reference: &str) -> f64 {
    let (hyp, rf) = (chars(&code_only(hypothesis)), chars(&code_only(reference)));
    let (mut precision, mut recall, mut orders) = (0.0, 0.0, 0usize);
    for n in 1..=CHAR_ORDER {
        let (h, r) = (ngrams(&hyp, n), ngrams(&rf, n));
        let (n_hyp, n_ref): (usize, usize) = (h.values().sum(), r.values().sum());
        if n_hyp == 0 || n_ref == 0 {
            continue;
        }
        let matched: usize = h.iter().map(|(g, c)| (*c).min(r.get(g).copied().unwrap_or(0))).sum();
        precision += matched as f64 / n_hyp as f64;
        recall += matched as f64 / n_ref as f64;
        orders += 1;
    }
    if orders == 0 {
        return 0.0;
    }
    let (p, r) = (precision / orders as f64, recall / orders as f64);
    let b2 = BETA * BETA;
    if p + r == 0.0 {
        0.0
    } else {
        100.0 * (1.0 + b2) * p * r / (b2 * p + r)
    }
}

/// The share (0–1) of the reference's identifiers that the hypothesis uses; `None` when the
/// reference has none.
pub fn identifier_recall(hypothesis: &str, reference: &str) -> Option<f64> {
    let wanted = identifiers(&code_only(reference));
    if wanted.is_empty() {
        return None;
    }
    let used = identifiers(&code_only(hypothesis));
    Some(wanted.intersection(&used).count() as f64 / wanted.len() as f64)
}

static IDENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").expect("valid regex"));

/// Words every language of ours spells the same way: not names anyone chose.
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "crate",
    "def",
    "default",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "fn",
    "for",
    "from",
    "func",
    "function",
    "if",
    "impl",
    "import",
    "in",
    "interface",
    "let",
    "loop",
    "match",
    "mod",
    "mut",
    "new",
    "None",
    "nil",
    "null",
    "package",
    "pass",
    "private",
    "protected",
    "pub",
    "public",
    "return",
    "self",
    "Self",
    "static",
    "struct",
    "super",
    "switch",
    "this",
    "throw",
    "throws",
    "trait",
    "true",
    "try",
    "type",
    "undefined",
    "use",
    "var",
    "void",
    "where",
    "while",
    "with",
    "yield",
    "int",
    "str",
    "bool",
    "String",
    "u8",
    "u16",
    "u32",
    "u64",
    "usize",
    "i32",
    "i64",
    "f32",
    "f64",
];

/// Distinct identifiers of `code`: two characters or more, not keywords.
pub fn identifiers(code: &str) -> HashSet<String> {
    IDENT.find_iter(code).map(|m| m.as_str()).filter(|w| w.len() >= 2 && !KEYWORDS.contains(w)).map(str::to_string).collect()
}

/// `text` without our `// file: PATH` header lines.
fn code_only(text: &str) -> String {
    text.lines().filter(|l| !l.trim_start().starts_with("// file:")).collect::<Vec<_>>().join("\n")
}

fn chars(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

fn ngrams(chars: &[char], n: usize) -> HashMap<&[char], usize> {
    let mut out = HashMap::new();
    if chars.len() >= n {
        for w in chars.windows(n) {
            *out.entry(w).or_insert(0) += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    /// Worked by hand: orders 1..6, match counts clipped, P and R averaged over the orders
    /// both texts have, F with β = 2.
    #[test]
    fn chrf_matches_hand_computed_values() {
        assert!(close(chrf("abc", "abc"), 100.0));
        // "ab" vs "ac": order 1 P = R = 1/2; order 2 P = R = 0 → P = R = 1/4 → F = 25.
        assert!(close(chrf("ab", "ac"), 25.0));
        // "abc" vs "abd": orders 1–3 give 2/3, 1/2, 0 → P = R = 7/18.
        assert!(close(chrf("abc", "abd"), 100.0 * 7.0 / 18.0));
        // "a" vs "ab": only order 1 counts; P = 1, R = 1/2 → F2 = 5·½ / (4 + ½) = 5/9.
        assert!(close(chrf("a", "ab"), 100.0 * 5.0 / 9.0));
        // Whitespace is removed; repeated n-grams are clipped to the reference's count.
        assert!(close(chrf("a b c", "abc"), 100.0));
        // "aa" vs "a": order 1: 2 hyp, 1 ref, 1 match → P = ½, R = 1 → F2 = 5·½ / (2 + 1) = 5/6.
        assert!(close(chrf("aa", "a"), 100.0 * 5.0 / 6.0));
        assert!(close(chrf("", "abc"), 0.0));
        assert!(close(chrf("xyz", "abc"), 0.0));
    }

    #[test]
    fn identifier_recall_counts_named_things_not_keywords_or_file_headers() {
        let real = "// file: src/page.rs\npub fn paginate(items: &[Item], page_size: usize) -> Page {\n    Page::new(items, page_size)\n}";
        // Identifiers of the real code: paginate, items, Item, page_size, Page.
        assert_eq!(identifiers(&code_only(real)).len(), 5);
        let gen = "fn paginate(items: Vec<Item>) -> Vec<Item> { items }";
        assert!(close(identifier_recall(gen, real).unwrap(), 3.0 / 5.0));
        assert!(close(identifier_recall(real, real).unwrap(), 1.0));
        assert_eq!(identifier_recall("x", "// file: a.rs\nlet x = 1;"), None);
    }
}
