//! Clients generated from a few small real specs of `../shared/corpus` compile warning-free
//! against `specwright-runtime`, as one crate checked once.
//!
//! The full corpus is the conformance runner's job; this keeps a fast, always-on guard.

use std::path::{Path, PathBuf};
use std::process::Command;

const SPECS: &[&str] = &[
    "oai-examples/examples/v3.0/petstore.yaml",
    "oai-examples/examples/v3.0/petstore-expanded.yaml",
    "aiopenapi3/tests/fixtures/petstore-expanded.yaml",
    "openapi-generator/3_0/petstore.yaml",
    "openapi-generator/3_1/petstore.yaml",
    // The edge-case spec where openapi-generator's own Rust output does not compile.
    "openapi-generator/3_0/petstore-with-fake-endpoints-models-for-testing.yaml",
    "openapi-generator/2_0/petstore-with-fake-endpoints-models-for-testing.yaml",
];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn corpus() -> PathBuf {
    let corpus = workspace().join("../shared/corpus");
    assert!(corpus.join("manifest.tsv").is_file(), "this test needs ../shared/corpus beside the checkout");
    corpus
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus beside the checkout (.ci/run has it)")]
fn small_corpus_specs_generate_code_that_compiles_warning_free() {
    let corpus = corpus();
    let krate = workspace().join("target/corpus-smoke");
    std::fs::create_dir_all(krate.join("src")).expect("crate dir");
    let runtime = workspace().join("runtime");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"corpus-smoke\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nspecwright-runtime = {{ path = {:?}, features = [\"time\"] }}\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .expect("Cargo.toml");
    // The workspace's lock file pins the same dependency versions the tests were built with.
    std::fs::copy(workspace().join("Cargo.lock"), krate.join("Cargo.lock")).expect("Cargo.lock");

    let mut lib = String::from("#![deny(warnings)]\n");
    for (index, spec) in SPECS.iter().enumerate() {
        let path = corpus.join(spec);
        let generated = specwright_codegen::Generator::new(&path)
            .generate_code()
            .unwrap_or_else(|e| panic!("{spec}: {e}"));
        let file = format!("spec_{index}.rs");
        std::fs::write(krate.join("src").join(&file), generated.code).expect("write module");
        lib.push_str(&format!("#[doc = {spec:?}]\npub mod spec_{index};\n"));
    }
    // The `time` crate instead of `chrono` for dates and times.
    let formats = workspace().join("specs/types_maps_formats.yaml");
    let generated = specwright_codegen::Generator::new(&formats)
        .date_time_library(specwright_codegen::DateTimeLibrary::Time)
        .generate_code()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(generated.code.contains("__rt::DateTime"));
    std::fs::write(krate.join("src/formats_with_time.rs"), generated.code).expect("write module");
    lib.push_str("pub mod formats_with_time;\n");
    std::fs::write(krate.join("src/lib.rs"), lib).expect("lib.rs");

    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["check", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "generated code does not compile:\n{stderr}");
    assert!(!stderr.contains("warning"), "generated code has warnings:\n{stderr}");
    assert!(Path::new(&krate.join("src/spec_0.rs")).is_file());
}
