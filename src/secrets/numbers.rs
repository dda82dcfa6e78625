//! Numbers that are personal data: card numbers, phone numbers, Social Security numbers,
//! IBANs, and which four numbers are a host's address. A pattern over digits takes far more
//! than these (serial numbers, counters, hashes, a drawing's coordinates), so each is judged by
//! how networks, agencies and banks issue them and how people write them.

use regex::Captures;

/// A card number: a valid Luhn checksum, a length and a prefix a card network issues (Visa,
/// Mastercard, American Express, Discover, UnionPay, Diners Club, JCB, Maestro, Mir), and,
/// when it is written in groups, the groups cards are printed in (4-4-4-4, Amex's 4-6-5).
/// Counters, AS paths, hex dumps and 64-bit numbers pass Luhn one time in ten, and IMEIs
/// always (their check digit is Luhn's): 24 such numbers in network devices' outputs
/// (`3651751271658 bytes`, `AS path: 6453 4637 1221 38803`) and 283 in traccar's tests
/// (`imei:359586015829802`) had been findings.
pub(super) fn luhn_card(n: &str) -> bool {
    let digits: Vec<u32> = n.chars().filter_map(|c| c.to_digit(10)).collect();
    let groups: Vec<usize> = n.split([' ', '-']).map(str::len).collect();
    const LAYOUTS: &[&[usize]] = &[&[4, 4, 4, 4], &[4, 4, 4, 4, 3], &[4, 6, 5], &[4, 6, 4], &[4, 4, 4, 3], &[4, 4, 4, 2]];
    // Written in one piece, 17 to 19 digits are a 64-bit number (a hash, a seed) far more
    // often than one of the rare long cards.
    if (groups.len() > 1 && !LAYOUTS.contains(&groups.as_slice())) || (groups.len() == 1 && digits.len() > 16) {
        return false;
    }
    if digits.iter().all(|d| *d == digits[0]) || !issued(&digits) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                *d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// A phone number in the 3-3-4 form: its groups split the same way (`212-555-0143`, `(212)
/// 555-0143`; `516.119 1083` is two numbers of a drawing), and, in the North American plan
/// (no country code, or +1), an area code and an exchange that begin with 2–9 and are not 555,
/// the films' and the guides' (`111-222-3333`, `100 100 1400` in a router's `metric`,
/// `425.555.0100`).
pub(super) fn phone_number(v: &str) -> bool {
    let (country, rest) = match v.strip_prefix('+') {
        Some(r) => {
            let n = r.chars().take_while(char::is_ascii_digit).count();
            (Some(&r[..n]), r[n..].trim_start_matches([' ', '.', '-']))
        }
        None => (None, v),
    };
    let digits: Vec<u32> = rest.chars().filter_map(|c| c.to_digit(10)).collect();
    let separators: Vec<char> = rest.chars().filter(|c| !c.is_ascii_digit()).collect();
    let consistent = match separators.as_slice() {
        [a, b] => a == b,
        ['(', ')', b] => *b == ' ' || *b == '-',
        ['(', ')', a, b] => a == b || (*a == ' ' && *b == '-'),
        _ => false,
    };
    if !consistent || digits.len() != 10 {
        return false;
    }
    if country.is_some_and(|c| c != "1") {
        return true;
    }
    let (area, exchange) = (digits[0] * 100 + digits[1] * 10 + digits[2], digits[3] * 100 + digits[4] * 10 + digits[5]);
    area >= 200 && exchange >= 200 && area != 555 && exchange != 555
}

/// Whether a card network issues numbers of this prefix and length.
fn issued(digits: &[u32]) -> bool {
    let prefix = |k: usize| digits.iter().take(k).fold(0, |n, d| n * 10 + d);
    let len = digits.len();
    let (p2, p3, p4) = (prefix(2), prefix(3), prefix(4));
    match digits.first() {
        Some(4) => len == 16 || len == 19,
        Some(5) => ((51..=55).contains(&p2) && len == 16) || ([5018, 5020, 5038, 5893].contains(&p4) && (12..=19).contains(&len)),
        Some(2) => ((2221..=2720).contains(&p4) && len == 16) || ((2200..=2204).contains(&p4) && (16..=19).contains(&len)),
        Some(3) => {
            ([34, 37].contains(&p2) && len == 15)
                || (((300..=305).contains(&p3) || [36, 38, 39].contains(&p2)) && (14..=19).contains(&len))
                || ((3528..=3589).contains(&p4) && (16..=19).contains(&len))
        }
        Some(6) => {
            ((p4 == 6011 || (644..=649).contains(&p3) || p2 == 65 || p2 == 62) && (16..=19).contains(&len))
                || ([6304, 6759, 6761, 6762, 6763].contains(&p4) && (12..=19).contains(&len))
        }
        _ => false,
    }
}

/// A United States Social Security number as written, `123-45-6789`: an area the SSA issues
/// (not 000, 666 or 900–999), a group and a serial not all zeros, and not the numbers printed
/// on sample cards and in guides (`123-45-6789`, Woolworth's wallet card's `078-05-1120`).
pub(super) fn ssn(n: &str) -> bool {
    let parts: Vec<&str> = n.split('-').collect();
    let [area, group, serial] = parts.as_slice() else { return false };
    !(["000", "666"].contains(area) || area.starts_with('9') || *group == "00" || *serial == "0000" || ["123-45-6789", "078-05-1120"].contains(&n))
}

/// Each country's IBAN length, as SWIFT's IBAN registry lists them.
const IBAN_LENGTHS: &str = concat!(
    "AD24 AE23 AL28 AT20 AZ28 BA20 BE16 BG22 BH22 BI27 BR29 BY28 CH21 CR22 CY28 CZ24 DE22 DJ27 DK18 DO28 ",
    "EE20 EG29 ES24 FI18 FK18 FO18 FR27 GB22 GE22 GI23 GL18 GR27 GT28 HN28 HR21 HU28 IE22 IL23 IQ23 IS26 ",
    "IT27 JO30 KW30 KZ20 LB28 LC32 LI21 LT20 LU20 LV21 LY25 MC27 MD24 ME22 MK19 MN20 MR27 MT31 MU30 NI28 ",
    "NL18 NO15 OM23 PK24 PL28 PS29 PT25 QA29 RO24 RS22 RU33 SA24 SC31 SD18 SE24 SI19 SK24 SM27 SO23 ST25 ",
    "SV28 TL23 TN24 TR26 UA29 VA22 VG24 XK20 YE30 ",
);

/// An IBAN: a country's two letters, two check digits that make the number 1 modulo 97, and as
/// many letters and digits as that country's IBANs have (a car's VIN, `OM89K40I5L1PNACD9`, can
/// pass the check by chance), in one piece or in groups of four; not the examples banks and
/// standards print (`DE89 3704 0044 0532 0130 00`, `GB82 WEST 1234 5698 7654 32`).
pub(super) fn iban(v: &str) -> bool {
    const EXAMPLES: &[&str] = &[
        "DE89370400440532013000",
        "DE44500105175407324931",
        "GB82WEST12345698765432",
        "GB29NWBK60161331926819",
        "GB33BUKB20201555555555",
        "NL91ABNA0417164300",
        "FR1420041010050500013M02606",
    ];
    let compact: String = v.chars().filter(|c| *c != ' ').collect();
    let country = compact.get(..2).unwrap_or("");
    let listed = IBAN_LENGTHS.split(' ').any(|entry| entry.get(..2) == Some(country) && entry[2..].parse() == Ok(compact.len()));
    if !listed || EXAMPLES.contains(&compact.as_str()) {
        return false;
    }
    let (head, rest) = compact.split_at(4);
    // Digit by digit, letters as 10–35, the remainder kept small.
    rest.chars().chain(head.chars()).try_fold(0u32, |r, c| {
        let n = c.to_digit(36)?;
        Some(if n < 10 { (r * 10 + n) % 97 } else { (r * 100 + n) % 97 })
    }) == Some(1)
}

/// A host's address: four numbers that are not a version (group 1, 2 or 4). After a name for
/// a version (`<version>1.1.10.5`, `DefaultArtifactVersion("5.0.9.0")`, "to version `1.1.10.8`",
/// `"${VERSION}" != "14.1.2.0"`; not "conversion"), a requirement's specifier (`==11.4.5.107`,
/// `>=3.7.4.3`, `(!=3.10.0.1)`; not a quoted value compared in code) or pip's installed version
/// (`…/site-packages (from torch) (11.4.5.107)`, in every notebook that installs PyTorch); a
/// path's folder or a product's token or name (`dockerfiles/12.2.1.4/`, `Chrome/121.0.0.0`,
/// `cmsms-2.2.9.1`, `-v 12.2.1.4`; a URL's host follows `//`); an image's tag
/// (`oracle/soasuite:14.1.2.0`; not `--add-host=db:10.0.0.5`, whose name has no `/`); or with
/// a release's suffix (`10.1.1.0-jre21`, `11.0.32.0-jdk`), a part's number (a spec's
/// `Figure 3.2.2.1-1`, and after a part's name, `Clause 11.4.3.5`, `Table 6.3.4.4`) or more of
/// a token (Cloudflare's `__cf_bm` cookie, `…-1772310503.3178098-1.0.1.1-6hjGW…`, in every
/// recorded HTTP exchange with an AI API). Both ends of a range (`168.1.6.50-168.1.6.80`) stay
/// hosts: the scan reads on from the first's end.
pub(super) const IP_ADDRESS: &str = concat!(
    r#"(?:((?:Version|(?:^|[^A-Za-z])(?i:version))[\w.]*[\s>(=:,"'`\[{}!]{1,8}|[=<>!~]=[ \t]*|-packages (?:\(from [^)\n]*\) )?\("#,
    r#"|(?:^|[^A-Za-z])(?i:figure|fig\.|table|clause|section|chapter|annex|appendix|step|requirement|article|paragraph)s?[ \t]+)"#,
    r#"|([A-Za-z0-9_]/(?:[A-Za-z0-9_.-]+/)*[A-Za-z0-9_.-]+:|[A-Za-z0-9_.-]*[A-Za-z0-9_-]/|[A-Za-z0-9_.]*[A-Za-z]-|\s-v[ \t=])|^|[^\w.])"#,
    r#"((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?:$|(-[A-Za-z_]|-\d+(?:$|[^\d.]|\.(?:$|\D)))|[^\w.])"#,
);

pub(super) fn host_address(c: &Captures, ip: &str) -> bool {
    let (named, tagged) = (c.get(1).is_some(), c.get(4).is_some());
    // A folder, a token or a name before it: a path or an API's may name a host (F5's
    // `/Common/10.0.0.1`, `/geoip/134.201.250.155`, bash's `/dev/tcp/HOST/PORT`), so only
    // numbers shaped as a release's are one.
    let before = c.get(2).map_or("", |f| f.as_str());
    let image = before.ends_with(':');
    let folder = !before.is_empty() && !image && !before.ends_with("tcp/") && !before.ends_with("udp/");
    // After `§`, a section's number (`§7.5.2.8`, a spec's).
    let section = c.get(0).is_some_and(|m| m.as_str().starts_with('§'));
    !(named || tagged || image || section || (folder && numbered_like_a_release(ip)) || is_boring_ip(ip))
}

/// Whether the address at `range` stands outside an outline's run of section numbers (`7.2
/// 7.2.1 7.2.1.1 7.2.1.2 7.2.2`, a table of contents flattened into text): the numbers that
/// stand with it on its line, separated by spaces, hold none of three parts. (Hosts' lists
/// hold only addresses; a traceroute's times, `0.512`, have two parts.) Read within 160 bytes
/// either side, so a line of 40,000 addresses is not read again for each.
pub(super) fn not_in_an_outline(text: &str, (start, end): (usize, usize)) -> bool {
    let mut from = start.saturating_sub(160);
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    let mut to = (end + 160).min(text.len());
    while !text.is_char_boundary(to) {
        to += 1;
    }
    let mut before = text[from..start].rsplit('\n').next().unwrap_or("");
    let mut after = text[end..to].split('\n').next().unwrap_or("");
    // Whole tokens only: a window's end that cuts a token leaves that token out.
    if from > 0 && before.len() == start - from && !before.starts_with(char::is_whitespace) {
        before = before.split_once(char::is_whitespace).map_or("", |(_, rest)| rest);
    }
    if to < text.len() && after.len() == to - end && !after.ends_with(char::is_whitespace) {
        after = after.rsplit_once(char::is_whitespace).map_or("", |(kept, _)| kept);
    }
    fn bare(t: &str) -> &str {
        t.trim_matches(|c: char| ",;:\"'()[]".contains(c))
    }
    let number = |t: &&str| !t.is_empty() && t.split('.').all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()));
    let run_before = before.split_whitespace().rev().map(bare).take_while(number);
    let run_after = after.split_whitespace().map(bare).take_while(number);
    !run_before.chain(run_after).any(|t| t.matches('.').count() == 2)
}

