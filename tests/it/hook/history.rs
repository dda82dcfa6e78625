//! What the hook leaves for backfill, and what it learns from backfill's runs here: the
//! talk level, the share of commits linked, the centre, the recalibration.

use super::*;

#[test]
fn what_the_hook_could_not_link_backfill_looks_at_again() {
    let (env, world) = TestEnv::with_world(&Spec::week(11));
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    // A threshold nothing reaches: the hook links nothing and notes that it could not.
    env.git(["config", "screenlink.minConfidence", "0.999"]).assert_ok();
    let t = recommit_newest_motivated(&env, &world);
    git_at(&env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap().assert_ok();
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let dir = store(&world.repo);
    let decisions: Vec<DecisionRecord> = lines(&dir.join("decisions.jsonl"));
    assert_eq!(decisions.len(), 1, "the hook ran and noted its result");
    assert!(decisions[0].nothing_linked() && decisions[0].commit_sha == head, "{:?}", decisions[0]);
    assert!(lines::<Pair>(&dir.join("training_data.jsonl")).is_empty());
    let status = env.screenlink(["status", "--no-load"]).stdout_text();
    assert!(status.contains("1 commit nothing was linked to when made (`git screenlink backfill` looks at them again"), "{status}");
    // Backfill does not count that as decided: it links the commit to its own talk.
    let out = env.screenlink(["backfill", "--yes", "--json", "--min-confidence", "0.3", "HEAD~1..HEAD"]);
    out.assert_ok();
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["summary"]["already_decided"], 0, "{summary}");
    let pairs: Vec<Pair> = lines(&dir.join("training_data.jsonl"));
    assert_eq!(pairs.len(), 1, "{}", out.stderr_text());
    let status = env.screenlink(["status", "--no-load"]).stdout_text();
    assert!(!status.contains("nothing was linked to when made"), "linked now: {status}");
    assert_eq!(pairs[0].metadata.commit_sha, head);
    assert!(pairs[0].metadata.audio_ids.iter().any(|id| t.rows.contains(id)), "linked to its own talk");
    // Once linked, it is decided: a second run leaves it alone.
    let again: serde_json::Value =
        serde_json::from_slice(&env.screenlink(["backfill", "--yes", "--json", "--min-confidence", "0.3", "HEAD~1..HEAD"]).stdout).unwrap();
    assert_eq!(again["summary"]["already_decided"], 1, "{again}");
}

#[test]
fn the_hook_judges_talk_by_what_the_commits_before_it_met() {
    use git_screenlink::score::history::{self, Seen};
    let (env, world) = TestEnv::with_world(&Spec::week(12));
    let dir = store(&world.repo);
    let level_file = history::path(&dir);
    // Backfill (of the history before the commit the hook will make again) remembers the
    // best cosine of each commit it linked; a dry run writes nothing.
    let newest = world.truth.commits.iter().rev().find(|c| !c.rows.is_empty()).unwrap().sha.clone();
    let before = format!("{newest}~1");
    env.screenlink(["backfill", "--yes", "--dry-run", &before]).assert_ok();
    assert!(!level_file.exists(), "a dry run leaves no trace");
    env.screenlink(["backfill", "--yes", &before]).assert_ok();
    let remembered: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&level_file).unwrap()).unwrap();
    let recent = remembered["recent"].as_array().unwrap();
    assert!(recent.len() >= 10 && recent.len() <= history::HISTORY_LEN, "{remembered}");
    assert!(recent.iter().all(|s| (0.0..=1.0).contains(&s["best_cosine"].as_f64().unwrap())), "{remembered}");
    // The hook scores a new commit at the level the history gives, then remembers it too.
    let said: Vec<Seen> = (0..30).map(|k| Seen { sha: format!("{k:040x}"), time: 1_000 + k, best_cosine: 0.25 + k as f64 / 1000.0 }).collect();
    std::fs::remove_file(&level_file).unwrap();
    history::record(&dir, said).unwrap();
    assert!((history::level(&dir) - 0.265).abs() < 1e-9);
    let (head, pair) = hook_links_the_newest_motivated_commit_again(&env, &world);
    assert_eq!(pair.metadata.features[git_screenlink::score::features::TALK_LEVEL_INDEX], 0.265, "talk_level is the history's median");
    assert_eq!(pair.metadata.features[git_screenlink::score::features::LIKE_COMMITS_INDEX], 0.0, "the hook sees one commit: no like commits");
    let after: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&level_file).unwrap()).unwrap();
    let mine = after["recent"].as_array().unwrap().iter().find(|s| s["sha"] == head.as_str()).expect("the hook remembered its commit");
    // It remembers the raw cosine; the features read it at the talk's level.
    let scale = git_screenlink::score::features::talk_scale(0.265);
    assert!(mine["best_cosine"].as_f64().unwrap() * scale >= pair.metadata.features[0] - 1e-3, "{mine} {:?}", pair.metadata.features);
    assert!(mine["best_cosine"].as_f64().unwrap() <= 1.0, "{mine}");
    let weights = env.screenlink(["weights"]).stdout_text();
    assert!(weights.contains("the median best cosine of the last 31 commits scored here"), "{weights}");
    // A backfill of a few commits, too few to measure the talk by, scores at the history's level.
    let level = (history::level(&dir) * 10_000.0).round() / 10_000.0;
    let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json", "--min-confidence", "0", &format!("{before}~4..{before}")]);
    out.assert_ok();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pairs = json["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty(), "{json}");
    assert!(pairs.iter().all(|p| p["metadata"]["features"][git_screenlink::score::features::TALK_LEVEL_INDEX].as_f64() == Some(level)), "{level} {json}");
}

