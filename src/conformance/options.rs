//! Command-line options of the conformance runner.

use std::path::PathBuf;

/// How to call the runner.
pub const USAGE: &str = "usage: specwright-conformance CORPUS_DIR [--out DIR] [--only ID...] [--no-compile] \
[--jobs N] [--timeout SECS] [--summary FILE] [--ratchet FILE [--update-ratchet]] [--time-biggest N]";

/// Parsed options.
#[derive(Debug, Clone)]
pub struct Options {
    /// The directory with `manifest.tsv`.
    pub corpus: PathBuf,
    /// Where generated crates and reports go.
    pub out: PathBuf,
    /// Only these spec ids.
    pub only: Vec<String>,
    /// Whether to `cargo check` the generated clients.
    pub compile: bool,
    /// Parallel generations.
    pub jobs: usize,
    /// Seconds one generation may take.
    pub timeout_secs: u64,
    /// Also write the Markdown summary here.
    pub summary: Option<PathBuf>,
    /// The file with the best pass rate so far.
    pub ratchet: Option<PathBuf>,
    /// Raise the ratchet when the pass rate improved.
    pub update_ratchet: bool,
    /// Also time `cargo check` of the N biggest compiled clients, each alone.
    pub time_biggest: usize,
}

impl Options {
    /// Parses the arguments after the program name.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let mut corpus = None;
        let mut options = Options {
            corpus: PathBuf::new(),
            out: PathBuf::from("target/conformance"),
            only: Vec::new(),
            compile: true,
            jobs: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2),
            timeout_secs: 120,
            summary: None,
            ratchet: None,
            update_ratchet: false,
            time_biggest: 0,
        };
        let mut iter = args.iter();
        while let Some(arg) = iter.next() {
            let mut value = |name: &str| iter.next().cloned().ok_or_else(|| format!("{name} needs a value"));
            match arg.as_str() {
                "--out" => options.out = PathBuf::from(value("--out")?),
                "--only" => options.only.push(value("--only")?),
                "--no-compile" => options.compile = false,
                "--jobs" => options.jobs = value("--jobs")?.parse().map_err(|_| "--jobs takes a number")?,
                "--timeout" => options.timeout_secs = value("--timeout")?.parse().map_err(|_| "--timeout takes seconds")?,
                "--summary" => options.summary = Some(PathBuf::from(value("--summary")?)),
                "--ratchet" => options.ratchet = Some(PathBuf::from(value("--ratchet")?)),
                "--update-ratchet" => options.update_ratchet = true,
                "--time-biggest" => {
                    options.time_biggest = value("--time-biggest")?.parse().map_err(|_| "--time-biggest takes a number")?
                }
                other if other.starts_with("--") => return Err(format!("unknown option {other}")),
                other if corpus.is_none() => corpus = Some(PathBuf::from(other)),
                // Bare words after `--only ID` are more ids.
                other if !options.only.is_empty() => options.only.push(other.to_owned()),
                other => return Err(format!("unexpected argument {other}")),
            }
        }
        options.corpus = corpus.ok_or("CORPUS_DIR is missing")?;
        options.jobs = options.jobs.max(1);
        Ok(options)
    }
}
