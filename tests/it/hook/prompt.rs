//! The hook's prompt: on a real pseudo-terminal, without one, during a rebase.

use super::*;

#[test]
fn the_prompt_on_a_terminal_accepts_rejects_and_defers() {
    // Ctrl-D (end of input) defers as `l` does: the prompt had waited on it for good.
    for key in ["a", "r", "l", "\u{4}"] {
        let (env, world) = TestEnv::with_world(&Spec::week(11));
        env.screenlink(["install"]).assert_ok();
        let t = recommit_newest_motivated(&env, &world);
        let screen = commit_on_a_pty(&env, &t, key);
        let dir = store(&world.repo);
        let pairs: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
        let decisions: Vec<DecisionRecord> = lines(&dir.join("decisions.jsonl"));
        let pending: Vec<PendingRecord> = lines(&dir.join("pending.jsonl"));
        let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
        // What made the link sure, by the hook's own weights (the prompt was once given
        // backfill's, which gave another confidence and so no reason at all).
        assert!(screen.contains("why:"), "{screen}");
        match key {
            "a" => {
                assert_eq!(pairs.len(), 1, "{screen}");
                assert_eq!(pairs[0].metadata.commit_sha, head);
                assert_eq!(pairs[0].metadata.decided_by, git_screenlink::dataset::DecidedBy::User);
                assert!(pairs[0].metadata.audio_ids.iter().any(|id| t.rows.contains(id)), "linked to its own talk");
                assert!(pending.is_empty());
            }
            "r" => {
                assert!(pairs.is_empty());
                assert_eq!(decisions.len(), 1);
                assert_eq!(decisions[0].decision, git_screenlink::dataset::Decision::Rejected);
            }
            _ => {
                assert!(pairs.is_empty() && decisions.is_empty());
                assert_eq!(pending.len(), 1);
                assert_eq!(pending[0].commit_sha, head);
                assert!(screen.contains("queued"), "{screen}");
            }
        }
    }
}

#[test]
fn without_a_terminal_the_commit_is_queued_and_review_yes_empties_the_queue() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    let out = git_at(&env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap();
    out.assert_ok();
    assert!(out.stderr_text().contains("queued (no terminal)"), "{}", out.stderr_text());
    let dir = store(&world.repo);
    assert_eq!(lines::<PendingRecord>(&dir.join("pending.jsonl")).len(), 1);

    let review = env.screenlink(["review"]);
    assert_eq!(review.code(), 2, "review without a terminal needs --yes");
    let review = env.screenlink(["review", "--yes"]);
    review.assert_ok();
    assert!(review.stdout_text().contains("1 accepted"), "{}{}", review.stdout_text(), review.stderr_text());
    let pairs = lines::<Pair>(&dir.join("training_data.jsonl"));
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0].metadata.audio_ids.iter().any(|id| t.rows.contains(id)), "linked to its own talk");
    // Review scores a commit made a while ago as backfill does, beside the commits around
    // it: the passage-side features the hook cannot have are there (the hook leaves them 0).
    let f = &pairs[0].metadata.features;
    let (passage_rank_margin, best_for_passage) = (git_screenlink::score::features::BASE + 1, git_screenlink::score::features::BASE + 2);
    assert!(f[passage_rank_margin] != 0.0 && f[best_for_passage] == 1.0, "{f:?}");
    let again = env.screenlink(["review", "--yes"]);
    assert!(again.stdout_text().contains("Nothing to review"), "{}", again.stdout_text());
}

/// Talk long enough to be a passage, about the `Feature N` commits `commit` makes.
const FEATURE_TALK: &str = "we need to add the feature files in the src folder, feature zero to feature four, each with small functions that add a number to x";

