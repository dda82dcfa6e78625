//! What a value looks like, whatever its name: random (a token, a salt), a number or a name as
//! code writes them, words, a version range, padded base64.

/// A dependency's version range (`"parse-passwd": "^1.0.0"` in a package.json).
pub(super) fn is_version_range(v: &str) -> bool {
    let rest = v.trim_start_matches(['^', '~', '>', '<', '=', 'v', ' ']);
    rest.len() < v.len() && rest.starts_with(|c: char| c.is_ascii_digit()) && rest.chars().all(|c| c.is_ascii_digit() || ".x*-+ <>=|".contains(c))
}

/// Base64 with its padding: 8 or more characters in fours, ending in `=`, mixing cases.
pub(super) fn is_padded_base64(v: &str) -> bool {
    let body = v.trim_end_matches('=');
    v.len() >= 8
        && v.len().is_multiple_of(4)
        && (1..=2).contains(&(v.len() - body.len()))
        && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/')
        && body.chars().any(|c| c.is_ascii_uppercase())
        && body.chars().any(|c| c.is_ascii_lowercase())
        // A word and `=` (`VersionToken = "Version="`) is a key being looked for.
        && !body.chars().skip(1).all(|c| c.is_ascii_lowercase())
}

/// A random string, not code, though it holds brackets: WordPress's salts and Django's keys
/// draw from `[]{}<>|`. Long, no space, every kind of character, and high entropy.
pub(super) fn is_random(v: &str) -> bool {
    v.chars().count() >= 24
        && !v.contains(char::is_whitespace)
        && mixes_cases_and_digits(v)
        && super::entropy(v) >= 4.2
        && !v.contains("::")
        && !v.contains("->")
        && class_changes(v) * 5 >= v.chars().count() * 3
}

/// A token as services issue them: 20 or more letters, digits and base64's punctuation,
/// mixing cases and digits at random.
pub(super) fn is_random_token(v: &str) -> bool {
    (20..=128).contains(&v.len())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c))
        && mixes_cases_and_digits(v)
        && super::entropy(v) >= 4.0
        && class_changes(v) * 2 >= v.len()
}

/// The part after a provider's prefix, where the prefix is short enough to begin a name in
/// code (`vca_ComputeTotals`, `shpat_…`): letters and digits both, with some entropy. Looser
/// than [`is_random_token`], which a bare value must pass: Shopify's tokens are lower-case hex.
pub(super) fn generated_body(v: &str) -> bool {
    v.chars().any(|c| c.is_ascii_digit()) && v.chars().any(|c| c.is_ascii_alphabetic()) && super::entropy(v) >= 3.0
}

/// A long hex number as services issue keys (GitHub's classic tokens, Django REST Framework's,
/// a UUID: Heroku's and Snyk's): 32 hex digits or more, holding letters and digits both.
pub(super) fn is_hex_token(v: &str) -> bool {
    let digits = v.replace('-', "");
    digits.len() >= 32 && digits.chars().all(|c| c.is_ascii_hexdigit()) && generated_body(&digits)
}

fn mixes_cases_and_digits(v: &str) -> bool {
    v.chars().any(|c| c.is_ascii_digit()) && v.chars().any(|c| c.is_ascii_uppercase()) && v.chars().any(|c| c.is_ascii_lowercase())
}

/// How often the kind of character (upper, lower, digit, other) changes along `v`: nearly
/// every character in a random string, once per word or so in code (`__IncompleteArrayField<__u8>`).
fn class_changes(v: &str) -> usize {
    let class = |c: char| {
        if c.is_ascii_uppercase() {
            0
        } else if c.is_ascii_lowercase() {
            1
        } else if c.is_ascii_digit() {
            2
        } else {
            3
        }
    };
    v.chars().map(class).collect::<Vec<_>>().windows(2).filter(|w| w[0] != w[1]).count()
}

/// `0x0300`, `768u16`, `12`, `1.5e3`: numbers, as code writes them.
pub(super) fn is_number_literal(v: &str) -> bool {
    // Up to 128 bits: a number. Past that, a hex literal is key material (an Ethereum private
    // key is `0x` and 64 hex digits), not a constant anyone computes with.
    let hex = v.strip_prefix("0x").is_some_and(|h| !h.is_empty() && h.len() <= 32 && h.chars().all(|c| c.is_ascii_hexdigit() || c == '_'));
    let dec = v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && v.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c.is_ascii_digit()).is_empty()
        && ["u8", "u16", "u32", "u64", "usize", "i8", "i16", "i32", "i64", "isize", "f32", "f64", "l", "ul", "ll"].iter().any(|s| v.ends_with(s));
    hex || dec || v.parse::<f64>().is_ok()
}

/// A name in code (`_bindgen_ty_7`, `max_retries`, `FooBar`): words and whole numbers
/// joined by `_`, or camelCase words; a password mixes digits into its words (`Xv93k`).
pub(super) fn is_identifier(v: &str) -> bool {
    if !v.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') || !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return false;
    }
    let parts: Vec<&str> = v.split('_').filter(|p| !p.is_empty()).collect();
    // A word is written in one case or in camelCase; letters whose case changes at every
    // other one are a token's (`YXNkZmZmZmZm`), not a name's.
    let word = |p: &str| p.chars().all(|c| c.is_ascii_alphabetic()) && !random_case(p);
    // An environment variable's name in capitals may hold a word with a digit (`B2_REGION`,
    // `AWS_S3_BUCKET`, `OAUTH2_SCOPE`), as External Secrets' `secretKey` names one.
    let capitals = !v.chars().any(|c| c.is_ascii_lowercase());
    let numbered = |p: &str| capitals && p.len() >= 2 && p[..p.len() - 1].chars().all(|c| c.is_ascii_alphabetic()) && p.ends_with(|c: char| c.is_ascii_digit());
    v.contains('_') && parts.iter().all(|p| word(p) || numbered(p) || p.chars().all(|c| c.is_ascii_digit()))
}