#[test]
fn the_hook_weighs_its_confidence_by_how_many_commits_backfill_linked_here() {
    use git_screenlink::score::fitted::{hook_prior_shift, Fitted};
    use git_screenlink::score::history::{self, History, Seen};
    use git_screenlink::score::recalibration::Recalibration;
    let (env, world) = TestEnv::with_world(&Spec::week(13));
    let dir = store(&world.repo);
    let newest = world.truth.commits.iter().rev().find(|c| !c.rows.is_empty()).unwrap().sha.clone();
    // Backfill remembers, for each commit it scored, whether it linked it.
    let out = env.screenlink(["backfill", "--yes", "--json", &format!("{newest}~1")]);
    out.assert_ok();
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let remembered: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(history::path(&dir)).unwrap()).unwrap();
    let judged = remembered["judged"].as_array().expect("backfill judged its commits");
    let linked = judged.iter().filter(|j| j["linked"] == true).count();
    assert_eq!(linked as u64, summary["summary"]["linked"].as_u64().unwrap(), "{summary}");
    assert!(judged.len() >= 20, "{remembered}");
    let share = History::load(&dir).prior().expect("enough commits judged");
    assert!((share - linked as f64 / judged.len() as f64).abs() < 1e-12);
    // It also remembers what the hook would have said of each (its log-odds for the passage it
    // ranks first) and backfill's confidence in that passage: the hook is recalibrated on them.
    let views = History::load(&dir).hook_views();
    assert_eq!(views.len(), judged.len(), "{remembered}");
    assert!(views.iter().all(|v| v.logit.is_finite() && (0.0..=1.0).contains(&v.later)), "{views:?}");
    let mut linked_views = judged.iter().filter(|j| j["linked"] == true).map(|j| j["hook"]["later"].as_f64().unwrap());
    assert!(linked_views.any(|later| later >= 0.6), "a linked commit's best passage is often the hook's: {remembered}");
    let r = History::load(&dir).hook_recalibration().expect("enough views");
    let weights = env.screenlink(["weights"]).stdout_text();
    let said = format!("recalibrated on what backfill and review said of {} commits here (log-odds x {:.2} {:+.2})", views.len(), r.scale, r.shift);
    assert!(weights.contains(&said), "{weights}");
    // A repository where backfill linked one commit in ten, judged by a version that kept no
    // hook views: the prior alone, and the hook's lead counts for less.
    std::fs::remove_file(history::path(&dir)).unwrap();
    let seen = |k: i64| Seen { sha: format!("{k:040x}"), time: 1_000 + k, best_cosine: 0.5 };
    History::default().record_judged(&dir, (0..40).map(|k| (seen(k), Some(k % 10 == 0)))).unwrap();
    let weights = env.screenlink(["weights"]).stdout_text();
    assert!(weights.contains("backfill and review linked 10 % of the commits they scored here"), "{weights}");
    let (_, pair) = hook_links_the_newest_motivated_commit_again(&env, &world);
    // A history without a centre (`score::centre`): the hook scores with the weights fitted
    // without `semantic_centred`, which reads 0.
    let hook = Fitted::shipped_uncentred(false);
    let f: [f64; git_screenlink::score::features::N] = pair.metadata.features.clone().try_into().unwrap();
    assert_eq!(f[git_screenlink::score::features::CENTRED_INDEX], 0.0);
    let rank = hook.rank(&f);
    let (as_fitted, shifted) = (hook.confidence_at(rank, &f), hook.confidence_recalibrated(rank, &f, &Recalibration::shifted(hook_prior_shift(Some(0.1)))));
    assert!((pair.metadata.confidence - shifted).abs() < 0.002, "{} {shifted} {as_fitted}", pair.metadata.confidence);
    assert!(as_fitted - shifted > 0.01, "the shift shows at this confidence: {shifted} {as_fitted}");
}

