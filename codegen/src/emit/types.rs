//! The `types` module: one Rust type per IR type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, doc_line, write_doc_comment};
use super::usage::Directions;
use crate::error::Error;
use crate::ident::ident;
use crate::ir::{Access, DateTimeLibrary, Field, Shape, TypeDef, TypeKind, TypeSpace};

/// How to spell a path to the `types` module from where the tokens go.
#[derive(Clone, Copy)]
pub(crate) enum Scope {
    /// Inside `types`.
    Types,
    /// At the generated module's root.
    Root,
    /// Inside a module one level down (`builders`).
    Nested,
}

/// The tokens of a shape's Rust type. Prelude names are safe bare: no generated item takes
/// one (see `ident::PRELUDE`); the rest goes through the module's `__rt` import.
pub(crate) fn shape_tokens(space: &TypeSpace, shape: &Shape, scope: Scope) -> TokenStream {
    let library = space.date_time;
    match shape {
        Shape::String => quote!(String),
        Shape::Bool => quote!(bool),
        Shape::I32 => quote!(i32),
        Shape::I64 => quote!(i64),
        Shape::U32 => quote!(u32),
        Shape::U64 => quote!(u64),
        Shape::Uuid => quote!(__rt::uuid::Uuid),
        Shape::Base64 => quote!(__rt::Base64Bytes),
        Shape::Binary => quote!(__rt::FilePart),
        Shape::DateTime => match library {
            DateTimeLibrary::Chrono => quote!(__rt::chrono::DateTime<__rt::chrono::Utc>),
            DateTimeLibrary::Time => quote!(__rt::DateTime),
        },
        Shape::Date => match library {
            DateTimeLibrary::Chrono => quote!(__rt::chrono::NaiveDate),
            DateTimeLibrary::Time => quote!(__rt::Date),
        },
        Shape::Time => match library {
            DateTimeLibrary::Chrono => quote!(__rt::chrono::NaiveTime),
            DateTimeLibrary::Time => quote!(__rt::Time),
        },
        Shape::F32 => quote!(f32),
        Shape::F64 => quote!(f64),
        Shape::Json => quote!(__rt::serde_json::Value),
        Shape::Named(id) => {
            let name = space.get(*id).map(|d| d.name.as_str()).unwrap_or("Unknown");
            let name = format_ident!("{}", name);
            match scope {
                Scope::Types => quote!(#name),
                Scope::Root => quote!(types::#name),
                Scope::Nested => quote!(super::types::#name),
            }
        }
        Shape::Vec(inner) => {
            let inner = shape_tokens(space, inner, scope);
            quote!(Vec<#inner>)
        }
        Shape::Map(inner) => {
            let inner = shape_tokens(space, inner, scope);
            quote!(__rt::BTreeMap<String, #inner>)
        }
        Shape::Nullable(inner) => {
            let inner = shape_tokens(space, inner, scope);
            quote!(Option<#inner>)
        }
        Shape::Boxed(inner) => {
            let inner = shape_tokens(space, inner, scope);
            quote!(Box<#inner>)
        }
        Shape::Tuple(items) => {
            let items = items.iter().map(|item| shape_tokens(space, item, scope));
            quote!((#(#items,)*))
        }
    }
}

/// A shape's Rust type as text, spelled as [`shape_tokens`] spells it inside `types`.
fn shape_text(space: &TypeSpace, shape: &Shape, out: &mut String) {
    let library = space.date_time;
    let simple = match shape {
        Shape::String => "String",
        Shape::Bool => "bool",
        Shape::I32 => "i32",
        Shape::I64 => "i64",
        Shape::U32 => "u32",
        Shape::U64 => "u64",
        Shape::F32 => "f32",
        Shape::F64 => "f64",
        Shape::Uuid => "__rt::uuid::Uuid",
        Shape::Base64 => "__rt::Base64Bytes",
        Shape::Binary => "__rt::FilePart",
        Shape::Json => "__rt::serde_json::Value",
        Shape::DateTime if library == DateTimeLibrary::Chrono => "__rt::chrono::DateTime<__rt::chrono::Utc>",
        Shape::DateTime => "__rt::DateTime",
        Shape::Date if library == DateTimeLibrary::Chrono => "__rt::chrono::NaiveDate",
        Shape::Date => "__rt::Date",
        Shape::Time if library == DateTimeLibrary::Chrono => "__rt::chrono::NaiveTime",
        Shape::Time => "__rt::Time",
        Shape::Named(id) => space.get(*id).map(|d| d.name.as_str()).unwrap_or("Unknown"),
        Shape::Vec(inner) | Shape::Map(inner) | Shape::Nullable(inner) | Shape::Boxed(inner) => {
            out.push_str(match shape {
                Shape::Vec(_) => "Vec<",
                Shape::Map(_) => "__rt::BTreeMap<String, ",
                Shape::Nullable(_) => "Option<",
                _ => "Box<",
            });
            shape_text(space, inner, out);
            out.push('>');
            return;
        }
        Shape::Tuple(items) => {
            out.push('(');
            for item in items {
                shape_text(space, item, out);
                out.push_str(", ");
            }
            out.push(')');
            return;
        }
    };
    out.push_str(simple);
}

/// The `types` module, as text: structs, string enums and untagged unions are written as calls
/// of the runtime's model macros (one line a field), which prettyplease would print as one
/// run-on token stream; the other items go through prettyplease one by one.
pub(crate) fn types_module(space: &TypeSpace, directions: &[Directions]) -> Result<String, Error> {
    let mut out = String::with_capacity(space.types.len() * 1024);
    out.push_str(&format!(
        "/// Types for the schemas of the spec.\n{}\npub mod types {{\n    #[allow(unused_imports)]\n    use ::specwright_runtime::__private as __rt;\n",
        super::ALLOWED_LINTS
    ));
    let named = union_members_named(space, directions);
    for (index, def) in space.types.iter().enumerate() {
        let direction = directions.get(index).copied().unwrap_or(Directions::BOTH);
        let lists_names = named.get(index).copied().unwrap_or(false);
        match model_text(space, def, direction, lists_names, &mut out) {
            Some(()) => {}
            None => {
                super::push_items(&mut out, type_item(space, def, direction), || format!("type `{}`", def.name))?;
            }
        }
    }
    out.push_str("}\n");
    Ok(out)
}

const INDENT: &str = "    ";
const INNER_INDENT: &str = "        ";
const FIELD_INDENT: &str = "            ";

/// The head of a model macro call up to the item's opening brace: the macro, the serde
/// direction, the derives, the docs and `pub struct Name {` (or `enum`). Structs and unions get
/// no `Eq` or `Hash`: for a big API those two derives alone cost more compile time than all the
/// others. String enums take only `Debug` and `Clone`: their macro compares, hashes and orders
/// them by wire value.
struct MacroHead<'a> {
    macro_name: &'a str,
    keyword: &'a str,
    partial_eq: bool,
    default: bool,
}

impl MacroHead<'_> {
    fn write(&self, out: &mut String, direction: Directions, docs: [Option<&str>; 3], name: &str) {
        out.push_str(INDENT);
        out.push_str("__rt::");
        out.push_str(self.macro_name);
        out.push_str("! {\n");
        out.push_str(INNER_INDENT);
        out.push_str(direction.word());
        out.push('\n');
        out.push_str(INNER_INDENT);
        out.push_str("#[derive(Debug, Clone");
        if self.partial_eq {
            out.push_str(", PartialEq");
        }
        if self.default {
            out.push_str(", Default");
        }
        out.push_str(")]\n");
        write_doc_comment(out, INNER_INDENT, docs);
        out.push_str(INNER_INDENT);
        out.push_str("pub ");
        out.push_str(self.keyword);
        out.push(' ');
        out.push_str(name);
        out.push_str(" {\n");
    }
}

pub(crate) fn string_literal(text: &str) -> String {
    proc_macro2::Literal::string(text).to_string()
}

/// The struct a union member holds (directly or boxed), if it is one.
fn member_struct(space: &TypeSpace, shape: &Shape) -> Option<crate::ir::TypeId> {
    match shape {
        Shape::Named(id) if matches!(space.get(*id).map(|def| &def.kind), Some(TypeKind::Struct { .. })) => Some(*id),
        Shape::Boxed(inner) => member_struct(space, inner),
        _ => None,
    }
}

/// By id, the structs that a received untagged union holds: they list their wire names
/// (`WIRE_NAMES`), by which the union picks the member that fits an object best.
fn union_members_named(space: &TypeSpace, directions: &[Directions]) -> Vec<bool> {
    let mut named = vec![false; space.types.len()];
    for (index, def) in space.types.iter().enumerate() {
        let received = directions.get(index).is_none_or(|direction| direction.deserialize);
        let TypeKind::Union { members, discriminator: None } = &def.kind else { continue };
        if !received {
            continue;
        }
        for id in members.iter().filter_map(|member| member_struct(space, &member.shape)) {
            if let Some(flag) = named.get_mut(id.0) {
                *flag = true;
            }
        }
    }
    named
}

/// Writes a struct, string enum or untagged union as a model macro call; `None` for other kinds.
/// `lists_names`: the struct is a member of a received untagged union and lists its wire names.
fn model_text(space: &TypeSpace, def: &TypeDef, direction: Directions, lists_names: bool, out: &mut String) -> Option<()> {
    let deprecated = def.deprecated.then_some("**Deprecated.**");
    let type_docs = [def.docs.title.as_deref(), def.docs.description.as_deref(), deprecated];
    let inner = INNER_INDENT;
    let name = ident(&def.name).to_string();
    match &def.kind {
        TypeKind::Struct { fields } => {
            let kinds: Vec<Option<FieldKind>> = fields.iter().map(|field| field_kind(field, direction)).collect();
            let kept = || fields.iter().zip(&kinds).filter_map(|(field, kind)| Some((field, (*kind)?)));
            let default = kept().all(|(field, kind)| kind != FieldKind::Req || field.flatten);
            let head = MacroHead { macro_name: "model_struct", keyword: "struct", partial_eq: true, default };
            head.write(out, direction, type_docs, &name);
            let mut extra = None;
            for (field, kind) in kept() {
                if field.flatten {
                    extra = Some(field);
                    continue;
                }
                write_field_docs(out, field);
                out.push_str(FIELD_INDENT);
                out.push_str("pub ");
                out.push_str(&ident(&field.rust_name).to_string());
                out.push_str(": ");
                kind.write_type(space, &field.shape, out);
                out.push_str(" => ");
                out.push_str(kind.word());
                out.push(' ');
                out.push_str(&string_literal(&field.wire_name));
                out.push_str(",\n");
            }
            out.push_str(inner);
            out.push_str("}\n");
            if let Some(field) = extra {
                out.push_str(inner);
                out.push_str("extra\n");
                write_doc_comment(out, inner, [field.docs.description.as_deref()]);
                out.push_str(inner);
                out.push_str("pub ");
                out.push_str(&ident(&field.rust_name).to_string());
                out.push_str(": ");
                shape_text(space, &field.shape, out);
                out.push_str(";\n");
            }
            out.push_str(INDENT);
            out.push_str("}\n");
            let fields: Vec<(&Field, FieldKind)> = kept().collect();
            write_struct_impl(space, &name, &fields, direction, lists_names, out);
            return Some(());
        }
        TypeKind::Enum { variants } => {
            let head = MacroHead { macro_name: "model_string_enum", keyword: "enum", partial_eq: false, default: false };
            head.write(out, direction, type_docs, &name);
            for variant in variants {
                let doc = doc_line(&format!("`{}`", variant.wire_value));
                write_doc_comment(out, FIELD_INDENT, [Some(doc.as_str())]);
                out.push_str(FIELD_INDENT);
                out.push_str(&format_ident!("{}", variant.rust_name).to_string());
                out.push_str(" = ");
                out.push_str(&string_literal(&variant.wire_value));
                out.push_str(",\n");
            }
            out.push_str(inner);
            out.push_str("}\n");
        }
        TypeKind::Union { members, discriminator: None } => {
            let head = MacroHead { macro_name: "model_union", keyword: "enum", partial_eq: true, default: false };
            head.write(out, direction, type_docs, &name);
            for member in members {
                out.push_str(FIELD_INDENT);
                out.push_str(&format_ident!("{}", member.rust_name).to_string());
                out.push('(');
                shape_text(space, &member.shape, out);
                out.push(')');
                if let Some(id) = member_struct(space, &member.shape).filter(|_| direction.deserialize) {
                    out.push_str(" names ");
                    out.push_str(space.get(id).map(|def| def.name.as_str()).unwrap_or("Unknown"));
                    out.push_str("::WIRE_NAMES");
                }
                out.push_str(",\n");
            }
            out.push_str(inner);
            out.push_str("}\n");
        }
        TypeKind::Alias(shape) => {
            write_doc_comment(out, INDENT, type_docs);
            out.push_str(INDENT);
            out.push_str("pub type ");
            out.push_str(&name);
            out.push_str(" = ");
            shape_text(space, shape, out);
            out.push_str(";\n");
            return Some(());
        }
        TypeKind::Union { discriminator: Some(_), .. } | TypeKind::ValueEnum { .. } => return None,
    }
    out.push_str(INDENT);
    out.push_str("}\n");
    Some(())
}

/// How a field is written into its type's model macro call, for the directions the type is
/// used in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldKind {
    /// Required, not nullable: `T`.
    Req,
    /// Required and nullable: `Option<T>`, always sent.
    Null,
    /// Optional: `Option<T>`, left out when `None`.
    Opt,
    /// Optional and nullable with three states: `Option<Option<T>>`.
    OptNull,
    /// Read-only in a type that is also sent: `Option<T>`, never written.
    ReadOnly,
}

impl FieldKind {
    /// The kind's word in the model macros.
    fn word(self) -> &'static str {
        match self {
            Self::Req => "req",
            Self::Null => "null",
            Self::Opt => "opt",
            Self::OptNull => "opt_null",
            Self::ReadOnly => "ro",
        }
    }

    /// The field's Rust type for a value of `shape`.
    fn write_type(self, space: &TypeSpace, shape: &Shape, out: &mut String) {
        let wrappers = match self {
            Self::Req => 0,
            Self::OptNull => 2,
            Self::Null | Self::Opt | Self::ReadOnly => 1,
        };
        out.push_str(&"Option<".repeat(wrappers));
        shape_text(space, shape, out);
        out.push_str(&">".repeat(wrappers));
    }
}

/// A field's kind in a type used in `direction`, or `None` when the field is left out:
/// - a read-only field is left out of a type that is only sent, and a write-only one out of a
///   type that is only received; in those types the other fields are required as the spec says;
/// - in a type that is both sent and received, a read-only field is `Option<T>` and never
///   written, a write-only one optional;
/// - an optional nullable field has three states only where `direction.three_state` says so.
pub(crate) fn field_kind(field: &Field, direction: Directions) -> Option<FieldKind> {
    let sent_only = direction.serialize && !direction.deserialize;
    let received_only = direction.deserialize && !direction.serialize;
    let optional = if field.nullable && direction.three_state { FieldKind::OptNull } else { FieldKind::Opt };
    Some(match (field.access, field.required, field.nullable) {
        (Access::ReadOnly, ..) if sent_only => return None,
        (Access::WriteOnly, ..) if received_only => return None,
        (Access::ReadOnly, ..) if !received_only => FieldKind::ReadOnly,
        (Access::WriteOnly, ..) if !sent_only => optional,
        (_, true, false) => FieldKind::Req,
        (_, true, true) => FieldKind::Null,
        (_, false, _) => optional,
    })
}

/// The `impl` after a struct's macro call, if it needs one: `new` taking the required fields,
/// for a type that is sent and cannot derive `Default`; and, for each optional field with a
/// scalar default, an accessor of the same name that applies it.
fn write_struct_impl(
    space: &TypeSpace,
    name: &str,
    fields: &[(&Field, FieldKind)],
    direction: Directions,
    lists_names: bool,
    out: &mut String,
) {
    let required: Vec<&Field> =
        fields.iter().filter(|(field, kind)| *kind == FieldKind::Req && !field.flatten).map(|(field, _)| *field).collect();
    let constructor = direction.serialize && !required.is_empty();
    let defaults: Vec<(&Field, String, String)> = fields
        .iter()
        .filter(|(field, kind)| *kind == FieldKind::Opt && !(constructor && field.rust_name == "new"))
        .filter_map(|(field, _)| {
            let (ty, body) = default_accessor(space, field)?;
            Some((*field, ty, body))
        })
        .collect();
    if !constructor && defaults.is_empty() && !lists_names {
        return;
    }
    out.push_str(INDENT);
    out.push_str("impl ");
    out.push_str(name);
    out.push_str(" {\n");
    if lists_names {
        out.push_str(INNER_INDENT);
        out.push_str("/// The names of the fields on the wire, by which an untagged union tells its members apart.\n");
        out.push_str(INNER_INDENT);
        out.push_str("pub const WIRE_NAMES: &[&str] = &[");
        let names: Vec<String> = fields.iter().filter(|(field, _)| !field.flatten).map(|(field, _)| string_literal(&field.wire_name)).collect();
        out.push_str(&names.join(", "));
        out.push_str("];\n");
    }
    if constructor {
        // One short line: the README shows how to set the rest (`..Type::new(..)`).
        out.push_str(INNER_INDENT);
        out.push_str("/// From the required fields; the others are `None`.\n");
        out.push_str(INNER_INDENT);
        out.push_str("pub fn new(");
        for (index, field) in required.iter().enumerate() {
            if index > 0 {
                out.push_str(", ");
            }
            out.push_str(&ident(&field.rust_name).to_string());
            out.push_str(": impl Into<");
            shape_text(space, &field.shape, out);
            out.push('>');
        }
        out.push_str(") -> Self {\n");
        out.push_str(FIELD_INDENT);
        out.push_str("Self {\n");
        for (field, kind) in fields {
            let rust_name = ident(&field.rust_name).to_string();
            out.push_str(FIELD_INDENT);
            out.push_str(INDENT);
            out.push_str(&rust_name);
            match (kind, field.flatten) {
                (_, true) => out.push_str(": Default::default(),\n"),
                (FieldKind::Req, false) => {
                    out.push_str(": ");
                    out.push_str(&rust_name);
                    out.push_str(".into(),\n");
                }
                _ => out.push_str(": None,\n"),
            }
        }
        out.push_str(FIELD_INDENT);
        out.push_str("}\n");
        out.push_str(INNER_INDENT);
        out.push_str("}\n");
    }
    for (field, ty, body) in defaults {
        let default = field_default(space, field).unwrap_or_default();
        write_doc_comment(
            out,
            INNER_INDENT,
            [Some(format!("`{}`, or the server's default `{default}` when it is absent.", field.rust_name).as_str())],
        );
        out.push_str(INNER_INDENT);
        out.push_str("pub fn ");
        out.push_str(&ident(&field.rust_name).to_string());
        out.push_str("(&self) -> ");
        out.push_str(&ty);
        out.push_str(" {\n");
        out.push_str(FIELD_INDENT);
        out.push_str(&body);
        out.push('\n');
        out.push_str(INNER_INDENT);
        out.push_str("}\n");
    }
    out.push_str(INDENT);
    out.push_str("}\n");
}

/// A field's default as JSON text: its own, else the one of the type it refers to.
fn field_default<'a>(space: &'a TypeSpace, field: &'a Field) -> Option<&'a str> {
    field.docs.default.as_deref().or_else(|| match &field.shape {
        Shape::Named(id) => space.get(*id)?.docs.default.as_deref(),
        _ => None,
    })
}

/// The return type and body of the accessor that applies an optional field's default, for
/// defaults a literal can spell: strings, booleans, numbers and string enum values.
fn default_accessor(space: &TypeSpace, field: &Field) -> Option<(String, String)> {
    let default: serde_json::Value = serde_json::from_str(field_default(space, field)?).ok()?;
    let name = format!("self.{}", ident(&field.rust_name));
    let copied = |ty: &str, literal: String| Some((ty.to_owned(), format!("{name}.unwrap_or({literal})")));
    match (&field.shape, &default) {
        (Shape::String, serde_json::Value::String(text)) => {
            Some(("&str".to_owned(), format!("{name}.as_deref().unwrap_or({})", string_literal(text))))
        }
        (Shape::Bool, serde_json::Value::Bool(flag)) => copied("bool", flag.to_string()),
        (Shape::I32, serde_json::Value::Number(n)) => copied("i32", i32::try_from(n.as_i64()?).ok()?.to_string()),
        (Shape::I64, serde_json::Value::Number(n)) => copied("i64", n.as_i64()?.to_string()),
        (Shape::U32, serde_json::Value::Number(n)) => copied("u32", u32::try_from(n.as_u64()?).ok()?.to_string()),
        (Shape::U64, serde_json::Value::Number(n)) => copied("u64", n.as_u64()?.to_string()),
        (Shape::F32 | Shape::F64, serde_json::Value::Number(n)) => {
            let value = n.as_f64().filter(|v| v.is_finite())?;
            let ty = if field.shape == Shape::F32 { "f32" } else { "f64" };
            // `{:?}` keeps a decimal point, so the literal is a float.
            copied(ty, format!("{value:?}{ty}"))
        }
        (Shape::Named(id), serde_json::Value::String(text)) => {
            let def = space.get(*id)?;
            let TypeKind::Enum { variants } = &def.kind else { return None };
            let variant = variants.iter().find(|variant| variant.wire_value == *text)?;
            let ty = ident(&def.name).to_string();
            let variant = format_ident!("{}", variant.rust_name);
            Some((ty.clone(), format!("{name}.clone().unwrap_or({ty}::{variant})")))
        }
        _ => None,
    }
}

fn write_field_docs(out: &mut String, field: &Field) {
    let deprecated = field.deprecated.then_some("**Deprecated.**");
    let access = match field.access {
        Access::ReadOnly => Some("Read-only: sent by the server, never in requests."),
        Access::WriteOnly => Some("Write-only: sent in requests, never returned."),
        Access::ReadWrite => None,
    };
    let constraints = (!field.docs.constraints.is_empty()).then(|| format!("Constraints: {}.", field.docs.constraints.join(", ")));
    let example = field.docs.example.as_ref().map(|e| format!("Example: `{e}`"));
    let default = field.docs.default.as_ref().map(|d| format!("Default (when absent): `{d}`"));
    write_doc_comment(
        out,
        FIELD_INDENT,
        [
            field.docs.title.as_deref(),
            field.docs.description.as_deref(),
            constraints.as_deref(),
            default.as_deref(),
            example.as_deref(),
            access,
            deprecated,
        ],
    );
}

/// The items prettyplease prints: discriminated unions and value enums, with the serde
/// impls their directions need.
fn type_item(space: &TypeSpace, def: &TypeDef, direction: Directions) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let deprecated = def.deprecated.then_some("**Deprecated.**");
    let docs = doc_attrs([def.docs.title.as_deref(), def.docs.description.as_deref(), deprecated]);
    let serde = quote!(__rt::serde);
    let p = quote!(__rt);
    match &def.kind {
        TypeKind::Union { members, discriminator: Some(discriminator) } => {
            let variants: Vec<_> = members.iter().map(|m| format_ident!("{}", m.rust_name)).collect();
            let shapes = members.iter().map(|m| shape_tokens(space, &m.shape, Scope::Types));
            let property = discriminator.property.as_str();
            let values = discriminator.mapping.iter().map(|(value, _)| value.as_str());
            let targets = discriminator.mapping.iter().filter_map(|(_, index)| variants.get(*index));
            let serialize = direction.serialize.then(|| {
                quote! {
                    impl #serde::Serialize for #name {
                        fn serialize<S: #serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                            match self {
                                #( Self::#variants(value) => #serde::Serialize::serialize(value, serializer), )*
                                Self::Unknown(value) => #serde::Serialize::serialize(value, serializer),
                            }
                        }
                    }
                }
            });
            let deserialize = direction.deserialize.then(|| {
                quote! {
                    impl<'de> #serde::Deserialize<'de> for #name {
                        fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                            let value = <#p::serde_json::Value as #serde::Deserialize>::deserialize(deserializer)?;
                            let tag = value.get(#property).and_then(#p::serde_json::Value::as_str).map(ToOwned::to_owned);
                            match tag.as_deref() {
                                #( Some(#values) => #p::serde_json::from_value(value).map(Self::#targets).map_err(<D::Error as #serde::de::Error>::custom), )*
                                _ => Ok(Self::Unknown(value)),
                            }
                        }
                    }
                }
            });
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq)]
                pub enum #name {
                    #( #variants(#shapes), )*
                    /// A member this client does not know (its discriminator value is new).
                    Unknown(#p::serde_json::Value),
                }

                #serialize
                #deserialize
            }
        }
        TypeKind::ValueEnum { variants } => {
            let idents: Vec<_> = variants.iter().map(|v| format_ident!("{}", v.rust_name)).collect();
            let literals: Vec<TokenStream> = variants.iter().map(|v| value_literal(&v.json)).collect();
            let comparisons: Vec<TokenStream> = variants.iter().map(|v| comparison_literal(&v.json)).collect();
            let docs_values = variants.iter().map(|v| doc_line(&format!(" `{}`", v.json)));
            let serialize = direction.serialize.then(|| {
                quote! {
                    impl #serde::Serialize for #name {
                        fn serialize<S: #serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                            #serde::Serialize::serialize(&self.to_value(), serializer)
                        }
                    }
                }
            });
            let deserialize = direction.deserialize.then(|| {
                quote! {
                    impl<'de> #serde::Deserialize<'de> for #name {
                        fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                            let value = <#p::serde_json::Value as #serde::Deserialize>::deserialize(deserializer)?;
                            #( if value == #comparisons { return Ok(Self::#idents); } )*
                            Ok(Self::Other(value))
                        }
                    }
                }
            });
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq)]
                pub enum #name {
                    #( #[doc = #docs_values] #idents, )*
                    /// A value this client does not know; servers may add values over time.
                    Other(#p::serde_json::Value),
                }

                impl #name {
                    /// The value as sent on the wire.
                    pub fn to_value(&self) -> #p::serde_json::Value {
                        match self {
                            #( Self::#idents => #literals, )*
                            Self::Other(value) => value.clone(),
                        }
                    }
                }

                #serialize
                #deserialize
            }
        }
        // Written as text by `model_text`.
        _ => TokenStream::new(),
    }
}

