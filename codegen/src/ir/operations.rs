//! Operations: method, path, parameters, body, response, security, docs, grouping by tag.

use std::borrow::Cow;
use std::collections::BTreeMap;

use openapiv3::{
    MediaType, OpenAPI, Operation as SpecOperation, Parameter, ParameterSchemaOrContent, PathItem,
    ReferenceOr, RequestBody, Response, Schema, StatusCode,
};

use super::security::{SecurityScheme, requirements};
use super::types::{Shape, TypeBuilder};
use crate::diagnostic::{Diagnostic, Diagnostics, Location, escape_pointer_segment, unescape_pointer_segment};
use crate::ident::{Namer, snake_name, type_name};

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ParamLocation {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A header.
    Header,
    /// The whole query string, from one value (3.2 `in: querystring`).
    QueryString,
    /// A cookie.
    Cookie,
}

/// How a parameter's value is serialized (OpenAPI `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamStyle {
    /// `form` (query default).
    Form,
    /// `spaceDelimited`.
    SpaceDelimited,
    /// `pipeDelimited`.
    PipeDelimited,
    /// `deepObject`.
    DeepObject,
    /// `simple` (path and header default).
    Simple,
    /// `label`.
    Label,
    /// `matrix`.
    Matrix,
}

/// One parameter of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The name on the wire.
    pub wire_name: String,
    /// The Rust name (argument or builder method).
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// Whether the caller must give it.
    pub required: bool,
    /// Its type.
    pub shape: Shape,
    /// How it is serialized.
    pub style: ParamStyle,
    /// `explode`.
    pub explode: bool,
    /// Written as JSON text (`content: application/json` instead of `schema`).
    pub json_content: bool,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// What is sent when an optional parameter is not set: for `Accept`, its default or first
    /// listed value, since the HTTP client's own `Accept: */*` is not among them and a server
    /// that checks the parameter refuses it.
    pub fallback: Option<String>,
}

/// How a request body is encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BodyEncoding {
    /// JSON of the given shape.
    Json(Shape),
    /// `application/x-www-form-urlencoded` fields of the given shape.
    Form(Shape),
    /// `multipart/form-data` parts of the given shape; `format: binary` fields are files.
    Multipart {
        /// The fields.
        shape: Shape,
        /// Content types per part from the media type's `encoding` (the first of a list).
        part_types: BTreeMap<String, String>,
    },
    /// Raw bytes sent with this content type.
    Bytes(String),
}

/// One media type a request body may be sent as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BodyChoice {
    /// The media type, as the spec spells it.
    pub media_type: String,
    /// Its variant in the operation's body enum (`Json`, `Form`, `Xml`).
    pub variant: String,
    /// How it is encoded.
    pub encoding: BodyEncoding,
}

/// The request body of an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    /// How it is encoded by default (JSON first, then form, multipart, raw bytes).
    pub encoding: BodyEncoding,
    /// Every media type the caller may choose, the default first; a choice exists when there
    /// are two or more.
    pub choices: Vec<BodyChoice>,
    /// The name of the enum of `choices` in `builders`, when there is a choice.
    pub choice_enum: Option<String>,
    /// Whether the caller must give it.
    pub required: bool,
    /// `description`.
    pub description: Option<String>,
}

/// The body of one documented response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResponseBody {
    /// A JSON body of this shape.
    Json(Shape),
    /// A sequence of JSON items (3.2 `itemSchema`: JSON Lines, JSON text sequences or
    /// server-sent events), each of this shape.
    JsonItems(Shape),
    /// Raw bytes.
    Bytes,
    /// Nothing.
    Empty,
}

/// The statuses one documented response covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StatusMatch {
    /// One status code.
    Code(u16),
    /// A class, `4XX`: the first digit.
    Range(u16),
    /// `default`: every status not documented otherwise.
    Default,
}

/// One documented response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseCase {
    /// The statuses it covers.
    pub status: StatusMatch,
    /// Its variant in the operation's response enums (`Created`, `NotFound`, `ClientError`).
    pub variant: String,
    /// Its body.
    pub body: ResponseBody,
    /// `description`.
    pub description: Option<String>,
}

/// A documented header of the successful responses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseHeader {
    /// The header name.
    pub wire_name: String,
    /// The field name.
    pub rust_name: String,
    /// Its type.
    pub shape: Shape,
    /// `description`.
    pub description: Option<String>,
}

/// Everything an operation documents about its responses.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Responses {
    /// Successful outcomes (2xx, `2XX`; `default` when no 2xx is documented), codes first.
    pub success: Vec<ResponseCase>,
    /// Error outcomes (every other status, ranges, `default`), codes first.
    pub errors: Vec<ResponseCase>,
    /// Headers of the successful responses.
    pub headers: Vec<ResponseHeader>,
}

impl Responses {
    /// The one body every success shares, if they share one (no success documented: empty).
    pub fn single_success(&self) -> Option<&ResponseBody> {
        match self.success.split_first() {
            None => Some(&ResponseBody::Empty),
            Some((first, rest)) => rest.iter().all(|case| case.body == first.body).then_some(&first.body),
        }
    }

    /// The documented error responses with a JSON body, which make the typed error.
    pub fn typed_errors(&self) -> impl Iterator<Item = &ResponseCase> {
        self.errors.iter().filter(|case| matches!(case.body, ResponseBody::Json(_)))
    }

    /// The one error shape every typed error shares, if they share one.
    pub fn single_error(&self) -> Option<&Shape> {
        let mut shapes = self.typed_errors().map(|case| match &case.body {
            ResponseBody::Json(shape) => Some(shape),
            _ => None,
        });
        let first = shapes.next()??;
        shapes.all(|shape| shape == Some(first)).then_some(first)
    }
}

/// A group of operations (a tag), reached by `client.<method>()`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// The tag.
    pub tag: String,
    /// The accessor method on the client.
    pub method: String,
    /// The sub-client struct.
    pub struct_name: String,
    /// The tag's description.
    pub description: Option<String>,
    /// The parent tag (3.2 `parent`), for docs.
    pub parent: Option<String>,
    /// For a spec without tags, the path prefix the group's operations share (`/v1/customers`),
    /// which named it; `tag` is then its last segment.
    pub path_prefix: Option<String>,
}

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// `operationId`, or one derived from method and path.
    pub operation_id: String,
    /// Index into [`super::Ir::groups`], or `None` for operations on the root client.
    pub group: Option<usize>,
    /// The method's name within its group.
    pub method_name: String,
    /// The request builder's name.
    pub builder_name: String,
    /// Upper-case HTTP method.
    pub http_method: String,
    /// The path template.
    pub path: String,
    /// Parameters: path-level merged with operation-level.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// The documented responses.
    pub responses: Responses,
    /// An OR of ANDs of scheme names; empty when no authentication is needed.
    pub security: Vec<Vec<String>>,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
}

