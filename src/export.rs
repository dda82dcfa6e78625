//! Exports other trainers read (Hugging Face `datasets`, TRL, axolotl): the accepted,
//! non-sensitive pairs split by time as `train` splits them, as chat or completions JSONL,
//! or Parquet, with a dataset card beside them.

use std::path::Path;
use std::sync::Arc;

use parquet::data_type::{ByteArray, ByteArrayType, DoubleType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use crate::dataset::Pair;
use crate::error::{Error, Result};
use crate::train::{self, Split};

/// The three splits, by the names `datasets` uses.
pub const SPLITS: [&str; 3] = ["train", "validation", "test"];

/// Write `pairs` (oldest first) in `format` (`chat`, `completions` or `parquet`) to `dir`.
/// Returns the files written.
pub fn write(pairs: &[Pair], split: Split, format: &str, dir: &Path) -> Result<Vec<std::path::PathBuf>> {
    crate::fsutil::create_private_dir(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    let parts = [&pairs[..split.train], &pairs[split.train..split.train + split.valid], &pairs[split.train + split.valid..]];
    let mut written = Vec::new();
    for (name, part) in SPLITS.iter().zip(parts) {
        let path = if format == "parquet" { dir.join(format!("{name}.parquet")) } else { dir.join(format!("{name}.jsonl")) };
        if format == "parquet" {
            write_parquet(part, &path)?;
        } else {
            let text: String = part.iter().map(|p| format!("{}\n", train::record(p, format))).collect();
            crate::fsutil::write_atomic(&path, &text)?;
        }
        written.push(path);
    }
    let card = dataset_card(pairs, split, format);
    crate::fsutil::write_atomic(&dir.join("README.md"), &card)?;
    written.push(dir.join("README.md"));
    Ok(written)
}

const PARQUET_SCHEMA: &str = "message pair {
    REQUIRED BYTE_ARRAY instruction (UTF8);
    REQUIRED BYTE_ARRAY input (UTF8);
    REQUIRED BYTE_ARRAY output (UTF8);
    REQUIRED BYTE_ARRAY commit_sha (UTF8);
    REQUIRED BYTE_ARRAY commit_timestamp (UTF8);
    REQUIRED DOUBLE confidence;
}";

/// One row per pair, flat columns (what `datasets.load_dataset("parquet", …)` reads as is).
fn write_parquet(pairs: &[Pair], path: &Path) -> Result<()> {
    let io = |e: parquet::errors::ParquetError| Error::io(format!("writing {}", path.display()), std::io::Error::other(e));
    let schema = Arc::new(parse_message_type(PARQUET_SCHEMA).map_err(io)?);
    // Written beside the target and renamed, like every other rewrite.
    let tmp = path.with_extension("parquet.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600); // what was said stays the owner's
    }
    let file = options.open(&tmp).map_err(|e| Error::io(format!("writing {}", tmp.display()), e))?;
    let mut writer = SerializedFileWriter::new(file, schema, Arc::new(WriterProperties::builder().build())).map_err(io)?;
    let mut group = writer.next_row_group().map_err(io)?;
    let text_columns: [fn(&Pair) -> &str; 5] = [|p| &p.instruction, |p| &p.input, |p| &p.output, |p| &p.metadata.commit_sha, |p| &p.metadata.commit_timestamp];
    for get in text_columns {
        let values: Vec<ByteArray> = pairs.iter().map(|p| ByteArray::from(get(p))).collect();
        let mut col = group.next_column().map_err(io)?.expect("a column per schema field");
        col.typed::<ByteArrayType>().write_batch(&values, None, None).map_err(io)?;
        col.close().map_err(io)?;
    }
    let conf: Vec<f64> = pairs.iter().map(|p| p.metadata.confidence).collect();
    let mut col = group.next_column().map_err(io)?.expect("the confidence column");
    col.typed::<DoubleType>().write_batch(&conf, None, None).map_err(io)?;
    col.close().map_err(io)?;
    group.close().map_err(io)?;
    writer.close().map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(format!("writing {}", path.display()), e))
}

/// `README.md` for the export: what it holds, in the form Hugging Face reads.
fn dataset_card(pairs: &[Pair], split: Split, format: &str) -> String {
    let first = pairs.first().map_or("-", |p| p.metadata.commit_timestamp.as_str());
    let last = pairs.last().map_or("-", |p| p.metadata.commit_timestamp.as_str());
    let ext = if format == "parquet" { "parquet" } else { "jsonl" };
    let fields = match format {
        "parquet" => "`instruction`, `input` (the discussion and the task line), `output` (the code added), `commit_sha`, `commit_timestamp`, `confidence`",
        "completions" => "`prompt` (instruction, discussion, task line) and `completion` (the code added)",
        _ => "`messages`: a system line, the user turn (instruction, discussion, task line) and the assistant turn (the code added)",
    };
    format!(
        "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: train\n    path: train.{ext}\n  - split: validation\n    path: validation.{ext}\n  - split: test\n    path: test.{ext}\n---\n\n# git-screenlink pairs\n\nCommits linked to the recorded discussion that motivated them, by git-screenlink: \
         accepted pairs only, none flagged sensitive, secrets redacted when they were written.\n\n\
         - pairs: {} (train {}, validation {}, test {}), split by commit time: the oldest train, the newest test\n\
         - commits from {first} to {last}\n- format: {format}; fields: {fields}\n",
        pairs.len(),
        split.train,
        split.valid,
        split.test
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_counts_and_names_the_splits() {
        let card = dataset_card(&[], Split { train: 8, valid: 1, test: 1 }, "parquet");
        assert!(card.contains("path: train.parquet") && card.contains("train 8, validation 1, test 1"), "{card}");
    }
}
