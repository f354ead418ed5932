//! Times each pipeline stage on the largest specs of `../shared/corpus`, and on synthetic specs
//! shaped to find super-linear stages, and prints the numbers.
//!
//! `cargo bench -p specwright-codegen --bench pipeline [-- SPEC...]`

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use specwright_codegen::{FsLoader, Loader, MemoryLoader, emit, ir, normalize, resolve};

const DEFAULT_SPECS: &[&str] = &[
    "progenitor/sample_openapi/api.github.com.json",
    "linode/openapi.yaml",
    "asana/defs/asana_oas.yaml",
    "openai/openapi.yaml",
    "pagerduty/reference/REST/openapiv3.json",
];

fn best_of<T>(runs: usize, mut f: impl FnMut() -> Option<T>) -> Option<(Duration, T)> {
    let mut best: Option<(Duration, T)> = None;
    for _ in 0..runs {
        let started = Instant::now();
        let value = f()?;
        let elapsed = started.elapsed();
        if best.as_ref().is_none_or(|(b, _)| elapsed < *b) {
            best = Some((elapsed, value));
        }
    }
    best
}

/// 10,000 object schemas, each with a property that refers to the next: linear stages take
/// about as long on it as on a real spec of its size; a search per field does not.
fn reference_chain(length: usize) -> String {
    let schemas: Vec<String> = (0..length)
        .map(|i| {
            let property = if i + 1 < length {
                format!(r##""next": {{"$ref": "#/components/schemas/S{}"}}"##, i + 1)
            } else {
                r#""end": {"type": "string"}"#.to_owned()
            };
            format!(r#""S{i}": {{"type": "object", "properties": {{{property}}}}}"#)
        })
        .collect();
    format!(
        r#"{{"openapi": "3.0.3", "info": {{"title": "chain", "version": "1"}}, "paths": {{}}, "components": {{"schemas": {{{}}}}}}}"#,
        schemas.join(", ")
    )
}

fn main() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let specs: Vec<PathBuf> = if args.is_empty() {
        DEFAULT_SPECS.iter().map(|s| corpus.join(s)).collect()
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    println!("{:<48} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}", "spec", "MB", "load+res", "normalize", "ir", "emit", "total");
    for spec in specs {
        if !spec.is_file() {
            println!("{:<48} missing", spec.display());
            continue;
        }
        let root = spec.parent().map(Path::to_owned).unwrap_or_default();
        let loader = FsLoader::new(&root);
        let size = std::fs::metadata(&spec).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        let name: String = spec.strip_prefix(&corpus).unwrap_or(&spec).display().to_string().chars().take(48).collect();
        time_stages(&name, &loader, &spec.display().to_string(), size);
    }
    let chain = reference_chain(10_000);
    let size = chain.len() as f64 / 1e6;
    time_stages("synthetic: chain of 10,000 $refs", &MemoryLoader::new().with("chain.json", chain), "chain.json", size);
}

fn time_stages(name: &str, loader: &dyn Loader, location: &str, size: f64) {
    let Some((t_resolve, (bundle, _))) = best_of(3, || resolve::resolve(loader, location).ok()) else {
        println!("{name:<48} does not load");
        return;
    };
    let Some((t_normalize, (normalized, _))) = best_of(3, || normalize::normalize(&bundle).ok()) else {
        println!("{name:<48} does not normalize");
        return;
    };
    let Some((t_ir, (model, _))) = best_of(3, || Some(ir::build(&normalized, &ir::Options::default()))) else { return };
    let Some((t_emit, code)) = best_of(3, || emit::emit(&model, "bench").ok()) else { return };
    let ms = |d: Duration| format!("{:.0}ms", d.as_secs_f64() * 1000.0);
    println!(
        "{name:<48} {size:>9.2} {:>9} {:>9} {:>9} {:>9} {:>9}   ({} lines)",
        ms(t_resolve),
        ms(t_normalize),
        ms(t_ir),
        ms(t_emit),
        ms(t_resolve + t_normalize + t_ir + t_emit),
        code.lines().count()
    );
}
