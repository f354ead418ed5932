//! Stage 4: the intermediate representation, the only thing emitters read.

mod operations;
mod security;
pub(crate) mod subset;
mod types;

pub use operations::{
    Body, BodyChoice, BodyEncoding, Group, Operation, Param, ParamLocation, ParamStyle, ResponseBody, ResponseCase, ResponseHeader,
    Responses, StatusMatch,
};
pub use security::{ApiKeyIn, SchemeKind, SecurityScheme};
pub use subset::Selection;
pub use types::{
    Access, DateTimeLibrary, Discriminator, Docs, Field, Shape, TypeDef, TypeId, TypeKind, TypeSpace, UnionMember, ValueVariant, Variant,
};

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::normalize::Normalized;

/// Methods of the generated root client, which tag accessors and root operations must not take.
pub(crate) const CLIENT_METHODS: &[&str] = &[
    "new", "builder", "from_builder", "with_base_url", "base_url", "core", "clear_credentials",
    "clone", "fmt", "eq", "transport_clone",
];

/// A webhook: a request the API's server sends to the client's server. The client does not call
/// it, but its payload types are generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    /// The webhook's name.
    pub name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The payload's type, if it has a body.
    pub payload: Option<Shape>,
    /// `summary`.
    pub summary: Option<String>,
}

/// One of the spec's servers, a typed choice in the `servers` module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    /// The URL template, `https://{region}.example.com/v1`.
    pub url: String,
    /// The struct's name.
    pub rust_name: String,
    /// `description`.
    pub description: Option<String>,
    /// The template's variables.
    pub variables: Vec<ServerVariable>,
}

/// A server variable: a field of its server's struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerVariable {
    /// The name in the template.
    pub name: String,
    /// The field name.
    pub rust_name: String,
    /// `default`.
    pub default: String,
    /// `description`.
    pub description: Option<String>,
    /// For an `enum` variable: the enum's name and its (variant, value) pairs.
    pub choices: Option<(String, Vec<(String, String)>)>,
}

/// Everything the emitters need.
#[derive(Debug)]
pub struct Ir {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The first server URL, if the spec has one.
    pub default_server: Option<String>,
    /// The spec's servers.
    pub servers: Vec<Server>,
    /// The type space.
    pub types: TypeSpace,
    /// Operation groups (tags).
    pub groups: Vec<Group>,
    /// Operations, in spec order.
    pub operations: Vec<Operation>,
    /// Security schemes, in spec order.
    pub security_schemes: Vec<SecurityScheme>,
    /// Webhooks (3.1), whose payload types are generated.
    pub webhooks: Vec<Webhook>,
    /// The document's own URI (3.2 `$self`).
    pub self_uri: Option<String>,
}

/// Choices that shape the IR.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Every operation on the root client, none grouped by tag.
    pub flat_client: bool,
}

/// The stack the IR is built on: schemas carried in extensions (`prefixItems`,
/// `patternProperties`, `itemSchema`, webhooks) are read into the model here, which takes tens
/// of kilobytes of stack per level in a debug build script; the caller's stack is not used.
const BUILD_STACK: usize = 64 << 20;

/// Builds the IR. Problems that still allow a useful client are warnings.
pub fn build(normalized: &Normalized, options: &Options) -> (Ir, Diagnostics) {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().name("specwright-ir".to_owned()).stack_size(BUILD_STACK);
        match thread.spawn_scoped(scope, || build_here(normalized, options)) {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: the nesting caps still bound the stack.
            Err(_) => build_here(normalized, options),
        }
    })
}

