//! The README's opening and the generator's crate docs name every description format read:
//! Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2, as the corpus run proves.

fn opening(path: &str) -> String {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap_or_default();
    // The first paragraph of prose, whatever comment markers it has.
    text.lines()
        .map(|line| line.trim_start_matches("//!").trim())
        .skip_while(|line| line.is_empty() || line.starts_with('#'))
        .take_while(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_readme_and_the_crate_docs_name_swagger_2_and_openapi_3_0_to_3_2() {
    for path in ["README.md", "codegen/src/lib.rs"] {
        let opening = opening(path);
        for version in ["Swagger 2.0", "3.0", "3.1", "3.2"] {
            assert!(opening.contains(version), "{path} does not name {version} in: {opening}");
        }
    }
}
