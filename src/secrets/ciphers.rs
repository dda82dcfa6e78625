//! Keys written into the code that encrypts or signs with them: a literal handed to a cipher or
//! a MAC (`Fernet(b'…')`, `AES.new(b'…', …)`, `new SecretKeySpec("…".getBytes(), "AES")`,
//! `crypto.createCipheriv(alg, '…', iv)`, `aes.NewCipher([]byte("…"))`, `hmac.new(b'…', …)`),
//! where no name beside the value says it is a secret: the call does. Kind `cipher_key`. Anyone
//! with the key reads what it encrypted and signs what it signs.
//!
//! Tests and guides hand these calls a counting run or a unit said again (`0123456789abcdef`,
//! `1234567812345678`, `testtesttesttest`), words (`YELLOW SUBMARINE`, cryptopals' key;
//! `WebAppData`, the constant Telegram's login check is defined with): none of those is a
//! finding. A key written as escaped bytes (`b'\xa1\x11…'`) is judged by the bytes.
//!
//! And a secret's name given a literal's bytes (`var jwtKey = []byte("…")`), which the
//! assignment rule, reading `[]byte(` as code, never judged: kind `assigned_secret`, as a
//! name's value is.

use regex::Captures;

use super::checks::value_of_name;
use super::detectors::{d, Detector, SECRET_NAME};
use super::names::name_words;
use super::shapes::{is_hex_token, is_random_token, steps_up};

/// .NET's and Node's encoders of a string into bytes (`Encoding.UTF8.GetBytes(…)`,
/// `Buffer.from(…)`), before a key or a secret's value.
const ENCODERS: &str = r"Encoding\.[A-Za-z0-9]+\.GetBytes\(|Buffer\.from\(";

/// The key: a string or bytes literal (Python's `b'…'`, Rust's `b"…"`), escapes allowed, with
/// what turns it into bytes after it (`.encode()`, `.getBytes(UTF_8)`, `.toByteArray()`,
/// `.as_bytes()`), inside what turns it into bytes before it (Go's `[]byte(…)`, the
/// [`ENCODERS`], CryptoJS's `enc.Utf8.parse(…)`).
fn key() -> String {
    format!(
        r#"(?:(?:\[\]byte\(|{ENCODERS}|CryptoJS\.enc\.[A-Za-z0-9]+\.parse\()[ \t\r\n]*)?b?(?:"((?:[^"\\\r\n]|\\.){{6,}})"|'((?:[^'\\\r\n]|\\.){{6,}})')(?:\.(?:encode|getBytes|toByteArray|as_bytes|to_vec|into)\([^()\r\n]*\))?[ \t\r\n]*\)?[ \t\r\n]*[,)]"#
    )
}

/// One argument before the key: a literal, a name, or an expression with one level of calls in
/// it (`JSON.stringify(data)`).
const ARG: &str = r#"(?:"[^"\r\n]*"|'[^'\r\n]*'|(?:[^,()"'\r\n]|\([^()\r\n]*\))+)[ \t\r\n]*,[ \t\r\n]*"#;

/// Calls whose first argument is the key: pyca/cryptography's `Fernet`, its AEADs and
/// `algorithms.*`; PyCryptodome's `AES.new` and the like; Python's `hmac.new`/`hmac.digest`;
/// Java's `SecretKeySpec`; Go's block ciphers' `NewCipher`; RustCrypto's `new_from_slice`;
/// .NET's `HMACSHA256`.
const KEY_FIRST: &str = r"(?-u:\b)(?:Fernet|AESGCM|AESCCM|AESSIV|AESOCB3|AESGCMSIV|ChaCha20Poly1305|XChaCha20Poly1305|algorithms\.(?:AES|AES128|AES256|TripleDES|Camellia|ChaCha20|Blowfish|ARC4|IDEA|SEED|CAST5|SM4)|(?:AES|DES3?|ARC2|ARC4|Blowfish|CAST|ChaCha20|ChaCha20_Poly1305|Salsa20|XChaCha20)\.new|hmac\.(?:new|digest|HMAC)|HMAC\.new|SecretKeySpec|(?:aes|des|rc4|blowfish|twofish|cast5|chacha20poly1305)\.New(?:Cipher|TripleDESCipher|X)?|new_from_slice|new_varkey|HMACSHA(?:1|256|384|512)|HMACMD5)\([ \t\r\n]*(?:key[ \t\r\n]*=[ \t\r\n]*)?";

