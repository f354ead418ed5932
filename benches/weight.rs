//! The compile weight of generated clients: for each spec, the generated size, the time of each
//! generator stage, and what `cargo check` (and optionally a debug `cargo build`) of the client
//! alone costs in wall time and peak memory, its dependencies prebuilt.
//!
//! ```text
//! cargo bench -p specwright-conformance --bench weight -- [OPTIONS] [SPEC | NAME=SPEC ...]
//!   --runs N                   median of N checks (and builds) per client (default 1)
//!   --build                    also time a debug `cargo build` of each client
//!   --generate-only            only generate (sizes and stage times), no cargo runs
//!   --baseline-generator BIN   also measure another `specwright` binary (an older commit) ...
//!   --baseline-runtime DIR     ... whose clients compile against this runtime directory
//!   --peers                    also measure progenitor and openapi-to-rust (installed once into
//!                              target/bench-tools)
//!   --corpus DIR               where relative SPECs are looked up (default ../shared/corpus)
//! ```
//!
//! Work directory: `target/weight/` (one cargo workspace per generator, one shared target dir).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use specwright_codegen::{FsLoader, emit, ir, normalize, resolve};

/// Corpus specs of every size class, from nexus (small) to OpenAI and GitHub (the largest).
const DEFAULT_SPECS: &[(&str, &str)] = &[
    ("nexus", "progenitor/sample_openapi/nexus.json"),
    ("github", "progenitor/sample_openapi/api.github.com.json"),
    ("openai", "openai/openapi.yaml"),
    ("linode", "linode/openapi.yaml"),
    ("asana", "asana/defs/asana_oas.yaml"),
    ("pagerduty", "pagerduty/reference/REST/openapiv3.json"),
    ("gcp-compute", "apis-guru/APIs/googleapis.com/compute/v1/openapi.yaml"),
    ("azure-webapps", "apis-guru/APIs/azure.com/web-WebApps/2019-08-01/swagger.yaml"),
    ("box", "box/openapi.json"),
];

const PROGENITOR: (&str, &str, &str) = ("cargo-progenitor", "0.15.1", "cargo-progenitor");
const OPENAPI_TO_RUST: (&str, &str, &str) = ("openapi-to-rust", "0.23.0", "openapi-to-rust");

struct Options {
    runs: usize,
    build: bool,
    /// Only generate: sizes and generation times, no `cargo check` or build.
    generate_only: bool,
    baseline: Option<(PathBuf, PathBuf)>,
    peers: bool,
    corpus: PathBuf,
    specs: Vec<(String, PathBuf)>,
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("error: {problem}");
    eprintln!(
        "usage: cargo bench -p specwright-conformance --bench weight -- [--runs N] [--build] \
         [--baseline-generator BIN --baseline-runtime DIR] [--peers] [--corpus DIR] [SPEC | NAME=SPEC ...]"
    );
    ExitCode::from(2)
}