/// Names of the request builders' own methods, which parameters must not take.
const BUILDER_METHODS: &[&str] = &[
    "send", "send_with_response", "send_with_headers", "send_stream", "decode", "timeout", "retry", "header", "options", "body",
    "transport", "into_parts", "new",
];

/// Methods of every sub-client besides its operations.
const GROUP_METHODS: &[&str] = &["transport_clone"];

pub(crate) struct OperationBuilder<'a, 'b> {
    pub(crate) api: &'a OpenAPI,
    pub(crate) types: &'b mut TypeBuilder<'a>,
    pub(crate) schemes: &'b [SecurityScheme],
    /// The root client's methods, shared with credential setters and tag accessors.
    pub(crate) root_methods: &'b mut Namer,
    pub(crate) diagnostics: &'b mut Diagnostics,
    pub(crate) flat: bool,
    /// The operations with a `Content-Type` header parameter (context, pointer), reported once.
    pub(crate) ignored_content_types: Vec<(String, String)>,
    /// The operations with servers of their own or of their path (context, pointer, first
    /// URL), reported once.
    pub(crate) own_servers: Vec<(String, String, String)>,
}

impl OperationBuilder<'_, '_> {
    pub(crate) fn build(mut self) -> (Vec<Group>, Vec<Operation>) {
        let mut groups: Vec<Group> = Vec::new();
        let mut group_index: BTreeMap<String, usize> = BTreeMap::new();
        let mut group_structs = Namer::with_reserved(&["ApiClient", "AsyncClient", "Client"]);
        let mut builders = Namer::with_reserved(crate::ident::PRELUDE);
        let mut methods_per_group: BTreeMap<usize, Namer> = BTreeMap::new();
        let mut operations = Vec::new();
        let shared_prefix = shared_literal_prefix(self.api.paths.paths.keys().map(String::as_str));
        let short_ids = fastapi_short_ids(self.api);
        let by_path = !self.flat && !has_tags(self.api) && path_groups_pay_off(self.api, shared_prefix);
        // Path groups with an item path (`/customers/{customer}`) beside their own; only a spec
        // grouped by path needs them.
        let collections: std::collections::BTreeSet<String> = self
            .api
            .paths
            .paths
            .keys()
            .filter(|_| by_path)
            .filter_map(|path| {
                let (_, prefix) = path_group(path, shared_prefix)?;
                let rest = path.strip_prefix(prefix.as_str())?;
                is_item_path(rest).then_some(prefix)
            })
            .collect();

        for (path, item) in &self.api.paths.paths {
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    self.diagnostics.push(Diagnostic::warning(
                        format!("path `{path}` is a reference (`{reference}`) that was not resolved; skipping it"),
                        Some(Location::pointer_only(format!("/paths/{}", escape_pointer_segment(path)))),
                    ));
                    continue;
                }
            };
            let path_pointer = format!("/paths/{}", escape_pointer_segment(path));
            if !check_path(path, &path_pointer, self.diagnostics) {
                continue;
            }
            // A spec without tags is grouped by path: `/v1/customers/{id}` → `customers()`.
            let path_group = by_path.then(|| path_group(path, shared_prefix)).flatten();
            for (method, operation) in methods(item, &path_pointer, self.diagnostics) {
                // Servers of its own: the client sends every operation to its one base URL.
                let own_servers = if operation.servers.is_empty() { &item.servers } else { &operation.servers };
                if let Some(server) = own_servers.first() {
                    let pointer = if operation.servers.is_empty() {
                        format!("{path_pointer}/servers")
                    } else {
                        format!("{path_pointer}/{method}/servers")
                    };
                    self.own_servers.push((format!("{} {path}", method.to_uppercase()), pointer, server.url.clone()));
                }
                let tag = match &path_group {
                    Some((segment, _)) => Some(segment),
                    None => operation.tags.first().filter(|_| !self.flat),
                };
                let group = tag.map(|tag| {
                    *group_index.entry(tag.clone()).or_insert_with(|| {
                        let spec_tag = self.api.tags.iter().find(|t| &t.name == tag);
                        let description = spec_tag.and_then(|t| t.description.clone());
                        let parent = spec_tag
                            .and_then(|t| t.extensions.get(crate::normalize::EXT_TAG_PARENT))
                            .and_then(|p| p.as_str())
                            .map(str::to_owned);
                        groups.push(Group {
                            tag: tag.clone(),
                            method: self.root_methods.claim(&snake_name(tag)),
                            struct_name: group_structs.claim(&format!("{}Api", type_name(tag))),
                            description,
                            parent,
                            path_prefix: path_group.as_ref().map(|(_, prefix)| prefix.clone()),
                        });
                        groups.len() - 1
                    })
                });
                let tag = group.and_then(|g| groups.get(g)).map(|g| g.tag.clone());
                let method = method.as_str();
                let operation: &SpecOperation = &operation;
                let operation_id = operation
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| derived_operation_id(method, path, shared_prefix));
                let naming_id = short_ids.get(&(path.as_str(), method)).map_or(operation_id.as_str(), String::as_str);
                let mut wanted = method_name(naming_id, tag.as_deref());
                if let Some((_, prefix)) = &path_group
                    && wanted == method
                {
                    wanted = resource_verb(method, path, prefix, &collections).unwrap_or(wanted);
                }
                let method_name = match group {
                    None => self.root_methods.claim(&wanted),
                    Some(group) => {
                        let namer = methods_per_group.entry(group).or_insert_with(|| Namer::with_reserved(GROUP_METHODS));
                        // Two names that the group's words made equal (`readFlows`, `readFlow`):
                        // the later one keeps its words rather than take a number.
                        let full = snake_name(naming_id);
                        if namer.is_taken(&wanted) && !namer.is_taken(&full) { namer.claim(&full) } else { namer.claim(&wanted) }
                    }
                };
                let builder_base = match group.and_then(|g| groups.get(g)) {
                    Some(g) => format!("{}{}", type_name(&g.tag), type_name(&method_name)),
                    None => type_name(&method_name),
                };
                let builder_name = builders.claim(&builder_base);
                let mut op = self.operation(path, method, item, operation, operation_id, group, method_name, builder_name);
                if let Some(body) = op.body.as_mut().filter(|body| !body.choices.is_empty()) {
                    body.choice_enum = Some(builders.claim(&format!("{}Request", op.builder_name)));
                }
                operations.push(op);
            }
        }
        self.report_ignored_content_types();
        self.report_own_servers();
        (groups, operations)
    }

    /// One warning for the operations whose path or own `servers` name another base URL: the
    /// client sends them to its base URL all the same.
    fn report_own_servers(&mut self) {
        let Some((context, pointer, url)) = self.own_servers.first() else { return };
        let others = and_others(self.own_servers.len());
        self.diagnostics.push(
            Diagnostic::warning(
                format!(
                    "{context}{others} name servers of their own (first `{url}`), which are not honoured: every operation goes to the client's base URL"
                ),
                Some(Location::pointer_only(pointer.clone())),
            )
            .with_help(format!("to call them there, use a client for that server: `client.with_base_url(\"{url}\")`")),
        );
    }

    /// One warning for every `Content-Type` header parameter: vendor specs declare one on
    /// hundreds of operations, and a warning each would bury the others.
    fn report_ignored_content_types(&mut self) {
        let Some((context, pointer)) = self.ignored_content_types.first() else { return };
        let others = and_others(self.ignored_content_types.len());
        self.diagnostics.push(
            Diagnostic::warning(
                format!(
                    "{context}{others}: header parameter `Content-Type` is ignored, as OpenAPI says: the request body's media type sets `Content-Type`"
                ),
                Some(Location::pointer_only(pointer.clone())),
            )
            .with_help("to send `Content-Type` anyway, set it on a call with `.header(..)`"),
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        path: &str,
        method: &str,
        item: &PathItem,
        operation: &SpecOperation,
        operation_id: String,
        group: Option<usize>,
        method_name: String,
        builder_name: String,
    ) -> Operation {
        let context = format!("{} {path}", method.to_uppercase());
        let pointer = format!("/paths/{}/{method}", escape_pointer_segment(path));
        self.types.set_context(&pointer);
        let mut names = Namer::with_reserved(BUILDER_METHODS);
        // Operation-level parameters override path-level ones with the same name and location.
        let mut merged: Vec<Parameter> = Vec::new();
        for parameter in item.parameters.iter().chain(operation.parameters.iter()) {
            let Some(parameter) = self.parameter(parameter, &context, &pointer) else { continue };
            let data = parameter.parameter_data_ref();
            merged.retain(|p| {
                let other = p.parameter_data_ref();
                !(other.name == data.name && std::mem::discriminant(p) == std::mem::discriminant(&parameter))
            });
            merged.push(parameter);
        }
        let mut params = Vec::new();
        for parameter in &merged {
            // OpenAPI has it ignored, and the request body's media type would replace what a
            // setter sent. (`Accept` stays a parameter: some APIs pick a version by it.)
            if let Parameter::Header { parameter_data, .. } = parameter {
                let name = parameter_data.name.as_str();
                if name.eq_ignore_ascii_case("content-type") {
                    self.ignored_content_types.push((context.clone(), pointer.clone()));
                    continue;
                }
            }
            let (location, data) = match parameter {
                Parameter::Path { parameter_data, .. } => (ParamLocation::Path, parameter_data),
                Parameter::Query { parameter_data, .. }
                    if parameter_data.extensions.contains_key(crate::normalize::EXT_QUERYSTRING) =>
                {
                    (ParamLocation::QueryString, parameter_data)
                }
                Parameter::Query { parameter_data, .. } => (ParamLocation::Query, parameter_data),
                Parameter::Header { parameter_data, .. } => (ParamLocation::Header, parameter_data),
                Parameter::Cookie { parameter_data, .. } => (ParamLocation::Cookie, parameter_data),
            };
            let hint = format!("{builder_name}{}", type_name(&data.name));
            let shape = self.schema_or_content_shape(&data.format, &hint);
            let json_content = matches!(&data.format, ParameterSchemaOrContent::Content(content)
                if content.keys().any(|media| media.contains("json")));
            let style = parameter_style(parameter);
            let explode = data.explode.unwrap_or(style == ParamStyle::Form);
            params.push(Param {
                wire_name: data.name.clone(),
                rust_name: names.claim(&snake_name(&data.name)),
                location,
                required: data.required || location == ParamLocation::Path,
                shape,
                style,
                explode,
                json_content,
                description: data.description.clone(),
                deprecated: data.deprecated.unwrap_or(false),
                fallback: (location == ParamLocation::Header && data.name.eq_ignore_ascii_case("accept") && !data.required)
                    .then(|| accept_fallback(&data.format))
                    .flatten(),
            });
        }
        // A `{name}` in the template with no path parameter would be sent literally: the
        // method takes it as a string instead. One warning per operation, however many.
        let declared: std::collections::HashSet<&str> =
            params.iter().filter(|p| p.location == ParamLocation::Path).map(|p| p.wire_name.as_str()).collect();
        let undeclared: Vec<&str> = template_variables(path).into_iter().filter(|v| !declared.contains(v)).collect();
        if let Some(first) = undeclared.first() {
            const NAMED: usize = 5;
            let mut listed: Vec<String> = undeclared.iter().take(NAMED).map(|v| format!("`{{{v}}}`")).collect();
            if undeclared.len() > NAMED {
                listed.push(format!("and {} more", undeclared.len() - NAMED));
            }
            self.diagnostics.push(
                Diagnostic::warning(
                    format!("{context}: the path template names {}, but no such path parameter is declared; the method takes each as a string", listed.join(", ")),
                    Some(Location::pointer_only(pointer.clone())),
                )
                .with_help(format!("declare it: `parameters: [{{name: {first}, in: path, required: true, schema: {{type: string}}}}]`")),
            );
        }
        for variable in undeclared {
            params.push(Param {
                wire_name: variable.to_owned(),
                rust_name: names.claim(&snake_name(variable)),
                location: ParamLocation::Path,
                required: true,
                shape: Shape::String,
                style: ParamStyle::Simple,
                explode: false,
                json_content: false,
                description: None,
                deprecated: false,
                fallback: None,
            });
        }
        let body = operation
            .request_body
            .as_ref()
            .and_then(|body| self.request_body(body, &format!("{builder_name}Body"), &context, &pointer));
        let responses = self.responses(operation, &builder_name, &context, &pointer);
        let security = match &operation.security {
            Some(own) => requirements(own, self.schemes, self.diagnostics, &context, &format!("{pointer}/security")),
            None => match &self.api.security {
                Some(global) => requirements(global, self.schemes, self.diagnostics, &context, "/security"),
                None => Vec::new(),
            },
        };
        Operation {
            operation_id,
            group,
            method_name,
            builder_name,
            http_method: method.to_uppercase(),
            path: path.to_owned(),
            params,
            body,
            responses,
            security,
            summary: operation.summary.clone(),
            description: operation.description.clone(),
            deprecated: operation.deprecated,
        }
    }

    /// The type of a parameter or header: its `schema`, or the schema of its one `content`
    /// media type; a string when there is neither.
    fn schema_or_content_shape(&mut self, format: &ParameterSchemaOrContent, hint: &str) -> Shape {
        match format {
            ParameterSchemaOrContent::Schema(schema) => self.types.shape(schema, hint),
            ParameterSchemaOrContent::Content(content) => content
                .values()
                .next()
                .and_then(|media| media.schema.as_ref())
                .map(|schema| self.types.shape(schema, hint))
                .unwrap_or(Shape::String),
        }
    }

    fn parameter(&mut self, parameter: &ReferenceOr<Parameter>, context: &str, pointer: &str) -> Option<Parameter> {
        match parameter {
            ReferenceOr::Item(parameter) => Some(parameter.clone()),
            ReferenceOr::Reference { reference } => {
                let found = component(self.api, reference, |c| &c.parameters);
                if found.is_none() {
                    self.diagnostics.push(Diagnostic::warning(
                        format!("{context}: parameter reference `{reference}` not found; the parameter is left out"),
                        Some(Location::pointer_only(format!("{pointer}/parameters"))),
                    ));
                }
                found
            }
        }
    }

    fn request_body(&mut self, body: &ReferenceOr<RequestBody>, hint: &str, context: &str, pointer: &str) -> Option<Body> {
        let body = match body {
            ReferenceOr::Item(body) => body.clone(),
            ReferenceOr::Reference { reference } => match component(self.api, reference, |c| &c.request_bodies) {
                Some(body) => body,
                None => {
                    self.diagnostics.push(Diagnostic::warning(
                        format!("{context}: request body reference `{reference}` not found; the body is left out"),
                        Some(Location::pointer_only(format!("{pointer}/requestBody"))),
                    ));
                    return None;
                }
            },
        };
        let primary = json_media_type(&body.content)
            .or_else(|| media_type_with_prefix(&body.content, "application/x-www-form-urlencoded"))
            .or_else(|| media_type_with_prefix(&body.content, "multipart/form-data"))
            .or_else(|| body.content.keys().next().map(String::as_str));
        let Some(primary) = primary else {
            let encoding = BodyEncoding::Bytes("application/octet-stream".to_owned());
            return Some(Body {
                encoding,
                choices: Vec::new(),
                choice_enum: None,
                required: body.required,
                description: body.description.clone(),
            });
        };
        let mut ordered: Vec<(&String, &MediaType)> = body.content.iter().filter(|(media, _)| media.as_str() == primary).collect();
        ordered.extend(body.content.iter().filter(|(media, _)| media.as_str() != primary));
        let mut variants = Namer::default();
        // The same schema under several media types is one type.
        let mut seen: Vec<(&ReferenceOr<Schema>, Shape)> = Vec::new();
        let mut choices = Vec::new();
        for (media_type, media) in ordered {
            let essence = media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
            let structured = is_json(&essence) || essence == "application/x-www-form-urlencoded" || essence == "multipart/form-data";
            let shape = match media.schema.as_ref().filter(|_| structured) {
                None => Shape::Json,
                Some(schema) => match seen.iter().find(|(known, _)| *known == schema) {
                    Some((_, shape)) => shape.clone(),
                    None => {
                        let shape = self.types.shape(schema, hint);
                        seen.push((schema, shape.clone()));
                        shape
                    }
                },
            };
            let (encoding, variant) = if is_json(&essence) {
                (BodyEncoding::Json(shape), "Json".to_owned())
            } else if essence == "application/x-www-form-urlencoded" {
                (BodyEncoding::Form(shape), "Form".to_owned())
            } else if essence == "multipart/form-data" {
                let part_types = media
                    .encoding
                    .iter()
                    .filter_map(|(part, encoding)| {
                        let first = encoding.content_type.as_deref()?.split(',').next()?.trim();
                        (!first.is_empty()).then(|| (part.clone(), first.to_owned()))
                    })
                    .collect();
                (BodyEncoding::Multipart { shape, part_types }, "Multipart".to_owned())
            } else {
                let subtype = match essence.rsplit('/').next().unwrap_or_default() {
                    "plain" => "text",
                    subtype => subtype,
                };
                let variant = match type_name(subtype) {
                    name if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) => "Bytes".to_owned(),
                    name => name,
                };
                (BodyEncoding::Bytes(media_type.clone()), variant)
            };
            choices.push(BodyChoice { media_type: media_type.clone(), variant: variants.claim(&variant), encoding });
        }
        let encoding = match choices.first() {
            Some(choice) => choice.encoding.clone(),
            None => BodyEncoding::Bytes("application/octet-stream".to_owned()),
        };
        if choices.len() < 2 {
            choices.clear();
        }
        Some(Body { encoding, choices, choice_enum: None, required: body.required, description: body.description.clone() })
    }

    fn responses(&mut self, operation: &SpecOperation, builder: &str, context: &str, pointer: &str) -> Responses {
        let mut documented: Vec<(StatusMatch, &ReferenceOr<Response>)> = Vec::new();
        for (code, response) in &operation.responses.responses {
            match code {
                StatusCode::Code(code) => documented.push((StatusMatch::Code(*code), response)),
                StatusCode::Range(class @ 1..=5) => documented.push((StatusMatch::Range(*class), response)),
                StatusCode::Range(class) => self.diagnostics.push(Diagnostic::warning(
                    format!("{context}: `{class}XX` is not a status class; the response is ignored"),
                    Some(Location::pointer_only(format!("{pointer}/responses"))),
                )),
            }
        }
        if let Some(default) = &operation.responses.default {
            documented.push((StatusMatch::Default, default));
        }
        documented.sort_by_key(|(status, _)| *status);
        let is_success = |status: &StatusMatch| match status {
            StatusMatch::Code(code) => (200..300).contains(code),
            StatusMatch::Range(class) => *class == 2,
            StatusMatch::Default => false,
        };
        // With no 2xx documented, `default` describes success too (`default: {description: OK}`).
        let default_succeeds = !documented.iter().any(|(status, _)| is_success(status));
        let mut responses = Responses::default();
        let mut success_variants = Namer::default();
        let mut error_variants = Namer::default();
        let mut header_names = Namer::default();
        for (status, response) in documented {
            let response = match response {
                ReferenceOr::Item(response) => response.clone(),
                ReferenceOr::Reference { reference } => match component(self.api, reference, |c| &c.responses) {
                    Some(response) => response,
                    None => {
                        self.diagnostics.push(Diagnostic::warning(
                            format!("{context}: response reference `{reference}` not found; its body is ignored"),
                            Some(Location::pointer_only(format!("{pointer}/responses"))),
                        ));
                        Response::default()
                    }
                },
            };
            let variant = status_variant(status);
            let success = is_success(&status) || (status == StatusMatch::Default && default_succeeds);
            if success {
                let hint = match responses.success.is_empty() {
                    true => format!("{builder}Response"),
                    false => format!("{builder}{variant}"),
                };
                let body = self.response_body(&response, &hint);
                self.response_headers(&response, &mut responses.headers, &mut header_names, builder);
                let variant = success_variants.claim(&variant);
                responses.success.push(ResponseCase { status, variant, body, description: Some(response.description.clone()) });
            }
            if !success || status == StatusMatch::Default {
                let body = match self.response_body(&response, &format!("{builder}{variant}Error")) {
                    ResponseBody::JsonItems(_) => ResponseBody::Bytes,
                    body => body,
                };
                let variant = error_variants.claim(&variant);
                responses.errors.push(ResponseCase { status, variant, body, description: Some(response.description.clone()) });
            }
        }
        responses
    }

    fn response_body(&mut self, response: &Response, hint: &str) -> ResponseBody {
        if response.content.is_empty() {
            return ResponseBody::Empty;
        }
        let items = response.content.values().find_map(|media| media.extensions.get(crate::normalize::EXT_ITEM_SCHEMA));
        if let Some(item) = items {
            return match serde_json::from_value::<ReferenceOr<Schema>>(item.clone()) {
                Ok(item) => ResponseBody::JsonItems(self.types.shape(&item, &format!("{hint}Item"))),
                Err(_) => ResponseBody::JsonItems(Shape::Json),
            };
        }
        match json_media(&response.content) {
            Some(media) => {
                ResponseBody::Json(media.schema.as_ref().map(|s| self.types.shape(s, hint)).unwrap_or(Shape::Json))
            }
            None => ResponseBody::Bytes,
        }
    }

    fn response_headers(&mut self, response: &Response, out: &mut Vec<ResponseHeader>, names: &mut Namer, builder: &str) {
        for (name, header) in &response.headers {
            // Content-Type is described by the media type, never as a header (OAS 3.x).
            if name.eq_ignore_ascii_case("content-type") || out.iter().any(|h| h.wire_name.eq_ignore_ascii_case(name)) {
                continue;
            }
            let header = match header {
                ReferenceOr::Item(header) => header.clone(),
                ReferenceOr::Reference { reference } => match component(self.api, reference, |c| &c.headers) {
                    Some(header) => header,
                    None => continue,
                },
            };
            let hint = format!("{builder}{}Header", type_name(name));
            let shape = self.schema_or_content_shape(&header.format, &hint);
            let shape = match shape {
                Shape::Binary | Shape::Base64 | Shape::Json => Shape::String,
                shape => shape,
            };
            out.push(ResponseHeader {
                wire_name: name.clone(),
                rust_name: names.claim(&snake_name(name)),
                shape,
                description: header.description.clone(),
            });
        }
    }
}