/// Addresses that name no one: loopback, the documentation ranges, `0.x.x.x` (no host has
/// one; four numbers starting with 0 are a version: "Kafka client from 0.9.1.0 to 0.10.0.0"),
/// netmasks, and `1.2.3.4`, every test's made-up address (78 of 468 findings in realtext's,
/// traccar's and starter-workflows' checkouts).
fn is_boring_ip(ip: &str) -> bool {
    ip.starts_with("127.")
        || ip.starts_with("0.")
        || ip == "1.2.3.4"
        || ip == "255.255.255.255"
        || ip.starts_with("192.0.2.")
        || ip.starts_with("198.51.100.")
        || ip.starts_with("203.0.113.")
        // Public resolvers, everyone's (Google's, Cloudflare's, Quad9's).
        || ["8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9"].contains(&ip)
        // A network of 65,536 addresses or more, no one's host (`10.6.0.0`), and what .NET's
        // four-part versions mostly are (`GeneratedCodeAttribute(…, "4.0.0.0")`).
        || ip.ends_with(".0.0")
        // A netmask (`255.255.255.0`, `255.255.248.0`) or another address of 240/4, reserved:
        // no host is numbered there.
        || ip.split('.').next().and_then(|p| p.parse::<u16>().ok()).is_some_and(|first| first >= 240)
}

