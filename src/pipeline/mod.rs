//! The steps backfill, the hook and review share: settings → repo → commits → talk →
//! passages → links, each timed for `--profile`.

use std::path::Path;
use std::time::{Duration as StdDuration, Instant};

use chrono::Duration;
use serde::Serialize;

use crate::commits::CommitInfo;
use crate::config::Settings;
use crate::error::{Error, Kind, Result};
use crate::link::{self, Params};
use crate::messages;
use crate::score::cache::{self, EmbeddingCache};
use crate::score::history::History;
use crate::score::recalibration::Recalibration;
use crate::score::semantic::Semantic;
use crate::source::discussion::{self, Discussion};
use crate::source::{self, Source};
use crate::talk_terms::{TalkTerms, TermCache};

pub mod blocks;

/// Seconds spent per stage.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Profile {
    pub stages: Vec<(&'static str, f64)>,
}

impl Profile {
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let t = Instant::now();
        let out = f();
        self.add(stage, t.elapsed());
        out
    }

    pub fn add(&mut self, stage: &'static str, d: StdDuration) {
        match self.stages.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, secs)) => *secs += d.as_secs_f64(),
            None => self.stages.push((stage, d.as_secs_f64())),
        }
    }
}

/// Open the repository that contains `dir`.
pub fn open_repo(dir: &Path) -> Result<git2::Repository> {
    // GIT_DIR (and GIT_WORK_TREE) name the repository as they do for git itself.
    let opened = if std::env::var_os("GIT_DIR").is_some() { git2::Repository::open_from_env() } else { git2::Repository::discover(dir) };
    opened.map_err(|e| unreadable_repo(dir, &e))
}

/// Why the repository around `dir` could not be opened, in the user's terms: git itself reads
/// repositories with extensions libgit2 does not know, and one owned by another user is
/// refused by both; "not in a git repository" would send them looking for the wrong thing.
fn unreadable_repo(dir: &Path, e: &git2::Error) -> Error {
    const NOTHING_DONE: &str = "nothing was changed and no commit is queued";
    if e.code() == git2::ErrorCode::Owner {
        // git refuses it too, so the top is found by hand: the nearest folder holding `.git`.
        let at = dir.ancestors().find(|d| d.join(".git").exists()).unwrap_or(dir).display().to_string();
        return Error::new(Kind::Git, "this repository is owned by another user, and git reads such a repository only when told it is safe (safe.directory)")
            .hint(format!("if you trust it: git config --global --add safe.directory '{at}'"));
    }
    if e.message().contains("unsupported extension") {
        return Error::new(Kind::Git, format!("this repository uses a git extension git-screenlink cannot read yet ({})", e.message())).hint(format!(
            "{NOTHING_DONE}; `git config --list --local | grep extensions` shows which, or uninstall the hook here with `git screenlink uninstall`"
        ));
    }
    Error::new(Kind::Git, messages::NOT_A_REPO).hint("run this inside a git repository (or `git screenlink demo` to try one)")
}

/// The talk every commit's window covers, read once and grouped into discussions.
pub struct Talk {
    pub source: String,
    pub rows: usize,
    pub discussions: Vec<Discussion>,
    /// The discussions' rows as terms (empty until [`Talk::with_terms`]).
    pub terms: TalkTerms,
    /// When no row was read: the source's newest row (`Some(None)`: it holds none), asked of
    /// the source already open, so the hook can tell a screenpipe that stopped recording;
    /// `None` when rows were read or the source cannot say.
    pub newest: Option<Option<chrono::DateTime<chrono::Utc>>>,
}

impl Talk {
    /// The rows' terms, from the term cache beside the embedding cache where it holds them.
    pub fn with_terms(mut self) -> Talk {
        let mut cache = TermCache::open(&cache::default_dir());
        self.terms = TalkTerms::build(&self.discussions, Some(&mut cache));
        crate::debug(format_args!("talk terms: {} of {} discussions split", self.terms.split, self.discussions.len()));
        self
    }

    /// The discussions cut into passages (after [`Talk::with_terms`]).
    pub fn passages(&self) -> Vec<crate::candidates::Passage<'_>> {
        crate::candidates::cut(&self.discussions, &self.terms)
    }
}

