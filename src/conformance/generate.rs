//! Generation, one child process per spec, so that a panic, an abort or a hang costs that spec
//! alone.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::manifest::Entry;
use super::options::Options;
use super::report::{Outcome, Row};

/// The module (and file) name of a spec's generated client.
pub fn module_name(index: usize, id: &str) -> String {
    let mut name = specwright_codegen::ident::snake_name(id);
    name.truncate(60);
    format!("s{index:03}_{}", name.trim_start_matches('_'))
}

/// Where the generated clients go.
pub fn generated_dir(options: &Options) -> PathBuf {
    options.out.join("generated")
}

/// Generates every entry with `options.jobs` children at a time.
pub fn generate_all(entries: &[Entry], options: &Options) -> Vec<Row> {
    let queue = Mutex::new(entries.iter().enumerate());
    let rows = Mutex::new(Vec::new());
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("specwright-conformance"));
    let _ = std::fs::create_dir_all(generated_dir(options));
    std::thread::scope(|scope| {
        for _ in 0..options.jobs {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().map(|mut q| q.next()).unwrap_or(None);
                    let Some((index, entry)) = next else { break };
                    let row = generate_one(&exe, index, entry, options);
                    eprintln!("  {:<14} {}", format!("{:?}", row.outcome), row.id);
                    if let Ok(mut rows) = rows.lock() {
                        rows.push(row);
                    }
                }
            });
        }
    });
    let mut rows = rows.into_inner().unwrap_or_default();
    rows.sort_by(|a, b| a.index.cmp(&b.index));
    rows
}

fn generate_one(exe: &Path, index: usize, entry: &Entry, options: &Options) -> Row {
    let module = module_name(index, &entry.id);
    let output = generated_dir(options).join(format!("{module}.rs"));
    let mut row = Row::new(index, entry, module);
    let started = Instant::now();
    let child = Command::new(exe)
        .arg(super::GENERATE_ONE)
        .arg(&options.corpus)
        .arg(&entry.local_path)
        .arg(&output)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(error) => {
            row.outcome = Outcome::Panic;
            row.message = format!("could not start the generator: {error}");
            return row;
        }
    };
    let deadline = started + Duration::from_secs(options.timeout_secs);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(_) => break None,
        }
    };
    row.generate_ms = started.elapsed().as_millis() as u64;
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stdout.take() {
        let _ = pipe.read_to_string(&mut stdout);
    }
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let Some(status) = status else {
        row.outcome = Outcome::Timeout;
        row.message = format!("generation took longer than {}s", options.timeout_secs);
        return row;
    };
    let report: Option<serde_json::Value> = stdout.lines().last().and_then(|l| serde_json::from_str(l).ok());
    match (status.code(), report) {
        (Some(0), Some(report)) => {
            row.outcome = Outcome::Generated;
            row.operations = report["operations"].as_u64().unwrap_or(0);
            row.types = report["types"].as_u64().unwrap_or(0);
            row.warnings = report["warnings"].as_u64().unwrap_or(0);
        }
        (Some(1), Some(report)) => {
            row.outcome = Outcome::GenerateError;
            row.message = report["message"].as_str().unwrap_or_default().to_owned();
            row.category = report["category"].as_str().unwrap_or("other").to_owned();
        }
        _ => {
            row.outcome = Outcome::Panic;
            let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
            row.message = format!("exit {status}: {}", tail.into_iter().rev().collect::<Vec<_>>().join(" | "));
        }
    }
    row
}

/// The child: generates one spec and prints one JSON line about it.
pub fn child_main(args: &[String]) -> ExitCode {
    let [corpus, local_path, output] = args else {
        eprintln!("usage: {} CORPUS_DIR LOCAL_PATH OUTPUT", super::GENERATE_ONE);
        return ExitCode::from(2);
    };
    let spec = Path::new(corpus).join(local_path);
    let mut generator = specwright_codegen::Generator::new(&spec);
    generator.root(corpus);
    match generator.generate_code() {
        Ok(generated) => {
            if let Err(error) = std::fs::write(output, &generated.code) {
                eprintln!("cannot write {output}: {error}");
                return ExitCode::from(2);
            }
            let report = serde_json::json!({
                "operations": generated.ir.operations.len(),
                "types": generated.ir.types.types.len(),
                "warnings": generated.warnings.warnings().count(),
            });
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            let first = error
                .diagnostics()
                .and_then(|d| d.errors().next().map(ToString::to_string))
                .unwrap_or_else(|| error.to_string());
            let report = serde_json::json!({"message": first, "category": category(&first)});
            println!("{report}");
            ExitCode::from(1)
        }
    }
}

/// A coarse class of a generation error, for the summary.
fn category(message: &str) -> &'static str {
    if message.contains("YAML syntax error") {
        "yaml-syntax"
    } else if message.contains("alias") {
        "yaml-alias"
    } else if message.contains("not found") || message.contains("cannot be loaded") {
        "missing-file"
    } else if message.contains("outside the allowed root") {
        "outside-root"
    } else if message.contains("not an OpenAPI document") || message.contains("unsupported") {
        "not-openapi"
    } else if message.contains("invalid OpenAPI document") {
        "invalid-document"
    } else if message.contains("internal error") {
        "internal"
    } else {
        "other"
    }
}
