//! Stage 3: bring every supported version into one document model, `openapiv3::OpenAPI`.
//!
//! OpenAPI 3.1/3.2 schema shapes that the 3.0 model has no field for are rewritten into their
//! 3.0 equivalent where one exists (`type: [T, "null"]` → `type: T, nullable: true`), and carried
//! in `x-specwright-*` extensions otherwise, for the IR to read back.

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use crate::diagnostic::{Diagnostic, Diagnostics, escape_pointer_segment, push_pointer_segment};
use crate::resolve::Bundle;

/// Extension carrying the types of a multi-type 3.1 schema (`type: [string, integer]`).
pub const EXT_TYPES: &str = "x-specwright-types";
/// Extension marking a schema whose only type is `null`.
pub const EXT_NULL: &str = "x-specwright-null";
/// Extension carrying a 3.1 `const`.
pub const EXT_CONST: &str = "x-specwright-const";

/// How many type mismatches we repair before giving up.
const MAX_REPAIRS: usize = 1000;

mod coerce;
mod openapi3;
mod swagger2;

pub use openapi3::{
    EXT_ITEM_SCHEMA, EXT_MUTUAL_TLS, EXT_OPERATIONS, EXT_QUERYSTRING, EXT_SELF, EXT_TAG_PARENT, EXT_WEBHOOKS,
};

/// The spec version a document was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecVersion {
    /// Swagger 2.0.
    V2_0,
    /// OpenAPI 3.0.x.
    V3_0,
    /// OpenAPI 3.1.x.
    V3_1,
    /// OpenAPI 3.2.x.
    V3_2,
}

/// A document in the common model.
#[derive(Debug)]
pub struct Normalized {
    /// The document.
    pub api: openapiv3::OpenAPI,
    /// The version it was written in.
    pub version: SpecVersion,
}

/// The pointer in the document as written for a pointer of the normalized document (they
/// differ for Swagger 2.0, which is converted).
pub fn source_pointer(version: SpecVersion, pointer: &str) -> String {
    if version == SpecVersion::V2_0 { swagger2::original_pointer(pointer) } else { pointer.to_owned() }
}

/// The stack normalizing runs on. Reading a schema into the model takes tens of kilobytes of
/// stack per level of nesting in a debug build (build scripts are debug builds): the ~40
/// levels [`MAX_SCHEMA_DEPTH`] lets through overflow a 2 MiB thread, so the caller's stack,
/// whatever its size, is not used.
const NORMALIZE_STACK: usize = 64 << 20;

/// Normalizes a bundle. Warnings come back beside the document; errors instead of it.
pub fn normalize(bundle: &Bundle) -> Result<(Normalized, Diagnostics), Diagnostics> {
    on_normalize_stack(bundle, None)
}

/// [`normalize`], taking the bundle's data instead of copying it (a big spec's data takes long
/// to copy). What is left of the bundle still locates diagnostics and raw scalars.
pub fn normalize_taking(bundle: &mut Bundle) -> Result<(Normalized, Diagnostics), Diagnostics> {
    let value = std::mem::take(&mut bundle.value);
    on_normalize_stack(bundle, Some(value))
}

/// Normalizes `value`, or else a copy of the bundle's data, on a stack of its own.
fn on_normalize_stack(bundle: &Bundle, value: Option<Value>) -> Result<(Normalized, Diagnostics), Diagnostics> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().name("specwright-normalize".to_owned()).stack_size(NORMALIZE_STACK);
        // The data goes over once the thread is there, and stays here if it is not.
        let (send, receive) = std::sync::mpsc::channel();
        match thread.spawn_scoped(scope, move || normalize_here(bundle, receive.recv().ok().flatten())) {
            Ok(handle) => {
                let _ = send.send(value);
                handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            }
            // No thread to be had: the cap on nesting still holds the stack to a few MiB.
            Err(_) => normalize_here(bundle, value),
        }
    })
}

