//! Diagnostics that point into the spec: file, line, column, JSON pointer, what is wrong and
//! how to fix it.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Generation goes on; the output may not be what the spec author meant.
    Warning,
    /// Generation cannot go on.
    Error,
}

/// A place in a spec file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// The file, as the loader names it.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column, in characters; 0 when unknown.
    pub column: usize,
    /// JSON pointer of the node, e.g. `/paths/~1pets/get`.
    pub pointer: String,
    /// The source line, for rendering; of a very long line (a minified spec), the part around
    /// the column, cut where marked with `…`.
    #[serde(skip)]
    pub source_line: Option<String>,
    /// The 1-based column of the node within `source_line`: `column`, unless the line was cut.
    #[serde(skip)]
    pub source_column: usize,
}

/// One finding about a spec.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where, when known.
    pub location: Option<Location>,
    /// How to fix it, when there is a clear fix.
    pub help: Option<String>,
    /// Other places that matter, e.g. the first of two duplicate keys.
    pub related: Vec<Location>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(message: impl Into<String>, location: Option<Location>) -> Self {
        Self {
            severity: Severity::Error,
            message: message.into(),
            location,
            help: None,
            related: Vec::new(),
        }
    }

    /// A warning at `location`.
    pub fn warning(message: impl Into<String>, location: Option<Location>) -> Self {
        Self { severity: Severity::Warning, ..Self::error(message, location) }
    }

    /// Adds a hint on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a related location.
    pub fn with_related(mut self, location: Location) -> Self {
        self.related.push(location);
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The diagnostic with its source snippet, as the CLI prints it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let word = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!("{word}: {}\n", self.message));
        if let Some(location) = &self.location {
            render_location(&mut out, location);
        }
        for related in &self.related {
            out.push_str("  = note: see also\n");
            render_location(&mut out, related);
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out
    }
}

fn render_location(out: &mut String, location: &Location) {
    let pointer =
        if location.pointer.is_empty() { String::new() } else { format!(" at #{}", location.pointer) };
    out.push_str(&format!("  --> {}:{}:{}{pointer}\n", location.file, location.line, location.column));
    if let Some(line) = &location.source_line {
        let number = location.line.to_string();
        let pad = " ".repeat(number.len());
        let caret_pad: String = line
            .chars()
            .take(location.source_column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        out.push_str(&format!("  {pad} |\n  {number} | {line}\n  {pad} | {caret_pad}^\n"));
    }
}

impl Location {
    /// A location known only by its JSON pointer; [`Diagnostics::resolve_pointers`] fills in
    /// file, line and column later.
    pub fn pointer_only(pointer: impl Into<String>) -> Self {
        Self { file: String::new(), line: 0, column: 0, pointer: pointer.into(), source_line: None, source_column: 0 }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if !self.pointer.is_empty() {
            write!(f, " (#{})", self.pointer)?;
        }
        Ok(())
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// Diagnostics collected over a phase.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds one.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    /// The errors alone.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.is_error())
    }

    /// The warnings alone.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.is_error())
    }

    /// Fills in file, line and column of locations known only by pointer.
    pub fn resolve_pointers(&mut self, locate: impl Fn(&str) -> Option<Location>) {
        for diagnostic in &mut self.0 {
            if let Some(location) = &diagnostic.location {
                if location.file.is_empty() {
                    if let Some(found) = locate(&location.pointer) {
                        diagnostic.location = Some(found);
                    }
                }
            }
        }
    }

    /// Every diagnostic rendered with its snippet.
    pub fn render(&self) -> String {
        self.0.iter().map(Diagnostic::render).collect::<Vec<_>>().join("\n")
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<String> = self.errors().map(ToString::to_string).collect();
        match errors.as_slice() {
            [] => f.write_str("no errors"),
            [one] => f.write_str(one),
            [first, rest @ ..] => write!(f, "{first} (and {} more errors)", rest.len()),
        }
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_pointer_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Appends `/` and `segment`, escaped, to `pointer`: [`escape_pointer_segment`] without a
/// string of its own, for the walks that extend a pointer at every node.
pub fn push_pointer_segment(pointer: &mut String, segment: &str) {
    pointer.push('/');
    if !segment.contains(['~', '/']) {
        pointer.push_str(segment);
        return;
    }
    for c in segment.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Unescapes one JSON pointer segment (RFC 6901).
pub fn unescape_pointer_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushed_segments_are_escaped_like_escaped_ones() {
        for segment in ["plain", "a/b~c", "~1", "é/~", ""] {
            let mut pointer = String::from("/x");
            push_pointer_segment(&mut pointer, segment);
            assert_eq!(pointer, format!("/x/{}", escape_pointer_segment(segment)));
        }
    }
}