/// Four numbers that read as a release's (`12.2.1.4`, `121.0.0.0`), not a private network's
/// host: every number after the first under 100, and not in 10/8, 172.16/12 or 192.168/16.
fn numbered_like_a_release(ip: &str) -> bool {
    let parts: Vec<u16> = ip.split('.').filter_map(|p| p.parse().ok()).collect();
    let [first, second, ..] = parts[..] else { return false };
    let private = first == 10 || (first == 172 && (16..32).contains(&second)) || (first == 192 && second == 168);
    parts.len() == 4 && parts[1..].iter().all(|&p| p < 100) && !private
}

#[cfg(test)]
mod tests {
    use super::luhn_card;
    use crate::secrets::cases::{finds_none, redacts_to};
    use crate::secrets::scan;

    #[test]
    fn cards_as_networks_issue_and_print_them_phones_as_people_write_them() {
        assert!(luhn_card("4111 1111 1111 1111"));
        assert!(!luhn_card("4111 1111 1111 1112"));
        assert!(!luhn_card("1234567890123"));
        // Cards as networks issue and print them (test numbers of each network).
        for card in
            ["4111 1111 1111 1111", "5555-5555-5555-4444", "2223003122003222", "3782 822463 10005", "6011111111111117", "3566002020360505", "30569309025904"]
        {
            assert!(luhn_card(card), "{card}");
        }
        // Counters, an AS path, a hex dump, a 64-bit number and an IMEI that pass Luhn: no
        // network's prefix and length, or not a card's groups.
        for number in [
            "3651751271658",
            "522148704542832",
            "61534237043496",
            "6453 4637 1221 38803",
            "31303037 31333535",
            "65221 3258980 3260629",
            "4783485575879",
            "4951948911778577463",
            "359586015829802",
        ] {
            assert!(!luhn_card(number), "{number}");
        }
        assert!(scan("(4295, 0.2422717958688736)").is_empty(), "a fraction's digits");
        // Phone numbers as people write them; a drawing's numbers, a router's metrics, the
        // guides' and the films' numbers are none.
        for phone in ["+1 415-555-0132 is not, but 212-867-5309 is", "call (212) 867-5309", "+44 207 946 0958"] {
            assert!(scan(phone).iter().any(|f| f.kind == "phone"), "{phone}");
        }
        for number in ["width=\"516.119 1083\"", "metric 1000 100 100 100 1400", "111-222-3333", "(123) 456-1234", "425.555.0100", "+1-555-555-5555"] {
            assert!(scan(number).iter().all(|f| f.kind != "phone"), "{number}");
        }
    }

