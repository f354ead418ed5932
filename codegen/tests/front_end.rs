//! Every version and construct the front end accepts survives to the IR: one test per
//! construct, each on a small in-memory spec, each also emitted and parsed as Rust.

use specwright_codegen::ir::{
    BodyEncoding, Ir, ParamLocation, ParamStyle, SchemeKind, ResponseBody, Shape, TypeDef, TypeKind,
};
use specwright_codegen::{Generator, MemoryLoader};

fn ir_of(files: &[(&str, &str)]) -> Ir {
    let mut loader = MemoryLoader::new();
    for (name, text) in files {
        loader = loader.with(*name, *text);
    }
    let mut generator = Generator::new(files[0].0);
    generator.loader(loader);
    let generated = generator.generate_code().unwrap_or_else(|e| match e.diagnostics() {
        Some(d) => panic!("{}", d.render()),
        None => panic!("{e}"),
    });
    assert!(syn::parse_file(&generated.code).is_ok(), "emitted code parses");
    generated.ir
}

fn spec(version: &str, body: &str) -> String {
    format!("openapi: {version}\ninfo: {{title: T, version: '1'}}\n{body}")
}

fn type_named<'a>(ir: &'a Ir, name: &str) -> &'a TypeDef {
    ir.types.types.iter().find(|t| t.name == name).unwrap_or_else(|| {
        let names: Vec<&str> = ir.types.types.iter().map(|t| t.name.as_str()).collect();
        panic!("no type {name} in {names:?}")
    })
}

fn field<'a>(def: &'a TypeDef, wire: &str) -> &'a specwright_codegen::ir::Field {
    let TypeKind::Struct { fields } = &def.kind else { panic!("{} is not a struct", def.name) };
    fields.iter().find(|f| f.wire_name == wire).unwrap_or_else(|| panic!("no field {wire}"))
}

// ---- Swagger 2.0 -------------------------------------------------------------------------

const SWAGGER: &str = r#"
swagger: "2.0"
info: {title: Pets, version: "1.0"}
host: pets.example.com
basePath: /v2
schemes: [https]
consumes: [application/json]
produces: [application/json]
securityDefinitions:
  basic: {type: basic}
  key: {type: apiKey, in: header, name: X-Key}
security: [{key: []}]
definitions:
  Pet:
    type: object
    required: [name]
    properties:
      name: {type: string}
      tag: {type: string, x-nullable: true}
parameters:
  Tags: {in: query, name: tags, type: array, items: {type: string}, collectionFormat: pipes}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - $ref: '#/parameters/Tags'
        - {in: query, name: ids, type: array, items: {type: integer}, collectionFormat: multi}
        - {in: header, name: X-Trace, type: string}
      responses:
        200: {description: ok, schema: {type: array, items: {$ref: '#/definitions/Pet'}}}
    post:
      operationId: addPet
      parameters:
        - {in: body, name: pet, required: true, schema: {$ref: '#/definitions/Pet'}}
      responses:
        201: {description: created, schema: {$ref: '#/definitions/Pet'}}
  /pets/{id}/photo:
    post:
      operationId: uploadPhoto
      consumes: [multipart/form-data]
      parameters:
        - {in: path, name: id, required: true, type: string}
        - {in: formData, name: file, type: file, required: true}
      responses:
        204: {description: done}
"#;

#[test]
fn swagger_2_servers_definitions_and_security() {
    let ir = ir_of(&[("pets.yaml", SWAGGER)]);
    assert_eq!(ir.default_server.as_deref(), Some("https://pets.example.com/v2"));
    assert!(field(type_named(&ir, "Pet"), "tag").nullable, "x-nullable");
    let kinds: Vec<(&str, &SchemeKind)> = ir.security_schemes.iter().map(|s| (s.name.as_str(), &s.kind)).collect();
    assert_eq!(kinds[0], ("basic", &SchemeKind::Basic));
    assert!(matches!(kinds[1].1, SchemeKind::ApiKey { name, .. } if name == "X-Key"));
    assert_eq!(ir.operations[0].security, vec![vec!["key".to_owned()]]);
}

#[test]
fn swagger_2_parameters_bodies_and_collection_formats() {
    let ir = ir_of(&[("pets.yaml", SWAGGER)]);
    let list = &ir.operations[0];
    let styles: Vec<(&str, ParamStyle, bool)> = list.params.iter().map(|p| (p.wire_name.as_str(), p.style, p.explode)).collect();
    assert_eq!(
        styles,
        [("tags", ParamStyle::PipeDelimited, false), ("ids", ParamStyle::Form, true), ("X-Trace", ParamStyle::Simple, false)]
    );
    assert!(matches!(list.responses.single_success(), Some(ResponseBody::Json(Shape::Vec(_)))));
    let add = &ir.operations[1];
    assert!(matches!(add.body.as_ref().map(|b| (&b.encoding, b.required)), Some((BodyEncoding::Json(Shape::Named(_)), true))));
    let upload = &ir.operations[2];
    assert!(matches!(upload.body.as_ref().map(|b| &b.encoding), Some(BodyEncoding::Multipart { shape: Shape::Named(_), .. })));
    assert_eq!(upload.responses.single_success(), Some(&ResponseBody::Empty));
}