fn build_here(normalized: &Normalized, options: &Options) -> (Ir, Diagnostics) {
    let api = &normalized.api;
    let mut diagnostics = Diagnostics::default();
    let empty = indexmap::IndexMap::new();
    let components = api.components.as_ref().map(|c| &c.schemas).unwrap_or(&empty);
    let mut type_builder = types::TypeBuilder::new(components);
    // Every method of the root client comes from this one namer: fixed methods, credential
    // setters and clearers, tag accessors and untagged operations.
    let mut root_methods = crate::ident::Namer::with_reserved(CLIENT_METHODS);
    let security_schemes = security::schemes(api, &mut diagnostics, &mut root_methods);
    let (groups, operations) = operations::OperationBuilder {
        api,
        types: &mut type_builder,
        schemes: &security_schemes,
        root_methods: &mut root_methods,
        diagnostics: &mut diagnostics,
        flat: options.flat_client,
        ignored_content_types: Vec::new(),
        own_servers: Vec::new(),
    }
    .build();
    let webhooks = webhooks(api, &mut type_builder);
    let (types, type_diagnostics) = type_builder.finish();
    diagnostics.0.extend(type_diagnostics.0);
    let default_server = api.servers.first().map(|server| {
        let mut url = server.url.clone();
        if let Some(variables) = &server.variables {
            for (name, variable) in variables {
                url = url.replace(&format!("{{{name}}}"), &variable.default);
            }
        }
        url
    });
    if let Some(url) = default_server.as_deref().filter(|url| !url.contains("://")) {
        diagnostics.push(Diagnostic::warning(
            format!(
                "the first server URL `{url}` is relative, so `DEFAULT_BASE_URL` is too: give clients an absolute base URL \
                 (`builder().base_url(..)`, ending in `{url}`) before they send"
            ),
            Some(Location::pointer_only("/servers/0/url".to_owned())),
        ));
    }
    let ir = Ir {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        description: api.info.description.clone(),
        default_server,
        servers: servers(&api.servers),
        types,
        groups,
        operations,
        security_schemes,
        webhooks,
        self_uri: api.extensions.get(crate::normalize::EXT_SELF).and_then(|v| v.as_str()).map(str::to_owned),
    };
    (ir, diagnostics)
}

fn servers(servers: &[openapiv3::Server]) -> Vec<Server> {
    let mut names = crate::ident::Namer::with_reserved(crate::ident::PRELUDE);
    servers
        .iter()
        .enumerate()
        .map(|(index, server)| {
            // A short description names the server well (`Production`, `Sandbox`); else its place.
            let described = server
                .description
                .as_deref()
                .filter(|d| (1..=4).contains(&d.split_whitespace().count()))
                .map(crate::ident::type_name)
                .filter(|name| !name.is_empty() && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()));
            let rust_name = names.claim(&described.unwrap_or_else(|| format!("Server{}", index + 1)));
            let mut fields = crate::ident::Namer::with_reserved(&["url", "fmt"]);
            let variables = server
                .variables
                .iter()
                .flatten()
                .map(|(name, variable)| {
                    let choices = (!variable.enumeration.is_empty()).then(|| {
                        // Each value once: a repeated default would be two `#[default]`s.
                        let mut values: Vec<String> = Vec::new();
                        for value in &variable.enumeration {
                            if !values.contains(value) {
                                values.push(value.clone());
                            }
                        }
                        if !values.contains(&variable.default) {
                            values.insert(0, variable.default.clone());
                        }
                        let mut variants = crate::ident::Namer::default();
                        let pairs = values
                            .into_iter()
                            .map(|value| {
                                let variant = match crate::ident::type_name(&value) {
                                    name if name.is_empty() => "Empty".to_owned(),
                                    name => name,
                                };
                                (variants.claim(&variant), value)
                            })
                            .collect();
                        (names.claim(&format!("{rust_name}{}", crate::ident::type_name(name))), pairs)
                    });
                    ServerVariable {
                        name: name.clone(),
                        rust_name: fields.claim(&crate::ident::snake_name(name)),
                        default: variable.default.clone(),
                        description: variable.description.clone(),
                        choices,
                    }
                })
                .collect();
            Server { url: server.url.clone(), rust_name, description: server.description.clone(), variables }
        })
        .collect()
}