    #[test]
    fn social_security_numbers_and_ibans_are_found() {
        redacts_to(&[
            ("her social is 219-09-9999, same as on the form", "her social is [REDACTED:ssn], same as on the form"),
            ("SSN: 512-44-2301.", "SSN: [REDACTED:ssn]."),
            ("refund to IBAN DE47 3704 0044 0532 0130 77 please", "refund to IBAN [REDACTED:iban] please"),
            ("iban=GB44ACME40161331926810", "iban=[REDACTED:iban]"),
        ]);
    }

    #[test]
    fn numbers_shaped_like_them_stay() {
        finds_none(
            &["ssn", "iban"],
            &[
                // Areas never issued, sample cards' and guides' numbers, a zero group or serial.
                "000-12-3456 666-12-3456 912-34-5678 123-45-6789 078-05-1120 219-00-9999 219-09-0000",
                // Dates, versions, part numbers, longer runs.
                "2023-12-2024 v1.2-45-6789 part 1234-56-7890 id 219-09-99991 219-09-9999-1",
                // An IBAN's shape with a wrong checksum, and the examples banks print.
                "DE47 3704 0044 0532 0130 78 DE89 3704 0044 0532 0130 00 GB82WEST12345698765432 GB33BUKB20201555555555 DE44 5001 0517 5407 3249 31",
                "ABCD1234567890123 XX00 0000 0000 0000",
            ],
        );
    }

