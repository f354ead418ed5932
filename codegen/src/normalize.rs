//! Stage 3: bring every supported version into one document model, `openapiv3::OpenAPI`.
//!
//! OpenAPI 3.1/3.2 schema shapes that the 3.0 model has no field for are rewritten into their
//! 3.0 equivalent where one exists (`type: [T, "null"]` → `type: T, nullable: true`), and carried
//! in `x-specwright-*` extensions otherwise, for the IR to read back.

use serde_json::{Map, Value, json};

use crate::diagnostic::{Diagnostic, Diagnostics, escape_pointer_segment};
use crate::resolve::Bundle;

/// Extension carrying the types of a multi-type 3.1 schema (`type: [string, integer]`).
pub const EXT_TYPES: &str = "x-specwright-types";
/// Extension marking a schema whose only type is `null`.
pub const EXT_NULL: &str = "x-specwright-null";
/// Extension carrying a 3.1 `const`.
pub const EXT_CONST: &str = "x-specwright-const";

/// How many type mismatches we repair before giving up.
const MAX_REPAIRS: usize = 1000;

/// The spec version a document was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecVersion {
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

/// Normalizes a bundle. Warnings come back beside the document; errors instead of it.
pub fn normalize(bundle: &Bundle) -> Result<(Normalized, Diagnostics), Diagnostics> {
    let mut diagnostics = Diagnostics::default();
    let mut value = bundle.value.clone();
    let Value::Object(root) = &mut value else {
        diagnostics.push(
            Diagnostic::error(
                format!("this is not an OpenAPI document: expected a mapping at the top level, found {}", kind_of(&value)),
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
        (None, Some(_)) => {
            diagnostics.push(
                Diagnostic::error("Swagger 2.0 documents are not supported yet", bundle.locate("/swagger"))
                    .with_help("convert the document to OpenAPI 3 first"),
            );
            return Err(diagnostics);
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
    root.insert("openapi".to_owned(), Value::String(scalar_text(&root["openapi"], bundle.raw_scalar("/openapi"))));
    if !root.contains_key("info") {
        diagnostics.push(Diagnostic::warning("the document has no `info`; using an empty one", bundle.locate("")));
        root.insert("info".to_owned(), json!({"title": "API", "version": ""}));
    }
    if !root.get("paths").is_some_and(Value::is_object) {
        root.insert("paths".to_owned(), json!({}));
    }
    walk_document(&mut value, &mut String::new());

    let mut repairs = 0;
    loop {
        match serde_path_to_error::deserialize::<_, openapiv3::OpenAPI>(&value) {
            Ok(api) => return Ok((Normalized { api, version }, diagnostics)),
            Err(error) => {
                let pointer = path_to_pointer(error.path());
                let message = error.inner().to_string();
                if repairs < MAX_REPAIRS && message.contains("expected a string") {
                    if let Some(node) = value.pointer_mut(&pointer) {
                        if matches!(node, Value::Number(_) | Value::Bool(_)) {
                            let raw = bundle.raw_scalar(&pointer);
                            if raw.is_none() {
                                diagnostics.push(Diagnostic::warning(
                                    format!("expected a string, found {}; using its text", kind_of(node)),
                                    bundle.locate(&pointer),
                                ));
                            }
                            *node = Value::String(scalar_text(node, raw));
                            repairs += 1;
                            continue;
                        }
                    }
                }
                diagnostics.push(Diagnostic::error(
                    format!("invalid OpenAPI document: {message}"),
                    bundle.locate(&pointer),
                ));
                return Err(diagnostics);
            }
        }
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

/// Finds the schemas of a document: the values of `schema` keys and of `components.schemas`.
fn walk_document(value: &mut Value, pointer: &mut String) {
    let Value::Object(map) = value else {
        if let Value::Array(items) = value {
            for item in items {
                walk_document(item, pointer);
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
        pointer.push('/');
        pointer.push_str(key);
        if key == "schema" {
            normalize_schema(child);
        } else if is_schema_map {
            if let Value::Object(schemas) = child {
                for schema in schemas.values_mut() {
                    normalize_schema(schema);
                }
            }
        } else {
            walk_document(child, pointer);
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
    for key in ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            children.values_mut().for_each(normalize_schema);
        }
    }
    for key in ["items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems"] {
        if let Some(child) = map.get_mut(key) {
            if child.is_object() {
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
    fn const_exclusive_bounds_and_ref_siblings() {
        let mut schema = json!({"const": "on", "exclusiveMinimum": 3});
        normalize_schema(&mut schema);
        assert_eq!(schema, json!({"enum": ["on"], EXT_CONST: "on", "minimum": 3, "exclusiveMinimum": true}));

        let mut schema = json!({"$ref": "#/components/schemas/A", "nullable": true, "description": "d"});
        normalize_schema(&mut schema);
        assert_eq!(schema, json!({"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true, "description": "d"}));
    }
}
