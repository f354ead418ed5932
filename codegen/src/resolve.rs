//! Stage 2: follow `$ref`s across documents and bundle everything into one document.
//!
//! External targets under a components section (`other.yaml#/components/schemas/Pet`) are
//! hoisted into the root document's same section, keeping their names where they are free;
//! other external targets (a whole file, a deep pointer) are hoisted as schemas when the
//! reference sits where a schema goes, and copied in place otherwise. Every `$ref` left in the
//! bundle is local. Cycles are fine: a target is hoisted once, before its own references are
//! followed.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Diagnostics, Location, escape_pointer_segment, unescape_pointer_segment};
use crate::load::{Document, Loader, is_url, join_location, load_document};

/// Sections whose entries are hoisted under the same name.
const COMPONENT_SECTIONS: &[&str] = &[
    "/components/schemas",
    "/components/responses",
    "/components/parameters",
    "/components/examples",
    "/components/requestBodies",
    "/components/headers",
    "/components/securitySchemes",
    "/components/links",
    "/components/callbacks",
    "/components/pathItems",
    "/definitions",
    "/parameters",
    "/responses",
];

/// Keys under which a schema sits, to tell a schema reference from any other.
const SCHEMA_KEYS: &[&str] = &[
    "schema", "items", "additionalProperties", "not", "allOf", "oneOf", "anyOf", "properties",
    "patternProperties", "prefixItems", "contains", "propertyNames", "if", "then", "else",
    "$defs", "definitions", "schemas", "unevaluatedProperties", "unevaluatedItems", "dependentSchemas",
    "additionalItems", "contentSchema", "itemSchema",
];

/// How deep copied (not hoisted) references may nest before we call it a cycle.
const MAX_INLINE_DEPTH: usize = 64;

/// The root document with every external reference brought in.
#[derive(Debug)]
pub struct Bundle {
    /// The bundled data; every `$ref` in it is local.
    pub value: Value,
    /// The documents read; the first is the root.
    pub documents: Vec<Document>,
    /// Where parts of the bundle came from: bundled pointer prefix, document index, pointer
    /// prefix in that document. Longest prefix wins.
    origins: Vec<(String, usize, String)>,
}

impl Bundle {
    /// The root document.
    pub fn root(&self) -> Option<&Document> {
        self.documents.first()
    }

    /// Where a node of the bundle sits in its own file.
    pub fn locate(&self, pointer: &str) -> Option<Location> {
        let best = self
            .origins
            .iter()
            .filter(|(prefix, _, _)| {
                pointer.starts_with(prefix.as_str())
                    && (pointer.len() == prefix.len() || pointer[prefix.len()..].starts_with('/'))
            })
            .max_by_key(|(prefix, _, _)| prefix.len());
        match best {
            Some((prefix, document, source)) => {
                let rest = &pointer[prefix.len()..];
                self.documents.get(*document).map(|d| d.locate(&format!("{source}{rest}")))
            }
            None => self.root().map(|d| d.locate(pointer)),
        }
    }

    /// Source text of plain scalars that YAML did not read as strings, by bundled pointer.
    pub fn raw_scalar(&self, pointer: &str) -> Option<&str> {
        let root = self.root()?;
        root.parsed.raw_scalars.get(pointer).map(String::as_str)
    }

    /// Every location read, for `cargo:rerun-if-changed`.
    pub fn locations(&self) -> impl Iterator<Item = &str> {
        self.documents.iter().map(|d| d.location.as_str())
    }
}

struct Resolver<'a> {
    loader: &'a dyn Loader,
    documents: Vec<Document>,
    by_location: HashMap<String, usize>,
    /// (document, pointer) → bundled pointer of the hoisted copy.
    hoisted: HashMap<(usize, String), String>,
    /// Names taken per section of the bundle.
    taken: HashMap<String, BTreeSet<String>>,
    /// Where hoisted schemas go: `/definitions` in a Swagger 2.0 root.
    schema_section: &'static str,
    /// Hoisted values waiting to be inserted: bundled pointer → value.
    pending: Vec<(String, Value)>,
    origins: Vec<(String, usize, String)>,
    diagnostics: Diagnostics,
    failed_locations: BTreeSet<String>,
}

