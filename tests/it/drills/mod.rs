//! Drills: faults, odd repositories and odd clocks, each saying what happens and that
//! nothing is lost. README's "What it survives" lists them.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use git_screenlink::dataset::{DecisionRecord, Pair};
use git_screenlink::fixture::Spec;

use crate::env::{hand_db, OutputExt, TestEnv};

mod faults;
mod layouts;

/// (sha → audio ids) of every readable pair, and how many lines did not parse.
fn dataset(path: &Path) -> (BTreeMap<String, Vec<i64>>, Vec<String>, usize) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut pairs = BTreeMap::new();
    let mut order = Vec::new();
    let mut bad = 0;
    for line in text.lines() {
        match serde_json::from_str::<Pair>(line) {
            Ok(p) => {
                order.push(p.metadata.commit_sha.clone());
                pairs.insert(p.metadata.commit_sha, p.metadata.audio_ids);
            }
            Err(_) => bad += 1,
        }
    }
    (pairs, order, bad)
}

/// SplitMix64, for delays that differ from run to run but not from test run to test run.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// Run `git-screenlink args` and SIGKILL it after up to `max_ms` (drawn from `rng`); whether
/// it was still running when killed.
fn run_and_kill(env: &TestEnv, args: &[&str], rng: &mut Rng, max_ms: u64) -> bool {
    let mut child = env.command("git-screenlink").args(args).stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(rng.below(max_ms)));
    let running = child.try_wait().unwrap().is_none();
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    running
}

/// Run `cmd` with the file size limit at `bytes`: past it, writes fail (EFBIG) as on a full
/// disk, and SIGXFSZ is ignored so the process sees the error.
fn with_file_limit(cmd: &mut Command, bytes: u64) -> &mut Command {
    use std::os::unix::process::CommandExt;
    unsafe {
        cmd.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    }
}

/// A repository with one motivated commit: talk the day before, then the commit.
fn small_world(env: &TestEnv) {
    env.talk(&[
        ("2026-03-01T10:00:00+00:00", "the search endpoint returns everything at once, we need pagination with a page size and a next cursor"),
        ("2026-03-01T10:00:30+00:00", "yes add pagination to search with page_size and next_cursor so the response stays small"),
    ]);
}

fn write_search(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("src/search.rs"),
        "pub struct SearchPage {\n    pub page_size: usize,\n    pub next_cursor: Option<String>,\n}\n\npub fn paginate_search(results: &[String], page_size: usize) -> SearchPage {\n    SearchPage { page_size, next_cursor: results.get(page_size).cloned() }\n}\n",
    )
    .unwrap();
}

