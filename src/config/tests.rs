use super::*;
use crate::error::Kind;

fn entry(key: &str, value: &str, origin: Origin) -> RawEntry {
    RawEntry { key: key.to_ascii_lowercase(), value: value.into(), origin }
}

#[test]
fn parses_git_z_output_with_valueless_keys() {
    let out = b"local\0file:.git/config\0screenlink.minconfidence\n0.7\0global\0file:/h/.gitconfig\0screenlink.quiet\0";
    let raw = parse_git_config_z(out);
    assert_eq!(raw.len(), 2);
    assert_eq!(raw[0].value, "0.7");
    assert_eq!(raw[0].origin, Origin::Repo(".git/config".into()));
    assert_eq!(raw[1].value, "true");
    assert_eq!(raw[1].origin, Origin::Global("/h/.gitconfig".into()));
}

#[test]
fn later_entries_win_and_keywords_accumulate() {
    let raw = vec![
        entry(MIN_CONFIDENCE, "0.5", Origin::Global("g".into())),
        entry(MIN_CONFIDENCE, "0.8", Origin::Repo("r".into())),
        entry(KEYWORDS, "tokio", Origin::Global("g".into())),
        entry(KEYWORDS, "axum", Origin::Repo("r".into())),
    ];
    let s = Settings::from_entries(&raw);
    assert!(s.bad_values.is_empty());
    assert_eq!(s.min_confidence.value, 0.8);
    assert_eq!(s.min_confidence.origin, Origin::Repo("r".into()));
    let kws: Vec<_> = s.keywords.iter().map(|k| k.value.as_str()).collect();
    assert_eq!(kws, ["tokio", "axum"]);
    assert_eq!(s.time_window_days, Setting::default(7));
}

#[test]
fn rejects_values_naming_key_and_file() {
    for (key, value) in [
        (MIN_CONFIDENCE, "abc"),
        (MIN_CONFIDENCE, "1.5"),
        (TIME_WINDOW_DAYS, "-3"),
        (KEYWORD_WEIGHT, "-0.1"),
        (SEMANTIC_WEIGHT, "NaN"),
        (COMMIT_OFFSET_HOURS, "-1"),
    ] {
        let raw = vec![entry(key, value, Origin::Repo("repo/.git/config".into()))];
        let s = Settings::from_entries(&raw);
        assert_eq!(s.bad_values.len(), 1, "{key}={value}");
        let (bad, err) = (&s.bad_values[0], &s.bad_values[0].error);
        assert_eq!((bad.key, bad.value.as_str()), (key, value));
        assert_eq!(err.kind, Kind::Config, "{key}={value}");
        assert!(err.message.contains(key), "{}", err.message);
        assert!(err.message.contains("repo/.git/config"), "{}", err.message);
    }
}

#[test]
fn weights_that_do_not_sum_to_one_are_refused_and_the_hint_offers_a_pair_that_does() {
    let raw =
        vec![entry(KEYWORD_WEIGHT, "0.9", Origin::Flag("--keyword-weight".into())), entry(SEMANTIC_WEIGHT, "0.9", Origin::Flag("--semantic-weight".into()))];
    let s = Settings::from_entries(&raw);
    assert_eq!(s.bad_values.len(), 1);
    let err = &s.bad_values[0].error;
    assert!(err.message.contains("add up to 1.8, not 1"), "{}", err.message);
    assert!(err.hint.as_deref().unwrap().contains("keywordWeight 0.9` and `git config screenlink.semanticWeight 0.1`"), "{:?}", err.hint);
    for (k, m) in [("0.4", "0.6"), ("0.1", "0.9"), ("1", "0")] {
        let raw = vec![entry(KEYWORD_WEIGHT, k, Origin::Repo("r".into())), entry(SEMANTIC_WEIGHT, m, Origin::Repo("r".into()))];
        assert!(Settings::from_entries(&raw).bad_values.is_empty(), "{k} + {m}");
    }
}
