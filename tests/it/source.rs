//! Reading screenpipe: real SQLite files in its schema (both generations), every error
//! with a real file, concurrent writers, and the REST API against a local server.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use git_screenlink::config::Origin;
use git_screenlink::fixture::{self, Schema, Spec};
use git_screenlink::source::api::ApiSource;
use git_screenlink::source::db::DbSource;
use git_screenlink::source::{discussion, Source};
use rusqlite::Connection;

use crate::env::{hand_db, OutputExt, TestEnv};

fn open(path: &Path) -> git_screenlink::error::Result<DbSource> {
    DbSource::open_path(path, &Origin::Default)
}

fn open_err(path: &Path) -> String {
    let err = open(path).err().expect("should fail");
    assert!(err.hint.is_some(), "no hint for: {}", err.message);
    format!("{} / {}", err.message, err.hint.unwrap())
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
}

fn all_time() -> (DateTime<Utc>, DateTime<Utc>) {
    (utc(2000, 1, 1, 0, 0), utc(2100, 1, 1, 0, 0))
}

/// The whole file, for byte-for-byte comparison.
fn bytes_of(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn reads_every_timestamp_shape_by_time_not_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = hand_db(
        dir.path(),
        &[
            ("2026-02-15T16:40:42+00:00", "seconds"),
            ("2025-11-25T18:46:33.179060+00:00", "micros, old"),
            ("2026-02-15T16:41:00.123+00:00", "millis"),
            ("2026-02-15T16:42:00.123456789+00:00", "nanos"),
            ("2026-02-15T16:43:00Z", "zulu"),
            ("2026-02-15 16:44:00", "space"),
            ("2026-02-15T17:45:00+01:00", "offset"),
            ("2026-02-16T09:00:00+00:00", "next day"),
            ("not a time", "garbage"),
        ],
    );
    let src = open(&db).unwrap();
    let got = src.read(utc(2026, 2, 15, 16, 0), utc(2026, 2, 15, 17, 0)).unwrap();
    let texts: Vec<&str> = got.iter().map(|r| r.text.as_str()).collect();
    assert_eq!(texts, ["seconds", "millis", "nanos", "zulu", "space", "offset"]);
    assert_eq!(got[0].speaker.as_deref(), Some("Alice"));
    let (a, b) = all_time();
    assert_eq!(src.read(a, b).unwrap().len(), 8, "only the unparseable row is left out");
    let summary = src.summary().unwrap();
    assert_eq!(summary.rows, 9);
    assert_eq!(summary.newest.unwrap(), utc(2026, 2, 16, 9, 0));
    // The hook's cheap question (the timestamp index, newest first) agrees, whatever the shapes
    // and the cell that is not a time.
    assert_eq!(src.newest().unwrap(), Some(utc(2026, 2, 16, 9, 0)));
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(open(&hand_db(&empty, &[])).unwrap().newest().unwrap(), None, "no rows: none");
    // An empty range is empty, and the caller's error for it says so.
    let empty = src.read(utc(2030, 1, 1, 0, 0), utc(2030, 1, 2, 0, 0)).unwrap();
    assert!(empty.is_empty());
    let err = git_screenlink::source::no_rows(&src, utc(2030, 1, 1, 0, 0), utc(2030, 1, 2, 0, 0));
    assert!(err.message.contains("no audio transcriptions"), "{}", err.message);
}

#[test]
fn prefers_redacted_text_and_skips_hallucinated_speakers() {
    let dir = tempfile::tempdir().unwrap();
    let db = hand_db(dir.path(), &[("2026-03-01T10:00:00+00:00", "mail me at bob@example.com"), ("2026-03-01T10:00:30+00:00", "Thank you for watching")]);
    let conn = Connection::open(&db).unwrap();
    conn.execute("UPDATE audio_transcriptions SET text_redacted = 'mail me at [EMAIL]' WHERE id = 1", []).unwrap();
    conn.execute("UPDATE audio_transcriptions SET speaker_id = 2 WHERE id = 2", []).unwrap();
    let (a, b) = all_time();
    let rows = open(&db).unwrap().read(a, b).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].text, "mail me at [EMAIL]");
}