fn normalize_here(bundle: &Bundle, value: Option<Value>) -> Result<(Normalized, Diagnostics), Diagnostics> {
    let value = value.map_or(Cow::Borrowed(&bundle.value), Cow::Owned);
    let mut diagnostics = Diagnostics::default();
    let Value::Object(root) = &*value else {
        diagnostics.push(
            Diagnostic::error(
                format!(
                    "this is not an OpenAPI document: expected a mapping at the top level, found {}",
                    kind_of(&value)
                ),
                bundle.locate(""),
            )
            .with_help("an OpenAPI document starts with `openapi: 3.1.0` (or `swagger: \"2.0\"`) and `info:`"),
        );
        return Err(diagnostics);
    };
    let version = match (root.get("openapi"), root.get("swagger")) {
        (Some(openapi), _) => {
            let text = scalar_text(openapi, bundle.raw_scalar("/openapi"));
            match text.as_str() {
                t if t.starts_with("3.0") => SpecVersion::V3_0,
                t if t.starts_with("3.1") => SpecVersion::V3_1,
                t if t.starts_with("3.2") => SpecVersion::V3_2,
                t => {
                    diagnostics.push(
                        Diagnostic::error(format!("unsupported OpenAPI version `{t}`"), bundle.locate("/openapi"))
                            .with_help("specwright reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2"),
                    );
                    return Err(diagnostics);
                }
            }
        }
        (None, Some(swagger)) => {
            let text = scalar_text(swagger, bundle.raw_scalar("/swagger"));
            if !text.starts_with('2') {
                diagnostics.push(
                    Diagnostic::error(format!("unsupported Swagger version `{text}`"), bundle.locate("/swagger"))
                        .with_help("specwright reads Swagger 2.0 and OpenAPI 3.0, 3.1 and 3.2"),
                );
                return Err(diagnostics);
            }
            SpecVersion::V2_0
        }
        (None, None) => {
            diagnostics.push(
                Diagnostic::error(
                    "this is not an OpenAPI document: it has neither an `openapi` nor a `swagger` field",
                    bundle.locate(""),
                )
                .with_help("add `openapi: 3.1.0` at the top level"),
            );
            return Err(diagnostics);
        }
    };
    // Pointers of the converted document, mapped back to the file the user wrote.
    let original = |pointer: &str| source_pointer(version, pointer);
    let locate = |pointer: &str| bundle.locate(&original(pointer));
    let raw_scalar = |pointer: &str| bundle.raw_scalar(&original(pointer));

    let mut value = if version == SpecVersion::V2_0 {
        swagger2::convert(root, &mut diagnostics, &|pointer| bundle.locate(pointer))
    } else {
        value.into_owned()
    };
    let Value::Object(root) = &mut value else { return Err(diagnostics) };
    if version != SpecVersion::V2_0 {
        root.insert("openapi".to_owned(), Value::String(scalar_text(&root["openapi"], bundle.raw_scalar("/openapi"))));
    }
    if !root.get("info").is_some_and(Value::is_object) {
        diagnostics.push(Diagnostic::warning("the document has no `info`; using an empty one", locate("")));
        root.insert("info".to_owned(), json!({"title": "API", "version": ""}));
    }
    if !root.get("paths").is_some_and(Value::is_object) {
        root.insert("paths".to_owned(), json!({}));
    }
    let mut truncated = Vec::new();
    walk_document(&mut value, &mut String::new(), &mut truncated);
    for pointer in truncated {
        diagnostics.push(Diagnostic::warning(
            format!("schemas nest more than {MAX_SCHEMA_DEPTH} levels deep here; this schema is read as any JSON value"),
            locate(&pointer),
        ));
    }
    for fix in coerce::coerce(&mut value, &|pointer| raw_scalar(pointer).map(str::to_owned)) {
        if let Some(warning) = fix.warning {
            diagnostics.push(Diagnostic::warning(warning, locate(&fix.pointer)));
        }
    }
    hoist_deep_schema_refs(&mut value);
    if let Value::Object(root) = &mut value {
        openapi3::Prepare { version, diagnostics: &mut diagnostics, locate: &locate }.document(root);
    }
    let mut model = Model { diagnostics: &mut diagnostics, locate: &locate, raw_scalar: &raw_scalar };
    match model.document(value) {
        Some(api) => Ok((Normalized { api, version }, diagnostics)),
        None => Err(diagnostics),
    }
}

