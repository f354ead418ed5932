//! Round trips through the generated types: for every component schema with an example in the
//! aiopenapi3, openapi-generator, kin-openapi and mermade fixtures of `../shared/corpus`, the
//! example deserializes into the generated type and serializes back to equal JSON.
//!
//! The generated clients and a harness go into one crate under `target/roundtrip`, which is
//! run once. An example that does not match its own schema is a spec defect, reported apart.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

use specwright_codegen::ir::TypeKind;

const FIXTURE_DIRS: &[&str] = &["aiopenapi3/", "openapi-generator/", "kin-openapi/", "mermade/"];

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus beside the checkout (.ci/run has it)")]
fn examples_round_trip_through_generated_types() {
    let corpus = workspace().join("../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("manifest.tsv")) else {
        panic!("this test needs ../shared/corpus beside the checkout");
    };
    let krate = workspace().join("target/roundtrip");
    std::fs::create_dir_all(krate.join("src")).expect("crate dir");
    let mut modules = String::from("#![allow(dead_code)]\n");
    let mut cases = String::new();
    let mut count = 0;
    // (spec, type) → wire names of the struct's fields, to tell undeclared keys from lost ones.
    let mut declared: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    let header: Vec<&str> = manifest.lines().next().unwrap_or_default().split('\t').collect();
    let path_column = header.iter().position(|h| *h == "local_path").expect("local_path column");
    for (index, line) in manifest.lines().skip(1).enumerate() {
        let Some(path) = line.split('\t').nth(path_column) else { continue };
        if !FIXTURE_DIRS.iter().any(|dir| path.starts_with(dir)) {
            continue;
        }
        let mut generator = specwright_codegen::Generator::new(corpus.join(path));
        // Both directions, so every example can go there and back.
        generator.root(&corpus).full_serde(true);
        let Ok(generated) = generator.generate_code() else { continue };
        let examples: Vec<(String, String)> = generated
            .ir
            .types
            .types
            .iter()
            .filter(|def| !matches!(def.kind, TypeKind::Alias(_)))
            .filter_map(|def| def.docs.example.as_ref().map(|e| (def.name.clone(), e.clone())))
            .collect();
        for def in &generated.ir.types.types {
            if let TypeKind::Struct { fields } = &def.kind {
                let names = fields.iter().map(|f| f.wire_name.clone()).collect();
                declared.insert((path.to_owned(), def.name.clone()), names);
            }
        }
        if examples.is_empty() {
            continue;
        }
        let module = format!("spec_{index}");
        std::fs::write(krate.join("src").join(format!("{module}.rs")), &generated.code).expect("write module");
        writeln!(modules, "pub mod {module};").ok();
        for (name, example) in examples {
            count += 1;
            writeln!(
                cases,
                "    check::<{module}::types::{name}>({path:?}, {name:?}, {example:?});"
            )
            .ok();
        }
    }
    assert!(count > 0, "the fixtures have examples");
    let _ = std::fs::remove_file(krate.join("src/specs.rs"));
    std::fs::write(krate.join("src/main.rs"), format!("{modules}{HARNESS}\nfn main() {{\n{cases}}}\n")).expect("main.rs");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"roundtrip\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nspecwright-runtime = {{ path = {:?} }}\nserde = \"1\"\nserde_json = \"1\"\n\n[workspace]\n",
            workspace().join("runtime").display().to_string()
        ),
    )
    .expect("Cargo.toml");
    std::fs::copy(workspace().join("Cargo.lock"), krate.join("Cargo.lock")).expect("Cargo.lock");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["run", "--quiet", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", workspace().join("target/corpus-smoke/target"))
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "the harness failed:\n{}", String::from_utf8_lossy(&output.stderr));
    let mut passed = 0;
    let mut invalid_examples = Vec::new();
    let mut mismatches = Vec::new();
    let mut undeclared = 0;
    for line in stdout.lines() {
        match line.split_once(' ') {
            Some(("PASS", _)) => passed += 1,
            Some(("INVALID", rest)) => invalid_examples.push(rest.to_owned()),
            Some(("MISMATCH", rest)) => mismatches.push(rest.to_owned()),
            // Only keys were lost: fine if the schema does not declare them (the example is
            // richer than its schema); a lost declared property is a real mismatch.
            Some(("DROPPED", rest)) => {
                let mut words = rest.splitn(3, ' ');
                let (spec, name, keys) = (words.next().unwrap_or_default(), words.next().unwrap_or_default(), words.next().unwrap_or_default());
                let fields = declared.get(&(spec.to_owned(), name.to_owned())).cloned().unwrap_or_default();
                let lost: Vec<&str> = keys.split(',').filter(|k| !k.contains('/') && fields.iter().any(|f| f == k)).collect();
                if lost.is_empty() {
                    undeclared += 1;
                } else {
                    mismatches.push(format!("{spec} {name}: declared properties lost: {lost:?}"));
                }
            }
            _ => {}
        }
    }
    eprintln!(
        "round trips: {passed} equal, {undeclared} equal but for keys their schema does not declare, \
         {} examples do not match their own schema, {} mismatches (of {count})",
        invalid_examples.len(),
        mismatches.len()
    );
    for invalid in &invalid_examples {
        eprintln!("  example does not deserialize: {invalid}");
    }
    assert!(mismatches.is_empty(), "re-serialized JSON differs:\n{}", mismatches.join("\n"));
    assert!(passed > 0);
}

