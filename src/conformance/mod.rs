//! The conformance run: manifest → generation (one child process per spec) → one `cargo check`
//! over all generated clients → report.

pub mod compile;
pub mod generate;
pub mod manifest;
pub mod options;
pub mod report;

use std::process::ExitCode;
use std::time::Instant;

use report::{Outcome, Row};

/// The hidden subcommand a child process runs to generate one spec.
pub const GENERATE_ONE: &str = "__generate-one";

/// Runs the whole conformance pass; the exit code fails on panics, hangs or a ratchet drop.
pub fn run(options: &options::Options) -> ExitCode {
    let started = Instant::now();
    let entries = match manifest::read(&options.corpus) {
        Ok(entries) => entries,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let entries: Vec<manifest::Entry> = entries
        .into_iter()
        .filter(|entry| options.only.is_empty() || options.only.iter().any(|id| *id == entry.id))
        .collect();
    if let Err(error) = std::fs::create_dir_all(options.out.join("src")) {
        eprintln!("error: cannot create {}: {error}", options.out.display());
        return ExitCode::from(2);
    }
    eprintln!("generating {} specs with {} jobs...", entries.len(), options.jobs);
    let mut rows: Vec<Row> = generate::generate_all(&entries, options);
    let generation_wall = started.elapsed();
    let mut compile_wall = None;
    if options.compile {
        let compiled_at = Instant::now();
        eprintln!("checking the generated clients...");
        if let Err(message) = compile::check_all(&mut rows, options) {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
        compile_wall = Some(compiled_at.elapsed());
        if options.time_biggest > 0 {
            if let Err(message) = compile::time_biggest(&mut rows, options, options.time_biggest) {
                eprintln!("error: {message}");
                return ExitCode::from(2);
            }
        }
    }
    let summary = report::markdown(&rows, options.compile, generation_wall, compile_wall, started.elapsed());
    if let Err(message) = report::write(&rows, &summary, options) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    println!("{summary}");

    let broken: Vec<&Row> = rows.iter().filter(|r| matches!(r.outcome, Outcome::Panic | Outcome::Timeout)).collect();
    let mut failed = false;
    for row in &broken {
        eprintln!("FAIL: {} {:?}: {}", row.id, row.outcome, row.message);
        failed = true;
    }
    if let Some(ratchet) = &options.ratchet {
        match report::check_ratchet(&rows, ratchet, options.update_ratchet, options.compile) {
            Ok(message) => eprintln!("{message}"),
            Err(message) => {
                eprintln!("FAIL: {message}");
                failed = true;
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
