//! Which serde impls each type needs: `Serialize` where it is sent, `Deserialize` where it is
//! received. Deserializing is the costliest part of a generated client to compile, so a type
//! only ever sent gets none of it.

use crate::ir::{BodyEncoding, Ir, ResponseBody, ResponseCase, Shape, TypeId, TypeKind};

/// The serde impls a type gets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Directions {
    /// Sent: `Serialize`.
    pub(crate) serialize: bool,
    /// Received: `Deserialize`.
    pub(crate) deserialize: bool,
    /// Optional nullable fields keep three states (`Option<Option<T>>`: absent, `null`, a
    /// value): in what a PATCH body holds, where sending `null` clears a value and leaving it
    /// out keeps it, or everywhere with `double_option`.
    pub(crate) three_state: bool,
}

impl Directions {
    pub(crate) const BOTH: Self = Self { serialize: true, deserialize: true, three_state: false };

    /// The word the runtime's model macros take first.
    pub(crate) fn word(self) -> &'static str {
        match (self.serialize, self.deserialize) {
            (true, true) => "both",
            (true, false) => "ser",
            (false, true) => "de",
            (false, false) => "none",
        }
    }
}

/// Each type's directions, by id. With `all_both`, or for a type no operation uses (users
/// may send or receive it themselves) and the types inside it, both.
pub(crate) fn directions(ir: &Ir, all_both: bool) -> Vec<Directions> {
    let count = ir.types.types.len();
    let patch_bodies = ir
        .operations
        .iter()
        .filter(|op| op.http_method == "PATCH")
        .filter_map(|op| op.body.as_ref())
        .flat_map(|body| std::iter::once(&body.encoding).chain(body.choices.iter().map(|choice| &choice.encoding)))
        .filter_map(encoding_shape);
    let in_patch = if ir.types.double_option { vec![true; count] } else { reach(ir, patch_bodies) };
    let three_state = |index: usize| in_patch.get(index).copied().unwrap_or(false);
    if all_both {
        return (0..count).map(|index| Directions { three_state: three_state(index), ..Directions::BOTH }).collect();
    }
    let mut sent: Vec<&Shape> = Vec::new();
    let mut received: Vec<&Shape> = Vec::new();
    for op in &ir.operations {
        sent.extend(op.params.iter().map(|p| &p.shape));
        if let Some(body) = &op.body {
            sent.extend(encoding_shape(&body.encoding));
            sent.extend(body.choices.iter().filter_map(|choice| encoding_shape(&choice.encoding)));
        }
        let cases = op.responses.success.iter().chain(&op.responses.errors);
        received.extend(cases.filter_map(case_shape));
        received.extend(op.responses.headers.iter().map(|h| &h.shape));
    }
    for hook in &ir.webhooks {
        sent.extend(&hook.payload);
        received.extend(&hook.payload);
    }
    let mut serialize = reach(ir, sent.into_iter());
    let mut deserialize = reach(ir, received.into_iter());
    // A type no operation uses gets both, and so does everything inside it.
    let unused: Vec<Shape> = (0..count)
        .filter(|&index| !serialize.get(index).copied().unwrap_or(false) && !deserialize.get(index).copied().unwrap_or(false))
        .map(|index| Shape::Named(TypeId(index)))
        .collect();
    let inside_unused = reach(ir, unused.iter());
    for (index, inside) in inside_unused.iter().enumerate() {
        if *inside {
            if let Some(ser) = serialize.get_mut(index) {
                *ser = true;
            }
            if let Some(de) = deserialize.get_mut(index) {
                *de = true;
            }
        }
    }
    (0..count)
        .map(|index| Directions {
            serialize: serialize.get(index).copied().unwrap_or(true),
            deserialize: deserialize.get(index).copied().unwrap_or(true),
            three_state: three_state(index),
        })
        .collect()
}

fn encoding_shape(encoding: &BodyEncoding) -> Option<&Shape> {
    match encoding {
        BodyEncoding::Json(shape) | BodyEncoding::Form(shape) | BodyEncoding::Multipart { shape, .. } => Some(shape),
        BodyEncoding::Bytes(_) => None,
    }
}

