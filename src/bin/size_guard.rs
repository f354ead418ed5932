//! The generated-size guard: generates each spec of `conformance/size-ratchet.txt` and fails
//! when its code grew by more than the tolerance, so that growth is a decision.
//!
//! ```text
//! cargo run --release -p specwright-conformance --bin size-guard -- [--bless] [--corpus DIR]
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use specwright_conformance::size_ratchet::{self, Ratchet, Verdict};

const RATCHET: &str = "conformance/size-ratchet.txt";
const BLESS_COMMAND: &str = "cargo run --release -p specwright-conformance --bin size-guard -- --bless";

fn main() -> ExitCode {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut corpus = repo.join("../shared/corpus");
    let mut bless = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bless" => bless = true,
            "--corpus" => match args.next() {
                Some(dir) => corpus = PathBuf::from(dir),
                None => {
                    eprintln!("error: --corpus needs a directory");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("error: unknown argument `{other}`\nusage: {BLESS_COMMAND} [--corpus DIR]");
                return ExitCode::from(2);
            }
        }
    }
    size_guard(&repo, &corpus, bless)
}

fn size_guard(repo: &Path, corpus: &Path, bless: bool) -> ExitCode {
    let path = repo.join(RATCHET);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let mut ratchet = match Ratchet::parse(&text) {
        Ok(ratchet) => ratchet,
        Err(e) => {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    };
    let mut failed = false;
    let mut shrunk = false;
    for entry in &mut ratchet.entries {
        let spec = match entry.spec.strip_prefix("corpus:") {
            Some(relative) => corpus.join(relative),
            None => repo.join(&entry.spec),
        };
        let bytes = match specwright_codegen::Generator::new(&spec).generate_code() {
            Ok(generated) => generated.code.len() as u64,
            Err(problem) => {
                println!("FAIL {}: does not generate: {problem}", entry.spec);
                failed = true;
                continue;
            }
        };
        let change = size_ratchet::change(entry.bytes, bytes);
        match size_ratchet::judge(entry.bytes, bytes) {
            Verdict::Grew if !bless => {
                println!(
                    "FAIL {}: {bytes} bytes, ratchet {} ({change}, more than +{}%)",
                    entry.spec,
                    entry.bytes,
                    size_ratchet::TOLERANCE_PERCENT
                );
                failed = true;
            }
            Verdict::Shrunk if !bless => {
                println!("ok   {}: {bytes} bytes, ratchet {} ({change}; bless to tighten)", entry.spec, entry.bytes);
                shrunk = true;
            }
            _ => println!("ok   {}: {bytes} bytes, ratchet {} ({change})", entry.spec, entry.bytes),
        }
        if bless {
            entry.bytes = bytes;
        }
    }
    if bless {
        if failed {
            eprintln!("error: not blessed: a spec did not generate");
            return ExitCode::FAILURE;
        }
        if let Err(e) = std::fs::write(&path, ratchet.render()) {
            eprintln!("error: {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        println!("blessed {}", path.display());
        return ExitCode::SUCCESS;
    }
    if failed {
        println!(
            "\nThe generated code grew. If that is intended, re-bless with `{BLESS_COMMAND}` and commit {RATCHET}."
        );
        return ExitCode::FAILURE;
    }
    if shrunk {
        println!("\nThe generated code shrank: `{BLESS_COMMAND}` tightens the ratchet.");
    }
    ExitCode::SUCCESS
}
