//! The front end reads untrusted specs in a build script: expansion is bounded, references
//! are followed only where a Reference may stand, `cargo:` lines cannot be injected, valid JSON
//! is read as JSON, and nothing in a file is silently dropped.

use std::time::{Duration, Instant};

use specwright_codegen::diagnostic::Diagnostic;
use specwright_codegen::resolve::{Bundle, resolve};
use specwright_codegen::{Diagnostics, Generator, MemoryLoader};

fn loader(files: &[(&str, &str)]) -> MemoryLoader {
    files.iter().fold(MemoryLoader::new(), |loader, (name, text)| loader.with(*name, *text))
}

fn resolved(files: &[(&str, &str)]) -> (Bundle, Diagnostics) {
    match resolve(&loader(files), files[0].0) {
        Ok(ok) => ok,
        Err(diagnostics) => panic!("{}", diagnostics.render()),
    }
}

fn refused(files: &[(&str, &str)]) -> Diagnostics {
    match resolve(&loader(files), files[0].0) {
        Ok((bundle, _)) => panic!("resolved: {}", bundle.value),
        Err(diagnostics) => diagnostics,
    }
}

fn place(diagnostic: &Diagnostic) -> Option<(String, usize, usize, String)> {
    diagnostic.location.as_ref().map(|l| (l.file.clone(), l.line, l.column, l.pointer.clone()))
}

// ---- expansion budget ----------------------------------------------------------------------

#[test]
fn copies_that_double_at_every_level_are_refused_at_the_reference() {
    // `x0` holds two copies of `x1`, which holds two of `x2`...: 2^40 nodes from a few lines.
    let mut levels = String::new();
    for level in 0..40 {
        let next = level + 1;
        levels.push_str(&format!("x{level}: {{p: {{$ref: '#/x{next}'}}, q: {{$ref: '#/x{next}'}}}}\n"));
    }
    levels.push_str("x40: {type: string}\n");
    let root = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: 'b.yaml#/x0'}\n";
    let started = Instant::now();
    let diagnostics = refused(&[("a.yaml", root), ("b.yaml", &levels)]);
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    let errors: Vec<&Diagnostic> = diagnostics.errors().collect();
    assert_eq!(errors.len(), 1, "{}", diagnostics.render());
    assert!(errors[0].message.contains("beyond 1000000 nodes"), "{}", errors[0].message);
    // The reference whose copy crossed the budget, in the file that holds it.
    let (file, line, column, pointer) = place(errors[0]).unwrap_or_default();
    assert_eq!(file, "b.yaml");
    assert!(line >= 1 && column >= 1 && pointer.ends_with("/$ref"), "{line}:{column} {pointer}");
}

#[test]
fn aliases_and_copies_share_one_budget() {
    // 700 aliases of a 1001-node list: 700,700 nodes that the file does not spell out.
    let list: Vec<String> = (0..1000).map(|i| i.to_string()).collect();
    let aliases = format!("x-lists:\n  base: &b [{}]\n  copies: [{}]\n", list.join(", "), vec!["*b"; 700].join(", "));
    // Copies of `x0` (two of `x1`, four of `x2`...) that add about 400,000 nodes.
    let mut chain = String::new();
    for level in 0..16 {
        let next = level + 1;
        chain.push_str(&format!("x{level}: {{p: {{$ref: '#/x{next}'}}, q: {{$ref: '#/x{next}'}}}}\n"));
    }
    chain.push_str("x16: {type: string}\n");
    let head = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n";
    let copy = "components:\n  schemas:\n    A: {$ref: 'b.yaml#/x0'}\n";
    let _ = resolved(&[("a.yaml", &format!("{head}{aliases}")), ("b.yaml", &chain)]);
    let _ = resolved(&[("a.yaml", &format!("{head}{copy}")), ("b.yaml", &chain)]);
    let diagnostics = refused(&[("a.yaml", &format!("{head}{aliases}{copy}")), ("b.yaml", &chain)]);
    let errors: Vec<&Diagnostic> = diagnostics.errors().collect();
    assert_eq!(errors.len(), 1, "{}", diagnostics.render());
    assert!(errors[0].message.contains("beyond 1000000 nodes"), "{}", errors[0].message);
}

