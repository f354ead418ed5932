//! The type space: every schema, named or inline, becomes one Rust type with a stable,
//! collision-free name. Recursion is boxed where a type would otherwise contain itself.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, Type, VariantOrUnknownOrEmpty,
};

use crate::diagnostic::{Diagnostic, Diagnostics, unescape_pointer_segment};
use crate::ident::{Namer, snake_name, type_name};
use crate::normalize::{EXT_NULL, EXT_PREFIX_ITEMS, EXT_TYPES};

/// Index of a named type in the [`TypeSpace`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A type expression, as it appears in a field, an argument or a result.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `u32` (`format: uint32`).
    U32,
    /// `u64` (`format: uint64`, `uint`).
    U64,
    /// A date-time (`format: date-time`).
    DateTime,
    /// A calendar date (`format: date`).
    Date,
    /// A time of day (`format: time`).
    Time,
    /// A UUID (`format: uuid`).
    Uuid,
    /// Bytes sent as base64 (`format: byte`).
    Base64,
    /// Binary content (`format: binary`): a file in multipart bodies.
    Binary,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// Any JSON value.
    Json,
    /// A generated type.
    Named(TypeId),
    /// `Vec<T>`.
    Vec(Box<Shape>),
    /// `BTreeMap<String, T>`.
    Map(Box<Shape>),
    /// `Option<T>` for a nullable value.
    Nullable(Box<Shape>),
    /// `Box<T>`, to break recursion.
    Boxed(Box<Shape>),
    /// A tuple (`prefixItems`): `(A, B, ...)`.
    Tuple(Vec<Shape>),
}

/// Literals nested deeper than this are not enum variants (see [`value_enum`]).
const MAX_LITERAL_DEPTH: usize = 100;

/// How deeply a JSON value nests (iteratively: the value comes from a spec).
fn json_depth(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 1)];
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match node {
            serde_json::Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            serde_json::Value::Object(map) => stack.extend(map.values().map(|item| (item, depth + 1))),
            _ => {}
        }
    }
    deepest
}

/// An enum over non-string values; names come from the values (`1` → `V1`).
fn value_enum(values: impl Iterator<Item = serde_json::Value>) -> TypeKind {
    let mut namer = Namer::with_reserved(&["Other"]);
    let mut seen = BTreeSet::new();
    let variants = values
        // serde_json reads at most 128 levels: a deeper literal could not be read back in the
        // generated code, and a server cannot send it either. `Other` holds such values.
        .filter(|value| json_depth(value) <= MAX_LITERAL_DEPTH)
        .map(|value| value.to_string())
        .filter(|json| seen.insert(json.clone()))
        .map(|json| {
            let readable = json.trim_matches('"').replace('.', " point ").replace('-', "minus ");
            ValueVariant { rust_name: namer.claim(&type_name(&readable)), json }
        })
        .collect();
    TypeKind::ValueEnum { variants }
}

/// A discriminator: explicit `mapping` entries first, then each referenced member by its
/// component name (the implicit mapping).
fn discriminator_of(discriminator: &openapiv3::Discriminator, references: &[Option<String>]) -> Discriminator {
    let mut mapping = Vec::new();
    for (value, target) in &discriminator.mapping {
        // A mapping target is a reference or a bare component name.
        let target = if target.starts_with('#') || target.contains('/') {
            target.clone()
        } else {
            format!("#/components/schemas/{target}")
        };
        let member = references.iter().position(|r| {
            r.as_deref().is_some_and(|r| r == target || r.rsplit('/').next() == target.rsplit('/').next())
        });
        if let Some(member) = member {
            mapping.push((value.clone(), member));
        }
    }
    for (index, reference) in references.iter().enumerate() {
        if mapping.iter().any(|(_, m)| *m == index) {
            continue;
        }
        if let Some(name) = reference.as_deref().and_then(|r| r.rsplit('/').next()) {
            mapping.push((unescape_pointer_segment(name), index));
        }
    }
    Discriminator { property: discriminator.property_name.clone(), mapping }
}

/// Components with a discriminator and no `oneOf`/`anyOf` that other components `allOf`: the
/// parents of polymorphic families, with their children.
fn polymorphic_parents(components: &ComponentSchemas) -> BTreeMap<String, Vec<String>> {
    let mut parents = BTreeMap::new();
    for (name, schema) in components {
        let ReferenceOr::Item(schema) = schema else { continue };
        if schema.schema_data.discriminator.is_none()
            || matches!(schema.schema_kind, SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. })
        {
            continue;
        }
        let reference = format!("#/components/schemas/{}", escape(name));
        let children: Vec<String> = components
            .iter()
            .filter(|(child, _)| *child != name)
            .filter(|(_, child)| match child {
                ReferenceOr::Item(Schema { schema_kind: SchemaKind::AllOf { all_of }, .. }) => all_of
                    .iter()
                    .any(|m| matches!(m, ReferenceOr::Reference { reference: r } if *r == reference)),
                _ => false,
            })
            .map(|(child, _)| child.clone())
            .collect();
        if !children.is_empty() {
            parents.insert(name.clone(), children);
        }
    }
    parents
}

/// The shape of a string by its `format`.
fn string_shape(format: &VariantOrUnknownOrEmpty<openapiv3::StringFormat>) -> Shape {
    use openapiv3::StringFormat;
    match format {
        VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Shape::DateTime,
        VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Shape::Date,
        VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => Shape::Base64,
        VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => Shape::Binary,
        VariantOrUnknownOrEmpty::Unknown(format) => match format.as_str() {
            "uuid" => Shape::Uuid,
            "time" | "partial-time" => Shape::Time,
            _ => Shape::String,
        },
        _ => Shape::String,
    }
}

/// Documentation carried from the spec.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Docs {
    /// `title`, `summary`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `example` (or the first of 3.1 `examples`), as JSON text.
    pub example: Option<String>,
    /// Validation keywords, for the reader: `minimum: 3 (exclusive)`, `pattern: ^a`.
    pub constraints: Vec<String>,
    /// `default`, as JSON text: what the server assumes when the value is absent.
    pub default: Option<String>,
}

