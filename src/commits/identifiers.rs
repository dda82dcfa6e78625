//! The names a commit's added code uses, most frequent first: what `identifiers_said` looks
//! for in the talk.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

/// Words that are syntax, not names: they say nothing about what a change is about.
const KEYWORDS: &[&str] = &[
    "let",
    "mut",
    "pub",
    "fn",
    "use",
    "mod",
    "impl",
    "struct",
    "enum",
    "trait",
    "for",
    "while",
    "loop",
    "if",
    "else",
    "match",
    "return",
    "self",
    "Self",
    "crate",
    "super",
    "where",
    "async",
    "await",
    "move",
    "ref",
    "const",
    "static",
    "type",
    "dyn",
    "true",
    "false",
    "None",
    "Some",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Option",
    "Result",
    "def",
    "class",
    "import",
    "from",
    "function",
    "var",
    "this",
    "new",
    "null",
    "undefined",
    "int",
    "str",
    "and",
    "not",
    "the",
    "with",
    "into",
    "clone",
    "unwrap",
];

/// Identifiers (3+ characters) in `lines`, most frequent first, at most 64.
pub fn identifiers<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    static IDENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]{2,}").expect("valid regex"));
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for line in lines {
        // Comments' words are prose, not names; the part before `//` still counts.
        let code = line.split("//").next().unwrap_or(line);
        for m in IDENT.find_iter(code) {
            if !KEYWORDS.contains(&m.as_str()) {
                *counts.entry(m.as_str()).or_default() += 1;
            }
        }
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked.into_iter().take(64).map(|(w, _)| w.to_string()).collect()
}
