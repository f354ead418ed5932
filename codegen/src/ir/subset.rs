//! Subset clients: the finished IR cut down to the operations a user names (by tag, by
//! operationId or as `GET /path`) and the types they reach.
//!
//! The filter runs on the finished IR, so every kept type has the name it has in the full
//! client; only the indices of `Shape::Named` change, remapped in one pass.

use std::collections::{BTreeSet, HashMap};

use openapiv3::{OpenAPI, ReferenceOr};

use super::{BodyEncoding, Ir, Operation, ResponseBody, Shape, TypeId, TypeKind};
use crate::error::{Error, SubsetKind};

/// The operations a subset client keeps: every operation with one of `tags` (any of its tags,
/// not only the first) and every operation in `operations`. Both empty: all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Tag names: exact, or else case-insensitive.
    pub tags: Vec<String>,
    /// operationIds, or `METHOD /path` (method in any case, path exactly as in the spec).
    pub operations: Vec<String>,
}

impl Selection {
    /// Whether nothing is selected, which keeps the whole API.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.operations.is_empty()
    }
}

/// How many close matches an unknown name's error lists.
const CLOSE_MATCHES: usize = 5;

/// Cuts `ir` down to the selected operations, the groups that still hold one, and the types
/// they reach. Webhooks are dropped; security schemes all stay. An empty selection changes
/// nothing. `api` is the document the IR was built from (for operations' tags).
pub(crate) fn apply(ir: &mut Ir, api: &OpenAPI, selection: &Selection) -> Result<(), Error> {
    if selection.is_empty() {
        return Ok(());
    }
    let tags: Vec<Vec<String>> = ir.operations.iter().map(|op| spec_tags(api, op, ir)).collect();
    let mut keep = vec![false; ir.operations.len()];
    select_by_tag(&selection.tags, &tags, api, &mut keep)?;
    select_by_name(&selection.operations, &ir.operations, &mut keep)?;

    let mut kept = keep.iter();
    ir.operations.retain(|_| kept.next().copied().unwrap_or(false));
    ir.webhooks.clear();
    prune_groups(ir);
    prune_types(ir);
    Ok(())
}

/// The spec's tags of an operation (the IR keeps only the first, as its group).
fn spec_tags(api: &OpenAPI, op: &Operation, ir: &Ir) -> Vec<String> {
    let from_group = || op.group.and_then(|g| ir.groups.get(g)).map(|g| vec![g.tag.clone()]).unwrap_or_default();
    let Some(ReferenceOr::Item(item)) = api.paths.paths.get(&op.path) else { return from_group() };
    let standard = super::operations::standard_operations(item).find(|(method, _)| method.eq_ignore_ascii_case(&op.http_method));
    if let Some((_, operation)) = standard {
        return operation.tags.clone();
    }
    // Other methods (3.2 `additionalOperations`) are kept as JSON by the normalizer.
    let Some(serde_json::Value::Object(extra)) = item.extensions.get(crate::normalize::EXT_OPERATIONS) else { return from_group() };
    let operation = extra.iter().find(|(method, _)| method.eq_ignore_ascii_case(&op.http_method)).map(|(_, operation)| operation);
    match operation.and_then(|o| o.get("tags")).and_then(|t| t.as_array()) {
        Some(tags) => tags.iter().filter_map(|t| t.as_str()).map(str::to_owned).collect(),
        None => from_group(),
    }
}

/// Marks the operations carrying one of `wanted`; a tag matches exactly, or else
/// case-insensitively. A tag no operation carries and the spec does not declare is an error.
fn select_by_tag(wanted: &[String], tags: &[Vec<String>], api: &OpenAPI, keep: &mut [bool]) -> Result<(), Error> {
    if wanted.is_empty() {
        return Ok(());
    }
    let known: BTreeSet<&str> = tags.iter().flatten().map(String::as_str).chain(api.tags.iter().map(|t| t.name.as_str())).collect();
    for name in wanted {
        let matching: Vec<&str> = if known.contains(name.as_str()) {
            vec![name.as_str()]
        } else {
            known.iter().copied().filter(|tag| tag.eq_ignore_ascii_case(name)).collect()
        };
        if matching.is_empty() {
            return Err(unknown(SubsetKind::Tag, name, known.iter().copied()));
        }
        for (keep, op_tags) in keep.iter_mut().zip(tags) {
            *keep |= op_tags.iter().any(|tag| matching.contains(&tag.as_str()));
        }
    }
    Ok(())
}