/// Calls whose second argument is the key: Go's `hmac.New(hash, key)`, Node's `createHmac` and
/// `createCipheriv`/`createDecipheriv` (the algorithm first), CryptoJS's ciphers and HMACs (the
/// message first), Ruby's `OpenSSL::HMAC` (the digest first).
const KEY_SECOND: &str = r"(?-u:\b)(?:hmac\.New|createHmac|create(?:Cipher|Decipher)iv|CryptoJS\.Hmac(?:SHA[0-9]*|MD5|RIPEMD160|SHA3)|CryptoJS\.(?:AES|DES|TripleDES|Rabbit|RC4|RC4Drop)\.(?:encrypt|decrypt)|OpenSSL::HMAC\.(?:hexdigest|digest|base64digest))\([ \t\r\n]*";

/// …and third: PHP's `hash_hmac(algo, data, key)` and `openssl_encrypt(data, cipher, key, …)`.
const KEY_THIRD: &str = r"(?-u:\b)(?:hash_hmac|openssl_encrypt|openssl_decrypt)\([ \t\r\n]*";

pub(super) fn detectors() -> Vec<Detector> {
    let key = key();
    vec![
        d("cipher_key", &format!("{KEY_FIRST}{key}"), &[1, 2], a_key),
        d("cipher_key", &format!("{KEY_SECOND}{ARG}{key}"), &[1, 2], a_key),
        d("cipher_key", &format!("{KEY_THIRD}{ARG}{ARG}{key}"), &[1, 2], a_key),
        // A secret's name given a literal's bytes, which the assignment rule reads as code: Go's
        // `var jwtKey = []byte("…")`, .NET's `aes.Key = Encoding.UTF8.GetBytes("…")`, Node's
        // `Buffer.from("…")`, Python's `bytes("…", "utf-8")`. A bare `key` in Go or Python (a
        // map's, a test database's `[]byte("key1")`) holds a secret only when the value is
        // random; given bytes by .NET's or Node's encoders it is a cipher's, judged as one.
        Detector {
            hint: Some(|t| ["byte(", "GetBytes(", "Buffer.from(", "bytes("].iter().any(|w| t.contains(w))),
            ..d(
                "assigned_secret",
                &format!(
                    r#"(?:^|[^A-Za-z0-9_])({SECRET_NAME})[ \t]*(?::=|=|:)[ \t]*(?:\[\]byte\(|({ENCODERS})|bytes\()[ \t]*(?:"([^"\r\n]{{4,}})"|'([^'\r\n]{{4,}})')"#
                ),
                &[3, 4],
                |c, v| {
                    let name = c.get(1).map_or("", |m| m.as_str());
                    if name_words(name) == ["key"] {
                        if c.get(2).is_some() {
                            a_key(c, v)
                        } else {
                            is_random_token(v) || is_hex_token(v)
                        }
                    } else {
                        value_of_name(name, v)
                    }
                },
            )
        },
    ]
}

/// Whether a literal handed to a cipher or a MAC is a key someone chose: escaped bytes that
/// are not text, or a value judged as a password is that is neither counting nor one unit
/// said again.
fn a_key(_: &Captures, v: &str) -> bool {
    match unescaped(v) {
        Some(bytes) if !bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') => {
            let mut distinct = bytes.clone();
            distinct.sort_unstable();
            distinct.dedup();
            bytes.len() >= 8 && distinct.len() * 2 >= bytes.len()
        }
        Some(bytes) => String::from_utf8(bytes).is_ok_and(|text| chosen(&text)),
        None => chosen(v),
    }
}

fn chosen(v: &str) -> bool {
    !counting(v) && !one_unit_again(v) && !a_versioned_label(v) && value_of_name("password", v)
}

/// Words and a version joined by hyphens (`memolib-key-derivation-v1`): a label that keeps
/// one use of a key apart from another, public by design.
fn a_versioned_label(v: &str) -> bool {
    v.rsplit_once('-').is_some_and(|(words, version)| {
        version.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            && words.split('-').all(|w| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_lowercase()))
    })
}

