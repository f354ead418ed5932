//! Stage 1: bytes from a [`Loader`] become parsed documents that remember where each node sits.

mod json;
mod loader;
mod parse;

use std::sync::Arc;

pub use loader::{ChainLoader, FsLoader, LoadError, Loader, MemoryLoader, RedirectLoader, is_url, join_location};
pub use parse::{EXPANSION_NODE_BUDGET, ParseProblem, Parsed, Pos};
pub(crate) use parse::is_unread_extension;

use crate::diagnostic::{Diagnostic, Location};

/// One parsed spec file.
#[derive(Debug)]
pub struct Document {
    /// The location the loader was asked for.
    pub location: String,
    /// The source text.
    pub text: Arc<str>,
    /// Data, positions and raw scalar text.
    pub parsed: Parsed,
    /// YAML slips that were read charitably.
    pub warnings: Vec<Diagnostic>,
    /// Where each line starts, so that locating a node costs no scan of the text.
    line_starts: Vec<usize>,
}

impl Document {
    /// The data.
    pub fn value(&self) -> &serde_json::Value {
        &self.parsed.value
    }

    /// Where the node at `pointer` sits, or its nearest ancestor that has a position.
    pub fn locate(&self, pointer: &str) -> Location {
        let mut probe = pointer;
        let pos = loop {
            if let Some(pos) = self.parsed.positions.get(probe) {
                break *pos;
            }
            match probe.rfind('/') {
                Some(index) => probe = &probe[..index],
                None => break Pos { line: 1, column: 1 },
            }
        };
        location_in(&self.location, &self.text, &self.line_starts, pos, pointer)
    }
}

/// Lines longer than this are quoted only around the column: in a minified file the line is
/// the whole file, and each diagnostic would carry a copy of it.
const MAX_QUOTED_LINE: usize = 400;

/// The byte offset where each line of `text` starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0).chain(text.match_indices('\n').map(|(index, _)| index + 1)).collect()
}

fn location_in(file: &str, text: &str, line_starts: &[usize], pos: Pos, pointer: &str) -> Location {
    let line = pos.line.checked_sub(1).and_then(|index| {
        let start = *line_starts.get(index)?;
        let end = line_starts.get(index + 1).map_or(text.len(), |next| next.saturating_sub(1));
        text.get(start..end)
    });
    let line = line.map(|line| line.strip_suffix('\r').unwrap_or(line));
    let (source_line, source_column) = match line {
        Some(line) if line.len() > MAX_QUOTED_LINE => {
            let (snippet, column) = snippet_around(line, pos.column);
            (Some(snippet), column)
        }
        Some(line) => (Some(line.to_owned()), pos.column),
        None => (None, 0),
    };
    Location { file: file.to_owned(), line: pos.line, column: pos.column, pointer: pointer.to_owned(), source_line, source_column }
}

/// Characters quoted on each side of the column from a line too long to quote whole.
const SNIPPET_RADIUS: usize = 60;

/// The part of `line` around the 1-based character `column`, with `…` where it was cut, and
/// the column within it.
fn snippet_around(line: &str, column: usize) -> (String, usize) {
    let at = column.saturating_sub(1);
    let start = at.saturating_sub(SNIPPET_RADIUS);
    let mut snippet: String = if start > 0 { "…".to_owned() } else { String::new() };
    let prefix = snippet.chars().count();
    let mut chars = line.chars().skip(start);
    snippet.extend(chars.by_ref().take(at - start + SNIPPET_RADIUS));
    if chars.next().is_some() {
        snippet.push('…');
    }
    (snippet, at - start + prefix + 1)
}