/// Deserializes into the model piece by piece, so that a failure names its exact place and
/// costs only the path item or component it is in (left out, with a warning).
struct Model<'a> {
    diagnostics: &'a mut Diagnostics,
    locate: &'a dyn Fn(&str) -> Option<crate::diagnostic::Location>,
    raw_scalar: &'a dyn Fn(&str) -> Option<&'a str>,
}

impl Model<'_> {
    fn document(&mut self, mut value: Value) -> Option<openapiv3::OpenAPI> {
        let root = value.as_object_mut()?;
        let paths = match root.insert("paths".to_owned(), json!({})) {
            Some(Value::Object(paths)) => paths,
            _ => Map::new(),
        };
        let components = match root.remove("components") {
            Some(Value::Object(components)) => components,
            _ => Map::new(),
        };
        let mut api: openapiv3::OpenAPI = match self.deserialize(&mut value, "") {
            Ok(api) => api,
            Err((message, pointer)) => {
                self.diagnostics.push(Diagnostic::error(format!("invalid OpenAPI document: {message}"), (self.locate)(&pointer)));
                return None;
            }
        };
        for (path, mut item) in paths {
            let pointer = format!("/paths/{}", escape_pointer_segment(&path));
            if path.starts_with("x-") {
                api.paths.extensions.insert(path, item);
                continue;
            }
            self.prevalidate_path_item(&mut item, &pointer);
            if let Some(item) = self.entry(&mut item, &pointer, "the path") {
                api.paths.paths.insert(path, item);
            }
        }
        if !components.is_empty() {
            let mut model = openapiv3::Components::default();
            for (section, entries) in components {
                let Value::Object(entries) = entries else { continue };
                let prefix = format!("/components/{}", escape_pointer_segment(&section));
                match section.as_str() {
                    "schemas" => self.section(entries, &prefix, "the schema", &mut model.schemas),
                    "responses" => self.section(entries, &prefix, "the response", &mut model.responses),
                    "parameters" => self.section(entries, &prefix, "the parameter", &mut model.parameters),
                    "examples" => self.section(entries, &prefix, "the example", &mut model.examples),
                    "requestBodies" => self.section(entries, &prefix, "the request body", &mut model.request_bodies),
                    "headers" => self.section(entries, &prefix, "the header", &mut model.headers),
                    "securitySchemes" => self.section(entries, &prefix, "the security scheme", &mut model.security_schemes),
                    "links" => self.section(entries, &prefix, "the link", &mut model.links),
                    other if other.starts_with("x-") => {
                        model.extensions.insert(other.to_owned(), Value::Object(entries));
                    }
                    _ => {}
                }
            }
            api.components = Some(model);
        }
        Some(api)
    }

    /// Checks a path item's parameters, request bodies and responses one by one, so that a bad
    /// one is named exactly and left out alone instead of taking the whole path with it.
    fn prevalidate_path_item(&mut self, item: &mut Value, pointer: &str) {
        let Value::Object(item) = item else { return };
        if let Some(Value::Array(parameters)) = item.get_mut("parameters") {
            self.prevalidate_list::<openapiv3::ReferenceOr<openapiv3::Parameter>>(parameters, &format!("{pointer}/parameters"), "the parameter");
        }
        for method in ["get", "put", "post", "delete", "options", "head", "patch", "trace"] {
            let Some(Value::Object(operation)) = item.get_mut(method) else { continue };
            let at = format!("{pointer}/{method}");
            if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
                self.prevalidate_list::<openapiv3::ReferenceOr<openapiv3::Parameter>>(parameters, &format!("{at}/parameters"), "the parameter");
            }
            if let Some(body) = operation.get_mut("requestBody") {
                let body_pointer = format!("{at}/requestBody");
                if self.entry::<openapiv3::ReferenceOr<openapiv3::RequestBody>>(body, &body_pointer, "the request body").is_none() {
                    operation.remove("requestBody");
                }
            }
            if let Some(Value::Object(responses)) = operation.get_mut("responses") {
                let mut bad = Vec::new();
                for (code, response) in responses.iter_mut().filter(|(k, _)| !k.starts_with("x-")) {
                    let response_pointer = format!("{at}/responses/{}", escape_pointer_segment(code));
                    if self.entry::<openapiv3::ReferenceOr<openapiv3::Response>>(response, &response_pointer, "the response").is_none() {
                        bad.push(code.clone());
                    }
                }
                for code in bad {
                    responses.remove(&code);
                }
            }
        }
    }

    fn prevalidate_list<T: serde::de::DeserializeOwned>(&mut self, list: &mut Vec<Value>, pointer: &str, what: &str) {
        let mut index = 0;
        let mut original = 0;
        while index < list.len() {
            let item_pointer = format!("{pointer}/{original}");
            let ok = match list.get_mut(index) {
                Some(item) => self.entry::<T>(item, &item_pointer, what).is_some(),
                None => break,
            };
            if ok {
                index += 1;
            } else {
                list.remove(index);
            }
            original += 1;
        }
    }

    fn section<T: serde::de::DeserializeOwned>(
        &mut self,
        entries: Map<String, Value>,
        prefix: &str,
        what: &str,
        into: &mut indexmap::IndexMap<String, openapiv3::ReferenceOr<T>>,
    ) {
        for (name, mut entry) in entries {
            let pointer = format!("{prefix}/{}", escape_pointer_segment(&name));
            if let Some(entry) = self.entry(&mut entry, &pointer, what) {
                into.insert(name, entry);
            }
        }
    }

    fn entry<T: serde::de::DeserializeOwned>(&mut self, value: &mut Value, pointer: &str, what: &str) -> Option<T> {
        match self.deserialize(value, pointer) {
            Ok(entry) => Some(entry),
            Err((message, at)) => {
                self.diagnostics.push(
                    Diagnostic::warning(format!("{what} is left out: {message}"), (self.locate)(&at))
                        .with_help("fix the spec here to get this part of the API in the client"),
                );
                None
            }
        }
    }

    /// Deserializes `value` (which sits at `prefix`), repairing what has a clear meaning.
    fn deserialize<T: serde::de::DeserializeOwned>(&mut self, value: &mut Value, prefix: &str) -> Result<T, (String, String)> {
        // Tracking the path costs much of the deserialization: it is only done when there is
        // an error to place.
        if let Ok(model) = T::deserialize(&*value) {
            return Ok(model);
        }
        let mut repairs = 0;
        loop {
            match serde_path_to_error::deserialize::<_, T>(&*value) {
                Ok(model) => return Ok(model),
                Err(error) => {
                    let relative = path_to_pointer(error.path());
                    let pointer = format!("{prefix}{relative}");
                    let message = error.inner().to_string();
                    if repairs < MAX_REPAIRS {
                        if let Some(repair) = repair(value, &relative, &message, (self.raw_scalar)(&pointer)) {
                            repairs += 1;
                            if let Some(warning) = repair {
                                self.diagnostics.push(Diagnostic::warning(warning, (self.locate)(&pointer)));
                            }
                            continue;
                        }
                    }
                    return Err((message, pointer));
                }
            }
        }
    }
}

