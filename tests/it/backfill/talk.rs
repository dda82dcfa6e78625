//! Backfill over talk: the keyword stage's index, int8, talk read in blocks, decided
//! commits, and talk shared by the commits of one piece of work.

use std::collections::HashSet;

use git_screenlink::dataset::Pair;
use git_screenlink::fixture::Spec;

use super::{correct, pairs};
use crate::env::{hand_db, OutputExt, TestEnv};

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

/// Chinese speech names code inside its sentences, with no space on either side
/// (`客户反馈说MailUtil发送…`): the name is still a term, so the commit that changes that code
/// has the talk as a candidate. Before, `说mailutil发送…` was one term and the commit none.
#[test]
fn code_named_inside_chinese_speech_links_its_commit() {
    let env = TestEnv::new();
    let mail = |body: &str| {
        format!("package cn.mail;\n\npublic class MailUtil {{\n    public static void send(String to, String html{body}\n        message.send();\n    }}\n}}\n")
    };
    env.write("src/main/java/cn/mail/MailUtil.java", &mail(") {\n        Message message = new Message(to);\n        message.setHtml(html);"));
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "初始化邮件模块"]).assert_ok();
    env.write(
        "src/main/java/cn/mail/MailUtil.java",
        &mail(", File[] images) {\n        Message message = new Message(to);\n        message.setHtml(html);\n        for (File image : images) {\n            Attachment attachment = Attachment.of(image);\n            attachment.setDisposition(Disposition.INLINE);\n            attachment.setContentId(image.getName());\n            message.attach(attachment);\n        }"),
    );
    env.git(["add", "."]).assert_ok();
    env.git(["commit", "-qm", "图片附件设置内联"]).assert_ok();
    let talk = [
        ("2026-03-01T09:00:00+00:00", "客户反馈说MailUtil发送html格式的邮件时，图片无法正常展示，邮件客户端里只看到一个红叉，附件里倒是有图片。"),
        ("2026-03-01T09:00:30+00:00", "我看了一下，应该是附件图片没有设置内联，所以html里引用不到，需要给每个Attachment设置contentId。"),
        ("2026-03-01T09:01:00+00:00", "那就在MailUtil里把图片附件设置成内联，然后加一个测试吧，下周发布之前合进去。"),
        ("2026-03-01T14:00:00+00:00", "下午我们讨论一下数据库连接池的配置，ConnectionPool的最大连接数现在是十，是不是太小了？"),
        ("2026-03-01T14:00:30+00:00", "我觉得可以先改成二十，再看看监控的数据，如果还是不够再调整超时时间。"),
    ];
    let db = hand_db(env.root(), &talk);
    let out = env.screenlink(["backfill", "--yes", "--screenpipe-db", db.to_str().unwrap(), "--min-confidence", "0"]);
    out.assert_ok();
    let got = pairs(&env.repo.join(".git/screenlink/training_data.jsonl"));
    assert_eq!(got.len(), 1, "{}", out.stderr_text());
    assert_eq!(got[0].instruction, "图片附件设置内联");
    assert_eq!(got[0].metadata.audio_ids, [1, 2, 3], "the talk about MailUtil, not the pool: {got:#?}");
}