/// Loads the root document and everything it references.
pub fn resolve(loader: &dyn Loader, root_location: &str) -> Result<(Bundle, Diagnostics), Diagnostics> {
    let mut root = load_document(loader, root_location, None).map_err(Diagnostics)?;
    let root_warnings = std::mem::take(&mut root.warnings);
    let mut value = root.parsed.value.clone();
    let mut resolver = Resolver {
        loader,
        documents: vec![root],
        by_location: HashMap::from([(root_location.to_owned(), 0)]),
        hoisted: HashMap::new(),
        taken: HashMap::new(),
        schema_section: if value.get("swagger").is_some() { "/definitions" } else { "/components/schemas" },
        pending: Vec::new(),
        origins: Vec::new(),
        diagnostics: Diagnostics(root_warnings),
        failed_locations: BTreeSet::new(),
    };
    for section in COMPONENT_SECTIONS {
        if let Some(Value::Object(entries)) = value.pointer(section) {
            resolver.taken.insert((*section).to_owned(), entries.keys().cloned().collect());
        }
    }
    resolver.walk(&mut value, 0, &mut String::new(), 0);
    while let Some((pointer, hoisted)) = resolver.pending.pop() {
        insert_at(&mut value, &pointer, hoisted);
    }
    if resolver.diagnostics.has_errors() {
        return Err(resolver.diagnostics);
    }
    let bundle = Bundle { value, documents: resolver.documents, origins: resolver.origins };
    Ok((bundle, resolver.diagnostics))
}

