//! Walks the whole corpus through load, resolve and normalize (and the IR): every spec either
//! becomes an IR, or is refused with a precise diagnostic (file:line:col). No panics, no hangs.
//! Prints the summary per format.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Specs the corpus ships broken; each must be refused, with this in its first error.
const EXPECTED_REFUSALS: &[(&str, &str)] = &[
    // A $ref to a file the corpus does not ship.
    ("5gc-apis/TS32291_Nchf_ConvergedCharging.yaml", "TS28623_ComDefs.yaml` not found"),
    // An alias inside its own anchor: YAML that would expand forever.
    ("mermade/3.0/malicious/yamlbomb.yaml", "recursive alias"),
];

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus beside the checkout (.ci/run has it)")]
fn every_corpus_spec_loads_or_is_refused_precisely() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("manifest.tsv")) else {
        panic!("this test needs ../shared/corpus beside the checkout");
    };
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect("manifest column");
    let (path_column, format_column) = (column("local_path"), column("format"));

    // format → (loaded, warned, refused)
    let mut summary: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    let mut unexpected = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let (Some(path), Some(format)) = (fields.get(path_column), fields.get(format_column)) else { continue };
        let mut generator = specwright_codegen::Generator::new(corpus.join(path));
        generator.root(&corpus);
        let started = Instant::now();
        let outcome = generator.check();
        let elapsed = started.elapsed();
        if elapsed > slowest.0 {
            slowest = (elapsed, (*path).to_owned());
        }
        let counts = summary.entry((*format).to_owned()).or_default();
        let expected = EXPECTED_REFUSALS.iter().find(|(p, _)| p == path);
        match (outcome, expected) {
            (Ok((_, warnings, _)), None) => {
                if warnings.warnings().next().is_some() {
                    counts.1 += 1;
                } else {
                    counts.0 += 1;
                }
            }
            (Err(error), Some((_, needle))) => {
                counts.2 += 1;
                let first = error.diagnostics().and_then(|d| d.errors().next().cloned());
                let location = first.as_ref().and_then(|d| d.location.clone());
                let message = first.map(|d| d.message).unwrap_or_default();
                if !message.contains(needle) || location.is_none_or(|l| l.line == 0) {
                    unexpected.push(format!("{path}: refused without the expected precise diagnostic: {message}"));
                }
            }
            (Ok(_), Some(_)) => unexpected.push(format!("{path}: expected a refusal, but it loaded")),
            (Err(error), None) => {
                counts.2 += 1;
                unexpected.push(format!("{path}: {error}"));
            }
        }
    }
    eprintln!("format      loaded  warned  refused");
    for (format, (loaded, warned, refused)) in &summary {
        eprintln!("{format:<10} {loaded:>7} {warned:>7} {refused:>8}");
    }
    eprintln!("slowest: {} in {:?} (debug build)", slowest.1, slowest.0);
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}
