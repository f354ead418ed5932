//! The conformance runner: generates a client for every spec of a corpus, compiles them all,
//! and reports which specs became clients.
//!
//! ```text
//! cargo run --release -p specwright-conformance -- CORPUS_DIR [--out DIR] [--only ID...]
//!     [--no-compile] [--jobs N] [--timeout SECS] [--summary FILE]
//!     [--ratchet FILE [--update-ratchet]]
//! ```
//!
//! `CORPUS_DIR` holds a `manifest.tsv` with at least the columns `id`, `local_path` and
//! `format`. Each spec is generated in a child process (so a panic or a hang costs that spec
//! alone), then all generated clients are checked together under `#![deny(warnings)]` and every
//! compiler error is attributed to its spec.

mod conformance;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some(conformance::GENERATE_ONE) {
        return conformance::generate::child_main(&args[1..]);
    }
    match conformance::options::Options::parse(&args) {
        Ok(options) => conformance::run(&options),
        Err(message) => {
            eprintln!("{message}\n\n{}", conformance::options::USAGE);
            ExitCode::from(2)
        }
    }
}