// ---- OpenAPI 3.1 -------------------------------------------------------------------------

#[test]
fn type_arrays_null_and_multi_type_unions() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.1.0", "paths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        n: {type: [integer, 'null']}\n        m: {type: [string, integer]}\n        z: {type: 'null'}\n"),
    )]);
    let a = type_named(&ir, "A");
    assert!(field(a, "n").nullable);
    assert_eq!(field(a, "n").shape, Shape::I64);
    let Shape::Named(union) = field(a, "m").shape else { panic!("m is a named union") };
    let union = ir.types.get(union).map(|d| &d.kind);
    assert!(matches!(union, Some(TypeKind::Union { members, .. }) if members.len() == 2));
    assert_eq!(field(a, "z").shape, Shape::Json);
}

#[test]
fn const_examples_and_exclusive_bounds() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.1.0", "paths: {}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        kind: {type: string, const: circle}\n        r: {type: number, exclusiveMinimum: 0, examples: [1.5, 2]}\n"),
    )]);
    let a = type_named(&ir, "A");
    let Shape::Named(kind) = field(a, "kind").shape else { panic!("kind is an enum") };
    assert!(matches!(ir.types.get(kind).map(|d| &d.kind), Some(TypeKind::Enum { variants }) if variants.len() == 1 && variants[0].wire_value == "circle"));
    let r = field(a, "r");
    assert_eq!(r.docs.constraints, ["minimum: 0 (exclusive)"]);
    assert_eq!(r.docs.example.as_deref(), Some("1.5"));
}

#[test]
fn ref_siblings_defs_and_deep_refs() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.1.0", r#"paths:
  /x:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/A/$defs/Inner'}
components:
  schemas:
    A:
      $defs:
        Inner: {type: object, properties: {v: {type: string}}}
      type: object
      properties:
        inner: {$ref: '#/components/schemas/A/$defs/Inner', description: with a sibling}
        also: {$ref: '#/components/schemas/A/properties/inner'}
"#),
    )]);
    let inner = ir.types.types.iter().position(|t| t.name == "Inner").expect("Inner hoisted to a type");
    let a = type_named(&ir, "A");
    assert_eq!(field(a, "inner").shape, Shape::Named(specwright_codegen::ir::TypeId(inner)));
    assert!(matches!(ir.operations[0].responses.single_success(), Some(ResponseBody::Json(Shape::Named(id))) if id.0 == inner));
}

#[test]
fn prefix_items_become_tuples_and_content_encoding_bytes() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.1.0", "paths: {}\ncomponents:\n  schemas:\n    P:\n      type: object\n      properties:\n        point: {type: array, prefixItems: [{type: number}, {type: number}, {type: string}]}\n        blob: {type: string, contentEncoding: base64}\n"),
    )]);
    let p = type_named(&ir, "P");
    assert_eq!(field(p, "point").shape, Shape::Tuple(vec![Shape::F64, Shape::F64, Shape::String]));
}

#[test]
fn webhooks_and_path_item_components() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.1.0", r#"paths:
  /pets: {$ref: '#/components/pathItems/Pets'}
webhooks:
  newPet:
    post:
      summary: A pet was added
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {id: {type: integer}}}
      responses: {'200': {description: ok}}
components:
  pathItems:
    Pets:
      get:
        operationId: listPets
        responses: {'204': {description: none}}
"#),
    )]);
    assert_eq!(ir.operations.len(), 1);
    assert_eq!(ir.operations[0].operation_id, "listPets");
    assert_eq!(ir.webhooks.len(), 1);
    assert_eq!(ir.webhooks[0].name, "newPet");
    assert!(matches!(ir.webhooks[0].payload, Some(Shape::Named(_))));
}

#[test]
fn mutual_tls_is_a_scheme_that_needs_nothing_per_request() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.1.0", "security: [{mtls: []}]\npaths:\n  /x:\n    get:\n      responses: {'204': {description: ok}}\ncomponents:\n  securitySchemes:\n    mtls: {type: mutualTLS}\n"),
    )]);
    assert_eq!(ir.security_schemes[0].kind, SchemeKind::MutualTls);
    assert_eq!(ir.operations[0].security, vec![Vec::<String>::new()]);
}

// ---- OpenAPI 3.2 -------------------------------------------------------------------------

