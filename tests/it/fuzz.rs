//! Property tests of everything read from outside: no input makes a reader panic or hang.
//! Bounded runs here (`PROPTEST_CASES` raises them for a longer run).

use chrono::{TimeZone, Utc};
use proptest::prelude::*;

use git_screenlink::source::{discussion, time, Transcription};

fn config() -> ProptestConfig {
    ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(200), ..ProptestConfig::default() }
}

/// Text with what outside data really holds: NULs, control characters, long runs, any script.
fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,200}",
        "[\\x00-\\x1f\"\\\\{}\\[\\]:,]{0,64}",
        proptest::collection::vec(any::<char>(), 0..300).prop_map(|v| v.into_iter().collect()),
        Just("a".repeat(100_000)),
        // SQL dumps, whose values the detectors read by their columns.
        "INSERT INTO t \\(id, password\\) VALUES [(),'\\\\ ;\\na-zé€0-9]{0,80}",
        "COPY t \\(id, api_key\\) FROM stdin;\n[\t\n\\\\.aé0-9N]{0,60}",
        "CREATE TABLE `t` \\([`a-z_ (),'0-9\\n]{0,60}\\);\nINSERT INTO `t` VALUES [(),'a-zé0-9]{0,60}",
        // Statements that set a password, devices' lines, settings on one line, joined literals.
        "(CREATE USER|ALTER ROLE|SET PASSWORD|sp_addlogin) [a-z'@%= ]{0,20}(IDENTIFIED BY|PASSWORD|=)[ N'\"\\\\a-zA-Z0-9é+]{0,40}",
        "(username a password|enable password|snmp-server community|key-string|password 7|tacacs-server key|: PSK) [ 0-9A-Fa-fé\"$]{0,40}",
        "[a-z_]{1,8}=[A-Za-z0-9é]{0,12}( [a-z_]{1,8}=[A-Za-z0-9]{0,12}){0,4}",
        "[a-z_]{1,8} = '[A-Za-z0-9]{0,12}'( \\+ '[A-Za-z0-9.é]{0,12}'){0,3}",
        // Tools' command lines and drivers' calls; four numbers in folders, tags and suffixes.
        "(keytool|sqlcmd|ldapsearch|7z|sqlplus|echo|rabbitmqctl add_user|net user|snmpget) [-a-zA-Z0-9 /@%:'\"|é]{0,50}( -(storepass|P|w|p|A|X|c) [A-Za-z0-9'é|]{0,12}){0,3}",
        "(mysqli_connect|new PDO|DBI->connect|cx_Oracle.connect)\\(('[a-zé0-9:;=]{0,10}'|\\$[a-z]{1,4}|)(, ?('[A-Za-z0-9!é]{0,12}'|\\$[a-z]{1,4})){0,4}\\)?",
        "[a-z.]{0,8}(setPassword|withPassword|password|CURLOPT_USERPWD, |btoa|load)\\(('[A-Za-z0-9:{}$é]{0,14}'|\"[a-z:é]{0,14}\"(\\.toCharArray\\(\\))?)\\)?",
        "(email me at|call me on|IBAN|social) ([a-z]{1,6} (dot|at|underscore|double|one|five|oh) ){0,12}[A-Z0-9 -]{0,24}",
        "[a-z/]{0,12}[/:-]?[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}[-/:a-zé]{0,6}",
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn timestamps_parse_or_not_but_never_panic(s in nasty()) {
        let _ = time::parse(&s);
    }

    #[test]
    fn every_timestamp_shape_round_trips(secs in 0i64..4_000_000_000, micros in 0u32..1_000_000, shape in 0usize..4) {
        let t = Utc.timestamp_opt(secs, micros * 1000).unwrap();
        let text = match shape {
            0 => t.to_rfc3339(),
            1 => t.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
            2 => t.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
            _ => t.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string(),
        };
        let back = time::parse(&text);
        prop_assert_eq!(back, Some(t), "{}", text);
    }

    #[test]
    fn dataset_lines_are_checked_never_panicked_on(lines in proptest::collection::vec(nasty(), 0..20)) {
        let text = lines.join("\n");
        let (valid, problems) = git_screenlink::validate::check_lines(&text);
        prop_assert!(valid.len() <= text.lines().count());
        let _ = problems;
    }

    #[test]
    fn detectors_and_redaction_take_any_text(s in nasty()) {
        let _ = git_screenlink::secrets::scan(&s);
        let (redacted, _) = git_screenlink::secrets::redact(&s);
        // Redacting what was redacted finds nothing new to hide.
        let (again, found) = git_screenlink::secrets::redact(&redacted);
        prop_assert_eq!(&again, &redacted);
        prop_assert!(found.is_empty(), "{:?}", found);
    }

    #[test]
    fn terms_take_any_text(s in nasty()) {
        for t in git_screenlink::score::keywords::terms(&s).into_iter().chain(git_screenlink::score::keywords::talk_terms(&s)) {
            prop_assert!(t.chars().count() >= 3);
        }
    }

    #[test]
    fn rows_group_into_discussions_each_row_once(
        rows in proptest::collection::vec((0i64..100_000, nasty(), proptest::option::of("[A-Za-z ]{0,12}")), 0..60)
    ) {
        let base = Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap();
        let mut input: Vec<Transcription> = rows
            .into_iter()
            .enumerate()
            .map(|(i, (s, text, speaker))| Transcription { id: i as i64, timestamp: base + chrono::Duration::seconds(s), text, speaker, is_input: None })
            .collect();
        input.sort_by_key(|r| r.order_key());
        let ds = discussion::group(&input, chrono::Duration::minutes(5), 1);
        let mut seen = std::collections::HashSet::new();
        for d in &ds {
            for r in &d.rows {
                prop_assert!(seen.insert(r.id), "row {} in two discussions", r.id);
            }
            prop_assert!(d.rows.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));
        }
        let passages = git_screenlink::candidates::passages(&ds);
        for p in &passages {
            prop_assert!(!p.rows.is_empty() && p.start <= p.end);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..config() })]

    /// Any message bytes (trailers, encodings, blank lines, NULs) make a commit the filters
    /// judge, never a panic; a kept commit always has a subject.
    #[test]
    fn any_commit_message_is_examined(message in proptest::collection::vec(any::<u8>(), 0..400), trailer in "(Signed-off-by|Change-Id|Co-authored-by|Note): .{0,30}") {
        let dir = tempfile::tempdir().unwrap();
        let repo = git2::Repository::init(dir.path()).unwrap();
        let mut index = repo.index().unwrap();
        std::fs::write(dir.path().join("a.rs"), (0..8).map(|i| format!("fn f{i}() {{}}\n")).collect::<String>()).unwrap();
        index.add_path(std::path::Path::new("a.rs")).unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::new("A", "a@x", &git2::Time::new(1_767_600_000, 0)).unwrap();
        // Raw bytes, as another tool may have written them.
        let mut raw = format!("tree {}\nauthor A <a@x> 1767600000 +0000\ncommitter A <a@x> 1767600000 +0000\n\n", tree.id()).into_bytes();
        raw.extend_from_slice(&message);
        raw.extend_from_slice(format!("\n\n{trailer}\n").as_bytes());
        let oid = repo.odb().unwrap().write(git2::ObjectType::Commit, &raw).unwrap();
        let _ = sig;
        let commit = repo.find_commit(oid).unwrap();
        if let Ok(info) = git_screenlink::commits::examine(&repo, &commit, 1).unwrap() {
            prop_assert!(!info.subject.trim().is_empty());
        }
    }
}