/// Loads and parses the document at `location`. `referrer` is where it was referenced from,
/// for the error when it cannot be read.
pub fn load_document(
    loader: &dyn Loader,
    location: &str,
    referrer: Option<Location>,
) -> Result<Document, Vec<Diagnostic>> {
    let bytes = loader.load(location).map_err(|error| {
        let mut diagnostic = Diagnostic::error(error.to_string(), referrer.clone());
        if referrer.is_none() {
            diagnostic.location = Some(Location {
                file: location.to_owned(),
                line: 0,
                column: 0,
                pointer: String::new(),
                source_line: None,
                source_column: 0,
            });
        }
        vec![diagnostic]
    })?;
    #[cfg(feature = "tracing")]
    if tracing::enabled!(tracing::Level::DEBUG) {
        let referrer = referrer.as_ref().map(|r| format!("{}#{}", r.file, r.pointer));
        tracing::debug!(
            location,
            bytes = bytes.len(),
            from = referrer.as_deref().unwrap_or("(the root)"),
            loader = loader.describe(location).as_str(),
            "loaded a document"
        );
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let text: Arc<str> = match std::str::from_utf8(bytes) {
        Ok(text) => Arc::from(text),
        Err(error) => {
            let offset = error.valid_up_to();
            let before = &bytes[..offset];
            let line = before.iter().filter(|b| **b == b'\n').count() + 1;
            let column = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
            return Err(vec![
                Diagnostic::error(
                    format!("the file is not valid UTF-8 (byte {offset})"),
                    Some(Location {
                        file: location.to_owned(),
                        line,
                        column,
                        pointer: String::new(),
                        source_line: None,
                        source_column: 0,
                    }),
                )
                .with_help("save the spec as UTF-8"),
            ]);
        }
    };
    // A JSON document is read as JSON, which YAML is not quite a superset of. What only looks
    // like JSON (a trailing comma, a comment) is read as YAML as before.
    let lines = line_starts(&text);
    let mut json_problems = None;
    if text.trim_start().starts_with(['{', '[']) {
        match json::parse(&text) {
            Ok(mut parsed) => {
                let mut warnings: Vec<Diagnostic> = std::mem::take(&mut parsed.warnings)
                    .into_iter()
                    .map(|problem| problem_warning(location, &text, &lines, problem))
                    .collect();
                warnings.extend(more_warnings(location, parsed.more_warnings));
                return Ok(Document { location: location.to_owned(), text, parsed, warnings, line_starts: lines });
            }
            Err(problems) => json_problems = Some(problems),
        }
    }
    let mut patched: Option<String> = None;
    let mut warnings = Vec::new();
    loop {
        let attempt = parse::parse(patched.as_deref().unwrap_or(&text));
        let problems = match attempt {
            Ok(mut parsed) => {
                if let Some(problem) = json_problems.take().and_then(|problems| problems.into_iter().next()) {
                    let mut warning = problem_warning(location, &text, &lines, problem);
                    warning.message = format!("not valid JSON, so read as YAML: {}", warning.message);
                    warnings.push(warning);
                }
                let parse_warnings = std::mem::take(&mut parsed.warnings);
                warnings.extend(parse_warnings.into_iter().map(|problem| problem_warning(location, &text, &lines, problem)));
                warnings.extend(more_warnings(location, parsed.more_warnings));
                return Ok(Document { location: location.to_owned(), text, parsed, warnings, line_starts: lines });
            }
            Err(problems) => match json_problems.take() {
                // Neither JSON nor YAML: the JSON error is the one that helps.
                Some(json) => return Err(json.into_iter().map(|p| problem_error(location, &text, &lines, p)).collect()),
                None => problems,
            },
        };
        if let ([problem], true) = (problems.as_slice(), warnings.len() < MAX_YAML_PATCHES) {
            let current = patched.as_deref().unwrap_or(&text);
            if let Some((fixed, what)) = patch_yaml(current, problem) {
                let mut warning = Diagnostic::warning(
                    format!("{}; read as if {what}", problem.message),
                    Some(location_in(location, &text, &lines, problem.pos, &problem.pointer)),
                );
                warning = warning.with_help("other YAML parsers may read this differently; fix the file");
                warnings.push(warning);
                patched = Some(fixed);
                continue;
            }
        }
        return Err(problems.into_iter().map(|problem| problem_error(location, &text, &lines, problem)).collect());
    }
}

fn problem_error(location: &str, text: &str, lines: &[usize], problem: ParseProblem) -> Diagnostic {
    let at = Some(location_in(location, text, lines, problem.pos, &problem.pointer));
    with_details(Diagnostic::error(problem.message, at), location, text, lines, problem.help, problem.related)
}

fn problem_warning(location: &str, text: &str, lines: &[usize], problem: ParseProblem) -> Diagnostic {
    let at = Some(location_in(location, text, lines, problem.pos, &problem.pointer));
    with_details(Diagnostic::warning(problem.message, at), location, text, lines, problem.help, problem.related)
}

/// The warning that stands for those the reader only counted.
fn more_warnings(location: &str, count: usize) -> Option<Diagnostic> {
    (count > 0).then(|| {
        let at = Location { file: location.to_owned(), line: 1, column: 1, pointer: String::new(), source_line: None, source_column: 0 };
        Diagnostic::warning(format!("... and {count} more warnings while reading this file"), Some(at))
    })
}

fn with_details(
    mut diagnostic: Diagnostic,
    location: &str,
    text: &str,
    lines: &[usize],
    help: Option<String>,
    related: Option<(Pos, String)>,
) -> Diagnostic {
    if let Some(help) = help {
        diagnostic = diagnostic.with_help(help);
    }
    if let Some((pos, pointer)) = related {
        diagnostic = diagnostic.with_related(location_in(location, text, lines, pos, &pointer));
    }
    diagnostic
}

/// How many YAML slips one file may have before we stop reading it charitably.
const MAX_YAML_PATCHES: usize = 64;

/// Fixes a YAML slip that common parsers accept and whose meaning is clear: a comment glued
/// to a value (`'x'# note`), and a quoted scalar whose continuation lines are not indented past
/// their key. Returns the patched text and what was assumed.
fn patch_yaml(text: &str, problem: &parse::ParseProblem) -> Option<(String, &'static str)> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    let index = problem.pos.line.checked_sub(1)?;
    if problem.message.contains("comments must be separated from other tokens by whitespace") {
        let line = lines.get_mut(index)?;
        let byte = line.char_indices().nth(problem.pos.column.checked_sub(1)?).map(|(b, _)| b)?;
        if line[byte..].starts_with('#') {
            line.insert(byte, ' ');
            return Some((lines.join("\n"), "there were a space before `#`"));
        }
        return None;
    }
    if problem.message.contains("invalid indentation in quoted scalar") {
        let first = lines.get(index)?;
        let key_indent = first.len() - first.trim_start().len();
        let start = first.char_indices().nth(problem.pos.column.checked_sub(1)?).map(|(b, _)| b)?;
        let quote = first[start..].chars().find(|c| *c == '\'' || *c == '"')?;
        let opening = first[start..].find(quote)? + start;
        let mut state = QuoteScan { quote, escaped: false };
        if state.closes(&first[opening + 1..]) {
            return None;
        }
        for line in lines.iter_mut().skip(index + 1) {
            let indent = line.len() - line.trim_start().len();
            if indent <= key_indent && !line.trim().is_empty() {
                line.insert_str(0, &" ".repeat(key_indent + 2 - indent));
            }
            if state.closes(line) {
                return Some((lines.join("\n"), "the quoted text's continuation lines were indented"));
            }
        }
    }
    None
}

/// Finds where a quoted scalar ends, across lines.
struct QuoteScan {
    quote: char,
    escaped: bool,
}

impl QuoteScan {
    /// Whether `text` contains the closing quote.
    fn closes(&mut self, text: &str) -> bool {
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if self.quote == '"' {
                if self.escaped {
                    self.escaped = false;
                } else if c == '\\' {
                    self.escaped = true;
                } else if c == '"' {
                    return true;
                }
            } else if c == '\'' {
                if chars.peek() == Some(&'\'') {
                    chars.next();
                } else {
                    return true;
                }
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glued_comments_and_underindented_quoted_text_are_read_with_a_warning() {
        let yaml = "a:\n  b: 'x'# note\n  c: 'one\n  two'\n  d: 1\n";
        let loader = MemoryLoader::new().with("x.yaml", yaml);
        let document = load_document(&loader, "x.yaml", None).map_err(|d| d.len());
        let document = match document {
            Ok(document) => document,
            Err(count) => panic!("{count} errors"),
        };
        assert_eq!(document.parsed.value, serde_json::json!({"a": {"b": "x", "c": "one two", "d": 1}}));
        assert_eq!(document.warnings.len(), 2);
        assert_eq!(document.warnings[0].location.as_ref().map(|l| (l.line, l.column)), Some((2, 9)));
        // Snippets show the file as written.
        assert_eq!(document.locate("/a/c").source_line.as_deref(), Some("  c: 'one"));
    }

    #[test]
    fn a_diagnostic_on_a_minified_spec_quotes_only_the_part_around_its_column() {
        let text = format!(r#"{{"a":"{}","bé":{{"c":1}},"z":"{}"}}"#, "x".repeat(5000), "y".repeat(5000));
        let loader = MemoryLoader::new().with("min.json", text.as_str());
        let Ok(document) = load_document(&loader, "min.json", None) else { panic!("the document loads") };
        let location = document.locate("/bé/c");
        assert_eq!((location.line, location.column), (1, 5015));
        let line = location.source_line.clone().unwrap_or_default();
        assert!(line.starts_with('…') && line.ends_with('…'), "{line}");
        assert_eq!(line.chars().count(), 2 * SNIPPET_RADIUS + 2);
        // The caret falls on the key's opening quote, as it does in the whole line.
        let from_caret: String = line.chars().skip(location.source_column - 1).take(4).collect();
        assert_eq!(from_caret, r#""c":"#);
        let rendered = Diagnostic::warning("here", Some(location)).render();
        assert!(rendered.lines().all(|l| l.chars().count() < 150), "{rendered}");
        let caret_line = rendered.lines().find(|l| l.ends_with('^')).unwrap_or_default();
        let quoted_line = rendered.lines().find(|l| l.contains('…')).unwrap_or_default();
        let caret_at = caret_line.chars().count() - 1;
        assert_eq!(quoted_line.chars().nth(caret_at), Some('"'), "{rendered}");
    }
}
