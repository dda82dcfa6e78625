//! A reorganisation that moves more files than libgit2 compares for each added file (its
//! `diff.renameLimit`, 1,000): every move is still a move, so the pair holds only what changed.

use git_screenlink::commits::{select, SkipReason};

use crate::commits::{all, code, commit};
use crate::env::{OutputExt, TestEnv};

#[test]
fn moving_more_files_than_the_rename_limit_adds_only_the_edit() {
    let env = TestEnv::new();
    commit(&env, "README.md", b"modules\n", "Start", &[]);
    std::fs::create_dir_all(env.repo.join("src")).unwrap();
    for i in 0..1_200 {
        std::fs::write(env.repo.join(format!("src/m{i}.rs")), code(4, &format!("mod{i}x"))).unwrap();
    }
    env.git(["add", "-A"]).assert_ok();
    env.git(["commit", "-q", "-m", "Add twelve hundred modules"]).assert_ok();
    env.git(["mv", "src", "lib"]).assert_ok();
    env.git(["commit", "-q", "-m", "Move the modules to lib"]).assert_ok();
    env.git(["mv", "lib", "crates"]).assert_ok();
    let extended = format!("{}{}", code(4, "mod0x"), code(6, "extra"));
    std::fs::write(env.repo.join("crates/m0.rs"), extended).unwrap();
    env.git(["add", "-A"]).assert_ok();
    env.git(["commit", "-q", "-m", "Move the modules to crates and extend the first"]).assert_ok();

    let repo = git2::Repository::open(&env.repo).unwrap();
    let sel = select(&repo, &all(10), 5).unwrap();
    let subjects: Vec<&str> = sel.commits.iter().map(|c| c.subject.as_str()).collect();
    assert!(!subjects.contains(&"Move the modules to lib"), "a move alone adds no code: {subjects:?}");
    assert_eq!(sel.skipped.get(&SkipReason::TooFewCodeLines), Some(&2), "the move and the first commit");
    let moved = sel.commits.iter().find(|c| c.subject.starts_with("Move the modules to crates")).expect("the edit is code");
    assert_eq!(moved.files_over_budget, 0);
    let moved = git_screenlink::commits::with_code(&repo, moved, 5).unwrap().unwrap();
    let lines: Vec<&str> = moved.files.iter().flat_map(|f| &f.added).map(String::as_str).collect();
    // Past 400 deleted × added files renames are matched by identical content only, so the
    // edited file is new whole: its 4 lines and the 6 added, and none of the 1,199 others.
    assert_eq!(lines.len(), 10, "the edited file, not 1,200 files: {}", lines.len());
    assert!(moved.files.iter().all(|f| f.path == "crates/m0.rs"));
}
