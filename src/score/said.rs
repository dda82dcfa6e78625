//! What the talk says of the commit besides its meaning: its code's names, and who speaks.

/// Distinctive code names of a commit, lower-cased: identifiers and file stems long enough
/// (6+ characters) or compound enough (camelCase, snake_case) that saying one is no accident.
pub fn distinctive_names<'a>(identifiers: impl Iterator<Item = &'a str>, paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let stems = paths.filter_map(|p| p.rsplit('/').next()).map(|f| f.split('.').next().unwrap_or(f));
    let mut out: Vec<String> = Vec::new();
    for name in identifiers.chain(stems) {
        let compound = name.contains('_') || name.chars().skip(1).any(|c| c.is_uppercase());
        if name.len() >= 6 || (compound && name.len() >= 4) {
            let lower = name.to_lowercase();
            if !out.contains(&lower) {
                out.push(lower);
            }
        }
    }
    out
}

/// How many of `names` occur in `text_lower` as whole words.
pub fn names_said(names: &[String], text_lower: &str) -> usize {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    names
        .iter()
        .filter(|n| {
            text_lower.match_indices(n.as_str()).any(|(at, _)| {
                let before = text_lower[..at].chars().next_back();
                let after = text_lower[at + n.len()..].chars().next();
                !before.is_some_and(word) && !after.is_some_and(word)
            })
        })
        .count()
}

/// Whether the commit's author is among the speakers (full name, or first name alone).
pub fn author_speaks(author: &str, speakers: &[String]) -> bool {
    let author = author.trim().to_lowercase();
    let first = author.split_whitespace().next().unwrap_or("");
    !author.is_empty()
        && speakers.iter().any(|s| {
            let s = s.trim().to_lowercase();
            s == author || (!first.is_empty() && s.split_whitespace().next() == Some(first))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_said_whole_words_only() {
        let names = distinctive_names(["HttpSessionStore", "setAttribute", "foo", "page_size"].into_iter(), ["src/Session.java"].into_iter());
        assert_eq!(names, ["httpsessionstore", "setattribute", "page_size", "session"]);
        assert_eq!(names_said(&names, "httpsessionstore#setattribute is duplicated; page_sizes"), 2);
        assert!(author_speaks("Ana Lima", &["ana".into()]));
        assert!(!author_speaks("Ana Lima", &["Bob".into()]));
    }
}