pub fn read_talk(settings: &Settings, commits: &[CommitInfo], params: &Params) -> Result<Talk> {
    let src: Box<dyn Source> = source::open(settings)?;
    let mut talk = match link::read_span(commits, params) {
        Some(span) => read_talk_span(settings, src.as_ref(), span, None)?.with_terms(),
        None => Talk { source: src.location(), rows: 0, discussions: Vec::new(), terms: TalkTerms::default(), newest: None },
    };
    if talk.rows == 0 {
        talk.newest = src.newest().ok();
    }
    Ok(talk)
}

/// The talk of `[start, end)` from `src`, grouped (its terms not yet split); `rows` counts the rows at or after
/// `counted_from` (a block's rows that the block before did not read).
fn read_talk_span(
    settings: &Settings,
    src: &dyn Source,
    (start, end): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
    counted_from: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Talk> {
    let rows = src.read(start, end)?;
    let gap = Duration::milliseconds((settings.discussion_gap_minutes.value * 60_000.0) as i64);
    let discussions = discussion::group(&rows, gap, settings.min_audio_length.value as usize);
    let counted = rows.iter().filter(|r| counted_from.is_none_or(|t| r.timestamp >= t)).count();
    Ok(Talk { source: format!("{} {}", src.kind(), src.location()), rows: counted, discussions, terms: TalkTerms::default(), newest: None })
}

/// The semantic scorer over the shared embedding cache. The model itself loads on the first
/// text the cache lacks, but its runtime is checked now unless `lazy`, so a broken install
/// is reported before any work is done.
pub fn load_semantic(settings: &Settings, lazy: bool) -> Result<Semantic> {
    if !lazy {
        crate::assets::probe_ort(&crate::assets::ort_library(settings).path)?;
    }
    let cache = EmbeddingCache::open(&cache::default_dir(), settings.model_precision.value.model_id());
    if let Some(w) = &cache.warning {
        eprintln!("git-screenlink: warning: {w}");
    }
    Semantic::new(settings, cache)
}

/// Warn about unreadable lines of a dataset file, once, without stopping.
pub fn warn_bad_lines(path: &Path, bad: &[(usize, String)]) {
    if let Some((line, why)) = bad.first() {
        eprintln!(
            "git-screenlink: warning: {} has {} unreadable line(s) (first: line {line}: {why}); they are skipped — `git screenlink validate --fix` repairs the file",
            path.display(),
            bad.len()
        );
    }
}

/// One commit linked against the talk in its window (the hook's and review's unit of work).
pub struct Linked {
    pub commit: CommitInfo,
    pub talk: Talk,
    pub links: link::CommitLinks,
    pub model: &'static str,
    /// What scored the links (the hook's weights or backfill's, the recalibration), for the
    /// prompt to say why a link is sure.
    pub params: link::Params,
}

impl Linked {
    pub fn passages(&self) -> Vec<crate::candidates::Passage<'_>> {
        self.talk.passages()
    }
}

/// Remember each scored commit's best candidate cosine for the hook's talk level, and the
/// run's `centre` (`score::history`). A failed write costs those values, never the run, and says nothing
/// (outside `--debug`): the dataset lives in the same directory, and its own write reports
/// what is wrong there with a hint.
/// `judged`: the commits were scored beside the commits after them (backfill, review), so
/// whether each was linked at `min_confidence` is remembered for the hook's prior too.
pub fn remember_talk_level<'a>(
    store_dir: &Path,
    history: &mut History,
    centre: Option<crate::score::centre::Centre>,
    judged: Option<f64>,
    linked: impl IntoIterator<Item = (&'a CommitInfo, &'a link::CommitLinks)>,
) {
    use crate::score::history::{Seen, Verdict};
    history.observe_centre(centre);
    let hook = judged.map(|_| crate::score::fitted::Fitted::shipped(false));
    let seen = linked.into_iter().filter_map(|(c, l)| {
        let linked = judged.zip(hook.as_ref()).map(|(min, hook)| Verdict { linked: l.best().is_some_and(|b| b.confidence >= min), hook: hook_view(hook, l) });
        l.candidates
            .iter()
            .map(|s| s.semantic)
            .reduce(f64::max)
            .map(|best_cosine| (Seen { sha: c.sha.clone(), time: c.committer_time.timestamp(), best_cosine }, linked))
    });
    if let Err(e) = history.record_judged(store_dir, seen) {
        crate::debug(format_args!("the talk level was not remembered: {}", e.message));
    }
}

