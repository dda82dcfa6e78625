//! screenpipe's timestamps: TEXT, UTC, in several shapes over the years.

use chrono::{DateTime, NaiveDateTime, Utc};

/// Parse any timestamp shape screenpipe has written:
/// RFC 3339 with an offset and 0–9 fraction digits (`2025-11-25T18:46:33.179060+00:00`,
/// `2026-02-15T16:40:42+00:00`), `…Z`, and the offset-less `YYYY-MM-DD HH:MM:SS[.f]`
/// (which screenpipe writes in UTC).
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.with_timezone(&Utc));
    }
    // RFC 3339 with a space instead of `T`, and an offset.
    if let Ok(dt) = DateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(dt.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(t, format) {
            return Some(naive.and_utc());
        }
    }
    None
}

/// How screenpipe writes timestamps since Feb 2026 (whole seconds, explicit offset).
pub fn format(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// "2 days ago", "3 hours ago", "just now": for prompts and status lines.
pub fn ago(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if (now - then).num_seconds() < 60 {
        return "just now".into();
    }
    format!("{} ago", span(now - then))
}

/// "2 days", "3 hours", "1 minute" (whole units, rounded down; under a minute: "0 minutes").
pub fn span(d: chrono::Duration) -> String {
    let (n, unit) = match d.num_seconds().max(0) {
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_screenpipe_writes() {
        let want = parse("2026-02-15T16:40:42+00:00").unwrap();
        for text in [
            "2026-02-15T16:40:42Z",
            "2026-02-15T16:40:42.000+00:00",
            "2026-02-15T16:40:42.000000+00:00",
            "2026-02-15T16:40:42.000000000+00:00",
            "2026-02-15 16:40:42",
            "2026-02-15 16:40:42.000",
            "2026-02-15T17:40:42+01:00",
            "2026-02-15 16:40:42+00:00",
        ] {
            assert_eq!(parse(text), Some(want), "{text}");
        }
        let micro = parse("2025-11-25T18:46:33.179060+00:00").unwrap();
        assert_eq!(micro.timestamp_subsec_micros(), 179_060);
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse(""), None);
    }

    #[test]
    fn formats_round_trip() {
        let t = parse("2026-02-15T16:40:42+00:00").unwrap();
        assert_eq!(format(t), "2026-02-15T16:40:42+00:00");
        assert_eq!(parse(&format(t)), Some(t));
    }

    #[test]
    fn ago_reads_naturally() {
        let now = parse("2026-02-15T16:40:42Z").unwrap();
        assert_eq!(ago(now, now), "just now");
        assert_eq!(ago(now - chrono::Duration::minutes(1), now), "1 minute ago");
        assert_eq!(ago(now - chrono::Duration::hours(5), now), "5 hours ago");
        assert_eq!(ago(now - chrono::Duration::days(2), now), "2 days ago");
        assert_eq!(span(chrono::Duration::days(4) + chrono::Duration::hours(23)), "4 days", "whole units");
        assert_eq!(span(chrono::Duration::seconds(-5)), "0 minutes");
    }
}