impl Docs {
    fn of(schema: &Schema) -> Self {
        Self {
            title: schema.schema_data.title.clone(),
            description: schema.schema_data.description.clone(),
            example: schema.schema_data.example.as_ref().map(|e| e.to_string()),
            constraints: constraints(&schema.schema_kind),
            default: schema.schema_data.default.as_ref().map(|d| d.to_string()),
        }
    }
}

/// Bounds of an integer or number schema as short phrases.
fn numeric(
    minimum: Option<String>,
    exclusive_minimum: bool,
    maximum: Option<String>,
    exclusive_maximum: bool,
    multiple_of: Option<String>,
) -> Vec<String> {
    let bound = |name: &str, value: Option<String>, exclusive: bool| {
        value.map(|v| if exclusive { format!("{name}: {v} (exclusive)") } else { format!("{name}: {v}") })
    };
    [
        bound("minimum", minimum, exclusive_minimum),
        bound("maximum", maximum, exclusive_maximum),
        multiple_of.map(|v| format!("multipleOf: {v}")),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Validation keywords of a schema as short phrases.
fn constraints(kind: &SchemaKind) -> Vec<String> {
    match kind {
        // Integer and number bounds differ only in their value type.
        SchemaKind::Type(Type::Integer(t)) => numeric(
            t.minimum.map(|v| v.to_string()),
            t.exclusive_minimum,
            t.maximum.map(|v| v.to_string()),
            t.exclusive_maximum,
            t.multiple_of.map(|v| v.to_string()),
        ),
        SchemaKind::Type(Type::Number(t)) => numeric(
            t.minimum.map(|v| v.to_string()),
            t.exclusive_minimum,
            t.maximum.map(|v| v.to_string()),
            t.exclusive_maximum,
            t.multiple_of.map(|v| v.to_string()),
        ),
        SchemaKind::Type(Type::String(t)) => [
            t.min_length.map(|v| format!("minLength: {v}")),
            t.max_length.map(|v| format!("maxLength: {v}")),
            t.pattern.as_ref().map(|v| format!("pattern: `{v}`")),
        ]
        .into_iter()
        .flatten()
        .collect(),
        SchemaKind::Type(Type::Array(t)) => [
            t.min_items.map(|v| format!("minItems: {v}")),
            t.max_items.map(|v| format!("maxItems: {v}")),
            t.unique_items.then(|| "uniqueItems".to_owned()),
        ]
        .into_iter()
        .flatten()
        .collect(),
        _ => Vec::new(),
    }
}

/// One field of a struct.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The Rust name (snake case, without `r#`).
    pub rust_name: String,
    /// The name on the wire.
    pub wire_name: String,
    /// The value's type, without the optionality.
    pub shape: Shape,
    /// Whether the field must be present.
    pub required: bool,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// Docs.
    pub docs: Docs,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Holds the object's other properties (`additionalProperties` beside named ones).
    pub flatten: bool,
    /// `readOnly` (sent by the server only) or `writeOnly` (sent by the client only).
    pub access: Access,
}

/// Who sends a property.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Access {
    /// Both directions.
    #[default]
    ReadWrite,
    /// `readOnly`: only in responses.
    ReadOnly,
    /// `writeOnly`: only in requests.
    WriteOnly,
}

/// One value of a non-string enum, as JSON text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ValueVariant {
    /// The Rust name.
    pub rust_name: String,
    /// The value as JSON text (`1`, `true`, `"a"`).
    pub json: String,
}

/// How a union tells its members apart by a property.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Discriminator {
    /// The property that names the member.
    pub property: String,
    /// Property value → index of the member.
    pub mapping: Vec<(String, usize)>,
}

/// One value of a string enum.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// The Rust name.
    pub rust_name: String,
    /// The value on the wire.
    pub wire_value: String,
}

/// One alternative of an untagged union.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UnionMember {
    /// The variant name.
    pub rust_name: String,
    /// Its content.
    pub shape: Shape,
}

/// What a named type is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeKind {
    /// A struct with named fields.
    Struct {
        /// The fields, in spec order.
        fields: Vec<Field>,
    },
    /// A string enum, with a catch-all variant for values added later.
    Enum {
        /// The known values.
        variants: Vec<Variant>,
    },
    /// A union (`oneOf` / `anyOf`): told apart by a discriminator property, or tried in
    /// order (untagged).
    Union {
        /// The alternatives.
        members: Vec<UnionMember>,
        /// The discriminator, if the spec gives one.
        discriminator: Option<Discriminator>,
    },
    /// An enum of integers, numbers, booleans or mixed values, with a catch-all.
    ValueEnum {
        /// The known values.
        variants: Vec<ValueVariant>,
    },
    /// A type alias (`pub type X = Vec<Y>;`).
    Alias(Shape),
}

/// A named type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeDef {
    /// The Rust name, unique in the `types` module.
    pub name: String,
    /// What it is.
    pub kind: TypeKind,
    /// Docs.
    pub docs: Docs,
    /// `deprecated: true`.
    pub deprecated: bool,
}

/// Which crate dates and times come from in generated code.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateTimeLibrary {
    /// `chrono::DateTime<Utc>`, `NaiveDate`, `NaiveTime` (runtime feature `chrono`, on by default).
    #[default]
    Chrono,
    /// `time::OffsetDateTime`, `Date`, `Time` in RFC 3339 wrappers (runtime feature `time`).
    Time,
}

/// Every generated type.
#[derive(Debug, Default)]
pub struct TypeSpace {
    /// The types, by id.
    pub types: Vec<TypeDef>,
    /// How dates and times are spelled.
    pub date_time: DateTimeLibrary,
    /// Every type gets both `Serialize` and `Deserialize`, not only those its uses need.
    pub full_serde: bool,
    /// Optional nullable fields are `Option<Option<T>>` in every type, not only in PATCH bodies.
    pub double_option: bool,
    names: Namer,
    /// `#/components/schemas/X` → id.
    by_reference: BTreeMap<String, TypeId>,
}

