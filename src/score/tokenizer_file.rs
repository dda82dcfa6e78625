//! The model's `tokenizer.json` read in ~7 ms rather than ~17 (on 2 cores), for the hook,
//! which loads it on every commit, twice without the daemon (to count tokens, and for the model).
//!
//! The `tokenizers` crate reads a WordPiece model's vocabulary (30,522 entries for
//! all-MiniLM-L6-v2) through serde's buffered form of a tagged enum: the JSON is held as
//! `Content`, then as a map, then as the vocabulary, most of the load. Here the vocabulary is
//! read straight into its map and the model built from it; everything else in the file (the
//! normalizer, pre-tokenizer, post-processor, added tokens, padding) is read by `tokenizers`
//! itself from the same file with the vocabulary cut down to the added tokens' entries, so
//! those keep their ids, and the whole model put in after. The result is the tokenizer
//! `Tokenizer::from_bytes` makes (a test compares the two serialized); any other kind of
//! model, or a file this does not expect, is read by `from_bytes`.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use serde_json::value::RawValue;
use tokenizers::models::wordpiece::WordPiece;
use tokenizers::Tokenizer;

/// The WordPiece model as `tokenizer.json` writes it.
#[derive(Deserialize)]
struct WordPieceFile {
    #[serde(rename = "type")]
    kind: Option<String>,
    unk_token: String,
    continuing_subword_prefix: String,
    max_input_chars_per_word: usize,
    vocab: ahash::AHashMap<String, u32>,
}

#[derive(Deserialize)]
struct AddedToken {
    content: String,
}

/// The tokenizer in `bytes` (a `tokenizer.json`).
pub fn read(bytes: &[u8]) -> Result<Tokenizer, String> {
    match wordpiece(bytes) {
        Some(tokenizer) => Ok(tokenizer),
        None => Tokenizer::from_bytes(bytes).map_err(|e| e.to_string()),
    }
}

/// A WordPiece tokenizer read as above; `None` for anything else.
pub fn wordpiece(bytes: &[u8]) -> Option<Tokenizer> {
    let mut top: BTreeMap<String, Box<RawValue>> = serde_json::from_slice(bytes).ok()?;
    let model: WordPieceFile = serde_json::from_str(top.get("model")?.get()).ok()?;
    if model.kind.as_deref().is_some_and(|k| k != "WordPiece") {
        return None;
    }
    let added: Vec<AddedToken> = match top.get("added_tokens") {
        Some(raw) => serde_json::from_str(raw.get()).ok()?,
        None => Vec::new(),
    };
    // The added tokens (and the unknown token) with the ids the vocabulary gives them, so
    // `tokenizers` adds them as it would over the whole vocabulary.
    let mut few: HashMap<&str, u32> = added.iter().filter_map(|t| Some((t.content.as_str(), *model.vocab.get(&t.content)?))).collect();
    few.insert(&model.unk_token, *model.vocab.get(&model.unk_token)?);
    let small = serde_json::json!({
        "type": "WordPiece",
        "unk_token": model.unk_token,
        "continuing_subword_prefix": model.continuing_subword_prefix,
        "max_input_chars_per_word": model.max_input_chars_per_word,
        "vocab": few,
    });
    top.insert("model".into(), RawValue::from_string(small.to_string()).ok()?);
    let mut tokenizer = Tokenizer::from_bytes(serde_json::to_vec(&top).ok()?).ok()?;
    let whole = WordPiece::builder()
        .vocab(model.vocab)
        .unk_token(model.unk_token)
        .continuing_subword_prefix(model.continuing_subword_prefix)
        .max_input_chars_per_word(model.max_input_chars_per_word)
        .build()
        .ok()?;
    tokenizer.with_model(whole);
    Some(tokenizer)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WordPiece tokenizer.json in the layout the shipped model's has, small.
    fn file(vocab: &[&str]) -> serde_json::Value {
        let vocab: BTreeMap<&str, usize> = vocab.iter().enumerate().map(|(i, w)| (*w, i)).collect();
        serde_json::json!({
            "version": "1.0",
            "truncation": {"max_length": 128, "strategy": "LongestFirst", "stride": 0, "direction": "Right"},
            "padding": null,
            "added_tokens": [
                {"id": 0, "special": true, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false},
                {"id": 1, "special": true, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false},
                {"id": 2, "special": true, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false},
                {"id": 3, "special": true, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false}
            ],
            "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}},
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100, "vocab": vocab}
        })
    }

    const VOCAB: &[&str] = &["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "export", "time", "##s", "out", "for", "big", "custom", "##ers", ",", "."];

    #[test]
    fn a_wordpiece_file_reads_as_tokenizers_reads_it() {
        let json = file(VOCAB).to_string();
        let fast = wordpiece(json.as_bytes()).expect("a WordPiece file is read here");
        let slow = Tokenizer::from_bytes(json.as_bytes()).unwrap();
        assert_eq!(serde_json::to_value(&fast).unwrap(), serde_json::to_value(&slow).unwrap());
        for text in ["The export times out for BIG customers.", "[CLS] the [SEP] out, zebra", ""] {
            assert_eq!(fast.encode(text, true).unwrap().get_ids(), slow.encode(text, true).unwrap().get_ids(), "{text}");
        }
        assert_eq!(fast.encode("the exports", true).unwrap().get_ids(), &[2, 4, 5, 7, 3]);
    }

    #[test]
    fn other_models_and_broken_files_go_to_tokenizers() {
        let mut bpe = file(VOCAB);
        bpe["model"]["type"] = "BPE".into();
        let bpe = bpe.to_string();
        assert!(wordpiece(bpe.as_bytes()).is_none());
        assert!(read(bpe.as_bytes()).is_err(), "tokenizers' own reading says what is wrong");
        assert!(wordpiece(b"{\"model\": ").is_none());
        assert!(read(b"{\"model\": ").is_err());
        // The unknown token not in the vocabulary: not a file this reads.
        let no_unk = file(&VOCAB[2..]).to_string();
        assert!(wordpiece(no_unk.as_bytes()).is_none());
    }
}
