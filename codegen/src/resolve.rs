//! Stage 2: follow `$ref`s across documents and bundle everything into one document.
//!
//! External targets under a components section (`other.yaml#/components/schemas/Pet`) are
//! hoisted into the root document's same section, keeping their names where they are free;
//! other external targets (a whole file, a deep pointer) are hoisted as schemas when the
//! reference sits where a schema goes, and copied in place otherwise. Every `$ref` left in the
//! bundle is local. Cycles are fine: a target is hoisted once, before its own references are
//! followed.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, Diagnostics, Location, escape_pointer_segment, push_pointer_segment, unescape_pointer_segment};
use crate::load::{Document, EXPANSION_NODE_BUDGET, Loader, is_url, join_location, load_document};

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
    /// The documents read; the first is the root. The root's `x-` extensions, which resolving
    /// passes over, have moved from its data into `value` rather than being copied.
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
    /// Copies of targets copied in place, walked once: (document, pointer, keys) → (copy, nodes).
    inlined: HashMap<(usize, String, Keys), (Value, usize)>,
    /// Targets being copied in place right now, to tell a cycle.
    inlining: BTreeSet<(usize, String)>,
    /// Nodes that copies may still add, shared with the YAML aliases of every document.
    expansion_left: usize,
    /// Whether the budget ran out (reported once; nothing more is copied).
    expansion_exhausted: bool,
}

/// Loads the root document and everything it references.
pub fn resolve(loader: &dyn Loader, root_location: &str) -> Result<(Bundle, Diagnostics), Diagnostics> {
    let mut root = load_document(loader, root_location, None).map_err(Diagnostics)?;
    let root_warnings = std::mem::take(&mut root.warnings);
    let root_expanded = root.parsed.expanded;
    // Extensions the walk passes over can be most of a spec: they are moved in afterwards
    // rather than copied, which would double their cost.
    let mut left_out = Vec::new();
    let mut value = copy_for_walk(&root.parsed.value, Keys::Keywords, &mut String::new(), &mut left_out);
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
        inlined: HashMap::new(),
        inlining: BTreeSet::new(),
        expansion_left: EXPANSION_NODE_BUDGET.saturating_sub(root_expanded),
        expansion_exhausted: false,
    };
    for section in COMPONENT_SECTIONS {
        if let Some(Value::Object(entries)) = value.pointer(section) {
            resolver.taken.insert((*section).to_owned(), entries.keys().cloned().collect());
        }
    }
    resolver.walk(&mut value, 0, &mut String::new(), 0, Keys::Keywords);
    // The copies served their purpose; free them before the later stages run.
    resolver.inlined = HashMap::new();
    while let Some((pointer, hoisted)) = resolver.pending.pop() {
        insert_at(&mut value, &pointer, hoisted);
    }
    if let Some(root) = resolver.documents.first_mut() {
        restore_extensions(&mut value, &mut root.parsed.value, left_out);
    }
    if resolver.diagnostics.has_errors() {
        return Err(resolver.diagnostics);
    }
    let bundle = Bundle { value, documents: resolver.documents, origins: resolver.origins };
    Ok((bundle, resolver.diagnostics))
}