/// Fixes one deserialization failure where the document can be given a sensible meaning.
/// Returns `None` when it cannot, `Some(None)` for a silent fix (a YAML-ism such as
/// `version: 1.10`), and `Some(Some(warning))` otherwise.
fn repair(value: &mut Value, pointer: &str, message: &str, raw: Option<&str>) -> Option<Option<String>> {
    if message.contains("expected a string") {
        let node = value.pointer_mut(pointer)?;
        if !matches!(node, Value::Number(_) | Value::Bool(_)) {
            return None;
        }
        let warning = raw.is_none().then(|| format!("expected a string, found {}; using its text", kind_of(node)));
        *node = Value::String(scalar_text(node, raw));
        return Some(warning);
    }
    if let Some(field) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
        let default = match field {
            "description" | "title" | "version" => json!(""),
            "responses" => json!({}),
            _ => return None,
        };
        let Value::Object(node) = value.pointer_mut(pointer)? else { return None };
        node.insert(field.to_owned(), default);
        return Some(Some(format!("missing required field `{field}`; using an empty one")));
    }
    None
}

/// Extension carrying `patternProperties` (regex → schema), which the 3.0 model drops.
pub const EXT_PATTERN_PROPERTIES: &str = "x-specwright-pattern-properties";

/// Extension carrying 3.1 `prefixItems` (a tuple's item schemas).
pub const EXT_PREFIX_ITEMS: &str = "x-specwright-prefix-items";

