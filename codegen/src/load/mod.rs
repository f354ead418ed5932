//! Stage 1: bytes from a [`Loader`] become parsed documents that remember where each node sits.

mod loader;
mod parse;

use std::sync::Arc;

pub use loader::{FsLoader, LoadError, Loader, MemoryLoader, is_url, join_location};
pub use parse::{Parsed, Pos};

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
        location_in(&self.location, &self.text, pos, pointer)
    }
}

fn location_in(file: &str, text: &str, pos: Pos, pointer: &str) -> Location {
    Location {
        file: file.to_owned(),
        line: pos.line,
        column: pos.column,
        pointer: pointer.to_owned(),
        source_line: text.lines().nth(pos.line.saturating_sub(1)).map(str::to_owned),
    }
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
            });
        }
        vec![diagnostic]
    })?;
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
                    }),
                )
                .with_help("save the spec as UTF-8"),
            ]);
        }
    };
    match parse::parse(&text) {
        Ok(parsed) => Ok(Document { location: location.to_owned(), text, parsed }),
        Err(problems) => Err(problems
            .into_iter()
            .map(|problem| {
                let mut diagnostic = Diagnostic::error(
                    problem.message,
                    Some(location_in(location, &text, problem.pos, &problem.pointer)),
                );
                if let Some(help) = problem.help {
                    diagnostic = diagnostic.with_help(help);
                }
                if let Some((pos, pointer)) = problem.related {
                    diagnostic = diagnostic.with_related(location_in(location, &text, pos, &pointer));
                }
                diagnostic
            })
            .collect()),
    }
}