/// What the shipped hook would have said of a commit scored beside the commits after it
/// (`score::recalibration`), at the talk level the run read its cosines at.
fn hook_view(hook: &crate::score::fitted::Fitted, l: &link::CommitLinks) -> Option<crate::score::recalibration::HookView> {
    use crate::score::features::{Candidate, TALK_LEVEL_INDEX};
    let level = l.best()?.features[TALK_LEVEL_INDEX];
    let cands: Vec<Candidate> = l.candidates.iter().map(|s| Candidate { passage: s.passage, raw: s.raw }).collect();
    crate::score::fitted::view_as_hook(hook, &cands, level, |p| l.candidates.iter().find(|s| s.passage == p).map(|s| s.confidence))
}

/// Whether a run with `params` judges its commits for the hook's prior (see
/// [`remember_talk_level`]): fitted scoring beside the commits after them, linked at the
/// default threshold (the prior says what the talk is like, not what the user asks for).
pub fn judged(params: &Params) -> Option<f64> {
    (params.later_commits && params.scoring == crate::config::Scoring::Fitted).then_some(crate::config::MIN_CONFIDENCE_DEFAULT)
}

/// The engine's parameters for this repository: its refitted weights for the mode, if any,
/// and the talk level it remembers (for runs too small to measure one); and that history,
/// to remember this run in.
pub fn scoring_params(settings: &Settings, store_dir: &Path, later_commits: bool) -> (Params, History) {
    // A repository's refit is backfill's (and review's). The hook keeps the shipped weights,
    // recalibrated on what backfill and review said here (with the refit, once there is one),
    // or else moved by this repository's share of linked commits: a calibration refitted on
    // the answers, which are links backfill made, learnt that links are mostly right and said
    // so of every commit the hook met (held out on Oak, 300 links at precision 0.05 on the
    // newer half; docs/link-quality-trials.md, session 27).
    let fitted = if later_commits { crate::score::user::load(store_dir).map(|w| w.backfill) } else { None };
    let history = History::load(store_dir);
    let recalibration = if later_commits {
        Recalibration::default()
    } else {
        history.hook_recalibration().unwrap_or_else(|| Recalibration::shifted(crate::score::fitted::hook_prior_shift(history.prior())))
    };
    (Params { later_commits, fitted, talk_level: Some(history.level()), recalibration, centre: history.centre(), ..Params::from_settings(settings) }, history)
}

/// Link a commit made a while ago (a queued one, at `review`) as backfill does: beside the
/// commits made within its time window on either side, which exist by now and may fit its
/// talk better. Held out on realtext, every commit queued and then reviewed this way links at
/// 0.814 / 0.698 against the hook's 0.729 / 0.350 (README, "Link quality"). The rivals are
/// scored, never linked. `semantic` is shared by every commit of a review: the model loads
/// once, not once per queued commit.
pub fn link_with_rivals(
    settings: &Settings,
    repo: &git2::Repository,
    commit: CommitInfo,
    claimed: &crate::claimed::Claimed,
    store_dir: &Path,
    semantic: &mut Semantic,
) -> Result<Linked> {
    let (params, mut history) = scoring_params(settings, store_dir, true);
    let reach = Duration::days(params.time_window_days as i64);
    let around = crate::commits::RevisionSet {
        since: Some(commit.author_time.min(commit.committer_time) - reach),
        until: Some(commit.committer_time + reach),
        max: settings.max_commits.value as usize,
        ..Default::default()
    };
    // The rivals, then the commit last: one list to read the talk for.
    let mut everyone: Vec<CommitInfo> =
        match crate::commits::select_cached(repo, &around, crate::commits::Filters::from_settings(settings), &cache::default_dir()) {
            Ok(sel) => sel.commits.into_iter().filter(|c| c.sha != commit.sha).collect(),
            // No rivals (an unborn or odd HEAD): scored alone, as the hook would.
            Err(_) => Vec::new(),
        };
    everyone.push(commit);
    let talk = read_talk(settings, &everyone, &params)?;
    let passages = talk.passages();
    let ws = repo.workdir().map(crate::workspace::Workspace::load).unwrap_or_default();
    let (rivals, this) = everyone.split_at(everyone.len() - 1);
    let mut links = link::link_in_context(this, rivals, &passages, &talk.terms, &ws, &params, claimed, Some(&mut *semantic), &mut |_, _| {})?;
    let links = links.swap_remove(0);
    crate::debug(format_args!("linked {} beside {} rivals: {} passages, {} texts embedded", this[0].sha, rivals.len(), passages.len(), semantic.embedded));
    let commit = everyone.pop().expect("the commit was pushed last");
    remember_talk_level(store_dir, &mut history, semantic.observed.take(), judged(&params), [(&commit, &links)]);
    drop(passages);
    Ok(Linked { commit, talk, links, model: semantic.model_id(), params })
}

