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
    /// The generator produced tokens that are not valid Rust: a bug in specwright.
    #[error("internal error: generated code does not parse ({message}); please report this with the spec")]
    Internal {
        /// The parser's message and the offending tokens' neighbourhood.
        message: String,
    },
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
