//! Swagger 2.0 → OpenAPI 3.0, on the JSON value: servers from `host`/`basePath`/`schemes`,
//! `definitions`/`parameters`/`responses`/`securityDefinitions` into `components`, body and
//! `formData` parameters into request bodies with the operation's `consumes`, response schemas
//! into content with its `produces`, `collectionFormat` into `style`/`explode`, `x-nullable`
//! into `nullable`, `type: file` into binary strings.

use serde_json::{Map, Value, json};

use crate::diagnostic::{Diagnostic, Diagnostics};

/// Keys of a Swagger 2.0 parameter that belong in an OpenAPI 3 parameter's `schema`.
const SCHEMA_KEYS: &[&str] = &[
    "type", "format", "items", "enum", "default", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
    "multipleOf",
];

/// Converts a Swagger 2.0 document. `locate` turns a pointer of the *original* document into
/// a location, for warnings.
pub(crate) fn convert(
    root: &Map<String, Value>,
    diagnostics: &mut Diagnostics,
    locate: &dyn Fn(&str) -> Option<crate::diagnostic::Location>,
) -> Value {
    let global_consumes = media_list(root.get("consumes"));
    let global_produces = media_list(root.get("produces"));
    let parameters = root.get("parameters").and_then(Value::as_object).cloned().unwrap_or_default();
    let context = Context { parameters: &parameters, global_consumes, global_produces };

    let mut out = Map::new();
    out.insert("openapi".into(), json!("3.0.3"));
    for (key, value) in root {
        match key.as_str() {
            "swagger" | "host" | "basePath" | "schemes" | "consumes" | "produces" | "definitions"
            | "parameters" | "responses" | "securityDefinitions" | "paths" => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    out.insert("servers".into(), Value::Array(servers(root)));

    let mut components = Map::new();
    if let Some(Value::Object(definitions)) = root.get("definitions") {
        let schemas = definitions.iter().map(|(name, schema)| (name.clone(), convert_schema(schema))).collect();
        components.insert("schemas".into(), Value::Object(schemas));
    }
    let mut component_parameters = Map::new();
    let mut request_bodies = Map::new();
    for (name, parameter) in &parameters {
        match parameter.get("in").and_then(Value::as_str) {
            Some("body") => {
                request_bodies.insert(name.clone(), body_from(parameter, &context.global_consumes));
            }
            // Form fields are merged into each operation's body where they are used.
            Some("formData") => {}
            _ => {
                component_parameters.insert(name.clone(), convert_parameter(parameter));
            }
        }
    }
    if !component_parameters.is_empty() {
        components.insert("parameters".into(), Value::Object(component_parameters));
    }
    if !request_bodies.is_empty() {
        components.insert("requestBodies".into(), Value::Object(request_bodies));
    }
    if let Some(Value::Object(responses)) = root.get("responses") {
        let converted = responses
            .iter()
            .map(|(name, response)| (name.clone(), convert_response(response, &context.global_produces)))
            .collect();
        components.insert("responses".into(), Value::Object(converted));
    }
    if let Some(Value::Object(schemes)) = root.get("securityDefinitions") {
        let converted = schemes
            .iter()
            .map(|(name, scheme)| {
                let pointer = format!("/securityDefinitions/{}", crate::diagnostic::escape_pointer_segment(name));
                (name.clone(), convert_security_scheme(scheme, diagnostics, &|| locate(&pointer)))
            })
            .collect();
        components.insert("securitySchemes".into(), Value::Object(converted));
    }
    out.insert("components".into(), Value::Object(components));

    let mut paths = Map::new();
    if let Some(Value::Object(items)) = root.get("paths") {
        for (path, item) in items {
            paths.insert(path.clone(), convert_path_item(item, &context));
        }
    }
    out.insert("paths".into(), Value::Object(paths));
    let mut converted = Value::Object(out);
    rewrite_refs(&mut converted, &parameters);
    converted
}

struct Context<'a> {
    parameters: &'a Map<String, Value>,
    global_consumes: Vec<String>,
    global_produces: Vec<String>,
}

fn media_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

fn servers(root: &Map<String, Value>) -> Vec<Value> {
    let base_path = root.get("basePath").and_then(Value::as_str).unwrap_or("");
    let base_path = base_path.trim_end_matches('/');
    let Some(host) = root.get("host").and_then(Value::as_str).filter(|h| !h.is_empty()) else {
        return vec![json!({"url": if base_path.is_empty() { "/" } else { base_path }})];
    };
    let mut schemes = media_list(root.get("schemes"));
    if schemes.is_empty() {
        schemes.push("https".to_owned());
    }
    schemes
        .iter()
        .filter(|s| matches!(s.as_str(), "http" | "https"))
        .map(|scheme| json!({"url": format!("{scheme}://{host}{base_path}")}))
        .collect()
}

fn convert_path_item(item: &Value, context: &Context<'_>) -> Value {
    let Value::Object(item) = item else { return item.clone() };
    let mut out = Map::new();
    let shared: Vec<Value> = item.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let (shared_plain, shared_body) = split_parameters(&shared, context);
    for (key, value) in item {
        match key.as_str() {
            "get" | "put" | "post" | "delete" | "options" | "head" | "patch" => {
                out.insert(key.clone(), convert_operation(value, &shared_body, context));
            }
            "parameters" => {
                if !shared_plain.is_empty() {
                    out.insert(key.clone(), Value::Array(shared_plain.clone()));
                }
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// Splits parameters into plain ones (path, query, header) and body/form ones, resolving
/// references to global parameters to tell which is which.
fn split_parameters(parameters: &[Value], context: &Context<'_>) -> (Vec<Value>, Vec<Value>) {
    let mut plain = Vec::new();
    let mut body = Vec::new();
    for parameter in parameters {
        let resolved = match parameter.get("$ref").and_then(Value::as_str) {
            Some(reference) => reference
                .strip_prefix("#/parameters/")
                .and_then(|name| context.parameters.get(&crate::diagnostic::unescape_pointer_segment(name))),
            None => Some(parameter),
        };
        match resolved.and_then(|p| p.get("in")).and_then(Value::as_str) {
            Some("body" | "formData") => body.push(resolved.cloned().unwrap_or_default()),
            _ if parameter.get("$ref").is_some() => plain.push(parameter.clone()),
            _ => plain.push(convert_parameter(parameter)),
        }
    }
    (plain, body)
}

fn convert_operation(operation: &Value, shared_body: &[Value], context: &Context<'_>) -> Value {
    let Value::Object(operation) = operation else { return operation.clone() };
    let consumes = match operation.get("consumes") {
        Some(value) => media_list(Some(value)),
        None => context.global_consumes.clone(),
    };
    let produces = match operation.get("produces") {
        Some(value) => media_list(Some(value)),
        None => context.global_produces.clone(),
    };
    let own: Vec<Value> = operation.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    let (plain, own_body) = split_parameters(&own, context);
    // Operation parameters override path-level ones with the same name.
    let mut body_params: Vec<Value> = shared_body
        .iter()
        .filter(|shared| !own_body.iter().any(|o| o.get("name") == shared.get("name") && o.get("in") == shared.get("in")))
        .cloned()
        .collect();
    body_params.extend(own_body);

    let mut out = Map::new();
    for (key, value) in operation {
        match key.as_str() {
            "consumes" | "produces" | "schemes" => {}
            "parameters" => {
                if !plain.is_empty() {
                    out.insert(key.clone(), Value::Array(plain.clone()));
                }
            }
            "responses" => {
                let responses = match value {
                    Value::Object(responses) => Value::Object(
                        responses.iter().map(|(code, r)| (code.clone(), convert_response(r, &produces))).collect(),
                    ),
                    other => other.clone(),
                };
                out.insert(key.clone(), responses);
            }
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if let Some(body) = body_params.iter().find(|p| p.get("in").and_then(Value::as_str) == Some("body")) {
        out.insert("requestBody".into(), body_from(body, &consumes));
    } else {
        let form: Vec<&Value> = body_params.iter().filter(|p| p.get("in").and_then(Value::as_str) == Some("formData")).collect();
        if !form.is_empty() {
            out.insert("requestBody".into(), form_body(&form, &consumes));
        }
    }
    Value::Object(out)
}

fn body_from(parameter: &Value, consumes: &[String]) -> Value {
    let schema = parameter.get("schema").map(convert_schema).unwrap_or_else(|| json!({}));
    let media_types: Vec<String> = if consumes.is_empty() {
        vec!["application/json".to_owned()]
    } else {
        consumes.iter().filter(|m| !is_form(m)).cloned().collect::<Vec<_>>()
    };
    let media_types = if media_types.is_empty() { vec!["application/json".to_owned()] } else { media_types };
    let content: Map<String, Value> =
        media_types.into_iter().map(|media| (media, json!({"schema": schema.clone()}))).collect();
    let mut body = Map::new();
    if let Some(description) = parameter.get("description") {
        body.insert("description".into(), description.clone());
    }
    body.insert("content".into(), Value::Object(content));
    if parameter.get("required").and_then(Value::as_bool) == Some(true) {
        body.insert("required".into(), json!(true));
    }
    copy_extensions(parameter, &mut body);
    Value::Object(body)
}

fn is_form(media: &str) -> bool {
    media.starts_with("multipart/form-data") || media.starts_with("application/x-www-form-urlencoded")
}

fn form_body(fields: &[&Value], consumes: &[String]) -> Value {
    let has_file = fields.iter().any(|f| f.get("type").and_then(Value::as_str) == Some("file"));
    let media = if has_file || consumes.iter().any(|m| m.starts_with("multipart/form-data")) {
        "multipart/form-data"
    } else {
        "application/x-www-form-urlencoded"
    };
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in fields {
        let Some(name) = field.get("name").and_then(Value::as_str) else { continue };
        let mut schema = parameter_schema(field);
        if let (Some(description), Value::Object(map)) = (field.get("description"), &mut schema) {
            map.insert("description".into(), description.clone());
        }
        properties.insert(name.to_owned(), schema);
        if field.get("required").and_then(Value::as_bool) == Some(true) {
            required.push(json!(name));
        }
    }
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        schema.insert("required".into(), Value::Array(required.clone()));
    }
    json!({
        "content": {media: {"schema": Value::Object(schema)}},
        "required": !required.is_empty(),
    })
}

/// The schema of a non-body parameter, from its inline type keywords.
fn parameter_schema(parameter: &Value) -> Value {
    let mut schema = Map::new();
    if let Value::Object(parameter) = parameter {
        for key in SCHEMA_KEYS {
            if let Some(value) = parameter.get(*key) {
                let value = match *key {
                    "items" => convert_schema(&items_schema(value)),
                    _ => value.clone(),
                };
                schema.insert((*key).to_owned(), value);
            }
        }
    }
    convert_schema(&Value::Object(schema))
}

/// Swagger 2.0 `items` of a parameter can nest `collectionFormat`; it has no meaning in a schema.
fn items_schema(items: &Value) -> Value {
    match items {
        Value::Object(map) => {
            let mut map = map.clone();
            map.remove("collectionFormat");
            if let Some(inner) = map.get("items").cloned() {
                map.insert("items".into(), items_schema(&inner));
            }
            Value::Object(map)
        }
        other => other.clone(),
    }
}

fn convert_parameter(parameter: &Value) -> Value {
    let Value::Object(map) = parameter else { return parameter.clone() };
    if map.contains_key("$ref") {
        return parameter.clone();
    }
    let mut out = Map::new();
    for (key, value) in map {
        if SCHEMA_KEYS.contains(&key.as_str()) || key == "collectionFormat" || key == "allowEmptyValue" {
            continue;
        }
        out.insert(key.clone(), value.clone());
    }
    out.insert("schema".into(), parameter_schema(parameter));
    let location = map.get("in").and_then(Value::as_str).unwrap_or("query");
    let array = map.get("type").and_then(Value::as_str) == Some("array");
    if array {
        let format = map.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
        let (style, explode) = match (format, location) {
            ("multi", _) => ("form", true),
            ("ssv", "query") => ("spaceDelimited", false),
            ("pipes", "query") => ("pipeDelimited", false),
            (_, "query") => ("form", false),
            _ => ("simple", false),
        };
        out.insert("style".into(), json!(style));
        out.insert("explode".into(), json!(explode));
    }
    if location == "query" && map.get("allowEmptyValue").and_then(Value::as_bool) == Some(true) {
        out.insert("allowEmptyValue".into(), json!(true));
    }
    Value::Object(out)
}

fn convert_response(response: &Value, produces: &[String]) -> Value {
    let Value::Object(map) = response else { return response.clone() };
    if map.contains_key("$ref") {
        return response.clone();
    }
    let mut out = Map::new();
    out.insert(
        "description".into(),
        map.get("description").cloned().unwrap_or_else(|| json!("")),
    );
    if let Some(schema) = map.get("schema") {
        let schema = convert_schema(schema);
        let media_types = if produces.is_empty() { vec!["application/json".to_owned()] } else { produces.to_vec() };
        let content: Map<String, Value> =
            media_types.into_iter().map(|media| (media, json!({"schema": schema.clone()}))).collect();
        out.insert("content".into(), Value::Object(content));
    }
    if let Some(Value::Object(headers)) = map.get("headers") {
        let converted: Map<String, Value> = headers
            .iter()
            .map(|(name, header)| {
                let mut converted = Map::new();
                if let Some(description) = header.get("description") {
                    converted.insert("description".into(), description.clone());
                }
                converted.insert("schema".into(), parameter_schema(header));
                (name.clone(), Value::Object(converted))
            })
            .collect();
        out.insert("headers".into(), Value::Object(converted));
    }
    copy_extensions(response, &mut out);
    Value::Object(out)
}

fn convert_security_scheme(
    scheme: &Value,
    diagnostics: &mut Diagnostics,
    locate: &dyn Fn() -> Option<crate::diagnostic::Location>,
) -> Value {
    let Value::Object(map) = scheme else { return scheme.clone() };
    let description = map.get("description").cloned();
    let mut out = match map.get("type").and_then(Value::as_str) {
        Some("basic") => json!({"type": "http", "scheme": "basic"}),
        Some("apiKey") => json!({"type": "apiKey", "name": map.get("name").cloned().unwrap_or(json!("")), "in": map.get("in").cloned().unwrap_or(json!("header"))}),
        Some("oauth2") => {
            let scopes = map.get("scopes").cloned().unwrap_or_else(|| json!({}));
            let mut flow = Map::new();
            if let Some(url) = map.get("authorizationUrl") {
                flow.insert("authorizationUrl".into(), url.clone());
            }
            if let Some(url) = map.get("tokenUrl") {
                flow.insert("tokenUrl".into(), url.clone());
            }
            flow.insert("scopes".into(), scopes);
            let name = match map.get("flow").and_then(Value::as_str) {
                Some("implicit") => "implicit",
                Some("password") => "password",
                Some("application") => "clientCredentials",
                _ => "authorizationCode",
            };
            json!({"type": "oauth2", "flows": {name: Value::Object(flow)}})
        }
        other => {
            diagnostics.push(Diagnostic::warning(
                format!("unknown security scheme type {other:?}; treating it as an API key header"),
                locate(),
            ));
            json!({"type": "apiKey", "name": "Authorization", "in": "header"})
        }
    };
    if let (Some(description), Value::Object(out)) = (description, &mut out) {
        out.insert("description".into(), description);
    }
    out
}

/// Swagger 2.0 schema quirks: `x-nullable`, `type: file`, a string `discriminator`.
pub(crate) fn convert_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let converted = match key.as_str() {
                    "properties" | "patternProperties" => match value {
                        Value::Object(children) => Value::Object(
                            children.iter().map(|(name, child)| (name.clone(), convert_schema(child))).collect(),
                        ),
                        other => other.clone(),
                    },
                    "items" | "additionalProperties" | "not" => convert_schema(value),
                    "allOf" | "oneOf" | "anyOf" => match value {
                        Value::Array(children) => Value::Array(children.iter().map(convert_schema).collect()),
                        other => other.clone(),
                    },
                    "x-nullable" => {
                        out.insert("nullable".into(), value.clone());
                        continue;
                    }
                    "type" if value == "file" => {
                        out.insert("format".into(), json!("binary"));
                        json!("string")
                    }
                    "discriminator" => match value {
                        Value::String(property) => json!({"propertyName": property}),
                        other => other.clone(),
                    },
                    _ => value.clone(),
                };
                out.insert(key.clone(), converted);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

fn copy_extensions(from: &Value, to: &mut Map<String, Value>) {
    if let Value::Object(map) = from {
        for (key, value) in map.iter().filter(|(k, _)| k.starts_with("x-")) {
            to.insert(key.clone(), value.clone());
        }
    }
}

/// Points references at the OpenAPI 3 sections.
fn rewrite_refs(value: &mut Value, parameters: &Map<String, Value>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get_mut("$ref") {
                if let Some(rest) = reference.strip_prefix("#/definitions/") {
                    *reference = format!("#/components/schemas/{rest}");
                } else if let Some(rest) = reference.strip_prefix("#/parameters/") {
                    let name = crate::diagnostic::unescape_pointer_segment(rest);
                    let is_body = parameters.get(&name).and_then(|p| p.get("in")).and_then(Value::as_str) == Some("body");
                    let section = if is_body { "requestBodies" } else { "parameters" };
                    *reference = format!("#/components/{section}/{rest}");
                } else if let Some(rest) = reference.strip_prefix("#/responses/") {
                    *reference = format!("#/components/responses/{rest}");
                }
            }
            for child in map.values_mut() {
                rewrite_refs(child, parameters);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rewrite_refs(item, parameters)),
        _ => {}
    }
}

/// The pointer in the original Swagger 2.0 document for a pointer of the converted one.
pub(crate) fn original_pointer(pointer: &str) -> String {
    let mut pointer = pointer.to_owned();
    for (from, to) in [
        ("/components/schemas", "/definitions"),
        ("/components/parameters", "/parameters"),
        ("/components/requestBodies", "/parameters"),
        ("/components/responses", "/responses"),
        ("/components/securitySchemes", "/securityDefinitions"),
    ] {
        if let Some(rest) = pointer.strip_prefix(from) {
            pointer = format!("{to}{rest}");
            break;
        }
    }
    // `.../content/<media type>/schema` was `.../schema`.
    if let Some(index) = pointer.find("/content/") {
        let after = &pointer[index + "/content/".len()..];
        let rest = after.find('/').map(|i| &after[i..]).unwrap_or("");
        pointer = format!("{}{rest}", &pointer[..index]);
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn converted(spec: Value) -> Value {
        let Value::Object(root) = spec else { return Value::Null };
        convert(&root, &mut Diagnostics::default(), &|_| None)
    }

    #[test]
    fn servers_components_and_refs() {
        let out = converted(json!({
            "swagger": "2.0",
            "host": "api.example.com",
            "basePath": "/v1/",
            "schemes": ["http", "https"],
            "definitions": {"Pet": {"type": "object", "properties": {"tag": {"type": "string", "x-nullable": true}}}},
            "parameters": {"PetBody": {"in": "body", "name": "pet", "required": true, "schema": {"$ref": "#/definitions/Pet"}},
                           "Limit": {"in": "query", "name": "limit", "type": "integer"}},
            "securityDefinitions": {"basic": {"type": "basic"}, "key": {"type": "apiKey", "in": "query", "name": "k"}},
            "paths": {"/pets": {"post": {
                "parameters": [{"$ref": "#/parameters/PetBody"}, {"$ref": "#/parameters/Limit"}],
                "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}}
            }}}
        }));
        assert_eq!(out["servers"], json!([{"url": "http://api.example.com/v1"}, {"url": "https://api.example.com/v1"}]));
        assert_eq!(out["components"]["schemas"]["Pet"]["properties"]["tag"]["nullable"], true);
        assert_eq!(out["components"]["securitySchemes"]["basic"], json!({"type": "http", "scheme": "basic"}));
        let post = &out["paths"]["/pets"]["post"];
        assert_eq!(post["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Pet");
        assert_eq!(post["requestBody"]["required"], true);
        assert_eq!(post["parameters"], json!([{"$ref": "#/components/parameters/Limit"}]));
        assert_eq!(post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Pet");
        assert_eq!(out["components"]["parameters"]["Limit"]["schema"], json!({"type": "integer"}));
    }

    #[test]
    fn collection_formats_and_form_data() {
        let out = converted(json!({
            "swagger": "2.0",
            "consumes": ["application/x-www-form-urlencoded"],
            "paths": {"/upload": {"post": {
                "parameters": [
                    {"in": "query", "name": "tags", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
                    {"in": "query", "name": "ids", "type": "array", "items": {"type": "integer"}, "collectionFormat": "pipes"},
                    {"in": "formData", "name": "file", "type": "file", "required": true},
                    {"in": "formData", "name": "note", "type": "string"}
                ],
                "responses": {"204": {"description": "done"}}
            }}}
        }));
        let post = &out["paths"]["/upload"]["post"];
        assert_eq!(post["parameters"][0]["style"], "form");
        assert_eq!(post["parameters"][0]["explode"], true);
        assert_eq!(post["parameters"][1]["style"], "pipeDelimited");
        let schema = &post["requestBody"]["content"]["multipart/form-data"]["schema"];
        assert_eq!(schema["properties"]["file"], json!({"type": "string", "format": "binary"}));
        assert_eq!(schema["required"], json!(["file"]));
        assert_eq!(out["servers"], json!([{"url": "/"}]));
    }

    #[test]
    fn original_pointers() {
        assert_eq!(original_pointer("/components/schemas/Pet/properties/a"), "/definitions/Pet/properties/a");
        assert_eq!(
            original_pointer("/paths/~1a/get/responses/200/content/application~1json/schema/type"),
            "/paths/~1a/get/responses/200/schema/type"
        );
    }
}
