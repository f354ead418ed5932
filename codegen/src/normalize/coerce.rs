//! Scalars of the wrong type where the spec's meaning is still clear: `version: 1.10` (a YAML
//! number where a string belongs), `required: "true"`, `maxLength: "64"`. Fixed by field name,
//! before the model sees them, so that each fix names its exact place.

use serde_json::{Number, Value};

use crate::diagnostic::push_pointer_segment;

/// Fields whose value is a string in every OpenAPI object that has them.
const STRING_FIELDS: &[&str] = &[
    "description", "summary", "title", "operationId", "format", "pattern", "version", "url",
    "termsOfService", "email", "bearerFormat", "tokenUrl", "authorizationUrl", "refreshUrl",
    "openIdConnectUrl", "propertyName", "contentType", "scheme", "name", "in", "style", "$ref",
];

/// Fields whose value is a boolean.
const BOOL_FIELDS: &[&str] = &[
    "required", "deprecated", "nullable", "readOnly", "writeOnly", "explode", "allowReserved",
    "allowEmptyValue", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum",
];

/// Fields whose value is a number.
const NUMBER_FIELDS: &[&str] = &[
    "minimum", "maximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems",
    "minProperties", "maxProperties",
];

/// One fix: the pointer, and a warning unless it was a YAML-ism that needs none.
pub(crate) struct Coercion {
    pub(crate) pointer: String,
    pub(crate) warning: Option<String>,
}

/// Fixes scalars in place. `raw` gives the source text of plain YAML scalars at a pointer.
pub(crate) fn coerce(value: &mut Value, raw: &dyn Fn(&str) -> Option<String>) -> Vec<Coercion> {
    let mut out = Vec::new();
    walk(value, &mut String::new(), raw, &mut out);
    out
}

fn walk(value: &mut Value, pointer: &mut String, raw: &dyn Fn(&str) -> Option<String>, out: &mut Vec<Coercion>) {
    match value {
        Value::Object(map) => {
            // Server variables are strings through and through, `default` and `enum` included.
            let server_variable = pointer.rsplit('/').nth(1) == Some("variables");
            if server_variable {
                for key in ["default", "enum"] {
                    let field_pointer = format!("{pointer}/{key}");
                    match map.get_mut(key) {
                        Some(Value::Array(items)) => {
                            for (index, item) in items.iter_mut().enumerate() {
                                if let Some(coercion) = stringify(item, &format!("{field_pointer}/{index}"), raw) {
                                    out.push(coercion);
                                }
                            }
                        }
                        Some(item) => {
                            if let Some(coercion) = stringify(item, &field_pointer, raw) {
                                out.push(coercion);
                            }
                        }
                        None => {}
                    }
                }
            }
            if map.get("type").and_then(Value::as_str) == Some("integer") {
                integer_bounds(map, pointer, out);
            }
            for (key, child) in map.iter_mut() {
                if key.starts_with("x-") || matches!(key.as_str(), "example" | "examples" | "default" | "enum" | "const") {
                    continue;
                }
                let length = pointer.len();
                push_pointer_segment(pointer, key);
                if let Some(coercion) = fix(key, child, pointer, raw) {
                    out.push(coercion);
                } else {
                    walk(child, pointer, raw, out);
                }
                pointer.truncate(length);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                let length = pointer.len();
                pointer.push_str(&format!("/{index}"));
                walk(child, pointer, raw, out);
                pointer.truncate(length);
            }
        }
        _ => {}
    }
}

/// The model keeps an integer schema's bounds as 64-bit signed integers: a bound past that
/// range (Kinto's `maximum: 9223372036854775808`) or a fractional one would make the whole
/// schema unreadable, so it is clamped or rounded into range, with a warning.
fn integer_bounds(map: &mut serde_json::Map<String, Value>, pointer: &str, out: &mut Vec<Coercion>) {
    for key in ["minimum", "maximum", "multipleOf"] {
        let Some(Value::Number(number)) = map.get(key) else { continue };
        if number.is_i64() {
            continue;
        }
        let original = number.to_string();
        let value = number.as_f64().unwrap_or(f64::NAN);
        let exact = value.fract() == 0.0 && value.abs() < 9.2e18;
        let adjusted = match key {
            _ if exact => Some(value as i64),
            "minimum" if value.is_finite() => Some(value.ceil().clamp(i64::MIN as f64, i64::MAX as f64) as i64),
            "maximum" if value.is_finite() => Some(value.floor().clamp(i64::MIN as f64, i64::MAX as f64) as i64),
            _ => None,
        };
        let field_pointer = format!("{pointer}/{key}");
        let warning = match adjusted {
            Some(_) if exact => None,
            Some(adjusted) => Some(format!("`{key}` {original} does not fit an integer schema's 64-bit bound; using {adjusted}")),
            None => Some(format!("`{key}` {original} does not fit an integer schema; ignoring it")),
        };
        match adjusted {
            Some(adjusted) => map.insert(key.to_owned(), Value::Number(Number::from(adjusted))),
            None => map.remove(key),
        };
        out.push(Coercion { pointer: field_pointer, warning });
    }
}