/// The variant name of a response: the status's reason phrase, its class, or `Default`.
fn status_variant(status: StatusMatch) -> String {
    let reason = match status {
        StatusMatch::Default => "Default",
        StatusMatch::Range(1) => "Informational",
        StatusMatch::Range(2) => "Success",
        StatusMatch::Range(3) => "Redirection",
        StatusMatch::Range(4) => "ClientError",
        StatusMatch::Range(_) => "ServerError",
        StatusMatch::Code(code) => match code {
            100 => "Continue",
            101 => "SwitchingProtocols",
            200 => "Ok",
            201 => "Created",
            202 => "Accepted",
            203 => "NonAuthoritativeInformation",
            204 => "NoContent",
            205 => "ResetContent",
            206 => "PartialContent",
            207 => "MultiStatus",
            208 => "AlreadyReported",
            226 => "ImUsed",
            300 => "MultipleChoices",
            301 => "MovedPermanently",
            302 => "Found",
            303 => "SeeOther",
            304 => "NotModified",
            307 => "TemporaryRedirect",
            308 => "PermanentRedirect",
            400 => "BadRequest",
            401 => "Unauthorized",
            402 => "PaymentRequired",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            406 => "NotAcceptable",
            407 => "ProxyAuthenticationRequired",
            408 => "RequestTimeout",
            409 => "Conflict",
            410 => "Gone",
            411 => "LengthRequired",
            412 => "PreconditionFailed",
            413 => "ContentTooLarge",
            414 => "UriTooLong",
            415 => "UnsupportedMediaType",
            416 => "RangeNotSatisfiable",
            417 => "ExpectationFailed",
            418 => "ImATeapot",
            421 => "MisdirectedRequest",
            422 => "UnprocessableContent",
            423 => "Locked",
            424 => "FailedDependency",
            425 => "TooEarly",
            426 => "UpgradeRequired",
            428 => "PreconditionRequired",
            429 => "TooManyRequests",
            431 => "RequestHeaderFieldsTooLarge",
            451 => "UnavailableForLegalReasons",
            500 => "InternalServerError",
            501 => "NotImplemented",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            504 => "GatewayTimeout",
            505 => "HttpVersionNotSupported",
            507 => "InsufficientStorage",
            508 => "LoopDetected",
            511 => "NetworkAuthenticationRequired",
            code => return format!("Status{code}"),
        },
    };
    reason.to_owned()
}

