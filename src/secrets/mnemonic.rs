//! Wallet recovery phrases (BIP-39): 12 to 24 words of the standard English list in a row,
//! which are a wallet's whole private key. Written into a `.env`, a test fixture or a note
//! (`MNEMONIC="…"`), or said aloud in a call, they carry no name a secret detector knows and
//! no entropy a character test sees: every word is an ordinary one.
//!
//! A run is a phrase when its checksum holds (the last word encodes a hash of the others:
//! 1 in 16 for 12 random list words, and ordinary prose rarely puts even a dozen list words
//! in a row, since "the", "a", "to", "of" and "is" are not on it) or when a name for one
//! (`mnemonic`, `seed`, `recovery phrase`, `wallet`) comes just before it.

use std::ops::Range;
use std::sync::LazyLock;

use bip39::{Language, Mnemonic};
use regex::Regex;

/// What a phrase is called just before it.
static NAMED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)(mnemonic|seed|recovery|wallet|secret)[\w\s-]{0,20}[\s=:'\x22]*$").unwrap());

const MIN_WORDS: usize = 12;
const MAX_WORDS: usize = 24;

/// Byte ranges of the recovery phrases in `text`.
///
/// One pass over the bytes finds runs of whole lower-case words apart by blanks only (a line
/// break at most); only a run of 12 or more is looked up in the list, so the scan costs little
/// more than reading the text.
pub(super) fn findings(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let word_byte = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    let mut out = Vec::new();
    let mut run: Vec<Range<usize>> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !word_byte(b[i]) {
            i += 1;
            continue;
        }
        // A token: whole lower-case letters make a word, anything else ends the run.
        let start = i;
        while i < b.len() && word_byte(b[i]) {
            i += 1;
        }
        if !b[start..i].iter().all(u8::is_ascii_lowercase) {
            phrases(text, &mut run, &mut out);
            continue;
        }
        let joined = run.last().is_some_and(|last| {
            let gap = &b[last.end..start];
            gap.iter().all(u8::is_ascii_whitespace) && gap.iter().filter(|c| **c == b'\n').count() <= 1
        });
        if !joined {
            phrases(text, &mut run, &mut out);
        }
        run.push(start..i);
    }
    phrases(text, &mut run, &mut out);
    out
}

/// The phrases in `run` (consecutive lower-case words), which it empties: each stretch of
/// 12 to 24 list words that passes its checksum or follows a name for one.
fn phrases(text: &str, run: &mut Vec<Range<usize>>, out: &mut Vec<(usize, usize)>) {
    if run.len() >= MIN_WORDS {
        for stretch in run.split(|w| Language::English.find_word(&text[w.clone()]).is_none()) {
            if !(MIN_WORDS..=MAX_WORDS).contains(&stretch.len()) {
                continue;
            }
            let (start, end) = (stretch[0].start, stretch[stretch.len() - 1].end);
            let words: Vec<&str> = stretch.iter().map(|r| &text[r.clone()]).collect();
            // The name, if any: on the phrase's line, at most 80 bytes before it.
            let mut from = text[..start].rfind('\n').map_or(0, |i| i + 1).max(start.saturating_sub(80));
            while !text.is_char_boundary(from) {
                from += 1;
            }
            if NAMED.is_match(&text[from..start]) || Mnemonic::parse_in_normalized(Language::English, &words.join(" ")).is_ok() {
                out.push((start, end));
            }
        }
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        super::super::spans(text, findings(text))
    }

    #[test]
    fn phrases_are_found_by_their_checksum_or_their_name() {
        // The standard test vectors, valid checksums, 12 and 24 words.
        let twelve = "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about";
        let hardhat = "test test test test test test test test test test test junk";
        assert_eq!(found(&format!("const WALLET = \"{twelve}\";")), [twelve]);
        assert_eq!(found(&format!("accounts: {{ mnemonic: '{hardhat}' }}")), [hardhat]);
        let long = "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";
        assert_eq!(found(&format!("- {long}\n")), [long]);
        // Across a line break, as a note wraps it.
        let wrapped = "abandon abandon abandon abandon abandon abandon\nabandon abandon abandon abandon abandon about";
        assert_eq!(found(wrapped), [wrapped]);
        // A made-up phrase (its checksum fails) under a name for one.
        let made_up = "account ability absorb access accident acid abstract able absurd abuse above achieve".to_string();
        assert!(found(&made_up).is_empty(), "no name, no checksum");
        assert_eq!(found(&format!("SEED_PHRASE=\"{made_up}\"")), [made_up.as_str()]);
        assert_eq!(found(&format!("my recovery phrase is {made_up}")), [made_up.as_str()]);
    }

    #[test]
    fn prose_code_and_word_lists_are_not_phrases() {
        for text in [
            "the export times out for big customers so we should retry the upload with a longer timeout",
            "fn main() { let order = cancel_order(account, amount); report(order, account, amount, balance, rate, total, limit, window); }",
            "alpha beta gamma delta",
            // A word list file: far more than 24 in a row.
            &Language::English.word_list()[..300].join("\n"),
            // Eleven words are too few, whatever they are called.
            "mnemonic: abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about",
        ] {
            assert!(found(text).is_empty(), "{text}");
        }
    }
}