/// Builds the type space from a document's schemas.
pub(crate) struct TypeBuilder<'a> {
    pub(crate) space: TypeSpace,
    components: &'a ComponentSchemas,
    pub(crate) diagnostics: Diagnostics,
    /// References being converted, to stop runaway alias chains.
    resolving: BTreeSet<String>,
    /// How deeply inline definitions nest right now.
    depth: usize,
    /// How deeply inline schemas of any kind (arrays, maps, tuples, wrappers) nest right now.
    nesting: usize,
    /// Properties `allOf` merging may still copy, over the whole document.
    merge_budget: usize,
    /// The pointer of the schema or operation being converted, for diagnostics.
    context: String,
    /// Component names whose schema has a discriminator and which children `allOf`:
    /// parent → children.
    polymorphic: BTreeMap<String, Vec<String>>,
    /// Components whose type is being built, to keep a parent's union from recursing.
    building: BTreeSet<String>,
}

/// Inline definitions nested deeper than this become JSON values: only a schema that keeps
/// copying itself through `allOf` gets there.
const MAX_INLINE_DEPTH: usize = 24;

/// Inline schemas of any kind nested deeper than this become JSON values: rustc cannot check
/// types nested much deeper (`Vec<Vec<...>>` sixty deep overflows its trait solver), and the
/// conversion must not exhaust a build script's stack.
const MAX_NESTING: usize = 32;

/// How many properties `allOf` merging may copy over a whole document. Each merge copies
/// every property of every schema it pulls in, so a chain of schemas that each `allOf` the
/// next makes output quadratic in the chain's length. The most any spec of the corpus copies
/// is about 2,100 (PagerDuty); at this budget a hostile spec costs ~150 MB and seconds.
const ALL_OF_PROPERTY_BUDGET: usize = 20_000;

/// `components.schemas` as `openapiv3` holds it.
pub(crate) type ComponentSchemas = indexmap::IndexMap<String, ReferenceOr<Schema>>;

impl<'a> TypeBuilder<'a> {
    pub(crate) fn new(components: &'a ComponentSchemas) -> Self {
        let mut builder = Self {
            space: TypeSpace { names: Namer::with_reserved(crate::ident::PRELUDE), ..TypeSpace::default() },
            components,
            diagnostics: Diagnostics::default(),
            resolving: BTreeSet::new(),
            depth: 0,
            nesting: 0,
            merge_budget: ALL_OF_PROPERTY_BUDGET,
            context: String::new(),
            polymorphic: polymorphic_parents(components),
            building: BTreeSet::new(),
        };
        // Components first, so that they get their own names and recursion can find them.
        for name in components.keys() {
            let rust_name = builder.space.names.claim(&type_name(name));
            let id = builder.push(rust_name, TypeKind::Alias(Shape::Json), Docs::default());
            builder.space.by_reference.insert(format!("#/components/schemas/{}", escape(name)), id);
        }
        for (index, (name, schema)) in components.iter().enumerate() {
            let id = TypeId(index);
            let reference = format!("#/components/schemas/{}", escape(name));
            builder.context = reference.trim_start_matches('#').to_owned();
            match schema {
                ReferenceOr::Item(schema) => {
                    let rust_name = builder.space.types[index].name.clone();
                    builder.building.insert(name.clone());
                    let (kind, docs, deprecated) = match builder.polymorphic.get(name).cloned() {
                        Some(children) => builder.parent_union(schema, &children),
                        None => builder.kind_of(schema, &rust_name),
                    };
                    builder.building.remove(name);
                    let def = &mut builder.space.types[index];
                    def.kind = kind;
                    def.docs = docs;
                    def.deprecated = deprecated;
                }
                ReferenceOr::Reference { reference: target } => {
                    builder.resolving.insert(reference.clone());
                    let shape = builder.reference(&target.clone());
                    builder.resolving.remove(&reference);
                    if shape != Shape::Named(id) {
                        builder.space.types[index].kind = TypeKind::Alias(shape);
                    }
                }
            }
        }
        builder
    }

    /// Sets the pointer that diagnostics about the schemas converted next refer to.
    pub(crate) fn set_context(&mut self, pointer: &str) {
        self.context = pointer.to_owned();
    }

    fn here(&self) -> Option<crate::diagnostic::Location> {
        Some(crate::diagnostic::Location::pointer_only(self.context.clone()))
    }

    fn push(&mut self, name: String, kind: TypeKind, docs: Docs) -> TypeId {
        self.space.types.push(TypeDef { name, kind, docs, deprecated: false });
        TypeId(self.space.types.len() - 1)
    }

    /// A new named type for an inline schema; `hint` is the readable name it wants.
    fn define(&mut self, hint: &str, schema: &Schema) -> TypeId {
        let name = self.space.names.claim(&type_name(hint));
        let id = self.push(name.clone(), TypeKind::Alias(Shape::Json), Docs::default());
        if self.depth >= MAX_INLINE_DEPTH {
            self.diagnostics.push(Diagnostic::warning(
                format!("inline schemas nest too deeply at `{name}`; using a JSON value there"),
                self.here(),
            ));
            return id;
        }
        self.depth += 1;
        let (kind, docs, deprecated) = self.kind_of(schema, &name);
        self.depth -= 1;
        let def = &mut self.space.types[id.0];
        def.kind = kind;
        def.docs = docs;
        def.deprecated = deprecated;
        id
    }