fn parameter_style(parameter: &Parameter) -> ParamStyle {
    use openapiv3::{PathStyle, QueryStyle};
    match parameter {
        Parameter::Query { style, .. } => match style {
            QueryStyle::Form => ParamStyle::Form,
            QueryStyle::SpaceDelimited => ParamStyle::SpaceDelimited,
            QueryStyle::PipeDelimited => ParamStyle::PipeDelimited,
            QueryStyle::DeepObject => ParamStyle::DeepObject,
        },
        Parameter::Path { style, .. } => match style {
            PathStyle::Simple => ParamStyle::Simple,
            PathStyle::Label => ParamStyle::Label,
            PathStyle::Matrix => ParamStyle::Matrix,
        },
        Parameter::Header { .. } => ParamStyle::Simple,
        Parameter::Cookie { .. } => ParamStyle::Form,
    }
}

fn component<T: Clone>(
    api: &OpenAPI,
    reference: &str,
    section: impl Fn(&openapiv3::Components) -> &indexmap::IndexMap<String, ReferenceOr<T>>,
) -> Option<T> {
    let name = unescape_pointer_segment(reference.rsplit('/').next()?);
    match section(api.components.as_ref()?).get(&name)? {
        ReferenceOr::Item(item) => Some(item.clone()),
        ReferenceOr::Reference { .. } => None,
    }
}