impl Resolver<'_> {
    /// Rewrites the references inside `value`, which came from document `doc` at `pointer`.
    fn walk(&mut self, value: &mut Value, doc: usize, pointer: &mut String, depth: usize) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let reference = reference.clone();
                    if let Some(replacement) = self.reference(&reference, doc, pointer, depth) {
                        match replacement {
                            Replacement::Ref(target) => {
                                map.insert("$ref".to_owned(), Value::String(target));
                            }
                            Replacement::Inline(inlined) => {
                                // Siblings of the `$ref` win over the copied target's keys.
                                let siblings: Map<String, Value> =
                                    map.iter().filter(|(k, _)| *k != "$ref").map(|(k, v)| (k.clone(), v.clone())).collect();
                                *value = inlined;
                                if let Value::Object(target) = value {
                                    target.extend(siblings);
                                }
                                return;
                            }
                        }
                    }
                }
                for (key, child) in map.iter_mut() {
                    if key == "$ref" || is_literal_data(key, child) {
                        continue;
                    }
                    if key == "examples" {
                        // A map of Example objects: references among them are real, their
                        // `value`s are literal data.
                        if let Value::Object(examples) = child {
                            for (name, example) in examples.iter_mut() {
                                if example.get("$ref").is_some() {
                                    let length = pointer.len();
                                    pointer.push_str("/examples/");
                                    pointer.push_str(&escape_pointer_segment(name));
                                    self.walk(example, doc, pointer, depth);
                                    pointer.truncate(length);
                                }
                            }
                        }
                        continue;
                    }
                    let length = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&escape_pointer_segment(key));
                    self.walk(child, doc, pointer, depth);
                    pointer.truncate(length);
                }
            }
            Value::Array(items) => {
                for (index, child) in items.iter_mut().enumerate() {
                    let length = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                    self.walk(child, doc, pointer, depth);
                    pointer.truncate(length);
                }
            }
            _ => {}
        }
    }

    fn reference(&mut self, reference: &str, doc: usize, at: &str, depth: usize) -> Option<Replacement> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let fragment = percent_decode(fragment);
        if !fragment.is_empty() && !fragment.starts_with('/') {
            // Plain-name fragments (`#foo`, JSON Schema anchors) are left for later stages.
            return None;
        }
        // Locating is only needed for diagnostics, which are rare; compute it on demand.
        let ref_pointer = format!("{at}/$ref");
        let target_doc = if file.is_empty() {
            doc
        } else if file.starts_with('/') && fragment.is_empty() && self.points_into(doc, file) {
            // `$ref: /definitions/Pet` (no `#`): a JSON pointer written as a path.
            self.diagnostics.push(
                Diagnostic::warning(format!("`$ref: {reference}` has no `#`; reading it as `#{file}`"), self.locate(doc, &ref_pointer))
                    .with_help(format!("write `$ref: '#{file}'`")),
            );
            return self.reference(&format!("#{file}"), doc, at, depth);
        } else {
            let location = join_location(&self.documents.get(doc)?.location, file);
            match self.document(&location, doc, &ref_pointer) {
                Loaded::Document(index) => index,
                Loaded::Unreachable => return Some(Replacement::Inline(unresolved(reference))),
                Loaded::Failed => return None,
            }
        };
        let exists = self.documents.get(target_doc)?.parsed.value.pointer(&fragment).is_some();
        if exists && target_doc == 0 {
            // Local to the root: already in the bundle; rewritten only when it came from another
            // document or was percent-encoded.
            let canonical = format!("#{fragment}");
            return (doc != 0 || canonical != reference).then_some(Replacement::Ref(canonical));
        }
        if let Some(bundled) = self.hoisted.get(&(target_doc, fragment.clone())) {
            return Some(Replacement::Ref(format!("#{bundled}")));
        }
        let target = self.documents.get(target_doc)?.parsed.value.pointer(&fragment).cloned();
        let Some(mut target) = target else {
            let file_name = self.documents.get(target_doc).map(|d| d.location.clone()).unwrap_or_default();
            self.diagnostics.push(
                Diagnostic::warning(
                    format!(
                        "`$ref: {reference}` points at nothing: `{file_name}` has no `#{fragment}`; \
                         a schema there becomes a JSON value, anything else is left out"
                    ),
                    self.locate(doc, &ref_pointer),
                )
                .with_help("check the spelling of the reference and the target's path"),
            );
            return Some(Replacement::Inline(unresolved(reference)));
        };
        let section = hoist_section(&fragment, at).map(|(section, name)| {
            // A Swagger 2.0 root keeps its schemas, parameters and responses at the top level.
            match (self.schema_section, section.as_str()) {
                ("/definitions", "/components/schemas") => ("/definitions".to_owned(), name),
                ("/definitions", "/components/parameters") => ("/parameters".to_owned(), name),
                ("/definitions", "/components/responses") => ("/responses".to_owned(), name),
                ("/components/schemas", "/definitions") => ("/components/schemas".to_owned(), name),
                _ => (section, name),
            }
        });
        match section {
            Some((section, name)) => {
                let name = self.free_name(&section, &name);
                let bundled = format!("{section}/{}", escape_pointer_segment(&name));
                self.hoisted.insert((target_doc, fragment.clone()), bundled.clone());
                self.origins.push((bundled.clone(), target_doc, fragment.clone()));
                let mut path = fragment.clone();
                self.walk(&mut target, target_doc, &mut path, depth);
                self.pending.push((bundled.clone(), target));
                Some(Replacement::Ref(format!("#{bundled}")))
            }
            None => {
                if depth >= MAX_INLINE_DEPTH {
                    self.diagnostics.push(Diagnostic::error(
                        format!("`$ref: {reference}` is part of a reference cycle that cannot be bundled"),
                        self.locate(doc, &ref_pointer),
                    ));
                    return None;
                }
                self.origins.push((at.to_owned(), target_doc, fragment.clone()));
                let mut path = fragment.clone();
                self.walk(&mut target, target_doc, &mut path, depth + 1);
                Some(Replacement::Inline(target))
            }
        }
    }

    /// Loads a referenced document once. A URL that cannot be fetched is a warning (its content
    /// is unknown, not wrong); a local file that is missing or broken is an error.
    fn document(&mut self, location: &str, referring_doc: usize, ref_pointer: &str) -> Loaded {
        if let Some(index) = self.by_location.get(location) {
            return Loaded::Document(*index);
        }
        if self.failed_locations.contains(location) {
            return if is_url(location) { Loaded::Unreachable } else { Loaded::Failed };
        }
        let referrer = self.locate(referring_doc, ref_pointer);
        match load_document(self.loader, location, referrer.clone()) {
            Ok(mut document) => {
                let index = self.documents.len();
                self.diagnostics.0.append(&mut document.warnings);
                self.documents.push(document);
                self.by_location.insert(location.to_owned(), index);
                Loaded::Document(index)
            }
            Err(diagnostics) => {
                self.failed_locations.insert(location.to_owned());
                if is_url(location) {
                    let reason = diagnostics.first().map(|d| d.message.clone()).unwrap_or_default();
                    self.diagnostics.push(
                        Diagnostic::warning(
                            format!("{reason}; what references into it point at becomes a JSON value or is left out"),
                            referrer,
                        )
                        .with_help("map the URL to a local copy with a `RedirectLoader`"),
                    );
                    return Loaded::Unreachable;
                }
                for diagnostic in diagnostics {
                    self.diagnostics.push(diagnostic);
                }
                Loaded::Failed
            }
        }
    }

    fn points_into(&self, doc: usize, pointer: &str) -> bool {
        self.documents.get(doc).is_some_and(|d| d.parsed.value.pointer(pointer).is_some())
    }

    fn locate(&self, doc: usize, pointer: &str) -> Option<Location> {
        self.documents.get(doc).map(|d| d.locate(pointer))
    }

    fn free_name(&mut self, section: &str, wanted: &str) -> String {
        let taken = self.taken.entry(section.to_owned()).or_default();
        let mut name = wanted.to_owned();
        let mut counter = 2;
        while taken.contains(&name) {
            name = format!("{wanted}{counter}");
            counter += 1;
        }
        taken.insert(name.clone());
        name
    }
}

