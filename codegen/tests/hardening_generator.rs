//! The generator on hostile specs: a spec is untrusted input to a user's build script, so no
//! spec may make it run out of memory, time or stack, or emit code that does not compile.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use specwright_codegen::ir::{Ir, ParamLocation, Shape, TypeKind};
use specwright_codegen::{Diagnostic, Error, Generated, Generator, MemoryLoader};

/// A build script's worst case: a spawned thread's default stack.
const SMALL_STACK: usize = 2 * 1024 * 1024;

fn document(schemas: Value, paths: Value) -> String {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    })
    .to_string()
}

fn generate(spec: &str) -> Result<Generated, Error> {
    let mut generator = Generator::new("api.json");
    generator.loader(MemoryLoader::new().with("api.json", spec.to_owned()));
    generator.generate_code()
}

fn generated(spec: &str) -> Generated {
    generate(spec).unwrap_or_else(|e| match e.diagnostics() {
        Some(d) => panic!("{}", d.render()),
        None => panic!("{e}"),
    })
}

/// Runs `f` on a thread with a 2 MiB stack; a stack overflow aborts the test binary.
fn on_small_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new().stack_size(SMALL_STACK).spawn_scoped(scope, f).expect("spawn");
        match handle.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

fn warning_containing<'a>(generated: &'a Generated, needle: &str) -> &'a Diagnostic {
    generated.warnings.warnings().find(|w| w.message.contains(needle)).unwrap_or_else(|| {
        panic!("no warning containing {needle:?} in {:#?}", generated.warnings.warnings().map(|w| &w.message).collect::<Vec<_>>())
    })
}

fn assert_located(diagnostic: &Diagnostic) {
    let location = diagnostic.location.as_ref().expect("a location");
    assert!(location.line > 0 && !location.pointer.is_empty(), "{diagnostic:?}");
}