#[test]
fn a_copied_target_that_refers_to_itself_twice_is_a_cycle_not_an_explosion() {
    let started = Instant::now();
    let diagnostics = refused(&[
        ("a.yaml", "components:\n  schemas:\n    A: {$ref: 'b.yaml#/x'}\n"),
        ("b.yaml", "x: {p: {$ref: '#/x'}, q: {$ref: '#/x'}}\n"),
    ]);
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    let errors: Vec<&Diagnostic> = diagnostics.errors().collect();
    assert!(!errors.is_empty() && errors.iter().all(|e| e.message.contains("reference cycle")), "{}", diagnostics.render());
    assert_eq!(place(errors[0]), Some(("b.yaml".to_owned(), 1, 9, "/x/p/$ref".to_owned())));
}

#[test]
fn a_loop_through_a_hoisted_component_is_no_copy_cycle() {
    // `c.yaml` is copied into `A`, and again into `D`, which `c.yaml` references: the
    // reference to `D` is hoisted, so the loop ends there.
    let (bundle, diagnostics) = resolved(&[
        ("a.yaml", "components:\n  schemas:\n    A: {$ref: 'c.yaml'}\n"),
        ("c.yaml", "type: object\nproperties:\n  next: {$ref: 'd.yaml#/components/schemas/D'}\n"),
        ("d.yaml", "components:\n  schemas:\n    D: {$ref: 'c.yaml'}\n"),
    ]);
    assert!(diagnostics.0.is_empty(), "{}", diagnostics.render());
    let node = serde_json::json!({"type": "object", "properties": {"next": {"$ref": "#/components/schemas/D"}}});
    assert_eq!(bundle.value.pointer("/components/schemas/A"), Some(&node));
    assert_eq!(bundle.value.pointer("/components/schemas/D"), Some(&node));
}

#[test]
fn a_target_copied_twice_is_copied_whole_both_times() {
    let (bundle, diagnostics) = resolved(&[
        ("a.yaml", "paths:\n  /a: {$ref: 'p.yaml#/item'}\n  /b: {$ref: 'p.yaml#/item'}\n"),
        ("p.yaml", "item:\n  get:\n    responses:\n      '200': {$ref: '#/ok'}\n      '404': {$ref: '#/ok'}\nok: {description: fine}\n"),
    ]);
    assert!(diagnostics.0.is_empty(), "{}", diagnostics.render());
    let item = serde_json::json!({"get": {"responses": {"200": {"description": "fine"}, "404": {"description": "fine"}}}});
    assert_eq!(bundle.value.pointer("/paths/~1a"), Some(&item));
    assert_eq!(bundle.value.pointer("/paths/~1b"), Some(&item));
    let location = bundle.locate("/paths/~1b/get");
    assert_eq!(location.map(|l| (l.file, l.line)), Some(("p.yaml".to_owned(), 2)));
}

// ---- `cargo:` lines ------------------------------------------------------------------------

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("specwright-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    dir
}

#[test]
fn a_file_name_with_a_newline_prints_no_second_cargo_instruction() {
    let dir = temp_dir("newline-ref");
    let evil = "x\ncargo:rustc-cfg=injected.yaml";
    let _ = std::fs::write(dir.join(evil), "X: {type: string}\n");
    let spec = dir.join("api.yaml");
    let text = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: \"x\\ncargo:rustc-cfg=injected.yaml#/X\"}\n";
    let _ = std::fs::write(&spec, text);
    let mut out = Vec::new();
    let result = Generator::new(&spec).root(&dir).output_file(dir.join("out.rs")).generate_to(&mut out);
    let printed = String::from_utf8_lossy(&out).into_owned();
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<&str> = printed.lines().collect();
    assert_eq!(lines, [format!("cargo:rerun-if-changed={}", spec.display())], "{printed}");
    let diagnostics = result.err().and_then(|e| e.diagnostics().cloned()).unwrap_or_default();
    let error = diagnostics.errors().next().cloned();
    assert!(error.as_ref().is_some_and(|e| e.message.contains("control character")), "{}", diagnostics.render());
    let (_, line, column, pointer) = error.as_ref().and_then(place).unwrap_or_default();
    assert_eq!((line, column, pointer.as_str()), (6, 9, "/components/schemas/A/$ref"));
}

