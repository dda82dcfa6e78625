//! The semantic score: cosine similarity of MiniLM embeddings, with every vector cached.
//!
//! Long texts. The model reads at most 256 tokens. A text longer than that is split at word
//! boundaries into pieces that fit (halving until each does), every piece is embedded, and
//! the text's similarity to a query is the **maximum** over its pieces: a discussion is as
//! related to a commit as its most related stretch, where a mean would dilute one focused
//! minute inside an hour of talk. Nothing is cut off.

use std::collections::HashMap;

use super::cache::{key, EmbeddingCache, Key};
use super::embed::{Embedder, TokenCounter};
use crate::assets;
use crate::config::Settings;
use crate::error::Result;

/// A load of the model under way on another thread ([`Semantic::start_loading`]).
pub struct Loading(std::thread::JoinHandle<Result<Embedder>>);

impl Loading {
    /// Wait for the load to end, its result unused: the process must not exit under ONNX
    /// Runtime.
    pub fn wait(self) {
        let _ = self.0.join();
    }
}

pub struct Semantic {
    settings: Settings,
    /// Loaded on the first text the cache does not hold (a warm run never loads it).
    embedder: Option<Embedder>,
    /// A load started ahead by [`preload`](Self::preload).
    loading: Option<std::thread::JoinHandle<Result<Embedder>>>,
    counter: TokenCounter,
    cache: EmbeddingCache,
    /// text → the keys of its pieces.
    pieces: HashMap<String, Vec<Key>>,
    vectors: HashMap<Key, Vec<f32>>,
    /// Pieces run through the model in this process, and pieces found in the cache.
    pub embedded: usize,
    pub from_cache: usize,
    /// A running `git screenlink daemon` to embed with, until this instant.
    daemon: Option<(crate::daemon::Client, std::time::Instant)>,
    /// Pieces the daemon embedded.
    pub by_daemon: usize,
    /// Texts split for the model here (tokenized), not known whole from the cache.
    pub tokenized: usize,
    /// Texts sized here ([`Semantic::sized_all`]: tokenized), not known from the cache.
    pub sized_here: usize,
    /// The centre of the texts the last link run scored (`score::centre`), for the caller to
    /// remember.
    pub observed: Option<super::centre::Centre>,
}

impl Semantic {
    /// The tokenizer now; the model when a text needs embedding.
    pub fn new(settings: &Settings, cache: EmbeddingCache) -> Result<Semantic> {
        Ok(Semantic {
            settings: settings.clone(),
            embedder: None,
            loading: None,
            counter: TokenCounter::load(settings)?,
            cache,
            pieces: HashMap::new(),
            vectors: HashMap::new(),
            embedded: 0,
            from_cache: 0,
            daemon: None,
            by_daemon: 0,
            tokenized: 0,
            sized_here: 0,
            observed: None,
        })
    }

    /// Start loading the model on another thread now, for a caller that knows it will need
    /// it (the hook: a new commit's text is never cached), before a `Semantic` exists, so the
    /// load runs beside reading the tokenizer, the talk and the cache ([`adopt`](Self::adopt)).
    pub fn start_loading(settings: &Settings) -> Loading {
        let settings = settings.clone();
        Loading(std::thread::spawn(move || Embedder::load_for(&settings, true)))
    }

    /// Use a load [`start_loading`](Self::start_loading) began.
    pub fn adopt(&mut self, loading: Loading) {
        if self.embedder.is_none() && self.loading.is_none() {
            self.loading = Some(loading.0);
        }
    }

    /// Embed through a running daemon (the model stays unloaded here) while it answers by
    /// `deadline`; after a failure, in-process as usual.
    pub fn use_daemon(&mut self, client: crate::daemon::Client, deadline: std::time::Instant) {
        self.daemon = Some((client, deadline));
    }

    /// Vectors for `batch`: from the daemon when there is one and it answers in time.
    fn embed_batch(&mut self, batch: &[&str]) -> Result<Vec<Vec<f32>>> {
        if let Some((client, deadline)) = self.daemon.as_mut() {
            if let Some(vecs) = client.embed(batch, *deadline) {
                self.by_daemon += vecs.len();
                return Ok(vecs);
            }
            crate::debug(format_args!("the daemon did not answer in time; embedding here"));
            self.daemon = None;
        }
        let vecs = self.embedder_mut()?.embed(batch)?;
        self.embedded += vecs.len();
        Ok(vecs)
    }

