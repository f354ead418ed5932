//! Fixes for OpenAPI 3.x documents before they meet the 3.0 model: what 3.1 and 3.2 allow
//! that the model does not (optional `responses` and response `description`, `query` and
//! additional methods, `in: querystring`, mutual TLS, webhooks, path-item components), and what
//! vendor specs get wrong in ways that still have a clear meaning.

use serde_json::{Map, Value, json};

use super::SpecVersion;
use crate::diagnostic::{Diagnostic, Diagnostics, Location, escape_pointer_segment};
use crate::resolve::EXT_UNRESOLVED;

/// Operations under methods the 3.0 model has no field for (`query`, `additionalOperations`),
/// by upper-case method.
pub const EXT_OPERATIONS: &str = "x-specwright-operations";
/// A `querystring` parameter: the whole query string, serialized from one value.
pub const EXT_QUERYSTRING: &str = "x-specwright-querystring";
/// Names of `mutualTLS` security schemes.
pub const EXT_MUTUAL_TLS: &str = "x-specwright-mutual-tls";
/// The 3.1 `webhooks`.
pub const EXT_WEBHOOKS: &str = "x-specwright-webhooks";
/// The 3.2 `$self` of the document.
pub const EXT_SELF: &str = "x-specwright-self";
/// The 3.2 `parent` of a tag.
pub const EXT_TAG_PARENT: &str = "x-specwright-parent";
/// The 3.2 `itemSchema` of a media type (sequential JSON, server-sent events).
pub const EXT_ITEM_SCHEMA: &str = "x-specwright-item-schema";

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

pub(crate) struct Prepare<'a> {
    pub(crate) version: SpecVersion,
    pub(crate) diagnostics: &'a mut Diagnostics,
    pub(crate) locate: &'a dyn Fn(&str) -> Option<Location>,
}