/// Values that are data, not spec: a `$ref` inside them is just a string.
fn is_literal_data(key: &str, value: &Value) -> bool {
    key.starts_with("x-")
        || matches!(key, "example" | "default" | "enum" | "const")
        || (key == "examples" && value.is_array())
}

enum Loaded {
    Document(usize),
    Unreachable,
    Failed,
}

enum Replacement {
    Ref(String),
    Inline(Value),
}

/// The section and name a target is hoisted under, or `None` to copy it in place.
fn hoist_section(fragment: &str, referrer: &str) -> Option<(String, String)> {
    for section in COMPONENT_SECTIONS {
        if let Some(rest) = fragment.strip_prefix(section).and_then(|r| r.strip_prefix('/')) {
            if !rest.is_empty() && !rest.contains('/') {
                return Some(((*section).to_owned(), unescape_pointer_segment(rest)));
            }
        }
    }
    is_schema_position(referrer).then(|| ("/components/schemas".to_owned(), schema_name_for(fragment)))
}

/// Whether the node at `pointer` sits where a schema goes (by the keys that lead to it).
pub(crate) fn is_schema_position(pointer: &str) -> bool {
    let parent_key = pointer.rsplit('/').find(|segment| segment.parse::<usize>().is_err()).unwrap_or_default();
    let grandparent = pointer.rsplit('/').nth(1).unwrap_or_default();
    SCHEMA_KEYS.contains(&parent_key) || matches!(grandparent, "properties" | "patternProperties" | "$defs" | "definitions")
}

/// A readable component name for a schema found at `pointer`: its last name-like segment.
pub(crate) fn schema_name_for(pointer: &str) -> String {
    pointer
        .rsplit('/')
        .find(|s| !s.is_empty() && s.parse::<usize>().is_err() && !SCHEMA_KEYS.contains(s) && *s != "content")
        .map(unescape_pointer_segment)
        .unwrap_or_else(|| "Schema".to_owned())
}

/// What stands in for a reference whose target does not exist.
pub const EXT_UNRESOLVED: &str = "x-specwright-unresolved";

fn unresolved(reference: &str) -> Value {
    let mut marker = Map::new();
    marker.insert(EXT_UNRESOLVED.to_owned(), Value::String(reference.to_owned()));
    Value::Object(marker)
}