/// A literal's bytes when it holds escapes (`\x74\x68…`, `}.\x86\x12F…`), as Python, Go and C
/// read them; `None` when it holds none.
fn unescaped(v: &str) -> Option<Vec<u8>> {
    if !v.contains('\\') {
        return None;
    }
    let mut out = Vec::new();
    let mut bytes = v.bytes();
    while let Some(b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next()? {
            b'x' => {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'0' => out.push(0),
            other => out.push(other),
        }
    }
    Some(out)
}

/// A run that counts (`0123456789abcdef`, `1234567890123456`, `abcdef0123456789`): most
/// neighbours one apart.
fn counting(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 2 && steps_up(b) * 3 >= (b.len() - 1) * 2
}

/// A unit of up to eight characters said again to fill a key's length (`testtesttesttest`,
/// `passwordpassword`, `12345678123456781234567812345678`).
fn one_unit_again(v: &str) -> bool {
    let b = v.as_bytes();
    (1..=8.min(b.len() / 2)).any(|unit| b.iter().enumerate().all(|(i, c)| *c == b[i % unit]))
}

#[cfg(test)]
mod tests {
    use super::super::cases::{finds_none, redacts_to};

    #[test]
    fn a_key_handed_to_a_cipher_or_a_mac_is_found() {
        redacts_to(&[
            ("f = Fernet(b'QKJckJwoLx8kT10gslNc4_IEE4fNYZyluOaK2m5fwmE=')", "f = Fernet(b'[REDACTED:cipher_key]')"),
            ("aes = AES.new(b'Yg&tc%DEuh6%Zc^8', AES.MODE_CBC, iv)", "aes = AES.new(b'[REDACTED:cipher_key]', AES.MODE_CBC, iv)"),
            ("c = AES.new('Kq9LmZ2xV7rT1pN8'.encode('utf-8'), AES.MODE_GCM)", "c = AES.new('[REDACTED:cipher_key]'.encode('utf-8'), AES.MODE_GCM)"),
            ("c = Cipher(algorithms.AES(b'Kq9LmZ2xV7rT1pN8'), modes.CBC(iv))", "c = Cipher(algorithms.AES(b'[REDACTED:cipher_key]'), modes.CBC(iv))"),
            ("mac = hmac.new(b'9fK2mQ7xL4pZ8vR1', msg, hashlib.sha256)", "mac = hmac.new(b'[REDACTED:cipher_key]', msg, hashlib.sha256)"),
            (
                r#"SecretKeySpec k = new SecretKeySpec("6s4dfzfrr7JGKRFD&Jbgjczdkl454".getBytes(StandardCharsets.UTF_8), "HmacSHA1");"#,
                r#"SecretKeySpec k = new SecretKeySpec("[REDACTED:cipher_key]".getBytes(StandardCharsets.UTF_8), "HmacSHA1");"#,
            ),
            (
                "const c = crypto.createCipheriv('aes-256-cbc', '0xMY085p7KD0Kf7siepi26OPFYLWnX9t', iv);",
                "const c = crypto.createCipheriv('aes-256-cbc', '[REDACTED:cipher_key]', iv);",
            ),
            (
                "const sig = crypto.createHmac('sha256', '70veWtymvXQRoBYU0AhU2WZ8').update(body)",
                "const sig = crypto.createHmac('sha256', '[REDACTED:cipher_key]').update(body)",
            ),
            (
                "CryptoJS.AES.encrypt(JSON.stringify(data), 'Kq9#LmZ2xV7r').toString()",
                "CryptoJS.AES.encrypt(JSON.stringify(data), '[REDACTED:cipher_key]').toString()",
            ),
            (r#"block, _ := aes.NewCipher([]byte("5ECC5D62140EC099"))"#, r#"block, _ := aes.NewCipher([]byte("[REDACTED:cipher_key]"))"#),
            (r#"mac := hmac.New(sha256.New, []byte("q7Lm2Xv9Rk4Tp8Wz"))"#, r#"mac := hmac.New(sha256.New, []byte("[REDACTED:cipher_key]"))"#),
            (
                r#"var h = new HMACSHA256(Encoding.UTF8.GetBytes("q7Lm2Xv9Rk4Tp8Wz"));"#,
                r#"var h = new HMACSHA256(Encoding.UTF8.GetBytes("[REDACTED:cipher_key]"));"#,
            ),
            ("$sig = hash_hmac('sha256', $payload, 'q7Lm2Xv9Rk4Tp8Wz');", "$sig = hash_hmac('sha256', $payload, '[REDACTED:cipher_key]');"),
            (r#"let c = Aes256Gcm::new_from_slice(b"q7Lm2Xv9Rk4Tp8Wz3Ny6Bc1Df5Gh0Jk2")?;"#, r#"let c = Aes256Gcm::new_from_slice(b"[REDACTED:cipher_key]")?;"#),
            // Bytes that are no text are a key; bytes that spell words are not.
            (
                r#"cipher, _ := aes.NewCipher([]byte("\xa1\x11\x1c\xf0\xf6+\xba\x02%\xd2f\xe7\xa6\x94\x86\xfe"))"#,
                r#"cipher, _ := aes.NewCipher([]byte("[REDACTED:cipher_key]"))"#,
            ),
        ]);
    }

    #[test]
    fn a_key_named_for_its_cipher_or_in_a_bytes_literal_is_found() {
        redacts_to(&[
            ("fernet_key = Zq8xW2mK9pL4vN7rT1cB5dH3sJ6gA0eU2iO8kM4qY1w=", "fernet_key = [REDACTED:assigned_secret]"),
            ("AES_KEY = 'Kq9LmZ2xV7rT1pN8wB3cY6dH0sJ5gA2e'", "AES_KEY = '[REDACTED:assigned_secret]'"),
            // Python's and Rust's bytes literals (`b'…'`) were read as a value `b` before.
            ("fernet_key = b'0Ry0Np_T-51ZtqPtzyX0hcrpfcTCa-a15baaZjuiwEk='", "fernet_key = b'[REDACTED:assigned_secret]'"),
            ("key = b'Kq9LmZ2xV7rT1pN8wB3cY6dH0sJ5gA2e'", "key = b'[REDACTED:assigned_secret]'"),
            (r#"SECRET_KEY = b"q7Lm2Xv9Rk4Tp8Wz!""#, r#"SECRET_KEY = b"[REDACTED:assigned_secret]""#),
        ]);
    }

    #[test]
    fn a_secrets_name_given_a_literals_bytes_is_found() {
        redacts_to(&[
            (r#"var jwtKey = []byte("tOunsUhUhkAZvoTEj6ySe2JaJ+yPfeyehUmikyZ0aGw")"#, r#"var jwtKey = []byte("[REDACTED:assigned_secret]")"#),
            (r#"jwtSecret := []byte("q7Lm2Xv9Rk4Tp8Wz")"#, r#"jwtSecret := []byte("[REDACTED:assigned_secret]")"#),
            (r#"aes.Key = Encoding.UTF8.GetBytes("q7Lm2Xv9Rk4Tp8Wz");"#, r#"aes.Key = Encoding.UTF8.GetBytes("[REDACTED:assigned_secret]");"#),
            (r#"const secret = Buffer.from("q7Lm2Xv9Rk4Tp8Wz3Ny6", "utf8");"#, r#"const secret = Buffer.from("[REDACTED:assigned_secret]", "utf8");"#),
            (r#"key := []byte("q7Lm2Xv9Rk4Tp8Wz3Ny6Bc1Df5Gh0Jk2")"#, r#"key := []byte("[REDACTED:assigned_secret]")"#),
            (
                r#"private static readonly byte[] Key = Encoding.UTF8.GetBytes("DDTank36JB2024!");"#,
                r#"private static readonly byte[] Key = Encoding.UTF8.GetBytes("[REDACTED:assigned_secret]");"#,
            ),
        ]);
        finds_none(
            &[],
            &[
                r#"var jwtKey = []byte("your-secret-key")"#,
                r#"var jwtKey = []byte("secret_key")"#,
                r#"key := []byte("answer42")"#,
                r#"key := []byte("example key 1234")"#,
                r#"var key = Encoding.UTF8.GetBytes("THIS_IS_MY_SUPER_SECRET_KEY_123");"#,
                // zeroize's README: a bytes literal that labels a password.
                r#"let mut secret = b"Air shield password: 1,2,3,4,5".to_vec();"#,
                r#"aes.Key = Encoding.UTF8.GetBytes("1234567890123456");"#,
            ],
        );
    }

    #[test]
    fn tests_and_guides_keys_are_none() {
        finds_none(
            &[],
            &[
                "cipher = AES.new(b'0123456789abcdef', AES.MODE_ECB)",
                r#"block, err := aes.NewCipher([]byte("1234567890123456"))"#,
                "crypto.createCipheriv('aes-256-cbc', '12345678123456781234567812345678', '1234567812345678')",
                r#"SecretKeySpec s = new SecretKeySpec("testtesttesttest".getBytes(), "AES");"#,
                "p = AES.new(b'YELLOW SUBMARINE', AES.MODE_ECB).decrypt(data)",
                "const secretKey = crypto.createHmac('sha256', 'WebAppData').update(BOT_TOKEN).digest();",
                r#"block, err := aes.NewCipher([]byte("passwordpasswordpasswordpassword"))"#,
                r#"block, err := aes.NewCipher([]byte("not secured not secured!"))"#,
                r"cipher = AES.new(b'\x74\x68\x69\x73\x49\x73\x41\x53\x65\x63\x72\x65\x74\x4b\x65\x79', AES.MODE_ECB)",
                "c = AES.new(key, AES.MODE_EAX, nonce=nonce)",
                "f = Fernet(Fernet.generate_key())",
                "const cipher = crypto.createCipheriv('aes-256-cbc', 'password', iv);",
                "createHmac('sha256', '').update(content)",
                "const salt = crypto.createHmac('sha256', 'memolib-key-derivation-v1').update(masterKey)",
            ],
        );
    }
}
