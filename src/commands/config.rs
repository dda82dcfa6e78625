//! `git screenlink config`: every effective setting and where it came from.

use crate::cli::ConfigArgs;
use crate::config::Settings;
use crate::error::Result;

pub fn run(args: &ConfigArgs) -> Result<i32> {
    // Bad values are shown, not fatal: this is where a user comes to find them.
    let settings = Settings::load_lenient(&super::current_dir()?, &args.knobs.overrides())?;
    let mut entries = settings.entries();
    // Defaults that are places on this machine: show the place, not a description.
    for e in &mut entries {
        if e.origin != crate::config::Origin::Default {
            continue;
        }
        let place = match e.key {
            crate::config::MODEL_DIR => crate::assets::model_dir(&settings).path.display().to_string(),
            crate::config::ORT_LIBRARY => crate::assets::ort_library(&settings).path.display().to_string(),
            crate::config::TRAIN_PYTHON => format!("(mlx_lm on PATH, else {}, else python3)", crate::train::bundled_python().display()),
            crate::config::DATASET_DIR => match git2::Repository::discover(super::current_dir()?) {
                Ok(repo) => repo.commondir().join("screenlink").display().to_string(),
                Err(_) => continue,
            },
            _ => continue,
        };
        e.value = place.into();
    }
    let code = if settings.bad_values.is_empty() { 0 } else { 1 };
    if args.json {
        let json = serde_json::json!({
            "settings": entries,
            "bad_values": settings.bad_values.iter().map(|b| serde_json::json!({
                "key": b.key, "value": b.value, "origin": b.origin, "error": b.error.message, "hint": b.error.hint,
            })).collect::<Vec<_>>(),
            "unknown_keys": settings.unknown_keys.iter().map(|(k, o)| serde_json::json!({"key": k, "origin": o})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&json).expect("settings serialise"));
        return Ok(code);
    }
    let width = entries.iter().map(|e| e.key.len()).max().unwrap_or(0);
    for e in &entries {
        let value = match &e.value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) if a.is_empty() => "(none)".into(),
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
            other => other.to_string(),
        };
        match settings.bad_values.iter().find(|b| b.key == e.key) {
            Some(bad) => println!("{:width$}  {:?} is bad, {value} used  ({})", e.key, bad.value, bad.origin),
            None => println!("{:width$}  {value}  ({})", e.key, e.origin),
        }
    }
    for bad in &settings.bad_values {
        eprintln!("git-screenlink: {}", bad.error);
    }
    for (key, origin) in &settings.unknown_keys {
        eprintln!("warning: unknown key {key} ({origin}) is ignored; check its spelling");
    }
    Ok(code)
}