/// Gives every schema that is referenced by a deep pointer (`#/components/schemas/A/$defs/B`,
/// `#/paths/.../schema/properties/x`) a place of its own under `components.schemas`, so that
/// the IR sees only component references and names the type once.
fn hoist_deep_schema_refs(document: &mut Value) {
    let mut hoisted: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
    // Names in use under `components.schemas`, kept up to date as targets are hoisted.
    let mut taken: std::collections::BTreeSet<String> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    for _round in 0..8 {
        let mut deep = Vec::new();
        collect_deep_refs(document, &mut String::new(), &mut deep);
        deep.retain(|target| !hoisted.contains_key(target));
        deep.sort();
        deep.dedup();
        if deep.is_empty() {
            break;
        }
        for target in deep {
            let Some(value) = document.pointer(&target).cloned() else { continue };
            let wanted = crate::resolve::schema_name_for(&target);
            let mut name = wanted.clone();
            let mut counter = 2;
            while taken.contains(&name) {
                name = format!("{wanted}{counter}");
                counter += 1;
            }
            taken.insert(name.clone());
            let Value::Object(root) = document else { return };
            let components = root.entry("components").or_insert_with(|| json!({}));
            if let Value::Object(components) = components {
                let schemas = components.entry("schemas").or_insert_with(|| json!({}));
                if let Value::Object(schemas) = schemas {
                    schemas.insert(name.clone(), value);
                }
            }
            hoisted.insert(target, name);
        }
        rewrite_deep_refs(document, &hoisted);
    }
}

fn is_component_ref(target: &str) -> bool {
    target
        .strip_prefix("/components/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(_, name)| !name.contains('/'))
}

fn collect_deep_refs(value: &Value, pointer: &mut String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                if let Some(target) = reference.strip_prefix('#') {
                    if target.starts_with('/') && !is_component_ref(target) && crate::resolve::is_schema_position(pointer) {
                        out.push(target.to_owned());
                    }
                }
            }
            for (key, child) in map {
                if key.starts_with("x-") || matches!(key.as_str(), "example" | "examples" | "default" | "enum") {
                    continue;
                }
                let length = pointer.len();
                push_pointer_segment(pointer, key);
                collect_deep_refs(child, pointer, out);
                pointer.truncate(length);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                let length = pointer.len();
                pointer.push_str(&format!("/{index}"));
                collect_deep_refs(child, pointer, out);
                pointer.truncate(length);
            }
        }
        _ => {}
    }
}

fn rewrite_deep_refs(value: &mut Value, hoisted: &std::collections::BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                if let Some(name) = reference.strip_prefix('#').and_then(|t| hoisted.get(t)) {
                    *reference = format!("#/components/schemas/{}", escape_pointer_segment(name));
                }
            }
            for (key, child) in map.iter_mut() {
                if !key.starts_with("x-") {
                    rewrite_deep_refs(child, hoisted);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rewrite_deep_refs(item, hoisted)),
        _ => {}
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (an empty document or `null`)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn scalar_text(value: &Value, raw: Option<&str>) -> String {
    match (raw, value) {
        (Some(raw), _) => raw.to_owned(),
        (None, Value::String(text)) => text.clone(),
        (None, other) => other.to_string(),
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer.push_str(&format!("/{}", escape_pointer_segment(key))),
            Segment::Enum { .. } | Segment::Unknown => {}
        }
    }
    pointer
}

/// Schemas nested deeper than this (counting every subschema: property, items, member...)
/// are cut off and read as any value. Reading a schema into the model takes a lot of stack per
/// level (a debug build script overflows 2 MiB near 100 levels), and every later stage
/// recurses over schemas too; the IR caps what it makes of nesting lower still.
const MAX_SCHEMA_DEPTH: usize = 40;

/// Keys whose value is a map of schemas.
const SCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
/// Keys whose value is a schema.
const SCHEMA_VALUES: &[&str] = &[
    "items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedProperties",
    "unevaluatedItems",
];
/// Keys whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "oneOf", "anyOf", "prefixItems", "items"];

