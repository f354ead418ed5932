//! The build-script front door: output written only when it changes, and a
//! `cargo:rerun-if-changed` line for every file read, `$ref` targets included.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use specwright_codegen::Generator;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("specwright-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("common")).expect("create temp dir");
        Self(dir)
    }

    fn write(&self, relative: &str, contents: &str) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::write(&path, contents).expect("write spec");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const ROOT: &str = r#"openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: 'common/pet.yaml#/components/schemas/Pet'}
"#;

const PET: &str = "components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        name: {type: string}\n";

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).and_then(|m| m.modified()).expect("output exists")
}

#[test]
fn rerun_lines_name_every_file_read_and_unchanged_output_is_not_rewritten() {
    let dir = TempDir::new("rerun");
    let spec = dir.write("api.yaml", ROOT);
    dir.write("common/pet.yaml", PET);
    let output = dir.0.join("out/api.rs");

    let mut printed = Vec::new();
    let written = Generator::new(&spec).output_file(&output).generate_to(&mut printed);
    assert_eq!(written.ok().as_deref(), Some(output.as_path()));
    let printed = String::from_utf8(printed).expect("utf-8");
    let spec_line = format!("cargo:rerun-if-changed={}", spec.display());
    let pet_line = format!("cargo:rerun-if-changed={}", dir.0.join("common/pet.yaml").display());
    assert!(printed.lines().any(|l| l == spec_line), "{printed}");
    assert!(printed.lines().any(|l| l == pet_line), "{printed}");
    let code = std::fs::read_to_string(&output).expect("generated");
    assert!(code.contains("pub struct Pet"), "{code}");

    // Same spec: the file is left alone, so Cargo does not rebuild what includes it.
    let before = modified(&output);
    std::thread::sleep(std::time::Duration::from_millis(20));
    assert!(Generator::new(&spec).output_file(&output).generate_to(&mut Vec::new()).is_ok());
    assert_eq!(modified(&output), before);

    // A change in the referenced file regenerates.
    dir.write("common/pet.yaml", &PET.replace("name: {type: string}", "nickname: {type: string}"));
    assert!(Generator::new(&spec).output_file(&output).generate_to(&mut Vec::new()).is_ok());
    let code = std::fs::read_to_string(&output).expect("regenerated");
    assert!(code.contains("pub nickname:"), "{code}");
}

#[test]
fn generation_is_deterministic() {
    let dir = TempDir::new("determinism");
    let spec = dir.write("api.yaml", ROOT);
    dir.write("common/pet.yaml", PET);
    let first = Generator::new(&spec).generate_code().map(|g| g.code).ok();
    let second = Generator::new(&spec).generate_code().map(|g| g.code).ok();
    assert!(first.is_some());
    assert_eq!(first, second);
}

#[test]
fn without_out_dir_or_output_file_generate_says_what_to_do() {
    if std::env::var_os("OUT_DIR").is_some() {
        return;
    }
    let dir = TempDir::new("no-out-dir");
    let spec = dir.write("api.yaml", ROOT);
    dir.write("common/pet.yaml", PET);
    let error = Generator::new(&spec).generate_to(&mut Vec::new()).err().map(|e| e.to_string());
    assert!(error.is_some_and(|e| e.contains("OUT_DIR")));
}

#[test]
fn module_name_defaults_to_the_spec_stem_in_snake_case() {
    assert_eq!(Generator::new("specs/My-API.v2.yaml").resolved_module_name(), "my_api_v2");
    assert_eq!(Generator::new("specs/api.yaml").module_name("custom").resolved_module_name(), "custom");
}

#[test]
fn token_fetcher_setters_never_collide_with_another_schemes_setter() {
    // `oauth2` gets `set_oauth2_client_credentials`; the scheme whose own name is that must not
    // get a second function of the same name (found in readme-oas-examples' security spec).
    let dir = TempDir::new("cc-collision");
    let flow = "{type: oauth2, flows: {clientCredentials: {tokenUrl: /token, scopes: {}}}}";
    let spec = dir.write(
        "spec.yaml",
        &format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths: {{}}\ncomponents:\n  securitySchemes:\n    \
             oauth2: {flow}\n    oauth2_clientCredentials: {flow}\n"
        ),
    );
    let code = Generator::new(&spec).generate_code().map(|g| g.code).unwrap_or_default();
    let file = syn::parse_file(&code).expect("the generated code parses");
    let mut names = Vec::new();
    for item in &file.items {
        if let syn::Item::Impl(block) = item {
            for member in &block.items {
                if let syn::ImplItem::Fn(function) = member {
                    names.push(function.sig.ident.to_string());
                }
            }
        }
    }
    let setters: Vec<&String> = names.iter().filter(|n| n.starts_with("set_oauth2")).collect();
    let mut unique = setters.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(setters.len(), 4, "{setters:?}");
    assert_eq!(unique.len(), setters.len(), "duplicate setters: {setters:?}");
}
