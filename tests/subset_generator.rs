//! Subset clients (`Generator::tags`, `Generator::operations`, `--tag`, `--operation`): only the
//! named operations, with exactly the types they reach, under the names of the full client.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use specwright_codegen::ir::{BodyEncoding, Ir, ResponseBody, Shape, TypeKind};
use specwright_codegen::{Error, Generator, MemoryLoader, SubsetKind};

fn nexus() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/progenitor/sample_openapi/nexus.json");
    assert!(path.is_file(), "this test needs ../shared/corpus beside the checkout");
    path
}

fn ir(generator: &Generator) -> Ir {
    match generator.check() {
        Ok((ir, _, _)) => ir,
        Err(error) => panic!("{error:?}"),
    }
}

fn type_names(ir: &Ir) -> BTreeSet<&str> {
    ir.types.types.iter().map(|t| t.name.as_str()).collect()
}

/// A shape with its named types spelled by name, to compare two IRs whose ids differ.
fn render(ir: &Ir, shape: &Shape) -> String {
    match shape {
        Shape::Named(id) => match ir.types.get(*id) {
            Some(def) => def.name.clone(),
            None => format!("<dangling {}>", id.0),
        },
        Shape::Vec(inner) => format!("Vec<{}>", render(ir, inner)),
        Shape::Map(inner) => format!("Map<{}>", render(ir, inner)),
        Shape::Nullable(inner) => format!("Option<{}>", render(ir, inner)),
        Shape::Boxed(inner) => format!("Box<{}>", render(ir, inner)),
        Shape::Tuple(items) => format!("({})", items.iter().map(|i| render(ir, i)).collect::<Vec<_>>().join(", ")),
        leaf => format!("{leaf:?}"),
    }
}

/// Every type, by name, with its content rendered by name.
fn rendered_types(ir: &Ir) -> BTreeMap<String, String> {
    ir.types
        .types
        .iter()
        .map(|def| {
            let content = match &def.kind {
                TypeKind::Struct { fields } => fields
                    .iter()
                    .map(|f| format!("{}:{}:{}:{}", f.rust_name, render(ir, &f.shape), f.required, f.nullable))
                    .collect::<Vec<_>>()
                    .join(","),
                TypeKind::Union { members, discriminator } => {
                    let members: Vec<String> = members.iter().map(|m| format!("{}:{}", m.rust_name, render(ir, &m.shape))).collect();
                    format!("{members:?} {discriminator:?}")
                }
                TypeKind::Alias(shape) => render(ir, shape),
                other => format!("{other:?}"),
            };
            (def.name.clone(), content)
        })
        .collect()
}

/// The names of the types an operation mentions itself (not through other types).
fn direct_types(ir: &Ir) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for op in &ir.operations {
        let mut shapes: Vec<&Shape> = op.params.iter().map(|p| &p.shape).collect();
        if let Some(body) = &op.body {
            for encoding in std::iter::once(&body.encoding).chain(body.choices.iter().map(|c| &c.encoding)) {
                if let BodyEncoding::Json(shape) | BodyEncoding::Form(shape) | BodyEncoding::Multipart { shape, .. } = encoding {
                    shapes.push(shape);
                }
            }
        }
        for case in op.responses.success.iter().chain(&op.responses.errors) {
            if let ResponseBody::Json(shape) | ResponseBody::JsonItems(shape) = &case.body {
                shapes.push(shape);
            }
        }
        shapes.extend(op.responses.headers.iter().map(|h| &h.shape));
        for shape in shapes {
            out.insert(render(ir, shape));
        }
    }
    out
}

fn field_shape<'a>(ir: &'a Ir, owner: &str, field: &str) -> &'a Shape {
    let def = ir.types.types.iter().find(|t| t.name == owner).unwrap_or_else(|| panic!("no type {owner}"));
    let TypeKind::Struct { fields } = &def.kind else { panic!("{owner} is a struct") };
    &fields.iter().find(|f| f.wire_name == field).unwrap_or_else(|| panic!("no field {owner}.{field}")).shape
}