const HARNESS: &str = r#"
/// Equal JSON, where two date-times are equal when they are the same instant and numbers are
/// compared by value.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w)),
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => {
            x == y
                || matches!(
                    (
                        specwright_runtime::__private::chrono::DateTime::parse_from_rfc3339(x),
                        specwright_runtime::__private::chrono::DateTime::parse_from_rfc3339(y),
                    ),
                    (Ok(p), Ok(q)) if p == q
                )
        }
        _ => a == b,
    }
}

/// `original` without the keys that `back` lacks, and the paths of those keys.
fn without_missing(original: &serde_json::Value, back: &serde_json::Value, path: &str, dropped: &mut Vec<String>) -> serde_json::Value {
    use serde_json::Value;
    match (original, back) {
        (Value::Object(x), Value::Object(y)) => Value::Object(
            x.iter()
                .filter_map(|(k, v)| {
                    let child = if path.is_empty() { k.clone() } else { format!("{path}/{k}") };
                    match y.get(k) {
                        Some(w) => Some((k.clone(), without_missing(v, w, &child, dropped))),
                        None => {
                            dropped.push(child);
                            None
                        }
                    }
                })
                .collect(),
        ),
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => Value::Array(
            x.iter().zip(y).enumerate().map(|(i, (v, w))| without_missing(v, w, &format!("{path}/{i}"), dropped)).collect(),
        ),
        _ => original.clone(),
    }
}

fn check<T: serde::de::DeserializeOwned + serde::Serialize>(spec: &str, name: &str, example: &str) {
    let Ok(original) = serde_json::from_str::<serde_json::Value>(example) else { return };
    match serde_json::from_value::<T>(original.clone()) {
        Err(error) => println!("INVALID {spec} {name}: {error}"),
        Ok(typed) => match serde_json::to_value(&typed) {
            Ok(back) if same(&original, &back) => println!("PASS {spec} {name}"),
            Ok(back) => {
                let mut dropped = Vec::new();
                let trimmed = without_missing(&original, &back, "", &mut dropped);
                if !dropped.is_empty() && same(&trimmed, &back) {
                    println!("DROPPED {spec} {name} {}", dropped.join(","));
                } else {
                    println!("MISMATCH {spec} {name}: {original} became {back}");
                }
            }
            Err(error) => println!("MISMATCH {spec} {name}: cannot serialize: {error}"),
        },
    }
}
"#;