/// Marks the operations named in `wanted`, by operationId or as `METHOD /path`.
fn select_by_name(wanted: &[String], operations: &[Operation], keep: &mut [bool]) -> Result<(), Error> {
    if wanted.is_empty() {
        return Ok(());
    }
    // Indexed once: a long list of names on a spec of thousands of operations.
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    let mut by_route: HashMap<(&str, &str), usize> = HashMap::new();
    for (index, op) in operations.iter().enumerate() {
        by_id.entry(op.operation_id.as_str()).or_insert(index);
        by_route.entry((op.http_method.as_str(), op.path.as_str())).or_insert(index);
    }
    for name in wanted {
        let name = name.trim();
        let routed = || {
            let (method, path) = route(name)?;
            by_route.get(&(method.as_str(), path)).copied()
        };
        match by_id.get(name).copied().or_else(routed).and_then(|index| keep.get_mut(index)) {
            Some(keep) => *keep = true,
            None => {
                // Suggest routes for a route, operationIds otherwise.
                let error = match route(name) {
                    Some((method, path)) => unknown(
                        SubsetKind::Operation,
                        &format!("{method} {path}"),
                        operations.iter().map(|op| format!("{} {}", op.http_method, op.path)),
                    ),
                    None => unknown(SubsetKind::Operation, name, operations.iter().map(|op| op.operation_id.as_str())),
                };
                return Err(error);
            }
        }
    }
    Ok(())
}

/// `get /a/{b}` → (`GET`, `/a/{b}`).
fn route(name: &str) -> Option<(String, &str)> {
    let (method, path) = name.split_once(char::is_whitespace)?;
    let path = path.trim_start();
    (path.starts_with('/') && !method.is_empty()).then(|| (method.to_ascii_uppercase(), path))
}

fn unknown<S: AsRef<str>>(kind: SubsetKind, name: &str, candidates: impl Iterator<Item = S>) -> Error {
    Error::NotInSpec { kind, name: name.to_owned(), close_matches: close_matches(name, candidates) }
}

/// Up to [`CLOSE_MATCHES`] candidates near `name`: a small edit distance or one containing the
/// other (case-insensitive; for routes, their paths), nearest first.
fn close_matches<S: AsRef<str>>(name: &str, candidates: impl Iterator<Item = S>) -> Vec<String> {
    let wanted = name.to_lowercase();
    let limit = (wanted.chars().count() / 3).max(2);
    // `GET /silos` is near `GET /system/silos`: the method would be in every route.
    let path_of = |name: &str| route(name).map_or(name.to_owned(), |(_, path)| path.to_owned());
    let wanted_core = path_of(&wanted);
    let mut scored: BTreeSet<(usize, String)> = BTreeSet::new();
    for candidate in candidates {
        let candidate = candidate.as_ref();
        let lower = candidate.to_lowercase();
        let distance = levenshtein(&wanted, &lower);
        let core = path_of(&lower);
        // A short name is inside too many others to be a hint.
        let contains = wanted_core.len().min(core.len()) >= 3 && (core.contains(&wanted_core) || wanted_core.contains(&core));
        if distance <= limit || contains {
            scored.insert((distance, candidate.to_owned()));
        }
    }
    scored.into_iter().take(CLOSE_MATCHES).map(|(_, candidate)| candidate).collect()
}

/// Edit distance in characters (insertions, deletions, substitutions).
fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// Drops the groups no kept operation is in, and renumbers the operations' groups.
fn prune_groups(ir: &mut Ir) {
    let mut used = vec![false; ir.groups.len()];
    for op in &ir.operations {
        if let Some(slot) = op.group.and_then(|g| used.get_mut(g)) {
            *slot = true;
        }
    }
    let new_index = renumber(&used);
    let mut kept = used.iter();
    ir.groups.retain(|_| kept.next().copied().unwrap_or(false));
    for op in &mut ir.operations {
        op.group = op.group.and_then(|g| new_index.get(g).copied().flatten());
    }
}

