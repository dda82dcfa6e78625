//! The caches beside the vectors (issue 13, item 2): a warm run over unchanged talk and
//! history splits no talk into terms and reads no diff again, links exactly what the cold run
//! linked, and a cache that is garbage costs time, never a result.

use git_screenlink::fixture::Spec;

use crate::env::{OutputExt, TestEnv};

/// Issue 13, item 2: a warm run over unchanged talk reads the rows' terms from the term
/// cache and splits none again, and links exactly what the cold run linked; a term cache
/// that is garbage is split around, never an error.
#[test]
fn a_warm_backfill_splits_no_talk_into_terms_again() {
    let (env, _world) = TestEnv::with_world(&Spec::week(2));
    let run = || -> serde_json::Value {
        let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json"]);
        out.assert_ok();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let pairs = |v: &serde_json::Value| -> Vec<(String, String, String)> {
        v["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["metadata"]["commit_sha"].to_string(), p["metadata"]["audio_ids"].to_string(), p["metadata"]["confidence"].to_string()))
            .collect()
    };
    let cold = run();
    let discussions = cold["summary"]["discussions"].as_u64().unwrap();
    assert!(discussions > 0);
    assert!(cold["summary"]["discussions_split"].as_u64().unwrap() >= discussions, "{}", cold["summary"]);
    assert!(!pairs(&cold).is_empty());
    let warm = run();
    assert_eq!(warm["summary"]["discussions_split"].as_u64(), Some(0), "{}", warm["summary"]);
    assert_eq!(pairs(&warm), pairs(&cold));
    let file = env.home.join(".cache").join("screenlink").join("terms.sqlite");
    assert!(file.exists(), "the term cache lives beside the embedding cache");
    // `status` says what each cache takes.
    let status: serde_json::Value = serde_json::from_slice(&env.screenlink(["status", "--json", "--no-load"]).stdout).unwrap();
    let caches = status["caches"]["detail"].as_str().unwrap();
    assert!(["vectors", "talk terms", "commits", "MB"].iter().all(|w| caches.contains(w)), "{caches}");
    for f in ["terms.sqlite-wal", "terms.sqlite-shm"] {
        let _ = std::fs::remove_file(file.with_file_name(f));
    }
    std::fs::write(&file, b"not a database at all, and longer than a header would be ......").unwrap();
    let damaged = run();
    assert!(damaged["summary"]["discussions_split"].as_u64().unwrap() >= discussions);
    assert_eq!(pairs(&damaged), pairs(&cold));
}

/// Commits examined once are read from the commit cache: a warm backfill reads no diff and
/// links exactly the same; other filters are examined again; and a shallow clone's boundary
/// commit is skipped while it has no parent (never cached), and once the clone is deepened
/// it gets the full clone's answer, which is what a fresh cache gives.
#[test]
fn a_warm_backfill_reads_no_diff_again() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    let json = |out: std::process::Output| -> serde_json::Value {
        out.assert_ok();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    // The pairs without the moment they were decided, the skips by reason, the count.
    let outcome = |v: &serde_json::Value| {
        let mut pairs = v["pairs"].clone();
        for p in pairs.as_array_mut().unwrap() {
            p["metadata"].as_object_mut().unwrap().remove("decided_at");
        }
        (pairs, v["summary"]["commits_skipped"].clone(), v["summary"]["commits_examined"].clone())
    };
    let cold = json(env.screenlink(["backfill", "--yes", "--dry-run", "--json"]));
    let examined = cold["summary"]["commits_examined"].as_u64().unwrap();
    assert!(examined > 5);
    assert_eq!(cold["summary"]["commits_diffed"].as_u64(), Some(examined), "{}", cold["summary"]);
    let warm = json(env.screenlink(["backfill", "--yes", "--dry-run", "--json"]));
    assert_eq!(warm["summary"]["commits_diffed"].as_u64(), Some(0), "{}", warm["summary"]);
    assert!(outcome(&warm) == outcome(&cold), "a warm run links what the cold run linked");
    // (Nothing passes 40 lines: the run says so with exit code 1, and its summary still counts.)
    let other: serde_json::Value =
        serde_json::from_slice(&env.screenlink(["backfill", "--yes", "--dry-run", "--json", "--min-code-lines", "40"]).stdout).unwrap();
    assert_eq!(other["summary"]["commits_diffed"].as_u64(), Some(examined), "other filters, other answers");

    let shallow = env.root().join("shallow");
    env.git(["clone", "-q", "--depth", "3", &format!("file://{}", world.repo.display()), shallow.to_str().unwrap()]).assert_ok();
    let db = world.db.to_str().unwrap().to_string();
    let run = |cache: Option<&std::path::Path>| {
        let mut c = env.command("git-screenlink");
        c.current_dir(&shallow).args(["backfill", "--yes", "--dry-run", "--json", "--source", "db", "--screenpipe-db", &db]);
        if let Some(dir) = cache {
            c.env("SCREENLINK_CACHE_DIR", dir);
        }
        json(c.output().unwrap())
    };
    let before = run(None);
    assert_eq!(before["summary"]["commits_examined"].as_u64(), Some(3));
    // Two have the parents they had in the full clone: cached. The boundary commit has none
    // here, so what it changed is not known: skipped.
    assert_eq!(before["summary"]["commits_diffed"].as_u64(), Some(1), "{}", before["summary"]);
    assert_eq!(before["summary"]["commits_skipped"]["shallow"], 1, "{}", before["summary"]);
    let mut deepen = std::process::Command::new("git");
    env.scrub(&mut deepen).current_dir(&shallow).args(["fetch", "-q", "--unshallow"]);
    assert!(deepen.status().unwrap().success());
    // Deepened, it has its parent again: the full clone's answer, from the cache.
    let after = run(None);
    assert_eq!(after["summary"]["commits_diffed"].as_u64(), Some(0), "{}", after["summary"]);
    assert!(outcome(&after) == outcome(&cold), "the deepened clone links what the full clone linked");
    let fresh = run(Some(&env.root().join("fresh-cache")));
    assert_eq!(fresh["summary"]["commits_diffed"].as_u64(), Some(examined));
    assert!(outcome(&after) == outcome(&fresh), "the cache's answers are what a fresh cache finds");

    // A commit cache that is garbage is examined around, never an error.
    let file = env.home.join(".cache").join("screenlink").join("commits.sqlite");
    for f in ["commits.sqlite-wal", "commits.sqlite-shm"] {
        let _ = std::fs::remove_file(file.with_file_name(f));
    }
    std::fs::write(&file, b"not a database at all, and longer than a header would be ......").unwrap();
    let damaged = json(env.screenlink(["backfill", "--yes", "--dry-run", "--json"]));
    assert_eq!(damaged["summary"]["commits_diffed"].as_u64(), Some(examined));
    assert!(outcome(&damaged) == outcome(&cold));
}

/// `index` over many days reads the talk in blocks of about `talkBlockRows` rows, one at a
/// time, and embeds exactly what one read of all of it embeds.
#[test]
fn index_in_blocks_embeds_what_one_read_embeds() {
    let (env, _world) = TestEnv::with_world(&Spec::week(4));
    let index = |cache: &str| -> (String, Vec<u64>) {
        let mut c = env.command("git-screenlink");
        let out = c.current_dir(&env.repo).env("SCREENLINK_CACHE_DIR", env.root().join(cache)).args(["index", "--days", "3650"]).output().unwrap();
        out.assert_ok();
        let text = out.stdout_text();
        // "Indexed P passages from R rows since … (…): E embedded, C already cached"
        let words: Vec<&str> = text.split_whitespace().collect();
        let after = |w: &str| words.iter().position(|x| *x == w).and_then(|i| words[i + 1].parse().ok()).unwrap();
        let before = |w: &str| words.iter().position(|x| x.trim_end_matches(',') == w).and_then(|i| words[i - 1].parse().ok()).unwrap();
        let nums = vec![after("Indexed"), after("from"), before("embedded")];
        (text, nums)
    };
    env.git(["config", "screenlink.talkBlockRows", "200"]).assert_ok();
    let (blocked_text, blocked) = index("blocked");
    env.git(["config", "--unset", "screenlink.talkBlockRows"]).assert_ok();
    let (one_text, one) = index("one-read");
    assert!(one[0] > 20 && one[2] > 0, "{one_text}");
    assert_eq!((blocked[0], blocked[1], blocked[2]), (one[0], one[1], one[2]), "passages, rows, embedded: {blocked_text} / {one_text}");
    // One read over the cache the blocks filled embeds nothing: every passage was there.
    let (again_text, again) = index("blocked");
    assert_eq!(again[2], 0, "{again_text}");
    // And the hook's saved form of the model is there for the next commit.
    let saved: Vec<_> = std::fs::read_dir(env.root().join("blocked").join("models").join("model")).unwrap().flatten().map(|e| e.path()).collect();
    assert!(saved.len() == 1 && saved[0].extension().is_some_and(|x| x == "ort"), "{saved:?}");
    // `status` counts it with the caches.
    let mut c = env.command("git-screenlink");
    let out = c.current_dir(&env.repo).env("SCREENLINK_CACHE_DIR", env.root().join("blocked")).args(["status", "--json", "--no-load"]).output().unwrap();
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let caches = status["caches"]["detail"].as_str().unwrap();
    let mb = std::fs::metadata(&saved[0]).unwrap().len() as f64 / 1_048_576.0;
    assert!(caches.contains(&format!("the hook's saved model {mb:.1} MB")), "{caches}");
}

/// Files the repository's attributes mark `linguist-generated` or `linguist-vendored` are
/// left out like generated files by name, and the attributes are part of the commit cache's
/// key: marking or unmarking a file changes the cached answer on the next run.
#[test]
fn linguist_attributes_leave_generated_code_out_and_key_the_commit_cache() {
    use git_screenlink::commits::{select_cached, RevisionSet, SkipReason};
    let env = TestEnv::new();
    let write = |rel: &str, text: &str| env.write(rel, text);
    let code: String = (0..8).map(|i| format!("pub fn handler_{i}(x: u32) -> u32 {{ x + {i} }}\n")).collect();
    write("README.md", "a service\n");
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "Initial"]).assert_ok();
    write("api/client.rs", &code);
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "Regenerate the API client"]).assert_ok();
    let cache = env.root().join("cache");
    let repo = git2::Repository::open(&env.repo).unwrap();
    let newest = RevisionSet { max: 1, ..Default::default() };
    let run = || select_cached(&repo, &newest, 3, &cache).unwrap();

    let plain = run();
    assert_eq!((plain.commits.len(), plain.examined), (1, 1), "nothing marks it: the commit is code");
    assert_eq!(run().examined, 0, "the same attributes: read from the cache");

    for attr in ["api/** linguist-generated", "api/*.rs linguist-vendored=true", "*.rs linguist-generated"] {
        write(".gitattributes", &format!("{attr}\n"));
        let marked = run();
        assert_eq!(marked.examined, 1, "{attr}: new attributes, examined again");
        assert!(marked.commits.is_empty(), "{attr}: the commit's code is marked");
        assert_eq!(marked.skipped.get(&SkipReason::Generated), Some(&1), "{attr}");
    }
    write(".gitattributes", "api/** linguist-generated=false\n");
    let unmarked = run();
    assert_eq!((unmarked.commits.len(), unmarked.examined), (1, 1), "set false: code again");
    std::fs::remove_file(env.repo.join(".gitattributes")).unwrap();
    let back = run();
    assert_eq!((back.commits.len(), back.examined), (1, 0), "no attributes: the first answer, from the cache");
}