#[test]
fn odd_repositories_link_or_say_why() {
    // Detached HEAD, a shallow clone, and GIT_DIR/GIT_WORK_TREE set: all link.
    let env = TestEnv::new();
    small_world(&env);
    // A first commit with no code, so that the linked one has a parent a shallow clone cuts.
    std::fs::create_dir_all(env.repo.join("src")).unwrap();
    std::fs::write(env.repo.join("src/lib.rs"), "pub mod search;\npub const NAME: &str = \"search\";\n").unwrap();
    env.git(["add", "src/lib.rs"]).assert_ok();
    env.git(["commit", "-q", "-m", "Start the search service"]).assert_ok();
    write_search(&env.repo);
    env.git(["add", "src"]).assert_ok();
    env.git(["commit", "-q", "-m", "Add pagination to search"]).assert_ok();
    env.git(["checkout", "-q", "--detach"]).assert_ok();
    let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json"]);
    out.assert_ok();
    assert!(out.stdout_text().contains("Add pagination to search"), "detached HEAD: {}", out.stdout_text());

    // A shallow clone's edge has no parent here: what it changed is not known (diffed against
    // nothing it would seem to add the whole tree), so it is skipped and said, until deepened.
    let shallow = env.root().join("shallow");
    env.git(["clone", "-q", "--depth", "1", &format!("file://{}", env.repo.display()), shallow.to_str().unwrap()]).assert_ok();
    let backfill = || {
        let mut c = env.command("git-screenlink");
        c.current_dir(&shallow).args(["backfill", "--yes", "--dry-run", "--json", "--source", "db", "--screenpipe-db"]).arg(env.root().join("db.sqlite"));
        let out = c.output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", out.stderr_text()));
        (out, v)
    };
    let (out, v) = backfill();
    assert_eq!(v["summary"]["commits_skipped"]["shallow"], 1, "{}", v["summary"]);
    assert!(v["pairs"].as_array().unwrap().is_empty());
    let mut c = env.command("git-screenlink");
    let said = c
        .current_dir(&shallow)
        .args(["backfill", "--yes", "--dry-run", "--source", "db", "--screenpipe-db"])
        .arg(env.root().join("db.sqlite"))
        .output()
        .unwrap()
        .stdout_text();
    assert!(said.contains("1 commit is the edge of a shallow clone") && said.contains("git fetch --deepen"), "{said}\n{}", out.stderr_text());
    let mut deepen = std::process::Command::new("git");
    env.scrub(&mut deepen).current_dir(&shallow).args(["fetch", "-q", "--deepen=1"]);
    assert!(deepen.status().unwrap().success());
    let (_, v) = backfill();
    let pairs = v["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1, "{v}");
    assert_eq!(pairs[0]["metadata"]["files"], serde_json::json!(["src/search.rs"]), "only what the commit changed");

    let mut c = env.command("git-screenlink");
    let out = c
        .current_dir(env.root())
        .env("GIT_DIR", env.repo.join(".git"))
        .env("GIT_WORK_TREE", &env.repo)
        .args(["backfill", "--yes", "--dry-run"])
        .output()
        .unwrap();
    out.assert_ok();
    assert!(out.stdout_text().contains("Would save 1 training pair"), "GIT_DIR set: {}\n{}", out.stdout_text(), out.stderr_text());

    // An unborn branch: a clear error, nothing written.
    let unborn = env.root().join("unborn");
    env.git(["init", "-q", unborn.to_str().unwrap()]).assert_ok();
    let mut c = env.command("git-screenlink");
    let out = c.current_dir(&unborn).args(["backfill", "--yes"]).output().unwrap();
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("no commits yet"), "{}", out.stderr_text());

    // --separate-git-dir: the dataset lives in the real git dir, not the work tree.
    let sep = env.root().join("sep");
    let sep_git = env.root().join("sep.git");
    env.git(["init", "-q", "--separate-git-dir", sep_git.to_str().unwrap(), sep.to_str().unwrap()]).assert_ok();
    write_search(&sep);
    let mut c = Command::new("git");
    env.scrub(&mut c).current_dir(&sep).args(["add", "src"]);
    c.output().unwrap().assert_ok();
    let mut c = Command::new("git");
    env.scrub(&mut c).current_dir(&sep).args(["commit", "-q", "-m", "Add pagination to search"]);
    c.output().unwrap().assert_ok();
    let mut c = env.command("git-screenlink");
    let out = c.current_dir(&sep).args(["backfill", "--yes", "--source", "db", "--screenpipe-db"]).arg(env.root().join("db.sqlite")).output().unwrap();
    out.assert_ok();
    assert!(sep_git.join("screenlink/training_data.jsonl").exists());
    assert!(!sep.join("screenlink").exists());

    // File names with a newline and with bytes that are not UTF-8: linked, named as git quotes them.
    let odd = TestEnv::new();
    small_world(&odd);
    write_search(&odd.repo);
    std::fs::write(odd.repo.join("src/line\nbreak.rs"), "pub fn page_size_default() -> usize { 20 }\npub fn next_cursor_of(x: usize) -> usize { x + 1 }\n")
        .unwrap();
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        let name = std::ffi::OsStr::from_bytes(b"src/latin\xe9.rs");
        std::fs::write(odd.repo.join(name), "pub fn cursor_page() -> usize { 1 }\npub fn page_cursor() -> usize { 2 }\n").unwrap();
    }
    odd.git(["add", "src"]).assert_ok();
    odd.git(["commit", "-q", "-m", "Add pagination to search"]).assert_ok();
    let out = odd.screenlink(["backfill", "--yes"]);
    out.assert_ok();
    let (pairs, _, bad) = dataset(&odd.repo.join(".git/screenlink/training_data.jsonl"));
    assert_eq!((pairs.len(), bad), (1, 0));
}

