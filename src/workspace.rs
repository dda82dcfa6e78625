//! Cargo awareness: which package of a Cargo workspace each changed file belongs to.
//!
//! Read with `cargo metadata --no-deps --offline` only when the work tree has a Cargo.toml.
//! Any failure (no cargo, a broken manifest) only means no crate names: it is reported at
//! debug level (`SCREENLINK_DEBUG=1`) and never stops linking.

use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    pub name: String,
    /// The package directory relative to the work tree, `/`-separated (`""` for the root).
    pub dir: String,
    pub targets: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// Deepest directories first, so nested packages win over their parents.
    packages: Vec<Package>,
}

impl Workspace {
    /// The workspace of the work tree at `workdir`, or an empty one.
    pub fn load(workdir: &Path) -> Workspace {
        if !workdir.join("Cargo.toml").is_file() {
            return Workspace::default();
        }
        let metadata = cargo_metadata::MetadataCommand::new().current_dir(workdir).no_deps().other_options(vec!["--offline".to_string()]).exec();
        match metadata {
            Ok(m) => {
                let root = m.workspace_root.as_std_path().canonicalize().unwrap_or_else(|_| workdir.to_path_buf());
                let mut packages: Vec<Package> = m
                    .packages
                    .iter()
                    .filter_map(|p| {
                        let dir = p.manifest_path.parent()?.as_std_path().canonicalize().ok()?;
                        let rel = dir.strip_prefix(&root).ok()?;
                        Some(Package {
                            name: p.name.to_string(),
                            dir: rel.to_string_lossy().replace('\\', "/"),
                            targets: p.targets.iter().map(|t| t.name.clone()).collect(),
                        })
                    })
                    .collect();
                packages.sort_by_key(|p| std::cmp::Reverse(p.dir.len()));
                Workspace { packages }
            }
            Err(err) => {
                crate::debug(format_args!("cargo metadata failed in {}: {err}", workdir.display()));
                Workspace::default()
            }
        }
    }

    pub fn from_packages(mut packages: Vec<Package>) -> Workspace {
        packages.sort_by_key(|p| std::cmp::Reverse(p.dir.len()));
        Workspace { packages }
    }

    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    /// The package a work-tree path belongs to.
    pub fn package_of(&self, path: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.dir.is_empty() || path.starts_with(&format!("{}/", p.dir)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_packages_win_and_paths_outside_have_none() {
        let ws = Workspace::from_packages(vec![
            Package { name: "api".into(), dir: "crates/api".into(), targets: vec!["api".into()] },
            Package { name: "api-macros".into(), dir: "crates/api/macros".into(), targets: vec![] },
        ]);
        assert_eq!(ws.package_of("crates/api/src/search.rs").unwrap().name, "api");
        assert_eq!(ws.package_of("crates/api/macros/src/lib.rs").unwrap().name, "api-macros");
        assert!(ws.package_of("crates/apix/src/lib.rs").is_none());
        assert!(ws.package_of("README.md").is_none());
    }
}