/// Link `commit`, skipping talk whose rows are in `claimed`.
pub fn link_one(settings: &Settings, workdir: Option<&Path>, commit: CommitInfo, claimed: &crate::claimed::Claimed, store_dir: &Path) -> Result<Linked> {
    // The hook sees only the past: the passage-side features need later commits, and one
    // commit is too few to say what kind of talk this is: the commits before it say.
    let (params, mut history) = scoring_params(settings, store_dir, false);
    // The tokenizer and the vector cache load on a thread of their own while the talk is
    // read (each ~40-60 ms on the hook's path, which a daemon leaves to them alone).
    let ready = {
        let settings = settings.clone();
        std::thread::spawn(move || load_semantic(&settings, true))
    };
    // The daemon holds the model loaded; without one, start one for the next commit and,
    // since a new commit's text is never in the cache, load the model here, first, so the
    // load runs beside reading the tokenizer and the talk (on 2 cores: ~30 ms sooner).
    let socket = crate::daemon::socket_path(settings);
    let daemon = settings.daemon.value.0.then(|| crate::daemon::Client::connect(&socket, settings.model_precision.value.model_id())).flatten();
    let loading = daemon.is_none().then(|| crate::score::semantic::Semantic::start_loading(settings));
    if daemon.is_none() && settings.daemon.value.0 {
        crate::daemon::start_in_background(settings);
    }
    let commits = [commit];
    let talk = read_talk(settings, &commits, &params);
    let semantic = ready.join().unwrap_or_else(|_| Err(crate::error::Error::assets("loading the tokenizer panicked")));
    // A tokenizer that does not load is reported before the talk, as when it loaded first;
    // a model load under way is waited for before any return (never exit under ONNX Runtime).
    let mut semantic = match semantic {
        Ok(semantic) => semantic,
        Err(err) => {
            loading.into_iter().for_each(crate::score::semantic::Loading::wait);
            return Err(err);
        }
    };
    match (daemon, loading) {
        (Some(client), _) => {
            let wait = std::time::Duration::from_millis(settings.hook_timeout_ms.value as u64 / 3);
            semantic.use_daemon(client, std::time::Instant::now() + wait);
            crate::debug(format_args!("tokenizer loaded; the daemon at {} embeds", socket.display()));
        }
        (None, loading) => {
            loading.into_iter().for_each(|l| semantic.adopt(l));
            crate::debug(format_args!("tokenizer loaded, model loading"));
        }
    }
    let talk = talk?;
    let passages = talk.passages();
    crate::debug(format_args!("talk read: {} rows, {} passages", talk.rows, passages.len()));
    let ws = workdir.map(crate::workspace::Workspace::load).unwrap_or_default();
    let mut links = link::link(&commits, &passages, &talk.terms, &ws, &params, claimed, Some(&mut semantic), &mut |_, _| {})?;
    let [commit] = commits;
    let links = links.pop().expect("one commit in, one out");
    remember_talk_level(store_dir, &mut history, semantic.observed.take(), None, [(&commit, &links)]);
    crate::debug(format_args!(
        "linked {}: {} rows, {} passages, {} texts embedded, {} by the daemon, {} from cache, model loaded: {}",
        commit.sha,
        talk.rows,
        passages.len(),
        semantic.embedded,
        semantic.by_daemon,
        semantic.from_cache,
        semantic.model_loaded()
    ));
    drop(passages);
    Ok(Linked { commit, talk, links, model: semantic.model_id(), params })
}
