//! The conformance report: one row per spec, as JSON and as a Markdown summary, and the ratchet
//! that keeps the pass rate from dropping.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;

use super::manifest::Entry;
use super::options::Options;

/// What became of a spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Generated; not (yet) compiled.
    Generated,
    /// Generated and compiled warning-free.
    Compiled,
    /// The generator refused it with a diagnostic.
    GenerateError,
    /// The generated code does not compile.
    CompileError,
    /// The generator crashed.
    Panic,
    /// The generator did not finish in time.
    Timeout,
}

impl Outcome {
    fn label(self) -> &'static str {
        match self {
            Self::Generated => "generated",
            Self::Compiled => "compiled",
            Self::GenerateError => "generate-error",
            Self::CompileError => "compile-error",
            Self::Panic => "panic",
            Self::Timeout => "timeout",
        }
    }
}

/// One spec's result.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    #[serde(skip)]
    pub index: usize,
    /// Manifest id.
    pub id: String,
    /// Manifest format.
    pub format: String,
    /// Size of the root file.
    pub bytes: u64,
    /// Operations generated.
    pub operations: u64,
    /// Types generated.
    pub types: u64,
    /// Warnings about the spec.
    pub warnings: u64,
    /// The outcome.
    pub outcome: Outcome,
    /// Error category, for failures.
    pub category: String,
    /// The first error message, for failures.
    pub message: String,
    /// Generation wall time in milliseconds (child process included).
    pub generate_ms: u64,
    /// The module name of its generated client.
    pub module: String,
    /// `cargo check` time of its client alone, when measured (`--time-biggest`).
    pub check_ms: Option<u64>,
}

impl Row {
    /// A fresh row for an entry.
    pub fn new(index: usize, entry: &Entry, module: String) -> Self {
        Self {
            index,
            id: entry.id.clone(),
            format: entry.format.clone(),
            bytes: entry.bytes,
            operations: 0,
            types: 0,
            warnings: 0,
            outcome: Outcome::Generated,
            category: String::new(),
            message: String::new(),
            generate_ms: 0,
            module,
            check_ms: None,
        }
    }
}

/// The share of rows that passed: compiled when compiling, generated otherwise.
pub fn pass_rate(rows: &[Row], compiled: bool) -> f64 {
    if rows.is_empty() {
        return 0.0;
    }
    let passing = if compiled { Outcome::Compiled } else { Outcome::Generated };
    rows.iter().filter(|r| r.outcome == passing).count() as f64 / rows.len() as f64
}

