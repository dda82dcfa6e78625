//! Config precedence and validation on a real temp repo's git config.

use serde_json::Value;

use crate::env::{OutputExt, TestEnv};

/// `git screenlink config --json` → key → (value, source, detail).
fn effective(out: &std::process::Output) -> Vec<(String, Value, String, String)> {
    out.assert_ok();
    let json: Value = serde_json::from_str(&out.stdout_text()).unwrap();
    json["settings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["key"].as_str().unwrap().to_string(),
                e["value"].clone(),
                e["source"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn get(settings: &[(String, Value, String, String)], key: &str) -> (Value, String, String) {
    let (_, v, s, d) = settings.iter().find(|(k, ..)| k == key).unwrap_or_else(|| panic!("{key} missing"));
    (v.clone(), s.clone(), d.clone())
}

#[test]
fn defaults_are_the_seed_guides() {
    let env = TestEnv::new();
    let s = effective(&env.screenlink(["config", "--json"]));
    for (key, value) in [
        ("screenlink.timeWindowDays", 7.0),
        ("screenlink.commitOffsetHours", 1.0),
        ("screenlink.minAudioLength", 100.0),
        ("screenlink.minCodeLines", 5.0),
        ("screenlink.maxCommits", 500.0),
        ("screenlink.minConfidence", 0.6),
        ("screenlink.keywordWeight", 0.3),
        ("screenlink.semanticWeight", 0.7),
    ] {
        let (v, source, _) = get(&s, key);
        assert_eq!(v.as_f64(), Some(value), "{key}");
        assert_eq!(source, "default", "{key}");
    }
    let (db, _, _) = get(&s, "screenlink.screenpipeDb");
    assert_eq!(db.as_str().unwrap(), env.home.join(".screenpipe/db.sqlite").to_str().unwrap());
}

#[test]
fn repo_beats_global_beats_system_and_flags_beat_all() {
    let env = TestEnv::new();
    let system = env.root().join("system-gitconfig");
    std::fs::write(&system, "[screenlink]\n\ttimeWindowDays = 14\n\tminConfidence = 0.4\n\tmaxCommits = 50\n").unwrap();
    std::fs::write(env.home.join(".gitconfig"), "[screenlink]\n\tminConfidence = 0.5\n\tmaxCommits = 60\n").unwrap();
    env.git(["config", "screenlink.maxCommits", "70"]).assert_ok();

    let system_os = system.clone().into_os_string();
    let run = |args: &[&str]| {
        // GIT_CONFIG_SYSTEM names the system file (the scrubbed env otherwise turns it off).
        let mut cmd = std::process::Command::new(crate::env::bin_dir().join("git-screenlink"));
        env.scrub(&mut cmd).env_remove("GIT_CONFIG_NOSYSTEM").env("GIT_CONFIG_SYSTEM", &system_os).args(args);
        cmd.output().unwrap()
    };
    let s = effective(&run(&["config", "--json"]));
    assert_eq!(get(&s, "screenlink.timeWindowDays"), (14.into(), "system".into(), system.display().to_string()));
    let (v, source, file) = get(&s, "screenlink.minConfidence");
    assert_eq!((v.as_f64(), source.as_str()), (Some(0.5), "global"));
    assert!(file.ends_with(".gitconfig"), "{file}");
    let (v, source, file) = get(&s, "screenlink.maxCommits");
    assert_eq!((v.as_u64(), source.as_str()), (Some(70), "repo"));
    assert!(file.ends_with(".git/config") && std::path::Path::new(&file).is_absolute(), "{file}");

    let s = effective(&run(&["config", "--json", "--max-commits", "80"]));
    assert_eq!(get(&s, "screenlink.maxCommits"), (80.into(), "flag".into(), "--max-commits".into()));

    // Plain text names the origin too.
    let text = run(&["config"]).stdout_text();
    let line = text.lines().find(|l| l.starts_with("screenlink.timeWindowDays")).unwrap();
    assert!(line.contains("14") && line.contains("system:"), "{line}");
}

#[test]
fn git_dash_c_is_the_command_level() {
    let env = TestEnv::new();
    env.git(["config", "screenlink.minCodeLines", "3"]).assert_ok();
    let s = effective(&env.git(["-c", "screenlink.minCodeLines=9", "screenlink", "config", "--json"]));
    let (v, source, _) = get(&s, "screenlink.minCodeLines");
    assert_eq!((v.as_u64(), source.as_str()), (Some(9), "command"));
}

#[test]
fn keywords_accumulate_across_files_and_flags() {
    let env = TestEnv::new();
    std::fs::write(env.home.join(".gitconfig"), "[screenlink]\n\tkeywords = tokio\n").unwrap();
    env.git(["config", "--add", "screenlink.keywords", "axum"]).assert_ok();
    env.git(["config", "--add", "screenlink.keywords", "sqlx"]).assert_ok();
    let s = effective(&env.screenlink(["config", "--json", "--keyword", "serde"]));
    let (v, source, _) = get(&s, "screenlink.keywords");
    assert_eq!(v, serde_json::json!(["tokio", "axum", "sqlx", "serde"]));
    assert_eq!(source, "flag");
}

#[test]
fn screenpipe_data_dir_moves_the_default_database() {
    let env = TestEnv::new();
    let dir = env.root().join("sp");
    let out = env.run_bin("git-screenlink", ["config", "--json"], &[("SCREENPIPE_DATA_DIR", dir.as_os_str())]);
    let s = effective(&out);
    let (v, source, detail) = get(&s, "screenlink.screenpipeDb");
    assert_eq!(v.as_str().unwrap(), dir.join("db.sqlite").to_str().unwrap());
    assert_eq!((source.as_str(), detail.as_str()), ("env", "SCREENPIPE_DATA_DIR"));
    // An explicit key still wins over the variable.
    env.git(["config", "screenlink.screenpipeDb", "~/elsewhere.sqlite"]).assert_ok();
    let out = env.run_bin("git-screenlink", ["config", "--json"], &[("SCREENPIPE_DATA_DIR", dir.as_os_str())]);
    let (v, source, _) = get(&effective(&out), "screenlink.screenpipeDb");
    assert_eq!(v.as_str().unwrap(), env.home.join("elsewhere.sqlite").to_str().unwrap(), "~ expands to HOME");
    assert_eq!(source, "repo");
}

#[test]
fn bad_values_name_the_key_and_the_file() {
    for (key, value) in [
        ("screenlink.minConfidence", "abc"),
        ("screenlink.timeWindowDays", "-3"),
        ("screenlink.keywordWeight", "1.5"),
        ("screenlink.semanticWeight", "-0.2"),
        ("screenlink.maxCommits", "0"),
    ] {
        let env = TestEnv::new();
        env.git(["config", key, value]).assert_ok();
        // Commands that work refuse to; `config`, the one that diagnoses, shows it (exit 1).
        let out = env.screenlink(["backfill", "--yes", "--dry-run"]);
        assert_eq!(out.code(), 2, "{key}={value}");
        assert!(out.stdout_text().is_empty());
        let config = env.screenlink(["config"]);
        assert_eq!(config.code(), 1, "{key}={value}");
        assert!(config.stdout_text().contains(&format!("{value:?} is bad")), "{}", config.stdout_text());
        for err in [out.stderr_text(), config.stderr_text()] {
            assert!(err.contains(key), "{key}={value}: {err}");
            assert!(err.contains(".git/config"), "{key}={value}: {err}");
            assert!(err.contains("hint:"), "{err}");
        }
    }
    // In the global file, the error names that file.
    let env = TestEnv::new();
    std::fs::write(env.home.join(".gitconfig"), "[screenlink]\n\ttimeWindowDays = -7\n").unwrap();
    let out = env.screenlink(["status", "--no-load"]);
    assert_eq!(out.code(), 1);
    assert!(out.stdout_text().contains(&env.home.join(".gitconfig").display().to_string()), "{}", out.stdout_text());
    // A bad flag names the flag.
    let env = TestEnv::new();
    let out = env.screenlink(["backfill", "--semantic-weight", "2"]);
    assert_eq!(out.code(), 2);
    assert!(out.stderr_text().contains("--semantic-weight"), "{}", out.stderr_text());
}

#[test]
fn unknown_keys_are_warned_about() {
    let env = TestEnv::new();
    env.git(["config", "screenlink.minConfidance", "0.9"]).assert_ok();
    let out = env.screenlink(["config"]);
    out.assert_ok();
    assert!(out.stderr_text().contains("screenlink.minconfidance"), "{}", out.stderr_text());
}

#[test]
fn works_outside_a_repository() {
    let env = TestEnv::new();
    std::fs::write(env.home.join(".gitconfig"), "[screenlink]\n\tminAudioLength = 250\n").unwrap();
    let mut cmd = std::process::Command::new(crate::env::bin_dir().join("git-screenlink"));
    env.scrub(&mut cmd).current_dir(&env.home).args(["config", "--json"]);
    let s = effective(&cmd.output().unwrap());
    assert_eq!(get(&s, "screenlink.minAudioLength").1, "global");
}