#[test]
fn odd_clocks_far_time_zones_and_future_dates() {
    let env = TestEnv::new();
    small_world(&env);
    write_search(&env.repo);
    env.git(["add", "src"]).assert_ok();
    // The same instant as 2026-03-02T10:00Z, written at UTC+14 and UTC−12: windows are in UTC.
    let mut c = Command::new("git");
    env.scrub(&mut c).env("GIT_AUTHOR_DATE", "2026-03-03T00:00:00+14:00").env("GIT_COMMITTER_DATE", "2026-03-01T22:00:00-12:00").args([
        "commit",
        "-q",
        "-m",
        "Add pagination to search",
    ]);
    c.output().unwrap().assert_ok();
    let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json"]);
    out.assert_ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!(v["pairs"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["pairs"][0]["metadata"]["commit_timestamp"], "2026-03-02T10:00:00Z");

    // A commit dated in the future, and talk dated after its commit: no link, no error.
    std::fs::write(
        env.repo.join("src/more.rs"),
        "pub fn page_size_max() -> usize { 100 }\npub fn next_cursor_max() -> usize { 9 }\npub fn a() {}\npub fn b() {}\npub fn c() {}\n",
    )
    .unwrap();
    env.git(["add", "src"]).assert_ok();
    let mut c = Command::new("git");
    env.scrub(&mut c).env("GIT_COMMITTER_DATE", "2099-01-01T00:00:00+00:00").env("GIT_AUTHOR_DATE", "2026-02-20T00:00:00+00:00").args([
        "commit",
        "-q",
        "-m",
        "Cap the page size",
    ]);
    c.output().unwrap().assert_ok();
    let out = env.screenlink(["backfill", "--yes", "--dry-run", "--json"]);
    out.assert_ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let subjects: Vec<&str> = v["pairs"].as_array().unwrap().iter().map(|p| p["instruction"].as_str().unwrap()).collect();
    assert_eq!(subjects.len(), 1, "one talk, one commit: {subjects:?}");
}

#[test]
fn a_broken_model_or_tokenizer_is_one_clear_line() {
    let (env, _world) = TestEnv::with_world(&Spec::week(3));
    let model = git_screenlink::assets::data_dir().join("models").join(git_screenlink::assets::MODEL_NAME);
    for (file, damage) in [("model.onnx", "truncate"), ("tokenizer.json", "corrupt")] {
        let copy = env.root().join(format!("model-{damage}"));
        std::fs::create_dir_all(&copy).unwrap();
        for e in std::fs::read_dir(&model).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
        let target = copy.join(file);
        let bytes = std::fs::read(&target).unwrap();
        std::fs::write(&target, if damage == "truncate" { &bytes[..bytes.len() / 3] } else { &b"{\"model\": [1, 2"[..] }).unwrap();
        let out = env.run_bin(
            "git-screenlink",
            ["backfill", "--yes"],
            &[("SCREENLINK_MODEL_DIR", copy.as_os_str()), ("SCREENLINK_CACHE_DIR", env.root().join(format!("cache-{damage}")).as_os_str())],
        );
        assert_eq!(out.code(), 2, "{damage} {file}: {}", out.stderr_text());
        let err = out.stderr_text();
        assert!(err.starts_with("git-screenlink: error["), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(err.contains("hint:"), "says how to fix it: {err}");
    }
}

#[test]
fn a_partial_clone_skips_what_it_lacks_and_says_how_to_fetch_it() {
    let env = TestEnv::new();
    for i in 0..4 {
        let mut text = std::fs::read_to_string(env.repo.join("f.rs")).unwrap_or_default();
        text.push_str(&(0..6).map(|k| format!("fn f{i}_{k}() {{}}\n")).collect::<String>());
        std::fs::write(env.repo.join("f.rs"), text).unwrap();
        env.git(["add", "f.rs"]).assert_ok();
        env.git(["commit", "-q", "-m", &format!("Grow f {i}")]).assert_ok();
    }
    env.git(["config", "uploadpack.allowFilter", "true"]).assert_ok();
    let clone = env.root().join("partial");
    env.git(["clone", "-q", "--filter=blob:none", &format!("file://{}", env.repo.display()), clone.to_str().unwrap()]).assert_ok();
    let db = hand_db(env.root(), &[("2026-03-01T10:00:00+00:00", "we should grow f with more functions")]);
    let run = || {
        let mut c = env.command("git-screenlink");
        c.current_dir(&clone).args(["backfill", "--yes", "--dry-run", "--source", "db", "--screenpipe-db"]).arg(&db).output().unwrap()
    };
    // The commit cache is shared by every clone: the full clone examined these commits first,
    // with every object there, which must not make them linkable in the partial clone (their
    // code could not be read when the pairs were built: an error that stopped the backfill).
    let full = env.screenlink(["backfill", "--yes", "--dry-run", "--source", "db", "--screenpipe-db", db.to_str().unwrap()]);
    assert!(full.stdout_text().contains("4 examined, 4 to link"), "{}", full.stdout_text());
    let out = run();
    assert!(out.code() <= 1, "never an error: {}", out.stderr_text());
    let text = out.stdout_text();
    assert!(text.contains("skipped: missing objects") && text.contains("git log -p"), "{text}");
    // Once git has fetched them, every commit is examined.
    let mut c = Command::new("git");
    env.scrub(&mut c).current_dir(&clone).args(["log", "-p"]).stdout(std::process::Stdio::null());
    c.output().unwrap().assert_ok();
    let out = run();
    assert!(out.stdout_text().contains("4 examined, 4 to link"), "{}", out.stdout_text());
}

#[test]
fn a_submodule_a_dst_change_and_a_100000_file_commit() {
    let env = TestEnv::new();
    small_world(&env);
    // Commits on both sides of a daylight-saving change, written in local time.
    write_search(&env.repo);
    env.git(["add", "src"]).assert_ok();
    let mut c = Command::new("git");
    env.scrub(&mut c)
        .env("TZ", "America/New_York")
        .env("GIT_AUTHOR_DATE", "2026-03-08T01:30:00-05:00")
        .env("GIT_COMMITTER_DATE", "2026-03-08T03:30:00-04:00")
        .args(["commit", "-q", "-m", "Add pagination to search"]);
    c.output().unwrap().assert_ok();
    // A submodule: a gitlink, no code of ours.
    let sub = env.root().join("sub");
    env.git(["init", "-q", sub.to_str().unwrap()]).assert_ok();
    std::fs::write(sub.join("x.rs"), "fn x() {}\n").unwrap();
    let mut c = Command::new("git");
    env.scrub(&mut c).current_dir(&sub).args(["add", "x.rs"]);
    c.output().unwrap().assert_ok();
    let mut c = Command::new("git");
    env.scrub(&mut c).current_dir(&sub).args(["commit", "-q", "-m", "x"]);
    c.output().unwrap().assert_ok();
    env.git(["-c", "protocol.file.allow=always", "submodule", "-q", "add", sub.to_str().unwrap(), "vendor/sub"]).assert_ok();
    env.git(["commit", "-q", "-m", "Add the sub module"]).assert_ok();
    // 100,000 files in one commit.
    let many = env.repo.join("data");
    std::fs::create_dir_all(&many).unwrap();
    for i in 0..100_000 {
        std::fs::write(many.join(format!("r{i}.rs")), format!("pub const R{i}: u32 = {i};\n")).unwrap();
    }
    env.git(["add", "data"]).assert_ok();
    env.git(["commit", "-q", "-m", "Add the rate tables"]).assert_ok();

    let out = env.screenlink(["backfill", "--yes", "--json", "--dry-run"]);
    out.assert_ok();
    let v: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    let pairs = v["pairs"].as_array().unwrap();
    assert!(pairs.iter().any(|p| p["instruction"] == "Add pagination to search"), "across the DST change: {v}");
    assert_eq!(v["summary"]["commits_examined"], 3);
    let big = pairs.iter().find(|p| p["instruction"] == "Add the rate tables");
    if let Some(p) = big {
        assert!(p["output"].as_str().unwrap().len() <= git_screenlink::config::MAX_OUTPUT_BYTES_DEFAULT as usize + 1000);
    }
    assert!(v["summary"]["files_over_budget"].as_u64().unwrap() > 90_000, "{}", v["summary"]);
}

#[test]
fn a_bare_repository_with_a_linked_worktree_keeps_its_dataset_in_the_bare_repo() {
    let env = TestEnv::new();
    small_world(&env);
    write_search(&env.repo);
    env.git(["add", "src"]).assert_ok();
    env.git(["commit", "-q", "-m", "Add pagination to search"]).assert_ok();
    let bare = env.root().join("bare.git");
    env.git(["clone", "-q", "--bare", env.repo.to_str().unwrap(), bare.to_str().unwrap()]).assert_ok();
    let wt = env.root().join("wt");
    env.git(["--git-dir", bare.to_str().unwrap(), "worktree", "add", "-q", wt.to_str().unwrap(), "main"]).assert_ok();
    let mut c = env.command("git-screenlink");
    let out = c.current_dir(&wt).args(["backfill", "--yes", "--source", "db", "--screenpipe-db"]).arg(env.root().join("db.sqlite")).output().unwrap();
    out.assert_ok();
    assert!(bare.join("screenlink/training_data.jsonl").is_file(), "the dataset lives in the common (bare) git dir");
    assert!(!wt.join("screenlink").exists());
    // In the bare repository itself: no work tree, no workspace, still a repository.
    let mut c = env.command("git-screenlink");
    let out = c.current_dir(&bare).args(["backfill", "--yes", "--source", "db", "--screenpipe-db"]).arg(env.root().join("db.sqlite")).output().unwrap();
    assert!(out.code() <= 1, "{}", out.stderr_text());
    assert!(out.stdout_text().contains("already decided"), "the same dataset: {}", out.stdout_text());
}

/// Run `args` of git-screenlink with `dir` read-only: a read-only bind mount in a private
/// mount namespace when we are root (permissions do not bind root), else `chmod a-w`.
fn read_only_run(env: &TestEnv, dir: &Path, args: &[&str]) -> std::process::Output {
    let root = unsafe { libc::geteuid() } == 0;
    if root {
        let mut c = Command::new("unshare");
        env.scrub(&mut c)
            .args(["-m", "sh", "-c", "mount --bind -o ro \"$1\" \"$1\" && shift && exec \"$@\"", "sh"])
            .arg(dir)
            .arg(crate::env::bin_dir().join("git-screenlink"))
            .args(args);
        c.output().unwrap()
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o500)).unwrap();
        let out = env.screenlink(args);
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        out
    }
}
