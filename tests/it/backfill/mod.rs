//! `git screenlink backfill` and `demo` end to end: real git, real SQLite in screenpipe's
//! schema, the real model.

use std::collections::HashSet;
use std::path::Path;

use git_screenlink::dataset::{DecisionRecord, Pair};
use git_screenlink::fixture::{Spec, World};

use crate::env::{hand_db, OutputExt, TestEnv};

mod talk;

pub(super) fn pairs(path: &Path) -> Vec<Pair> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a pair ({e}): {l}"))).collect()
}

fn decisions(path: &Path) -> Vec<DecisionRecord> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// (pairs, correct) against the world's ground truth.
/// Run `line` through a shell on a real pseudo-terminal, answering each prompt with the next
/// of `keys`: the screen before each answer, and what was printed after the last.
#[cfg(unix)]
fn on_a_pty(env: &TestEnv, line: &str, keys: &[&str]) -> (Vec<String>, String) {
    let mut cmd = std::process::Command::new("sh");
    env.scrub(&mut cmd).current_dir(&env.repo).args(["-c", line]);
    let mut p = rexpect::session::spawn_command(cmd, Some(60_000)).unwrap();
    let mut screens = Vec::new();
    for k in keys {
        screens.push(p.exp_string("uit").unwrap());
        p.send(k).unwrap();
        p.flush().unwrap();
    }
    let rest = p.exp_eof().unwrap();
    (screens, rest)
}

pub(super) fn correct(world: &World, pairs: &[Pair]) -> usize {
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
    // No commit to link: the threshold is not the reason, and the error says what is.
    let out = env.screenlink(["backfill", "--yes", "--min-code-lines", "100000"]);
    assert_eq!(out.code(), 1, "{}", out.stderr_text());
    let err = out.stderr_text();
    assert!(err.contains("git-screenlink: no training pairs created: none of the") && err.contains("examined has code to link"), "{err}");
    assert!(err.contains("`--min-code-lines 1`") && !err.contains("minConfidence"), "{err}");
    let out = env.screenlink(["backfill", "--yes", "HEAD..HEAD"]);
    assert_eq!(out.code(), 1, "{}", out.stderr_text());
    assert!(out.stderr_text().contains("no training pairs created: no commit in the range\n  hint: give a range that holds commits"), "{}", out.stderr_text());
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
    let first = p.exp_string("uit").unwrap();
    // The world's talk is months old: when it was said is told against the commit, and what
    // made the link sure beyond its two scores is named.
    assert!(first.contains("said on 2026-") && first.contains("before the commit"), "{first}");
    assert!(first.contains("why:"), "{first}");
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

    // A reject can be taken back: `show` and backfill's commits line say how (`--again`),
    // which only a person at a terminal may use, and which asks about it again.
    let rejected = log[1].commit_sha.as_str();
    let show = env.screenlink(["show", rejected]);
    assert_eq!(show.code(), 1);
    assert!(show.stderr_text().contains("you rejected its link on ") && show.stderr_text().contains("--again"), "{}", show.stderr_text());
    let status = env.screenlink(["status", "--no-load"]).stdout_text();
    assert!(status.contains("1 commit whose link you rejected or skipped (`git screenlink backfill --again` asks again)"), "{status}");
    let dry = env.screenlink(["backfill", "--dry-run"]).stdout_text();
    assert!(dry.contains("2 already decided (1 you rejected or skipped: `--again` asks about them again)"), "{dry}");
    let both = env.screenlink(["backfill", "--again", "--yes"]);
    assert_eq!(both.code(), 2, "a person's reject is not taken back by --yes");
    assert!(
        both.stderr_text().contains("cannot be used with") && both.stderr_text().contains("see `git screenlink backfill --help`"),
        "{}",
        both.stderr_text()
    );
    let no_term = env.screenlink(["backfill", "--again"]);
    assert_eq!(no_term.code(), 2);
    assert!(no_term.stderr_text().contains("--dry-run") && !no_term.stderr_text().contains("--yes"), "{}", no_term.stderr_text());
    let v: serde_json::Value = serde_json::from_str(&env.screenlink(["backfill", "--again", "--dry-run", "--json"]).stdout_text()).unwrap();
    assert_eq!(v["summary"]["already_decided"], 1, "only the accepted commit");
    assert!(v["pairs"].as_array().unwrap().iter().any(|p| p["metadata"]["commit_sha"] == rejected));
    let (asked, _) = on_a_pty(&env, "git-screenlink backfill --again; echo \"exit=$?\"", &["a", "q"]);
    assert!(asked[0].contains(git_screenlink::messages::short(rejected)), "the rejected commit is the oldest left: {}", asked[0]);
    let kept = pairs(&dir.join("training_data.jsonl"));
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().any(|k| k.metadata.commit_sha == rejected));
    env.screenlink(["show", rejected]).assert_ok();
    let last = decisions(&dir.join("decisions.jsonl")).into_iter().rev().find(|d| d.commit_sha == rejected).unwrap();
    assert_eq!(last.decision, git_screenlink::dataset::Decision::Accepted, "the new answer is the latest");
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

    // The commit's other talk is offered too, as the hook offers it: Next shows it, and an
    // accept takes the talk on the screen.
    let (screens, rest) = on_a_pty(&env, "git-screenlink backfill; echo \"exit=$?\"", &["n", "a", "q"]);
    let (first, second) = (&screens[0], &screens[1]);
    assert!(first.contains("? unsure:"), "{first}");
    assert!(first.contains("candidate 1 of "), "{first}");
    assert!(second.contains("candidate 2 of "), "{second}");
    assert!(rest.contains("asked about") && rest.contains("below it, unsure"), "{rest}");
    let kept = pairs(&dir.join("training_data.jsonl"));
    assert_eq!(kept.len(), 1, "{rest}");
    assert!(kept[0].metadata.confidence < 0.999);
    assert_eq!(kept[0].metadata.decided_by, git_screenlink::dataset::DecidedBy::User);
    let shown = format!("confidence {:.3}", kept[0].metadata.confidence);
    assert!(second.contains(&shown) && !first.contains(&shown), "{shown}: the second candidate's talk\n{first}\n{second}");
}

/// With `--again`, the talk a person turned down for a commit is offered last, not first.
#[cfg(unix)]
#[test]
fn asked_again_the_talk_turned_down_comes_last() {
    let (env, _world) = TestEnv::with_world(&Spec::week(3));
    env.git(["config", "screenlink.minConfidence", "0.999"]).assert_ok();
    env.git(["config", "screenlink.askConfidence", "0"]).assert_ok();
    let confidence = |screen: &str| screen.split("confidence ").nth(1).map(|r| r[..5].to_string()).unwrap_or_else(|| panic!("{screen}"));
    let (first, _) = on_a_pty(&env, "git-screenlink backfill", &["r", "q"]);
    let turned_down = confidence(&first[0]);
    assert!(first[0].contains("candidate 1 of "), "{}", first[0]);
    // Asked again: the same commit (the oldest), another talk first.
    let (again, _) = on_a_pty(&env, "git-screenlink backfill --again", &["q"]);
    let sha = |screen: &str| regex::Regex::new(r"\b[0-9a-f]{10}\b").unwrap().find(screen).map(|m| m.as_str().to_string());
    assert!(sha(&first[0]).is_some() && sha(&again[0]) == sha(&first[0]), "the same commit: {}\n{}", first[0], again[0]);
    assert_ne!(confidence(&again[0]), turned_down, "{}\n{}", first[0], again[0]);
}
