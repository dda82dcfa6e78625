//! Where an interrupted run can go on from: the checkpoints mlx-lm saves as it trains.
//!
//! mlx-lm writes `<adapters>/<iteration:07>_adapters.safetensors` every `--save-every`
//! iterations (100 by default) and copies it to `adapters.safetensors`, numbering from 1 in
//! every run. A resumed run counts from 1 again, so each one writes into its own directory,
//! `adapters/resume-<iteration:07>`, named by where it started: a checkpoint's iteration in
//! the whole run is its directory's start plus its own number, known from the files alone
//! whatever killed which process when. `kill -9` during a save leaves a torn file, which is
//! passed over for the newest whole one.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The file mlx-lm keeps the newest weights of a run in, and eval, fuse and serve read.
pub const ADAPTERS_FILE: &str = "adapters.safetensors";

const SEGMENT_PREFIX: &str = "resume-";

/// Weights saved at `iter`, counted over the whole run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub iter: u32,
    pub path: PathBuf,
}

/// The directory a run resumed at `start` writes its adapters into (the run's own for 0).
pub fn segment_dir(adapters: &Path, start: u32) -> PathBuf {
    if start == 0 {
        adapters.to_path_buf()
    } else {
        adapters.join(format!("{SEGMENT_PREFIX}{start:07}"))
    }
}

/// The newest whole checkpoint under `adapters`, in the run's own numbering.
pub fn latest(adapters: &Path) -> Option<Checkpoint> {
    let mut segments = vec![(0, adapters.to_path_buf())];
    for entry in std::fs::read_dir(adapters).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(start) = name.strip_prefix(SEGMENT_PREFIX).and_then(|n| n.parse::<u32>().ok()) {
            segments.push((start, entry.path()));
        }
    }
    let mut found: Vec<Checkpoint> = segments
        .iter()
        .flat_map(|(start, dir)| {
            std::fs::read_dir(dir).into_iter().flatten().flatten().filter_map(move |e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let number = name.strip_suffix("_adapters.safetensors")?;
                let n: u32 = (number.len() == 7).then(|| number.parse().ok())??;
                Some(Checkpoint { iter: start + n, path: e.path() })
            })
        })
        .collect();
    // Newest first; of two at one iteration (a segment's end and a later one's start are not
    // the same iteration, but a by-hand copy might be), the later segment's.
    found.sort_by(|a, b| b.iter.cmp(&a.iter).then(b.path.cmp(&a.path)));
    found.into_iter().find(|c| is_whole(&c.path))
}

/// Whether `path` is a whole safetensors file: its header reads as JSON and the file is as
/// long as the header says (a save cut short is shorter).
pub fn is_whole(path: &Path) -> bool {
    let Ok(mut file) = File::open(path) else { return false };
    let Ok(len) = file.metadata().map(|m| m.len()) else { return false };
    let mut size = [0u8; 8];
    if file.read_exact(&mut size).is_err() {
        return false;
    }
    let header_len = u64::from_le_bytes(size);
    // The format caps the header at 100 MB; anything past the file is torn.
    if header_len > 100_000_000 || 8 + header_len > len {
        return false;
    }
    let mut header = vec![0u8; header_len as usize];
    if file.read_exact(&mut header).is_err() {
        return false;
    }
    let Ok(serde_json::Value::Object(tensors)) = serde_json::from_slice::<serde_json::Value>(&header) else { return false };
    let end = tensors
        .iter()
        .filter(|(name, _)| name.as_str() != "__metadata__")
        .filter_map(|(_, t)| t["data_offsets"].get(1).and_then(|e| e.as_u64()))
        .max()
        .unwrap_or(0);
    len == 8 + header_len + end
}