const TAGS: [&str; 3] = ["silos", "roles", "policy"];

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus beside the checkout (.ci/run has it)")]
fn three_nexus_tags_keep_their_operations_and_exactly_the_types_they_reach() {
    let nexus = nexus();
    let full = ir(&Generator::new(&nexus));
    let subset = ir(Generator::new(&nexus).tags(TAGS));

    // The operations are those with one of the tags in the spec, under their full-client names.
    let spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&nexus).unwrap_or_default()).unwrap_or_default();
    let mut expected = BTreeSet::new();
    for item in spec["paths"].as_object().into_iter().flat_map(|paths| paths.values()) {
        for operation in item.as_object().into_iter().flat_map(|item| item.values()) {
            let tags = operation["tags"].as_array().into_iter().flatten().filter_map(|t| t.as_str());
            if tags.into_iter().any(|t| TAGS.contains(&t)) {
                expected.insert(operation["operationId"].as_str().unwrap_or_default().to_owned());
            }
        }
    }
    let kept: BTreeSet<String> = subset.operations.iter().map(|op| op.operation_id.clone()).collect();
    assert_eq!(kept, expected);
    assert_eq!(kept.len(), 8);
    let names = |ir: &Ir| -> BTreeMap<String, (String, String, Option<String>)> {
        ir.operations
            .iter()
            .map(|op| {
                let group = op.group.and_then(|g| ir.groups.get(g)).map(|g| format!("{}/{}/{}", g.tag, g.method, g.struct_name));
                (op.operation_id.clone(), (op.method_name.clone(), op.builder_name.clone(), group))
            })
            .collect()
    };
    let full_names = names(&full);
    for (id, name) in names(&subset) {
        assert_eq!(full_names.get(&id), Some(&name), "{id} keeps its names");
    }
    let groups: BTreeSet<&str> = subset.groups.iter().map(|g| g.tag.as_str()).collect();
    assert_eq!(groups, BTreeSet::from(TAGS));

    // Only reachable types, each the same type as in the full client.
    let (full_types, subset_types) = (rendered_types(&full), rendered_types(&subset));
    assert!(subset_types.len() < full_types.len() / 5, "{} of {} types", subset_types.len(), full_types.len());
    for (name, content) in &subset_types {
        assert_eq!(full_types.get(name), Some(content), "{name} is the same type in both clients");
        assert!(!content.contains("<dangling"), "{name}: {content}");
    }
    // `Instance` is reached only from the `instances` operations, which are dropped.
    assert!(full_types.contains_key("Instance") && !subset_types.contains_key("Instance"));
    assert!(!subset_types.contains_key("Disk") && !subset_types.contains_key("Vpc"));
    // `SiloRole` is reached only as a field of a field: policy_view → SiloRolePolicy
    // .role_assignments → [SiloRoleRoleAssignment] .role_name → SiloRole.
    assert!(!direct_types(&subset).iter().any(|shape| shape.contains("SiloRole>") || shape == "SiloRole"));
    assert_eq!(render(&subset, field_shape(&subset, "SiloRolePolicy", "role_assignments")), "Vec<SiloRoleRoleAssignment>");
    assert_eq!(render(&subset, field_shape(&subset, "SiloRoleRoleAssignment", "role_name")), "SiloRole");
    assert!(subset_types.contains_key("SiloRole"));
    // The subset is closed: every type it names is in it, and nothing it holds is unreachable.
    let reachable: BTreeSet<&str> = subset_types.keys().map(String::as_str).collect();
    assert_eq!(type_names(&subset), reachable);
    assert!(subset.webhooks.is_empty());
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus beside the checkout (.ci/run has it)")]
fn operations_are_named_by_operation_id_or_by_method_and_path_and_add_to_tags() {
    let nexus = nexus();
    let subset = ir(Generator::new(&nexus).operations(["get /roles/{role_name}", "silo_view"]));
    let ids: Vec<&str> = subset.operations.iter().map(|op| op.operation_id.as_str()).collect();
    assert_eq!(ids.iter().copied().collect::<BTreeSet<_>>(), BTreeSet::from(["role_view", "silo_view"]));
    // The same operation twice, by both names, is kept once.
    let once = ir(Generator::new(&nexus).operations(["role_view", "GET /roles/{role_name}"]));
    assert_eq!(once.operations.len(), 1);
    // The kept set is the union of tags and operations, over repeated calls.
    let union = ir(Generator::new(&nexus).tags(["policy"]).operations(["silo_view"]).operations(["role_view"]));
    let ids: BTreeSet<&str> = union.operations.iter().map(|op| op.operation_id.as_str()).collect();
    assert_eq!(ids, BTreeSet::from(["role_view", "silo_view", "system_policy_update", "system_policy_view"]));
    // A tag in another case matches when no tag has that exact spelling.
    let upper = ir(Generator::new(&nexus).tags(["POLICY"]));
    assert_eq!(upper.operations.len(), 2);
}

