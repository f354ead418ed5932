//! Generates one client module per server from the spec that server served (fetched by
//! `cargo run --bin fetch-specs`, which `run.sh` does first) into `OUT_DIR/<name>.rs`.
//!
//! A server's tests compile only when its client was generated (`cfg(e2e_<name>)`); otherwise
//! `OUT_DIR/<name>.status` says why, and the test reports it (skipped, or failed under CI; a
//! spec that does not generate is a generator bug and always fails).

use std::path::PathBuf;

/// (module name, spec file under the specs directory)
const SERVERS: &[(&str, &str)] =
    &[("kinto", "kinto.json"), ("jupyter", "jupyter.yaml"), ("alertmanager", "alertmanager.json")];

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
    let check_cfg: Vec<String> = SERVERS.iter().map(|(name, _)| format!("e2e_{name}")).collect();
    println!("cargo::rustc-check-cfg=cfg({})", check_cfg.join(", "));
    for (name, file) in SERVERS {
        let spec = specs.join(file);
        println!("cargo::rerun-if-changed={}", spec.display());
        let status = if !spec.is_file() {
            format!("missing: no spec at {} (run `bash e2e/run.sh`, which fetches it from the server)", spec.display())
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
