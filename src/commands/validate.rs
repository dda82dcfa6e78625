//! `git screenlink validate [FILE]`: integrity, tokens, confidence, sensitive data,
//! recommendations; `--fix` repairs; `--review N` asks about random pairs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use console::style;

use crate::cli::ValidateArgs;
use crate::config::Settings;
use crate::dataset::{self, Store};
use crate::error::{Error, Kind, Result};
use crate::fsutil;
use crate::review::{self, Choice};
use crate::score::embed::TokenCounter;
use crate::validate::{self, Report};

pub const REPORT_FILE: &str = "validation_report.txt";

pub fn run(args: &ValidateArgs) -> Result<i32> {
    let dir = super::current_dir()?;
    let settings = Settings::load(&dir, &[])?;
    let file = match &args.file {
        Some(f) => f.clone(),
        None => {
            let repo = crate::pipeline::open_repo(&dir)?;
            Store::for_repo(&repo, &settings)?.dataset_path()
        }
    };
    if !file.is_file() {
        return Err(Error::new(Kind::Io, format!("no dataset at {}", file.display()))
            .hint("link some commits first (`git screenlink backfill`), or give the file: `git screenlink validate FILE`"));
    }
    let store_dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    if let Some(n) = args.review {
        return review_pairs(&file, &store_dir, n, args.seed.unwrap_or_else(|| Utc::now().timestamp() as u64));
    }
    if args.fix {
        let _lock = fsutil::DirLock::acquire(&store_dir)?;
        let text = read(&file)?;
        let (fixed_text, fixed) = validate::fix(&text);
        if fixed_text == text {
            if !args.json {
                println!("Nothing to fix in {}", file.display());
            }
        } else {
            let bak = PathBuf::from(format!("{}.bak", file.display()));
            fsutil::write_atomic(&bak, &text)?;
            fsutil::write_atomic(&file, &fixed_text)?;
            if !args.json {
                println!(
                    "Fixed {}: dropped {} invalid line(s) and {} duplicate(s), redacted {} value(s); {} kept; the original is {}",
                    file.display(),
                    fixed.dropped_invalid,
                    fixed.dropped_duplicates,
                    fixed.redacted,
                    crate::messages::count(fixed.pairs_kept, "pair"),
                    bak.display()
                );
            }
        }
    }
    let report = build_report(&file, &settings)?;
    if report.lines == 0 {
        // An empty dataset is not a valid one: there is nothing to train on.
        eprintln!("git-screenlink: {} has no pairs yet\n  hint: link some commits first (`git screenlink backfill`)", file.display());
        return Ok(1);
    }
    let text = validate::render(&report);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
    } else {
        print!("{text}");
    }
    let report_path = args.report.clone().unwrap_or_else(|| store_dir.join(REPORT_FILE));
    fsutil::write_atomic(&report_path, &text)?;
    if !args.json {
        println!("\nReport written to {}", report_path.display());
    }
    Ok(if report.is_clean() { 0 } else { 1 })
}

fn read(file: &Path) -> Result<String> {
    std::fs::read_to_string(file).map_err(|e| Error::io(format!("reading {}", file.display()), e))
}

pub fn build_report(file: &Path, settings: &Settings) -> Result<Report> {
    let text = read(file)?;
    let (valid, problems) = validate::check_lines(&text);
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let (tokens, tokenizer) = match TokenCounter::load(settings) {
        Ok(counter) => {
            let texts: Vec<String> =
                valid.iter().map(|v| validate::FIELDS.iter().filter_map(|f| v.value[*f].as_str()).collect::<Vec<_>>().join("\n")).collect();
            (Some(counter.count_all(&texts)), crate::assets::MODEL_NAME.to_string())
        }
        Err(e) => (None, format!("tokenizer unavailable: {}", e.message)),
    };
    let findings = validate::findings(&valid);
    let mut by_kind: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for f in &findings {
        *by_kind.entry(f.kind).or_default().entry(f.field).or_default() += 1;
    }
    let mut report = Report {
        file: file.display().to_string(),
        lines,
        valid: valid.len(),
        tokens,
        tokenizer,
        problems,
        confidence: validate::confidence(&valid),
        findings,
        findings_by_kind: by_kind,
        repeated: validate::repeated(&valid),
        recommendations: Vec::new(),
    };
    report.recommendations = validate::recommendations(&report, settings.min_confidence.value);
    Ok(report)
}

/// A small seeded generator (xorshift64*): `--seed` makes the sample repeatable.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
    }
}

fn review_pairs(file: &Path, store_dir: &Path, n: usize, seed: u64) -> Result<i32> {
    let term = review::require_terminal("validate --review", "run it in a terminal")?;
    let text = read(file)?;
    let (valid, _) = validate::check_lines(&text);
    let mut order: Vec<usize> = (0..valid.len()).collect();
    let mut rng = Rng(seed.max(1));
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let store = Store::at(store_dir);
    let (mut good, mut bad, mut skipped) = (0, 0, 0);
    let io = |e| Error::io("reading the terminal", e);
    for (k, &i) in order.iter().take(n).enumerate() {
        let v = &valid[i].value;
        let input = v["input"].as_str().unwrap_or("");
        let output: Vec<&str> = v["output"].as_str().unwrap_or("").lines().take(12).collect();
        let shown: String = input.chars().take(600).collect();
        let _ = term.write_line(&format!(
            "\n[{}/{}] line {} — {} (confidence {})\n{}\n{}\n{}",
            k + 1,
            n.min(valid.len()),
            valid[i].line,
            style(v["instruction"].as_str().unwrap_or("")).bold(),
            v["metadata"]["confidence"],
            shown,
            style("output:").dim(),
            output.join("\n")
        ));
        match review::ask(&term, &[Choice::Good, Choice::Bad, Choice::Skip, Choice::Quit], Choice::Quit).map_err(io)? {
            Choice::Good => {
                good += 1;
                dataset::answers::confirm(&store, &valid[i].value)?;
            }
            Choice::Skip => skipped += 1,
            Choice::Bad => {
                bad += 1;
                dataset::answers::reject(&store, file, &valid[i].value)?;
            }
            _ => break,
        }
    }
    println!("Reviewed: {good} good, {bad} bad (moved to {}), {skipped} skipped", store.rejected_path().display());
    if let Some(line) = super::weights::refit_if_due(&store) {
        println!("{line}");
    }
    Ok(0)
}