#[test]
fn nasty_rows_in_a_real_database_are_read_not_panicked_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::env::hand_db(dir.path(), &[("2026-03-01T10:00:00+00:00", "fine")]);
    let conn = rusqlite::Connection::open(&db).unwrap();
    // A NUL inside, invalid UTF-8 stored as TEXT, a 2 MB text, an empty one, odd timestamps.
    conn.execute(
        "INSERT INTO audio_transcriptions (audio_chunk_id, offset_index, timestamp, transcription) VALUES (2, 0, '2026-03-01T10:00:30+00:00', ?1)",
        ["a\0b"],
    )
    .unwrap();
    conn.execute("INSERT INTO audio_transcriptions (audio_chunk_id, offset_index, timestamp, transcription) VALUES (3, 0, '2026-03-01T10:01:00+00:00', CAST(X'66FF6F' AS TEXT))", []).unwrap();
    conn.execute(
        "INSERT INTO audio_transcriptions (audio_chunk_id, offset_index, timestamp, transcription) VALUES (4, 0, '2026-03-01 10:01:30', ?1)",
        [("word ".repeat(400_000))],
    )
    .unwrap();
    conn.execute("INSERT INTO audio_transcriptions (audio_chunk_id, offset_index, timestamp, transcription) VALUES (5, 0, 'not a time', '')", []).unwrap();
    conn.execute("INSERT INTO audio_transcriptions (audio_chunk_id, offset_index, timestamp, transcription) VALUES (6, 0, 1772359320, 'epoch seconds')", [])
        .unwrap();
    drop(conn);
    let src = git_screenlink::source::db::DbSource::open_path(&db, &git_screenlink::config::Origin::Default).unwrap();
    use git_screenlink::source::Source;
    let rows = src.read(Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap(), Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()).unwrap();
    assert!(rows.iter().any(|r| r.text == "fine"));
    assert!(rows.iter().any(|r| r.text == "f\u{fffd}o"), "the invalid UTF-8 row is read, its bad byte replaced");
    assert!(rows.iter().any(|r| r.text == "a\0b"), "a NUL inside a text is kept");
    assert!(rows.iter().any(|r| r.text.len() == 2_000_000), "a 2 MB text is read whole");
    let ds = discussion::group(&rows, chrono::Duration::minutes(5), 1);
    let _ = git_screenlink::candidates::passages(&ds);
}