/// Replaces the subschemas of `schema` (at `pointer`) nested deeper than [`MAX_SCHEMA_DEPTH`]
/// by `{}`, noting their pointers. Iterative, so that the depth of the input does not matter.
fn cap_schema_depth(schema: &mut Value, pointer: &str, truncated: &mut Vec<String>) {
    let mut stack: Vec<(&mut Value, usize, String)> = vec![(schema, 0, pointer.to_owned())];
    while let Some((node, depth, at)) = stack.pop() {
        if depth > MAX_SCHEMA_DEPTH {
            *node = json!({});
            truncated.push(at);
            continue;
        }
        let Value::Object(map) = node else { continue };
        for (key, child) in map.iter_mut() {
            let child_pointer = |suffix: &str| format!("{at}/{}{suffix}", escape_pointer_segment(key));
            let key = key.as_str();
            if SCHEMA_VALUES.contains(&key) && child.is_object() {
                stack.push((child, depth + 1, child_pointer("")));
                continue;
            }
            match child {
                Value::Object(children) if SCHEMA_MAPS.contains(&key) => {
                    for (name, grandchild) in children.iter_mut() {
                        let pointer = child_pointer(&format!("/{}", escape_pointer_segment(name)));
                        stack.push((grandchild, depth + 1, pointer));
                    }
                }
                Value::Array(children) if SCHEMA_LISTS.contains(&key) => {
                    for (index, grandchild) in children.iter_mut().enumerate() {
                        stack.push((grandchild, depth + 1, child_pointer(&format!("/{index}"))));
                    }
                }
                _ => {}
            }
        }
    }
}

/// Finds the schemas of a document: the values of `schema` keys and of `components.schemas`.
fn walk_document(value: &mut Value, pointer: &mut String, truncated: &mut Vec<String>) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for (index, item) in items.iter_mut().enumerate() {
                let length = pointer.len();
                pointer.push_str(&format!("/{index}"));
                walk_document(item, pointer, truncated);
                pointer.truncate(length);
            }
        }
        return;
    };
    for (key, child) in map.iter_mut() {
        if key.starts_with("x-") || key == "example" || key == "examples" {
            continue;
        }
        let is_schema_map = key == "schemas" && pointer == "/components";
        let length = pointer.len();
        push_pointer_segment(pointer, key);
        if key == "schema" || key == "itemSchema" {
            cap_schema_depth(child, pointer, truncated);
            normalize_schema(child);
        } else if is_schema_map {
            if let Value::Object(schemas) = child {
                for (name, schema) in schemas.iter_mut() {
                    cap_schema_depth(schema, &format!("{pointer}/{}", escape_pointer_segment(name)), truncated);
                    normalize_schema(schema);
                }
            }
        } else {
            walk_document(child, pointer, truncated);
        }
        pointer.truncate(length);
    }
}