fn stringify(value: &mut Value, pointer: &str, raw: &dyn Fn(&str) -> Option<String>) -> Option<Coercion> {
    if !matches!(value, Value::Number(_) | Value::Bool(_)) {
        return None;
    }
    let source = raw(pointer);
    let warning = source.is_none().then(|| format!("expected a string, found `{value}`; using its text"));
    *value = Value::String(source.unwrap_or_else(|| value.to_string()));
    Some(Coercion { pointer: pointer.to_owned(), warning })
}

fn fix(key: &str, value: &mut Value, pointer: &str, raw: &dyn Fn(&str) -> Option<String>) -> Option<Coercion> {
    let field = key;
    if STRING_FIELDS.contains(&field) {
        return stringify(value, pointer, raw);
    }
    if BOOL_FIELDS.contains(&field) {
        if let Value::String(text) = value {
            let flag = text.eq_ignore_ascii_case("true");
            let warning = format!("`{field}` should be a boolean, found \"{text}\"; reading it as {flag}");
            *value = Value::Bool(flag);
            return Some(Coercion { pointer: pointer.to_owned(), warning: Some(warning) });
        }
    }
    if NUMBER_FIELDS.contains(&field) {
        if let Value::String(text) = value {
            let number = text.trim().parse::<u64>().ok().map(Number::from).or_else(|| text.trim().parse::<f64>().ok().and_then(Number::from_f64));
            let warning = match &number {
                Some(_) => format!("`{field}` should be a number, found \"{text}\"; reading it as a number"),
                None => format!("`{field}` should be a number, found \"{text}\"; ignoring it"),
            };
            let pointer = pointer.to_owned();
            match number {
                Some(number) => *value = Value::Number(number),
                None => *value = Value::Null,
            }
            return Some(Coercion { pointer, warning: Some(warning) });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fixes_by_field_name_and_leaves_data_alone() {
        let mut doc = json!({
            "info": {"version": 1.1, "title": "t"},
            "paths": {"/a": {"get": {"parameters": [{"name": "n", "in": "query", "required": "true", "schema": {"maxLength": "64"}}]}}},
            "components": {"schemas": {"A": {"properties": {"name": {"type": "string"}}, "example": {"version": 2}}}}
        });
        let raw = |pointer: &str| (pointer == "/info/version").then(|| "1.10".to_owned());
        let fixes = coerce(&mut doc, &raw);
        assert_eq!(doc["info"]["version"], "1.10");
        assert_eq!(doc["paths"]["/a"]["get"]["parameters"][0]["required"], true);
        assert_eq!(doc["paths"]["/a"]["get"]["parameters"][0]["schema"]["maxLength"], 64);
        assert_eq!(doc["components"]["schemas"]["A"]["example"]["version"], 2);
        let pointers: Vec<&str> = fixes.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/info/version", "/paths/~1a/get/parameters/0/required", "/paths/~1a/get/parameters/0/schema/maxLength"]);
        assert!(fixes[0].warning.is_none(), "a YAML number where a string belongs needs no warning");
    }

    #[test]
    fn integer_bounds_are_brought_into_range() {
        let mut doc = json!({"schema": {"type": "integer", "minimum": 0.5, "maximum": 9223372036854775808u64, "multipleOf": 2.5}});
        let fixes = coerce(&mut doc, &|_| None);
        assert_eq!(doc["schema"], json!({"type": "integer", "minimum": 1, "maximum": i64::MAX}));
        let warnings: Vec<&str> = fixes.iter().filter_map(|f| f.warning.as_deref()).collect();
        assert_eq!(
            warnings,
            [
                "`minimum` 0.5 does not fit an integer schema's 64-bit bound; using 1",
                "`maximum` 9223372036854775808 does not fit an integer schema's 64-bit bound; using 9223372036854775807",
                "`multipleOf` 2.5 does not fit an integer schema; ignoring it",
            ]
        );
    }
}
