//! `git screenlink backfill` and `demo` end to end: real git, real SQLite in screenpipe's
//! schema, the real model.

use std::collections::HashSet;
use std::path::Path;

use git_screenlink::dataset::{DecisionRecord, Pair};
use git_screenlink::fixture::{Spec, World};

use crate::env::{hand_db, OutputExt, TestEnv};

fn pairs(path: &Path) -> Vec<Pair> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a pair ({e}): {l}"))).collect()
}

fn decisions(path: &Path) -> Vec<DecisionRecord> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// (pairs, correct) against the world's ground truth.
fn correct(world: &World, pairs: &[Pair]) -> usize {
    pairs
        .iter()
        .filter(|p| {
            let truth = world.truth.commits.iter().find(|t| t.sha == p.metadata.commit_sha).unwrap();
            p.metadata.audio_ids.iter().any(|id| truth.rows.contains(id))
        })
        .count()
}

#[test]
fn backfill_links_a_week_writes_private_untracked_pairs_and_is_idempotent() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    let out = env.screenlink(["backfill", "--yes"]);
    out.assert_ok();
    let text = out.stdout_text();
    assert!(text.contains("[Statistics]") && text.contains("Total training pairs:"), "{text}");
    assert!(text.contains("Estimated tokens:") && text.contains("Confidence range:"), "{text}");

    let dir = world.repo.join(".git").join("screenlink");
    let got = pairs(&dir.join("training_data.jsonl"));
    assert!(got.len() >= 8, "a week world links most of its 20 commits: {}", got.len());
    let right = correct(&world, &got);
    assert!(right as f64 / got.len() as f64 >= 0.8, "precision {right}/{}", got.len());
    for p in &got {
        assert!(p.metadata.confidence >= 0.6, "{p:?}");
        assert!(p.input.starts_with("Business Context from team discussions:\n\n"), "{}", p.input);
        assert!(p.input.contains("\n\nTask: Modify src/"), "{}", p.input);
        assert!(p.output.starts_with("// file: src/"), "{}", p.output);
        assert_eq!(p.metadata.decided_by, git_screenlink::dataset::DecidedBy::Auto);
        assert!(!p.metadata.audio_ids.is_empty() && p.metadata.commit_timestamp.ends_with('Z'));
        assert_eq!(p.metadata.features.len(), git_screenlink::score::features::N, "the fitted scorer's features travel with the pair");
    }
    let like = git_screenlink::score::features::LIKE_COMMITS_INDEX;
    assert!(got.iter().any(|p| p.metadata.features[like] != 0.0), "backfill measures the talk of like commits");
    let ids: Vec<i64> = got.iter().flat_map(|p| p.metadata.audio_ids.clone()).collect();
    assert_eq!(ids.len(), ids.iter().collect::<HashSet<_>>().len(), "no talk is used for two commits");
    assert_eq!(decisions(&dir.join("decisions.jsonl")).len(), got.len());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("training_data.jsonl")), 0o600);
        assert_eq!(mode(&dir.join("decisions.jsonl")), 0o600);
    }
    let status = env.git(["status", "--porcelain", "--ignored"]);
    assert_eq!(status.stdout_text(), "", "the dataset is not in the work tree");

    // A second run decides nothing twice and writes nothing.
    let before = std::fs::read(dir.join("training_data.jsonl")).unwrap();
    let again = env.screenlink(["backfill", "--yes"]);
    again.assert_ok();
    assert!(again.stdout_text().contains(&format!("{} commits already decided", got.len())), "{}", again.stdout_text());
    assert!(again.stdout_text().contains("No new training pairs"), "{}", again.stdout_text());
    assert_eq!(std::fs::read(dir.join("training_data.jsonl")).unwrap(), before);
}