/// Make `from` the run's newest weights, `to`, whole or not at all: copied beside `to`, then
/// renamed over it (eval, fuse and serve may be reading the old one).
pub fn install(from: &Path, to: &Path) -> crate::error::Result<()> {
    let io = |e| crate::error::Error::io(format!("copying {} to {}", from.display(), to.display()), e);
    let dir = to.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    std::io::copy(&mut File::open(from).map_err(io)?, tmp.as_file_mut()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    crate::fsutil::make_private(tmp.path()).map_err(io)?;
    tmp.persist(to).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A safetensors file of `tensors` f32 tensors of 4 values each.
    fn weights(path: &Path, tensors: usize) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        for i in 0..tensors {
            header.insert(format!("t{i}"), serde_json::json!({"dtype": "F32", "shape": [4], "data_offsets": [i * 16, i * 16 + 16]}));
        }
        header.insert("__metadata__".into(), serde_json::json!({"format": "mlx"}));
        let header = serde_json::to_vec(&header).unwrap();
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend(&header);
        bytes.extend(vec![7u8; tensors * 16]);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &bytes).unwrap();
        bytes
    }

    #[test]
    fn a_whole_file_is_told_from_a_torn_one() {
        let dir = tempfile::tempdir().unwrap();
        let whole = dir.path().join("w.safetensors");
        let bytes = weights(&whole, 3);
        assert!(is_whole(&whole));
        for cut in [0, 4, 8, 20, bytes.len() - 1] {
            let torn = dir.path().join(format!("torn{cut}.safetensors"));
            std::fs::write(&torn, &bytes[..cut]).unwrap();
            assert!(!is_whole(&torn), "cut at {cut}");
        }
        let longer = dir.path().join("longer.safetensors");
        std::fs::write(&longer, [bytes.as_slice(), b"x"].concat()).unwrap();
        assert!(!is_whole(&longer), "bytes past the header's tensors");
        let garbage = dir.path().join("g.safetensors");
        std::fs::write(&garbage, [16u64.to_le_bytes().as_slice(), b"not json at all!"].concat()).unwrap();
        assert!(!is_whole(&garbage));
        assert!(!is_whole(&dir.path().join("missing.safetensors")));
    }

    #[test]
    fn the_newest_whole_checkpoint_counts_its_segments_start() {
        let dir = tempfile::tempdir().unwrap();
        let adapters = dir.path().join("adapters");
        assert_eq!(latest(&adapters), None, "no directory");
        weights(&adapters.join(ADAPTERS_FILE), 2);
        assert_eq!(latest(&adapters), None, "the running copy is no checkpoint: its iteration is unknown");
        weights(&adapters.join("0000100_adapters.safetensors"), 2);
        weights(&adapters.join("0000200_adapters.safetensors"), 2);
        assert_eq!(latest(&adapters).unwrap().iter, 200);
        // Resumed at 200, then at 200 + 300.
        weights(&segment_dir(&adapters, 200).join("0000100_adapters.safetensors"), 2);
        let bytes = weights(&segment_dir(&adapters, 200).join("0000300_adapters.safetensors"), 2);
        assert_eq!(segment_dir(&adapters, 200), adapters.join("resume-0000200"));
        let c = latest(&adapters).unwrap();
        assert_eq!((c.iter, c.path.clone()), (500, adapters.join("resume-0000200/0000300_adapters.safetensors")));
        // The next segment's first save was cut short: the one before it stands.
        let next = segment_dir(&adapters, 500);
        std::fs::create_dir_all(&next).unwrap();
        std::fs::write(next.join("0000100_adapters.safetensors"), &bytes[..bytes.len() / 2]).unwrap();
        assert_eq!(latest(&adapters).unwrap().iter, 500);
        // Names that are not mlx-lm's are not checkpoints.
        weights(&adapters.join("900_adapters.safetensors"), 1);
        weights(&adapters.join("resume-x/0000900_adapters.safetensors"), 1);
        weights(&adapters.join("0000900_adapters.safetensors.tmp"), 1);
        assert_eq!(latest(&adapters).unwrap().iter, 500);
    }
}