fn webhooks(api: &openapiv3::OpenAPI, types: &mut types::TypeBuilder<'_>) -> Vec<Webhook> {
    let Some(serde_json::Value::Object(hooks)) = api.extensions.get(crate::normalize::EXT_WEBHOOKS) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, item) in hooks {
        let Ok(item) = serde_json::from_value::<openapiv3::PathItem>(item.clone()) else { continue };
        let operations = [("POST", &item.post), ("PUT", &item.put), ("GET", &item.get), ("PATCH", &item.patch), ("DELETE", &item.delete)];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            let hint = format!("{}Webhook", crate::ident::type_name(name));
            let payload = operation.request_body.as_ref().and_then(|body| match body {
                openapiv3::ReferenceOr::Item(body) => body.content.values().next().and_then(|m| m.schema.as_ref()).map(|schema| types.shape(schema, &hint)),
                openapiv3::ReferenceOr::Reference { .. } => None,
            });
            out.push(Webhook { name: name.clone(), method: method.to_owned(), payload, summary: operation.summary.clone() });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::MemoryLoader;

    pub(crate) fn ir_of(spec: &str) -> Ir {
        let loader = MemoryLoader::new().with("api.yaml", spec);
        let (bundle, _) = crate::resolve::resolve(&loader, "api.yaml").unwrap_or_else(|d| panic!("{}", d.render()));
        let (normalized, _) = crate::normalize::normalize(&bundle).unwrap_or_else(|d| panic!("{}", d.render()));
        build(&normalized, &Options::default()).0
    }

    fn named<'a>(ir: &'a Ir, name: &str) -> &'a TypeDef {
        ir.types.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}"))
    }

    const SPEC: &str = r#"
openapi: 3.1.0
info: {title: T, version: "1"}
paths:
  /nodes/{nodeId}:
    parameters:
      - {name: nodeId, in: path, required: true, schema: {type: string}}
    get:
      operationId: getNode
      tags: [nodes]
      parameters:
        - {name: depth, in: query, schema: {type: integer, format: int32}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      type: object
      required: [id, parent]
      properties:
        id: {type: string}
        parent: {type: [string, "null"]}
        note: {type: [string, "null"]}
        next: {$ref: '#/components/schemas/Node'}
        children: {type: array, items: {$ref: '#/components/schemas/Node'}}
        kind: {type: string, enum: [leaf, branch, ">=", ""]}
        self: {type: string}
"#;

    #[test]
    fn fields_keep_required_nullable_and_optional_apart() {
        let ir = ir_of(SPEC);
        let TypeKind::Struct { fields } = &named(&ir, "Node").kind else { panic!("Node is a struct") };
        let field = |name: &str| fields.iter().find(|f| f.wire_name == name).unwrap_or_else(|| panic!("{name}"));
        assert_eq!((field("id").required, field("id").nullable), (true, false));
        assert_eq!((field("parent").required, field("parent").nullable), (true, true));
        assert_eq!((field("note").required, field("note").nullable), (false, true));
        assert_eq!(field("self").rust_name, "self_");
    }

    #[test]
    fn recursion_is_boxed_only_where_direct() {
        let ir = ir_of(SPEC);
        let TypeKind::Struct { fields } = &named(&ir, "Node").kind else { panic!("Node is a struct") };
        let next = fields.iter().find(|f| f.wire_name == "next").map(|f| &f.shape);
        let children = fields.iter().find(|f| f.wire_name == "children").map(|f| &f.shape);
        assert!(matches!(next, Some(Shape::Boxed(_))), "{next:?}");
        assert!(matches!(children, Some(Shape::Vec(inner)) if matches!(**inner, Shape::Named(_))), "{children:?}");
    }

    #[test]
    fn mutual_recursion_is_boxed_on_every_link_of_the_cycle_and_alias_cycles_are_cut_first_come() {
        let ir = ir_of(
            r#"
openapi: 3.1.0
info: {title: T, version: "1"}
paths: {}
components:
  schemas:
    A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}, leaf: {$ref: '#/components/schemas/Leaf'}}}
    B: {type: object, properties: {a: {oneOf: [{$ref: '#/components/schemas/A'}, {type: "null"}]}}}
    Leaf: {type: object, properties: {up: {type: array, items: {$ref: '#/components/schemas/A'}}}}
    X: {$ref: '#/components/schemas/Y'}
    Y: {type: array, items: {$ref: '#/components/schemas/X'}}