#[cfg(unix)]
#[test]
fn a_rebase_is_the_only_reason_a_terminal_gets_no_prompt() {
    let env = TestEnv::new();
    env.screenlink(["install"]).assert_ok();
    let db = hand_db(env.root(), &[("2026-03-01T10:00:00+00:00", FEATURE_TALK)]);
    for (k, v) in [("screenlink.minConfidence", "0"), ("screenlink.source", "db"), ("screenlink.screenpipeDb", db.to_str().unwrap())] {
        env.git(["config", k, v]).assert_ok();
    }
    // Made without a terminal: queued.
    commit(&env, &env.repo, "src/base.rs", "Base").assert_ok();
    env.git(["branch", "-q", "upstream"]).assert_ok();
    for i in 0..2 {
        commit(&env, &env.repo, &format!("src/f{i}.rs"), &format!("Feature {i}")).assert_ok();
    }
    env.git(["checkout", "-q", "upstream"]).assert_ok();
    commit(&env, &env.repo, "src/up.rs", "Upstream change").assert_ok();
    env.git(["checkout", "-q", "main"]).assert_ok();
    let queued_before = lines::<PendingRecord>(&store(&env.repo).join("pending.jsonl")).len();

    // The rebase on a terminal, with prompt = ask (the default): no prompt, the picks queued.
    let mut c = Command::new("git");
    env.scrub(&mut c).args(["rebase", "upstream"]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    let screen = p.exp_eof().unwrap();
    assert!(!screen.contains("ater") && !screen.contains("ccept"), "no prompt during a rebase: {screen}");
    let pending: Vec<PendingRecord> = lines(&store(&env.repo).join("pending.jsonl"));
    let during: Vec<&PendingRecord> = pending[queued_before..].iter().collect();
    assert_eq!(during.len(), 2, "{pending:?}");
    assert!(during.iter().all(|r| r.reason.contains("rebase")), "{during:?}");

    // The same talk on the same terminal outside a rebase: the prompt appears.
    write(&env.repo, "src/f9.rs", &code("f9"));
    env.git(["add", "."]).assert_ok();
    let mut c = Command::new("git");
    env.scrub(&mut c).args(["commit", "-q", "-m", "Feature 9"]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    p.exp_string("ater").unwrap();
    p.send("l").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
}

#[cfg(unix)]
#[test]
fn next_edit_and_ctrl_c_at_the_hook_prompt() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.minConfidence", "0"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    let mut c = git_at(&env, &t.time.to_rfc3339());
    c.args(["commit", "-q", "-m", &t.subject]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    // Next shows the second candidate; edit changes the instruction; accept keeps both.
    p.exp_string("ater").unwrap();
    p.send("n").unwrap();
    p.flush().unwrap();
    p.exp_string("candidate 2 of").unwrap();
    p.exp_string("ater").unwrap();
    p.send("e").unwrap();
    p.flush().unwrap();
    p.exp_string("instruction").unwrap();
    p.send(" (edited)\r").unwrap();
    p.flush().unwrap();
    p.exp_string("ater").unwrap();
    p.send("a").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
    let dir = store(&world.repo);
    let pairs: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
    assert_eq!(pairs.len(), 1);
    assert!(pairs[0].instruction.ends_with(" (edited)"), "{}", pairs[0].instruction);
    // The second candidate, not the first: the same commit accepted at once links other talk.
    let (first_env, first_world) = TestEnv::with_world(&Spec::week(11));
    first_env.screenlink(["install"]).assert_ok();
    first_env.git(["config", "screenlink.minConfidence", "0"]).assert_ok();
    let t1 = recommit_newest_motivated(&first_env, &first_world);
    commit_on_a_pty(&first_env, &t1, "a");
    let first: Vec<Pair> = lines(&store(&first_world.repo).join("training_data.jsonl"));
    assert_eq!(first.len(), 1);
    assert_ne!(first[0].metadata.audio_ids, pairs[0].metadata.audio_ids, "next moved to another candidate");
    assert!(!first[0].instruction.ends_with(" (edited)"));

    // Ctrl-C at the prompt: the commit is queued for later, nothing else recorded.
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    let mut c = git_at(&env, &t.time.to_rfc3339());
    c.args(["commit", "-q", "-m", &t.subject]);
    let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
    p.exp_string("ater").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    let dir = store(&world.repo);
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let pending: Vec<PendingRecord> = lines(&dir.join("pending.jsonl"));
    assert_eq!(pending.iter().map(|r| r.commit_sha.as_str()).collect::<Vec<_>>(), [head.as_str()]);
    assert!(lines::<Pair>(&dir.join("training_data.jsonl")).is_empty());
}

/// A person's answer in the hook is an answer like any other: once there are enough of each,
/// the hook refits this repository's weights itself (the next commit links with them), and
/// says so; an answer put off (`later`) refits nothing.
#[test]
fn an_answer_in_the_hook_refits_when_enough_are_known() {
    for key in ["r", "l"] {
        let (env, world) = TestEnv::with_world(&Spec::week(11));
        env.screenlink(["install"]).assert_ok();
        let dir = store(&world.repo);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("decisions.jsonl"), crate::weights::history(100)).unwrap();
        let t = recommit_newest_motivated(&env, &world);
        let screen = commit_on_a_pty(&env, &t, key);
        let weights = dir.join("weights.json");
        if key == "r" {
            assert!(weights.exists(), "{screen}");
            assert!(screen.contains("Learned from your answers (50 accepts, 51 rejects)"), "{screen}");
            assert!(env.screenlink(["weights"]).stdout_text().contains("this repository's weights"));
            // The next answer refits again, quietly: the first refit was said.
            let mut later = recommit_newest_motivated(&env, &world);
            later.time += chrono::Duration::minutes(1);
            let screen = commit_on_a_pty(&env, &later, "r");
            assert!(!screen.contains("Learned from your answers"), "{screen}");
            let w: serde_json::Value = serde_json::from_slice(&std::fs::read(&weights).unwrap()).unwrap();
            assert_eq!((w["accepts"].as_u64(), w["rejects"].as_u64()), (Some(50), Some(52)), "{screen}");
        } else {
            assert!(!weights.exists(), "{screen}");
        }
    }
}

/// A link below minConfidence is still put to a person at the prompt, marked unsure, when it
/// is at or above askConfidence; only their accept makes a pair of it. At or above
/// minConfidence nothing changes, and with askConfidence at minConfidence it is not asked.
#[test]
fn a_person_is_asked_about_an_unsure_link_down_to_ask_confidence() {
    for (ask, key) in [("0", "a"), ("0", "r"), ("0.999", "-")] {
        let (env, world) = TestEnv::with_world(&Spec::week(11));
        env.screenlink(["install"]).assert_ok();
        // Every link is below this threshold: only the ask floor decides whether one is asked.
        env.git(["config", "screenlink.minConfidence", "0.999"]).assert_ok();
        env.git(["config", "screenlink.askConfidence", ask]).assert_ok();
        let t = recommit_newest_motivated(&env, &world);
        let dir = store(&world.repo);
        let head_pairs = || lines::<Pair>(&dir.join("training_data.jsonl"));
        if key == "-" {
            let mut c = git_at(&env, &t.time.to_rfc3339());
            c.args(["commit", "-q", "-m", &t.subject]);
            let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
            let screen = p.exp_eof().unwrap();
            assert!(screen.contains("no discussion linked"), "{screen}");
            assert!(!screen.contains("unsure"), "{screen}");
            assert!(head_pairs().is_empty());
            // Noted as without a terminal: `status` counts it and backfill looks again.
            let decisions: Vec<DecisionRecord> = lines(&dir.join("decisions.jsonl"));
            assert_eq!(decisions.len(), 1, "{screen}");
            assert!(decisions[0].nothing_linked(), "{:?}", decisions[0]);
            let status = env.screenlink(["status", "--no-load"]).stdout_text();
            assert!(status.contains("1 commit nothing was linked to when made"), "{status}");
            continue;
        }
        let mut c = git_at(&env, &t.time.to_rfc3339());
        c.args(["commit", "-q", "-m", &t.subject]);
        let mut p = rexpect::session::spawn_command(c, Some(60_000)).unwrap();
        let asked = p.exp_string("ater").unwrap();
        assert!(asked.contains("? unsure:"), "{asked}");
        p.send(key).unwrap();
        p.flush().unwrap();
        let screen = p.exp_eof().unwrap();
        let pairs = head_pairs();
        let decisions: Vec<DecisionRecord> = lines(&dir.join("decisions.jsonl"));
        if key == "a" {
            assert_eq!(pairs.len(), 1, "{screen}");
            assert!(pairs[0].metadata.confidence < 0.999);
            assert_eq!(pairs[0].metadata.decided_by, git_screenlink::dataset::DecidedBy::User);
        } else {
            assert!(pairs.is_empty(), "{screen}");
            assert_eq!(decisions.len(), 1);
            assert_eq!(decisions[0].decision, git_screenlink::dataset::Decision::Rejected);
            assert!(!decisions[0].features.is_empty(), "the reject is an answer the refit can learn from");
        }
    }
}