/// The Markdown summary.
pub fn markdown(
    rows: &[Row],
    compiled: bool,
    generation: Duration,
    compile: Option<Duration>,
    total: Duration,
) -> String {
    let mut out = String::from("# Conformance\n\n");
    let _ = writeln!(
        out,
        "{} specs; pass rate {:.1}% ({}). Wall time {:.0}s (generation {:.0}s{}).\n",
        rows.len(),
        pass_rate(rows, compiled) * 100.0,
        if compiled { "compiled warning-free" } else { "generated; not compiled" },
        total.as_secs_f64(),
        generation.as_secs_f64(),
        compile.map(|c| format!(", cargo check {:.0}s", c.as_secs_f64())).unwrap_or_default(),
    );
    let outcomes = [
        Outcome::Compiled,
        Outcome::Generated,
        Outcome::GenerateError,
        Outcome::CompileError,
        Outcome::Panic,
        Outcome::Timeout,
    ];
    out.push_str("## By outcome\n\n| outcome | specs |\n| --- | ---: |\n");
    for outcome in outcomes {
        let count = rows.iter().filter(|r| r.outcome == outcome).count();
        if count > 0 || matches!(outcome, Outcome::Panic | Outcome::Timeout) {
            let _ = writeln!(out, "| {} | {count} |", outcome.label());
        }
    }
    out.push_str("\n## By format\n\n| format | specs | passed | rate |\n| --- | ---: | ---: | ---: |\n");
    let mut formats: BTreeMap<&str, Vec<&Row>> = BTreeMap::new();
    for row in rows {
        formats.entry(row.format.as_str()).or_default().push(row);
    }
    for (format, group) in &formats {
        let owned: Vec<Row> = group.iter().map(|r| (*r).clone()).collect();
        let passed = (pass_rate(&owned, compiled) * owned.len() as f64).round() as usize;
        let _ = writeln!(out, "| {format} | {} | {passed} | {:.1}% |", owned.len(), pass_rate(&owned, compiled) * 100.0);
    }
    let mut categories: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows.iter().filter(|r| !r.category.is_empty()) {
        *categories.entry(row.category.as_str()).or_default() += 1;
    }
    if !categories.is_empty() {
        let mut sorted: Vec<(&str, usize)> = categories.into_iter().collect();
        sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out.push_str("\n## Failure categories\n\n| category | specs |\n| --- | ---: |\n");
        for (category, count) in sorted {
            let _ = writeln!(out, "| {category} | {count} |");
        }
    }
    let mut slowest: Vec<&Row> = rows.iter().collect();
    slowest.sort_by(|a, b| b.generate_ms.cmp(&a.generate_ms));
    out.push_str("\n## Slowest generations\n\n| spec | bytes | operations | types | ms |\n| --- | ---: | ---: | ---: | ---: |\n");
    for row in slowest.iter().take(10) {
        let _ = writeln!(out, "| {} | {} | {} | {} | {} |", row.id, row.bytes, row.operations, row.types, row.generate_ms);
    }
    let mut timed: Vec<&Row> = rows.iter().filter(|r| r.check_ms.is_some()).collect();
    if !timed.is_empty() {
        timed.sort_by(|a, b| b.bytes.cmp(&a.bytes));
        out.push_str("\n## Biggest clients, checked alone\n\n| spec | bytes | operations | generate ms | cargo check ms |\n| --- | ---: | ---: | ---: | ---: |\n");
        for row in timed {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                row.id,
                row.bytes,
                row.operations,
                row.generate_ms,
                row.check_ms.unwrap_or_default()
            );
        }
    }
    let failures: Vec<&Row> = rows
        .iter()
        .filter(|r| !matches!(r.outcome, Outcome::Compiled | Outcome::Generated))
        .collect();
    if !failures.is_empty() {
        out.push_str("\n## Specs that did not pass\n\n| spec | format | outcome | first error |\n| --- | --- | --- | --- |\n");
        for row in failures {
            let message: String = row.message.replace('|', "\\|").replace('\n', " ").chars().take(200).collect();
            let _ = writeln!(out, "| {} | {} | {} | {message} |", row.id, row.format, row.outcome.label());
        }
    }
    out
}

/// Writes `report.json` and `summary.md` into the output directory (and the summary to
/// `--summary`).
pub fn write(rows: &[Row], summary: &str, options: &Options) -> Result<(), String> {
    let json = serde_json::to_string_pretty(rows).map_err(|e| e.to_string())?;
    let io = |e: std::io::Error| format!("cannot write the report: {e}");
    std::fs::write(options.out.join("report.json"), json).map_err(io)?;
    std::fs::write(options.out.join("summary.md"), summary).map_err(io)?;
    if let Some(path) = &options.summary {
        std::fs::write(path, summary).map_err(io)?;
    }
    Ok(())
}

/// Compares the pass rate with the best one so far; raises it on request.
pub fn check_ratchet(rows: &[Row], path: &std::path::Path, update: bool, compiled: bool) -> Result<String, String> {
    if !compiled {
        return Ok("ratchet not checked: nothing was compiled".to_owned());
    }
    let rate = pass_rate(rows, true);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let best: f64 = text
        .lines()
        .find(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0.0);
    // Rates are kept to four decimals; compare at that precision.
    let rounded = (rate * 10_000.0).floor() / 10_000.0;
    if rounded + 1e-9 < best {
        return Err(format!("pass rate {:.2}% dropped below the ratchet {:.2}% ({})", rate * 100.0, best * 100.0, path.display()));
    }
    if update && rounded > best {
        let contents = format!(
            "# Best conformance pass rate so far (compiled / specs); CI fails below it.\n# Raise it with --update-ratchet.\n{rounded:.4}\n"
        );
        std::fs::write(path, contents).map_err(|e| format!("cannot update the ratchet: {e}"))?;
        return Ok(format!("ratchet raised from {:.2}% to {:.2}%", best * 100.0, rounded * 100.0));
    }
    Ok(format!("pass rate {:.2}% (ratchet {:.2}%)", rate * 100.0, best * 100.0))
}