#[test]
fn both_schema_generations() {
    for schema in [Schema::Current, Schema::Old] {
        let dir = tempfile::tempdir().unwrap();
        let mut spec = Spec::week(11);
        spec.schema = schema;
        let world = fixture::build(&spec, dir.path()).unwrap();
        let src = open(&world.db).unwrap();
        let (a, b) = all_time();
        let rows = src.read(a, b).unwrap();
        assert_eq!(rows.len(), world.truth.rows, "{schema:?}: hallucinated rows are excluded, all others read");
        match schema {
            Schema::Current => {
                assert!(rows.iter().any(|r| r.speaker.as_deref() == Some("Alice")));
                assert!(rows.iter().any(|r| r.is_input == Some(false)));
                assert!(rows.iter().all(|r| r.speaker.as_deref() != Some("Ghost")));
            }
            Schema::Old => assert!(rows.iter().all(|r| r.speaker.is_none() && r.is_input.is_none())),
        }
        // Every motivating discussion comes back whole as one discussion.
        let ds = discussion::group(&rows, Duration::minutes(5), 100);
        for commit in world.truth.commits.iter().filter(|c| !c.rows.is_empty()) {
            let holder = ds.iter().find(|d| d.ids().contains(&commit.rows[0])).expect("grouped");
            assert_eq!(holder.ids(), commit.rows, "{schema:?}: {}", commit.subject);
        }
    }
}

#[test]
fn never_writes_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let world = fixture::build(&Spec::week(2), dir.path()).unwrap();
    // Checkpoint so the main file holds everything, then compare bytes around our reads.
    Connection::open(&world.db).unwrap().execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    let before = bytes_of(&world.db);
    let src = open(&world.db).unwrap();
    let (a, b) = all_time();
    assert!(!src.read(a, b).unwrap().is_empty());
    src.summary().unwrap();
    drop(src);
    assert_eq!(before, bytes_of(&world.db), "database bytes changed");
    // A missing file is not created.
    let missing = dir.path().join("nothing/db.sqlite");
    assert!(open(&missing).is_err());
    assert!(!missing.exists() && !missing.parent().unwrap().exists());
}

#[test]
fn reads_while_another_connection_keeps_inserting() {
    let dir = tempfile::tempdir().unwrap();
    let world = fixture::build(&Spec::week(4), dir.path()).unwrap();
    let db = world.db.clone();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let conn = Connection::open(&db).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 2_000 {
                conn.execute_batch(&format!(
                    "BEGIN IMMEDIATE; INSERT INTO audio_chunks (file_path, timestamp) VALUES ('live.mp4', '2026-01-09T12:00:00+00:00');
                     INSERT INTO audio_transcriptions (audio_chunk_id, offset_index, timestamp, transcription) VALUES (last_insert_rowid(), 0, '2026-01-09T12:00:{:02}+00:00', 'live row {n}'); COMMIT;",
                    n % 60
                ))
                .unwrap();
                n += 1;
            }
            n
        })
    };
    let src = open(&world.db).unwrap();
    let (a, b) = all_time();
    let mut last = 0;
    for _ in 0..20 {
        let n = src.read(a, b).unwrap().len();
        assert!(n >= last, "rows went from {last} to {n}");
        last = n;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    assert!(written > 0);
    assert_eq!(src.read(a, b).unwrap().len(), world.truth.rows + written);
}

#[test]
fn missing_file_says_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let msg = open_err(&dir.path().join("db.sqlite"));
    assert!(msg.contains("not found at") && msg.contains("db.sqlite"), "{msg}");
    assert!(msg.contains("screenlink.screenpipeDb") && msg.contains("SCREENPIPE_DATA_DIR"), "{msg}");
}

/// A backfill stops on talk it cannot read before it examines any commit (on a long history
/// that is the slow part), and writes nothing.
#[test]
fn backfill_names_a_missing_database_before_it_examines_commits() {
    let (env, world) = TestEnv::with_world(&Spec::week(5));
    let missing = env.root().join("nowhere").join("db.sqlite");
    env.git(["config", "screenlink.screenpipeDb", missing.to_str().unwrap()]).assert_ok();
    let out = env.screenlink(["backfill", "--yes"]);
    assert_eq!(out.code(), 2, "{}", out.stderr_text());
    assert!(out.stderr_text().contains("not found at") && out.stderr_text().contains("hint:"), "{}", out.stderr_text());
    assert!(out.stdout_text().is_empty(), "examined commits before the error: {}", out.stdout_text());
    assert!(!world.repo.join(".git/screenlink/training_data.jsonl").exists());
}

#[test]
fn a_text_file_is_not_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    std::fs::write(&path, "hello, I am text\n").unwrap();
    assert!(open_err(&path).contains("is not a SQLite database"));
}