#[test]
fn scoring_guide_reproduces_the_guides_formula() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    let out = env.screenlink(["backfill", "--yes", "--scoring", "guide"]);
    out.assert_ok();
    assert!(out.stdout_text().contains("keyword × 0.3 + semantic × 0.7, threshold 0.6"), "{}", out.stdout_text());
    let got = pairs(&world.repo.join(".git/screenlink/training_data.jsonl"));
    assert!(got.len() >= 8, "{}", got.len());
    for p in &got {
        let expected = 0.3 * p.metadata.keyword_score + 0.7 * p.metadata.semantic_score;
        assert!((p.metadata.confidence - expected).abs() < 0.002, "the guide's formula: {p:?}");
        assert!(p.metadata.confidence >= 0.6);
    }
    let bad = env.screenlink(["backfill", "--yes", "--scoring", "best"]);
    assert_eq!(bad.status.code(), Some(2), "{}", bad.stderr_text());
    assert!(bad.stderr_text().contains("fitted or guide"), "{}", bad.stderr_text());
}

#[test]
fn dry_run_writes_nothing_and_json_matches_the_summary() {
    let (env, world) = TestEnv::with_world(&Spec::week(4));
    let out = env.screenlink(["backfill", "--dry-run", "--json"]);
    out.assert_ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).expect("stdout is one JSON document");
    let n = v["pairs"].as_array().unwrap().len();
    assert!(n > 0);
    assert_eq!(v["summary"]["accepted"], n);
    assert_eq!(v["summary"]["dry_run"], true);
    assert!(v["summary"]["estimated_tokens"].as_u64().unwrap() > 0);
    assert!(!world.repo.join(".git").join("screenlink").exists(), "dry run created the dataset dir");
}

#[test]
fn nothing_linked_is_the_guides_error_with_exit_1() {
    let (env, world) = TestEnv::with_world(&Spec::week(5));
    let out = env.screenlink(["backfill", "--yes", "--min-confidence", "1"]);
    assert_eq!(out.code(), 1, "{}", out.stderr_text());
    assert!(out.stderr_text().contains("git-screenlink: no training pairs created\n  hint: try a lower screenlink.minConfidence"), "{}", out.stderr_text());
    assert!(!world.repo.join(".git/screenlink/training_data.jsonl").exists());
}

/// Commits made long after every talk: no threshold can link them, so the error says where
/// the talk is and which command links the commits made then, and that command works.
#[test]
fn commits_with_no_talk_near_them_say_when_the_talk_is_not_to_lower_the_threshold() {
    let (env, world) = TestEnv::with_world(&Spec::week(9));
    for (i, day) in ["2099-01-01", "2099-01-02"].iter().enumerate() {
        let body: String = (0..8).map(|k| format!("pub fn late_{i}_{k}() -> usize {{ {k} }}\n")).collect();
        env.write(&format!("src/late{i}.rs"), &body);
        env.git(["add", "src"]).assert_ok();
        let date = format!("{day}T10:00:00+00:00");
        let mut c = std::process::Command::new("git");
        env.scrub(&mut c).env("GIT_COMMITTER_DATE", &date).env("GIT_AUTHOR_DATE", &date).args(["commit", "-q", "-m", &format!("Late change {i}")]);
        c.output().unwrap().assert_ok();
    }
    let out = env.screenlink(["backfill", "--yes", "HEAD~2..HEAD"]);
    assert_eq!(out.code(), 1, "{}", out.stderr_text());
    let err = out.stderr_text();
    assert!(err.contains("no audio transcriptions in the 7 days before any of these 2 commits (made 2099-01-01 to 2099-01-02)"), "{err}");
    assert!(!err.contains("minConfidence"), "a lower threshold cannot link talk that is not there: {err}");
    let dataset = world.repo.join(".git/screenlink/training_data.jsonl");
    assert!(!dataset.exists());
    // The hint's command, as a user would paste it, links the commits made while talk was recorded.
    let cmd = err.split('`').nth(1).unwrap_or_else(|| panic!("no command in {err}"));
    let args: Vec<&str> = cmd.strip_prefix("git screenlink ").unwrap_or_else(|| panic!("{cmd}")).split_whitespace().chain(["--yes"]).collect();
    assert!(args.contains(&"--since") && args.contains(&"--until"), "{args:?}");
    env.screenlink(&args).assert_ok();
    let got = pairs(&dataset);
    assert!(got.len() >= 5, "{} pairs from {cmd}", got.len());
    assert!(got.iter().all(|p| !p.instruction.starts_with("Late change")), "the late commits stay unlinked");
}

