//! Texts dense with findings (a CSV's column of addresses, a list of hosts, a file of
//! `passwordN=…` lines, base64 values under `keyN:`): the scan's seconds at 10,000, 20,000
//! and 40,000 findings each, which should double with the count, not quadruple. Prints
//! figures, asserts nothing.
//!
//! `cargo bench --bench secrets_dense`

use std::time::Instant;

use base64::Engine;
use git_screenlink::fixture::Rng;

/// `len` letters and digits drawn from `rng` (no look-alikes: `l`, `O`, `0`, `1`).
fn word(rng: &mut Rng, len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..len).map(|_| ALPHABET[rng.below(ALPHABET.len())] as char).collect()
}

/// A text's line `i`, drawn from a seeded generator, so every run scans the same texts.
type Line = fn(&mut Rng, usize) -> String;

fn main() {
    let shapes: [(&str, Line); 4] = [
        ("addresses, one line", |s, i| format!("{}.{}.{}.{},", 11 + s.next_u64() % 180, s.next_u64() % 256, s.next_u64() % 256, 1 + i % 250)),
        ("emails, a column", |s, i| format!("{}.{}@corp{}.com\n", word(s, 8).to_lowercase(), word(s, 6).to_lowercase(), i % 50)),
        ("password lines", |s, i| format!("password{i}={}\n", word(s, 12))),
        ("base64 values", |s, i| {
            let bytes: Vec<u8> = (0..30).map(|_| s.next_u64() as u8).collect();
            format!("  key{i}: {}\n", base64::engine::general_purpose::STANDARD.encode(bytes))
        }),
    ];
    // The detectors compile once per process, before the first figure.
    git_screenlink::secrets::prepare();
    for (name, line) in shapes {
        for n in [10_000, 20_000, 40_000] {
            let mut rng = Rng(0x5EED);
            let text: String = (0..n).map(|i| line(&mut rng, i)).collect();
            let t = Instant::now();
            let found = git_screenlink::secrets::scan(&text).len();
            println!("{name}: {n} written, {found} findings, {:.1} MB, {:.3} s", text.len() as f64 / 1e6, t.elapsed().as_secs_f64());
        }
    }
}