/// Whether a media type's essence (lower case, no parameters) is JSON (`*/*` counts: JSON is
/// what it most often carries).
fn is_json(essence: &str) -> bool {
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

/// The JSON media type of a content map, if any (`application/json`, `*/*+json`).
fn json_media(content: &indexmap::IndexMap<String, MediaType>) -> Option<&MediaType> {
    json_media_type(content).and_then(|media_type| content.get(media_type))
}

fn json_media_type(content: &indexmap::IndexMap<String, MediaType>) -> Option<&str> {
    content.keys().map(String::as_str).find(|media_type| {
        is_json(&media_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
    })
}

fn media_type_with_prefix<'c>(content: &'c indexmap::IndexMap<String, MediaType>, prefix: &str) -> Option<&'c str> {
    content.keys().map(String::as_str).find(|media| media.to_ascii_lowercase().starts_with(prefix))
}

/// The operations of a path item: the 3.0 model's methods, then the ones carried in
/// [`crate::normalize::EXT_OPERATIONS`] (3.2 `query` and `additionalOperations`).
/// The operations of a path item: its own borrowed, those read from an extension owned.
/// What follows the first of `count` operations in a warning that names only that one:
/// ` and 2 other operations`.
fn and_others(count: usize) -> String {
    match count.saturating_sub(1) {
        0 => String::new(),
        1 => " and 1 other operation".to_owned(),
        more => format!(" and {more} other operations"),
    }
}