/// What a JSON value is compared with to find the value whose text is `json`: the scalar
/// itself where `serde_json::Value` compares with it, the built value otherwise.
fn comparison_literal(json: &str) -> TokenStream {
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Bool(flag)) => quote!(#flag),
        Ok(serde_json::Value::String(text)) => quote!(#text),
        Ok(serde_json::Value::Number(number)) if number.as_i64().is_some() => {
            let int = number.as_i64().unwrap_or_default();
            quote!(#int)
        }
        Ok(serde_json::Value::Number(number)) if number.as_u64().is_some() => {
            let uint = number.as_u64().unwrap_or_default();
            quote!(#uint)
        }
        Ok(serde_json::Value::Number(number)) if number.as_f64().is_some() => {
            let float = number.as_f64().unwrap_or_default();
            quote!(#float)
        }
        _ => value_literal(json),
    }
}

/// Tokens that build the JSON value whose text is `json`.
fn value_literal(json: &str) -> TokenStream {
    let p = quote!(__rt);
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Bool(flag)) => quote!(#p::serde_json::Value::Bool(#flag)),
        Ok(serde_json::Value::String(text)) => quote!(#p::serde_json::Value::String(String::from(#text))),
        Ok(serde_json::Value::Number(number)) => {
            if let Some(int) = number.as_i64() {
                quote!(#p::serde_json::Value::from(#int))
            } else if let Some(uint) = number.as_u64() {
                quote!(#p::serde_json::Value::from(#uint))
            } else {
                let float = number.as_f64().unwrap_or_default();
                quote!(#p::serde_json::Value::from(#float))
            }
        }
        _ => quote!(#p::serde_json::from_str::<#p::serde_json::Value>(#json).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    const SPEC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /notes:
    post:
      operationId: createNote
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Note"}
      responses:
        "204": {description: ok}
components:
  schemas:
    Note:
      type: object
      required: [new, text]
      properties:
        new: {type: boolean}
        text: {type: string}
        tag: {type: string, nullable: true}
"##;

    fn generate(double_option: bool) -> String {
        let mut generator = crate::Generator::new("api.yaml");
        generator.loader(crate::MemoryLoader::new().with("api.yaml", SPEC)).double_option(double_option);
        generator.generate_code().map(|generated| generated.code).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn double_option_gives_every_optional_nullable_field_three_states() {
        assert!(generate(false).contains("pub tag: Option<String> => opt \"tag\","));
        assert!(generate(true).contains("pub tag: Option<Option<String>> => opt_null \"tag\","));
    }

    #[test]
    fn a_field_named_new_is_a_constructor_argument_like_any_other() {
        let code = generate(false);
        assert!(code.contains("pub fn new(new: impl Into<bool>, text: impl Into<String>) -> Self {"), "{code}");
    }
}