#[test]
fn without_a_terminal_backfill_asks_for_yes_or_dry_run() {
    let (env, _world) = TestEnv::with_world(&Spec::week(6));
    let out = env.screenlink(["backfill"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("no terminal") && out.stderr_text().contains("--yes"), "{}", out.stderr_text());
}

#[test]
fn range_since_and_stdin_select_commits() {
    let (env, world) = TestEnv::with_world(&Spec::week(7));
    let newest: Vec<&str> = world.truth.commits.iter().rev().take(3).map(|c| c.sha.as_str()).collect();
    let out = env.screenlink(["backfill", "--dry-run", "--json", "HEAD~3..HEAD"]);
    out.assert_ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!(v["summary"]["commits_examined"], 3);

    let mut cmd = env.command("git-screenlink");
    cmd.args(["backfill", "--dry-run", "--json", "--stdin"]).stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(newest[..2].join("\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!(v["summary"]["commits_examined"], 2);
    for p in v["pairs"].as_array().unwrap() {
        assert!(newest[..2].contains(&p["metadata"]["commit_sha"].as_str().unwrap()));
    }

    let out = env.screenlink(["backfill", "--dry-run", "--since", "not-a-date"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("--since") && out.stderr_text().contains("YYYY-MM-DD"));
}

#[test]
fn cargo_workspace_names_the_crate_on_the_task_line() {
    let env = TestEnv::new();
    let write = |rel: &str, text: &str| env.write(rel, text);
    write("Cargo.toml", "[workspace]\nmembers = [\"crates/api\", \"crates/db\"]\nresolver = \"2\"\n");
    for name in ["api", "db"] {
        write(&format!("crates/{name}/Cargo.toml"), &format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"));
        write(&format!("crates/{name}/src/lib.rs"), "pub mod x {}\n");
    }
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "Initial workspace"]).assert_ok();
    write(
        "crates/api/src/search.rs",
        "pub struct SearchPage {\n    pub page_size: usize,\n    pub next_cursor: Option<String>,\n}\n\npub fn paginate_search(results: &[String], page_size: usize) -> SearchPage {\n    SearchPage { page_size, next_cursor: results.get(page_size).cloned() }\n}\n",
    );
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "Add pagination to search"]).assert_ok();

    let talk = [
        ("2026-03-01T15:00:00+00:00", "users complain search is slow when there are a thousand results"),
        ("2026-03-01T15:00:30+00:00", "we should paginate search in the api crate with a page size"),
        ("2026-03-01T15:01:00+00:00", "and a next cursor so the search page response stays small"),
    ];
    let db = hand_db(env.root(), &talk);
    let args = ["backfill", "--dry-run", "--json", "--source", "db", "--screenpipe-db", db.to_str().unwrap(), "--min-confidence", "0.3"];
    // The temp HOME has no rustup; name cargo as `cargo screenlink` would (cargo sets CARGO).
    let cargo = std::env::var_os("CARGO").expect("cargo test sets CARGO");
    let out = env.run_bin("git-screenlink", args, &[("CARGO", &cargo)]);
    out.assert_ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let p = &v["pairs"][0];
    assert!(p["input"].as_str().unwrap().ends_with("Task: Modify crates/api/src/search.rs (crate api)"), "{p}");
    assert_eq!(p["metadata"]["crates"], serde_json::json!(["api"]));
    assert_eq!(p["metadata"]["audio_ids"], serde_json::json!([1, 2, 3]));
    assert_eq!(p["metadata"]["speakers"], serde_json::json!(["Alice"]));
    assert_eq!(p["instruction"], "Add pagination to search");
}

#[test]
fn demo_builds_a_world_and_links_it() {
    let env = TestEnv::new();
    let dir = env.root().join("demo");
    let out = env.screenlink(["demo", "--dir", dir.to_str().unwrap()]);
    out.assert_ok();
    let text = out.stdout_text();
    assert!(text.contains("Total training pairs:") && text.contains("Dataset:"), "{text}");
    let got = pairs(&dir.join("repo/.git/screenlink/training_data.jsonl"));
    assert!(!got.is_empty());
    let again = env.screenlink(["demo", "--dir", dir.to_str().unwrap()]);
    assert_eq!(again.code(), 2, "a non-empty --dir is refused");
}

/// On a real pseudo-terminal: accept the first pair, reject the second, press Ctrl-C at the
/// third. The two decisions are kept, and the next run asks from the third.
#[cfg(unix)]
#[test]
fn interactive_backfill_keeps_every_decision_made_before_ctrl_c() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    let dir = world.repo.join(".git").join("screenlink");
    // Through a shell, to see the exit code on the same terminal.
    let mut cmd = std::process::Command::new("sh");
    env.scrub(&mut cmd).current_dir(&env.repo).args(["-c", "git-screenlink backfill; echo \"exit=$?\""]);
    let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
    p.exp_string("uit").unwrap();
    p.send("a").unwrap();
    p.flush().unwrap();
    p.exp_string("uit").unwrap();
    p.send("r").unwrap();
    p.flush().unwrap();
    p.exp_string("uit").unwrap();
    p.send_control('c').unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("1 accepted, 1 rejected"), "{rest}");
    assert!(rest.contains("exit=130"), "Ctrl-C exits 130: {rest}");

    let kept = pairs(&dir.join("training_data.jsonl"));
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].metadata.decided_by, git_screenlink::dataset::DecidedBy::User);
    let log = decisions(&dir.join("decisions.jsonl"));
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].decision, git_screenlink::dataset::Decision::Rejected);

    // The next run does not ask about the two decided commits again.
    let out = env.screenlink(["backfill", "--dry-run", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!(v["summary"]["already_decided"], 2);
    let shas: Vec<&str> = v["pairs"].as_array().unwrap().iter().map(|p| p["metadata"]["commit_sha"].as_str().unwrap()).collect();
    assert!(!shas.contains(&kept[0].metadata.commit_sha.as_str()));
    assert!(!shas.contains(&log[1].commit_sha.as_str()));
}

/// On a terminal, links below minConfidence down to askConfidence are asked about too,
/// marked unsure, and an accepted one is a pair; `--yes` never takes them.
#[cfg(unix)]
#[test]
fn interactive_backfill_asks_about_unsure_links_and_yes_takes_none() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    let dir = world.repo.join(".git").join("screenlink");
    // Every link is below this threshold: what is asked is what the ask floor lets through.
    env.git(["config", "screenlink.minConfidence", "0.999"]).assert_ok();
    env.git(["config", "screenlink.askConfidence", "0"]).assert_ok();
    let yes = env.screenlink(["backfill", "--yes", "--dry-run", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&yes.stdout_text()).unwrap();
    assert!(v["pairs"].as_array().unwrap().is_empty(), "--yes takes nothing below minConfidence");
    assert!(v["summary"].get("asked_unsure").is_none());

    let mut cmd = std::process::Command::new("sh");
    env.scrub(&mut cmd).current_dir(&env.repo).args(["-c", "git-screenlink backfill; echo \"exit=$?\""]);
    let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
    let first = p.exp_string("uit").unwrap();
    assert!(first.contains("? unsure:"), "{first}");
    p.send("a").unwrap();
    p.flush().unwrap();
    p.exp_string("uit").unwrap();
    p.send("q").unwrap();
    p.flush().unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("asked about") && rest.contains("below it, unsure"), "{rest}");
    let kept = pairs(&dir.join("training_data.jsonl"));
    assert_eq!(kept.len(), 1, "{rest}");
    assert!(kept[0].metadata.confidence < 0.999);
    assert_eq!(kept[0].metadata.decided_by, git_screenlink::dataset::DecidedBy::User);
}