fn parse_options(repo: &Path) -> Result<Options, String> {
    let mut options = Options {
        runs: 1,
        build: false,
        generate_only: false,
        baseline: None,
        peers: false,
        corpus: repo.join("../shared/corpus"),
        specs: Vec::new(),
    };
    let (mut generator, mut runtime) = (None, None);
    let mut positional = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            // `cargo bench` passes `--bench` to every bench target.
            "--bench" => {}
            "--runs" => {
                options.runs = value("--runs")?.parse().map_err(|_| "--runs needs a positive number".to_owned())?;
                if options.runs == 0 {
                    return Err("--runs needs a positive number".to_owned());
                }
            }
            "--build" => options.build = true,
            "--generate-only" => options.generate_only = true,
            "--baseline-generator" => generator = Some(PathBuf::from(value(&arg)?)),
            "--baseline-runtime" => runtime = Some(PathBuf::from(value(&arg)?)),
            "--peers" => options.peers = true,
            "--corpus" => options.corpus = PathBuf::from(value(&arg)?),
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`")),
            _ => positional.push(arg),
        }
    }
    options.baseline = match (generator, runtime) {
        (Some(generator), Some(runtime)) => Some((absolute(&generator), absolute(&runtime))),
        (None, None) => None,
        _ => return Err("--baseline-generator and --baseline-runtime go together".to_owned()),
    };
    options.specs = if positional.is_empty() {
        DEFAULT_SPECS.iter().map(|(name, spec)| ((*name).to_owned(), options.corpus.join(spec))).collect()
    } else {
        positional
            .iter()
            .map(|arg| match arg.split_once('=') {
                Some((name, spec)) => (crate_safe(name), spec_path(&options.corpus, spec)),
                None => (crate_safe(&stem_name(arg)), spec_path(&options.corpus, arg)),
            })
            .collect()
    };
    Ok(options)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// A path as given if it exists, else relative to the corpus.
fn spec_path(corpus: &Path, spec: &str) -> PathBuf {
    let given = PathBuf::from(spec);
    if given.exists() { absolute(&given) } else { corpus.join(spec) }
}

fn stem_name(spec: &str) -> String {
    Path::new(spec).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "spec".to_owned())
}

/// Lowercase letters, digits and `-`: usable in a package name.
fn crate_safe(name: &str) -> String {
    let name: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    if name.is_empty() { "spec".to_owned() } else { name }
}

fn main() -> ExitCode {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let options = match parse_options(&repo) {
        Ok(options) => options,
        Err(problem) => return usage(&problem),
    };
    match weigh(&repo, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("error: {problem}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Generation

/// One generator's output for one spec.
struct Generated {
    /// Bytes and lines of all generated `.rs` files.
    bytes: u64,
    lines: u64,
    /// The stages (load+resolve, normalize, ir, emit) when run in process, else `None`.
    stages: Option<[Duration; 4]>,
    total: Duration,
}

/// Runs the library stages the way `Generator::generate_code` does, timing each.
fn generate_in_process(spec: &Path) -> Result<(String, usize, [Duration; 4]), String> {
    let root = spec.parent().map(Path::to_owned).unwrap_or_default();
    let loader = FsLoader::new(&root);
    let location = spec.display().to_string();
    let diagnostics = |d: specwright_codegen::Diagnostics| {
        let first = d.errors().next().map(|e| e.to_string()).unwrap_or_default();
        format!("{} error(s), first: {first}", d.errors().count())
    };
    let started = Instant::now();
    let (mut bundle, _) = resolve::resolve(&loader, &location).map_err(diagnostics)?;
    let t_resolve = started.elapsed();
    let started = Instant::now();
    let (normalized, _) = normalize::normalize_taking(&mut bundle).map_err(diagnostics)?;
    let t_normalize = started.elapsed();
    let started = Instant::now();
    let (model, warnings) = ir::build(&normalized, &ir::Options::default());
    let t_ir = started.elapsed();
    if warnings.has_errors() {
        return Err(diagnostics(warnings));
    }
    let source_name = spec.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let started = Instant::now();
    let code = emit::emit(&model, &source_name).map_err(|e| e.to_string())?;
    let t_emit = started.elapsed();
    Ok((code, model.operations.len(), [t_resolve, t_normalize, t_ir, t_emit]))
}

/// How an external generator ended when it did not succeed.
fn failure(output: &std::process::Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let what = if output.status.code() == Some(101) || stderr.contains("panicked at") {
        "panicked"
    } else {
        "failed"
    };
    // Some tools say why on stdout (progenitor: `gen fail: ...`), the rest on stderr.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let said = |text: &str| text.lines().rev().find(|l| !l.trim().is_empty()).map(str::to_owned);
    let reason = stdout.lines().find(|l| l.starts_with("gen fail")).map(str::to_owned);
    let reason = reason.or_else(|| said(&stderr)).or_else(|| said(&stdout)).unwrap_or_default();
    let last = reason.trim();
    let last: String = last.chars().take(100).collect();
    format!("{what} ({}): {last}", output.status)
}

fn run_generator(mut command: Command) -> Result<Duration, String> {
    let started = Instant::now();
    let output = command.output().map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    let elapsed = started.elapsed();
    if output.status.success() { Ok(elapsed) } else { Err(failure(&output)) }
}

/// Bytes and lines of every `.rs` file under `dir`.
fn rust_size(dir: &Path) -> (u64, u64) {
    let mut total = (0, 0);
    let Ok(entries) = std::fs::read_dir(dir) else { return total };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let (bytes, lines) = rust_size(&path);
            total = (total.0 + bytes, total.1 + lines);
        } else if path.extension().is_some_and(|e| e == "rs") {
            if let Ok(text) = std::fs::read_to_string(&path) {
                total = (total.0 + text.len() as u64, total.1 + text.lines().count() as u64);
            }
        }
    }
    total
}

fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(path, contents).map_err(|e| format!("{}: {e}", path.display()))
}

/// A crate compiled the way a user's crate would include the module: warnings denied, so that a
/// generator whose output warns is caught, and `dead_code` allowed as nothing calls the client.
const SPECWRIGHT_LIB: &str = "#![deny(warnings)]\n#![allow(dead_code)]\npub mod api { include!(\"gen.rs\"); }\n";

fn package(name: &str, dependencies: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n{dependencies}\n")
}

/// The generators of this run, each with its own cargo workspace under `target/weight/`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tool {
    Specwright,
    Baseline,
    Progenitor,
    OpenapiToRust,
}

impl Tool {
    fn label(self) -> &'static str {
        match self {
            Tool::Specwright => "specwright",
            Tool::Baseline => "baseline",
            Tool::Progenitor => "progenitor",
            Tool::OpenapiToRust => "openapi-to-rust",
        }
    }
    fn dir(self) -> &'static str {
        match self {
            Tool::Specwright => "specwright",
            Tool::Baseline => "baseline",
            Tool::Progenitor => "progenitor",
            Tool::OpenapiToRust => "openapi-to-rust",
        }
    }
}

/// Generates `spec` with `tool` into the crate `workspace/name`; returns the crate's
/// `[dependencies]` text with the result.
fn generate(
    tool: Tool,
    tools: &Tools,
    workspace: &Path,
    name: &str,
    spec: &Path,
) -> Result<(Generated, String, Option<usize>), String> {
    let dir = workspace.join(name);
    // A stale crate from an earlier run must not be measured if this generation fails.
    let _ = std::fs::remove_dir_all(&dir);
    match tool {
        Tool::Specwright | Tool::Baseline => {
            let runtime = match (tool, &tools.baseline_runtime) {
                (Tool::Baseline, Some(runtime)) => runtime.clone(),
                _ => tools.runtime.clone(),
            };
            let dependencies = format!("[dependencies]\nspecwright-runtime = {{ path = {:?} }}", runtime.display().to_string());
            let out = dir.join("src/gen.rs");
            let (generated, operations) = if tool == Tool::Specwright {
                let started = Instant::now();
                let (code, operations, stages) = generate_in_process(spec)?;
                let total = started.elapsed();
                write(&out, &code)?;
                let generated = Generated { bytes: code.len() as u64, lines: code.lines().count() as u64, stages: Some(stages), total };
                (generated, Some(operations))
            } else {
                std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
                let mut command = Command::new(tools.baseline_generator.as_deref().unwrap_or(Path::new("specwright")));
                command.arg("generate").arg(spec).arg("-o").arg(&out);
                let total = run_generator(command)?;
                let (bytes, lines) = rust_size(&dir.join("src"));
                (Generated { bytes, lines, stages: None, total }, None)
            };
            write(&dir.join("src/lib.rs"), SPECWRIGHT_LIB)?;
            write(&dir.join("Cargo.toml"), &package(name, &dependencies))?;
            Ok((generated, dependencies, operations))
        }
        Tool::Progenitor => {
            let bin = tools.progenitor.as_deref().ok_or("progenitor is not installed")?;
            let mut command = Command::new(bin);
            command.arg("progenitor").arg("-i").arg(spec).arg("-o").arg(&dir).arg("-n").arg(name).arg("-v").arg("0.0.0");
            let total = run_generator(command)?;
            let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).map_err(|e| format!("no Cargo.toml: {e}"))?;
            // Its crate's own dependency list, to prebuild the same set.
            let dependencies = match manifest.find("[dependencies]") {
                Some(start) => {
                    let rest = &manifest[start..];
                    let end = rest[1..].find("\n[").map(|i| i + 1).unwrap_or(rest.len());
                    rest[..end].to_owned()
                }
                None => String::new(),
            };
            let (bytes, lines) = rust_size(&dir.join("src"));
            Ok((Generated { bytes, lines, stages: None, total }, dependencies, None))
        }
        Tool::OpenapiToRust => {
            let bin = tools.openapi_to_rust.as_deref().ok_or("openapi-to-rust is not installed")?;
            let module = dir.join("src/api");
            let mut command = Command::new(bin);
            command.arg("generate").arg(spec).arg("--output-dir").arg(&module).arg("--module-name").arg("api").arg("--quiet");
            let total = run_generator(command)?;
            // It lists the dependencies its output needs next to the module.
            let dependencies = std::fs::read_to_string(module.join("REQUIRED_DEPS.toml"))
                .map_err(|e| format!("no REQUIRED_DEPS.toml: {e}"))?;
            let dependencies = dependencies.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
            // Measured as generated: its output is not held to `deny(warnings)`.
            write(&dir.join("src/lib.rs"), "pub mod api;\n")?;
            write(&dir.join("Cargo.toml"), &package(name, &dependencies))?;
            let (bytes, lines) = rust_size(&module);
            Ok((Generated { bytes, lines, stages: None, total }, dependencies, None))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Peers

struct Tools {
    runtime: PathBuf,
    baseline_generator: Option<PathBuf>,
    baseline_runtime: Option<PathBuf>,
    progenitor: Option<PathBuf>,
    openapi_to_rust: Option<PathBuf>,
}

/// Installs a pinned crate's binary into `target/bench-tools` unless it is there already.
fn install(repo: &Path, (krate, version, bin): (&str, &str, &str)) -> Result<PathBuf, String> {
    let root = repo.join("target/bench-tools");
    let path = root.join("bin").join(bin);
    let marker = root.join(format!("{krate}-{version}.installed"));
    if path.is_file() && marker.is_file() {
        return Ok(path);
    }
    eprintln!("installing {krate} {version} into {} (once)", root.display());
    let status = Command::new(cargo())
        .args(["install", "--locked", "--root"])
        .arg(&root)
        .args([krate, "--version", version])
        .env("CARGO_TARGET_DIR", root.join("build"))
        .status()
        .map_err(|e| format!("cannot run cargo install: {e}"))?;
    if !status.success() {
        return Err(format!("cargo install {krate} {version} failed ({status})"));
    }
    write(&marker, "")?;
    Ok(path)
}

// ---------------------------------------------------------------------------------------------
// Compiling

fn cargo() -> PathBuf {
    std::env::var_os("CARGO").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("cargo"))
}

/// Wall seconds and peak RSS (KB) of one cargo command: `/usr/bin/time` reports the largest
/// process of the tree, which is the rustc of the crate being checked.
fn timed_cargo(workspace: &Path, target: &Path, args: &[&str]) -> Result<(f64, Option<u64>), String> {
    let report = target.join("time.txt");
    let gnu_time = Path::new("/usr/bin/time");
    let mut command = if gnu_time.is_file() {
        let mut command = Command::new(gnu_time);
        command.args(["-f", "%e %M", "-o"]).arg(&report).arg(cargo());
        command
    } else {
        Command::new(cargo())
    };
    command
        .args(args)
        .current_dir(workspace)
        .env("CARGO_TARGET_DIR", target)
        // Measures a clean compile of the crate each time, as a CI build or a first build does.
        .env("CARGO_INCREMENTAL", "0");
    let started = Instant::now();
    let output = command.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    let elapsed = started.elapsed().as_secs_f64();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().find(|l| l.starts_with("error")).unwrap_or("").to_owned();
        return Err(format!("cargo {} failed: {first}", args.join(" ")));
    }
    if !gnu_time.is_file() {
        return Ok((elapsed, None));
    }
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let mut fields = text.split_whitespace();
    let seconds = fields.next().and_then(|s| s.parse().ok()).unwrap_or(elapsed);
    let rss = fields.next().and_then(|s| s.parse().ok());
    Ok((seconds, rss))
}

fn touch(path: &Path) -> Result<(), String> {
    let file = std::fs::OpenOptions::new().append(true).open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    file.set_modified(std::time::SystemTime::now()).map_err(|e| format!("{}: {e}", path.display()))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// Median wall seconds and median peak RSS (KB) over `runs` of `touch lib.rs; cargo CMD -p NAME`.
fn measure(workspace: &Path, target: &Path, name: &str, command: &str, runs: usize) -> Result<(f64, Option<f64>), String> {
    let lib = workspace.join(name).join("src/lib.rs");
    let (mut seconds, mut rss) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        touch(&lib)?;
        let (s, kb) = timed_cargo(workspace, target, &[command, "-q", "-p", name])?;
        seconds.push(s);
        rss.extend(kb.map(|kb| kb as f64));
    }
    Ok((median(seconds), if rss.is_empty() { None } else { Some(median(rss)) }))
}

// ---------------------------------------------------------------------------------------------
// The table

#[derive(Default)]
struct Row {
    generated: Option<Generated>,
    /// Why generation or compiling failed.
    failed: Option<String>,
    check: Option<(f64, Option<f64>)>,
    build: Option<(f64, Option<f64>)>,
}

fn header() {
    println!(
        "{:<14} {:<18} {:>5} {:>10} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "spec", "generator", "ops", "bytes", "lines", "l/op", "load", "normal", "ir", "emit", "gen", "check", "RSS MB", "build"
    );
}

fn ms(d: Duration) -> String {
    format!("{:.0}ms", d.as_secs_f64() * 1000.0)
}

fn print_row(spec: &str, tool: Tool, operations: Option<usize>, row: &Row) {
    let Some(generated) = &row.generated else {
        println!("{spec:<14} {:<18} {}", tool.label(), row.failed.as_deref().unwrap_or("not run"));
        return;
    };
    let ops = operations.map(|o| o.to_string()).unwrap_or_else(|| "-".to_owned());
    let per_op = match operations {
        Some(o) if o > 0 => format!("{:.0}", generated.lines as f64 / o as f64),
        _ => "-".to_owned(),
    };
    let stages = match generated.stages {
        Some(stages) => stages.map(ms),
        None => ["-", "-", "-", "-"].map(str::to_owned),
    };
    let seconds = |m: &Option<(f64, Option<f64>)>| m.map(|(s, _)| format!("{s:.2}s")).unwrap_or_else(|| "-".to_owned());
    let rss = row.check.and_then(|(_, kb)| kb).map(|kb| format!("{:.0}", kb / 1024.0)).unwrap_or_else(|| "-".to_owned());
    println!(
        "{spec:<14} {:<18} {ops:>5} {:>10} {:>8} {per_op:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {rss:>8} {:>8}{}",
        tool.label(),
        generated.bytes,
        generated.lines,
        stages[0],
        stages[1],
        stages[2],
        stages[3],
        ms(generated.total),
        seconds(&row.check),
        seconds(&row.build),
        row.failed.as_deref().map(|f| format!("  {f}")).unwrap_or_default(),
    );
}

/// `ours / theirs` for bytes, lines, generation, check, RSS and build, where both were measured.
fn print_ratio(spec: &str, label: &str, ours: &Row, theirs: &Row) {
    let (Some(a), Some(b)) = (&ours.generated, &theirs.generated) else { return };
    let ratio = |x: Option<f64>, y: Option<f64>| match (x, y) {
        (Some(x), Some(y)) if y > 0.0 => format!("{:.2}x", x / y),
        _ => "-".to_owned(),
    };
    let check = |r: &Row| r.check.map(|(s, _)| s);
    let rss = |r: &Row| r.check.and_then(|(_, kb)| kb);
    let build = |r: &Row| r.build.map(|(s, _)| s);
    println!(
        "{spec:<14} {label:<18} {:>5} {:>10} {:>8} {:>7} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}",
        "",
        ratio(Some(a.bytes as f64), Some(b.bytes as f64)),
        ratio(Some(a.lines as f64), Some(b.lines as f64)),
        "",
        "",
        "",
        "",
        "",
        ratio(Some(a.total.as_secs_f64()), Some(b.total.as_secs_f64())),
        ratio(check(ours), check(theirs)),
        ratio(rss(ours), rss(theirs)),
        ratio(build(ours), build(theirs)),
    );
}

fn weigh(repo: &Path, options: &Options) -> Result<(), String> {
    let work = repo.join("target/weight");
    let target = work.join("target");
    std::fs::create_dir_all(&target).map_err(|e| format!("{}: {e}", target.display()))?;
    let mut tools = Tools {
        runtime: repo.join("runtime"),
        baseline_generator: options.baseline.as_ref().map(|(g, _)| g.clone()),
        baseline_runtime: options.baseline.as_ref().map(|(_, r)| r.clone()),
        progenitor: None,
        openapi_to_rust: None,
    };
    let mut tool_list = vec![Tool::Specwright];
    if options.baseline.is_some() {
        tool_list.push(Tool::Baseline);
    }
    let mut install_failures = Vec::new();
    if options.peers {
        match install(repo, PROGENITOR) {
            Ok(bin) => tools.progenitor = Some(bin),
            Err(problem) => install_failures.push((Tool::Progenitor, problem)),
        }
        match install(repo, OPENAPI_TO_RUST) {
            Ok(bin) => tools.openapi_to_rust = Some(bin),
            Err(problem) => install_failures.push((Tool::OpenapiToRust, problem)),
        }
        tool_list.extend([Tool::Progenitor, Tool::OpenapiToRust]);
    }

    // Generate everything first: each workspace lists its clients as members.
    let mut rows: Vec<Vec<Row>> = Vec::new();
    let mut operations: Vec<Option<usize>> = vec![None; options.specs.len()];
    for tool in &tool_list {
        let workspace = work.join(tool.dir());
        let mut members = Vec::new();
        let mut dependencies = None;
        let mut tool_rows = Vec::new();
        for (index, (name, spec)) in options.specs.iter().enumerate() {
            let mut row = Row::default();
            if let Some((_, problem)) = install_failures.iter().find(|(t, _)| t == tool) {
                row.failed = Some(format!("not installed: {problem}"));
            } else if !spec.is_file() {
                row.failed = Some(format!("missing spec {}", spec.display()));
            } else {
                eprintln!("generating {name} with {}", tool.label());
                match generate(*tool, &tools, &workspace, name, spec) {
                    Ok((generated, deps, ops)) => {
                        row.generated = Some(generated);
                        members.push(name.clone());
                        dependencies.get_or_insert(deps);
                        if *tool == Tool::Specwright {
                            operations[index] = ops;
                        }
                    }
                    Err(problem) => row.failed = Some(problem),
                }
            }
            tool_rows.push(row);
        }
        // `deps`: the clients' dependencies alone, built before any client is timed.
        let deps = dependencies.unwrap_or_default();
        write(&workspace.join("deps/src/lib.rs"), "")?;
        write(&workspace.join("deps/Cargo.toml"), &package("deps", &deps))?;
        let quoted: Vec<String> = std::iter::once("deps".to_owned()).chain(members).map(|m| format!("{m:?}")).collect();
        write(
            &workspace.join("Cargo.toml"),
            &format!("[workspace]\nmembers = [{}]\nresolver = \"3\"\n", quoted.join(", ")),
        )?;
        // The same dependency versions as the repository's own build, where it has them.
        let lock = workspace.join("Cargo.lock");
        let seed = match tool {
            Tool::Specwright => Some(repo.join("Cargo.lock")),
            Tool::Baseline => tools.baseline_runtime.as_ref().and_then(|r| r.parent()).map(|p| p.join("Cargo.lock")),
            _ => None,
        };
        if let Some(seed) = seed.filter(|s| s.is_file()) {
            if !lock.is_file() {
                std::fs::copy(&seed, &lock).map_err(|e| format!("{}: {e}", lock.display()))?;
            }
        }
        rows.push(tool_rows);
    }

    // Prebuild each workspace's dependencies, then time each client alone.
    for (tool, tool_rows) in tool_list.iter().zip(rows.iter_mut()) {
        if options.generate_only || tool_rows.iter().all(|r| r.generated.is_none()) {
            continue;
        }
        let workspace = work.join(tool.dir());
        eprintln!("building the dependencies of the {} clients", tool.label());
        let mut prebuilt = timed_cargo(&workspace, &target, &["check", "-q", "-p", "deps"]);
        if options.build && prebuilt.is_ok() {
            prebuilt = timed_cargo(&workspace, &target, &["build", "-q", "-p", "deps"]);
        }
        if let Err(problem) = prebuilt {
            // One generator's dependencies failing to build leaves the others measurable.
            for row in tool_rows.iter_mut().filter(|r| r.generated.is_some()) {
                row.failed = Some(format!("dependencies do not build: {problem}"));
            }
            continue;
        }
        for ((name, _), row) in options.specs.iter().zip(tool_rows.iter_mut()) {
            if row.generated.is_none() {
                continue;
            }
            eprintln!("checking {name} ({})", tool.label());
            match measure(&workspace, &target, name, "check", options.runs) {
                Ok(check) => row.check = Some(check),
                Err(problem) => {
                    row.failed = Some(format!("does not compile: {problem}"));
                    continue;
                }
            }
            if options.build {
                match measure(&workspace, &target, name, "build", options.runs) {
                    Ok(build) => row.build = Some(build),
                    Err(problem) => row.failed = Some(format!("does not build: {problem}")),
                }
            }
        }
    }

    println!();
    header();
    for (index, (name, _)) in options.specs.iter().enumerate() {
        for (tool, tool_rows) in tool_list.iter().zip(&rows) {
            print_row(name, *tool, operations[index], &tool_rows[index]);
        }
        let ours = &rows[0][index];
        for (tool, tool_rows) in tool_list.iter().zip(&rows).skip(1) {
            let label = match tool {
                Tool::Baseline => "new/baseline".to_owned(),
                other => format!("sw/{}", other.label()),
            };
            print_ratio(name, &label, ours, &tool_rows[index]);
        }
    }
    println!(
        "\n(runs: {}; check/build: median wall time of `touch src/lib.rs && cargo check|build -p CLIENT`, \
         CARGO_INCREMENTAL=0, dependencies prebuilt; RSS: peak of the check)",
        options.runs
    );
    Ok(())
}

