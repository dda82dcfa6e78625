//! Reading mlx-lm's output: the losses it prints as it trains, and the reason a failure gives.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

static ANSI: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07").expect("valid regex"));

/// The last line of a Python traceback (`ValueError: Model type bert not supported.`): what
/// went wrong, said by the program that failed.
pub fn python_error(line: &str) -> Option<String> {
    // Every line of mlx-lm's output passes here: most are progress, with no exception's name.
    if !line.contains("Error: ") && !line.contains("Exception: ") {
        return None;
    }
    static RE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(?:[A-Za-z_][\w]*\.)*[A-Za-z_]\w*(?:Error|Exception): \S.*$").expect("valid regex"));
    let line = strip_ansi(line.trim());
    RE.is_match(&line).then_some(line)
}

pub fn strip_ansi(s: &str) -> String {
    ANSI.replace_all(s, "").into_owned()
}

/// A loss read from mlx-lm's output.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Loss {
    pub iter: u32,
    pub train: Option<f64>,
    pub val: Option<f64>,
}

static OLD_TRAIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"Iter (\d+): Train loss ([0-9.]+)").expect("valid regex"));
static OLD_VAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"Iter (\d+): Val loss ([0-9.]+)").expect("valid regex"));
static NEW_VAL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(\d+)\s+val\s+([0-9.]+)").expect("valid regex"));
static NEW_TRAIN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\s*(\d+)\s+([0-9]+\.[0-9]+)\b").expect("valid regex"));

/// A loss from one line of either output format: `Iter 5: Train loss 1.234, …` (before
/// 2026) or the rich table's `   5    1.234 ▼    3,045    0.4k` and `   5    val 1.200`.
pub fn parse_loss(line: &str) -> Option<Loss> {
    let line = strip_ansi(line);
    let iter = |c: &regex::Captures| c.get(1).and_then(|m| m.as_str().parse::<u32>().ok());
    let loss = |c: &regex::Captures| c.get(2).and_then(|m| m.as_str().parse::<f64>().ok());
    for (re, is_val) in [(&*OLD_TRAIN, false), (&*OLD_VAL, true), (&*NEW_VAL, true), (&*NEW_TRAIN, false)] {
        if let Some(c) = re.captures(&line) {
            let (iter, loss) = (iter(&c)?, loss(&c));
            return Some(if is_val { Loss { iter, train: None, val: loss } } else { Loss { iter, train: loss, val: None } });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tracebacks_last_line_is_the_error() {
        assert_eq!(python_error("ValueError: Model type bert not supported.").as_deref(), Some("ValueError: Model type bert not supported."));
        let hub = "huggingface_hub.errors.LocalEntryNotFoundError: Cannot find the requested files";
        assert_eq!(python_error(hub).as_deref(), Some(hub));
        assert_eq!(
            python_error("\x1b[31mFileNotFoundError: No safetensors found in m\x1b[0m").as_deref(),
            Some("FileNotFoundError: No safetensors found in m")
        );
        for line in ["Traceback (most recent call last):", "  File \"x.py\", line 3, in load", "Iter 10: Train loss 2.310", "ValueError"] {
            assert_eq!(python_error(line), None, "{line}");
        }
    }

    #[test]
    fn both_output_formats_give_losses() {
        let old = "Iter 10: Train loss 2.345, Learning Rate 1.000e-05, It/sec 1.2";
        assert_eq!(parse_loss(old), Some(Loss { iter: 10, train: Some(2.345), val: None }));
        let old_val = "Iter 10: Val loss 2.100, Val took 0.5s";
        assert_eq!(parse_loss(old_val), Some(Loss { iter: 10, train: None, val: Some(2.1) }));
        let new = "  \x1b[38;5;244m   5\x1b[0m    \x1b[1;32m6.228 \u{25bc}\x1b[0m    \x1b[1m3,045\x1b[0m    \x1b[38;5;244m  0.4k\x1b[0m";
        assert_eq!(parse_loss(new), Some(Loss { iter: 5, train: Some(6.228), val: None }));
        let new_val = "  \x1b[38;5;244m   5\x1b[0m    \x1b[1;35mval\x1b[0m \x1b[1m6.228\x1b[0m    \x1b[38;5;244m0.01s\x1b[0m";
        assert_eq!(parse_loss(new_val), Some(Loss { iter: 5, train: None, val: Some(6.228) }));
        assert_eq!(parse_loss("Trainable parameters: 15.264% (0.017M/0.114M)"), None);
        assert_eq!(parse_loss("  iter   train_loss     tok/s     tokens"), None);
    }
}
