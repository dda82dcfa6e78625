//! `git screenlink config`: every effective setting and where it came from.

use crate::cli::ConfigArgs;
use crate::config::Settings;
use crate::error::Result;

pub fn run(args: &ConfigArgs) -> Result<i32> {
    let settings = Settings::load(&super::current_dir()?, &args.knobs.overrides())?;
    let entries = settings.entries();
    if args.json {
        let json = serde_json::json!({
            "settings": entries,
            "unknown_keys": settings.unknown_keys.iter().map(|(k, o)| serde_json::json!({"key": k, "origin": o})).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&json).expect("settings serialise"));
        return Ok(0);
    }
    let width = entries.iter().map(|e| e.key.len()).max().unwrap_or(0);
    for e in &entries {
        let value = match &e.value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) if a.is_empty() => "(none)".into(),
            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
            other => other.to_string(),
        };
        println!("{:width$}  {value}  ({})", e.key, e.origin);
    }
    for (key, origin) in &settings.unknown_keys {
        eprintln!("warning: unknown key {key} ({origin}) is ignored; check its spelling");
    }
    Ok(0)
}
