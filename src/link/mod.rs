//! The linking engine: for each commit, the passages of talk in its window, scored by the
//! cascade — keywords first (cheap, prunes), then semantic similarity of the survivors —
//! and ranked by the guide's confidence.
//!
//! Pruning. Per commit only the `screenlink.candidateLimit` passages with the highest
//! keyword score (and a score above 0) go on to the semantic stage; embedding is where the
//! time goes, and a passage that shares no term with the commit is not what motivated it.
//! `examples/link_quality.rs` measures precision and recall with and without the limit: on
//! the month world (seeds 1, 2, 3) a limit of 8 embeds 617 texts instead of 2,857 and gives
//! the same or better precision and recall at threshold 0.6 (0.903/0.875 vs 0.894/0.875,
//! 0.908/0.823 vs 0.908/0.823, 0.920/0.844 vs 0.922/0.865).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::candidates::{self, Passage};
use crate::commits::CommitInfo;
use crate::config::Scoring;
use crate::error::Result;
use crate::score;
use crate::score::centre::Centre;
use crate::score::features::{Candidate, Raw, N};
use crate::score::fitted::Fitted;
use crate::score::recalibration::Recalibration;
use crate::score::semantic::Semantic;
use crate::talk_terms::TalkTerms;
use crate::workspace::Workspace;

mod assign;
mod keyword_stage;
pub use keyword_stage::{crates_of, keyword_stage, PassageTerms};

/// The knobs the engine reads (from [`crate::config::Settings`] or a test).
#[derive(Debug, Clone)]
pub struct Params {
    pub time_window_days: u32,
    pub commit_offset_hours: f64,
    pub keyword_weight: f64,
    pub semantic_weight: f64,
    pub keywords: Vec<String>,
    /// Passages per commit that reach the semantic stage; 0 = no limit.
    pub candidate_limit: usize,
    /// Weigh keyword terms by their rarity among the passages (see [`Idf`]).
    pub idf: bool,
    /// Score what the message says and what the code names apart (see [`CommitTerms::grouped`]).
    pub grouped: bool,
    /// A passage linked at or above this motivates one commit only (see [`link`]).
    pub min_confidence: f64,
    /// Confidence as the fitted probability, or the guide's weighted sum.
    pub scoring: Scoring,
    /// The commits after each commit are known (backfill), not only the past (the hook).
    pub later_commits: bool,
    /// Weights to use instead of the shipped ones (a repository's refit, or an evaluation).
    pub fitted: Option<Fitted>,
    /// The talk level for commits too few to measure it over (the hook's one commit, a small
    /// backfill): the repository's history (`score::history`); `None`: the neutral level.
    pub talk_level: Option<f64>,
    /// How the hook's confidence's log-odds move for this repository: its recalibration on
    /// what backfill and review said (`score::recalibration`), or else the prior shift of how
    /// many of its commits talk motivates (`score::history::History::prior`); none in backfill.
    pub recalibration: Recalibration,
    /// The repository's remembered centre (`score::centre`), for runs too small to measure
    /// their own (the hook).
    pub centre: Option<Centre>,
}

impl Params {
    pub fn from_settings(s: &crate::config::Settings) -> Params {
        Params {
            time_window_days: s.time_window_days.value,
            commit_offset_hours: s.commit_offset_hours.value,
            keyword_weight: s.keyword_weight.value,
            semantic_weight: s.semantic_weight.value,
            keywords: s.keywords.iter().map(|k| k.value.clone()).collect(),
            candidate_limit: s.candidate_limit.value as usize,
            idf: false,
            grouped: true,
            min_confidence: s.min_confidence.value,
            scoring: s.scoring.value,
            later_commits: true,
            fitted: None,
            talk_level: None,
            recalibration: Recalibration::default(),
            centre: None,
        }
    }

    /// The fitted scorer these parameters use: the repository's or the evaluation's weights,
    /// else the shipped ones, fitted with `semantic_centred` when the run has a `centred` one
    /// and without it when not (`score::centre`).
    pub fn scorer(&self, centred: bool) -> Fitted {
        self.fitted.clone().unwrap_or_else(|| if centred { Fitted::shipped(self.later_commits) } else { Fitted::shipped_uncentred(self.later_commits) })
    }
}