impl Resolver<'_> {
    /// Rewrites the references inside `value`, which came from document `doc` at `pointer`;
    /// `keys` says what the keys of `value` are, when it is an object.
    fn walk(&mut self, value: &mut Value, doc: usize, pointer: &mut String, depth: usize, keys: Keys) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let reference = reference.clone();
                    if let Some(replacement) = self.reference(&reference, doc, pointer, depth, keys) {
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
                    // Extensions are data; in a map of names (properties, headers) an `x-` key
                    // is a name like any other.
                    if key == "$ref" || (key.starts_with("x-") && keys != Keys::Names) {
                        continue;
                    }
                    let child_keys = match keys {
                        Keys::Names | Keys::NamesAndExtensions => Keys::Keywords,
                        Keys::NamesOfNames => Keys::NamesAndExtensions,
                        Keys::Keywords => {
                            if is_literal_data(key, child) {
                                self.warn_unfollowed(key, child, doc, pointer);
                                continue;
                            }
                            if key == "examples" {
                                if let Value::Object(examples) = child {
                                    self.walk_examples(examples, doc, pointer, depth);
                                }
                                continue;
                            }
                            keys_under(key)
                        }
                    };
                    let length = pointer.len();
                    push_pointer_segment(pointer, key);
                    self.walk(child, doc, pointer, depth, child_keys);
                    pointer.truncate(length);
                }
            }
            Value::Array(items) => {
                // Items of a list are objects of keywords: schemas, parameters, servers.
                for (index, child) in items.iter_mut().enumerate() {
                    let length = pointer.len();
                    push_index(pointer, index);
                    self.walk(child, doc, pointer, depth, Keys::Keywords);
                    pointer.truncate(length);
                }
            }
            _ => {}
        }
    }

    /// A map of Example objects: references among them are real, their values are literal data.
    fn walk_examples(&mut self, examples: &mut Map<String, Value>, doc: usize, pointer: &mut String, depth: usize) {
        for (name, example) in examples.iter_mut() {
            if example.get("$ref").is_some() {
                let length = pointer.len();
                pointer.push_str("/examples/");
                pointer.push_str(&escape_pointer_segment(name));
                self.walk(example, doc, pointer, depth, Keys::Keywords);
                pointer.truncate(length);
            }
        }
    }

    /// Says so when a `$ref` stands where no reference is allowed (`description: {$ref: ...}`,
    /// or anywhere in `info`): following it would pull any file under the root into the output.
    fn warn_unfollowed(&mut self, key: &str, child: &Value, doc: usize, pointer: &str) {
        if !(child.is_object() || child.is_array()) || !NO_REFERENCE_KEYWORDS.contains(&key) {
            return;
        }
        let mut stack = vec![(format!("{pointer}/{}", escape_pointer_segment(key)), child)];
        while let Some((at, node)) = stack.pop() {
            match node {
                Value::Object(map) => {
                    if let Some(Value::String(reference)) = map.get("$ref") {
                        let warning = Diagnostic::warning(
                            format!("`$ref: {reference}` under `{key}` is not followed: OpenAPI allows no reference there"),
                            self.locate(doc, &format!("{at}/$ref")),
                        );
                        self.diagnostics.push(warning.with_help("write the value itself"));
                    }
                    let children = map.iter().filter(|(k, _)| *k != "$ref");
                    stack.extend(children.rev().map(|(k, v)| (format!("{at}/{}", escape_pointer_segment(k)), v)));
                }
                Value::Array(items) => {
                    stack.extend(items.iter().enumerate().rev().map(|(i, v)| (format!("{at}/{i}"), v)));
                }
                _ => {}
            }
        }
    }

    fn reference(&mut self, reference: &str, doc: usize, at: &str, depth: usize, keys: Keys) -> Option<Replacement> {
        let (file, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let fragment = percent_decode(fragment);
        if !fragment.is_empty() && !fragment.starts_with('/') {
            // Plain-name fragments (`#foo`, JSON Schema anchors) are left for later stages.
            return None;
        }
        // Locating is only needed for diagnostics, which are rare; compute it on demand.
        let ref_pointer = format!("{at}/$ref");
        // No real file has a control character in its name, which would end up in `cargo:`
        // lines; hidden files hold secrets (`.env`, `.git/config`) far more often than specs.
        let refused = if file.chars().any(char::is_control) {
            Some(("names a file with a control character", "rename the file, or fix the reference"))
        } else if !is_url(file) && file.split(['/', '\\']).any(|part| part.starts_with('.') && part != "." && part != "..") {
            Some((
                "names a hidden file or directory, which specwright does not read",
                "rename the file or directory so that no part of its path starts with `.`",
            ))
        } else {
            None
        };
        if let Some((what, help)) = refused {
            self.diagnostics.push(
                Diagnostic::error(format!("`$ref: {}` {what}", reference.escape_debug()), self.locate(doc, &ref_pointer))
                    .with_help(help),
            );
            return None;
        }
        let target_doc = if file.is_empty() {
            doc
        } else if file.starts_with('/') && fragment.is_empty() && self.points_into(doc, file) {
            // `$ref: /definitions/Pet` (no `#`): a JSON pointer written as a path.
            self.diagnostics.push(
                Diagnostic::warning(format!("`$ref: {reference}` has no `#`; reading it as `#{file}`"), self.locate(doc, &ref_pointer))
                    .with_help(format!("write `$ref: '#{file}'`")),
            );
            return self.reference(&format!("#{file}"), doc, at, depth, keys);
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
                // A hoisted target is referenced, not copied: copies inside it start afresh.
                let copying = std::mem::take(&mut self.inlining);
                self.walk(&mut target, target_doc, &mut path, depth, keys);
                self.inlining = copying;
                self.pending.push((bundled.clone(), target));
                Some(Replacement::Ref(format!("#{bundled}")))
            }
            None => self.inline(reference, target, (target_doc, fragment), (doc, at), depth, keys),
        }
    }

    /// Copies `target` in place of the reference at `at` in `doc`. A target is walked once and
    /// its copy reused; every copy counts against the expansion budget, so that references that
    /// copy a target twice per level cannot grow the bundle exponentially.
    fn inline(
        &mut self,
        reference: &str,
        mut target: Value,
        (target_doc, fragment): (usize, String),
        (doc, at): (usize, &str),
        depth: usize,
        keys: Keys,
    ) -> Option<Replacement> {
        let ref_pointer = format!("{at}/$ref");
        if self.expansion_exhausted {
            return None;
        }
        let key = (target_doc, fragment.clone(), keys);
        if !self.inlined.contains_key(&key) {
            if depth >= MAX_INLINE_DEPTH || self.inlining.contains(&(target_doc, fragment.clone())) {
                self.diagnostics.push(Diagnostic::error(
                    format!("`$ref: {reference}` is part of a reference cycle that cannot be bundled"),
                    self.locate(doc, &ref_pointer),
                ));
                return None;
            }
            self.inlining.insert((target_doc, fragment.clone()));
            let mut path = fragment.clone();
            self.walk(&mut target, target_doc, &mut path, depth + 1, keys);
            self.inlining.remove(&(target_doc, fragment.clone()));
            let nodes = count_nodes(&target, self.expansion_left.saturating_add(1));
            self.inlined.insert(key.clone(), (target, nodes));
        }
        let (copy, nodes) = self.inlined.get(&key)?;
        if *nodes > self.expansion_left || self.expansion_exhausted {
            if !self.expansion_exhausted {
                self.expansion_exhausted = true;
                self.diagnostics.push(
                    Diagnostic::error(
                        format!(
                            "`$ref: {reference}` copies its target so often that the spec expands beyond \
                             {EXPANSION_NODE_BUDGET} nodes; refusing it"
                        ),
                        self.locate(doc, &ref_pointer),
                    )
                    .with_help("move the target under `components` so that it is referenced, not copied"),
                );
            }
            return None;
        }
        self.expansion_left -= *nodes;
        let copy = copy.clone();
        self.origins.push((at.to_owned(), target_doc, fragment));
        Some(Replacement::Inline(copy))
    }

    /// Loads a referenced document once. A URL that cannot be fetched is a warning (its content
    /// is unknown, not wrong); a local file that is missing or broken is an error.
    fn document(&mut self, location: &str, referring_doc: usize, ref_pointer: &str) -> Loaded {
        #[cfg(feature = "tracing")]
        if tracing::enabled!(tracing::Level::DEBUG) {
            let from = self.locate(referring_doc, ref_pointer).map(|l| format!("{}#{}", l.file, l.pointer)).unwrap_or_default();
            tracing::debug!(to = location, from = from.as_str(), "resolving an external reference");
        }
        if let Some(index) = self.by_location.get(location) {
            return Loaded::Document(*index);
        }
        if self.failed_locations.contains(location) {
            return if is_url(location) { Loaded::Unreachable } else { Loaded::Failed };
        }
        let referrer = self.locate(referring_doc, ref_pointer);
        match load_document(self.loader, location, referrer.clone()) {
            Ok(mut document) => {
                if !matches!(document.parsed.value, Value::Object(_) | Value::Array(_)) {
                    // Not a spec: its text is not shown, since it may be anything (a key file).
                    self.failed_locations.insert(location.to_owned());
                    self.diagnostics.push(
                        Diagnostic::error(
                            format!("`{location}` is not a JSON or YAML document with objects in it; refusing to read it"),
                            referrer,
                        )
                        .with_help("a `$ref` to another file must name an OpenAPI or JSON Schema document"),
                    );
                    return Loaded::Failed;
                }
                let index = self.documents.len();
                if document.parsed.expanded > self.expansion_left && !self.expansion_exhausted {
                    self.expansion_exhausted = true;
                    self.diagnostics.push(Diagnostic::error(
                        format!(
                            "the aliases of `{location}` expand the spec beyond {EXPANSION_NODE_BUDGET} nodes, \
                             with those of the files before it; refusing it"
                        ),
                        referrer.clone(),
                    ));
                }
                self.expansion_left = self.expansion_left.saturating_sub(document.parsed.expanded);
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

/// What the keys of an object are: where a `$ref` may stand depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Keys {
    /// Fields of a spec object or keywords of a schema (`schema`, `description`, ...).
    Keywords,
    /// Names the author chose (properties, paths, status codes, media types): each value is an
    /// object of keywords, whatever its name, so a property named `default` is still a schema.
    Names,
    /// Names beside `x-` extensions: the Paths, Responses and Callback objects.
    NamesAndExtensions,
    /// Names whose values are again named maps: callbacks (name → expression → path item).
    NamesOfNames,
}

/// What the keys are of the object under keyword `key`.
fn keys_under(key: &str) -> Keys {
    match key {
        "responses" => Keys::NamesAndExtensions,
        "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" | "dependencies"
        | "schemas" | "parameters" | "requestBodies" | "headers" | "securitySchemes"
        | "securityDefinitions" | "links" | "pathItems" | "mediaTypes" | "content" | "encoding" | "webhooks" => {
            Keys::Names
        }
        "paths" => Keys::NamesAndExtensions,
        "callbacks" => Keys::NamesOfNames,
        _ => Keys::Keywords,
    }
}

/// Keywords whose value OpenAPI and JSON Schema never let be (or hold) a Reference object.
const NO_REFERENCE_KEYWORDS: &[&str] = &[
    "description", "summary", "title", "externalDocs", "info", "servers", "security", "tags", "xml",
    "discriminator",
];

/// Keywords whose value is data, not spec: a `$ref` inside is just a key of that data, and is
/// never followed (it could name any file under the root).
fn is_literal_data(key: &str, value: &Value) -> bool {
    NO_REFERENCE_KEYWORDS.contains(&key)
        || matches!(key, "example" | "default" | "enum" | "const" | "value" | "dataValue" | "serializedValue")
        || (key == "examples" && value.is_array())
}

/// Moves back into the bundle the root's `x-` extensions that the walk passed over, where a later
/// stage reads them or a `$ref` points into them; the rest leave the bundle. Normalization
/// copies whatever extensions it meets, so an unread extension would cost many times its size.
fn restore_extensions(bundle: &mut Value, root: &mut Value, left_out: Vec<String>) {
    let mut targets = HashSet::new();
    local_ref_targets(bundle, &mut targets);
    let mut pending = left_out;
    loop {
        let (kept, rest): (Vec<String>, Vec<String>) = pending.into_iter().partition(|pointer| {
            let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
            !crate::load::is_unread_extension(&unescape_pointer_segment(key), parent) || targets.contains(pointer)
        });
        pending = rest;
        if kept.is_empty() {
            break;
        }
        for pointer in kept {
            let Some(slot) = bundle.pointer_mut(&pointer).filter(|slot| slot.is_null()) else { continue };
            if let Some(extension) = root.pointer_mut(&pointer) {
                *slot = std::mem::take(extension);
                // What an extension refers to is kept too.
                local_ref_targets(slot, &mut targets);
            }
        }
    }
    for pointer in pending {
        let Some((parent, key)) = pointer.rsplit_once('/') else { continue };
        let parent = if parent.is_empty() { Some(&mut *bundle) } else { bundle.pointer_mut(parent) };
        if let Some(Value::Object(map)) = parent {
            map.shift_remove(&unescape_pointer_segment(key));
        }
    }
}

/// The JSON pointers that the local `$ref`s under `value` name, with every prefix of each, so
/// that whether a reference points into a node is one look-up (iteratively: data may nest deeply).
fn local_ref_targets(value: &Value, targets: &mut HashSet<String>) {
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        match node {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    if let Some(fragment) = reference.strip_prefix('#') {
                        let target = percent_decode(fragment);
                        for (index, _) in target.match_indices('/').skip(1) {
                            targets.insert(target[..index].to_owned());
                        }
                        targets.insert(target);
                    }
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

/// A copy of the root document for the walk to rewrite, with the `x-` extensions that the
/// walk passes over (as `Resolver::walk` does) left as `null`; their pointers go to `left_out`.
fn copy_for_walk(value: &Value, keys: Keys, pointer: &mut String, left_out: &mut Vec<String>) -> Value {
    match value {
        Value::Object(map) => {
            let mut copy = Map::with_capacity(map.len());
            for (key, child) in map {
                let length = pointer.len();
                push_pointer_segment(pointer, key);
                let child_keys = match keys {
                    Keys::Names | Keys::NamesAndExtensions => Some(Keys::Keywords),
                    Keys::NamesOfNames => Some(Keys::NamesAndExtensions),
                    Keys::Keywords if is_literal_data(key, child) || key == "examples" => None,
                    Keys::Keywords => Some(keys_under(key)),
                };
                let skipped = key.starts_with("x-") && keys != Keys::Names;
                let child_copy = match child_keys {
                    _ if skipped && (child.is_object() || child.is_array()) => {
                        left_out.push(pointer.clone());
                        Value::Null
                    }
                    Some(child_keys) if key != "$ref" && !skipped => copy_for_walk(child, child_keys, pointer, left_out),
                    _ => child.clone(),
                };
                pointer.truncate(length);
                copy.insert(key.clone(), child_copy);
            }
            Value::Object(copy)
        }
        Value::Array(items) => {
            let mut copy = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                let length = pointer.len();
                push_index(pointer, index);
                copy.push(copy_for_walk(item, Keys::Keywords, pointer, left_out));
                pointer.truncate(length);
            }
            Value::Array(copy)
        }
        other => other.clone(),
    }
}

/// The nodes of `value`, counted up to `limit` (iteratively: copies may nest deeply).
fn count_nodes(value: &Value, limit: usize) -> usize {
    let mut count = 0;
    let mut stack = vec![value];
    while let Some(node) = stack.pop() {
        count += 1;
        if count >= limit {
            return count;
        }
        match node {
            Value::Object(map) => stack.extend(map.values()),
            Value::Array(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    count
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

/// Appends `/index` to `pointer`, without a string of its own.
fn push_index(pointer: &mut String, index: usize) {
    use std::fmt::Write as _;
    let _ = write!(pointer, "/{index}");
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