#[test]
fn warnings_with_line_breaks_stay_on_one_cargo_line() {
    let dir = temp_dir("warning-lines");
    let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: \"#/components/schemas/Gone\\r\\ncargo:rustc-cfg=evil\\rcargo:rustc-cfg=evil2\"}\n";
    let mut out = Vec::new();
    let result = Generator::new("api.yaml")
        .loader(MemoryLoader::new().with("api.yaml", spec))
        .output_file(dir.join("out.rs"))
        .generate_to(&mut out);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(result.is_ok(), "{result:?}");
    let printed = String::from_utf8_lossy(&out).into_owned();
    assert!(!printed.contains('\r'), "{printed:?}");
    let lines: Vec<&str> = printed.lines().collect();
    assert!(!lines.is_empty() && lines.iter().all(|l| l.starts_with("cargo:warning=")), "{printed:?}");
    assert!(lines.iter().any(|l| l.contains("Gone  cargo:rustc-cfg=evil cargo:rustc-cfg=evil2")), "{printed:?}");
}

// ---- where a `$ref` may stand --------------------------------------------------------------

#[test]
fn refs_in_descriptions_and_other_literal_places_are_not_followed() {
    let spec = "openapi: 3.0.3
info:
  title: T
  version: '1'
  description: {$ref: '.env'}
paths:
  /a:
    get:
      summary: {$ref: '.env#/SECRET'}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A'}
components:
  schemas:
    A:
      type: object
      description: {$ref: '.env'}
      properties:
        name: {type: string, title: {$ref: '.env'}}
";
    let files = [("api.yaml", spec), (".env", "SECRET: hunter2\n")];
    let (bundle, diagnostics) = resolved(&files);
    assert_eq!(bundle.documents.len(), 1, "no other file is read");
    assert!(!bundle.value.to_string().contains("hunter2"));
    let warnings: Vec<&Diagnostic> = diagnostics.warnings().collect();
    assert_eq!(warnings.len(), 4, "{}", diagnostics.render());
    assert!(warnings.iter().all(|w| w.message.contains("is not followed")));
    assert_eq!(place(warnings[0]), Some(("api.yaml".to_owned(), 5, 17, "/info/description/$ref".to_owned())));
}

#[test]
fn properties_named_like_keywords_are_still_schemas() {
    // Property names are names, not keywords: `default` and `description` hold schemas here.
    let spec = "openapi: 3.0.3
info: {title: T, version: '1'}
paths: {}
components:
  schemas:
    A:
      type: object
      properties:
        default: {$ref: 'common.yaml#/Flag'}
        description: {$ref: 'common.yaml#/Text'}
        x-rate: {$ref: 'common.yaml#/Flag'}
  headers:
    x-rate-limit: {$ref: 'common.yaml#/components/headers/Limit'}
  x-notes: {$ref: 'common.yaml#/Flag'}
";
    let common = "Flag: {type: boolean}\nText: {type: string}\ncomponents:\n  headers:\n    Limit: {schema: {type: integer}}\n";
    let (bundle, _) = resolved(&[("api.yaml", spec), ("common.yaml", common)]);
    let properties = bundle.value.pointer("/components/schemas/A/properties").cloned().unwrap_or_default();
    assert_eq!(properties["default"], serde_json::json!({"$ref": "#/components/schemas/Flag"}));
    assert_eq!(properties["description"], serde_json::json!({"$ref": "#/components/schemas/Text"}));
    // In a map of names an `x-` key is a name too; beside keywords it is an extension.
    assert_eq!(properties["x-rate"], serde_json::json!({"$ref": "#/components/schemas/Flag"}));
    let limit = bundle.value.pointer("/components/headers/x-rate-limit");
    assert_eq!(limit, Some(&serde_json::json!({"$ref": "#/components/headers/Limit"})));
    assert_eq!(bundle.value.pointer("/components/headers/Limit/schema/type"), Some(&serde_json::json!("integer")));
    // An extension beside keywords is neither followed nor kept: no later stage reads it.
    assert_eq!(bundle.value["components"].get("x-notes"), None);
}

#[test]
fn unread_extensions_leave_the_bundle_unless_a_reference_points_into_them() {
    let spec = "openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      x-code-samples: [{lang: sh, source: curl}]
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/x-schemas/Page'}}}
x-schemas:
  Page: {type: object, properties: {item: {$ref: '#/x-more/Item'}}}
x-more:
  Item: {type: string}
x-unused: {big: [1, 2, 3]}
";
    let (bundle, _) = resolved(&[("api.yaml", spec)]);
    let value = &bundle.value;
    assert_eq!(value.pointer("/paths/~1a/get/x-code-samples"), None);
    assert_eq!(value.get("x-unused"), None);
    // Referred to, directly and through what is referred to: kept.
    assert_eq!(value.pointer("/x-schemas/Page/type"), Some(&serde_json::json!("object")));
    assert_eq!(value.pointer("/x-more/Item/type"), Some(&serde_json::json!("string")));
}

