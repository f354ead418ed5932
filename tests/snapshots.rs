//! Golden files of the code generated for every spec in `specs/`.
//!
//! Each snapshot is also the very code that `build.rs` generated and `src/lib.rs` compiled under
//! `#![deny(warnings)]`: the test checks that the two are identical, so no golden is uncompiled.
//!
//! A mismatch fails the test and leaves a `.snap.new` beside the golden; nothing is overwritten.
//! To bless new output after reviewing the diff: `INSTA_UPDATE=always cargo test --test snapshots`
//! (or `cargo insta review`).

use std::path::{Path, PathBuf};

fn specs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("specs/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
        .collect();
    specs.sort();
    specs
}

#[test]
fn every_spec_matches_its_golden_and_the_golden_is_what_was_compiled() {
    let specs = specs();
    assert!(!specs.is_empty());
    for spec in specs {
        let generator = specwright_codegen::Generator::new(&spec);
        let module = generator.resolved_module_name();
        let generated = generator.generate_code().unwrap_or_else(|e| panic!("{}: {e}", spec.display()));
        let compiled_path = Path::new(env!("OUT_DIR")).join(format!("{module}.rs"));
        let compiled = std::fs::read_to_string(&compiled_path).expect("build.rs generated it");
        assert!(compiled == generated.code, "{module}: build.rs output differs from a fresh generation");
        insta::assert_snapshot!(module, generated.code);
    }
}