    /// The shape of a schema that sits somewhere; `hint` names it if it needs a type.
    pub(crate) fn shape(&mut self, schema: &ReferenceOr<Schema>, hint: &str) -> Shape {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference),
            ReferenceOr::Item(schema) => self.inline(schema, hint),
        }
    }

    /// Like [`Self::shape`], for the boxed schemas `openapiv3` uses inside schemas.
    fn boxed_shape(&mut self, schema: &ReferenceOr<Box<Schema>>, hint: &str) -> Shape {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference),
            ReferenceOr::Item(schema) => self.inline(schema, hint),
        }
    }

    fn reference(&mut self, reference: &str) -> Shape {
        if let Some(id) = self.space.by_reference.get(reference) {
            return Shape::Named(*id);
        }
        self.diagnostics.push(Diagnostic::warning(
            format!("schema reference `{reference}` does not point at a component schema; using a JSON value"),
            self.here(),
        ));
        Shape::Json
    }

    /// The shape of an inline schema: primitives stay primitives; objects, enums and unions
    /// become named types. Every recursion over a schema's structure passes through here, so
    /// the nesting cap bounds the stack.
    fn inline(&mut self, schema: &Schema, hint: &str) -> Shape {
        if self.nesting >= MAX_NESTING {
            self.diagnostics.push(Diagnostic::warning(
                format!("inline schemas nest more than {MAX_NESTING} levels deep at `{}`; using a JSON value there", type_name(hint)),
                self.here(),
            ));
            return Shape::Json;
        }
        self.nesting += 1;
        let shape = self.inline_within_cap(schema, hint);
        self.nesting -= 1;
        shape
    }

    fn inline_within_cap(&mut self, schema: &Schema, hint: &str) -> Shape {
        let extensions = &schema.schema_data.extensions;
        if extensions.contains_key(EXT_TYPES) {
            return Shape::Named(self.define(hint, schema));
        }
        if let Some(serde_json::Value::Array(items)) = extensions.get(EXT_PREFIX_ITEMS) {
            let items = items.clone();
            let shapes = items
                .iter()
                .enumerate()
                .map(|(index, item)| match serde_json::from_value::<ReferenceOr<Schema>>(item.clone()) {
                    Ok(item) => self.shape(&item, &format!("{hint}Item{index}")),
                    Err(_) => Shape::Json,
                })
                .collect();
            return Shape::Tuple(shapes);
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
                Shape::Named(self.define(hint, schema))
            }
            SchemaKind::Type(Type::String(string)) => string_shape(&string.format),
            SchemaKind::Type(Type::Integer(integer)) if integer.enumeration.iter().flatten().next().is_some() => {
                Shape::Named(self.define(hint, schema))
            }
            SchemaKind::Type(Type::Number(number)) if number.enumeration.iter().flatten().next().is_some() => {
                Shape::Named(self.define(hint, schema))
            }
            SchemaKind::Any(any) if any.properties.is_empty() && !any.enumeration.is_empty() => {
                Shape::Named(self.define(hint, schema))
            }
            SchemaKind::Type(Type::Boolean(_)) => Shape::Bool,
            SchemaKind::Type(Type::Integer(integer)) => match &integer.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => Shape::I32,
                VariantOrUnknownOrEmpty::Unknown(format) => match format.as_str() {
                    "int8" | "int16" | "uint8" | "uint16" => Shape::I32,
                    "uint32" => Shape::U32,
                    "uint" | "uint64" => Shape::U64,
                    _ => Shape::I64,
                },
                _ => Shape::I64,
            },
            SchemaKind::Type(Type::Number(number)) => match &number.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float) => Shape::F32,
                _ => Shape::F64,
            },
            SchemaKind::Type(Type::Array(array)) => {
                let item = match &array.items {
                    Some(items) => self.boxed_shape(items, &format!("{hint}Item")),
                    None => Shape::Json,
                };
                Shape::Vec(Box::new(item))
            }
            SchemaKind::Type(Type::Object(object)) if object.properties.is_empty() => {
                Shape::Map(Box::new(self.additional(object.additional_properties.as_ref(), hint)))
            }
            SchemaKind::Type(Type::Object(_)) => Shape::Named(self.define(hint, schema)),
            SchemaKind::AllOf { all_of } if substantive(all_of).len() == 1 => {
                match substantive(all_of).first() {
                    // Borrowed, not cloned: a clone of a deep schema recurses as deep.
                    Some(only) => self.shape(only, hint),
                    None => Shape::Json,
                }
            }
            SchemaKind::AllOf { .. } => Shape::Named(self.define(hint, schema)),
            SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
                let non_null: Vec<&ReferenceOr<Schema>> =
                    members.iter().filter(|m| !self.is_null(m)).collect();
                match non_null.as_slice() {
                    [] => Shape::Json,
                    [only] => {
                        let shape = self.shape(only, hint);
                        if non_null.len() < members.len() { Shape::Nullable(Box::new(shape)) } else { shape }
                    }
                    _ => {
                        let shape = Shape::Named(self.define(hint, schema));
                        if non_null.len() < members.len() { Shape::Nullable(Box::new(shape)) } else { shape }
                    }
                }
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => Shape::Named(self.define(hint, schema)),
            SchemaKind::Any(_) | SchemaKind::Not { .. } => Shape::Json,
        }
    }

    fn is_null(&self, schema: &ReferenceOr<Schema>) -> bool {
        matches!(schema, ReferenceOr::Item(s) if s.schema_data.extensions.contains_key(EXT_NULL))
    }

    fn additional(&mut self, additional: Option<&AdditionalProperties>, hint: &str) -> Shape {
        match additional {
            Some(AdditionalProperties::Schema(schema)) => self.shape(schema, &format!("{hint}Value")),
            _ => Shape::Json,
        }
    }

    /// What a schema that gets its own name is: struct, enum, union or alias.
    fn kind_of(&mut self, schema: &Schema, name: &str) -> (TypeKind, Docs, bool) {
        let docs = Docs::of(schema);
        let deprecated = schema.schema_data.deprecated;
        if let Some(serde_json::Value::Array(types)) = schema.schema_data.extensions.get(EXT_TYPES) {
            // `type: [string, integer]`: an untagged union of the listed types.
            let mut namer = Namer::default();
            let members = types
                .iter()
                .filter_map(serde_json::Value::as_str)
                .map(|name| {
                    let shape = match name {
                        "string" => Shape::String,
                        "integer" => Shape::I64,
                        "number" => Shape::F64,
                        "boolean" => Shape::Bool,
                        "array" => Shape::Vec(Box::new(Shape::Json)),
                        _ => Shape::Map(Box::new(Shape::Json)),
                    };
                    let rust_name = namer.claim(&type_name(name));
                    UnionMember { rust_name, shape }
                })
                .collect();
            return (TypeKind::Union { members, discriminator: None }, docs, deprecated);
        }
        let kind = match &schema.schema_kind {
            SchemaKind::Type(Type::String(string)) if !string.enumeration.is_empty() => {
                let mut namer = Namer::with_reserved(&["Other"]);
                let mut seen = BTreeSet::new();
                let variants = string
                    .enumeration
                    .iter()
                    .flatten()
                    .filter(|value| seen.insert((*value).clone()))
                    .map(|value| Variant { rust_name: namer.claim(&type_name(value)), wire_value: value.clone() })
                    .collect();
                TypeKind::Enum { variants }
            }
            SchemaKind::Type(Type::Integer(integer)) if integer.enumeration.iter().flatten().next().is_some() => {
                value_enum(integer.enumeration.iter().flatten().map(|v| serde_json::Value::from(*v)))
            }
            SchemaKind::Type(Type::Number(number)) if number.enumeration.iter().flatten().next().is_some() => {
                value_enum(number.enumeration.iter().flatten().map(|v| serde_json::Value::from(*v)))
            }
            SchemaKind::Any(any) if any.properties.is_empty() && !any.enumeration.is_empty() => {
                value_enum(any.enumeration.iter().filter(|v| !v.is_null()).cloned())
            }
            SchemaKind::Type(Type::Object(object)) if !object.properties.is_empty() => {
                let mut fields = self.fields(object.properties.iter(), &object.required, name);
                self.additional_field(&mut fields, object.additional_properties.as_ref(), &schema.schema_data.extensions, name);
                TypeKind::Struct { fields }
            }
            SchemaKind::Any(any) if !any.properties.is_empty() => {
                let mut fields = self.fields(any.properties.iter(), &any.required, name);
                self.additional_field(&mut fields, any.additional_properties.as_ref(), &schema.schema_data.extensions, name);
                TypeKind::Struct { fields }
            }
            SchemaKind::AllOf { all_of } if substantive(all_of).len() == 1 => {
                // A wrapper around one schema (often to add a description): an alias.
                let only = substantive(all_of).first().copied();
                TypeKind::Alias(only.map(|m| self.shape(m, &format!("{name}Inner"))).unwrap_or(Shape::Json))
            }
            SchemaKind::AllOf { all_of } => self.merge_all_of(all_of, name),
            SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
                let mut namer = Namer::with_reserved(&["Unknown"]);
                let non_null: Vec<&ReferenceOr<Schema>> = members.iter().filter(|m| !self.is_null(m)).collect();
                if let [only] = non_null.as_slice() {
                    // One real member, maybe with `null`: an alias, optional where null is allowed.
                    let shape = self.shape(only, &format!("{name}Inner"));
                    let shape = if members.len() > 1 { Shape::Nullable(Box::new(shape)) } else { shape };
                    return (TypeKind::Alias(shape), docs, deprecated);
                }
                let mut union = Vec::new();
                let mut references = Vec::new();
                for (index, member) in non_null.into_iter().enumerate() {
                    let shape = self.shape(member, &format!("{name}Variant{index}"));
                    let rust_name = namer.claim(&self.variant_name(&shape, index));
                    union.push(UnionMember { rust_name, shape });
                    references.push(match member {
                        ReferenceOr::Reference { reference } => Some(reference.clone()),
                        ReferenceOr::Item(_) => None,
                    });
                }
                let discriminator = schema.schema_data.discriminator.as_ref().map(|d| discriminator_of(d, &references));
                TypeKind::Union { members: union, discriminator }
            }
            _ => {
                // Not a struct, enum or union: an alias to the inline shape, which must not
                // define a type under this same name again.
                let hint = format!("{name}Inner");
                TypeKind::Alias(self.inline(schema, &hint))
            }
        };
        (kind, docs, deprecated)
    }

    fn variant_name(&self, shape: &Shape, index: usize) -> String {
        match shape {
            Shape::Named(id) => self.space.types.get(id.0).map(|d| d.name.clone()).unwrap_or_default(),
            Shape::String => "String".to_owned(),
            Shape::Bool => "Bool".to_owned(),
            Shape::I32 | Shape::I64 | Shape::U32 | Shape::U64 => "Integer".to_owned(),
            Shape::DateTime => "DateTime".to_owned(),
            Shape::Date => "Date".to_owned(),
            Shape::Time => "Time".to_owned(),
            Shape::Uuid => "Uuid".to_owned(),
            Shape::Base64 => "Bytes".to_owned(),
            Shape::Binary => "File".to_owned(),
            Shape::F32 | Shape::F64 => "Number".to_owned(),
            Shape::Vec(_) => "List".to_owned(),
            Shape::Map(_) => "Map".to_owned(),
            Shape::Tuple(_) => "Tuple".to_owned(),
            _ => format!("Variant{index}"),
        }
    }

    fn fields<'p>(
        &mut self,
        properties: impl Iterator<Item = (&'p String, &'p ReferenceOr<Box<Schema>>)>,
        required: &[String],
        owner: &str,
    ) -> Vec<Field> {
        let mut namer = Namer::default();
        let required: std::collections::HashSet<&str> = required.iter().map(String::as_str).collect();
        properties
            .map(|(wire_name, schema)| {
                let hint = format!("{owner}{}", type_name(wire_name));
                let mut shape = self.boxed_shape(schema, &hint);
                let (docs, deprecated, mut nullable, access) = match schema {
                    ReferenceOr::Item(schema) => {
                        let access = match (schema.schema_data.read_only, schema.schema_data.write_only) {
                            (true, false) => Access::ReadOnly,
                            (false, true) => Access::WriteOnly,
                            _ => Access::ReadWrite,
                        };
                        (Docs::of(schema), schema.schema_data.deprecated, schema.schema_data.nullable, access)
                    }
                    ReferenceOr::Reference { .. } => (Docs::default(), false, false, Access::ReadWrite),
                };
                if let Shape::Nullable(inner) = shape {
                    shape = *inner;
                    nullable = true;
                }
                // As the spec says; the emitter relaxes it for read-only and write-only
                // properties by the directions their type is used in.
                let required = required.contains(wire_name.as_str());
                Field {
                    rust_name: namer.claim(&snake_name(wire_name)),
                    wire_name: wire_name.to_string(),
                    shape,
                    required,
                    nullable,
                    docs,
                    deprecated,
                    flatten: false,
                    access,
                }
            })
            .collect()
    }

    /// Adds a flattened map for `additionalProperties` (typed or `true`) or `patternProperties`
    /// beside named properties.
    fn additional_field(
        &mut self,
        fields: &mut Vec<Field>,
        additional: Option<&AdditionalProperties>,
        extensions: &indexmap::IndexMap<String, serde_json::Value>,
        owner: &str,
    ) {
        let value = match additional {
            Some(AdditionalProperties::Schema(schema)) => self.shape(schema, &format!("{owner}Value")),
            Some(AdditionalProperties::Any(true)) => Shape::Json,
            Some(AdditionalProperties::Any(false)) => return,
            None => match extensions.get(crate::normalize::EXT_PATTERN_PROPERTIES) {
                Some(serde_json::Value::Object(patterns)) if patterns.len() == 1 => {
                    match patterns.values().next().cloned().map(serde_json::from_value::<ReferenceOr<Schema>>) {
                        Some(Ok(schema)) => self.shape(&schema, &format!("{owner}Value")),
                        _ => Shape::Json,
                    }
                }
                Some(serde_json::Value::Object(_)) => Shape::Json,
                _ => return,
            },
        };
        let taken: Vec<&str> = fields.iter().map(|f| f.rust_name.as_str()).collect();
        let mut namer = Namer::with_reserved(&taken);
        fields.push(Field {
            rust_name: namer.claim("additional_properties"),
            wire_name: String::new(),
            shape: Shape::Map(Box::new(value)),
            required: true,
            nullable: false,
            docs: Docs {
                description: Some("Properties not named above.".to_owned()),
                ..Docs::default()
            },
            deprecated: false,
            flatten: true,
            access: Access::ReadWrite,
        });
    }

    /// A parent schema with a discriminator that its children `allOf`: a union of the children.
    fn parent_union(&mut self, schema: &Schema, children: &[String]) -> (TypeKind, Docs, bool) {
        let mut namer = Namer::with_reserved(&["Unknown"]);
        let mut members = Vec::new();
        let mut references = Vec::new();
        for child in children {
            let reference = format!("#/components/schemas/{}", escape(child));
            let shape = self.reference(&reference);
            let rust_name = namer.claim(&self.variant_name(&shape, members.len()));
            members.push(UnionMember { rust_name, shape });
            references.push(Some(reference));
        }
        let discriminator = schema.schema_data.discriminator.as_ref().map(|d| discriminator_of(d, &references));
        (TypeKind::Union { members, discriminator }, Docs::of(schema), schema.schema_data.deprecated)
    }

    /// `allOf`: the properties and `required` lists of every object member, merged. Members
    /// are walked by reference, never copied, and the properties copied count against a
    /// budget for the whole document.
    fn merge_all_of<'m>(&mut self, members: &'m [ReferenceOr<Schema>], name: &str) -> TypeKind
    where
        'a: 'm,
    {
        let components: &'m ComponentSchemas = self.components;
        let mut properties: indexmap::IndexMap<&'m String, &'m ReferenceOr<Box<Schema>>> = indexmap::IndexMap::new();
        let mut required: Vec<String> = Vec::new();
        let mut pending: Vec<&'m ReferenceOr<Schema>> = members.iter().rev().collect();
        let mut visited: BTreeSet<&'m str> = BTreeSet::new();
        let mut copied = 0usize;
        while let Some(member) = pending.pop() {
            let schema = match member {
                ReferenceOr::Reference { reference } => {
                    if !visited.insert(reference.as_str()) {
                        continue;
                    }
                    match component_in(components, reference) {
                        Some(ReferenceOr::Item(schema)) => schema,
                        Some(target @ ReferenceOr::Reference { .. }) => {
                            pending.push(target);
                            continue;
                        }
                        None => continue,
                    }
                }
                ReferenceOr::Item(schema) => schema,
            };
            let (own, own_required) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(object)) => (&object.properties, &object.required),
                SchemaKind::Any(any) => (&any.properties, &any.required),
                SchemaKind::AllOf { all_of } => {
                    pending.extend(all_of.iter().rev());
                    continue;
                }
                _ => continue,
            };
            copied = copied.saturating_add(own.len()).saturating_add(own_required.len());
            if copied > self.merge_budget {
                self.diagnostics.push(
                    Diagnostic::warning(
                        format!(
                            "`allOf` of `{name}` expands beyond {ALL_OF_PROPERTY_BUDGET} properties over the document; using a JSON value"
                        ),
                        self.here(),
                    )
                    .with_help("schemas that each `allOf` the next copy every property down the chain: share the properties through a `$ref` instead"),
                );
                self.merge_budget = 0;
                return TypeKind::Alias(Shape::Json);
            }
            properties.extend(own.iter());
            required.extend(own_required.iter().cloned());
        }
        self.merge_budget -= copied;
        if properties.is_empty() {
            return TypeKind::Alias(Shape::Json);
        }
        TypeKind::Struct { fields: self.fields(properties.into_iter(), &required, name) }
    }

    /// Boxes fields whose type would otherwise contain itself, and shares inline types that
    /// have the same shape: later copies become aliases of the first.
    pub(crate) fn finish(mut self) -> (TypeSpace, Diagnostics) {
        let components = self.space.by_reference.len();
        let mut first_of: std::collections::HashMap<(TypeKind, Docs), usize> = std::collections::HashMap::new();
        for index in components..self.space.types.len() {
            let def = &self.space.types[index];
            if matches!(def.kind, TypeKind::Alias(_)) {
                continue;
            }
            let key = (def.kind.clone(), def.docs.clone());
            match first_of.get(&key) {
                Some(first) => self.space.types[index].kind = TypeKind::Alias(Shape::Named(TypeId(*first))),
                None => {
                    first_of.insert(key, index);
                }
            }
        }
        // An alias that leads back to itself (`A = B`, `B = Vec<A>`) cannot be a Rust type
        // alias; the first alias of such a cycle becomes a JSON value.
        let mut cut = self_defined_aliases(&self.space.types);
        cut.sort_unstable();
        if !cut.is_empty() {
            let references: std::collections::HashMap<usize, &String> =
                self.space.by_reference.iter().map(|(reference, id)| (id.0, reference)).collect();
            for &index in &cut {
                let Some(def) = self.space.types.get_mut(index) else { continue };
                let pointer = references
                    .get(&index)
                    .map(|reference| reference.trim_start_matches('#').to_owned())
                    .unwrap_or_else(|| "/components/schemas".to_owned());
                self.diagnostics.push(Diagnostic::warning(
                    format!("schema `{}` is defined only in terms of itself; using a JSON value", def.name),
                    Some(crate::diagnostic::Location::pointer_only(pointer)),
                ));
                def.kind = TypeKind::Alias(Shape::Json);
            }
        }
        // A field is boxed when its type contains the owner again without indirection: when
        // both are in the same strongly connected component of the "contains directly" graph.
        let count = self.space.types.len();
        let direct: Vec<Vec<usize>> = self
            .space
            .types
            .iter()
            .map(|def| direct_children(&def.kind).into_iter().filter(|&child| child < count).collect())
            .collect();
        let component = strongly_connected(&direct);
        for (index, def) in self.space.types.iter_mut().enumerate() {
            let owner = component.get(index);
            let same_component = |id: usize| component.get(id) == owner;
            match &mut def.kind {
                TypeKind::Struct { fields } => {
                    for field in fields {
                        box_if_cyclic(&mut field.shape, &same_component);
                    }
                }
                TypeKind::Union { members, .. } => {
                    for member in members {
                        box_if_cyclic(&mut member.shape, &same_component);
                    }
                }
                TypeKind::Alias(_) | TypeKind::Enum { .. } | TypeKind::ValueEnum { .. } => {}
            }
        }
        (self.space, self.diagnostics)
    }
}