/// One passage scored against one commit. All scores are in [0, 1].
#[derive(Debug, Clone, Serialize)]
pub struct Scored {
    /// Index into the passages the engine was given.
    #[serde(skip)]
    pub passage: usize,
    pub keyword: f64,
    pub semantic: f64,
    pub confidence: f64,
    /// Commit terms the passage says, heaviest first.
    pub matched: Vec<String>,
    /// What the keyword stage measured (the semantic score is copied in later).
    #[serde(skip)]
    pub raw: Raw,
    /// The fitted scorer's input.
    pub features: [f64; N],
    /// The features that made the link sure (`score::why::reasons`), under the fitted scoring.
    #[serde(skip)]
    pub why: Vec<usize>,
}

/// A commit and its candidates, best first.
#[derive(Debug, Clone)]
pub struct CommitLinks {
    pub commit: usize,
    pub crates: Vec<String>,
    pub candidates: Vec<Scored>,
    /// The commit's pieces of work ([`CommitInfo::work`]): talk it links may go to other
    /// commits of the same work ([`crate::claimed`]). None under the guide's scoring, which
    /// keeps one commit per talk.
    pub work: crate::claimed::Work,
}

impl CommitLinks {
    pub fn best(&self) -> Option<&Scored> {
        self.candidates.first()
    }
}

/// What the commit is about, as text for the model: subject, body, files, identifiers.
pub fn commit_text(commit: &CommitInfo, crates: &[String]) -> String {
    let mut text = commit.subject.clone();
    if !commit.body.trim().is_empty() {
        text.push_str(". ");
        text.push_str(commit.body.trim());
    }
    let files: Vec<&str> = commit.files.iter().map(|f| f.path.as_str()).collect();
    text.push_str(&format!(". Files: {}", files.join(", ")));
    if !crates.is_empty() {
        text.push_str(&format!(". Crates: {}", crates.join(", ")));
    }
    let idents: Vec<&str> = commit.identifiers.iter().take(20).map(String::as_str).collect();
    if !idents.is_empty() {
        text.push_str(&format!(". Code: {}", idents.join(" ")));
    }
    text
}

/// What the commit's message says, alone: the words a person would use for the change,
/// without the code's names (its similarity to talk is a feature of its own).
pub fn message_text(commit: &CommitInfo) -> String {
    let body = commit.body.trim();
    if body.is_empty() {
        commit.subject.clone()
    } else {
        format!("{}. {body}", commit.subject)
    }
}

