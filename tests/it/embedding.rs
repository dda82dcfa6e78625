//! Embedding parity with sentence-transformers' own all-MiniLM-L6-v2 vectors, using the
//! real runtime and model that install.sh put in place.

use git_screenlink::config::Settings;
use git_screenlink::score::embed::Embedder;
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    text: String,
    embedding: Vec<f32>,
}

fn embedder() -> Embedder {
    let settings = Settings::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &[]).unwrap();
    Embedder::load(&settings).unwrap_or_else(|err| panic!("the real model is needed for this test (run ./install.sh --assets-only): {err}"))
}

#[test]
fn matches_sentence_transformers_within_1e4() {
    matches_reference(&mut embedder());
}

/// The hook's load, the model saved in ONNX Runtime's format and read in place, embeds as
/// the ONNX file does: made on the first load, read on the next, both within 1e-4.
#[test]
fn the_hooks_saved_model_matches_sentence_transformers_within_1e4() {
    let settings = Settings::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &[]).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let saved = |dir: &std::path::Path| -> Vec<std::path::PathBuf> { walk(dir).into_iter().filter(|p| p.extension().is_some_and(|x| x == "ort")).collect() };
    assert!(saved(cache.path()).is_empty());
    let mut first = Embedder::load_saved_in(&settings, cache.path()).unwrap();
    let made = saved(cache.path());
    assert_eq!(made.len(), 1, "the first load saves the model: {made:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&made[0]).unwrap().permissions().mode() & 0o777, 0o600, "the saved model is its owner's alone");
    }
    let written = std::fs::metadata(&made[0]).unwrap().modified().unwrap();
    matches_reference(&mut first);
    let mut again = Embedder::load_saved_in(&settings, cache.path()).unwrap();
    assert_eq!(saved(cache.path()), made);
    assert_eq!(std::fs::metadata(&made[0]).unwrap().modified().unwrap(), written, "the next load reads it, not writes it");
    matches_reference(&mut again);
    // A saved file cut short (ONNX Runtime refuses it) is made again, whole. (Nothing may
    // map it while it is cut: the sessions above go first.)
    drop((first, again));
    let whole = std::fs::metadata(&made[0]).unwrap().len();
    std::fs::File::options().write(true).open(&made[0]).unwrap().set_len(whole / 2).unwrap();
    let mut remade = Embedder::load_saved_in(&settings, cache.path()).unwrap();
    assert_eq!(saved(cache.path()), made);
    assert_eq!(std::fs::metadata(&made[0]).unwrap().len(), whole);
    matches_reference(&mut remade);
}

/// While another process saves the model, a load neither waits for it nor writes a second
/// copy: it fails (the hook then loads the ONNX file), and the next load saves it.
#[test]
fn a_load_while_another_process_saves_the_model_does_not_wait_or_write() {
    let settings = Settings::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &[]).unwrap();
    let first = tempfile::tempdir().unwrap();
    drop(Embedder::load_saved_in(&settings, first.path()).unwrap());
    let made = walk(first.path()).into_iter().find(|p| p.extension().is_some_and(|x| x == "ort")).unwrap();
    let folder = made.parent().unwrap().strip_prefix(first.path()).unwrap().to_path_buf();

    let cache = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(cache.path().join(&folder)).unwrap();
    let lock = std::fs::File::create(cache.path().join(folder.parent().unwrap()).join(git_screenlink::score::fast_model::SAVING_LOCK)).unwrap();
    lock.lock().unwrap();
    let started = std::time::Instant::now();
    let err = Embedder::load_saved_in(&settings, cache.path()).err().expect("the model is being saved elsewhere");
    assert!(err.to_string().contains("another process is saving the model"), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "it did not wait");
    assert!(!walk(cache.path()).iter().any(|p| p.to_string_lossy().contains(".ort")), "no second copy: {:?}", walk(cache.path()));
    lock.unlock().unwrap();
    let mut loaded = Embedder::load_saved_in(&settings, cache.path()).unwrap();
    assert_eq!(walk(cache.path()).iter().filter(|p| p.extension().is_some_and(|x| x == "ort")).count(), 1);
    matches_reference(&mut loaded);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir).into_iter().flatten().flatten().flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] }).collect()
}