/// The operations of the standard methods a path item has, with their methods.
pub(crate) fn standard_operations(item: &PathItem) -> impl Iterator<Item = (&'static str, &SpecOperation)> {
    [
        ("get", &item.get),
        ("put", &item.put),
        ("post", &item.post),
        ("delete", &item.delete),
        ("options", &item.options),
        ("head", &item.head),
        ("patch", &item.patch),
        ("trace", &item.trace),
    ]
    .into_iter()
    .filter_map(|(method, operation)| Some((method, operation.as_ref()?)))
}

fn methods<'a>(item: &'a PathItem, pointer: &str, diagnostics: &mut Diagnostics) -> Vec<(String, Cow<'a, SpecOperation>)> {
    let mut out: Vec<(String, Cow<'a, SpecOperation>)> =
        standard_operations(item).map(|(method, op)| (method.to_owned(), Cow::Borrowed(op))).collect();
    if let Some(serde_json::Value::Object(extra)) = item.extensions.get(crate::normalize::EXT_OPERATIONS) {
        for (method, operation) in extra {
            let valid = !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            match serde_json::from_value::<SpecOperation>(operation.clone()) {
                Ok(operation) if valid => out.push((method.to_ascii_lowercase(), Cow::Owned(operation))),
                Ok(_) => diagnostics.push(Diagnostic::warning(
                    format!("`{method}` is not a valid HTTP method; the operation is left out"),
                    Some(Location::pointer_only(format!("{pointer}/additionalOperations/{}", escape_pointer_segment(method)))),
                )),
                Err(error) => diagnostics.push(Diagnostic::warning(
                    format!("the `{method}` operation is left out: {error}"),
                    Some(Location::pointer_only(pointer.to_owned())),
                )),
            }
        }
    }
    out
}

/// Refuses path keys the client could not send safely: one that does not start with `/` is
/// glued to the base URL as is (`@host/x` sends the request, credentials and all, to `host`),
/// and a dot segment (`/../`) climbs out of the base URL's path. Returns whether the path is
/// usable.
fn check_path(path: &str, pointer: &str, diagnostics: &mut Diagnostics) -> bool {
    if !path.starts_with('/') {
        diagnostics.push(
            Diagnostic::error(
                format!("path `{path}` does not start with `/`; it would change the URL the client sends to, not just its path"),
                Some(Location::pointer_only(pointer.to_owned())),
            )
            .with_help(format!("write it as `/{}`", path.trim_start_matches('/'))),
        );
        return false;
    }
    let dot_segment = path.split('/').map(|segment| segment.to_ascii_lowercase().replace("%2e", ".")).any(|s| s == "." || s == "..");
    if dot_segment {
        diagnostics.push(
            Diagnostic::error(
                format!("path `{path}` has a `.` or `..` segment, which would resolve against the base URL's path"),
                Some(Location::pointer_only(pointer.to_owned())),
            )
            .with_help("write the path without dot segments"),
        );
        return false;
    }
    true
}

/// The variable names of a path template (`/a/{id}/b{.format}` → `id`, `.format`), in order,
/// each once.
fn template_variables(path: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let name = &after[..close];
        if !name.is_empty() && !name.contains('{') && seen.insert(name) {
            out.push(name);
        }
        rest = &after[close + 1..];
    }
    out
}