// ---- JSON read as JSON ---------------------------------------------------------------------

#[test]
fn json_surrogate_pairs_in_keys_and_values_are_characters() {
    let spec = r#"{
  "openapi": "3.0.3",
  "info": {"title": "Thumbs \ud83d\udc4d", "version": "1"},
  "paths": {},
  "components": {"schemas": {"A": {"type": "object", "properties": {
    "\ud83d\udc4d\ud83d\udc4d": {"type": "string", "description": "\u00e9 \ud83d\ude00"}, "b": {"type": "integer"}}}}}
}"#;
    let (bundle, diagnostics) = resolved(&[("api.json", spec)]);
    assert!(diagnostics.0.is_empty(), "{}", diagnostics.render());
    assert_eq!(bundle.value["info"]["title"], "Thumbs 👍");
    let properties = &bundle.value["components"]["schemas"]["A"]["properties"];
    assert_eq!(properties["👍👍"]["description"], "é 😀");
    // Columns count characters of the file as written: the escapes, not the characters.
    let key = bundle.locate("/components/schemas/A/properties/👍👍");
    assert_eq!(key.map(|l| (l.line, l.column)), Some((6, 5)));
    let description = bundle.locate("/components/schemas/A/properties/👍👍/description");
    assert_eq!(description.map(|l| (l.line, l.column)), Some((6, 52)));
    let b = bundle.locate("/components/schemas/A/properties/b");
    assert_eq!(b.map(|l| (l.line, l.column)), Some((6, 91)));
}

#[test]
fn json_duplicates_big_numbers_and_escapes_read_as_json_reads_them() {
    let spec = "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"a\\/b\\tc\", \"version\": \"1\"},\n \"paths\": {}, \"x-limit\": 1e400,\n \"info\": {\"title\": \"second\", \"version\": \"2\"}}";
    let (bundle, diagnostics) = resolved(&[("api.json", spec)]);
    // The last of duplicate keys counts, as in JSON.parse or serde_json; it is a warning.
    assert_eq!(bundle.value["info"]["title"], "second");
    let warnings: Vec<&Diagnostic> = diagnostics.warnings().collect();
    assert_eq!(warnings.len(), 2, "{}", diagnostics.render());
    assert!(warnings.iter().any(|w| w.message.contains("duplicate key `info`")
        && place(w) == Some(("api.json".to_owned(), 3, 2, "/info".to_owned()))));
    assert!(warnings.iter().any(|w| w.message.contains("1e400")));
    let (bundle, _) = resolved(&[("t.json", "{\"title\": \"a\\/b\\tc\"}")]);
    assert_eq!(bundle.value["title"], "a/b\tc");
}

#[test]
fn text_that_only_looks_like_json_is_still_read_as_yaml() {
    // A trailing comma is not JSON, but YAML reads it; that stays so, with a word about it.
    let (bundle, diagnostics) = resolved(&[("api.json", "{\"openapi\": \"3.0.3\", \"paths\": {},}")]);
    assert_eq!(bundle.value["openapi"], "3.0.3");
    let warning = diagnostics.warnings().next();
    assert!(warning.is_some_and(|w| w.message.starts_with("not valid JSON")), "{}", diagnostics.render());
}

// ---- a second document ---------------------------------------------------------------------

#[test]
fn a_second_yaml_document_is_reported_where_it_starts() {
    let spec = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\n---\nopenapi: 3.1.0\n";
    let (bundle, diagnostics) = resolved(&[("api.yaml", spec)]);
    assert_eq!(bundle.value["openapi"], "3.0.3");
    let warnings: Vec<&Diagnostic> = diagnostics.warnings().collect();
    assert_eq!(warnings.len(), 1, "{}", diagnostics.render());
    assert!(warnings[0].message.contains("second YAML document"));
    assert_eq!(place(warnings[0]).map(|p| (p.0, p.1)), Some(("api.yaml".to_owned(), 4)));
}

// ---- what one file can cost in diagnostics and positions ---------------------------------