/// The keyword stage finds candidates through its inverted index exactly as a scan of every
/// passage in the window did: same passages, same scores, same order.
#[test]
fn the_indexed_keyword_stage_matches_a_full_scan() {
    use git_screenlink::link::{keyword_stage, Params, PassageTerms};
    let dir = tempfile::tempdir().unwrap();
    let world = git_screenlink::fixture::build(&Spec { style: git_screenlink::fixture::Style::Meeting, ..Spec::month(2) }, dir.path()).unwrap();
    let repo = git2::Repository::open(&world.repo).unwrap();
    let sel = git_screenlink::commits::select(&repo, &git_screenlink::commits::RevisionSet { max: 1000, ..Default::default() }, 5).unwrap();
    let overrides = [
        git_screenlink::config::Override { key: git_screenlink::config::SCREENPIPE_DB, flag: "--screenpipe-db", value: world.db.display().to_string() },
        git_screenlink::config::Override { key: git_screenlink::config::SOURCE, flag: "--source", value: "db".into() },
    ];
    let settings = git_screenlink::config::Settings::load(&world.repo, &overrides).unwrap();
    let params = Params { candidate_limit: 0, ..Params::from_settings(&settings) };
    let talk = git_screenlink::pipeline::read_talk(&settings, &sel.commits, &params).unwrap();
    let passages = talk.passages();
    let indexed = PassageTerms::new(&passages, &talk.terms);
    // A passage's terms, taken from its rows' (split once, or read from the term cache), are
    // what splitting its rows' own text gives: every term, as many times (fillers are judged
    // within a row, as speech is transcribed).
    for (i, p) in passages.iter().enumerate() {
        let d = p.discussion;
        let own: Vec<String> = d.rows[p.rows.clone()].iter().flat_map(|r| git_screenlink::score::keywords::talk_terms(&d.text[r.span.0..r.span.1])).collect();
        assert_eq!(indexed.lens[i], own.len(), "{}", p.text);
        assert!(own.iter().all(|t| indexed.says(i, t)), "{}", p.text);
    }
    // Postings are cut to a commit's window by binary search on start time: each list must
    // be in start order, and the scan's list of every passage is too.
    let start = |i: &u32| passages[*i as usize].start;
    assert!(indexed.postings.iter().all(|v| v.windows(2).all(|w| start(&w[0]) <= start(&w[1]))));
    let mut every: Vec<u32> = (0..passages.len() as u32).collect();
    every.sort_by_key(|i| (start(i), *i));
    let mut scan = PassageTerms::new(&passages, &talk.terms);
    for v in scan.postings.iter_mut() {
        *v = every.clone();
    }
    let ws = git_screenlink::workspace::Workspace::default();
    let mut compared = 0;
    for c in &sel.commits {
        let a = keyword_stage(c, &ws, &passages, &indexed, &params);
        let b = keyword_stage(c, &ws, &passages, &scan, &params);
        let key =
            |l: &git_screenlink::link::CommitLinks| l.candidates.iter().map(|s| (s.passage, s.keyword.to_bits(), s.raw.bm25.to_bits())).collect::<Vec<_>>();
        assert_eq!(key(&a), key(&b), "{}", c.subject);
        compared += a.candidates.len();
    }
    assert!(compared > 1000, "enough candidates compared: {compared}");
    // The window cut itself, against a check of every passage: each commit's window, and
    // the words of one of its passages as the terms.
    let mut checked = 0;
    for c in &sel.commits {
        let (from, to) = git_screenlink::candidates::window(c, params.time_window_days, params.commit_offset_hours);
        let Some(p) = passages.iter().find(|p| p.start >= from && p.start < to) else { continue };
        let terms: Vec<String> = git_screenlink::score::keywords::terms(p.text).into_iter().take(5).collect();
        let got = indexed.sharing(terms.iter().map(String::as_str), from, to);
        let want: Vec<usize> =
            (0..passages.len()).filter(|&i| passages[i].start >= from && passages[i].start < to && terms.iter().any(|t| indexed.says(i, t))).collect();
        assert_eq!(got, want, "{}", c.subject);
        checked += got.len();
    }
    assert!(checked > 100, "{checked}");
}

