//! At home in git: `show` and `log` print the talk behind commits, completions and man
//! pages name every subcommand, and `git screenlink --help` opens the man page.

use git_screenlink::dataset::Pair;
use git_screenlink::fixture::Spec;

use crate::env::{OutputExt, TestEnv};

/// The pairs backfill wrote in `world`'s repository.
fn pairs_of(world: &git_screenlink::fixture::World) -> Vec<Pair> {
    std::fs::read_to_string(world.repo.join(".git/screenlink/training_data.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn show_and_log_print_the_talk_behind_commits() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let pairs = pairs_of(&world);
    let p = &pairs[0];
    let sha = &p.metadata.commit_sha;
    let out = env.screenlink(["show", sha]);
    out.assert_ok();
    let text = out.stdout_text();
    let talk = p.input.split("\n\n").nth(1).unwrap();
    let first_words: Vec<&str> = talk.split_whitespace().take(6).collect();
    assert!(text.contains(&first_words.join(" ")), "the passage: {text}");
    assert!(text.contains(&format!("confidence {:.3}", p.metadata.confidence)) && text.contains(&p.metadata.audio_timestamp), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour off a terminal");
    let said = chrono::DateTime::parse_from_rfc3339(&p.metadata.audio_timestamp).unwrap();
    let made = chrono::DateTime::parse_from_rfc3339(&p.metadata.commit_timestamp).unwrap();
    let hours = (made - said).num_hours();
    let before = if hours < 24 { format!("{hours} hour") } else { format!("{} day", hours / 24) };
    assert!(text.contains(&format!(" ({before}")) && text.contains(" before the commit):"), "{before}: {text}");
    let json = env.screenlink(["show", sha, "--json"]);
    let back: Pair = serde_json::from_str(&json.stdout_text()).unwrap();
    assert_eq!(&back, p);

    // What made each link sure, as the prompt said it: the features backfill's scorer (with
    // or without the centre) names for the pair's features, kept in the pair, and `show` says
    // them in the prompt's words; a pair with none has no "why:" line.
    use git_screenlink::score::{features::NAMES, fitted::Fitted, why};
    let mut named = 0;
    for p in &pairs {
        let f: [f64; NAMES.len()] = p.metadata.features.clone().try_into().unwrap();
        // Stored to 4 decimals: each named share is NAMED or more, to that rounding.
        let raised = [Fitted::shipped(true), Fitted::shipped_uncentred(true)].iter().any(|fitted| {
            let shares = why::shares(fitted, &f);
            p.metadata.why.iter().all(|n| shares[NAMES.iter().position(|m| m == n).unwrap()] >= why::NAMED - 0.01)
        });
        assert!(raised && p.metadata.why.len() <= 2, "{:?} for {f:?}", p.metadata.why);
        let text = env.screenlink(["show", &p.metadata.commit_sha]).stdout_text();
        match git_screenlink::messages::why(&p.metadata.why) {
            Some(words) => {
                named += 1;
                assert!(text.contains(&format!("\nwhy: {words}\n")), "{words}: {text}");
            }
            None => assert!(!text.contains("why:"), "{text}"),
        }
    }
    assert!(named > 0, "some link is sure for a reason beyond its two scores: {pairs:?}");

    // A commit with no pair: exit 1, one line.
    let unlinked = world.truth.commits.iter().find(|c| !pairs.iter().any(|p| p.metadata.commit_sha == c.sha)).unwrap();
    let out = env.screenlink(["show", &unlinked.sha]);
    assert_eq!(out.code(), 1);
    assert_eq!(out.stderr_text().trim().lines().count(), 1, "{}", out.stderr_text());
    assert!(out.stderr_text().contains("has no linked talk"));
    // The command it gives runs, for the root commit too (which has no `~1`).
    let root = env.git(["rev-list", "--max-parents=0", "HEAD"]).stdout_text().trim().to_string();
    for sha in [unlinked.sha.as_str(), root.as_str()] {
        let said = env.screenlink(["show", sha]).stderr_text();
        let hint = said.split('`').nth(1).unwrap_or_else(|| panic!("{said}"));
        let mut cmd = std::process::Command::new("sh");
        env.scrub(&mut cmd).current_dir(&env.repo).args(["-c", &format!("{hint} --dry-run --yes")]);
        let ran = cmd.output().unwrap();
        assert!(ran.code() == 0 || ran.code() == 1, "{hint}: {}", ran.stderr_text());
        assert!(!ran.stderr_text().contains("error"), "{hint}: {}", ran.stderr_text());
    }

    let log = env.run_bin("git-screenlink", ["log", "-n", "100"], &[("NO_COLOR", "1".as_ref())]);
    log.assert_ok();
    let lines: Vec<String> = log.stdout_text().lines().map(String::from).collect();
    let count: usize = env.git(["rev-list", "--count", "HEAD"]).stdout_text().trim().parse().unwrap();
    assert_eq!(lines.len(), count, "every commit, one line");
    assert_eq!(lines.iter().filter(|l| l.contains("← \"")).count(), pairs.len(), "each linked commit shows its talk");
    assert!(!log.stdout_text().contains('\u{1b}'));
    // `-3` as git log takes it, through both binaries; `--` still ends the flags.
    let three = env.run_bin("git-screenlink", ["log", "-3"], &[("NO_COLOR", "1".as_ref())]);
    assert_eq!(three.stdout_text().lines().collect::<Vec<_>>(), lines[..3], "{}", three.stderr_text());
    let cargo = env.run_bin("cargo-screenlink", ["screenlink", "log", "-2", "--linked"], &[("NO_COLOR", "1".as_ref())]);
    assert_eq!(cargo.stdout_text().lines().count(), 2, "{}", cargo.stderr_text());
    assert_eq!(env.screenlink(["log", "--", "-3"]).code(), 2, "after --, -3 is a revision");
    let linked = env.screenlink(["log", "--linked", "--json"]);
    let rows: Vec<serde_json::Value> = linked.stdout_text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), pairs.len());
    assert!(rows.iter().all(|r| r["talk"].is_string() && r["confidence"].is_number()));
}

#[test]
fn completions_and_man_pages_name_every_subcommand_and_help_opens_the_page() {
    let env = TestEnv::new();
    let subs = crate::cli::SUBCOMMANDS.iter().copied();
    let bash = env.screenlink(["completions", "bash"]);
    bash.assert_ok();
    let zsh = env.screenlink(["completions", "zsh"]);
    let fish = env.screenlink(["completions", "fish"]);
    assert!(bash.stdout_text().contains("_git_screenlink()"), "git's completion hook");
    assert!(zsh.stdout_text().contains("#compdef git-screenlink"));
    for sub in subs.clone() {
        for (shell, out) in [("bash", &bash), ("zsh", &zsh), ("fish", &fish)] {
            assert!(out.stdout_text().contains(sub), "{shell} lacks {sub}");
        }
    }
    // bash: git's completion calls _git_screenlink, which completes subcommands.
    let script = env.root().join("c.bash");
    std::fs::write(&script, bash.stdout_text()).unwrap();
    let probe = format!("__gitcomp() {{ echo \"$1\"; }}; source '{}'; words=(git screenlink ''); cword=2; _git_screenlink", script.display());
    let out = std::process::Command::new("bash").args(["-c", &probe]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("backfill"), "{}", String::from_utf8_lossy(&out.stderr));

    let man = env.root().join("man");
    env.screenlink(["man", man.join("man1").to_str().unwrap()]).assert_ok();
    for sub in subs.clone() {
        assert!(man.join(format!("man1/git-screenlink-{sub}.1")).is_file(), "{sub}");
    }
    let page = std::fs::read_to_string(man.join("man1/git-screenlink.1")).unwrap();
    for sub in subs {
        assert!(page.contains(sub), "the main page names {sub}");
    }
    // git turns `git screenlink --help` into `man git-screenlink`.
    let mut c = std::process::Command::new("git");
    env.scrub(&mut c).env("MANPATH", &man).env("MANPAGER", "cat").env("PAGER", "cat").env("MANWIDTH", "100").args(["screenlink", "--help"]);
    let out = c.output().unwrap();
    out.assert_ok();
    let text = out.stdout_text();
    assert!(text.contains("git-screenlink") && text.contains("backfill"), "{text}\n{}", out.stderr_text());
}

#[test]
fn notes_show_the_talk_in_git_log_and_survive_amend_and_rebase() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    env.git(["config", "screenlink.notes", "true"]).assert_ok();
    env.screenlink(["install"]).assert_ok();
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let pairs = pairs_of(&world);
    let note = |sha: &str| env.git(["log", "-1", "--notes=screenlink", "--format=%N", sha]).stdout_text();
    for p in &pairs {
        let n = note(&p.metadata.commit_sha);
        assert!(n.starts_with("screenlink: said "), "{n}");
        assert!(n.contains(&p.talk().chars().take(40).collect::<String>()), "{n}");
    }
    // Rewrite the newest three commits (each recreated, same code): linked ones keep their notes.
    let count = |rev: &str| env.git(["log", "--notes=screenlink", "--format=%N", rev]).stdout_text().matches("screenlink: said").count();
    let before = count("HEAD");
    env.git(["rebase", "-q", "--force-rebase", "HEAD~3"]).assert_ok();
    env.git(["commit", "-q", "--amend", "-m", "Reworded newest commit"]).assert_ok();
    assert_eq!(count("HEAD"), before, "every linked commit still has its note after rebase and amend");
    // Notes are off by default.
    let (plain, _) = TestEnv::with_world(&Spec::week(4));
    plain.screenlink(["backfill", "--yes"]).assert_ok();
    assert!(plain.git(["notes", "--ref=screenlink", "list"]).stdout_text().trim().is_empty());
}