fn matches_reference(embedder: &mut Embedder) {
    let reference: Reference = serde_json::from_str(include_str!("../fixtures/minilm-l6-v2-vectors.json")).unwrap();
    assert!(reference.items.len() >= 16);
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    // All at once (padded batches) and one by one must both match.
    let batched = embedder.embed(&texts).unwrap();
    let mut overall = 0f32;
    for (item, got) in reference.items.iter().zip(&batched) {
        assert_eq!(got.len(), 384);
        let worst = item.embedding.iter().zip(got).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst < 1e-4, "{:?}: worst component differs by {worst}", item.text);
        overall = overall.max(worst);
    }
    eprintln!("parity: worst component difference over {} texts: {overall:e}", texts.len());
    for item in &reference.items {
        let single = embedder.embed(&[item.text.as_str()]).unwrap().remove(0);
        let worst = item.embedding.iter().zip(&single).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
        assert!(worst < 1e-4, "{:?} alone: worst component differs by {worst}", item.text);
    }
}

#[test]
fn similar_sentences_score_higher_than_unrelated_ones() {
    let mut e = embedder();
    let v = e
        .embed(&[
            "Add pagination to search endpoint",
            "We need pagination because search returns a thousand results",
            "Lunch is at noon, the pizza place on the corner.",
        ])
        .unwrap();
    let near = git_screenlink::score::cosine(&v[0], &v[1]);
    let far = git_screenlink::score::cosine(&v[0], &v[2]);
    assert!(near > far + 0.2, "near {near} far {far}");
}

#[test]
fn counts_tokens_with_the_models_tokenizer_without_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let settings = git_screenlink::config::Settings::load(dir.path(), &[]).unwrap();
    let c = git_screenlink::score::embed::TokenCounter::load(&settings).unwrap();
    // [CLS] hello world [SEP]
    assert_eq!(c.count("hello world"), 4);
    assert!(c.count("unwrap_or_default") > 3, "word pieces, not words");
    let long = "word ".repeat(600);
    assert_eq!(c.count(&long), 602, "no cut at the model's 256 tokens");
    assert_eq!(c.count_all(&[long.as_str(), "hello world"]), 606);
}

/// The hook reads tokenizer.json's vocabulary itself (`score::tokenizer_file`, in a third of the time):
/// the tokenizer must be the one `tokenizers` reads, whole and on awkward text.
#[test]
fn the_models_tokenizer_read_in_parts_is_the_one_tokenizers_reads() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings::load(dir.path(), &[]).unwrap();
    let bytes = std::fs::read(git_screenlink::assets::model_dir(&settings).path.join("tokenizer.json")).unwrap();
    let fast = git_screenlink::score::tokenizer_file::wordpiece(&bytes).expect("the model's tokenizer is WordPiece, read in parts");
    let slow = tokenizers::Tokenizer::from_bytes(&bytes).unwrap();
    assert_eq!(serde_json::to_value(&fast).unwrap(), serde_json::to_value(&slow).unwrap(), "the same tokenizer, serialized");
    let reference: Reference = serde_json::from_str(include_str!("../fixtures/minilm-l6-v2-vectors.json")).unwrap();
    let long_word = "x".repeat(120);
    let mut texts: Vec<String> = reference.items.into_iter().map(|i| i.text).collect();
    texts.extend(
        [
            "public class Zubehör extends BasePage { /** Creates a new instance of Zubehör */ }",
            "导出大客户的数据时超时了 — the export times out 🙃 for big customers",
            "[CLS] a [SEP] b [MASK] c [PAD] d [UNK] e [sep]",
            "tabs\tand\u{0}nuls\u{7f} and\r\nnewlines, naïve café, ΑΒΓ, Ǆ, ﬁ ligature",
            "fn main() { let x = vec![1, 2, 3].iter().map(|v| v * 2).collect::<Vec<_>>(); }",
            long_word.as_str(),
            "",
        ]
        .map(String::from),
    );
    for text in &texts {
        let (a, b) = (fast.encode(text.as_str(), true).unwrap(), slow.encode(text.as_str(), true).unwrap());
        assert_eq!((a.get_ids(), a.get_offsets()), (b.get_ids(), b.get_offsets()), "{text:?}");
    }
}