    #[test]
    fn versions_a_package_manager_writes_and_netmasks_are_no_hosts() {
        // pip's output in a notebook that installs PyTorch, requirements' specifiers, masks.
        finds_none(
            &[],
            &[
                "Requirement already satisfied: nvidia-cusolver-cu12==11.4.5.107 in /envs/py/lib/python3.10/site-packages (from torch) (11.4.5.107)",
                "Requirement already satisfied: nvidia-cufft-cu12 in ./venv/lib/python3.11/site-packages (11.0.2.54)",
                "nvidia-curand-cu12==10.3.2.106\ntyping-extensions = \">=3.7.4.3\"",
                "qa = [\"types-setuptools (==67.2.0.1)\", \"typing_extensions (!=3.10.0.1)\"]",
                "ip address 192.0.2.1 255.255.255.0\n netmask 255.255.248.0",
            ],
        );
        // A host compared in code, assigned, or in a server line stays one.
        for text in ["if ip == \"10.42.7.19\":", "host=10.42.7.19", "server 10.42.7.19:8080"] {
            assert_eq!(scan(text).iter().filter(|f| f.kind == "ip_address").count(), 1, "{text}");
        }
    }

    #[test]
    fn numbers_glued_to_more_of_a_token_are_no_hosts() {
        // Cloudflare's cookie in a recorded HTTP exchange, a spec's figure, a Debian revision.
        finds_none(
            &[],
            &[
                "Set-Cookie: __cf_bm=Qx7vT2.kJo58m3-1772310503.3178098-1.0.1.1-6hjGWdhSy1dE; path=/",
                "Set-Cookie: __cf_bm=Qx7vT2.kJo58m3-1772310503.3178098-1.0.1.1-_eY3jwanf6ic; path=/",
                "as indicated in Step 9 of Figure 3.2.2.1-1. The policy",
                "libcurand-11-8:10.3.0.86-1:*:*",
                "Clause 11.4.3.5\tM-Plane disconnected; see section 7.2.1.1 and Table 6.3.4.4.",
            ],
        );
        // An outline's section numbers, a run with numbers of three parts, are no hosts.
        finds_none(&[], &["7 7.1 7.2 7.2.1 7.2.1.1 7.2.1.2 7.2.1.3 7.2.2 7.3", "\"8.1.6 8.1.6.1 8.1.6.2 8.1.6.3 8.2\""]);
        // A long line of hosts keeps every one, wherever the windows around each cut it.
        let hosts: Vec<String> = (0..200).map(|i| format!("10.{}.{}.{}", 20 + i % 7, 100 + i % 50, 1 + i)).collect();
        assert_eq!(scan(&hosts.join(" ")).iter().filter(|f| f.kind == "ip_address").count(), 200);
        // A range's two addresses and a host after a name stay addresses.
        for (text, hosts) in [("sip=168.1.6.50-168.1.6.80&spr=https", 2), ("ssh ops@bastion-10.42.7.19", 1)] {
            assert_eq!(scan(text).iter().filter(|f| f.kind == "ip_address").count(), hosts, "{text}");
        }
    }
}