/// Letters whose case changes at every other one or more often (`YXNkZmZmZmZm`, base64's),
/// where a name is written in one case or in camelCase.
pub(super) fn random_case(p: &str) -> bool {
    p.len() >= 8 && class_changes(p) * 2 >= p.len()
}

/// Only words between separators and no digit: `true/false`, `Enter your password`.
pub(super) fn only_words(v: &str) -> bool {
    !v.chars().any(|c| c.is_ascii_digit()) && v.split(|c: char| !c.is_alphabetic()).all(|w| w.is_empty() || (w.chars().count() >= 2 && !random_case(w))) && {
        let punct = v.chars().filter(|c| !c.is_alphanumeric()).count();
        punct <= 2 && v.chars().filter(|c| c.is_alphabetic()).count() >= v.chars().count().saturating_sub(2)
    }
}

/// Lower-case words joined by hyphens (`host-only-credential`, `test-api-key-default`): what a
/// test or a guide writes for a token, never one a service issues.
pub(super) fn hyphenated_words(v: &str) -> bool {
    v.contains('-') && v.split('-').all(|w| w.len() >= 2 && w.chars().all(|c| c.is_ascii_lowercase()))
}

/// A sentence: four or more words with no digit, between spaces and a sentence's punctuation
/// (`If true, the quantization only needs…`, a doc comment's text under a `singlePass` name).
pub(super) fn is_sentence(v: &str) -> bool {
    v.split_whitespace().nth(3).is_some()
        && v.split_whitespace().all(|w| {
            let core = w.trim_matches(|c: char| ",.;:!?'\"()".contains(c));
            !core.is_empty() && core.chars().all(|c| c.is_alphabetic() || c == '-' || c == '\'') && !random_case(core)
        })
}

/// Rules joined by `|` (Laravel's `'password' => 'required|confirmed|min:6'`): validation, not
/// a value.
pub(super) fn is_rule_list(v: &str) -> bool {
    v.contains('|')
        && v.split('|').all(|p| {
            let (rule, args) = p.split_once(':').unwrap_or((p, ""));
            !rule.is_empty() && rule.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !args.contains(char::is_whitespace)
        })
}

/// A web framework's route target, `controller#action` (Rails' `put '/forgot-password' =>
/// "passwords#update"`): a path of lower-case names and an action's name.
pub(super) fn is_route_target(v: &str) -> bool {
    let lower_names = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '/');
    v.split_once('#').is_some_and(|(path, action)| lower_names(path) && lower_names(action) && !action.contains('/'))
}

/// How many neighbours in `b` are one apart, the second the next after the first (`abcd`,
/// `0123`): an alphabet's or a count's run, as guides and tests write them.
pub(super) fn steps_up(b: &[u8]) -> usize {
    b.windows(2).filter(|w| w[1] == w[0].wrapping_add(1)).count()
}

/// Google's app passwords: 16 random lower-case letters, shown in four groups of four (`qwhx
/// zrbn mtkp vyld`; Apple's app-specific passwords join them with dashes), given to mail
/// clients, `smtplib` and Django's `EMAIL_HOST_PASSWORD`. They hold no digit, so the rule that
/// a password is more than letters missed them; random letters have runs of consonants or few
/// vowels that words do not (`mysecretpassword`, four common words run together, have
/// neither), and an alphabet run is a guide's.
pub(super) fn app_password(v: &str) -> bool {
    if v.len() != 16 && v.len() != 19 {
        return false;
    }
    // Google's groups by spaces, Apple's app-specific passwords by dashes (`qwhx-zrbn-…`).
    let grouped = v.len() == 19 && (v.split(' ').all(|g| g.len() == 4) || v.split('-').all(|g| g.len() == 4));
    let letters: String = v.chars().filter(|c| *c != ' ' && *c != '-').collect();
    if !(letters.len() == 16 && letters.bytes().all(|b| b.is_ascii_lowercase()) && (grouped || v.len() == 16)) {
        return false;
    }
    let vowel = |b: u8| b"aeiouy".contains(&b);
    let vowels = letters.bytes().filter(|&b| vowel(b)).count();
    let longest_consonants = letters.bytes().fold((0, 0), |(run, most), b| if vowel(b) { (0, most) } else { (run + 1, most.max(run + 1)) }).1;
    let alphabet_run = steps_up(letters.as_bytes()) >= 8;
    (longest_consonants >= 4 || vowels <= 2) && !alphabet_run
}

#[cfg(test)]
mod tests {
    use super::app_password;

    #[test]
    fn app_passwords_are_random_letters_not_words() {
        // Google's, with or without its spaces; Apple's app-specific passwords, with dashes.
        for v in ["qwhxzrbnmtkpvyld", "qwhx zrbn mtkp vyld", "vzihlaquknriqlht", "qwhx-zrbn-mtkp-vyld"] {
            assert!(app_password(v), "{v}");
        }
        // Words run together, a guide's alphabet, other lengths, capitals, other groupings.
        for v in [
            "thisismypassword",
            "mysecretpassword",
            "abcd efgh ijkl mnop",
            "abcdefghijklmnop",
            "qwhxzrbnmtkpvyl",
            "Qwhxzrbnmtkpvyld",
            "qwhxz rbnmt kpvyld",
            "qwhx-zrbn-mtkpv-yld",
            "time-line-more-less",
            "abcd-efgh-ijkl-mnop",
        ] {
            assert!(!app_password(v), "{v}");
        }
    }
}
