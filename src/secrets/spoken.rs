//! Secrets and personal data as speech recognition writes them: the talk is transcribed calls,
//! where a password is "the password for the router is …", an address "jane dot doe at acme
//! dot io" and a number "four one five, eight six seven…", which no rule for written
//! assignments, addresses and digits sees.

use regex::Captures;

use super::checks::value_of_name;
use super::detectors::{d, Detector};
use super::mailboxes::is_example_email;

/// The digits' names, each at its value ("oh" is a zero too).
const DIGITS: [&str; 10] = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

/// A mailbox's name said aloud: its first word (group 2, to judge it by), then parts joined
/// by "dot", "underscore" or "dash", or numbers said after it ("t dot nguyen eighty seven").
const LOCAL: &str = r"([a-z0-9]+)(?:(?:\s+(?:dot|underscore|dash|hyphen)\s+|[._-])[a-z0-9]+|\s+(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred))*";

/// Words a sentence says before "X at Y dot com" that are not a mailbox's name ("look at
/// github dot com", "the team at acme dot io", "logged in at gmail dot com").
const NOT_A_NAME: &[&str] = &[
    "me", "us", "you", "him", "her", "them", "it", "this", "that", "look", "looked", "team", "page", "site", "docs", "folks", "people", "guys", "one", "in",
    "on", "up", "into", "logged", "signed", "account", "inbox", "there", "here",
];

/// The address said: "dot", "underscore", "dash" and "at" as the characters they name.
fn address(said: &str) -> String {
    let lower = said.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    words
        .iter()
        .map(|w| match *w {
            "dot" => ".",
            "underscore" => "_",
            "dash" | "hyphen" => "-",
            "at" => "@",
            w => w,
        })
        .collect()
}

fn spoken_email(c: &Captures, said: &str) -> bool {
    let local = c.get(2).map_or("", |m| m.as_str()).to_ascii_lowercase();
    !NOT_A_NAME.contains(&local.as_str()) && !is_example_email(&address(said))
}

/// Ten to fifteen digits said one by one ("double five" is two), not one digit over and over.
fn spoken_number(_: &Captures, said: &str) -> bool {
    let lower = said.to_ascii_lowercase();
    let mut digits = Vec::new();
    let mut double = false;
    for w in lower.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()) {
        if w == "double" {
            double = true;
            continue;
        }
        let d = DIGITS.iter().position(|n| *n == w).or((w == "oh").then_some(0));
        if let Some(d) = d {
            digits.extend(std::iter::repeat_n(d, if double { 2 } else { 1 }));
        }
        double = false;
    }
    // A North American number's 555 exchange is the films' and guides' (as written, `numbers.rs`).
    let national = if digits.len() == 11 && digits[0] == 1 { &digits[1..] } else { &digits[..] };
    let fictional = national.len() == 10 && national[3..6] == [5, 5, 5];
    (10..=15).contains(&digits.len()) && digits.iter().any(|d| *d != digits[0]) && !fictional
}

pub(super) fn detectors() -> Vec<Detector> {
    let digit = format!("oh|{}", DIGITS.join("|"));
    vec![
        // Said aloud (the talk is transcribed speech): "the password is …", "the password for
        // the router is …", "the api key was …".
        d(
            "assigned_secret",
            r#"(?i)\b(password|passcode|passphrase|passwort|secret key|api key|access key|token)(?:\s+(?:for|of|on|to)(?:\s+the)?\s+[\w.\-]+)?\s+(?:is|was)\s+(?:still\s+|now\s+|just\s+)?['"]?([^\s,;"'()]{4,})"#,
            &[2],
            |c, v| value_of_name(&c[1].replace(' ', "_"), v.trim_end_matches(['.', ',', '!', '?'])),
        ),
        // "email me at jane dot doe at acme dot io": only after a word for writing to someone
        // in the same sentence, so "we looked at stripe dot com" is none.
        Detector {
            hint: Some(|t| t.contains(" dot ")),
            ..d(
                "email",
                &format!(
                    r"(?i)\b(?:e-?mail(?:ed|ing)?|mail|address|reach|contact|write|send)\b[^.?!\r\n]{{0,40}}?\b({LOCAL}\s+at\s+[a-z0-9-]+(?:\s+(?:dot|dash|hyphen)\s+[a-z0-9-]+)*\s+dot\s+(?:com|org|net|io|co|edu|gov|dev|ai|app|me|us|uk|de|fr|ca|au|in|nl|ch|se|eu))\b"
                ),
                &[1],
                spoken_email,
            )
        },
        // …or at a mail provider's domain, which names a mailbox whatever came before it
        // ("it's jdoe at gmail dot com").
        Detector {
            hint: Some(|t| t.contains(" dot ")),
            ..d(
                "email",
                &format!(
                    r"(?i)\b({LOCAL}\s+at\s+(?:gmail|googlemail|outlook|hotmail|live|yahoo|icloud|proton|protonmail|fastmail|hey|aol|gmx|yandex|zoho)\s+dot\s+(?:com|me|de|net|co\s+dot\s+uk))\b"
                ),
                &[1],
                spoken_email,
            )
        },
        Detector {
            hint: Some(|t| t.contains("one") || t.contains("two") || t.contains("five") || t.contains("seven")),
            ..d("phone", &format!(r"(?i)\b((?:(?:double\s+)?(?:{digit})[\s,.-]+){{8,}}(?:double\s+)?(?:{digit}))\b"), &[1], spoken_number)
        },
    ]
}

#[cfg(test)]
mod tests {
    use crate::secrets::cases::{finds_none, redacts_to};

    #[test]
    fn addresses_and_numbers_said_aloud_are_found() {
        redacts_to(&[
            ("yeah just email me at john dot doe at gmail dot com and I'll send it", "yeah just email me at [REDACTED:email] and I'll send it"),
            ("you can reach her at jane underscore smith at acme dash corp dot io", "you can reach her at [REDACTED:email]"),
            ("send it to priya.k at fastmail dot com.", "send it to [REDACTED:email]."),
            ("it's jdoe eighty one at gmail dot com, no caps", "it's [REDACTED:email], no caps"),
            ("call me at four one five, eight six seven, zero one three two after five", "call me at [REDACTED:phone] after five"),
            ("it's oh seven seven double nine, one two three four five six", "it's [REDACTED:phone]"),
        ]);
    }

    #[test]
    fn speech_that_only_sounds_like_them_stays() {
        finds_none(
            &["email", "phone"],
            &[
                "we looked at stripe dot com for the checkout flow",
                "send the team at acme dot io the notes",
                "email support at example dot com",
                "check the page at github dot com slash issues",
                "I logged in at gmail dot com and the account at outlook dot com",
                "one two three four five six seven eight nine ten",
                "zero zero zero zero zero zero zero zero zero zero",
                "retry one, two or three times, then five, then seven, then nine",
                "the demo line is four one five, five five five, zero one three two",
            ],
        );
    }
}
