//! The generator's error type.

use std::path::PathBuf;

use crate::diagnostic::Diagnostics;

/// Why generation failed.
///
/// `Debug` renders the diagnostics with their source snippets, so that a build script that
/// returns this error with `?` shows them readably.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The spec has errors; each diagnostic names file, line, column and JSON pointer.
    #[error("the spec has errors: {0}")]
    Spec(Diagnostics),
    /// Writing the output failed.
    #[error("could not write {}: {source}", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// No output path was given and `OUT_DIR` is not set (we are not in a build script).
    #[error("OUT_DIR is not set: call `generate()` from a build script, or set an output path with `output_file`")]
    NoOutDir,
    /// A tag or operation given to [`crate::Generator::tags`] or [`crate::Generator::operations`]
    /// is not in the spec.
    #[error("{kind} `{name}` is not in the spec{}", suggestion(close_matches))]
    NotInSpec {
        /// Tag or operation.
        kind: SubsetKind,
        /// The name as given.
        name: String,
        /// Up to five names of the spec close to it, nearest first.
        close_matches: Vec<String>,
    },
    /// The generator produced tokens that are not valid Rust: a bug in specwright.
    #[error("internal error: generated code does not parse ({message}); please report this with the spec")]
    Internal {
        /// The parser's message and the offending tokens' neighbourhood.
        message: String,
    },
}

/// What a subset names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubsetKind {
    /// A tag.
    Tag,
    /// An operation: an operationId or `METHOD /path`.
    Operation,
}

impl std::fmt::Display for SubsetKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Tag => "tag",
            Self::Operation => "operation",
        })
    }
}

fn suggestion(close_matches: &[String]) -> String {
    if close_matches.is_empty() {
        return String::new();
    }
    let listed: Vec<String> = close_matches.iter().map(|name| format!("`{name}`")).collect();
    format!("; close matches: {}", listed.join(", "))
}

impl Error {
    /// The spec diagnostics, if that is what failed.
    pub fn diagnostics(&self) -> Option<&Diagnostics> {
        match self {
            Self::Spec(diagnostics) => Some(diagnostics),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Spec(diagnostics) => write!(f, "the spec has errors:\n\n{}", diagnostics.render()),
            other => write!(f, "{other}"),
        }
    }
}