    fn embedder_mut(&mut self) -> Result<&mut Embedder> {
        if self.embedder.is_none() {
            let loaded = match self.loading.take() {
                Some(handle) => handle.join().unwrap_or_else(|_| Err(crate::error::Error::assets("loading the model panicked"))),
                None => Embedder::load(&self.settings),
            };
            self.embedder = Some(loaded?);
        }
        Ok(self.embedder.as_mut().expect("loaded above"))
    }

    /// The model that scores (whether or not it had to be loaded).
    pub fn model_id(&self) -> &'static str {
        self.settings.model_precision.value.model_id()
    }

    /// The longest run of `text`'s first words that the model reads whole (256 tokens).
    pub fn sized(&self, text: &str) -> String {
        if fits_whole(&self.counter, text) {
            return text.to_string();
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        let (mut lo, mut hi) = (1, words.len());
        while lo < hi {
            let mid = (lo + hi).div_ceil(2);
            if self.counter.count(&words[..mid].join(" ")) <= assets::MAX_TOKENS {
                lo = mid
            } else {
                hi = mid - 1
            }
        }
        words[..lo].join(" ")
    }

    /// [`sized`](Self::sized) for every text, each long one's size read from the cache when a
    /// run before counted it, so a warm run does not tokenize commit texts again (realtext
    /// wicket: 0.34 s of a 1.7 s warm backfill).
    pub fn sized_all(&mut self, texts: &[String]) -> Vec<String> {
        // Short texts fit whatever their words: no key, no lookup.
        let keys: Vec<Option<Key>> = texts.iter().map(|t| (t.split_whitespace().count() > SHORT_WORDS).then(|| key(t))).collect();
        let known = self.cache.sizes(&keys.iter().flatten().copied().collect::<Vec<_>>());
        let mut fresh = Vec::new();
        let out = texts
            .iter()
            .zip(&keys)
            .map(|(t, k)| {
                let Some(k) = k else { return t.clone() };
                let words = match known.get(k) {
                    Some(&words) => words,
                    None => {
                        self.sized_here += 1;
                        let sized = self.sized(t);
                        let words = (sized != *t).then(|| sized.split_whitespace().count());
                        fresh.push((*k, words));
                        words
                    }
                };
                match words {
                    None => t.clone(),
                    Some(n) => t.split_whitespace().take(n).collect::<Vec<_>>().join(" "),
                }
            })
            .collect();
        self.cache.put_sizes(&fresh);
        out
    }

    pub fn count_tokens(&self, text: &str) -> usize {
        self.counter.count(text)
    }

    /// Whether the model was loaded in this run (some text was not in the cache).
    pub fn model_loaded(&self) -> bool {
        self.embedder.is_some()
    }

    /// Make sure every text has vectors: from memory, else the cache, else the model (in
    /// batches; `progress` is told how many texts each batch finished).
    pub fn prepare<S: AsRef<str>>(&mut self, texts: &[S], progress: &mut dyn FnMut(usize)) -> Result<()> {
        let mut new_keys = Vec::new();
        let mut piece_text: HashMap<Key, String> = HashMap::new();
        // A text whose own vector is cached was embedded whole, so it fits the model: a warm
        // run never tokenizes it again (the split is a pure function of the text).
        let unseen: Vec<&str> = texts.iter().map(AsRef::as_ref).filter(|t| !self.pieces.contains_key(*t)).collect();
        let whole_keys: Vec<Key> = unseen.iter().map(|t| key(t)).collect();
        let mut whole = self.cache.get_many(&whole_keys);
        self.from_cache += whole.len();
        for (text, k) in unseen.iter().zip(&whole_keys) {
            if let Some(v) = whole.remove(k) {
                self.vectors.insert(*k, v);
                self.pieces.insert(text.to_string(), vec![*k]);
            }
        }
        // Keys just asked for and not found need not be asked for again below.
        let asked: std::collections::HashSet<Key> = whole_keys.into_iter().collect();
        for text in unseen {
            if self.pieces.contains_key(text) {
                continue;
            }
            self.tokenized += 1;
            let parts = split_to_fit(&self.counter, text);
            let keys: Vec<Key> = parts.iter().map(|p| key(p)).collect();
            for (k, p) in keys.iter().zip(parts) {
                if !self.vectors.contains_key(k) && !piece_text.contains_key(k) {
                    new_keys.push(*k);
                    piece_text.insert(*k, p);
                }
            }
            self.pieces.insert(text.to_string(), keys);
        }
        let unasked: Vec<Key> = new_keys.iter().filter(|k| !asked.contains(*k)).copied().collect();
        let found = self.cache.get_many(&unasked);
        self.from_cache += found.len();
        let mut todo: Vec<Key> = new_keys.iter().filter(|k| !found.contains_key(*k)).copied().collect();
        // Similar lengths batch together: a batch is padded to its longest text, so mixing
        // short commit texts with full passages wastes work.
        todo.sort_by_key(|k| piece_text[k].len());
        // The first report comes after the cache is read: texts it held are ready, not
        // waiting to be embedded.
        progress(texts.len().saturating_sub(todo.len()));
        self.vectors.extend(found);
        // Batches of a few hundred: progress moves, and the cache is written as we go so an
        // interrupted run keeps what it paid for.
        for chunk in todo.chunks(256) {
            let batch: Vec<&str> = chunk.iter().map(|k| piece_text[k].as_str()).collect();
            let vecs = self.embed_batch(&batch)?;
            let items: Vec<(Key, &[f32])> = chunk.iter().copied().zip(vecs.iter().map(Vec::as_slice)).collect();
            let _ = self.cache.put_many(&items);
            self.vectors.extend(chunk.iter().copied().zip(vecs));
            progress(chunk.len());
        }
        Ok(())
    }

    /// Drop the vectors held for prepared texts (the cache keeps them): a block of a long
    /// backfill is done with its talk's, and the next block reads what it needs again.
    pub fn forget(&mut self) {
        self.pieces = HashMap::new();
        self.vectors = HashMap::new();
    }

    /// A prepared text's vector: the mean of its pieces' (`None`: not prepared).
    pub fn vector(&self, text: &str) -> Option<Vec<f32>> {
        let keys = self.pieces.get(text)?;
        let vs: Vec<&Vec<f32>> = keys.iter().filter_map(|k| self.vectors.get(k)).collect();
        let first = vs.first()?;
        let mut out = vec![0f32; first.len()];
        for v in &vs {
            out.iter_mut().zip(v.iter()).for_each(|(a, b)| *a += b / vs.len() as f32);
        }
        Some(out)
    }

    /// [`similarity`](Self::similarity) of `commit`'s and `passage`'s pieces each less its
    /// kind's mean in `centre` ([`super::centre`]).
    pub fn similarity_centred(&self, commit: &str, passage: &str, centre: &super::centre::Centre) -> f64 {
        let (Some(pa), Some(pb)) = (self.pieces.get(commit), self.pieces.get(passage)) else { return 0.0 };
        let mut best = 0f64;
        for ka in pa {
            for kb in pb {
                if let (Some(va), Some(vb)) = (self.vectors.get(ka), self.vectors.get(kb)) {
                    best = best.max(centre.cosine(va, vb));
                }
            }
        }
        best.min(1.0)
    }

    /// Similarity of two prepared texts in [0, 1]: the best pair of pieces (negative
    /// cosines, which MiniLM gives unrelated texts, count as 0).
    pub fn similarity(&self, a: &str, b: &str) -> f64 {
        let (Some(pa), Some(pb)) = (self.pieces.get(a), self.pieces.get(b)) else { return 0.0 };
        let mut best = 0f32;
        for ka in pa {
            for kb in pb {
                if let (Some(va), Some(vb)) = (self.vectors.get(ka), self.vectors.get(kb)) {
                    best = best.max(super::cosine(va, vb));
                }
            }
        }
        best.clamp(0.0, 1.0) as f64
    }
}

