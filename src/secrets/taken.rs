//! Where a scan stands in a text: the stretches its findings already hold (the first finding
//! over a stretch keeps it) and the `[REDACTED:…]` markers a redacted text carries. Both are
//! asked once per candidate, so each answers in log time: a list of 40,000 addresses took
//! 3.4 s when each question read every finding so far and the whole text before it.

use std::collections::BTreeSet;

const MARKER: &str = "[REDACTED:";

/// Byte ranges that overlap none of the others, by start.
#[derive(Default)]
pub(super) struct Taken(BTreeSet<(usize, usize)>);

impl Taken {
    /// Whether `r` overlaps a range held. As held ranges do not overlap, their ends rise with
    /// their starts: the last one that starts before `r` ends is the only one that can reach it.
    pub fn overlaps(&self, r: (usize, usize)) -> bool {
        self.0.range(..(r.1, 0)).next_back().is_some_and(|&(_, end)| end > r.0)
    }

    /// Holds `r` unless it overlaps a range held; whether it now holds it.
    pub fn take(&mut self, r: (usize, usize)) -> bool {
        !self.overlaps(r) && self.0.insert(r)
    }
}

/// Our own markers in a text: each one's start and where its `]` is (the text's end if none).
pub(super) struct Markers(Vec<(usize, usize)>);

impl Markers {
    pub fn of(text: &str) -> Markers {
        let close = |at: usize| text[at..].find(']').map_or(text.len(), |i| at + i);
        Markers(text.match_indices(MARKER).map(|(at, _)| (at, close(at))).collect())
    }

    /// Whether `at` is inside a marker, after its `[REDACTED:` and not past its `]`.
    pub fn hold(&self, at: usize) -> bool {
        let before = self.0.partition_point(|&(start, _)| start + MARKER.len() <= at);
        before > 0 && self.0[before - 1].1 >= at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_is_taken_once_and_overlaps_are_refused() {
        let mut taken = Taken::default();
        assert!(taken.take((10, 20)) && taken.take((30, 40)) && taken.take((20, 30)));
        for r in [(0, 11), (19, 21), (15, 16), (39, 50), (5, 45), (25, 26)] {
            assert!(taken.overlaps(r) && !taken.take(r), "{r:?}");
        }
        assert!(!taken.overlaps((0, 10)) && !taken.overlaps((40, 41)) && taken.take((40, 41)));
    }

    #[test]
    fn inside_a_marker_is_after_its_name_and_up_to_its_bracket() {
        let text = "a [REDACTED:ip_address] b [REDACTED:email";
        let markers = Markers::of(text);
        let first = text.find('[').unwrap();
        let last = text.rfind('[').unwrap();
        // Inside: from just after `[REDACTED:` to the `]`; outside: before it, after `]`, in the word.
        assert!(markers.hold(first + MARKER.len()) && markers.hold(text.find(']').unwrap()));
        assert!(!markers.hold(first) && !markers.hold(first + 3) && !markers.hold(text.find(']').unwrap() + 1));
        // A marker cut short holds the rest of the text.
        assert!(markers.hold(last + MARKER.len() + 2) && markers.hold(text.len()));
        assert!(!Markers::of("no marker here").hold(5));
    }
}