#[test]
fn a_truncated_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let world = fixture::build(&Spec::week(5), &dir.path().join("w")).unwrap();
    Connection::open(&world.db).unwrap().execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;").unwrap();
    let bytes = std::fs::read(&world.db).unwrap();
    let cut = dir.path().join("db.sqlite");
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    let (a, b) = all_time();
    // Opening may succeed (the header is intact); reading past the cut must fail cleanly.
    let result = open(&cut).and_then(|s| s.read(a, b));
    let err = result.expect_err("a truncated database must not read as fine");
    assert!(err.hint.is_some(), "{}", err.message);
}

#[test]
fn an_encrypted_vault_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut bytes = b"SPVAULT1".to_vec();
    bytes.extend([0u8; 200]);
    std::fs::write(&path, bytes).unwrap();
    let msg = open_err(&path);
    assert!(msg.contains("encrypted vault") && msg.contains("screenlink.source api"), "{msg}");
}

#[test]
fn compressed_storage_mode_suggests_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let db = hand_db(dir.path(), &[("2026-03-01T10:00:00+00:00", "x")]);
    std::fs::write(dir.path().join("storage.json"), "{\"mode\":\"compressed\"}").unwrap();
    let msg = open_err(&db);
    assert!(msg.contains("compressed storage") && msg.contains("screenlink.source api"), "{msg}");
}

#[test]
fn no_audio_table_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    Connection::open(&path).unwrap().execute_batch("CREATE TABLE frames (id INTEGER);").unwrap();
    assert!(open_err(&path).contains("no audio_transcriptions table"));
}

#[test]
fn a_database_locked_exclusively_is_reported_after_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let db = hand_db(dir.path(), &[("2026-03-01T10:00:00+00:00", "x")]);
    let holder = Connection::open(&db).unwrap();
    holder.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; INSERT INTO speakers (name) VALUES ('lock');").unwrap();
    let started = std::time::Instant::now();
    let (a, b) = all_time();
    let err = open(&db).and_then(|s| s.read(a, b)).expect_err("locked");
    assert!(started.elapsed() >= std::time::Duration::from_secs(2), "gave up before the busy timeout");
    assert!(err.message.contains("locked"), "{}", err.message);
    assert!(err.hint.unwrap().contains("screenlink.source api"));
    holder.execute_batch("COMMIT;").unwrap();
}

/// A local HTTP server speaking screenpipe's /search shape, serving `rows` in pages.
/// Returns its base URL and the request lines (with their Authorization headers) it saw.
fn serve_api(rows: Vec<serde_json::Value>, key: Option<&'static str>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(50) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request = String::new();
            reader.read_line(&mut request).unwrap();
            let mut auth = String::new();
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("authorization") {
                        auth = format!("Authorization: {}", value.trim());
                    }
                }
            }
            log.lock().unwrap().push(format!("{} {auth}", request.trim()));
            let authorized = key.is_none_or(|k| auth == format!("Authorization: Bearer {k}"));
            let param = |name: &str| -> usize {
                request.split(['?', '&', ' ']).find_map(|p| p.strip_prefix(&format!("{name}="))).and_then(|v| v.parse().ok()).unwrap_or(0)
            };
            let (status, body) = if !authorized {
                ("401 Unauthorized", "{\"error\":\"unauthorized\"}".to_string())
            } else {
                let (limit, offset) = (param("limit").max(1), param("offset"));
                let page: Vec<_> = rows.iter().skip(offset).take(limit).cloned().collect();
                ("200 OK", serde_json::json!({"data": page, "pagination": {"limit": limit, "offset": offset, "total": rows.len()}}).to_string())
            };
            let _ = write!(stream, "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
        }
    });
    (base, seen)
}

fn api_row(i: i64, at: DateTime<Utc>) -> serde_json::Value {
    serde_json::json!({"type": "Audio", "content": {
        "chunk_id": i, "transcription": format!("row {i} about the search endpoint"), "timestamp": git_screenlink::source::time::format(at),
        "file_path": "a.mp4", "offset_index": 0, "tags": [], "device_name": "mic", "device_type": if i % 2 == 0 { "Input" } else { "Output" },
        "speaker": if i % 3 == 0 { serde_json::json!({"id": 1, "name": "Alice", "metadata": ""}) } else { serde_json::Value::Null },
        "start_time": 0.0, "end_time": 30.0}})
}