/// Past `screenlink.cacheMaxMb`, `index` (as backfill) drops the oldest cache entries,
/// whichever cache holds them, down under the limit, and keeps what is newer: the next run
/// embeds and splits nothing again.
#[test]
fn past_the_size_limit_the_oldest_cache_entries_go() {
    use git_screenlink::cache_limit::used_bytes;
    use git_screenlink::score::cache::{key, EmbeddingCache};
    let (env, _world) = TestEnv::with_world(&Spec::week(5));
    let dir = env.root().join("cache-limit");
    let index = || {
        let out = env.command("git-screenlink").current_dir(&env.repo).env("SCREENLINK_CACHE_DIR", &dir).args(["index", "--days", "3650"]).output().unwrap();
        out.assert_ok();
        out.stdout_text()
    };
    let first = index();
    assert!(!first.contains("cacheMaxMb"), "{first}");
    let rows = |file: &str, table: &str| -> i64 {
        rusqlite::Connection::open(dir.join(file)).unwrap().query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
    };
    let terms = rows("terms.sqlite", "terms_v1");
    assert!(terms > 0);
    // 3,000 vectors of older talk (another model's, long ago): about 4.6 MB.
    let junk: Vec<_> = (0..3000).map(|k| key(&format!("old talk {k}"))).collect();
    {
        let mut cache = EmbeddingCache::open(&dir, "an-older-model");
        let v = vec![0.25f32; 384];
        cache.put_many(&junk.iter().map(|k| (*k, &v[..])).collect::<Vec<_>>()).unwrap();
    }
    let db = rusqlite::Connection::open(dir.join("embeddings.sqlite")).unwrap();
    db.execute("UPDATE embeddings SET added = 1000 WHERE model = 'an-older-model'", []).unwrap();
    let limit = 3 * 1_048_576;
    assert!(used_bytes(&dir) > limit);
    env.git(["config", "screenlink.cacheMaxMb", "3"]).assert_ok();
    let pruned = index();
    assert!(pruned.contains("passed screenlink.cacheMaxMb (3 MB): their oldest"), "{pruned}");
    assert!(used_bytes(&dir) <= limit, "{}", used_bytes(&dir));
    let left: i64 = db.query_row("SELECT count(*) FROM embeddings WHERE model = 'an-older-model'", [], |r| r.get(0)).unwrap();
    assert!(left < 3000, "{left}");
    assert_eq!(rows("terms.sqlite", "terms_v1"), terms, "the newer terms stay");
    // The world's own vectors stayed: nothing is embedded again, nothing pruned.
    let again = index();
    assert!(again.contains(" 0 embedded") && !again.contains("cacheMaxMb"), "{again}");
}

/// The caches hold the talk's words, its vectors and the commits' code: owner-only files even
/// in a cache dir others can read (one made before, or a shared `SCREENLINK_CACHE_DIR`).
#[cfg(unix)]
#[test]
fn cache_files_are_readable_only_by_their_owner_in_a_dir_others_can_read() {
    use std::os::unix::fs::PermissionsExt;
    let (env, _world) = TestEnv::with_world(&Spec::week(2));
    let dir = env.root().join("shared-cache");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = env.run_bin("git-screenlink", ["backfill", "--yes", "--dry-run"], &[("SCREENLINK_CACHE_DIR", dir.as_os_str())]);
    out.assert_ok();
    let mut seen = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            if path.is_dir() {
                stack.push(path);
            } else {
                assert_eq!(mode & 0o077, 0, "{} is {mode:o}", path.display());
                seen.push(path.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    for f in ["embeddings.sqlite", "terms.sqlite", "commits.sqlite"] {
        assert!(seen.iter().any(|s| s == f), "{f} in {seen:?}");
    }
}
