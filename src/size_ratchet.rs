//! The generated-size ratchet (`conformance/size-ratchet.txt`): for a fixed set of specs, the
//! number of bytes the generator emits. The `size-guard` binary fails when a spec
//! grows past its entry by more than [`TOLERANCE_PERCENT`]; `--bless` rewrites the file.
//!
//! File format: `#` comments and blank lines, then one `BYTES SPEC` entry a line, where SPEC is
//! relative to the repository (`specs/...`) or, prefixed with `corpus:`, to the corpus.

use std::fmt::Write as _;

/// How much a spec's generated code may grow past its entry before the guard fails.
pub const TOLERANCE_PERCENT: u64 = 1;

/// One `BYTES SPEC` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub spec: String,
    pub bytes: u64,
}

/// A ratchet file: its leading comment block (kept on bless) and its entries, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ratchet {
    pub header: Vec<String>,
    pub entries: Vec<Entry>,
}

/// A line that is neither a comment nor `BYTES SPEC`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("line {line}: expected `BYTES SPEC`, found `{text}`")]
pub struct ParseError {
    pub line: usize,
    pub text: String,
}

impl Ratchet {
    pub fn parse(text: &str) -> Result<Ratchet, ParseError> {
        let mut ratchet = Ratchet::default();
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                // Only the comments before the first entry are the header; later ones are dropped
                // on bless, which rewrites the entries anyway.
                if ratchet.entries.is_empty() {
                    ratchet.header.push(raw.to_owned());
                }
                continue;
            }
            let error = || ParseError { line: index + 1, text: raw.to_owned() };
            let (bytes, spec) = line.split_once(char::is_whitespace).ok_or_else(error)?;
            let bytes = bytes.parse::<u64>().map_err(|_| error())?;
            let spec = spec.trim();
            if spec.is_empty() {
                return Err(error());
            }
            ratchet.entries.push(Entry { spec: spec.to_owned(), bytes });
        }
        Ok(ratchet)
    }

    /// The file text: the header, then one line per entry.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for line in &self.header {
            out.push_str(line);
            out.push('\n');
        }
        for entry in &self.entries {
            let _ = writeln!(out, "{} {}", entry.bytes, entry.spec);
        }
        out
    }
}

/// How a spec's generated size compares with its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Within the tolerance (or smaller).
    Ok,
    /// Smaller by more than the tolerance: passes, but blessing would tighten the ratchet.
    Shrunk,
    /// Larger by more than the tolerance: fails.
    Grew,
}

pub fn judge(ratchet_bytes: u64, new_bytes: u64) -> Verdict {
    // Integer arithmetic: 100·new > (100+t)·old, so a 1% limit on 100 bytes is exactly 101.
    let limit = u128::from(ratchet_bytes) * u128::from(100 + TOLERANCE_PERCENT);
    let lower = u128::from(ratchet_bytes) * u128::from(100 - TOLERANCE_PERCENT);
    let scaled = u128::from(new_bytes) * 100;
    if scaled > limit {
        Verdict::Grew
    } else if scaled < lower {
        Verdict::Shrunk
    } else {
        Verdict::Ok
    }
}

/// `+1.23%` / `-4.00%`, the change from `old` to `new`.
pub fn change(old: u64, new: u64) -> String {
    if old == 0 {
        return "new".to_owned();
    }
    format!("{:+.2}%", (new as f64 - old as f64) * 100.0 / old as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_keeps_the_header() {
        let text = "# sizes\n\n100 specs/a.yaml\n  2500   corpus:nexus/x y.json\n";
        let ratchet = Ratchet::parse(text).unwrap();
        assert_eq!(ratchet.header, vec!["# sizes".to_owned(), String::new()]);
        assert_eq!(
            ratchet.entries,
            vec![
                Entry { spec: "specs/a.yaml".into(), bytes: 100 },
                Entry { spec: "corpus:nexus/x y.json".into(), bytes: 2500 },
            ]
        );
        assert_eq!(ratchet.render(), "# sizes\n\n100 specs/a.yaml\n2500 corpus:nexus/x y.json\n");
    }

    #[test]
    fn refuses_lines_without_a_count_or_a_spec() {
        assert_eq!(Ratchet::parse("# ok\nspecs/a.yaml\n").unwrap_err().line, 2);
        assert_eq!(Ratchet::parse("12x specs/a.yaml\n").unwrap_err().line, 1);
        assert_eq!(Ratchet::parse("12 \n").unwrap_err().line, 1);
    }

    #[test]
    fn growth_past_one_percent_fails_and_shrinking_is_reported() {
        assert_eq!(judge(10_000, 10_100), Verdict::Ok);
        assert_eq!(judge(10_000, 10_101), Verdict::Grew);
        assert_eq!(judge(10_000, 9_900), Verdict::Ok);
        assert_eq!(judge(10_000, 9_899), Verdict::Shrunk);
        assert_eq!(judge(0, 1), Verdict::Grew);
        assert_eq!(change(10_000, 10_150), "+1.50%");
        assert_eq!(change(10_000, 9_000), "-10.00%");
    }
}
