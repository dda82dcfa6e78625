//! A missing or wrong runtime or model is a clear error with a fix, never a panic.

use std::path::Path;
use std::process::Command;

use crate::env::{OutputExt, TestEnv};

/// Compile a tiny real shared library from C source (gcc is on every machine we build on).
fn compile_shared(dir: &Path, name: &str, source: &str) -> std::path::PathBuf {
    let src = dir.join(format!("{name}.c"));
    std::fs::write(&src, source).unwrap();
    let lib = dir.join(name);
    let out = Command::new("cc").args(["-shared", "-fPIC", "-o"]).arg(&lib).arg(&src).output().unwrap();
    assert!(out.status.success(), "cc failed: {}", String::from_utf8_lossy(&out.stderr));
    lib
}

fn status_with_ort(env: &TestEnv, lib: &Path) -> std::process::Output {
    env.run_bin("git-screenlink", ["status"], &[("ORT_DYLIB_PATH", lib.as_os_str())])
}

fn assert_clean_failure(out: &std::process::Output, expect: &str) {
    let all = format!("{}{}", out.stdout_text(), out.stderr_text());
    assert_eq!(out.code(), 1, "{all}");
    assert!(all.contains(expect), "expected {expect:?} in:\n{all}");
    assert!(all.contains("install.sh --assets-only"), "no fix given:\n{all}");
    assert!(!all.contains("panicked"), "panicked:\n{all}");
}

#[test]
fn missing_runtime() {
    let env = TestEnv::new();
    let out = status_with_ort(&env, &env.root().join("nowhere/libonnxruntime.so"));
    assert_clean_failure(&out, "ONNX Runtime not found");
}

#[test]
fn runtime_that_is_not_a_library() {
    let env = TestEnv::new();
    let fake = env.root().join("libonnxruntime.so.1.24.4");
    std::fs::write(&fake, "not a library\n").unwrap();
    assert_clean_failure(&status_with_ort(&env, &fake), "not a loadable shared library");
}

#[test]
fn runtime_that_is_another_library() {
    let env = TestEnv::new();
    let lib = compile_shared(env.root(), "libother.so", "int answer(void) { return 42; }\n");
    assert_clean_failure(&status_with_ort(&env, &lib), "is not ONNX Runtime");
}

#[test]
fn runtime_too_old() {
    let env = TestEnv::new();
    // Exports OrtGetApiBase like ONNX Runtime 1.20 does: it has no API 24 to give.
    let lib = compile_shared(
        env.root(),
        "libonnxruntime.so.1.20.0",
        r#"
        typedef struct { const void *(*get_api)(unsigned); const char *(*version)(void); } Base;
        static const void *get_api(unsigned v) { return v <= 20 ? (const void *)1 : 0; }
        static const char *version(void) { return "1.20.0"; }
        static Base base = { get_api, version };
        const Base *OrtGetApiBase(void) { return &base; }
        "#,
    );
    assert_clean_failure(&status_with_ort(&env, &lib), "ONNX Runtime 1.20.0");
}

#[test]
fn missing_model_files() {
    let env = TestEnv::new();
    let empty = env.root().join("empty-model");
    std::fs::create_dir_all(&empty).unwrap();
    let out = env.run_bin("git-screenlink", ["status"], &[("SCREENLINK_MODEL_DIR", empty.as_os_str())]);
    assert_clean_failure(&out, "missing model.onnx");
}

#[test]
fn model_that_is_not_onnx() {
    let env = TestEnv::new();
    let real = git_screenlink::assets::data_dir().join("models").join(git_screenlink::assets::MODEL_NAME);
    let bad = env.root().join("bad-model");
    std::fs::create_dir_all(&bad).unwrap();
    for f in git_screenlink::assets::TOKENIZER_FILES {
        std::fs::copy(real.join(f), bad.join(f)).unwrap_or_else(|e| panic!("{f} from {} (run ./install.sh --assets-only): {e}", real.display()));
    }
    std::fs::write(bad.join("model.onnx"), b"this is not an ONNX graph").unwrap();
    let out = env.run_bin("git-screenlink", ["status"], &[("SCREENLINK_MODEL_DIR", bad.as_os_str())]);
    assert_clean_failure(&out, "could not be loaded");
}

#[test]
fn healthy_status_loads_the_model() {
    let env = TestEnv::new();
    // With screenpipe unreadable status exits 1: give it a database.
    let db = crate::env::hand_db(env.root(), &[("2026-03-01T10:00:00+00:00", "hello")]);
    let out = env.screenlink(["status", "--json", "--source", "db", "--screenpipe-db", db.to_str().unwrap()]);
    out.assert_ok();
    let s: serde_json::Value = serde_json::from_str(&out.stdout_text()).unwrap();
    assert_eq!(s["onnxruntime"]["ok"], true, "{s}");
    assert!(s["onnxruntime"]["detail"].as_str().unwrap().contains("1.24"), "{s}");
    assert_eq!(s["model"]["ok"], true, "{s}");
    assert!(s["embedding"]["detail"].as_str().unwrap().contains("384-d"), "{s}");
}