impl Drop for Semantic {
    /// A preload still running is waited for: the process must not exit under ONNX Runtime.
    fn drop(&mut self) {
        if let Some(handle) = self.loading.take() {
            let _ = handle.join();
        }
    }
}

/// Whether the model reads `text` whole. Short texts skip tokenizing: 60 words would need
/// over 4 tokens each to overflow.
fn fits_whole(counter: &TokenCounter, text: &str) -> bool {
    text.split_whitespace().count() <= SHORT_WORDS || counter.count(text) <= assets::MAX_TOKENS
}

/// Words a text may hold and still fit the model whatever they are.
const SHORT_WORDS: usize = 60;

/// `text` as pieces of at most the model's 256 tokens, split at word boundaries.
fn split_to_fit(counter: &TokenCounter, text: &str) -> Vec<String> {
    if fits_whole(counter, text) {
        return vec![text.to_string()];
    }
    let fits = |t: &str| counter.count(t) <= assets::MAX_TOKENS;
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = Vec::new();
    halve(&words, &fits, &mut out);
    out
}

fn halve(words: &[&str], fits: &dyn Fn(&str) -> bool, out: &mut Vec<String>) {
    let joined = words.join(" ");
    if words.len() <= 1 || fits(&joined) {
        out.push(joined);
        return;
    }
    let mid = words.len() / 2;
    halve(&words[..mid], fits, out);
    halve(&words[mid..], fits, out);
}