/// How many leading literal segments every path shares (`/api` in `/api/a`, `/api/b`); derived
/// names leave them out. None when there is only one path.
fn shared_literal_prefix<'p>(paths: impl Iterator<Item = &'p str>) -> usize {
    let mut prefix: Option<Vec<&str>> = None;
    let mut count = 0;
    for path in paths {
        count += 1;
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).take_while(|s| !s.contains('{')).collect();
        prefix = Some(match prefix {
            None => segments,
            Some(shared) => shared.into_iter().zip(segments).take_while(|(a, b)| a == b).map(|(a, _)| a).collect(),
        });
    }
    if count < 2 { 0 } else { prefix.map_or(0, |p| p.len()) }
}

/// The value an unset `Accept` parameter sends: its schema's default, else its first listed
/// value that names JSON, else its first.
fn accept_fallback(format: &ParameterSchemaOrContent) -> Option<String> {
    let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) = format else { return None };
    if let Some(serde_json::Value::String(default)) = &schema.schema_data.default {
        return Some(default.clone());
    }
    let openapiv3::SchemaKind::Type(openapiv3::Type::String(string)) = &schema.schema_kind else { return None };
    let values: Vec<&String> = string.enumeration.iter().flatten().collect();
    values.iter().find(|value| value.contains("json")).or(values.first()).map(|value| (*value).clone())
}

/// Whether any operation has a tag (the standard methods' and 3.2 `additionalOperations`).
fn has_tags(api: &OpenAPI) -> bool {
    api.paths.paths.values().any(|item| {
        let ReferenceOr::Item(item) = item else { return false };
        let extra = match item.extensions.get(crate::normalize::EXT_OPERATIONS) {
            Some(serde_json::Value::Object(extra)) => extra.values().any(|op| op.get("tags").and_then(|t| t.as_array()).is_some_and(|t| !t.is_empty())),
            _ => false,
        };
        extra || standard_operations(item).any(|(_, op)| !op.tags.is_empty())
    })
}

/// Whether what follows a group's prefix is one path parameter (`/{customer}`).
fn is_item_path(rest: &str) -> bool {
    rest.strip_prefix("/{").and_then(|r| r.strip_suffix('}')).is_some_and(|name| !name.is_empty() && !name.contains(['/', '{', '}']))
}

/// A resource verb for an operation of a path group whose name would be its HTTP method alone
/// (`GetCustomers`, `GetCustomersCustomer`): `list` and `create` on a group's own path when it
/// has an item path too, `get`, `update`, `replace` and `delete` on the item path.
fn resource_verb(method: &str, path: &str, prefix: &str, collections: &std::collections::BTreeSet<String>) -> Option<String> {
    let rest = path.strip_prefix(prefix)?;
    let verb = match (rest.trim_end_matches('/').is_empty(), method) {
        (true, "get") if collections.contains(prefix) => "list",
        (true, "post") if collections.contains(prefix) => "create",
        (false, "get") if is_item_path(rest) => "get",
        (false, "post" | "patch") if is_item_path(rest) => "update",
        (false, "put") if is_item_path(rest) => "replace",
        (false, "delete") if is_item_path(rest) => "delete",
        _ => return None,
    };
    Some(verb.to_owned())
}

/// Whether grouping a spec without tags by path gives groups of two operations or more on
/// average; a spec whose paths are mostly one of a kind (RPC-style paths) stays flat.
fn path_groups_pay_off(api: &OpenAPI, skip: usize) -> bool {
    let mut groups = std::collections::BTreeSet::new();
    let mut operations = 0;
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else { continue };
        let count = standard_operations(item).count();
        operations += count;
        if count > 0 && let Some((group, _)) = path_group(path, skip) {
            groups.insert(group);
        }
    }
    !groups.is_empty() && operations >= 2 * groups.len()
}

/// The group of a path in a spec without tags: the first segment after the `skip` segments all
/// paths share, with the prefix up to it, if that segment is literal (`/v1/customers/{id}` with
/// `v1` shared → `customers`, `/v1/customers`); `None` puts the operation on the root client.
fn path_group(path: &str, skip: usize) -> Option<(String, String)> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // `api` and versions (`v2`, `2024-01-01`, `1.0`) name no resource.
    let unnamed = |segment: &&&str| {
        let version = segment.strip_prefix(['v', 'V']).unwrap_or(segment);
        segment.eq_ignore_ascii_case("api") || (!version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-'))
    };
    let skip = skip + segments.iter().skip(skip).take_while(unnamed).count();
    // A word, not a parameter or an RPC-style `#Action=..` fragment.
    let word = |segment: &&&str| {
        segment.starts_with(|c: char| c.is_ascii_alphabetic())
            && segment.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    let segment = segments.get(skip).filter(word)?;
    let prefix: String = segments.iter().take(skip + 1).map(|s| format!("/{s}")).collect();
    Some(((*segment).to_owned(), prefix))
}

/// `get /orgs/{orgId}/devices` → `get_orgs_by_org_id_devices`, leaving out the first `skip`
/// segments.
fn derived_operation_id(method: &str, path: &str, skip: usize) -> String {
    let mut words = vec![method.to_owned()];
    for segment in path.split('/').filter(|s| !s.is_empty()).skip(skip) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by_{}", snake_name(param))),
            None => words.push(snake_name(segment)),
        }
    }
    words.join("_")
}

/// The operationIds FastAPI makes (`read_flows_flows_filter_post`: the function's name, then
/// the path and the method) without the path and method, by path and method; only where the
/// short ids of all operations stay distinct from each other and from the other ids.
fn fastapi_short_ids(api: &OpenAPI) -> BTreeMap<(&str, &'static str), String> {
    let mut ids: Vec<(&str, &'static str, &str, Option<String>)> = Vec::new();
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else { continue };
        for (method, operation) in standard_operations(item) {
            let Some(id) = operation.operation_id.as_deref() else { continue };
            // FastAPI writes every character that is not a word character as `_`.
            let path_words: String = path.chars().map(|c| if c.is_alphanumeric() || c == '_' { c } else { '_' }).collect();
            let suffix = format!("{path_words}_{method}");
            let short = id.strip_suffix(suffix.as_str()).filter(|short| short.chars().any(char::is_alphanumeric));
            ids.push((path.as_str(), method, id, short.map(str::to_owned)));
        }
    }
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, _, id, short) in &ids {
        *uses.entry(short.as_deref().unwrap_or(id)).or_default() += 1;
    }
    ids.iter()
        .filter_map(|(path, method, _, short)| {
            let short = short.as_ref()?;
            (uses.get(short.as_str()) == Some(&1)).then(|| ((*path, *method), short.clone()))
        })
        .collect()
}