#[test]
fn query_method_and_additional_operations() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.2.0", "paths:\n  /search:\n    query:\n      operationId: search\n      responses: {'200': {description: ok}}\n    additionalOperations:\n      LINK:\n        operationId: linkIt\n        responses: {'204': {description: ok}}\n"),
    )]);
    let methods: Vec<(&str, &str)> = ir.operations.iter().map(|o| (o.operation_id.as_str(), o.http_method.as_str())).collect();
    assert_eq!(methods, [("search", "QUERY"), ("linkIt", "LINK")]);
}

#[test]
fn querystring_parameters_item_schemas_self_and_tag_parents() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.2.0", r#"$self: https://api.example.com/openapi.yaml
tags:
  - {name: logs, parent: observability}
paths:
  /logs:
    get:
      tags: [logs]
      operationId: streamLogs
      parameters:
        - in: querystring
          name: filter
          content:
            application/x-www-form-urlencoded:
              schema: {type: object, properties: {level: {type: string}}}
      responses:
        '200':
          description: log lines
          content:
            application/jsonl:
              itemSchema: {type: object, properties: {msg: {type: string}}}
"#),
    )]);
    assert_eq!(ir.self_uri.as_deref(), Some("https://api.example.com/openapi.yaml"));
    assert_eq!(ir.groups[0].parent.as_deref(), Some("observability"));
    let op = &ir.operations[0];
    assert_eq!(op.params[0].location, ParamLocation::QueryString);
    assert!(matches!(op.responses.single_success(), Some(ResponseBody::JsonItems(Shape::Named(_)))));
}

// ---- Files -------------------------------------------------------------------------------

#[test]
fn external_refs_across_directories_and_into_sub_paths() {
    let ir = ir_of(&[
        (
            "api/root.yaml",
            &spec("3.0.3", "paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '../common/types.yaml#/components/schemas/Wrapper/properties/item'}\n"),
        ),
        (
            "common/types.yaml",
            "components:\n  schemas:\n    Wrapper:\n      type: object\n      properties:\n        item: {$ref: 'deeper/item.yaml#/Item'}\n",
        ),
        ("common/deeper/item.yaml", "Item:\n  type: object\n  properties:\n    id: {type: string}\n    next: {$ref: '#/Item'}\n"),
    ]);
    let item = ir
        .types
        .types
        .iter()
        .find(|t| matches!(&t.kind, TypeKind::Struct { fields } if fields.iter().any(|f| f.wire_name == "next")))
        .expect("the item struct from common/deeper/item.yaml");
    assert!(matches!(field(item, "next").shape, Shape::Boxed(_)), "the cycle through the file is boxed");
    assert!(matches!(ir.operations[0].responses.single_success(), Some(ResponseBody::Json(Shape::Named(_)))));
}

#[test]
fn yaml_1_2_keeps_strings_strings_and_versions_exact() {
    let ir = ir_of(&[(
        "a.yaml",
        "openapi: 3.0.3\ninfo: {title: T, version: 1.10}\npaths: {}\ncomponents:\n  schemas:\n    Switch:\n      type: string\n      enum: [on, off, yes, no, 12_24]\n",
    )]);
    assert_eq!(ir.version, "1.10");
    let TypeKind::Enum { variants } = &type_named(&ir, "Switch").kind else { panic!("enum") };
    let wire: Vec<&str> = variants.iter().map(|v| v.wire_value.as_str()).collect();
    assert_eq!(wire, ["on", "off", "yes", "no", "12_24"]);
}

#[test]
fn url_refs_resolve_through_a_redirect_loader() {
    use specwright_codegen::RedirectLoader;
    let files = MemoryLoader::new()
        .with(
            "api.yaml",
            spec("3.0.3", "paths: {}\ncomponents:\n  schemas:\n    Order:\n      type: object\n      properties:\n        money: {$ref: 'https://schemas.example.com/common/money.yaml#/Money'}\n"),
        )
        .with("vendor/common/money.yaml", "Money:\n  type: object\n  properties:\n    amount: {type: integer}\n    currency: {type: string}\n");
    let loader = RedirectLoader::new(files).redirect("https://schemas.example.com/", "vendor/");
    let mut generator = Generator::new("api.yaml");
    generator.loader(loader);
    let generated = generator.generate_code().unwrap_or_else(|e| panic!("{e}"));
    let money = type_named(&generated.ir, "Money");
    assert_eq!(field(money, "amount").shape, Shape::I64);
    assert!(generated.warnings.0.is_empty(), "{:?}", generated.warnings);
}

#[test]
fn aliases_that_lead_back_to_themselves_become_json_values() {
    let ir = ir_of(&[(
        "a.yaml",
        &spec("3.0.3", "paths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/B'}\n    B: {type: array, items: {$ref: '#/components/schemas/A'}}\n    C: {allOf: [{$ref: '#/components/schemas/C'}]}\n"),
    )]);
    let aliases_to_json = ir.types.types.iter().filter(|t| t.kind == TypeKind::Alias(Shape::Json)).count();
    assert_eq!(aliases_to_json, 2, "one alias of the A/B cycle, and C");
}
