//! One `cargo check` over every generated client, with each compiler error attributed to its
//! spec. Specs with errors are taken out and the rest checked again, since some errors stop
//! the compiler before it reaches others.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use super::generate::generated_dir;
use super::options::Options;
use super::report::{Outcome, Row};

/// How many crates the clients are spread over (they check in parallel). Smaller crates keep
/// rustc under a few GiB each: two shards of a quarter of the corpus each needed ~20 GiB.
const SHARDS: usize = 8;
/// Rounds of check-and-exclude before giving up on attributing errors.
const MAX_ROUNDS: usize = 6;

/// Checks all generated rows; marks them `Compiled` or `CompileError`.
pub fn check_all(rows: &mut [Row], options: &Options) -> Result<(), String> {
    let workspace = options.out.join("check");
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime");
    for round in 1..=MAX_ROUNDS {
        let candidates: Vec<usize> =
            rows.iter().enumerate().filter(|(_, r)| r.outcome == Outcome::Generated).map(|(i, _)| i).collect();
        if candidates.is_empty() {
            return Ok(());
        }
        write_workspace(&workspace, &runtime, rows, &candidates, options)?;
        let started = Instant::now();
        let output = cargo_check(&workspace, options)
            .arg("--message-format=json")
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let elapsed = started.elapsed();
        eprintln!("  round {round}: checked {} clients in {:.1}s", candidates.len(), elapsed.as_secs_f64());
        let errors = attribute(&String::from_utf8_lossy(&output.stdout), rows);
        if output.status.success() {
            for index in candidates {
                rows[index].outcome = Outcome::Compiled;
            }
            return Ok(());
        }
        if errors.is_empty() {
            return Err(format!(
                "cargo check failed without errors in generated code:\n{}{}",
                unattributed(&String::from_utf8_lossy(&output.stdout)),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        for (index, message) in errors {
            rows[index].outcome = Outcome::CompileError;
            rows[index].category = "compile".to_owned();
            rows[index].message = message;
        }
    }
    Err(format!("errors still appear after {MAX_ROUNDS} rounds"))
}

/// Times `cargo check` of each of the `count` biggest compiled clients alone (dependencies are
/// already built by the main check, so this is the client's own cost).
pub fn time_biggest(rows: &mut [Row], options: &Options, count: usize) -> Result<(), String> {
    let workspace = options.out.join("check-alone");
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime");
    let mut compiled: Vec<usize> =
        rows.iter().enumerate().filter(|(_, r)| r.outcome == Outcome::Compiled).map(|(i, _)| i).collect();
    compiled.sort_by_key(|i| std::cmp::Reverse(rows[*i].bytes));
    for index in compiled.into_iter().take(count) {
        write_workspace(&workspace, &runtime, rows, &[index], options)?;
        let started = Instant::now();
        let status = cargo_check(&workspace, options).status().map_err(|e| format!("cannot run cargo: {e}"))?;
        if status.success() {
            rows[index].check_ms = Some(started.elapsed().as_millis() as u64);
            eprintln!("  {} checked alone in {:.1}s", rows[index].id, started.elapsed().as_secs_f64());
        }
    }
    Ok(())
}

/// `cargo check` of a generated workspace, in the shared target directory.
fn cargo_check(workspace: &Path, options: &Options) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(["check", "--workspace", "--quiet", "--manifest-path"])
        .arg(workspace.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", options.out.join("target"))
        // Each run writes a new workspace, so incremental state is never reused; it would take
        // 2 to 3 GB of disk per shard.
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS");
    command
}

fn write_workspace(
    workspace: &Path,
    runtime: &Path,
    rows: &[Row],
    candidates: &[usize],
    options: &Options,
) -> Result<(), String> {
    let io = |e: std::io::Error| format!("cannot write the check workspace: {e}");
    let _ = std::fs::remove_dir_all(workspace);
    // Balance the shards by size: biggest first, each to the lightest shard.
    let mut order: Vec<usize> = candidates.to_vec();
    order.sort_by_key(|i| std::cmp::Reverse(rows[*i].bytes));
    let mut shards: Vec<(u64, Vec<usize>)> = vec![(0, Vec::new()); SHARDS];
    for index in order {
        if let Some(lightest) = shards.iter_mut().min_by_key(|(size, _)| *size) {
            lightest.0 += rows[index].bytes;
            lightest.1.push(index);
        }
    }
    let generated = std::fs::canonicalize(generated_dir(options)).map_err(io)?;
    let mut members = Vec::new();
    for (number, (_, indices)) in shards.iter().enumerate().filter(|(_, (_, i))| !i.is_empty()) {
        let name = format!("shard_{number}");
        let dir = workspace.join(&name);
        std::fs::create_dir_all(dir.join("src")).map_err(io)?;
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"conformance-{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [dependencies]\nspecwright-runtime = {{ path = {:?} }}\n",
                runtime.display().to_string()
            ),
        )
        .map_err(io)?;
        let mut lib = String::from("#![deny(warnings)]\n");
        let mut sorted = indices.clone();
        sorted.sort();
        for index in sorted {
            let module = &rows[index].module;
            let path = generated.join(format!("{module}.rs"));
            lib.push_str(&format!("#[path = {:?}]\npub mod {module};\n", path.display().to_string()));
        }
        std::fs::write(dir.join("src/lib.rs"), lib).map_err(io)?;
        members.push(format!("{name:?}"));
    }
    std::fs::write(
        workspace.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", members.join(", ")),
    )
    .map_err(io)?;
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock");
    if lock.is_file() {
        std::fs::copy(lock, workspace.join("Cargo.lock")).map_err(io)?;
    }
    Ok(())
}

/// The rendered text of every compiler error, for failures no row can be blamed for.
fn unattributed(json_lines: &str) -> String {
    json_lines
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-message" && message["message"]["level"] == "error")
        .filter_map(|message| message["message"]["rendered"].as_str().map(str::to_owned))
        .collect()
}

/// Maps each compiler error to the row whose file it points into: row index → first message.
fn attribute(json_lines: &str, rows: &[Row]) -> BTreeMap<usize, String> {
    let by_module: BTreeMap<&str, usize> = rows.iter().enumerate().map(|(i, r)| (r.module.as_str(), i)).collect();
    let mut errors = BTreeMap::new();
    for line in json_lines.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if message["reason"] != "compiler-message" || message["message"]["level"] != "error" {
            continue;
        }
        let spans = message["message"]["spans"].as_array().cloned().unwrap_or_default();
        let file = spans
            .iter()
            .find(|s| s["is_primary"] == true)
            .or(spans.first())
            .and_then(|s| s["file_name"].as_str())
            .map(PathBuf::from);
        let Some(stem) = file.as_deref().and_then(Path::file_stem).and_then(|s| s.to_str()) else { continue };
        if let Some(index) = by_module.get(stem) {
            let text = message["message"]["message"].as_str().unwrap_or_default();
            let line = spans.first().and_then(|s| s["line_start"].as_u64()).unwrap_or(0);
            errors.entry(*index).or_insert_with(|| format!("{text} (line {line})"));
        }
    }
    errors
}