#[test]
fn a_file_full_of_slips_keeps_a_bounded_number_of_short_warnings() {
    // 20,000 duplicate keys and 20,000 lone surrogates on one minified line: each warning
    // used to carry a copy of the whole line, which is the whole file.
    let keys = (0..20_000).map(|_| r#""a":0"#).collect::<Vec<_>>().join(",");
    let halves = (0..20_000).map(|i| format!(r#""s{i}":"\ud800""#)).collect::<Vec<_>>().join(",");
    let spec = format!(
        r#"{{"openapi":"3.0.0","info":{{"title":"T","version":"1"}},"paths":{{}},"components":{{"examples":{{"E":{{"value":{{{keys},{halves}}}}}}}}}}}"#
    );
    let (_, diagnostics) = resolved(&[("api.json", &spec)]);
    let warnings: Vec<&Diagnostic> = diagnostics.warnings().collect();
    assert!(warnings.len() <= 101, "{} warnings", warnings.len());
    let summary = warnings.last().map(|w| w.message.clone()).unwrap_or_default();
    assert!(summary.contains("more warnings while reading this file"), "{summary}");
    // Of a line that long, each quotes only the part around its column.
    let quoted: Vec<usize> = warnings.iter().filter_map(|w| w.location.as_ref()?.source_line.as_ref()).map(|l| l.chars().count()).collect();
    assert!(quoted.iter().all(|chars| *chars <= 122), "a line of {} bytes is quoted in full: {quoted:?}", spec.len());
}

#[test]
fn long_keys_over_many_nodes_cost_memory_linear_in_the_file() {
    // A 100,000-character key above 50,000 items: every item's pointer repeats the key.
    for format in ["json", "yaml"] {
        let key = "k".repeat(100_000);
        let items = vec!["0"; 50_000].join(",");
        let spec = match format {
            "json" => format!(r#"{{"openapi":"3.0.0","info":{{"title":"T","version":"1"}},"paths":{{}},"components":{{"examples":{{"{key}":{{"value":[{items}]}}}}}}}}"#),
            // YAML keys are at most 1,024 characters: 100 nested keys of 1,000 instead.
            _ => {
                let nested: String = (0..100).map(|level| format!("{{{}{level}: ", "k".repeat(1_000))).collect();
                format!(
                    "openapi: 3.0.0\ninfo: {{title: T, version: '1'}}\npaths: {{}}\ncomponents:\n  examples:\n    E:\n      value: {nested}[{items}]{}\n",
                    "}".repeat(100)
                )
            }
        };
        let name = format!("api.{format}");
        let document = specwright_codegen::load::load_document(&loader(&[(name.as_str(), spec.as_str())]), &name, None)
            .unwrap_or_else(|diagnostics| panic!("{diagnostics:?}"));
        let kept: usize = document.parsed.positions.keys().chain(document.parsed.raw_scalars.keys()).map(String::len).sum();
        assert!(kept <= spec.len() * 16 + (4 << 20), "{format}: {kept} bytes of pointers for {} bytes", spec.len());
        assert!(
            document.warnings.iter().any(|w| w.message.contains("too long to remember where each one sits")),
            "{format}: {:?}",
            document.warnings
        );
        // Nodes past the budget are still located, at an ancestor.
        let location = document.locate(&format!("/components/examples/{key}/value/49999"));
        assert!(location.line >= 1);
        assert!(document.value().pointer("/components/examples").is_some());
    }
}

#[test]
fn hidden_files_and_files_that_are_not_documents_are_refused_without_their_text() {
    let spec = "openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '.env'}}}}
        '201': {description: ok, content: {application/json: {schema: {$ref: 'config/.secrets/keys.yaml'}}}}
        '202': {description: ok, content: {application/json: {schema: {$ref: 'notes.txt'}}}}
";
    let secret = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI DB_PASSWORD=hunter2";
    let files = [
        ("api.yaml", spec),
        (".env", secret),
        ("config/.secrets/keys.yaml", "password: hunter2"),
        ("notes.txt", secret),
    ];
    let diagnostics = refused(&files);
    let rendered = diagnostics.render();
    assert!(!rendered.contains("hunter2") && !rendered.contains("wJalr"), "{rendered}");
    let errors: Vec<&Diagnostic> = diagnostics.errors().collect();
    assert_eq!(errors.iter().filter(|e| e.message.contains("hidden file or directory")).count(), 2, "{rendered}");
    let not_a_document = errors.iter().find(|e| e.message.contains("is not a JSON or YAML document")).expect("notes.txt");
    assert_eq!(place(not_a_document).map(|p| p.3), Some("/paths/~1a/get/responses/202/content/application~1json/schema/$ref".to_owned()));
}