/// A text past the model's 256 tokens is split, every piece embedded, and the closest piece
/// decides: what is said at the end of a long discussion is not cut off.
#[test]
fn a_long_text_is_split_and_its_closest_piece_counts() {
    use git_screenlink::score::{cache::EmbeddingCache, semantic::Semantic};
    let settings = Settings::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut semantic = Semantic::new(&settings, EmbeddingCache::open(dir.path(), "all-MiniLM-L6-v2")).unwrap();
    let filler = "we talked about the weather, lunch plans, the football game on sunday and the new coffee machine in the kitchen. ".repeat(20);
    let point = "The CSV export times out for our biggest customers, so we must stream the export in pages.";
    let long = format!("{filler}{point}");
    assert!(semantic.count_tokens(&long) > 400, "the test text must be well past 256 tokens");
    let query = "Stream the CSV export in pages so large exports do not time out";
    semantic.prepare(&[query, long.as_str(), point, filler.as_str()], &mut |_| {}).unwrap();
    assert!(semantic.embedded >= 5, "the long texts were split into pieces: {}", semantic.embedded);
    let (whole, alone, none) = (semantic.similarity(query, &long), semantic.similarity(query, point), semantic.similarity(query, &filler));
    // Its piece holds some filler too, so it scores below the sentence alone, far above filler.
    assert!(whole <= alone + 1e-6, "{whole:.3} vs {alone:.3}");
    assert!(whole > none + 0.2, "{whole:.3} vs filler {none:.3}");
    // Truncated to 256 tokens, the model alone would never see that sentence.
    let mut e = embedder();
    let v = e.embed(&[query, long.as_str()]).unwrap();
    let truncated = git_screenlink::score::cosine(&v[0], &v[1]) as f64;
    assert!(whole > truncated + 0.15, "split {whole:.3} vs truncated {truncated:.3} (filler {none:.3})");
}

#[test]
fn a_commit_text_is_sized_to_what_the_model_reads() {
    use git_screenlink::score::{cache::EmbeddingCache, semantic::Semantic};
    let settings = Settings::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let semantic = Semantic::new(&settings, EmbeddingCache::open(dir.path(), "all-MiniLM-L6-v2")).unwrap();
    let short = "Add pagination to the search endpoint. Files: src/search.rs";
    assert_eq!(semantic.sized(short), short);
    let files: Vec<String> = (0..200).map(|i| format!("src/module_{i}/handler_{i}.rs")).collect();
    let long = format!("Stream the CSV export in pages. Files: {}", files.join(", "));
    assert!(semantic.count_tokens(&long) > 1000);
    let sized = semantic.sized(&long);
    let n = semantic.count_tokens(&sized);
    // As many of its first words as fit: the subject first, then files until the model is full.
    assert!(long.starts_with(&sized) && sized.starts_with("Stream the CSV export in pages."), "{sized}");
    assert!(n <= 256 && n > 230, "{n} tokens");
    let one_more = long.split_whitespace().take(sized.split_whitespace().count() + 1).collect::<Vec<_>>().join(" ");
    assert!(semantic.count_tokens(&one_more) > 256, "the next word would not fit");
    // Sized in a batch, a long text's size is kept in the cache: the next run reads it and
    // tokenizes nothing, with the same result. A long text that fits is kept whole.
    let fits = (0..70).map(|i| format!("w{i}")).collect::<Vec<_>>().join("  ");
    let texts = vec![short.to_string(), long.clone(), fits.clone()];
    let mut cold = Semantic::new(&settings, EmbeddingCache::open(dir.path(), "all-MiniLM-L6-v2")).unwrap();
    let first = cold.sized_all(&texts);
    assert_eq!(first, vec![short.to_string(), sized.clone(), fits.clone()]);
    assert_eq!(cold.sized_here, 2, "the two long texts were tokenized");
    drop(cold);
    let mut warm = Semantic::new(&settings, EmbeddingCache::open(dir.path(), "all-MiniLM-L6-v2")).unwrap();
    assert_eq!(warm.sized_all(&texts), first);
    assert_eq!(warm.sized_here, 0);
}