/// `reject` takes links back: the pairs move to rejected.jsonl (owner-only), the rest of the
/// dataset stays as it was, notes go, each reject is the person's answer with its features,
/// and `backfill --again` can offer the link again.
#[test]
fn reject_takes_links_back_and_backfill_again_offers_them_again() {
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    env.git(["config", "screenlink.notes", "true"]).assert_ok();
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let dir = world.repo.join(".git/screenlink");
    let before = std::fs::read_to_string(dir.join("training_data.jsonl")).unwrap();
    let pairs = pairs_of(&world);
    assert!(pairs.len() >= 3, "{}", pairs.len());
    let (a, b) = (pairs[0].metadata.commit_sha.clone(), pairs[1].metadata.commit_sha.clone());
    let unlinked = world.truth.commits.iter().find(|c| !pairs.iter().any(|p| p.metadata.commit_sha == c.sha)).unwrap();
    let note = |sha: &str| env.git(["log", "-1", "--notes=screenlink", "--format=%N", sha]).stdout_text();
    assert!(note(&a).starts_with("screenlink: said "));

    // One commit with nothing to reject: said, exit 1, and the others are still rejected.
    let out = env.screenlink(["reject", &a, &unlinked.sha, &b[..12]]);
    assert_eq!(out.code(), 1, "{}", out.stderr_text());
    assert!(out.stderr_text().contains("has no linked talk to reject"), "{}", out.stderr_text());
    assert_eq!(out.stdout_text().matches("Rejected the link of").count(), 2, "{}", out.stdout_text());
    let after = std::fs::read_to_string(dir.join("training_data.jsonl")).unwrap();
    let kept: Vec<&str> = before.lines().filter(|l| !l.contains(&a) && !l.contains(&b)).collect();
    assert_eq!(after.lines().collect::<Vec<_>>(), kept, "every other pair as it was, in order");
    let rejected = std::fs::read_to_string(dir.join("rejected.jsonl")).unwrap();
    assert!(rejected.contains(&a) && rejected.contains(&b) && rejected.contains("\"decision\":\"rejected\""), "{rejected}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(dir.join("rejected.jsonl")).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let log: Vec<git_screenlink::dataset::DecisionRecord> =
        std::fs::read_to_string(dir.join("decisions.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let last = log.iter().rev().find(|d| d.commit_sha == a).unwrap();
    assert_eq!((last.decision, last.decided_by), (git_screenlink::dataset::Decision::Rejected, git_screenlink::dataset::DecidedBy::User));
    assert_eq!(last.features, pairs[0].metadata.features, "a label for the refit");
    assert!(note(&a).trim().is_empty() && note(&pairs[2].metadata.commit_sha).starts_with("screenlink: said "), "only the rejected lose their notes");
    assert!(env.screenlink(["show", &a]).stderr_text().contains("you rejected its link on"));
    assert_eq!(env.screenlink(["reject", &a]).code(), 1, "nothing left to reject");

    // Decided, so backfill leaves them; with --again it offers their talk again.
    let shas = |args: &[&str]| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(&env.screenlink(args).stdout_text()).unwrap();
        v["pairs"].as_array().unwrap().iter().map(|p| p["metadata"]["commit_sha"].as_str().unwrap().to_string()).collect()
    };
    assert!(!shas(&["backfill", "--dry-run", "--json"]).contains(&a));
    let again = shas(&["backfill", "--again", "--dry-run", "--json"]);
    assert!(again.contains(&a) && again.contains(&b), "{again:?}");
}

#[test]
fn exports_other_trainers_read_round_trip() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let (env, world) = TestEnv::with_world(&Spec::week(3));
    env.screenlink(["backfill", "--yes"]).assert_ok();
    let mut pairs = pairs_of(&world);
    pairs.sort_by(|a, b| a.metadata.commit_timestamp.cmp(&b.metadata.commit_timestamp));
    let out = env.root().join("export");

    for format in ["chat", "completions"] {
        let dir = out.join(format);
        env.screenlink(["export", "--format", format, "--out", dir.to_str().unwrap()]).assert_ok();
        let mut n = 0;
        for split in ["train", "validation", "test"] {
            for line in std::fs::read_to_string(dir.join(format!("{split}.jsonl"))).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                match format {
                    "chat" => assert_eq!(v["messages"].as_array().unwrap().len(), 3),
                    _ => assert!(v["prompt"].is_string() && v["completion"].is_string()),
                }
                n += 1;
            }
        }
        assert_eq!(n, pairs.len(), "every usable pair, once");
        let card = std::fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(card.contains(&format!("pairs: {}", pairs.len())) && card.contains("split: validation"), "{card}");
    }

    let dir = out.join("parquet");
    env.screenlink(["export", "--format", "parquet", "--out", dir.to_str().unwrap()]).assert_ok();
    // Too few pairs: one clear line, nothing written.
    let empty = TestEnv::new();
    let few = empty.screenlink(["export", "--out", empty.root().join("x").to_str().unwrap()]);
    assert_eq!(few.code(), 2);
    assert!(few.stderr_text().contains("0 pairs usable: an export needs at least 3"), "{}", few.stderr_text());
    assert!(!empty.root().join("x").exists());
    let mut rows = Vec::new();
    for split in ["train", "validation", "test"] {
        let file = std::fs::File::open(dir.join(format!("{split}.parquet"))).unwrap();
        let reader = SerializedFileReader::new(file).unwrap();
        for row in reader.get_row_iter(None).unwrap() {
            let row = row.unwrap();
            use parquet::record::RowAccessor;
            // Columns in schema order: instruction, input, output, commit_sha, commit_timestamp, confidence.
            rows.push((row.get_string(3).unwrap().clone(), row.get_string(0).unwrap().clone(), row.get_string(2).unwrap().clone()));
        }
    }
    let want: Vec<(String, String, String)> = pairs.iter().map(|p| (p.metadata.commit_sha.clone(), p.instruction.clone(), p.output.clone())).collect();
    assert_eq!(rows, want, "the Parquet files read back as the pairs, oldest first");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(dir.join("train.parquet")).unwrap().permissions().mode() & 0o077, 0, "owner only");
    }

    // A change committed twice (a cherry-pick) links its talk to both commits: the dataset
    // keeps both, and the export (as train) takes the text once, the older, and says so.
    let mut twin = pairs[0].clone();
    twin.metadata.commit_sha = "f".repeat(40);
    twin.metadata.commit_timestamp = "2099-01-01T00:00:00Z".into();
    let file = world.repo.join(".git/screenlink/training_data.jsonl");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(&format!("{}\n", serde_json::to_string(&twin).unwrap()));
    std::fs::write(&file, text).unwrap();
    let dir = out.join("twice");
    let said = env.screenlink(["export", "--format", "completions", "--out", dir.to_str().unwrap()]);
    said.assert_ok();
    assert!(said.stdout_text().contains(&format!("Exported {} pairs", pairs.len())), "{}", said.stdout_text());
    assert!(said.stdout_text().contains("; 1 pair the same as an older pair (a change committed twice) left out"), "{}", said.stdout_text());
    let lines: usize = ["train", "validation", "test"].iter().map(|s| std::fs::read_to_string(dir.join(format!("{s}.jsonl"))).unwrap().lines().count()).sum();
    assert_eq!(lines, pairs.len(), "the twin is in no split");
    // Outside the work tree, as above, nothing else is written.
    assert!(!dir.join(".gitignore").exists());

    // Inside the work tree: the export ignores itself, so `git add -A` cannot commit the talk.
    let said = env.screenlink(["export", "--out", "training-data"]);
    said.assert_ok();
    assert!(said.stdout_text().contains("training-data/.gitignore (this export is inside the work tree"), "{}", said.stdout_text());
    assert!(
        env.git(["status", "--porcelain", "--untracked-files=all"]).stdout_text().lines().all(|l| !l.contains("training-data")),
        "nothing of it for git to add"
    );
    // A second export keeps the file and says nothing of it.
    let again = env.screenlink(["export", "--out", "training-data"]);
    assert!(!again.stdout_text().contains(".gitignore"), "{}", again.stdout_text());
}