/// The members of an `allOf` that say something about the value's shape; members with only
/// docs or `nullable` decorate the others.
fn substantive(members: &[ReferenceOr<Schema>]) -> Vec<&ReferenceOr<Schema>> {
    members
        .iter()
        .filter(|member| match member {
            ReferenceOr::Reference { .. } => true,
            ReferenceOr::Item(schema) => !matches!(&schema.schema_kind, SchemaKind::Any(any) if *any == openapiv3::AnySchema::default()),
        })
        .collect()
}

fn component_in<'c>(components: &'c ComponentSchemas, reference: &str) -> Option<&'c ReferenceOr<Schema>> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    components.get(&unescape_pointer_segment(name))
}

fn escape(name: &str) -> String {
    crate::diagnostic::escape_pointer_segment(name)
}

/// Named types a kind contains without indirection (not through `Vec`, map or `Box`).
fn direct_children(kind: &TypeKind) -> BTreeSet<usize> {
    fn visit(shape: &Shape, out: &mut BTreeSet<usize>) {
        match shape {
            Shape::Named(id) => {
                out.insert(id.0);
            }
            Shape::Nullable(inner) => visit(inner, out),
            Shape::Tuple(items) => items.iter().for_each(|item| visit(item, out)),
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    match kind {
        TypeKind::Struct { fields } => fields.iter().for_each(|f| visit(&f.shape, &mut out)),
        TypeKind::Union { members, .. } => members.iter().for_each(|m| visit(&m.shape, &mut out)),
        TypeKind::Alias(shape) => visit(shape, &mut out),
        TypeKind::Enum { .. } | TypeKind::ValueEnum { .. } => {}
    }
    out
}

/// Named types a shape mentions, through any type constructor.
fn named_in(shape: &Shape, out: &mut Vec<usize>) {
    match shape {
        Shape::Named(id) => out.push(id.0),
        Shape::Vec(inner) | Shape::Map(inner) | Shape::Nullable(inner) | Shape::Boxed(inner) => named_in(inner, out),
        Shape::Tuple(items) => items.iter().for_each(|item| named_in(item, out)),
        _ => {}
    }
}

/// The aliases that must become JSON values so that no alias names itself through aliases
/// and type constructors: visiting aliases in index order, each one that still lies on such a
/// cycle is cut. Cycles lie within strongly connected components, so each round cuts the
/// first alias of every cyclic component and looks again only inside those components.
fn self_defined_aliases(types: &[TypeDef]) -> Vec<usize> {
    let count = types.len();
    let mut edges: Vec<Vec<usize>> = types
        .iter()
        .map(|def| {
            let mut out = Vec::new();
            if let TypeKind::Alias(shape) = &def.kind {
                named_in(shape, &mut out);
            }
            out.retain(|&id| id < count);
            out
        })
        .collect();
    let mut cut = Vec::new();
    loop {
        let component = strongly_connected(&edges);
        let mut sizes = std::collections::HashMap::new();
        for &c in &component {
            *sizes.entry(c).or_insert(0usize) += 1;
        }
        // The first node of each cyclic component, in index order.
        let mut first_of: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
        let mut cyclic = vec![false; count];
        for (node, &c) in component.iter().enumerate() {
            let self_loop = edges.get(node).is_some_and(|e| e.contains(&node));
            if sizes.get(&c).copied().unwrap_or(0) > 1 || self_loop {
                cyclic[node] = true;
                first_of.entry(c).or_insert(node);
            }
        }
        if first_of.is_empty() {
            return cut;
        }
        for &node in first_of.values() {
            cut.push(node);
            if let Some(out) = edges.get_mut(node) {
                out.clear();
            }
        }
        // Nodes outside cyclic components can never join a cycle again.
        for (node, out) in edges.iter_mut().enumerate() {
            if !cyclic[node] {
                out.clear();
            }
        }
    }
}

/// The strongly connected component of each node (Tarjan's algorithm, iterative so that long
/// chains cannot exhaust the stack). Edges to nodes out of range are ignored.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<usize> {
    const UNSEEN: usize = usize::MAX;
    let count = edges.len();
    let mut order = vec![UNSEEN; count];
    let mut low = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut component = vec![UNSEEN; count];
    let mut stack = Vec::new();
    let mut work: Vec<(usize, usize)> = Vec::new();
    let (mut next_order, mut next_component) = (0, 0);
    for root in 0..count {
        if order[root] != UNSEEN {
            continue;
        }
        work.push((root, 0));
        while let Some(&(node, position)) = work.last() {
            if position == 0 && order[node] == UNSEEN {
                order[node] = next_order;
                low[node] = next_order;
                next_order += 1;
                stack.push(node);
                on_stack[node] = true;
            }
            match edges[node].get(position).copied() {
                Some(child) => {
                    if let Some(top) = work.last_mut() {
                        top.1 += 1;
                    }
                    if child >= count {
                        continue;
                    }
                    if order[child] == UNSEEN {
                        work.push((child, 0));
                    } else if on_stack[child] {
                        low[node] = low[node].min(order[child]);
                    }
                }
                None => {
                    work.pop();
                    if let Some(&(parent, _)) = work.last() {
                        low[parent] = low[parent].min(low[node]);
                    }
                    if low[node] == order[node] {
                        while let Some(member) = stack.pop() {
                            on_stack[member] = false;
                            component[member] = next_component;
                            if member == node {
                                break;
                            }
                        }
                        next_component += 1;
                    }
                }
            }
        }
    }
    component
}

fn box_if_cyclic(shape: &mut Shape, reaches_back: &dyn Fn(usize) -> bool) {
    match shape {
        Shape::Named(id) if reaches_back(id.0) => *shape = Shape::Boxed(Box::new(shape.clone())),
        Shape::Nullable(inner) => box_if_cyclic(inner, reaches_back),
        Shape::Tuple(items) => items.iter_mut().for_each(|item| box_if_cyclic(item, reaches_back)),
        _ => {}
    }
}

impl TypeSpace {
    /// Points the component references at the types' new ids after types were dropped
    /// (`new_ids[old]`), forgetting the dropped ones.
    pub(crate) fn remap_references(&mut self, new_ids: &[Option<TypeId>]) {
        self.by_reference.retain(|_, id| match new_ids.get(id.0).copied().flatten() {
            Some(new) => {
                *id = new;
                true
            }
            None => false,
        });
    }

    /// The type with this id.
    pub fn get(&self, id: TypeId) -> Option<&TypeDef> {
        self.types.get(id.0)
    }

    /// Whether values of this shape can derive `Eq` and `Hash` (no floats or JSON inside).
    /// For many shapes, compute [`TypeSpace::hashable_types`] once and use
    /// [`TypeSpace::is_hashable_with`].
    pub fn is_hashable(&self, shape: &Shape) -> bool {
        self.is_hashable_with(shape, &self.hashable_types())
    }

    /// [`TypeSpace::is_hashable`] with the table of [`TypeSpace::hashable_types`].
    pub fn is_hashable_with(&self, shape: &Shape, hashable_types: &[bool]) -> bool {
        let mut named = Vec::new();
        !shape_has_unhashable_leaf(shape, &mut named) && named.iter().all(|id| hashable_types.get(*id).copied().unwrap_or(false))
    }

    /// For each type, whether it can derive `Eq` and `Hash`: whether no float, JSON value,
    /// discriminated union or value enum is reachable from it. Linear in the type space (a
    /// search per type would be quadratic on long chains of types).
    pub fn hashable_types(&self) -> Vec<bool> {
        let count = self.types.len();
        let mut unhashable = vec![false; count];
        // Who contains each type, to spread "unhashable" from a type to its containers.
        let mut containers: Vec<Vec<usize>> = vec![Vec::new(); count];
        let mut pending = Vec::new();
        for (index, def) in self.types.iter().enumerate() {
            let mut named = Vec::new();
            let local = match &def.kind {
                // Every shape is visited, not only up to the first unhashable one: `named` must
                // list every type contained.
                TypeKind::Struct { fields } => any_unhashable(fields.iter().map(|f| &f.shape), &mut named),
                TypeKind::Union { members, discriminator: None } => any_unhashable(members.iter().map(|m| &m.shape), &mut named),
                TypeKind::Union { discriminator: Some(_), .. } | TypeKind::ValueEnum { .. } => true,
                TypeKind::Alias(shape) => shape_has_unhashable_leaf(shape, &mut named),
                TypeKind::Enum { .. } => false,
            };
            // A name that points nowhere is not hashable either.
            let local = local || named.iter().any(|&id| id >= count);
            for id in named.into_iter().filter(|&id| id < count) {
                containers[id].push(index);
            }
            if local {
                unhashable[index] = true;
                pending.push(index);
            }
        }
        while let Some(index) = pending.pop() {
            for &container in &containers[index] {
                if !unhashable[container] {
                    unhashable[container] = true;
                    pending.push(container);
                }
            }
        }
        unhashable.into_iter().map(|bad| !bad).collect()
    }
}

/// Whether any of `shapes` holds an unhashable leaf, visiting them all.
fn any_unhashable<'s>(shapes: impl Iterator<Item = &'s Shape>, named: &mut Vec<usize>) -> bool {
    let mut any = false;
    for shape in shapes {
        any |= shape_has_unhashable_leaf(shape, named);
    }
    any
}

/// Whether a shape holds a float or JSON value itself (not through named types, which it
/// lists in `named`).
fn shape_has_unhashable_leaf(shape: &Shape, named: &mut Vec<usize>) -> bool {
    match shape {
        Shape::String | Shape::Bool | Shape::I32 | Shape::I64 | Shape::U32 | Shape::U64 => false,
        Shape::DateTime | Shape::Date | Shape::Time | Shape::Uuid | Shape::Base64 | Shape::Binary => false,
        Shape::F32 | Shape::F64 | Shape::Json => true,
        Shape::Map(inner) | Shape::Vec(inner) | Shape::Nullable(inner) | Shape::Boxed(inner) => shape_has_unhashable_leaf(inner, named),
        Shape::Tuple(items) => any_unhashable(items.iter(), named),
        Shape::Named(id) => {
            named.push(id.0);
            false
        }
    }
}