#[test]
fn int8_precision_scores_with_its_own_model_and_its_own_cache() {
    let (env, _world) = TestEnv::with_world(&Spec::week(1));
    let run = || -> serde_json::Value {
        let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json"]);
        out.assert_ok();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let models = |v: &serde_json::Value| -> Vec<String> {
        v["pairs"].as_array().unwrap().iter().map(|p| p["metadata"]["model"].as_str().unwrap().to_string()).collect()
    };
    env.git(["config", "screenlink.modelPrecision", "int8"]).assert_ok();
    let cold = run();
    assert!(cold["summary"]["texts_embedded"].as_u64().unwrap() > 0);
    let int8 = models(&cold);
    assert!(!int8.is_empty() && int8.iter().all(|m| m == "sentence-transformers/all-MiniLM-L6-v2@int8"), "{int8:?}");
    assert_eq!(run()["summary"]["texts_embedded"].as_u64(), Some(0), "int8 vectors are cached");
    // fp32 finds none of them: its vectors are its own.
    env.git(["config", "screenlink.modelPrecision", "fp32"]).assert_ok();
    let fp32 = run();
    assert_eq!(fp32["summary"]["texts_embedded"], cold["summary"]["texts_embedded"]);
    assert!(models(&fp32).iter().all(|m| m == "sentence-transformers/all-MiniLM-L6-v2"));
    env.git(["config", "screenlink.modelPrecision", "fp16"]).assert_ok();
    let bad = env.screenlink(["backfill", "--yes", "--dry-run"]);
    assert_eq!(bad.code(), 2);
    assert!(bad.stderr_text().contains("fp32 or int8"), "{}", bad.stderr_text());
}

/// Talk read and linked in blocks of time (`screenlink.talkBlockRows`) links what one read
/// of all of it links: exactly with the guide's formula, which reads nothing talk-wide;
/// nearly with the fitted scorer, whose keyword weights and talk level come from each
/// block's own talk and commits.
#[test]
fn talk_read_in_blocks_links_what_one_read_links() {
    let (env, world) = TestEnv::with_world(&Spec::month(2));
    let run = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["backfill", "--dry-run", "--json"];
        args.extend_from_slice(extra);
        let out = env.screenlink(args);
        out.assert_ok();
        serde_json::from_str(&out.stdout_text()).expect("stdout is one JSON document")
    };
    let links = |v: &serde_json::Value| -> HashSet<(String, Vec<i64>)> {
        v["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["metadata"]["commit_sha"].as_str().unwrap().to_string(), serde_json::from_value(p["metadata"]["audio_ids"].clone()).unwrap()))
            .collect()
    };
    for scoring in ["guide", "fitted"] {
        let whole = run(&["--scoring", scoring]);
        env.git(["config", "screenlink.talkBlockRows", "3000"]).assert_ok();
        let blocks = run(&["--scoring", scoring]);
        env.git(["config", "--unset", "screenlink.talkBlockRows"]).assert_ok();
        assert_eq!(whole["summary"]["talk_blocks"], 1, "a month of talk is one block by default");
        let n = blocks["summary"]["talk_blocks"].as_u64().unwrap();
        assert!(n >= 3, "3,000 rows a block cuts a month of talk into several: {n}");
        assert_eq!(blocks["summary"]["transcription_rows"], whole["summary"]["transcription_rows"], "every row counted once");
        let (a, b) = (links(&whole), links(&blocks));
        assert!(a.len() > 60, "{scoring}: a month world links most commits: {}", a.len());
        if scoring == "guide" {
            assert_eq!(a, b, "the guide's formula links the same pairs in blocks");
        } else {
            let same = a.intersection(&b).count();
            assert!(same as f64 >= 0.9 * a.len() as f64 && b.len().abs_diff(a.len()) <= a.len() / 10, "{same} of {} / {}", a.len(), b.len());
            let right = |v: &serde_json::Value| {
                let pairs: Vec<Pair> = serde_json::from_value(v["pairs"].clone()).unwrap();
                correct(&world, &pairs) as f64 / pairs.len() as f64
            };
            assert!(right(&blocks) >= right(&whole) - 0.05, "precision {} in blocks, {} at once", right(&blocks), right(&whole));
        }
    }
}

/// Commits already decided are scored beside the ones being linked but widen no read: the
/// talk read is what the commits being linked can see, the same rows as a run that selects
/// only them.
#[test]
fn decided_commits_widen_no_read_of_talk() {
    // A month: the decided half's windows reach weeks before the rest's.
    let (env, world) = TestEnv::with_world(&Spec::month(3));
    let mut times: Vec<chrono::DateTime<chrono::Utc>> = world.truth.commits.iter().map(|c| c.time).collect();
    times.sort();
    let (a, b) = (times[times.len() / 2 - 1], times[times.len() / 2]);
    assert!(b > a, "two commits apart in time");
    let mid = (a + (b - a) / 2).to_rfc3339();
    // Every older commit linked (a commit left unlinked would be looked at again).
    env.screenlink(["backfill", "--yes", "--until", &mid, "--min-confidence", "0"]).assert_ok();
    let rows = |extra: &[&str]| -> (u64, u64) {
        let mut args = vec!["backfill", "--dry-run", "--json"];
        args.extend_from_slice(extra);
        let out = env.screenlink(args);
        out.assert_ok();
        let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
        (v["summary"]["transcription_rows"].as_u64().unwrap(), v["summary"]["already_decided"].as_u64().unwrap())
    };
    let (with_decided, decided) = rows(&[]);
    let (alone, none) = rows(&["--since", &mid]);
    assert!(decided > 0 && none == 0, "{decided} decided beside, {none} when selected alone");
    assert!(alone > 0);
    assert_eq!(with_decided, alone, "decided commits' windows are not read");
}

/// A fix and its follow-up that name one issue both link the talk that asked for it; a
/// commit of no issue does not take talk another commit has.
#[test]
fn commits_of_one_issue_share_their_talk_and_no_other_commit_does() {
    let run = |follow_up_subject: &str| -> Vec<Pair> {
        let env = TestEnv::new();
        env.write("src/lib.rs", "pub mod pay {}\n");
        env.git(["add", "."]).assert_ok();
        env.git(["commit", "-qm", "Initial"]).assert_ok();
        env.write(
            "src/gateway.rs",
            "pub fn charge_card_with_retry(gateway: &Gateway, card: &Card) -> Result<Receipt, GatewayTimeout> {\n    for _ in 0..retry_limit() {\n        if let Ok(r) = gateway.charge_card(card) {\n            return Ok(r);\n        }\n    }\n    Err(GatewayTimeout)\n}\n",
        );
        env.git(["add", "."]).assert_ok();
        env.git(["commit", "-qm", "PAY-42 Retry card charges when the payment gateway times out"]).assert_ok();
        env.write(
            "src/retry.rs",
            "/// How often a card charge is retried when the payment gateway times out.\npub fn retry_limit() -> usize {\n    // The gateway times out under load: three retries, then give up.\n    let limit = 3;\n    limit\n}\n\npub fn retry_delay_ms(attempt: usize) -> u64 {\n    200 * (attempt as u64 + 1)\n}\n",
        );
        env.git(["add", "."]).assert_ok();
        env.git(["commit", "-qm", follow_up_subject]).assert_ok();
        let talk = [
            ("2026-03-01T15:00:00+00:00", "the payment gateway keeps timing out when we charge a card"),
            ("2026-03-01T15:00:30+00:00", "so charge card should retry on a gateway timeout"),
            ("2026-03-01T15:01:00+00:00", "with a retry limit of three so a card is never charged forever"),
        ];
        let db = hand_db(env.root(), &talk);
        // Every best candidate is linked (threshold 0): what is tested is who may take talk
        // already taken, not how sure the model is of a follow-up (it is not: the passage
        // fits the fix better).
        let out = env.screenlink(["backfill", "--yes", "--screenpipe-db", db.to_str().unwrap(), "--min-confidence", "0"]);
        out.assert_ok();
        pairs(&env.repo.join(".git/screenlink/training_data.jsonl"))
    };
    let shared = run("PAY-42 follow-up: cap the gateway retries");
    assert_eq!(shared.len(), 2, "{shared:#?}");
    assert!(shared.iter().all(|p| p.metadata.audio_ids == [1, 2, 3] && p.metadata.work.contains(&"PAY-42".to_string())), "{shared:#?}");
    let alone = run("Cap the gateway retries");
    assert_eq!(alone.len(), 1, "{alone:#?}");
    assert_eq!(alone[0].metadata.audio_ids, [1, 2, 3]);
}

/// The same change committed twice (applied, reverted, applied again; or picked onto another
/// branch) is one piece of work: both commits may link the talk that asked for it.
#[test]
fn the_same_change_committed_twice_shares_its_talk() {
    let env = TestEnv::new();
    env.write("src/lib.rs", "pub mod pay {}\n");
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "Initial"]).assert_ok();
    let retry = "pub fn charge_card_with_retry(gateway: &Gateway, card: &Card) -> Result<Receipt, GatewayTimeout> {\n    for _ in 0..3 {\n        if let Ok(r) = gateway.charge_card(card) {\n            return Ok(r);\n        }\n    }\n    Err(GatewayTimeout)\n}\n";
    env.write("src/gateway.rs", retry);
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "Retry card charges when the payment gateway times out"]).assert_ok();
    env.git(["rm", "-q", "src/gateway.rs"]).assert_ok();
    env.git(["commit", "-qm", "Take the gateway retries out again for the release"]).assert_ok();
    env.write("src/gateway.rs", retry);
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "Bring back card charge retries"]).assert_ok();
    let talk = [
        ("2026-03-01T15:00:00+00:00", "the payment gateway keeps timing out when we charge a card"),
        ("2026-03-01T15:00:30+00:00", "so charge card should retry on a gateway timeout, three times"),
    ];
    let db = hand_db(env.root(), &talk);
    let out = env.screenlink(["backfill", "--yes", "--screenpipe-db", db.to_str().unwrap(), "--min-confidence", "0"]);
    out.assert_ok();
    let got = pairs(&env.repo.join(".git/screenlink/training_data.jsonl"));
    let mut subjects: Vec<&str> = got.iter().map(|p| p.instruction.as_str()).collect();
    subjects.sort();
    assert_eq!(subjects, ["Bring back card charge retries", "Retry card charges when the payment gateway times out"], "{got:#?}");
    assert!(got.iter().all(|p| p.metadata.audio_ids == [1, 2]), "{got:#?}");
    assert_eq!(got[0].metadata.work, got[1].metadata.work, "one piece of work: {got:#?}");
    assert!(got[0].metadata.work[0].starts_with("patch:"), "{got:#?}");
}