#[test]
fn api_pages_through_everything_with_the_bearer_token() {
    let t0 = utc(2026, 3, 2, 9, 0);
    let rows: Vec<_> = (0..1_234).map(|i| api_row(i, t0 + Duration::seconds(30 * i))).collect();
    let (base, seen) = serve_api(rows, Some("sekret"));
    let src = ApiSource::new(&base, Some("sekret".into()));
    let got = src.read(t0, t0 + Duration::days(1)).unwrap();
    assert_eq!(got.len(), 1_234);
    assert_eq!(got[3].speaker.as_deref(), Some("Alice"));
    assert_eq!(got[2].is_input, Some(true));
    assert_eq!(got[1].is_input, Some(false));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "500 + 500 + 234: {seen:?}");
    assert!(seen.iter().all(|r| r.contains("content_type=audio") && r.contains("Bearer sekret")), "{seen:?}");

    // Without the key: a distinct, actionable error.
    let err = ApiSource::new(&base, None).read(t0, t0 + Duration::days(1)).err().unwrap();
    assert!(err.message.contains("401"), "{}", err.message);
    assert!(err.hint.unwrap().contains("SCREENPIPE_API_KEY"));

    // Nothing in the last 30 days: the API cannot say when it last recorded, so the hook does
    // not read it as holding nothing.
    let (empty, _) = serve_api(Vec::new(), None);
    let err = ApiSource::new(&empty, None).newest().expect_err("not known");
    assert!(err.message.contains("cannot say"), "{}", err.message);
}

#[test]
fn api_not_running_is_a_clear_error() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port(); // now closed
    let err = ApiSource::new(&format!("http://127.0.0.1:{port}"), None).read(utc(2026, 1, 1, 0, 0), utc(2026, 1, 2, 0, 0)).err().unwrap();
    assert!(err.message.contains("not answering"), "{}", err.message);
    assert!(err.hint.unwrap().contains("start screenpipe"));
}

#[test]
fn status_reports_the_source_and_auto_falls_back_to_the_api() {
    let env = TestEnv::new();
    let world = fixture::build(&Spec::week(6), &env.root().join("w")).unwrap();
    let out = env.screenlink(["status", "--no-load", "--json", "--screenpipe-db", world.db.to_str().unwrap()]);
    out.assert_ok();
    let s: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let detail = s["screenpipe"]["detail"].as_str().unwrap();
    assert!(detail.contains("db source") && detail.contains(&format!("{} transcription rows", world.truth.rows + 2)), "{detail}");
    assert!(detail.contains("2026-01-"), "{detail}");
    // Readable (exit 0) but silent for weeks: status says a new commit has no talk to link.
    let fix = s["screenpipe"]["fix"].as_str().unwrap_or_default();
    assert!(fix.contains("nothing recorded in the last 7 days") && fix.contains("is screenpipe recording audio?"), "{s}");
    let recent = hand_db(env.root(), &[(&(Utc::now() - Duration::hours(2)).to_rfc3339(), "said this morning")]);
    let out = env.screenlink(["status", "--no-load", "--json", "--screenpipe-db", recent.to_str().unwrap()]);
    out.assert_ok();
    let s: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert!(s["screenpipe"]["fix"].is_null(), "recording: no fix to suggest: {s}");
    let empty = env.root().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = env.screenlink(["status", "--no-load", "--json", "--screenpipe-db", hand_db(&empty, &[]).to_str().unwrap()]);
    out.assert_ok();
    let s: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert!(s["screenpipe"]["fix"].as_str().unwrap_or_default().contains("holds no audio transcriptions yet"), "{s}");

    // No database: auto mode reads the API instead.
    let t0 = utc(2026, 3, 2, 9, 0);
    let (base, _) = serve_api(vec![api_row(1, t0)], None);
    let missing = env.root().join("none.sqlite");
    let out = env.screenlink(["status", "--no-load", "--json", "--screenpipe-db", missing.to_str().unwrap(), "--screenpipe-url", &base]);
    let s: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert!(s["screenpipe"]["detail"].as_str().unwrap().contains("api source"), "{s}");

    // Neither: one error naming both attempts.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let out = env.screenlink([
        "status",
        "--no-load",
        "--json",
        "--screenpipe-db",
        missing.to_str().unwrap(),
        "--screenpipe-url",
        &format!("http://127.0.0.1:{port}"),
    ]);
    let s: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let detail = s["screenpipe"]["detail"].as_str().unwrap();
    assert!(detail.contains("the database said") && detail.contains("the API said"), "{detail}");
}
