//! What a user's build compiles: a `build.rs` that depends on `specwright-codegen` gets no
//! argument parser and no logging crate, and the workspace compiles one version of each crate
//! (two majors of syn, say, would compile the parser twice).

use std::process::Command;

/// Crates allowed in two versions, each with the reason it cannot be avoided.
const ALLOWED_DUPLICATES: &[(&str, &str)] = &[];

/// `cargo tree ARGS` as one `name vX.Y.Z` per line.
fn cargo_tree(args: &[&str]) -> Vec<String> {
    let output = Command::new(env!("CARGO"))
        .arg("tree")
        .args(args)
        .args(["--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.trim().trim_end_matches(" (*)").to_owned())
        .filter(|line| !line.is_empty() && !line.starts_with('['))
        .collect()
}

fn name(line: &str) -> &str {
    line.split(' ').next().unwrap_or(line)
}

#[test]
fn the_generator_library_compiles_no_cli_or_logging_crates() {
    let tree = cargo_tree(&["-p", "specwright-codegen", "-e", "normal"]);
    assert!(tree.iter().any(|l| name(l) == "syn"), "the tree was read: {tree:?}");
    for unwanted in ["clap", "clap_builder", "clap_derive", "tracing", "tracing-core"] {
        assert!(!tree.iter().any(|l| name(l) == unwanted), "specwright-codegen pulls in {unwanted}: {tree:?}");
    }
}

#[test]
fn the_workspace_compiles_one_version_of_each_crate() {
    let duplicates = cargo_tree(&["--workspace", "-e", "normal,build", "--duplicates", "--depth", "0"]);
    let unexplained: Vec<&String> =
        duplicates.iter().filter(|l| !ALLOWED_DUPLICATES.iter().any(|(allowed, _)| name(l) == *allowed)).collect();
    assert!(
        unexplained.is_empty(),
        "crates in two versions: {unexplained:?}; align the versions (features, a version bump) or, if \
         that is impossible, list the crate in ALLOWED_DUPLICATES with the reason"
    );
}