/// Rewrites one schema, and the schemas inside it, into the 3.0 shape.
fn normalize_schema(schema: &mut Value) {
    let Value::Object(map) = schema else {
        if let Value::Bool(allowed) = schema {
            // JSON Schema boolean schemas: `true` accepts anything, `false` nothing.
            *schema = if *allowed { json!({}) } else { json!({"not": {}}) };
        }
        return;
    };
    // `required: true` on a property (a common slip) means the parent requires it.
    let mut lifted = Vec::new();
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        for (name, property) in properties.iter_mut() {
            let Some(property) = property.as_object_mut() else { continue };
            if let Some(Value::Bool(required)) = property.get("required") {
                if *required {
                    lifted.push(Value::String(name.clone()));
                }
                property.remove("required");
            }
        }
    }
    if !matches!(map.get("required"), None | Some(Value::Array(_))) {
        map.remove("required");
    }
    if !lifted.is_empty() {
        if let Value::Array(required) = map.entry("required").or_insert_with(|| Value::Array(Vec::new())) {
            for name in lifted {
                if !required.contains(&name) {
                    required.push(name);
                }
            }
        }
    }
    for key in ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            children.values_mut().for_each(normalize_schema);
        }
    }
    for key in ["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems"] {
        if let Some(child) = map.get_mut(key) {
            // `additionalProperties: true/false` means the same in 3.0; elsewhere a boolean is
            // a JSON Schema boolean schema.
            if child.is_object() || (child.is_boolean() && key != "additionalProperties") {
                normalize_schema(child);
            }
        }
    }
    for key in ["allOf", "oneOf", "anyOf", "prefixItems"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            children.iter_mut().for_each(normalize_schema);
        }
    }
    if let Some(Value::Array(_)) = map.get("items") {
        // Draft-4 tuple form: a list of schemas under `items`.
        if let Some(Value::Array(mut tuple)) = map.remove("items") {
            tuple.iter_mut().for_each(normalize_schema);
            map.insert("prefixItems".to_owned(), Value::Array(tuple));
        }
    }
    normalize_type(map);
    if let Some(patterns) = map.remove("patternProperties") {
        map.insert(EXT_PATTERN_PROPERTIES.to_owned(), patterns);
    }
    if let Some(items) = map.remove("prefixItems") {
        map.insert(EXT_PREFIX_ITEMS.to_owned(), items);
        map.entry("type").or_insert_with(|| json!("array"));
    }
    // 3.1 spells binary content with `contentEncoding` / `contentMediaType`.
    if map.get("contentEncoding").and_then(Value::as_str) == Some("base64") && !map.contains_key("format") {
        map.insert("format".to_owned(), json!("byte"));
    } else if map.contains_key("contentMediaType") && !map.contains_key("format") && map.get("type").and_then(Value::as_str) == Some("string") {
        let media = map.get("contentMediaType").and_then(Value::as_str).unwrap_or_default();
        if !media.starts_with("text/") && !media.contains("json") && !media.contains("xml") {
            map.insert("format".to_owned(), json!("binary"));
        }
    }
    if let Some(value) = map.remove("const") {
        if !map.contains_key("enum") {
            map.insert("enum".to_owned(), Value::Array(vec![value.clone()]));
        }
        map.insert(EXT_CONST.to_owned(), value);
    }
    if let Some(Value::Array(examples)) = map.remove("examples") {
        if let (false, Some(first)) = (map.contains_key("example"), examples.into_iter().next()) {
            map.insert("example".to_owned(), first);
        }
    }
    for (bound, exclusive) in [("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")] {
        if let Some(Value::Number(limit)) = map.get(exclusive).cloned() {
            map.insert(bound.to_owned(), Value::Number(limit));
            map.insert(exclusive.to_owned(), Value::Bool(true));
        }
    }
    if map.contains_key("$ref") && map.keys().any(|k| !matches!(k.as_str(), "$ref" | "description" | "summary") && !k.starts_with("x-")) {
        // 3.1 allows siblings beside `$ref`; the 3.0 model reads them through `allOf`.
        if let Some(reference) = map.remove("$ref") {
            let mut wrapped = Map::new();
            wrapped.insert("$ref".to_owned(), reference);
            let all_of = map.entry("allOf").or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(members) = all_of {
                members.insert(0, Value::Object(wrapped));
            }
        }
    }
}

