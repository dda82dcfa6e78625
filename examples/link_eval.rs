//! Labelled candidates for fitting and judging the linker (driven by `tools/fit_linker.sh`).
//!
//!     link_eval dump  SET REPO DB GOLD_JSON [COMMITS_TXT] OUT.jsonl   # any repo + screenpipe db + gold
//!     link_eval world SET SCALE SEED STYLE OUT.jsonl                  # a sample world (style: plain|meeting)
//!                                                   # LINK_EVAL_MOTIVATED=0.2: fewer commits had talk behind them
//!     link_eval fit   A.jsonl B.jsonl …                               # leave one set out; then fit on all
//!     link_eval orphans REALTEXT_DIR                                  # each project's list less half its fixes
//!
//! `dump` and `world` run the engine as backfill does (defaults; `screenlink.minCodeLines 1`
//! for `dump`, as realtext's README says) and write one line per commit: its candidates
//! (up to `candidateLimit`), each with its feature vector and whether it is the commit's true
//! talk (eval_links.py's *link* criterion: a gold row is among the passage's rows, and at
//! least half of its rows are gold). `fit` reports, for each set, the model fitted on the
//! *other* sets: precision, recall, F1, top-1 accuracy and a calibration table, beside the
//! guide's formula on the same candidates, and precision and recall with a link to the talk of
//! a commit making the same change counted right (`common/same_change.rs`); then the weights
//! fitted on every set, the hook followed by backfill, and each world seed judged by models
//! fitted on its own style's other seeds. `LINK_EVAL_ZERO=i` leaves base feature `i` out too
//! (an ablation); `LINK_EVAL_EXPLAIN=SET` prints why each wrong or missed link happened;
//! `LINK_EVAL_HOOK_OUT=i,j` leaves the hook's calibration inputs `i`, `j` out (indices of
//! `score::fitted::decision_input`: 0 the ranker's score, then the features from 1).
//! `LINK_EVAL_TRIAL=1` keeps the slot the shipped weights leave out (`author_speaks`), so a
//! trial feature written there into the dumps is read by both rankers and the calibration;
//! `LINK_EVAL_CAL_OUT=10` leaves it out of backfill's calibration (the rankers alone read it);
//! `LINK_EVAL_CAL_IN=12` has backfill's calibration read an input the product leaves out.
//! `LINK_EVAL_HOOK_PAST_CENTRE=1` gives the hook the centred cosine a hook-only repository has
//! (against its earlier commits' centre; `link_eval/hook_centre.rs`) instead of the whole run's.
//! `LINK_EVAL_CEILING=1` prints each held-out set's recall at threshold 0 (every commit takes
//! the talk its mode's assignment gives it): the most any calibration could reach with that
//! ranking. `fit` also prints what an oracle could reach on realtext under its gold of one fix
//! per report (`link_eval/bound.rs`). `LINK_EVAL_UNSEEN=oak,spoon,sdc,traccar` keeps those
//! sets out of every fit and judges them by the models fitted on all the others
//! (`link_eval/unseen.rs`); `LINK_EVAL_ANSWERS=1` replays a person's answers and the product's
//! refit on each held-out and each unseen set (`link_eval/answers.rs`). `LINK_EVAL_FIT_ORPH=1`
//! fits on each project's list less half its fixes too, held out with its project (leave them
//! out of `LINK_EVAL_UNSEEN`; their macro is printed apart).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use git_screenlink::commits::{select, RevisionSet};
use git_screenlink::config::{Override, Settings, MIN_CODE_LINES, SCREENPIPE_DB, SOURCE};
use git_screenlink::fixture::{self, Spec};
use git_screenlink::link::{self, Params};
use git_screenlink::pipeline;
use git_screenlink::score::features::{self, BASE, NAMES, NEEDS_LATER_COMMITS};
use git_screenlink::workspace::Workspace;
use serde::{Deserialize, Serialize};

