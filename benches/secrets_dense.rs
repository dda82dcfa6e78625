//! Texts dense with findings (a CSV's column of addresses, a list of hosts, a file of
//! `passwordN=…` lines, base64 values under `keyN:`): the scan's seconds at 10,000, 20,000
//! and 40,000 findings each, which should double with the count, not quadruple. Prints
//! figures, asserts nothing.
//!
//! `cargo bench --bench secrets_dense`

use std::time::Instant;

use base64::Engine;

/// A fixed stream of pseudo-random numbers (xorshift), so every run scans the same texts.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn word(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        (0..len).map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char).collect()
    }
}

/// A text's line `i`, drawn from the stream.
type Line = fn(&mut Stream, usize) -> String;

fn main() {
    let shapes: [(&str, Line); 4] = [
        ("addresses, one line", |s, i| format!("{}.{}.{}.{},", 11 + s.next() % 180, s.next() % 256, s.next() % 256, 1 + i % 250)),
        ("emails, a column", |s, i| format!("{}.{}@corp{}.com\n", s.word(8).to_lowercase(), s.word(6).to_lowercase(), i % 50)),
        ("password lines", |s, i| format!("password{i}={}\n", s.word(12))),
        ("base64 values", |s, i| {
            let bytes: Vec<u8> = (0..30).map(|_| s.next() as u8).collect();
            format!("  key{i}: {}\n", base64::engine::general_purpose::STANDARD.encode(bytes))
        }),
    ];
    // The detectors compile once per process, before the first figure.
    git_screenlink::secrets::prepare();
    for (name, line) in shapes {
        for n in [10_000, 20_000, 40_000] {
            let mut stream = Stream(0x9E37_79B9_7F4A_7C15);
            let text: String = (0..n).map(|i| line(&mut stream, i)).collect();
            let t = Instant::now();
            let found = git_screenlink::secrets::scan(&text).len();
            println!("{name}: {n} written, {found} findings, {:.1} MB, {:.3} s", text.len() as f64 / 1e6, t.elapsed().as_secs_f64());
        }
    }
}
