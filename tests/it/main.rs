//! One integration-test binary: real git repositories in temp dirs, the built binaries
//! first on PATH, a scrubbed environment, and the real embedding model.

mod assets_errors;
mod backfill;
mod caches;
mod cli;
mod commits;
mod config;
mod drills;
mod embedding;
mod env;
mod formats;
mod fuzz;
mod git_home;
mod gitops;
mod hook;
mod newuser;
mod notebooks;
mod reorganisations;
mod source;
mod train;
mod validate;
mod weights;