/// Old index → new index of the entries `keep` marks.
fn renumber(keep: &[bool]) -> Vec<Option<usize>> {
    let mut next = 0;
    keep.iter()
        .map(|&kept| {
            kept.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

/// Keeps the types the kept operations reach, through any field, member, item or value, and
/// renumbers every `Shape::Named`. Linear in the size of the IR.
fn prune_types(ir: &mut Ir) {
    let count = ir.types.types.len();
    let mut reached = vec![false; count];
    let mut pending = Vec::new();
    for op in &ir.operations {
        for shape in operation_shapes(op) {
            reach(shape, &mut reached, &mut pending);
        }
    }
    while let Some(index) = pending.pop() {
        let Some(def) = ir.types.types.get(index) else { continue };
        for shape in kind_shapes(&def.kind) {
            reach(shape, &mut reached, &mut pending);
        }
    }

    let new_ids: Vec<Option<TypeId>> = renumber(&reached).into_iter().map(|id| id.map(TypeId)).collect();
    let mut kept = reached.iter();
    ir.types.types.retain(|_| kept.next().copied().unwrap_or(false));
    for def in &mut ir.types.types {
        for shape in kind_shapes_mut(&mut def.kind) {
            remap(shape, &new_ids);
        }
    }
    for op in &mut ir.operations {
        for shape in operation_shapes_mut(op) {
            remap(shape, &new_ids);
        }
    }
    for webhook in &mut ir.webhooks {
        if let Some(shape) = &mut webhook.payload {
            remap(shape, &new_ids);
        }
    }
    ir.types.remap_references(&new_ids);
}

/// Marks the named types `shape` mentions and queues the ones seen for the first time.
fn reach(shape: &Shape, reached: &mut [bool], pending: &mut Vec<usize>) {
    let mut stack = vec![shape];
    while let Some(shape) = stack.pop() {
        match shape {
            Shape::Named(id) => {
                if let Some(seen) = reached.get_mut(id.0).filter(|seen| !**seen) {
                    *seen = true;
                    pending.push(id.0);
                }
            }
            Shape::Vec(inner) | Shape::Map(inner) | Shape::Nullable(inner) | Shape::Boxed(inner) => stack.push(inner),
            Shape::Tuple(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
}

/// Points every `Shape::Named` at its type's new id. Every type a kept shape names is kept;
/// a name that pointed nowhere before still points nowhere, as a JSON value.
fn remap(shape: &mut Shape, new_ids: &[Option<TypeId>]) {
    let mut stack = vec![shape];
    while let Some(shape) = stack.pop() {
        if let Shape::Named(id) = shape {
            match new_ids.get(id.0).copied().flatten() {
                Some(new) => *id = new,
                None => *shape = Shape::Json,
            }
            continue;
        }
        match shape {
            Shape::Vec(inner) | Shape::Map(inner) | Shape::Nullable(inner) | Shape::Boxed(inner) => stack.push(inner),
            Shape::Tuple(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

fn kind_shapes(kind: &TypeKind) -> Vec<&Shape> {
    match kind {
        TypeKind::Struct { fields } => fields.iter().map(|f| &f.shape).collect(),
        TypeKind::Union { members, .. } => members.iter().map(|m| &m.shape).collect(),
        TypeKind::Alias(shape) => vec![shape],
        TypeKind::Enum { .. } | TypeKind::ValueEnum { .. } => Vec::new(),
    }
}

fn kind_shapes_mut(kind: &mut TypeKind) -> Vec<&mut Shape> {
    match kind {
        TypeKind::Struct { fields } => fields.iter_mut().map(|f| &mut f.shape).collect(),
        TypeKind::Union { members, .. } => members.iter_mut().map(|m| &mut m.shape).collect(),
        TypeKind::Alias(shape) => vec![shape],
        TypeKind::Enum { .. } | TypeKind::ValueEnum { .. } => Vec::new(),
    }
}

fn encoding_shape(encoding: &BodyEncoding) -> Option<&Shape> {
    match encoding {
        BodyEncoding::Json(shape) | BodyEncoding::Form(shape) | BodyEncoding::Multipart { shape, .. } => Some(shape),
        BodyEncoding::Bytes(_) => None,
    }
}

fn encoding_shape_mut(encoding: &mut BodyEncoding) -> Option<&mut Shape> {
    match encoding {
        BodyEncoding::Json(shape) | BodyEncoding::Form(shape) | BodyEncoding::Multipart { shape, .. } => Some(shape),
        BodyEncoding::Bytes(_) => None,
    }
}

fn response_shape(body: &ResponseBody) -> Option<&Shape> {
    match body {
        ResponseBody::Json(shape) | ResponseBody::JsonItems(shape) => Some(shape),
        ResponseBody::Bytes | ResponseBody::Empty => None,
    }
}

fn response_shape_mut(body: &mut ResponseBody) -> Option<&mut Shape> {
    match body {
        ResponseBody::Json(shape) | ResponseBody::JsonItems(shape) => Some(shape),
        ResponseBody::Bytes | ResponseBody::Empty => None,
    }
}

/// Every shape an operation mentions: parameters, body (each choice), responses (successes
/// and errors) and response headers.
fn operation_shapes(op: &Operation) -> Vec<&Shape> {
    let mut shapes: Vec<&Shape> = op.params.iter().map(|p| &p.shape).collect();
    if let Some(body) = &op.body {
        shapes.extend(encoding_shape(&body.encoding));
        shapes.extend(body.choices.iter().filter_map(|c| encoding_shape(&c.encoding)));
    }
    let cases = op.responses.success.iter().chain(&op.responses.errors);
    shapes.extend(cases.filter_map(|case| response_shape(&case.body)));
    shapes.extend(op.responses.headers.iter().map(|h| &h.shape));
    shapes
}

fn operation_shapes_mut(op: &mut Operation) -> Vec<&mut Shape> {
    let mut shapes: Vec<&mut Shape> = op.params.iter_mut().map(|p| &mut p.shape).collect();
    if let Some(body) = &mut op.body {
        shapes.extend(encoding_shape_mut(&mut body.encoding));
        shapes.extend(body.choices.iter_mut().filter_map(|c| encoding_shape_mut(&mut c.encoding)));
    }
    let cases = op.responses.success.iter_mut().chain(op.responses.errors.iter_mut());
    shapes.extend(cases.filter_map(|case| response_shape_mut(&mut case.body)));
    shapes.extend(op.responses.headers.iter_mut().map(|h| &mut h.shape));
    shapes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("silos", "silo"), 1);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("é", "e"), 1);
    }

    #[test]
    fn close_matches_are_nearest_first_and_at_most_five() {
        let candidates = ["silos", "silo_list", "system", "sled", "snapshots", "roles", "hidden", "a", "b", "c", "d", "e", "f"];
        assert_eq!(close_matches("Silo", candidates.iter()), ["silos", "silo_list"]);
        assert_eq!(close_matches("x", candidates.iter()).len(), CLOSE_MATCHES);
    }

    #[test]
    fn routes_take_any_method_case_and_need_a_path() {
        assert_eq!(route("get /a/{b}"), Some(("GET".to_owned(), "/a/{b}")));
        assert_eq!(route("Post  /x"), Some(("POST".to_owned(), "/x")));
        assert_eq!(route("silo_list"), None);
        assert_eq!(route("get silos"), None);
    }

    #[test]
    fn renumbering_skips_dropped_entries() {
        assert_eq!(renumber(&[true, false, true, true, false]), [Some(0), None, Some(1), Some(2), None]);
    }

    #[test]
    fn remap_follows_every_constructor_and_turns_dangling_names_into_json() {
        let ids = [None, Some(TypeId(0)), Some(TypeId(1))];
        let mut shape = Shape::Tuple(vec![
            Shape::Vec(Box::new(Shape::Named(TypeId(1)))),
            Shape::Map(Box::new(Shape::Nullable(Box::new(Shape::Boxed(Box::new(Shape::Named(TypeId(2)))))))),
            Shape::Named(TypeId(7)),
        ]);
        remap(&mut shape, &ids);
        assert_eq!(
            shape,
            Shape::Tuple(vec![
                Shape::Vec(Box::new(Shape::Named(TypeId(0)))),
                Shape::Map(Box::new(Shape::Nullable(Box::new(Shape::Boxed(Box::new(Shape::Named(TypeId(1)))))))),
                Shape::Json,
            ])
        );
    }
}