"#,
        );
        let shape = |owner: &str, field: &str| {
            let TypeKind::Struct { fields } = &named(&ir, owner).kind else { panic!("{owner} is a struct") };
            fields.iter().find(|f| f.wire_name == field).map(|f| f.shape.clone())
        };
        assert!(matches!(shape("A", "b"), Some(Shape::Boxed(_))));
        assert!(matches!(shape("B", "a"), Some(Shape::Boxed(_))), "{:?}", shape("B", "a"));
        // Leaf holds A only through a Vec: no cycle without indirection, nothing boxed.
        assert!(matches!(shape("A", "leaf"), Some(Shape::Named(_))));
        assert_eq!(named(&ir, "X").kind, TypeKind::Alias(Shape::Json), "the first alias of the cycle is cut");
        assert!(matches!(&named(&ir, "Y").kind, TypeKind::Alias(Shape::Vec(_))));
    }

    #[test]
    fn inline_enums_are_named_after_where_they_sit() {
        let ir = ir_of(SPEC);
        let TypeKind::Enum { variants } = &named(&ir, "NodeKind").kind else { panic!("NodeKind is an enum") };
        let names: Vec<&str> = variants.iter().map(|v| v.rust_name.as_str()).collect();
        assert_eq!(names, ["Leaf", "Branch", "GtEq", "Empty"]);
    }

    #[test]
    fn servers_of_a_path_or_an_operation_are_warned_about_once() {
        let spec = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
servers: [{url: "https://api.test"}]
paths:
  /files:
    servers: [{url: "https://files.test"}]
    get: {responses: {'204': {description: ok}}}
    put: {responses: {'204': {description: ok}}}
  /jobs:
    post:
      servers: [{url: "https://jobs.test"}]
      responses: {'204': {description: ok}}
  /plain:
    get: {responses: {'204': {description: ok}}}
"#;
        let loader = MemoryLoader::new().with("api.yaml", spec);
        let (bundle, _) = crate::resolve::resolve(&loader, "api.yaml").unwrap_or_else(|d| panic!("{}", d.render()));
        let (normalized, _) = crate::normalize::normalize(&bundle).unwrap_or_else(|d| panic!("{}", d.render()));
        let (_, warnings) = build(&normalized, &Options::default());
        let rendered = warnings.render();
        assert_eq!(warnings.warnings().count(), 1, "{rendered}");
        assert!(rendered.contains("GET /files and 2 other operations name servers of their own (first `https://files.test`)"), "{rendered}");
        assert!(rendered.contains("with_base_url(\"https://files.test\")"), "{rendered}");
    }

    #[test]
    fn names_the_group_made_equal_keep_their_words_instead_of_a_number() {
        let ok = "tags: [flows], responses: {'200': {description: ok}}";
        let spec = format!(
            "openapi: 3.0.3\ninfo: {{title: T, version: '1'}}\npaths:\n  /a: {{get: {{operationId: readFlows, {ok}}}}}\n  /b: {{get: {{operationId: readFlow, {ok}}}}}\n  /c: {{get: {{operationId: read_flow, {ok}}}}}\n"
        );
        let ir = ir_of(&spec);
        let names: Vec<&str> = ir.operations.iter().map(|op| op.method_name.as_str()).collect();
        assert_eq!(names, ["read", "read_flow", "read2"], "a name taken both ways gets a number");
    }

    #[test]
    fn fastapi_operation_ids_lose_their_path_and_method_where_names_stay_apart() {
        // One tag that no name holds: the names are the ids' own.
        let ok = "tags: [t], responses: {'200': {description: ok}}";
        let spec = format!(
            r#"
openapi: 3.1.0
info: {{title: T, version: "1"}}
paths:
  /flows/filter:
    post: {{operationId: read_flows_flows_filter_post, {ok}}}
  /api/v1/flows/{{flow_id}}:
    get: {{operationId: read_flow_api_v1_flows__flow_id__get, {ok}}}
    delete: {{operationId: delete_flow, {ok}}}
  /items:
    get: {{operationId: list_items_items_get, {ok}}}
  /api/items:
    get: {{operationId: list_items_api_items_get, {ok}}}
"#
        );
        let ir = ir_of(&spec);
        let mut names: Vec<(&str, &str)> =
            ir.operations.iter().map(|op| (op.operation_id.as_str(), op.method_name.as_str())).collect();
        names.sort();
        assert_eq!(
            names,
            [
                ("delete_flow", "delete_flow"),
                ("list_items_api_items_get", "list_items_api_items_get"),
                ("list_items_items_get", "list_items_items_get"),
                ("read_flow_api_v1_flows__flow_id__get", "read_flow"),
                ("read_flows_flows_filter_post", "read_flows"),
            ]
        );
    }

    #[test]
    fn content_type_header_parameters_are_ignored_with_a_warning_and_accept_is_kept() {
        let spec = r#"
openapi: 3.0.3
info: {title: T, version: "1"}
paths:
  /upload:
    post:
      operationId: upload
      parameters:
        - {name: Content-Type, in: header, required: true, schema: {type: string}}
        - {name: accept, in: header, schema: {type: string, enum: [application/json, text/csv]}}
        - {name: X-Trace, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {type: object}
      responses:
        '204': {description: done}
  /other:
    put:
      parameters:
        - {name: content-type, in: header, schema: {type: string}}
      responses:
        '204': {description: done}
  /third:
    put:
      parameters:
        - {name: CONTENT-TYPE, in: header, schema: {type: string}}
      responses:
        '204': {description: done}
"#;
        let loader = MemoryLoader::new().with("api.yaml", spec);
        let (bundle, _) = crate::resolve::resolve(&loader, "api.yaml").unwrap_or_else(|d| panic!("{}", d.render()));
        let (normalized, _) = crate::normalize::normalize(&bundle).unwrap_or_else(|d| panic!("{}", d.render()));
        let (ir, warnings) = build(&normalized, &Options::default());
        let params: Vec<&str> = ir.operations[0].params.iter().map(|p| p.wire_name.as_str()).collect();
        assert_eq!(params, ["accept", "X-Trace"]);
        let rendered = warnings.render();
        assert!(rendered.contains("POST /upload and 2 other operations: header parameter `Content-Type` is ignored"), "{rendered}");
        assert_eq!(warnings.warnings().count(), 1, "one warning for all of them: {rendered}");
        assert!(ir.operations.iter().all(|op| op.params.iter().all(|p| !p.wire_name.eq_ignore_ascii_case("content-type"))));
        assert!(!rendered.contains("`accept` is ignored"), "{rendered}");
        assert!(rendered.contains("`.header(..)`"), "{rendered}");
    }

    #[test]
    fn operations_merge_path_parameters_and_strip_the_tag() {
        let ir = ir_of(SPEC);
        let op = &ir.operations[0];
        assert_eq!(op.method_name, "get");
        assert_eq!(op.builder_name, "NodesGet");
        let params: Vec<(&str, ParamLocation, bool)> =
            op.params.iter().map(|p| (p.wire_name.as_str(), p.location, p.required)).collect();
        assert_eq!(
            params,
            [("nodeId", ParamLocation::Path, true), ("depth", ParamLocation::Query, false), ("X-Trace", ParamLocation::Header, false)]
        );
        assert_eq!(op.params[1].shape, Shape::I32);
        assert!(matches!(op.responses.single_success(), Some(ResponseBody::Json(Shape::Named(_)))));
    }
}