#[test]
fn the_hook_reads_its_centred_cosine_against_the_centre_backfill_remembered() {
    use git_screenlink::score::features::{CENTRED_INDEX, N};
    use git_screenlink::score::fitted::Fitted;
    use git_screenlink::score::history::{self, History};
    let (env, world) = TestEnv::with_world(&Spec::week(13));
    let dir = store(&world.repo);
    let newest = world.truth.commits.iter().rev().find(|c| !c.rows.is_empty()).unwrap().sha.clone();
    let before = env.screenlink(["weights"]).stdout_text();
    assert!(before.contains("no centre yet"), "{before}");
    env.screenlink(["backfill", "--yes", &format!("{newest}~1")]).assert_ok();
    // Backfill remembers the centre of the commits and talk it scored (`score::centre`).
    let remembered = History::load(&dir).centre().expect("a centre over the commits backfill scored");
    assert!(remembered.commits >= 20 && remembered.passages > 0 && remembered.commit.len() == 384, "{remembered:?}");
    let said = format!("the hook reads its centred cosine against the mean of {} commits and {} passages scored here", remembered.commits, remembered.passages);
    assert!(env.screenlink(["weights"]).stdout_text().contains(&said), "{said}");
    // The hook, one commit, reads its centred cosine against it, scored by the shipped weights.
    let (_, pair) = hook_links_the_newest_motivated_commit_again(&env, &world);
    let f: [f64; N] = pair.metadata.features.clone().try_into().unwrap();
    assert!(f[CENTRED_INDEX] > 0.0, "{f:?}");
    let hook = Fitted::shipped(false);
    let rank = hook.rank(&f);
    let r = History::load(&dir).hook_recalibration().expect("backfill judged enough commits");
    let expected = hook.confidence_recalibrated(rank, &f, &r);
    assert!((pair.metadata.confidence - expected).abs() < 0.002, "{} {expected}", pair.metadata.confidence);
    // And its commit moves the remembered centre by one commit more.
    let after = History::load(&dir).centre().unwrap();
    assert_eq!(after.commits, remembered.commits + 1);
    assert!(history::path(&dir).exists());
}

#[test]
fn the_hook_is_recalibrated_on_what_backfill_said_of_the_same_commits() {
    use git_screenlink::score::fitted::Fitted;
    use git_screenlink::score::history::{self, History, Seen, Verdict};
    use git_screenlink::score::recalibration::HookView;
    let (env, world) = TestEnv::with_world(&Spec::week(14));
    let dir = store(&world.repo);
    // 40 commits where backfill was far surer than the hook (meeting talk's pattern): a
    // 0.2 from the hook was a 0.8 from backfill.
    let seen = |k: i64| Seen { sha: format!("{k:040x}"), time: 1_000 + k, best_cosine: 0.5 };
    let view = |k: i64| {
        let logit = -3.0 + k as f64 * 0.1;
        HookView { logit, later: 1.0 / (1.0 + (-(logit + 2.8)).exp()) }
    };
    History::default().record_judged(&dir, (0..40).map(|k| (seen(k), Some(Verdict { linked: k % 10 == 0, hook: Some(view(k)) })))).unwrap();
    let r = History::load(&dir).hook_recalibration().expect("40 views");
    assert!(r.shift > 1.5, "{r:?}");
    let (_, pair) = hook_links_the_newest_motivated_commit_again(&env, &world);
    let hook = Fitted::shipped_uncentred(false);
    let f: [f64; git_screenlink::score::features::N] = pair.metadata.features.clone().try_into().unwrap();
    let rank = hook.rank(&f);
    let (as_fitted, raised) = (hook.confidence_at(rank, &f), hook.confidence_recalibrated(rank, &f, &r));
    assert!((pair.metadata.confidence - raised).abs() < 0.002, "{} {raised} {as_fitted}", pair.metadata.confidence);
    assert!(raised - as_fitted > 0.01, "raised, not shifted down by the 10 % share: {raised} {as_fitted}");
    // The hook's own commit is not judged: the views stay backfill's.
    assert_eq!(History::load(&dir).hook_views().len(), 40);
    assert!(history::path(&dir).exists());
}

/// Make the world's newest commit with talk again through the hook, which accepts whatever
/// it links; that commit and its pair.
fn hook_links_the_newest_motivated_commit_again(env: &TestEnv, world: &World) -> (String, Pair) {
    env.screenlink(["install"]).assert_ok();
    env.git(["config", "screenlink.prompt", "auto"]).assert_ok();
    env.git(["config", "screenlink.minConfidence", "0"]).assert_ok();
    let t = recommit_newest_motivated(env, world);
    git_at(env, &t.time.to_rfc3339()).args(["commit", "-q", "-m", &t.subject]).output().unwrap().assert_ok();
    let head = env.git(["rev-parse", "HEAD"]).stdout_text().trim().to_string();
    let pairs: Vec<Pair> = lines(&store(&world.repo).join("training_data.jsonl"));
    // The newest: a test may make the same commit (the same sha) twice.
    let pair = pairs.into_iter().rev().find(|p| p.metadata.commit_sha == head).expect("the hook linked the commit");
    (head, pair)
}
