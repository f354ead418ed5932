//! Generates one client module per server from the spec that server served (fetched by
//! `cargo run --bin fetch-specs`, which `run.sh` does first) into `OUT_DIR/<name>.rs`, and one
//! per spec of the project's own `specs/` that has operations (`OUT_DIR/spec_<name>.rs`, for
//! `tests/prism_specs.rs`).
//!
//! A server's tests compile only when its client was generated (`cfg(e2e_<name>)`); otherwise
//! `OUT_DIR/<name>.status` says why, and the test reports it (skipped, or failed under CI; a
//! spec that does not generate is a generator bug and always fails).

use std::path::PathBuf;

/// (module name, spec file under the specs directory)
const SERVERS: &[(&str, &str)] =
    &[("kinto", "kinto.json"), ("jupyter", "jupyter.yaml"), ("alertmanager", "alertmanager.json")];

/// (module name, spec file under the repository's `specs/`): the specs with operations (the
/// `types_*.yaml` ones have `paths: {}`). They are in the repository, so a missing one fails.
const PROJECT_SPECS: &[(&str, &str)] = &[
    ("spec_openapp", "openapp.yaml"),
    ("spec_operations_parameters", "operations_parameters.yaml"),
    ("spec_operations_bodies", "operations_bodies.yaml"),
    ("spec_operations_responses", "operations_responses.yaml"),
    ("spec_security", "security.yaml"),
];

fn main() {
    println!("cargo::rerun-if-env-changed=SPECWRIGHT_E2E_SPECS");
    println!("cargo::rerun-if-env-changed=SPECWRIGHT_E2E_HOME");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let specs = match (std::env::var_os("SPECWRIGHT_E2E_SPECS"), std::env::var_os("SPECWRIGHT_E2E_HOME")) {
        (Some(dir), _) => PathBuf::from(dir),
        (None, Some(home)) => PathBuf::from(home).join("specs"),
        (None, None) => manifest.join("../target/e2e/specs"),
    };
    let project_specs = manifest.join("../specs");
    let check_cfg: Vec<String> = SERVERS.iter().chain(PROJECT_SPECS).map(|(name, _)| format!("e2e_{name}")).collect();
    println!("cargo::rustc-check-cfg=cfg({})", check_cfg.join(", "));
    let servers = SERVERS
        .iter()
        .map(|(name, file)| (name, specs.join(file), "run `bash e2e/run.sh`, which fetches it from the server"));
    let project =
        PROJECT_SPECS.iter().map(|(name, file)| (name, project_specs.join(file), "it belongs in the repository"));
    for (name, spec, hint) in servers.chain(project) {
        println!("cargo::rerun-if-changed={}", spec.display());
        let status = if !spec.is_file() {
            format!("missing: no spec at {} ({hint})", spec.display())
        } else {
            match specwright_codegen::Generator::new(&spec).module_name(*name).generate_code() {
                Ok(generated) => {
                    std::fs::write(out.join(format!("{name}.rs")), generated.code).expect("write the module");
                    println!("cargo::rustc-cfg=e2e_{name}");
                    format!("generated from {}", spec.display())
                }
                Err(error) => {
                    println!("cargo::warning=e2e: {name}: the spec does not generate: {error}");
                    format!("generator error: {} does not generate: {error}", spec.display())
                }
            }
        };
        std::fs::write(out.join(format!("{name}.status")), status).expect("write the status");
    }
}
