use super::*;

#[test]
fn the_same_change_has_the_same_patch_digest() {
    let f = |path: &str, lines: &[&str]| FileChange { path: path.into(), added: lines.iter().map(|l| l.to_string()).collect() };
    let a = patch_digest(&[f("src/a.rs", &["let x = 1;", "let y = 2;"])]);
    assert_eq!(a.len(), 32);
    assert_eq!(a, patch_digest(&[f("src/a.rs", &["let x = 1;", "let y = 2;"])]));
    assert_ne!(a, patch_digest(&[f("src/b.rs", &["let x = 1;", "let y = 2;"])]), "another file");
    assert_ne!(a, patch_digest(&[f("src/a.rs", &["let x = 1;let y = 2;"])]), "lines are kept apart");
    assert_ne!(a, patch_digest(&[f("src/a.rs", &["let x = 1;"]), f("let y = 2;", &[])]), "files are kept apart");
}

#[test]
fn trailers_go_and_prose_stays() {
    let body = "\nThe search was slow.\nNote: keep the page small.\n\nSigned-off-by: A <a@x>\nCo-authored-by: B <b@x>\nChange-Id: I123\n";
    assert_eq!(strip_trailers(body), "The search was slow.\nNote: keep the page small.");
}

#[test]
fn version_bumps_are_recognised() {
    for s in ["Bump version to 1.2.3", "chore: release 0.4.0", "v2.0.0", "1.0.1", "chore(deps): bump serde to 1.0.200", "Release 3.1"] {
        assert!(VERSION_BUMP.is_match(s), "{s}");
    }
    for s in ["Add pagination to search", "Fix bump allocator overflow", "Support HTTP/2"] {
        assert!(!VERSION_BUMP.is_match(s), "{s}");
    }
}

#[test]
fn ignored_paths() {
    for p in ["Cargo.lock", "web/package-lock.json", "vendor/x/y.go", "a/node_modules/b.js", "dist/app.min.js", "api/x.pb.go", "src/schema_generated.rs"] {
        assert!(is_ignored_path(p), "{p}");
    }
    for p in ["src/lib.rs", "vendors.rs", "src/lock.rs"] {
        assert!(!is_ignored_path(p), "{p}");
    }
}

#[test]
fn identifiers_rank_names_not_syntax() {
    let lines = ["let page_size = query.page_size.unwrap_or(20);", "let offset = page_size * page; // page math"];
    let ids = identifiers(lines.into_iter());
    assert_eq!(ids[0], "page_size");
    assert!(ids.contains(&"offset".to_string()) && ids.contains(&"query".to_string()));
    assert!(!ids.contains(&"let".to_string()) && !ids.contains(&"math".to_string()));
}