/// The method name for an operation in a tag's group, with the tag's words left out
/// (`listDevices` in `devices` → `list`).
fn method_name(operation_id: &str, tag: Option<&str>) -> String {
    let name = snake_name(operation_id);
    let Some(tag) = tag else { return name };
    let tag_words: Vec<String> = snake_name(tag).split('_').map(str::to_owned).collect();
    let singular: Vec<String> = tag_words.iter().map(|w| singular(w)).collect();
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    for candidate in [&tag_words, &singular] {
        if candidate.is_empty() || candidate.len() >= words.len() {
            continue;
        }
        if let Some(start) = words.windows(candidate.len()).position(|window| window.iter().zip(candidate.iter()).all(|(a, b)| a == b)) {
            let mut rest: Vec<&str> = words.clone();
            rest.drain(start..start + candidate.len());
            // `getCustomersCustomer` (`GET /customers/{customer}`): the item's word goes too.
            let item = singular.last().map(String::as_str);
            if candidate == &tag_words && singular != tag_words && rest.len() > 1 && rest.get(start).copied() == item {
                rest.remove(start);
            }
            let joined = rest.join("_");
            if !joined.is_empty() {
                return snake_name(&joined);
            }
        }
    }
    name
}

fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") {
        word.to_owned()
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_owned()
    } else {
        word.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_leave_out_the_tag() {
        assert_eq!(method_name("listDevices", Some("devices")), "list");
        assert_eq!(method_name("getDevice", Some("devices")), "get");
        assert_eq!(method_name("sendDeviceCommand", Some("devices")), "send_command");
        assert_eq!(method_name("getStatus", Some("status")), "get");
        assert_eq!(method_name("listCategories", Some("categories")), "list");
        assert_eq!(method_name("devices", Some("devices")), "devices");
        assert_eq!(method_name("addPet", None), "add_pet");
        assert_eq!(method_name("GetCustomersCustomer", Some("customers")), "get");
        assert_eq!(method_name("GetCustomersCustomerSources", Some("customers")), "get_sources");
        assert_eq!(method_name("GetCustomers", Some("customers")), "get");
        assert_eq!(method_name("PostPaymentIntentsIntentCancel", Some("payment_intents")), "post_cancel");
    }

    fn groups_of(spec: &str, flat: bool) -> Vec<String> {
        let mut generator = crate::Generator::new("api.yaml");
        generator.loader(crate::MemoryLoader::new().with("api.yaml", spec)).flat_client(flat);
        let (ir, _, _) = generator.check().unwrap_or_else(|e| panic!("{e}"));
        ir.groups.iter().map(|g| g.method.clone()).collect()
    }

    #[test]
    fn specs_without_tags_are_grouped_by_path_unless_flat_or_rpc_style() {
        let op = r#"{responses: {"204": {description: ok}}}"#;
        let rest = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /users: {{get: {op}, post: {op}}}\n  /users/{{id}}: {{get: {op}, parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]}}\n  /teams: {{get: {op}, post: {op}}}\n"
        );
        assert_eq!(groups_of(&rest, false), ["users", "teams"]);
        assert!(groups_of(&rest, true).is_empty(), "flat_client keeps every operation on the client");
        let rpc = format!(
            "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /listUsers: {{post: {op}}}\n  /getUser: {{post: {op}}}\n  /deleteUser: {{post: {op}}}\n"
        );
        assert!(groups_of(&rpc, false).is_empty(), "one operation a group is no grouping");
        let tagged = rest.replacen("/users: {get: {", "/users: {get: {tags: [people], ", 1);
        assert_eq!(groups_of(&tagged, false), ["people"], "a spec with tags is grouped by tag only");
    }

    #[test]
    fn an_unset_accept_parameter_falls_back_to_its_default_or_a_listed_value() {
        let fallback = |schema: &str| {
            let schema: openapiv3::Schema = serde_json::from_str(schema).unwrap_or_else(|e| panic!("{e}"));
            accept_fallback(&ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)))
        };
        assert_eq!(fallback(r#"{"type": "string", "enum": ["text/csv", "application/json"]}"#).as_deref(), Some("application/json"));
        assert_eq!(fallback(r#"{"type": "string", "enum": ["text/csv", "text/plain"]}"#).as_deref(), Some("text/csv"));
        assert_eq!(fallback(r#"{"type": "string", "enum": ["application/json"], "default": "text/csv"}"#).as_deref(), Some("text/csv"));
        assert_eq!(fallback(r#"{"type": "string"}"#), None, "a free string: the client's own `Accept` goes");
    }

    #[test]
    fn paths_group_specs_without_tags() {
        assert_eq!(path_group("/v1/customers/{customer}", 1), Some(("customers".to_owned(), "/v1/customers".to_owned())));
        assert_eq!(path_group("/v1/customers", 1), Some(("customers".to_owned(), "/v1/customers".to_owned())));
        assert_eq!(path_group("/v1/{account}/files", 1), None, "a parameter names no group");
        assert_eq!(path_group("/v1", 1), None, "no segment after the shared prefix");
        assert_eq!(path_group("/v1/-", 1), None, "a segment without a letter or digit names none");
        let versioned = Some(("users".to_owned(), "/api/v2/users".to_owned()));
        assert_eq!(path_group("/api/v2/users/{id}", 0), versioned, "`api` and versions are passed over");
        assert_eq!(path_group("/2024-01-01/users", 0).map(|(group, _)| group).as_deref(), Some("users"));
        assert_eq!(path_group("/#Action=ListUsers", 0), None, "an RPC-style fragment names none");
    }

    #[test]
    fn derived_ids_read_like_the_path() {
        assert_eq!(derived_operation_id("get", "/orgs/{orgId}/devices", 0), "get_orgs_by_org_id_devices");
        let paths = ["/api/", "/api/contents/{path}", "/api/kernels"];
        let skip = shared_literal_prefix(paths.into_iter());
        assert_eq!(skip, 1);
        assert_eq!(derived_operation_id("get", "/api/contents/{path}", skip), "get_contents_by_path");
        assert_eq!(derived_operation_id("get", "/api/", skip), "get");
        assert_eq!(shared_literal_prefix(["/api/status"].into_iter()), 0, "one path keeps its words");
    }
}