fn insert_at(root: &mut Value, pointer: &str, value: Value) {
    let mut current = root;
    let segments: Vec<String> = pointer.split('/').skip(1).map(unescape_pointer_segment).collect();
    let Some((last, parents)) = segments.split_last() else { return };
    for segment in parents {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let Value::Object(map) = current else { return };
        current = map.entry(segment.clone()).or_insert_with(|| Value::Object(Map::new()));
    }
    if !current.is_object() {
        *current = Value::Object(Map::new());
    }
    if let Value::Object(map) = current {
        map.insert(last.clone(), value);
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let byte = bytes[index];
        if byte == b'%' {
            let hex = text.get(index + 1..index + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(decoded) = hex {
                out.push(decoded);
                index += 3;
                continue;
            }
        }
        out.push(byte);
        index += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::MemoryLoader;
    use serde_json::json;

    #[test]
    fn external_component_refs_are_hoisted_and_cycles_terminate() {
        let loader = MemoryLoader::new()
            .with("api/root.yaml", "paths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: 'common/c.yaml#/components/schemas/Node'\n")
            .with(
                "api/common/c.yaml",
                "components:\n  schemas:\n    Node:\n      properties:\n        next: {$ref: '#/components/schemas/Node'}\n        leaf: {$ref: '../leaf.yaml#/components/schemas/A'}\n",
            )
            .with("api/leaf.yaml", "components:\n  schemas:\n    A: {type: string}\n");
        let (bundle, _) = match resolve(&loader, "api/root.yaml") {
            Ok(ok) => ok,
            Err(d) => panic!("{}", d.render()),
        };
        let schemas = bundle.value.pointer("/components/schemas").cloned().unwrap_or_default();
        assert_eq!(schemas["A"], json!({"$ref": "#/components/schemas/Node"}));
        assert_eq!(schemas["Node"]["properties"]["next"], json!({"$ref": "#/components/schemas/Node"}));
        // The leaf's `A` collides with the root's `A`, so it gets a fresh name.
        assert_eq!(schemas["Node"]["properties"]["leaf"], json!({"$ref": "#/components/schemas/A2"}));
        assert_eq!(schemas["A2"], json!({"type": "string"}));
        assert_eq!(bundle.documents.len(), 3);
        let location = bundle.locate("/components/schemas/A2/type");
        assert_eq!(location.map(|l| (l.file, l.line)), Some(("api/leaf.yaml".to_owned(), 3)));
    }

    #[test]
    fn missing_targets_name_the_referring_file_and_line() {
        let loader = MemoryLoader::new().with(
            "root.yaml",
            "components:\n  schemas:\n    A:\n      $ref: '#/components/schemas/Missing'\n    B:\n      $ref: 'nope.yaml#/x'\n",
        );
        let diagnostics = resolve(&loader, "root.yaml").err().unwrap_or_default();
        // A missing file is an error; a missing target inside a file degrades with a warning.
        let errors: Vec<String> = diagnostics.errors().map(ToString::to_string).collect();
        let warnings: Vec<String> = diagnostics.warnings().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("root.yaml:6:7"), "{}", errors[0]);
        assert!(errors[0].contains("`nope.yaml` not found"), "{}", errors[0]);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("root.yaml:4:7"), "{}", warnings[0]);
        assert!(warnings[0].contains("#/components/schemas/Missing"));
    }

    #[test]
    fn whole_file_refs_outside_schemas_are_copied_in_place() {
        let loader = MemoryLoader::new()
            .with("root.yaml", "paths:\n  /a:\n    $ref: 'paths/a.yaml'\n")
            .with("paths/a.yaml", "get:\n  responses:\n    '200': {$ref: '../responses.yaml#/Ok'}\n")
            .with("responses.yaml", "Ok: {description: fine}\n");
        let (bundle, _) = match resolve(&loader, "root.yaml") {
            Ok(ok) => ok,
            Err(d) => panic!("{}", d.render()),
        };
        assert_eq!(
            bundle.value.pointer("/paths/~1a"),
            Some(&json!({"get": {"responses": {"200": {"description": "fine"}}}}))
        );
    }
}