fn not_in_spec(result: Result<(Ir, specwright_codegen::Diagnostics, Vec<PathBuf>), Error>) -> (SubsetKind, String, Vec<String>, String) {
    match result {
        Err(error @ Error::NotInSpec { .. }) => {
            let message = error.to_string();
            let Error::NotInSpec { kind, name, close_matches } = error else { unreachable!() };
            (kind, name, close_matches, message)
        }
        Err(other) => panic!("expected NotInSpec, got {other:?}"),
        Ok(_) => panic!("expected NotInSpec, got a client"),
    }
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs ../shared/corpus beside the checkout (.ci/run has it)")]
fn unknown_tags_and_operations_are_errors_that_list_close_matches() {
    let nexus = nexus();
    let (kind, name, close, message) = not_in_spec(Generator::new(&nexus).tags(["silos", "silo"]).check());
    assert_eq!((kind, name.as_str()), (SubsetKind::Tag, "silo"));
    assert_eq!(close.first().map(String::as_str), Some("silos"));
    assert_eq!(message, "tag `silo` is not in the spec; close matches: `silos`");

    let (kind, _, close, _) = not_in_spec(Generator::new(&nexus).operations(["silo_vew"]).check());
    assert_eq!(kind, SubsetKind::Operation);
    assert_eq!(close.first().map(String::as_str), Some("silo_view"));
    assert!(close.len() <= 5);

    // A route is matched against routes, with the method in upper case.
    let (_, name, close, message) = not_in_spec(Generator::new(&nexus).operations(["get /silos"]).check());
    assert_eq!(name, "GET /silos");
    assert!(close.iter().any(|c| c == "GET /system/silos"), "{close:?}");
    assert_eq!(close.len(), 5, "{close:?}");
    assert!(message.starts_with("operation `GET /silos` is not in the spec; close matches: "), "{message}");
    // The path must be exact.
    let (_, _, close, _) = not_in_spec(Generator::new(&nexus).operations(["GET /roles/{name}"]).check());
    assert_eq!(close.first().map(String::as_str), Some("GET /roles/{role_name}"));

    // Nothing near: no list.
    let (_, _, close, message) = not_in_spec(Generator::new(&nexus).tags(["zzzzzzzzzzzzzzzz"]).check());
    assert!(close.is_empty());
    assert_eq!(message, "tag `zzzzzzzzzzzzzzzz` is not in the spec");
}

/// Every way a type is reached, on a spec small enough to see whole.
const REACH: &str = r##"
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: makeThing
      tags: [kept, other]
      parameters:
        - {name: id, in: path, required: true, schema: {$ref: '#/components/schemas/ParamId'}}
        - {name: filter, in: query, schema: {type: array, items: {$ref: '#/components/schemas/QueryItem'}}}
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/BodyJson'}}
          application/x-www-form-urlencoded: {schema: {$ref: '#/components/schemas/BodyForm'}}
      responses:
        '200':
          description: ok
          headers:
            X-Rate: {schema: {$ref: '#/components/schemas/RateHeader'}}
          content:
            application/json: {schema: {$ref: '#/components/schemas/Thing'}}
        '404':
          description: missing
          content:
            application/json: {schema: {$ref: '#/components/schemas/Problem'}}
    get:
      operationId: dropThing
      tags: [dropped]
      responses:
        '200':
          description: ok
          content:
            application/json: {schema: {$ref: '#/components/schemas/OnlyDropped'}}
  /second:
    get:
      operationId: secondTag
      tags: [dropped, kept]
      responses:
        '204': {description: nothing}
webhooks:
  ping:
    post:
      requestBody:
        content:
          application/json: {schema: {$ref: '#/components/schemas/HookPayload'}}
      responses:
        '200': {description: ok}
components:
  schemas:
    ParamId: {type: string, enum: [a, b]}
    QueryItem: {type: string, enum: [x, y]}
    BodyJson: {type: object, properties: {tuple: {type: array, prefixItems: [{$ref: '#/components/schemas/TupleA'}]}}}
    BodyForm: {type: object, properties: {n: {type: integer}}}
    TupleA: {type: object, properties: {n: {type: integer}}}
    RateHeader: {type: integer, enum: [1, 2]}
    Problem: {type: object, properties: {detail: {$ref: '#/components/schemas/ProblemDetail'}}}
    ProblemDetail: {type: object, properties: {text: {type: string}}}
    Thing:
      type: object
      properties:
        labels: {type: object, additionalProperties: {$ref: '#/components/schemas/MapValue'}}
        pet: {$ref: '#/components/schemas/Pet'}
        parent: {$ref: '#/components/schemas/Thing'}
    MapValue: {type: object, properties: {deep: {$ref: '#/components/schemas/Deep'}}}
    Deep: {type: object, properties: {deeper: {type: array, items: {$ref: '#/components/schemas/Deeper'}}}}
    Deeper: {type: object, properties: {n: {type: number}}}
    Pet:
      oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
      discriminator: {propertyName: kind, mapping: {cat: '#/components/schemas/Cat', dog: '#/components/schemas/Dog'}}
    Cat: {type: object, required: [kind], properties: {kind: {type: string}, claws: {type: integer}}}
    Dog: {type: object, required: [kind], properties: {kind: {type: string}, bark: {type: string}}}
    OnlyDropped: {type: object, properties: {shared: {$ref: '#/components/schemas/Deeper'}, own: {$ref: '#/components/schemas/OnlyDroppedChild'}}}
    OnlyDroppedChild: {type: object, properties: {n: {type: boolean}}}
    HookPayload: {type: object, properties: {n: {type: string}}}
    Unused: {type: object, properties: {n: {type: string}}}
"##;

fn reach_generator() -> Generator {
    let mut generator = Generator::new("api.yaml");
    generator.loader(MemoryLoader::new().with("api.yaml", REACH));
    generator
}

#[test]
fn every_kind_of_reference_keeps_its_type_and_nothing_else_stays() {
    let full = reach_generator().generate_code().unwrap_or_else(|e| panic!("{e:?}"));
    let subset = reach_generator().operations(["makeThing"]).generate_code().unwrap_or_else(|e| panic!("{e:?}"));
    let kept = type_names(&subset.ir);
    for name in [
        "ParamId", "QueryItem", "BodyJson", "BodyForm", "TupleA", "RateHeader", "Problem", "ProblemDetail", "Thing", "MapValue", "Deep",
        "Deeper", "Pet", "Cat", "Dog",
    ] {
        assert!(kept.contains(name), "{name} is reached; kept: {kept:?}");
    }
    for name in ["OnlyDropped", "OnlyDroppedChild", "HookPayload", "Unused"] {
        assert!(type_names(&full.ir).contains(name) && !kept.contains(name), "{name} is not reached; kept: {kept:?}");
    }
    let (full_types, subset_types) = (rendered_types(&full.ir), rendered_types(&subset.ir));
    for (name, content) in &subset_types {
        assert_eq!(full_types.get(name), Some(content), "{name}");
    }
    // Webhooks go with a subset; the code still parses.
    assert!(full.code.contains("pub mod webhooks") && !subset.code.contains("pub mod webhooks"));
    assert!(syn::parse_file(&subset.code).is_ok());

    // Any of an operation's tags selects it, not only the first (its group).
    let by_tag = reach_generator().tags(["kept"]).check().map(|(ir, _, _)| ir).unwrap_or_else(|e| panic!("{e:?}"));
    let ids: Vec<&str> = by_tag.operations.iter().map(|op| op.operation_id.as_str()).collect();
    assert_eq!(ids, ["makeThing", "secondTag"]);
    let groups: Vec<&str> = by_tag.groups.iter().map(|g| g.tag.as_str()).collect();
    // `dropThing` (GET) comes before `makeThing` (POST) and opens the `dropped` group.
    assert_eq!(groups, ["dropped", "kept"], "secondTag stays in its first tag's group");
    // A group left empty is dropped, and the groups after it are renumbered.
    let only_make = reach_generator().operations(["makeThing"]).check().map(|(ir, _, _)| ir).unwrap_or_else(|e| panic!("{e:?}"));
    let groups: Vec<&str> = only_make.groups.iter().map(|g| g.tag.as_str()).collect();
    assert_eq!(groups, ["kept"]);
    assert_eq!(only_make.operations.first().and_then(|op| op.group), Some(0));
    let only_second = reach_generator().operations(["secondTag"]).check().map(|(ir, _, _)| ir).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(only_second.types.types.is_empty(), "an operation without bodies reaches no type");
}

#[test]
fn no_selection_generates_byte_identical_code() {
    let openapp = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("specs/openapp.yaml");
    let plain = Generator::new(&openapp).generate_code().map(|g| g.code).unwrap_or_else(|e| panic!("{e:?}"));
    let empty = Generator::new(&openapp)
        .tags(Vec::<String>::new())
        .operations(Vec::<&str>::new())
        .generate_code()
        .map(|g| g.code)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(plain == empty);
    let plain = reach_generator().generate_code().map(|g| g.code).unwrap_or_default();
    assert!(plain.contains("OnlyDropped") && plain.contains("pub mod webhooks"));
}