fn case_shape(case: &ResponseCase) -> Option<&Shape> {
    match &case.body {
        ResponseBody::Json(shape) | ResponseBody::JsonItems(shape) => Some(shape),
        ResponseBody::Bytes | ResponseBody::Empty => None,
    }
}

/// The types reachable from `roots`, by id; each type is visited once.
fn reach<'a>(ir: &'a Ir, roots: impl Iterator<Item = &'a Shape>) -> Vec<bool> {
    let mut reached = vec![false; ir.types.types.len()];
    let mut pending: Vec<TypeId> = Vec::new();
    let mut shapes: Vec<&Shape> = roots.collect();
    loop {
        while let Some(shape) = shapes.pop() {
            match shape {
                Shape::Named(id) => {
                    if let Some(seen) = reached.get_mut(id.0)
                        && !*seen
                    {
                        *seen = true;
                        pending.push(*id);
                    }
                }
                Shape::Vec(inner) | Shape::Map(inner) | Shape::Nullable(inner) | Shape::Boxed(inner) => shapes.push(inner),
                Shape::Tuple(items) => shapes.extend(items.iter()),
                _ => {}
            }
        }
        let Some(id) = pending.pop() else { break };
        match ir.types.get(id).map(|def| &def.kind) {
            Some(TypeKind::Struct { fields }) => shapes.extend(fields.iter().map(|f| &f.shape)),
            Some(TypeKind::Union { members, .. }) => shapes.extend(members.iter().map(|m| &m.shape)),
            Some(TypeKind::Alias(shape)) => shapes.push(shape),
            _ => {}
        }
    }
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /pets:
    post:
      operationId: createPet
      parameters:
        - {name: kind, in: query, schema: {$ref: "#/components/schemas/Kind"}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
        "400":
          description: bad
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Problem"}
components:
  schemas:
    Kind: {type: string, enum: [cat, dog]}
    Owner: {type: object, properties: {name: {type: string}}}
    NewPet: {type: object, properties: {owner: {$ref: "#/components/schemas/Owner"}, kind: {$ref: "#/components/schemas/Kind"}}}
    Pet: {type: object, properties: {owner: {$ref: "#/components/schemas/Owner"}, tag: {$ref: "#/components/schemas/Tag"}}}
    Tag: {type: object, properties: {label: {type: string}}}
    Problem: {type: object, properties: {detail: {type: string}}}
    Unused: {type: object, properties: {inner: {$ref: "#/components/schemas/Inner"}}}
    Inner: {type: object, properties: {x: {type: string}}}
"##;

    fn directions_by_name(full: bool) -> std::collections::BTreeMap<String, &'static str> {
        let mut generator = crate::Generator::new("api.yaml");
        generator.loader(crate::MemoryLoader::new().with("api.yaml", SPEC));
        let (ir, _, _) = generator.check().unwrap_or_else(|e| panic!("{e}"));
        let directions = directions(&ir, full);
        ir.types.types.iter().zip(directions).map(|(def, direction)| (def.name.clone(), direction.word())).collect()
    }

    #[test]
    fn each_type_gets_the_directions_of_its_uses() {
        let by_name = directions_by_name(false);
        let get = |name: &str| by_name.get(name).copied().unwrap_or("absent");
        // Sent: the body and what it holds, the query parameter's enum.
        assert_eq!(get("NewPet"), "ser");
        // Received: the success body, what only it holds, the error body.
        assert_eq!((get("Pet"), get("Tag"), get("Problem")), ("de", "de", "de"));
        // Both: held by a sent and a received type, or sent as a parameter and inside a body.
        assert_eq!((get("Owner"), get("Kind")), ("both", "ser"));
        // Used by no operation: both, and so is what it holds.
        assert_eq!((get("Unused"), get("Inner")), ("both", "both"));
        let full = directions_by_name(true);
        assert!(full.values().all(|word| *word == "both"), "{full:?}");
    }
}