/// How deeply `Vec`, map, option, box and tuple nest in a shape.
fn shape_depth(shape: &Shape) -> usize {
    match shape {
        Shape::Vec(inner) | Shape::Map(inner) | Shape::Nullable(inner) | Shape::Boxed(inner) => 1 + shape_depth(inner),
        Shape::Tuple(items) => 1 + items.iter().map(shape_depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn deepest_shape(ir: &Ir) -> usize {
    let mut deepest = 0;
    for def in &ir.types.types {
        let shapes: Vec<&Shape> = match &def.kind {
            TypeKind::Struct { fields } => fields.iter().map(|f| &f.shape).collect(),
            TypeKind::Union { members, .. } => members.iter().map(|m| &m.shape).collect(),
            TypeKind::Alias(shape) => vec![shape],
            TypeKind::Enum { .. } | TypeKind::ValueEnum { .. } => Vec::new(),
        };
        deepest = shapes.into_iter().map(shape_depth).fold(deepest, usize::max);
    }
    deepest
}

// ---- allOf ----------------------------------------------------------------------------------

/// `S_i = allOf[S_{i+1}, {f_i}]`: each schema copies every property below it, so the output is
/// quadratic in the chain (3 GB for 1,000 before the budget, about 150 MB after). Merging stops at the budget, with
/// a located warning, and the output stays bounded.
#[test]
fn an_all_of_chain_is_bounded_by_a_budget_with_a_located_warning() {
    let length = 1000;
    let mut schemas = serde_json::Map::new();
    for i in 0..length {
        let next = if i + 1 < length {
            json!({"$ref": format!("#/components/schemas/S{}", i + 1)})
        } else {
            json!({"type": "object", "properties": {"end": {"type": "string"}}})
        };
        schemas.insert(
            format!("S{i}"),
            json!({"allOf": [next, {"type": "object", "properties": {format!("f{i}"): {"type": "string"}}}]}),
        );
    }
    let generated = generated(&document(Value::Object(schemas), json!({})));
    let warning = warning_containing(&generated, "expands beyond");
    assert_located(warning);
    let fields: usize = generated
        .ir
        .types
        .types
        .iter()
        .map(|def| match &def.kind {
            TypeKind::Struct { fields } => fields.len(),
            _ => 0,
        })
        .sum();
    assert!(fields <= 22_000, "{fields} fields");
    // Schemas merge in order until the budget is spent: the first in full, the rest as JSON.
    let first = generated.ir.types.types.iter().find(|t| t.name == "S0").expect("S0");
    assert!(matches!(&first.kind, TypeKind::Struct { fields } if fields.len() == 1001), "S0 merges all 1,001 properties");
    let last = generated.ir.types.types.iter().find(|t| t.name == "S999").expect("S999");
    assert_eq!(last.kind, TypeKind::Alias(Shape::Json));
}

// ---- long reference chains ------------------------------------------------------------------

fn reference_chain(length: usize, ring: bool) -> String {
    let mut schemas = serde_json::Map::new();
    for i in 0..length {
        let next = if i + 1 < length {
            json!({"next": {"$ref": format!("#/components/schemas/S{}", i + 1)}})
        } else if ring {
            json!({"next": {"$ref": "#/components/schemas/S0"}})
        } else {
            json!({"end": {"type": "number"}})
        };
        schemas.insert(format!("S{i}"), json!({"type": "object", "properties": next}));
    }
    document(Value::Object(schemas), json!({}))
}

fn next_is_boxed(ir: &Ir, name: &str) -> bool {
    let def = ir.types.types.iter().find(|t| t.name == name).expect("type");
    let TypeKind::Struct { fields } = &def.kind else { panic!("{name} is a struct") };
    matches!(fields.iter().find(|f| f.wire_name == "next").map(|f| &f.shape), Some(Shape::Boxed(_)))
}

/// 10,000 schemas each holding the next: linear to build and emit (a search per field, and
/// a recursive `Eq`/`Hash` check per struct, made this quadratic and deep enough to overflow
/// the stack), and nothing is boxed, since nothing recurses.
#[test]
fn a_chain_of_10000_references_is_built_linearly_on_a_small_stack() {
    let spec = reference_chain(10_000, false);
    let started = std::time::Instant::now();
    let generated = on_small_stack(|| generated(&spec));
    let elapsed = started.elapsed();
    assert!(!next_is_boxed(&generated.ir, "S0") && !next_is_boxed(&generated.ir, "S9998"));
    // The chain ends in a number, so no struct of it can derive `Eq`.
    assert!(!generated.code.contains("Eq, Hash"), "a float at the end of the chain is unhashable all the way up");
    assert!(elapsed.as_secs() < 120, "took {elapsed:?}");
}

/// The same chain closed into a ring: one cycle through every schema, so every `next` is boxed.
#[test]
fn a_ring_of_2000_references_boxes_every_link() {
    let generated = on_small_stack(|| generated(&reference_chain(2000, true)));
    assert!((0..2000).all(|i| next_is_boxed(&generated.ir, &format!("S{i}"))));
    assert!(syn::parse_file(&generated.code).is_ok());
}

// ---- nesting depth --------------------------------------------------------------------------

/// The deepest nesting of schemas the loader accepts (its parser stops a little past 250
/// levels of the document), wrapped by `wrap`.
fn nested_spec(depth: usize, wrap: impl Fn(Value) -> Value) -> String {
    let mut schema = json!({"type": "string"});
    for _ in 0..depth {
        schema = wrap(schema);
    }
    document(json!({"Deep": schema}), json!({}))
}

const LOADER_DEPTH: usize = 240;

fn assert_nesting_capped(spec: &str) {
    let generated = on_small_stack(|| generated(spec));
    let warning = warning_containing(&generated, "nest");
    assert_located(warning);
    assert!(deepest_shape(&generated.ir) <= 32, "shapes nest {} deep", deepest_shape(&generated.ir));
    assert!(syn::parse_file(&generated.code).is_ok());
}

#[test]
fn nested_arrays_are_capped_with_a_located_warning() {
    assert_nesting_capped(&nested_spec(LOADER_DEPTH, |s| json!({"type": "array", "items": s})));
}

#[test]
fn nested_maps_are_capped_with_a_located_warning() {
    assert_nesting_capped(&nested_spec(LOADER_DEPTH, |s| json!({"type": "object", "additionalProperties": s})));
}

#[test]
fn nested_inline_objects_are_capped_with_a_located_warning() {
    // Each level is two document levels (`properties`, then the property).
    assert_nesting_capped(&nested_spec(LOADER_DEPTH / 2, |s| json!({"type": "object", "properties": {"child": s}})));
}

#[test]
fn nested_one_of_and_all_of_are_capped_with_a_located_warning() {
    // Each level is two document levels (the list, then the member).
    assert_nesting_capped(&nested_spec(LOADER_DEPTH / 2, |s| json!({"oneOf": [s, {"type": "integer"}]})));
    assert_nesting_capped(&nested_spec(LOADER_DEPTH / 2, |s| json!({"allOf": [s]})));
    assert_nesting_capped(&nested_spec(LOADER_DEPTH / 3, |s| json!({"type": "array", "items": {"allOf": [s]}})));
}

/// 60 nested arrays made code that rustc refuses (E0275): the cap is below that.
#[test]
fn sixty_nested_arrays_become_a_json_value_below_the_cap() {
    let generated = generated(&nested_spec(60, |s| json!({"type": "array", "items": s})));
    let deep = generated.ir.types.types.iter().find(|t| t.name == "Deep").expect("Deep");
    let TypeKind::Alias(shape) = &deep.kind else { panic!("Deep is an alias") };
    assert_eq!(shape_depth(shape), 32);
    warning_containing(&generated, "nest more than 32 levels");
}

mod ten_thousand_deep {
    //! Past what the loader accepts: the IR and emitter alone, on models built directly.

    use openapiv3::{AdditionalProperties, ArrayType, ObjectType, OpenAPI, ReferenceOr, Schema, SchemaKind, Type};
    use specwright_codegen::normalize::{Normalized, SpecVersion};
    use specwright_codegen::{emit, ir};

    const DEPTH: usize = 10_000;

    fn schema(kind: SchemaKind) -> Schema {
        Schema { schema_data: Default::default(), schema_kind: kind }
    }

    fn string() -> Schema {
        schema(SchemaKind::Type(Type::String(Default::default())))
    }

    fn array(items: Schema) -> Schema {
        schema(SchemaKind::Type(Type::Array(ArrayType {
            items: Some(ReferenceOr::Item(Box::new(items))),
            min_items: None,
            max_items: None,
            unique_items: false,
        })))
    }

    fn map(values: Schema) -> Schema {
        schema(SchemaKind::Type(Type::Object(ObjectType {
            additional_properties: Some(AdditionalProperties::Schema(Box::new(ReferenceOr::Item(values)))),
            ..Default::default()
        })))
    }

    fn object(child: Schema) -> Schema {
        let mut object = ObjectType::default();
        object.properties.insert("child".to_owned(), ReferenceOr::Item(Box::new(child)));
        schema(SchemaKind::Type(Type::Object(object)))
    }

    fn all_of(member: Schema) -> Schema {
        schema(SchemaKind::AllOf { all_of: vec![ReferenceOr::Item(member), ReferenceOr::Item(object(string()))] })
    }

    fn one_of(member: Schema) -> Schema {
        schema(SchemaKind::OneOf { one_of: vec![ReferenceOr::Item(member), ReferenceOr::Item(string())] })
    }

    fn single_all_of(member: Schema) -> Schema {
        schema(SchemaKind::AllOf { all_of: vec![ReferenceOr::Item(member)] })
    }

    /// Builds the model and drops it on a big stack (a model this deep drops recursively),
    /// and runs the IR and the emitter on a 2 MiB one. `nests` says whether the nesting cap
    /// is what bounds it (an `allOf` of `allOf`s is merged flat instead).
    fn check(wrap: fn(Schema) -> Schema, nests: bool) {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn(move || {
                let mut deep = string();
                for _ in 0..DEPTH {
                    deep = wrap(deep);
                }
                let mut api = OpenAPI { openapi: "3.0.3".to_owned(), ..Default::default() };
                let mut components = openapiv3::Components::default();
                components.schemas.insert("Deep".to_owned(), ReferenceOr::Item(deep));
                api.components = Some(components);
                let normalized = Normalized { api, version: SpecVersion::V3_0 };
                let (warnings, code) = super::on_small_stack(|| {
                    let (model, warnings) = ir::build(&normalized, &ir::Options::default());
                    let code = emit::emit(&model, "deep.json").map_err(|e| e.to_string());
                    (warnings, code)
                });
                assert_eq!(warnings.warnings().any(|w| w.message.contains("nest")), nests, "{warnings:?}");
                let code = code.expect("emits");
                assert!(syn::parse_file(&code).is_ok());
            })
            .expect("spawn")
            .join()
            .expect("no panic");
    }

    #[test]
    fn arrays() {
        check(array, true);
    }

    #[test]
    fn maps() {
        check(map, true);
    }

    #[test]
    fn inline_objects() {
        check(object, true);
    }

    #[test]
    fn all_of_and_one_of() {
        check(all_of, false);
        check(one_of, true);
        check(single_all_of, true);
    }
}

// ---- text that rustc refuses ----------------------------------------------------------------

/// Bidirectional controls: rustc's deny-by-default `text_direction_codepoint_in_comment` and
/// `..._in_literal` lints refuse them anywhere in the source.
const BIDI: &[char] = &['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'];

#[test]
fn spec_text_with_carriage_returns_and_bidi_controls_compiles() {
    let hostile = "one\rtwo\u{202E}evil\u{2066} */ } fn injected() {} /*\n#[cfg(any())]\r\n```\nfn doctest() {}\n```";
    let spec = json!({
        "openapi": "3.0.3",
        "info": {"title": format!("T{hostile}"), "version": "1", "description": hostile},
        "servers": [{"url": "https://example.com/{v}", "description": hostile, "variables": {"v": {"default": "a\u{202E}", "enum": ["a\u{202E}", "b\r"], "description": hostile}}}],
        "tags": [{"name": format!("tag{hostile}"), "description": hostile}],
        "paths": {
            "/things/{id}": {
                "get": {
                    "operationId": format!("get{hostile}"),
                    "tags": [format!("tag{hostile}")],
                    "summary": hostile,
                    "description": hostile,
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "description": hostile, "schema": {"type": "string"}},
                        {"name": format!("q{hostile}"), "in": "query", "description": hostile, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {"description": hostile, "headers": {format!("X-H{hostile}"): {"description": hostile, "schema": {"type": "string"}}},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                        "201": {"description": hostile, "content": {format!("text/plain{hostile}"): {"schema": {"type": "string"}}}},
                        "404": {"description": hostile, "content": {"application/json": {"schema": {"type": "object", "properties": {"e": {"type": "string"}}}}}},
                        "500": {"description": hostile, "content": {"application/json": {"schema": {"type": "object", "properties": {"f": {"type": "integer"}}}}}}
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {format!("key{hostile}"): {"type": "apiKey", "in": "header", "name": format!("X-Key{hostile}"), "description": hostile}},
            "schemas": {
                "Thing": {
                    "type": "object",
                    "title": hostile,
                    "description": hostile,
                    "properties": {
                        format!("p{hostile}"): {"type": "string", "description": hostile, "title": hostile, "example": hostile, "default": hostile, "pattern": hostile},
                        "kind": {"type": "string", "enum": [format!("a{hostile}"), "b"]},
                        "level": {"enum": [1, format!("x{hostile}")]}
                    }
                }
            }
        }
    });
    let generated = generated(&spec.to_string());
    let code = &generated.code;
    assert!(!code.contains('\r'), "a carriage return is left in the generated code");
    assert!(!code.contains(BIDI), "a bidirectional control is left in the generated code");
    let file = syn::parse_file(code).expect("parses");
    // The text stayed text: no function or attribute came out of it.
    assert!(!file.items.iter().any(|item| matches!(item, syn::Item::Fn(_))), "a function was injected");
    assert!(!code.lines().any(|line| line.trim_start().starts_with("#[cfg")), "text became an attribute");
    assert!(code.contains("\\u{202e}evil"), "the control is shown, not dropped silently");
}

// ---- one namer per scope --------------------------------------------------------------------

/// Every `fn` of every `impl` block (and every module's items) of a generated file, with the
/// names defined twice.
fn duplicate_definitions(code: &str) -> Vec<String> {
    fn visit(items: &[syn::Item], scope: &str, out: &mut Vec<String>) {
        let mut type_names: BTreeMap<String, usize> = BTreeMap::new();
        let mut impls: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
        for item in items {
            match item {
                syn::Item::Struct(s) => *type_names.entry(s.ident.to_string()).or_default() += 1,
                syn::Item::Enum(e) => *type_names.entry(e.ident.to_string()).or_default() += 1,
                syn::Item::Type(t) => *type_names.entry(t.ident.to_string()).or_default() += 1,
                syn::Item::Mod(m) => {
                    *type_names.entry(m.ident.to_string()).or_default() += 1;
                    if let Some((_, inner)) = &m.content {
                        visit(inner, &format!("{scope}::{}", m.ident), out);
                    }
                }
                syn::Item::Impl(block) if block.trait_.is_none() => {
                    let self_ty = quote::ToTokens::to_token_stream(&block.self_ty).to_string();
                    let methods = impls.entry(self_ty).or_default();
                    for impl_item in &block.items {
                        if let syn::ImplItem::Fn(f) = impl_item {
                            *methods.entry(f.sig.ident.to_string()).or_default() += 1;
                        }
                    }
                }
                _ => {}
            }
        }
        out.extend(type_names.into_iter().filter(|(_, n)| *n > 1).map(|(name, _)| format!("{scope}::{name}")));
        for (self_ty, methods) in impls {
            out.extend(methods.into_iter().filter(|(_, n)| *n > 1).map(|(name, _)| format!("{scope}::{self_ty}::{name}")));
        }
    }
    let file = syn::parse_file(code).expect("parses");
    let mut out = Vec::new();
    visit(&file.items, "crate", &mut out);
    out
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile_ir").join(name)
}

#[test]
fn names_that_collide_with_client_methods_are_told_apart() {
    let generated = Generator::new(fixture("collisions.yaml")).generate_code().expect("generates");
    assert_eq!(duplicate_definitions(&generated.code), Vec::<String>::new());
    // The first comer keeps the name; the other gets a suffix.
    let ir = &generated.ir;
    let root: Vec<&str> = ir.operations.iter().filter(|op| op.group.is_none()).map(|op| op.method_name.as_str()).collect();
    let accessors: Vec<&str> = ir.groups.iter().map(|g| g.method.as_str()).collect();
    assert!(root.contains(&"set_api_key2") && root.contains(&"transport_clone2"), "{root:?}");
    assert!(root.contains(&"pets") && accessors.contains(&"pets2"), "{accessors:?} {root:?}");
    assert!(root.contains(&"new2") && accessors.contains(&"new3"), "{accessors:?} {root:?}");
    assert!(root.contains(&"clear_credentials3"), "{root:?}");
    let scheme = |name: &str| ir.security_schemes.iter().find(|s| s.name == name).map(|s| s.rust_name.as_str());
    assert_eq!(scheme("credentials"), Some("credentials2"), "`clear_credentials` is the client's");
}

#[test]
fn no_spec_of_the_project_defines_a_name_twice() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let mut checked = 0;
    for entry in std::fs::read_dir(&specs).expect("specs/") {
        let path = entry.expect("entry").path();
        let mut generator = Generator::new(&path);
        generator.root(&specs);
        let generated = generator.generate_code().expect("generates");
        assert_eq!(duplicate_definitions(&generated.code), Vec::<String>::new(), "{}", path.display());
        checked += 1;
    }
    assert!(checked >= 5);
}

/// The corpus, when it is beside the checkout: every spec that generates defines each name once.
/// About four minutes in a debug build; the conformance run, which compiles every corpus client,
/// fails on a name defined twice too.
#[test]
#[ignore = "slow: generates the whole corpus; the conformance run covers it by compiling every client"]
fn no_corpus_spec_defines_a_name_twice() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    let Ok(manifest) = std::fs::read_to_string(corpus.join("manifest.tsv")) else {
        eprintln!("SKIPPED: ../shared/corpus is missing");
        return;
    };
    let mut lines = manifest.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = header.iter().position(|h| *h == "local_path").expect("local_path column");
    let mut failures = Vec::new();
    for line in lines {
        let Some(path) = line.split('\t').nth(column) else { continue };
        let mut generator = Generator::new(corpus.join(path));
        generator.root(&corpus);
        if let Ok(generated) = generator.generate_code() {
            let duplicates = duplicate_definitions(&generated.code);
            if !duplicates.is_empty() {
                failures.push(format!("{path}: {duplicates:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---- paths ----------------------------------------------------------------------------------

fn one_path(path: &str, parameters: Value) -> String {
    document(
        json!({}),
        json!({path: {"get": {"operationId": "op", "parameters": parameters, "responses": {"204": {"description": "none"}}}}}),
    )
}

fn refusal(spec: &str) -> Diagnostic {
    let Err(error) = generate(spec) else { panic!("generated") };
    error.diagnostics().and_then(|d| d.errors().next().cloned()).expect("an error")
}

#[test]
fn a_path_that_does_not_start_with_a_slash_is_refused_where_it_is() {
    for path in ["@evil.example:443/x", "x/y", "", "{host}/x"] {
        let error = refusal(&one_path(path, json!([])));
        assert!(error.message.contains("does not start with `/`"), "{path}: {error:?}");
        assert_located(&error);
    }
}

#[test]
fn a_path_with_dot_segments_is_refused_where_it_is() {
    for path in ["/a/../admin", "/./a", "/a/..", "/a/%2E%2e/b", "/a/.%2e"] {
        let error = refusal(&one_path(path, json!([])));
        assert!(error.message.contains("`..` segment"), "{path}: {error:?}");
        assert_located(&error);
    }
    // Dots inside a segment are fine.
    assert!(generate(&one_path("/a/..b/.c/v1.2", json!([]))).is_ok());
}

#[test]
fn a_template_variable_without_a_parameter_is_reported_and_becomes_an_argument() {
    let spec = one_path("/pets/{petId}/toys/{toyId}", json!([{"name": "petId", "in": "path", "required": true, "schema": {"type": "integer"}}]));
    let generated = generated(&spec);
    let warning = warning_containing(&generated, "names `{toyId}`, but no such path parameter is declared");
    assert_located(warning);
    let op = &generated.ir.operations[0];
    let toy = op.params.iter().find(|p| p.wire_name == "toyId").expect("toyId becomes a parameter");
    assert_eq!((toy.location, toy.required, &toy.shape), (ParamLocation::Path, true, &Shape::String));
    assert!(generated.code.contains(r#"request.path_param("toyId", &self.toy_id);"#), "{}", generated.code);
    assert!(!generated.warnings.warnings().any(|w| w.message.contains("`petId`")));
}

#[test]
fn many_undeclared_template_variables_make_one_short_warning() {
    let path: String = (0..2_000).map(|i| format!("/{{v{i}}}")).collect();
    let generated = generated(&one_path(&path, json!([])));
    let warnings: Vec<_> = generated.warnings.warnings().filter(|w| w.message.contains("no such path parameter")).collect();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].message.contains("and 1995 more"), "{}", warnings[0].message);
    assert_eq!(generated.ir.operations[0].params.len(), 2_000);
}



#[test]
fn an_enum_literal_too_deep_to_read_back_is_no_variant() {
    // serde_json reads 128 levels at most: such a literal used to become a variant whose value
    // is silently `null`, so a server's `null` decoded as it.
    let deep = (0..200).fold(json!(1), |inner, _| json!([inner]));
    let spec = document(json!({"M": {"enum": [deep, 1, "x"]}}), json!({}));
    let generated = generated(&spec);
    assert!(!generated.code.contains("unwrap_or_default()"), "a literal read back at run time");
    assert!(generated.code.contains("V1"), "{}", generated.code);
}