/// A warm run reads every vector from the cache and never tokenizes a text again.
#[test]
fn a_warm_run_reads_vectors_and_tokenizes_nothing() {
    use git_screenlink::score::{cache::EmbeddingCache, semantic::Semantic};
    let settings = Settings::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let texts: Vec<String> = (0..20).map(|i| format!("we should paginate the search results of page {i}, the team said, because the export times out for the biggest customers when they download everything at once")).collect();
    let mut cold = Semantic::new(&settings, EmbeddingCache::open(dir.path(), "all-MiniLM-L6-v2")).unwrap();
    cold.prepare(&texts, &mut |_| {}).unwrap();
    assert_eq!((cold.embedded, cold.tokenized), (20, 20));
    let a = cold.similarity(&texts[0], &texts[1]);
    drop(cold);
    let mut warm = Semantic::new(&settings, EmbeddingCache::open(dir.path(), "all-MiniLM-L6-v2")).unwrap();
    warm.prepare(&texts, &mut |_| {}).unwrap();
    assert_eq!((warm.embedded, warm.tokenized, warm.from_cache), (0, 0, 20));
    assert!(!warm.model_loaded());
    assert!((warm.similarity(&texts[0], &texts[1]) - a).abs() < 1e-9);
}

#[test]
fn the_int8_model_stays_close_to_sentence_transformers() {
    let reference: Reference = serde_json::from_str(include_str!("../fixtures/minilm-l6-v2-vectors.json")).unwrap();
    let overrides = [git_screenlink::config::Override { key: git_screenlink::config::MODEL_PRECISION, flag: "-c", value: "int8".into() }];
    let settings = Settings::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), &overrides).unwrap();
    let mut int8 = Embedder::load(&settings).unwrap_or_else(|err| panic!("the int8 model is needed (run ./install.sh --assets-only): {err}"));
    assert_eq!(int8.info.model, "sentence-transformers/all-MiniLM-L6-v2@int8");
    let texts: Vec<&str> = reference.items.iter().map(|i| i.text.as_str()).collect();
    let got = int8.embed(&texts).unwrap();
    let mut worst_cos = 1f32;
    let mut worst_component = 0f32;
    for (item, v) in reference.items.iter().zip(&got) {
        worst_cos = worst_cos.min(git_screenlink::score::cosine(&item.embedding, v));
        worst_component = worst_component.max(item.embedding.iter().zip(v).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max));
    }
    eprintln!("int8: worst cosine to the reference {worst_cos}, worst component difference {worst_component}");
    // It is another model (not the fp32 graph under a new name) ...
    assert!(worst_component > 1e-4, "int8 vectors equal the fp32 ones: is model-int8.onnx the fp32 graph?");
    // ... that points the same way.
    assert!(worst_cos > 0.98, "worst cosine to sentence-transformers' vector: {worst_cos}");
    // Pairwise similarities, what linking reads, move little.
    let mut worst_pair = 0f32;
    for i in 0..got.len() {
        for j in 0..i {
            let (a, b) = (&reference.items[i].embedding, &reference.items[j].embedding);
            let d = git_screenlink::score::cosine(a, b) - git_screenlink::score::cosine(&got[i], &got[j]);
            worst_pair = worst_pair.max(d.abs());
        }
    }
    eprintln!("int8: worst change of a pairwise cosine {worst_pair}");
    assert!(worst_pair < 0.05, "{worst_pair}");
    // The hook's saved form of the int8 model embeds as its ONNX file does.
    let cache = tempfile::tempdir().unwrap();
    let saved = Embedder::load_saved_in(&settings, cache.path()).unwrap().embed(&texts).unwrap();
    let worst = got.iter().zip(&saved).flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).abs())).fold(0f32, f32::max);
    assert!(worst < 1e-4, "the saved int8 model differs from its ONNX file by {worst}");
}