#[path = "link_eval/answers.rs"]
mod answers;
#[path = "link_eval/bound.rs"]
mod bound;
#[path = "link_eval/explain.rs"]
mod explain;
#[path = "link_eval/figures.rs"]
mod figures;
#[path = "link_eval/hook_centre.rs"]
mod hook_centre;
#[path = "link_eval/judge.rs"]
mod judge;
#[path = "link_eval/orphans.rs"]
mod orphans;
#[path = "link_eval/over_time.rs"]
mod over_time;
#[path = "link_eval/prior.rs"]
mod prior;
#[path = "common/realtext.rs"]
mod realtext;
#[path = "common/same_change.rs"]
mod same_change;
#[path = "link_eval/unseen.rs"]
mod unseen;

#[derive(Serialize, Deserialize, Clone)]
pub struct Cand {
    pub label: bool,
    pub features: Vec<f64>,
    pub keyword: f64,
    pub semantic: f64,
    pub ids: Vec<i64>,
    /// `semantic_centred` as the hook reads it (`link_eval/hook_centre.rs`); `None`: no centre
    /// yet, the feature at 0.
    #[serde(default)]
    pub hook_centred: Option<f64>,
}

#[derive(Serialize, Deserialize, Clone)]
pub struct Row {
    pub set: String,
    pub sha: String,
    pub time: i64,
    pub has_gold: bool,
    pub cands: Vec<Cand>,
    /// The commit's message (to tell a link to the talk of a commit making the same change).
    #[serde(default)]
    pub message: String,
    /// The commit's patch digest (`CommitInfo::patch`): the same change committed twice.
    #[serde(default)]
    pub patch: String,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("dump") if args.len() >= 6 => {
            let commits = if args.len() >= 7 { Some(args[5].as_str()) } else { None };
            let gold: HashMap<String, Vec<i64>> = serde_json::from_str(&std::fs::read_to_string(&args[4]).unwrap()).unwrap();
            dump(&args[1], Path::new(&args[2]), Path::new(&args[3]), gold, commits, Path::new(args.last().unwrap()), "1");
        }
        Some("world") if args.len() == 6 => {
            let spec = Spec::named(&args[2], args[3].parse().unwrap()).expect("scale: week, month, four-months");
            let spec = Spec { style: args[4].parse().expect("style: plain or meeting"), ..spec };
            // `LINK_EVAL_MOTIVATED=0.2`: a world where fewer commits had talk behind them (the
            // generator's default is 0.8), to see how the linker holds when most commits had none.
            let motivated = std::env::var("LINK_EVAL_MOTIVATED").ok().map(|v| v.parse().expect("LINK_EVAL_MOTIVATED: a share, 0 to 1"));
            let spec = Spec { motivated_share: motivated.unwrap_or(spec.motivated_share), ..spec };
            let dir = tempfile::tempdir().unwrap();
            let world = fixture::build(&spec, dir.path()).unwrap();
            let gold = world.truth.commits.iter().map(|c| (c.sha.clone(), c.rows.clone())).collect();
            dump(&args[1], &world.repo, &world.db, gold, None, Path::new(&args[5]), "5");
        }
        Some("fit") if args.len() >= 2 => judge::fit(&args[1..]),
        Some("orphans") if args.len() == 2 => orphans::write(Path::new(&args[1])),
        _ => {
            eprintln!("usage: see the top of examples/link_eval.rs");
            std::process::exit(2);
        }
    }
}