impl Prepare<'_> {
    fn warn(&mut self, message: String, pointer: &str) {
        self.diagnostics.push(Diagnostic::warning(message, (self.locate)(pointer)));
    }

    pub(crate) fn document(&mut self, root: &mut Map<String, Value>) {
        if let Some(webhooks) = root.remove("webhooks") {
            root.insert(EXT_WEBHOOKS.to_owned(), webhooks);
        }
        if let Some(self_uri) = root.remove("$self") {
            root.insert(EXT_SELF.to_owned(), self_uri);
        }
        if let Some(Value::Array(tags)) = root.get_mut("tags") {
            for tag in tags.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(parent) = tag.remove("parent") {
                    tag.insert(EXT_TAG_PARENT.to_owned(), parent);
                }
            }
        }
        let path_items = match root.get_mut("components").and_then(Value::as_object_mut) {
            Some(components) => self.components(components),
            None => Map::new(),
        };
        let mut mutual_tls = Vec::new();
        if let Some(schemes) = root
            .get_mut("components")
            .and_then(|c| c.get_mut("securitySchemes"))
            .and_then(Value::as_object_mut)
        {
            schemes.retain(|name, scheme| {
                let is_mtls = scheme.get("type").and_then(Value::as_str) == Some("mutualTLS");
                if is_mtls {
                    mutual_tls.push(json!(name));
                }
                !is_mtls
            });
        }
        if !mutual_tls.is_empty() {
            root.insert(EXT_MUTUAL_TLS.to_owned(), Value::Array(mutual_tls));
        }
        if let Some(Value::Object(paths)) = root.get_mut("paths") {
            for (path, item) in paths.iter_mut().filter(|(k, _)| !k.starts_with("x-")) {
                let pointer = format!("/paths/{}", escape_pointer_segment(path));
                // 3.1 path-item components: copy them in, the model cannot reference them.
                if let Some(reference) = item.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = reference.strip_prefix("#/components/pathItems/") {
                        if let Some(target) = path_items.get(&crate::diagnostic::unescape_pointer_segment(name)) {
                            *item = target.clone();
                        }
                    }
                }
                if let Value::Object(item) = item {
                    self.path_item(item, &pointer);
                }
            }
        }
    }

    /// Prepares components; returns the path items (which the 3.0 model has no section for).
    fn components(&mut self, components: &mut Map<String, Value>) -> Map<String, Value> {
        components.remove("callbacks");
        if let Some(Value::Object(parameters)) = components.get_mut("parameters") {
            for (name, parameter) in parameters.iter_mut() {
                let pointer = format!("/components/parameters/{}", escape_pointer_segment(name));
                self.parameter(parameter, &pointer);
            }
        }
        if let Some(Value::Object(headers)) = components.get_mut("headers") {
            for (name, header) in headers.iter_mut() {
                let pointer = format!("/components/headers/{}", escape_pointer_segment(name));
                self.header(header, &pointer);
            }
        }
        if let Some(Value::Object(responses)) = components.get_mut("responses") {
            for (name, response) in responses.iter_mut() {
                let pointer = format!("/components/responses/{}", escape_pointer_segment(name));
                self.response(response, &pointer);
            }
        }
        for section in ["requestBodies", "responses"] {
            if let Some(Value::Object(entries)) = components.get_mut(section) {
                for entry in entries.values_mut() {
                    item_schemas(entry);
                }
            }
        }
        let mut path_items = match components.remove("pathItems") {
            Some(Value::Object(items)) => items,
            _ => Map::new(),
        };
        for (name, item) in path_items.iter_mut() {
            if let Value::Object(item) = item {
                self.path_item(item, &format!("/components/pathItems/{}", escape_pointer_segment(name)));
            }
        }
        path_items
    }

    fn path_item(&mut self, item: &mut Map<String, Value>, pointer: &str) {
        if let Some(Value::Array(parameters)) = item.get_mut("parameters") {
            self.parameters(parameters, &format!("{pointer}/parameters"));
        }
        for method in METHODS {
            if let Some(Value::Object(operation)) = item.get_mut(*method) {
                self.operation(operation, &format!("{pointer}/{method}"));
            }
        }
        // 3.2: `query` and `additionalOperations` become an extension the IR reads back.
        let mut extra = Map::new();
        if let Some(mut operation) = item.remove("query") {
            if let Value::Object(op) = &mut operation {
                self.operation(op, &format!("{pointer}/query"));
            }
            extra.insert("QUERY".to_owned(), operation);
        }
        if let Some(Value::Object(additional)) = item.remove("additionalOperations") {
            for (method, mut operation) in additional {
                if let Value::Object(op) = &mut operation {
                    self.operation(op, &format!("{pointer}/additionalOperations/{}", escape_pointer_segment(&method)));
                }
                extra.insert(method.to_ascii_uppercase(), operation);
            }
        }
        if !extra.is_empty() {
            item.insert(EXT_OPERATIONS.to_owned(), Value::Object(extra));
        }
    }

    fn operation(&mut self, operation: &mut Map<String, Value>, pointer: &str) {
        operation.remove("callbacks");
        if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
            self.parameters(parameters, &format!("{pointer}/parameters"));
        }
        if operation.get("requestBody").is_some_and(|b| b.get(EXT_UNRESOLVED).is_some()) {
            operation.remove("requestBody");
        }
        if let Some(body) = operation.get_mut("requestBody") {
            item_schemas(body);
        }
        match operation.get_mut("responses") {
            Some(Value::Object(responses)) => {
                for (code, response) in responses.iter_mut().filter(|(k, _)| !k.starts_with("x-")) {
                    let pointer = format!("{pointer}/responses/{}", escape_pointer_segment(code));
                    self.response(response, &pointer);
                    item_schemas(response);
                }
            }
            _ => {
                if self.version == SpecVersion::V3_0 {
                    self.warn("the operation has no `responses`; assuming it returns nothing".to_owned(), pointer);
                }
                operation.insert("responses".to_owned(), json!({}));
            }
        }
    }

    fn parameters(&mut self, parameters: &mut Vec<Value>, pointer: &str) {
        for (index, parameter) in parameters.iter_mut().enumerate() {
            self.parameter(parameter, &format!("{pointer}/{index}"));
        }
        parameters.retain(|p| p.get(EXT_UNRESOLVED).is_none());
    }

    fn parameter(&mut self, parameter: &mut Value, pointer: &str) {
        let Value::Object(map) = parameter else { return };
        if map.contains_key("$ref") || map.contains_key(EXT_UNRESOLVED) {
            return;
        }
        if map.get("in").and_then(Value::as_str) == Some("querystring") {
            map.insert("in".to_owned(), json!("query"));
            map.insert(EXT_QUERYSTRING.to_owned(), json!(true));
        }
        if map.get("style").and_then(Value::as_str) == Some("cookie") {
            // 3.2's cookie style is form style without percent-encoding.
            map.insert("style".to_owned(), json!("form"));
        }
        if !map.contains_key("schema") && !map.contains_key("content") {
            let name = map.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
            self.warn(format!("parameter `{name}` has neither `schema` nor `content`; treating it as a string"), pointer);
            map.insert("schema".to_owned(), json!({"type": "string"}));
        }
        if !map.contains_key("name") || !map.contains_key("in") {
            self.warn("a parameter needs `name` and `in`; this one is left out".to_owned(), pointer);
            map.insert(EXT_UNRESOLVED.to_owned(), json!("incomplete parameter"));
        }
    }

    fn header(&mut self, header: &mut Value, pointer: &str) {
        let Value::Object(map) = header else { return };
        if !map.contains_key("schema") && !map.contains_key("content") && !map.contains_key("$ref") {
            self.warn("the header has neither `schema` nor `content`; treating it as a string".to_owned(), pointer);
            map.insert("schema".to_owned(), json!({"type": "string"}));
        }
    }

    fn response(&mut self, response: &mut Value, pointer: &str) {
        if response.get(EXT_UNRESOLVED).is_some() {
            *response = json!({"description": ""});
            return;
        }
        let Value::Object(map) = response else { return };
        if let Some(Value::Object(headers)) = map.get_mut("headers") {
            for (name, header) in headers.iter_mut() {
                self.header(header, &format!("{pointer}/headers/{}", escape_pointer_segment(name)));
            }
        }
        if !map.contains_key("description") && !map.contains_key("$ref") {
            if self.version < SpecVersion::V3_2 {
                self.warn("the response has no `description`".to_owned(), pointer);
            }
            map.insert("description".to_owned(), json!(""));
        }
    }
}

/// Moves 3.2 `itemSchema`s of the media types in `holder.content` into an extension.
fn item_schemas(holder: &mut Value) {
    let Some(Value::Object(content)) = holder.get_mut("content") else { return };
    for media in content.values_mut().filter_map(Value::as_object_mut) {
        if let Some(schema) = media.remove("itemSchema") {
            media.insert(EXT_ITEM_SCHEMA.to_owned(), schema);
        }
    }
}