fn normalize_type(map: &mut Map<String, Value>) {
    match map.get("type") {
        Some(Value::Array(types)) => {
            let mut names: Vec<String> = types.iter().filter_map(Value::as_str).map(str::to_owned).collect();
            let nullable = names.iter().any(|t| t == "null");
            names.retain(|t| t != "null");
            if nullable {
                map.insert("nullable".to_owned(), Value::Bool(true));
            }
            match names.as_slice() {
                [] => {
                    map.remove("type");
                    if nullable {
                        map.insert(EXT_NULL.to_owned(), Value::Bool(true));
                    }
                }
                [one] => {
                    map.insert("type".to_owned(), Value::String(one.clone()));
                }
                _ => {
                    map.remove("type");
                    map.insert(EXT_TYPES.to_owned(), json!(names));
                }
            }
        }
        Some(Value::String(name)) if name == "null" => {
            map.remove("type");
            map.insert("nullable".to_owned(), Value::Bool(true));
            map.insert(EXT_NULL.to_owned(), Value::Bool(true));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_arrays_become_nullable_types() {
        let mut schema = json!({"type": ["string", "null"], "properties": {"a": {"type": ["integer", "string"]}}});
        normalize_schema(&mut schema);
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["nullable"], true);
        assert_eq!(schema["properties"]["a"][EXT_TYPES], json!(["integer", "string"]));
        assert!(schema["properties"]["a"].get("type").is_none());
    }

    #[test]
    fn required_true_on_a_property_moves_to_the_parent() {
        let mut schema = json!({"properties": {"a": {"type": "string", "required": true}, "b": {"type": "object", "required": ["c"]}}});
        normalize_schema(&mut schema);
        assert_eq!(schema["required"], json!(["a"]));
        assert!(schema["properties"]["a"].get("required").is_none());
        assert_eq!(schema["properties"]["b"]["required"], json!(["c"]), "a list of names stays");
    }

    #[test]
    fn const_exclusive_bounds_and_ref_siblings() {
        let mut schema = json!({"const": "on", "exclusiveMinimum": 3});
        normalize_schema(&mut schema);
        assert_eq!(schema, json!({"enum": ["on"], EXT_CONST: "on", "minimum": 3, "exclusiveMinimum": true}));

        let mut schema = json!({"$ref": "#/components/schemas/A", "nullable": true, "description": "d"});
        normalize_schema(&mut schema);
        assert_eq!(schema, json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true, "description": "d"}));
    }

    #[test]
    fn failed_deserializations_are_repaired_or_left_out_at_their_place() {
        // The first, untracked read fails on both: the tracked one repairs the version (its text
        // is kept) and places the bad parameter.
        let spec = r#"{"openapi": "3.0.3", "info": {"title": "t", "version": 2},
            "paths": {"/a": {"get": {"parameters": [{"name": "p", "in": "query", "schema": {"type": "string"}}, {"name": "q", "in": "query", "style": 7}],
                "responses": {"200": {}}}}}}"#;
        let loader = crate::MemoryLoader::new().with("spec.json", spec);
        let bundle = crate::resolve::resolve(&loader, "spec.json").map(|(bundle, _)| bundle);
        let Ok(bundle) = bundle else { panic!("the spec does not load") };
        let Ok((normalized, warnings)) = normalize(&bundle) else { panic!("the spec does not normalize") };
        assert_eq!(normalized.api.info.version, "2");
        let operation = normalized.api.paths.paths.get("/a").and_then(|item| item.as_item()).and_then(|item| item.get.as_ref());
        assert_eq!(operation.map(|op| op.parameters.len()), Some(1), "the bad parameter is left out, the good one kept");
        let placed: Vec<(String, String)> = warnings
            .warnings()
            .map(|w| (w.message.clone(), w.location.as_ref().map(|l| l.pointer.clone()).unwrap_or_default()))
            .collect();
        assert!(placed.iter().any(|(m, p)| m.starts_with("the parameter is left out: unknown variant `7`") && p == "/paths/~1a/get/parameters/1"), "{placed:?}");
    }

    #[test]
    fn taking_the_bundle_data_normalizes_as_copying_it_does() {
        let spec = "openapi: 3.0.3\ninfo: {title: t, version: 1.10}\npaths:\n  /a:\n    get:\n      responses: {'200': {}}\n";
        let loader = crate::MemoryLoader::new().with("spec.yaml", spec);
        let Ok((mut bundle, _)) = crate::resolve::resolve(&loader, "spec.yaml") else { panic!("the spec does not load") };
        let copied = normalize(&bundle).map(|(n, w)| (serde_json::to_value(&n.api).ok(), w.to_string()));
        let taken = normalize_taking(&mut bundle).map(|(n, w)| (serde_json::to_value(&n.api).ok(), w.to_string()));
        assert!(copied.as_ref().is_ok_and(|(api, _)| api.as_ref().is_some_and(|api| api["info"]["version"] == "1.10")));
        assert_eq!(taken.ok(), copied.ok());
        assert_eq!(bundle.value, Value::Null, "the data was moved, not copied");
        assert_eq!(bundle.locate("/paths/~1a/get").map(|l| l.line), Some(5), "what is left still locates");
    }
}