fn dump(set: &str, repo_dir: &Path, db: &Path, gold: HashMap<String, Vec<i64>>, commits: Option<&str>, out: &Path, min_code_lines: &str) {
    let overrides = [
        Override { key: SOURCE, flag: "--source", value: "db".into() },
        Override { key: SCREENPIPE_DB, flag: "--screenpipe-db", value: db.display().to_string() },
        Override { key: MIN_CODE_LINES, flag: "--min-code-lines", value: min_code_lines.into() },
    ];
    let settings = Settings::load(repo_dir, &overrides).unwrap();
    // Nothing claimed here: the judge replays the one-talk-one-commit rule with each model.
    let params = Params { min_confidence: f64::INFINITY, ..Params::from_settings(&settings) };
    let repo = git2::Repository::open(repo_dir).unwrap();
    let shas = commits.map(|f| std::fs::read_to_string(f).unwrap().split_whitespace().map(str::to_string).collect());
    let all = shas.is_none();
    let set_spec = RevisionSet { shas, max: if all { 100_000 } else { 0 }, ..Default::default() };
    let sel = select(&repo, &set_spec, git_screenlink::commits::Filters::from_settings(&settings)).unwrap();
    let talk = pipeline::read_talk(&settings, &sel.commits, &params).unwrap();
    let passages = talk.passages();
    let mut semantic = pipeline::load_semantic(&settings, false).unwrap();
    let ws = repo.workdir().map(Workspace::load).unwrap_or_default();
    let links = link::link(&sel.commits, &passages, &talk.terms, &ws, &params, &Default::default(), Some(&mut semantic), &mut |d, t| {
        if d == t || d % 500 == 0 {
            eprint!("\r{set}: embedding {d}/{t}   ");
        }
    })
    .unwrap();
    eprintln!();
    let hook_centred = hook_centre::past_only(&sel.commits, &links, &passages, &mut semantic);
    let mut f = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
    for (l, hook_centred) in links.iter().zip(&hook_centred) {
        let c = &sel.commits[l.commit];
        let g: HashSet<i64> = gold.get(&c.sha).cloned().unwrap_or_default().into_iter().collect();
        // The base features as measured, before the engine read them at the talk's level:
        // the judge does that itself, per mode (`features::add_context`).
        let measured = features::base(&l.candidates.iter().map(|s| features::Candidate { passage: s.passage, raw: s.raw }).collect::<Vec<_>>());
        let cands = l
            .candidates
            .iter()
            .zip(&measured)
            .enumerate()
            .map(|(k, (s, f))| {
                let ids = passages[s.passage].ids();
                let hit = ids.iter().filter(|i| g.contains(i)).count();
                let hook_centred = hook_centred.as_ref().map(|v| v[k]);
                Cand { label: hit > 0 && 2 * hit >= ids.len(), features: f[..BASE].to_vec(), keyword: s.keyword, semantic: s.semantic, ids, hook_centred }
            })
            .collect();
        let message = format!("{}\n\n{}", c.subject, c.body);
        let row =
            Row { set: set.into(), sha: c.sha.clone(), time: c.committer_time.timestamp(), has_gold: !g.is_empty(), cands, message, patch: c.patch.clone() };
        writeln!(f, "{}", serde_json::to_string(&row).unwrap()).unwrap();
    }
    // Gold commits the filters dropped still count against recall.
    let selected: HashSet<&str> = sel.commits.iter().map(|c| c.sha.as_str()).collect();
    let wanted: Option<HashSet<String>> = commits.map(|f| std::fs::read_to_string(f).unwrap().split_whitespace().map(str::to_string).collect());
    for (sha, rows) in &gold {
        let listed = wanted.as_ref().is_none_or(|w| w.contains(sha));
        if !rows.is_empty() && listed && !selected.contains(sha.as_str()) {
            let message =
                git2::Oid::from_str(sha).ok().and_then(|o| repo.find_commit(o).ok()).and_then(|c| c.message().ok().map(String::from)).unwrap_or_default();
            let row = Row { set: set.into(), sha: sha.clone(), time: 0, has_gold: true, cands: Vec::new(), message, patch: String::new() };
            writeln!(f, "{}", serde_json::to_string(&row).unwrap()).unwrap();
        }
    }
    eprintln!(
        "{set}: {} commits ({} skipped), {} passages, {} texts embedded; features: {}; hook leaves out {:?}",
        sel.commits.len(),
        sel.skipped.values().sum::<usize>(),
        passages.len(),
        semantic.embedded,
        NAMES.join(","),
        NEEDS_LATER_COMMITS
    );
}