#[test]
fn a_commit_accepted_by_the_hook_shows_its_talk() {
    let env = TestEnv::new();
    let db = crate::env::hand_db(
        env.root(),
        &[
            ("2026-03-01T10:00:00+00:00", "the search endpoint returns everything at once, we need pagination with a page size and a next cursor"),
            ("2026-03-01T10:00:30+00:00", "yes add pagination to search with page_size and next_cursor so the response stays small"),
        ],
    );
    for (k, v) in [
        ("screenlink.screenpipeDb", db.to_str().unwrap()),
        ("screenlink.source", "db"),
        ("screenlink.prompt", "auto"),
        ("screenlink.hookTimeoutMs", "120000"),
        ("screenlink.notes", "true"),
    ] {
        env.git(["config", k, v]).assert_ok();
    }
    env.screenlink(["install"]).assert_ok();
    std::fs::create_dir_all(env.repo.join("src")).unwrap();
    std::fs::write(
        env.repo.join("src/search.rs"),
        "pub struct SearchPage {\n    pub page_size: usize,\n    pub next_cursor: Option<String>,\n}\n\npub fn paginate_search(results: &[String], page_size: usize) -> SearchPage {\n    SearchPage { page_size, next_cursor: results.get(page_size).cloned() }\n}\n",
    )
    .unwrap();
    env.git(["add", "src"]).assert_ok();
    env.git(["commit", "-q", "-m", "Add pagination to search"]).assert_ok();
    let show = env.screenlink(["show"]);
    show.assert_ok();
    assert!(show.stdout_text().contains("we need pagination with a page size"), "{}", show.stdout_text());
    let log = env.screenlink(["log", "--linked"]);
    assert!(log.stdout_text().contains("Add pagination to search") && log.stdout_text().contains("← \""), "{}", log.stdout_text());
    let note = env.git(["log", "-1", "--notes=screenlink", "--format=%N"]).stdout_text();
    assert!(note.contains("screenlink: said 2026-03-01T10:00:00Z"), "{note}");
}