/// Both stages for many commits: keyword stage for all, one batched embedding pass over
/// every surviving passage and commit text, then confidence and ranking.
/// `progress(done, total)` follows the embedding, the slow part.
///
/// One discussion, one commit: talk that motivated a change is used once (or by every commit
/// of one piece of work, [`crate::claimed`]). Commits are taken oldest first; a passage whose rows are
/// in `claimed` (rows already in the dataset) or that an earlier commit linked at or above
/// `min_confidence` is dropped from a later commit's candidates. A change made twice, each time after its own talk, then links each
/// commit to its own talk, not both to the first: on the month world (seed 1) precision
/// went from 0.875 to 0.903 at the same recall, 0.875.
#[allow(clippy::too_many_arguments)]
pub fn link(
    commits: &[CommitInfo],
    passages: &[Passage],
    terms: &TalkTerms,
    ws: &Workspace,
    params: &Params,
    claimed: &crate::claimed::Claimed,
    semantic: Option<&mut Semantic>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<CommitLinks>> {
    link_in_context(commits, &[], passages, terms, ws, params, claimed, semantic, progress)
}

/// [`link`] `commits`, with `context` (commits already decided) scored beside them but
/// never linked: the fitted scorer compares a commit with the other commits that could
/// claim the same talk, so a second run must see the same rivals as the first, or a
/// re-run would link what the first run left alone.
#[allow(clippy::too_many_arguments)]
pub fn link_in_context(
    commits: &[CommitInfo],
    context: &[CommitInfo],
    passages: &[Passage],
    terms: &TalkTerms,
    ws: &Workspace,
    params: &Params,
    claimed: &crate::claimed::Claimed,
    semantic: Option<&mut Semantic>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<CommitLinks>> {
    let n = commits.len();
    let all: Vec<CommitInfo>;
    let commits: &[CommitInfo] = if context.is_empty() || params.scoring == Scoring::Guide {
        commits
    } else {
        all = commits.iter().chain(context).cloned().collect();
        &all
    };
    crate::debug(format_args!("linking {} commits against {} passages", commits.len(), passages.len()));
    let pterms = PassageTerms::new(passages, terms);
    crate::debug(format_args!("passage terms indexed"));
    let indexed: Vec<(usize, &CommitInfo)> = commits.iter().enumerate().collect();
    let shares = params.scoring == Scoring::Fitted;
    // Backfill's fitted scoring, which sees the commits on both sides of a passage.
    let sees_later = params.later_commits && shares;
    let mut links: Vec<CommitLinks> = crate::par::par_map(&indexed, |(i, c)| {
        let work = if shares { std::sync::Arc::new(c.work()) } else { Default::default() };
        CommitLinks { commit: *i, work, ..keyword_stage(c, ws, passages, &pterms, params) }
    });
    crate::debug(format_args!("keyword stage: {} commits", links.len()));
    let commit_texts: Vec<String> = links.iter().map(|l| commit_text(&commits[l.commit], &l.crates)).collect();
    let message_texts: Vec<String> = links.iter().map(|l| message_text(&commits[l.commit])).collect();
    // A commit's texts as the model reads them: their first 256 tokens (subject, body, then
    // files and names), one piece each, rather than split into pieces that each cost a pass.
    // On realtext (wicket) 147 of 8,216 texts were longer; held out, links held (0.810 / 0.697
    // → 0.813 / 0.705) and a cold run embeds ~800 fewer pieces.
    let mut semantic = semantic;
    let mut centred = false;
    let (commit_texts, message_texts): (Vec<String>, Vec<String>) = match semantic.as_deref_mut() {
        Some(s) => (s.sized_all(&commit_texts), s.sized_all(&message_texts)),
        None => (commit_texts, message_texts),
    };
    if let Some(semantic) = semantic {
        // What the model reads of each candidate passage (`Passage::model_text`).
        let model_texts: HashMap<usize, String> = links.iter().flat_map(|l| &l.candidates).map(|s| (s.passage, passages[s.passage].model_text())).collect();
        let ptext = |i: usize| -> &str { &model_texts[&i] };
        let mut texts: Vec<&str> = Vec::new();
        let mut seen = BTreeSet::new();
        for ((l, ct), mt) in links.iter().zip(&commit_texts).zip(&message_texts) {
            if l.candidates.is_empty() {
                continue;
            }
            texts.push(ct);
            if params.scoring == Scoring::Fitted {
                texts.push(mt);
            }
            for s in &l.candidates {
                if seen.insert(s.passage) {
                    texts.push(ptext(s.passage));
                }
            }
        }
        let total = texts.len();
        let mut done = 0;
        semantic.prepare(&texts, &mut |n| {
            done += n;
            progress(done.min(total), total);
        })?;
        crate::debug(format_args!("vectors ready: {total} texts"));
        for ((l, ct), mt) in links.iter_mut().zip(&commit_texts).zip(&message_texts) {
            for s in &mut l.candidates {
                let text = ptext(s.passage);
                s.semantic = semantic.similarity(ct, text);
                if params.scoring == Scoring::Fitted {
                    s.raw.semantic_message = semantic.similarity(mt, text);
                }
            }
        }
        if params.scoring == Scoring::Fitted {
            centred = semantic_centred(&mut links, &commit_texts, &model_texts, semantic, params.centre.as_ref());
        }
        if sees_later {
            talk_of_like_commits(&mut links, &commit_texts, &model_texts, semantic);
            crate::debug(format_args!("talk of like commits measured"));
        }
    }
    crate::debug(format_args!("similarities computed"));
    // The same change committed twice is one piece of work on the passage side too.
    let changes: Vec<&str> = links.iter().map(|l| commits[l.commit].patch.as_str()).collect();
    // The guide's confidence reads no features; those it stores are the shipped scorer's.
    score_candidates(&mut links, &changes, params, centred || params.scoring == Scoring::Guide);
    crate::debug(format_args!("candidates scored"));
    links.truncate(n);
    if sees_later {
        assign::best_first(&mut links, passages, params.min_confidence, claimed);
    } else {
        assign::oldest_first(&mut links, commits, passages, params.min_confidence, claimed);
    }
    Ok(links)
}

/// Each candidate's `semantic_centred` ([`crate::score::centre`]): less this run's centre when
/// it scores enough commits to measure one, else less `remembered` (the repository's), else 0.
/// The centre measured here is left in `semantic.observed` for the caller to remember. The
/// hook's run is one commit, so talk that is a candidate of many commits in turn is merged into
/// the remembered centre as often: the talk that sounds like every commit weighs more, which
/// held out helped (counted once: the hook alone on real reports 0.783 / 0.403 → 0.749 / 0.384,
/// docs/link-quality-trials.md, session 26). Whether a centre was read.
fn semantic_centred(
    links: &mut [CommitLinks],
    commit_texts: &[String],
    model_texts: &HashMap<usize, String>,
    semantic: &mut Semantic,
    remembered: Option<&Centre>,
) -> bool {
    let commits: Vec<Vec<f32>> = links.iter().zip(commit_texts).filter(|(l, _)| !l.candidates.is_empty()).filter_map(|(_, t)| semantic.vector(t)).collect();
    // In passage order: a mean summed in a hash map's order differs in its last bits from run to run.
    let mut ids: Vec<&usize> = model_texts.keys().collect();
    ids.sort_unstable();
    let passages: Vec<Vec<f32>> = ids.into_iter().filter_map(|p| semantic.vector(&model_texts[p])).collect();
    let observed = Centre::measure(&commits, &passages);
    let dim = commits.first().map_or(0, Vec::len);
    let centre = observed.as_ref().filter(|c| c.enough()).or(remembered.filter(|c| c.fits(dim))).cloned();
    semantic.observed = observed;
    let Some(centre) = centre else { return false };
    for (l, ct) in links.iter_mut().zip(commit_texts) {
        for s in &mut l.candidates {
            s.raw.semantic_centred = semantic.similarity_centred(ct, &model_texts[&s.passage], &centre);
        }
    }
    true
}

/// Each candidate's `like_commits` ([`crate::score::like_commits`]), from the vectors of the
/// commits' texts and their candidates' passages.
fn talk_of_like_commits(links: &mut [CommitLinks], commit_texts: &[String], model_texts: &HashMap<usize, String>, semantic: &Semantic) {
    use crate::score::like_commits::{like_commits, Commit};
    let commit_vecs: Vec<Option<Vec<f32>>> =
        links.iter().zip(commit_texts).map(|(l, t)| if l.candidates.is_empty() { None } else { semantic.vector(t) }).collect();
    let mut passage_vecs: HashMap<usize, Vec<f32>> = HashMap::new();
    for s in links.iter().flat_map(|l| &l.candidates) {
        if let std::collections::hash_map::Entry::Vacant(e) = passage_vecs.entry(s.passage) {
            if let Some(v) = semantic.vector(&model_texts[&s.passage]) {
                e.insert(v);
            }
        }
    }
    let commits: Vec<Commit<'_>> = links
        .iter()
        .zip(&commit_vecs)
        .map(|(l, v)| Commit { vector: v.as_deref(), candidates: l.candidates.iter().map(|s| (s.passage, s.semantic)).collect() })
        .collect();
    let values = like_commits(&commits, &passage_vecs);
    for (l, vs) in links.iter_mut().zip(values) {
        for (s, v) in l.candidates.iter_mut().zip(vs) {
            s.raw.like_commits = v;
        }
    }
}

/// Features, then confidence and order of every commit's candidates, best first; `changes`:
/// each link's commit's patch digest ([`crate::score::features::add_context`]); `centred`:
/// the candidates carry `semantic_centred` ([`Params::scorer`]).
pub fn score_candidates(links: &mut [CommitLinks], changes: &[&str], params: &Params, centred: bool) {
    let cands: Vec<Vec<Candidate>> = links
        .iter_mut()
        .map(|l| {
            l.candidates
                .iter_mut()
                .map(|s| {
                    s.raw.semantic = s.semantic;
                    Candidate { passage: s.passage, raw: s.raw }
                })
                .collect()
        })
        .collect();
    let fitted = params.scorer(centred);
    let feats = fitted.features(&cands, changes, params.later_commits, params.talk_level);
    for (l, fs) in links.iter_mut().zip(feats) {
        let mut rank = Vec::with_capacity(fs.len());
        for (s, f) in l.candidates.iter_mut().zip(fs) {
            s.features = f;
            let (r, c) = match params.scoring {
                Scoring::Guide => {
                    let c = score::confidence(s.keyword, s.semantic, params.keyword_weight, params.semantic_weight);
                    (c, c)
                }
                Scoring::Fitted => {
                    let rank = fitted.rank(&f);
                    s.why = score::why::reasons(&fitted, &f, 2);
                    (rank, fitted.confidence_recalibrated(rank, &f, &params.recalibration))
                }
            };
            s.confidence = c;
            rank.push((s.passage, r));
        }
        let order: HashMap<usize, f64> = rank.into_iter().collect();
        l.candidates.sort_by(|a, b| order[&b.passage].total_cmp(&order[&a.passage]).then(a.passage.cmp(&b.passage)));
    }
}

/// The span of time every commit's window covers, to read the source once.
pub fn read_span(commits: &[CommitInfo], params: &Params) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    commits.iter().map(|c| candidates::window(c, params.time_window_days, params.commit_offset_hours)).reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}
