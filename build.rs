//! Generates a client for every spec in `specs/` into `OUT_DIR`, the way a user's build script
//! does, and a `specs.rs` that declares one module per spec, so that every spec the project owns
//! is compiled warning-free on every build.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    println!("cargo:rerun-if-changed=specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir("specs")?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
        .collect();
    specs.sort();
    let mut modules = String::new();
    for spec in &specs {
        let generator = specwright_codegen::Generator::new(spec);
        let module = generator.resolved_module_name();
        generator.generate()?;
        writeln!(
            modules,
            "#[doc = \"Generated from `{}`.\"]\npub mod {module} {{\n    include!(concat!(env!(\"OUT_DIR\"), \"/{module}.rs\"));\n}}",
            spec.display()
        )?;
    }
    // The flagship spec once more with every operation on the client itself, and both serde
    // directions on every type.
    specwright_codegen::Generator::new("specs/openapp.yaml")
        .module_name("openapp_flat")
        .flat_client(true)
        .full_serde(true)
        .generate()?;
    modules.push_str(
        "#[doc = \"Generated from `specs/openapp.yaml` with `flat_client(true)` and `full_serde(true)`.\"]\npub mod openapp_flat {\n    include!(concat!(env!(\"OUT_DIR\"), \"/openapp_flat.rs\"));\n}\n",
    );
    // Tests that read the corpus are reported as ignored, with the reason, when it is missing.
    println!("cargo::rustc-check-cfg=cfg(corpus)");
    if std::path::Path::new("../shared/corpus/manifest.tsv").is_file() {
        println!("cargo::rustc-cfg=corpus");
    }
    // A subset client of a large real spec (three tags and one route), so that `cargo build`
    // compiles what subset generation emits; only when the corpus is beside the checkout.
    println!("cargo::rustc-check-cfg=cfg(nexus_subset)");
    let nexus = std::path::Path::new("../shared/corpus/progenitor/sample_openapi/nexus.json");
    if nexus.is_file() {
        specwright_codegen::Generator::new(nexus)
            .module_name("nexus_subset")
            .tags(["silos", "roles", "policy"])
            .operations(["GET /system/silos/{silo_name}"])
            .generate()?;
        println!("cargo::rustc-cfg=nexus_subset");
        modules.push_str(
            "#[doc = \"Generated from the corpus's `nexus.json` with the tags `silos`, `roles`, `policy` and the route `GET /system/silos/{silo_name}`.\"]\npub mod nexus_subset {\n    include!(concat!(env!(\"OUT_DIR\"), \"/nexus_subset.rs\"));\n}\n",
        );
    }
    specwright_codegen::write::write_if_changed(&out_dir.join("specs.rs"), &modules)?;
    Ok(())
}
