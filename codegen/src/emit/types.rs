//! The `types` module: one Rust type per IR type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, doc_line};
use crate::ident::ident;
use crate::ir::{DateTimeLibrary, Field, Shape, TypeDef, TypeKind, TypeSpace};

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

/// The tokens of a shape's Rust type.
pub(crate) fn shape_tokens(space: &TypeSpace, shape: &Shape, scope: Scope) -> TokenStream {
    let p = quote!(::specwright_runtime::__private);
    let library = space.date_time;
    match shape {
        Shape::String => quote!(::std::string::String),
        Shape::Bool => quote!(bool),
        Shape::I32 => quote!(i32),
        Shape::I64 => quote!(i64),
        Shape::U32 => quote!(u32),
        Shape::U64 => quote!(u64),
        Shape::Uuid => quote!(#p::uuid::Uuid),
        Shape::Base64 => quote!(::specwright_runtime::Base64Bytes),
        Shape::Binary => quote!(::specwright_runtime::FilePart),
        Shape::DateTime => match library {
            DateTimeLibrary::Chrono => quote!(#p::chrono::DateTime<#p::chrono::Utc>),
            DateTimeLibrary::Time => quote!(::specwright_runtime::DateTime),
        },
        Shape::Date => match library {
            DateTimeLibrary::Chrono => quote!(#p::chrono::NaiveDate),
            DateTimeLibrary::Time => quote!(::specwright_runtime::Date),
        },
        Shape::Time => match library {
            DateTimeLibrary::Chrono => quote!(#p::chrono::NaiveTime),
            DateTimeLibrary::Time => quote!(::specwright_runtime::Time),
        },
        Shape::F32 => quote!(f32),
        Shape::F64 => quote!(f64),
        Shape::Json => quote!(#p::serde_json::Value),
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
            quote!(::std::vec::Vec<#inner>)
        }
        Shape::Map(inner) => {
            let inner = shape_tokens(space, inner, scope);
            quote!(::std::collections::BTreeMap<::std::string::String, #inner>)
        }
        Shape::Nullable(inner) => {
            let inner = shape_tokens(space, inner, scope);
            quote!(::std::option::Option<#inner>)
        }
        Shape::Boxed(inner) => {
            let inner = shape_tokens(space, inner, scope);
            quote!(::std::boxed::Box<#inner>)
        }
        Shape::Tuple(items) => {
            let items = items.iter().map(|item| shape_tokens(space, item, scope));
            quote!((#(#items,)*))
        }
    }
}

/// The `types` module.
pub(crate) fn types_module(space: &TypeSpace) -> TokenStream {
    let hashable = space.hashable_types();
    let items = space.types.iter().map(|def| type_item(space, def, &hashable));
    quote! {
        /// Types for the schemas of the spec.
        pub mod types {
            #(#items)*
        }
    }
}

fn type_item(space: &TypeSpace, def: &TypeDef, hashable_types: &[bool]) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let deprecated = def.deprecated.then_some("**Deprecated.**");
    let docs = doc_attrs([def.docs.title.as_deref(), def.docs.description.as_deref(), deprecated]);
    let serde = quote!(::specwright_runtime::__private::serde);
    let serde_crate = "::specwright_runtime::__private::serde";
    match &def.kind {
        TypeKind::Struct { fields } => {
            let hashable = fields.iter().all(|f| space.is_hashable_with(&f.shape, hashable_types));
            let eq = hashable.then(|| quote!(Eq, Hash,));
            let all_optional = fields.iter().all(|f| !f.required || f.nullable || f.flatten);
            let default = all_optional.then(|| quote!(Default,));
            let fields = fields.iter().map(|field| field_tokens(space, field));
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, #eq #default #serde::Serialize, #serde::Deserialize)]
                #[serde(crate = #serde_crate)]
                pub struct #name {
                    #(#fields)*
                }
            }
        }
        TypeKind::Enum { variants } => {
            let idents: Vec<_> = variants.iter().map(|v| format_ident!("{}", v.rust_name)).collect();
            let wires: Vec<_> = variants.iter().map(|v| v.wire_value.as_str()).collect();
            let wire_docs = variants.iter().map(|v| doc_line(&format!(" `{}`", v.wire_value)));
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, #serde::Serialize, #serde::Deserialize)]
                #[serde(crate = #serde_crate)]
                pub enum #name {
                    #(
                        #[doc = #wire_docs]
                        #[serde(rename = #wires)]
                        #idents,
                    )*
                    /// A value this client does not know; servers may add values over time.
                    #[serde(untagged)]
                    Other(::std::string::String),
                }

                impl #name {
                    /// The value as sent on the wire.
                    pub fn as_str(&self) -> &str {
                        match self {
                            #( Self::#idents => #wires, )*
                            Self::Other(value) => value.as_str(),
                        }
                    }
                }

                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(self.as_str())
                    }
                }
            }
        }
        TypeKind::Union { members, discriminator: Some(discriminator) } => {
            let variants: Vec<_> = members.iter().map(|m| format_ident!("{}", m.rust_name)).collect();
            let shapes = members.iter().map(|m| shape_tokens(space, &m.shape, Scope::Types));
            let property = discriminator.property.as_str();
            let values = discriminator.mapping.iter().map(|(value, _)| value.as_str());
            let targets = discriminator.mapping.iter().filter_map(|(_, index)| variants.get(*index));
            let p = quote!(::specwright_runtime::__private);
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq)]
                pub enum #name {
                    #( #variants(#shapes), )*
                    /// A member this client does not know (its discriminator value is new).
                    Unknown(#p::serde_json::Value),
                }

                impl #serde::Serialize for #name {
                    fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                        match self {
                            #( Self::#variants(value) => #serde::Serialize::serialize(value, serializer), )*
                            Self::Unknown(value) => #serde::Serialize::serialize(value, serializer),
                        }
                    }
                }

                impl<'de> #serde::Deserialize<'de> for #name {
                    fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        let value = <#p::serde_json::Value as #serde::Deserialize>::deserialize(deserializer)?;
                        let tag = value.get(#property).and_then(#p::serde_json::Value::as_str).map(::std::borrow::ToOwned::to_owned);
                        match tag.as_deref() {
                            #( ::std::option::Option::Some(#values) => #p::serde_json::from_value(value).map(Self::#targets).map_err(<D::Error as #serde::de::Error>::custom), )*
                            _ => ::std::result::Result::Ok(Self::Unknown(value)),
                        }
                    }
                }
            }
        }
        TypeKind::ValueEnum { variants } => {
            let idents: Vec<_> = variants.iter().map(|v| format_ident!("{}", v.rust_name)).collect();
            let p = quote!(::specwright_runtime::__private);
            let literals: Vec<TokenStream> = variants.iter().map(|v| value_literal(&v.json)).collect();
            let docs_values = variants.iter().map(|v| doc_line(&format!(" `{}`", v.json)));
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

                impl #serde::Serialize for #name {
                    fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                        #serde::Serialize::serialize(&self.to_value(), serializer)
                    }
                }

                impl<'de> #serde::Deserialize<'de> for #name {
                    fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        let value = <#p::serde_json::Value as #serde::Deserialize>::deserialize(deserializer)?;
                        #( if value == #literals { return ::std::result::Result::Ok(Self::#idents); } )*
                        ::std::result::Result::Ok(Self::Other(value))
                    }
                }
            }
        }
        TypeKind::Union { members, discriminator: None } => {
            let hashable = members.iter().all(|m| space.is_hashable_with(&m.shape, hashable_types));
            let eq = hashable.then(|| quote!(Eq, Hash,));
            let variants = members.iter().map(|member| {
                let variant = format_ident!("{}", member.rust_name);
                let shape = shape_tokens(space, &member.shape, Scope::Types);
                quote!(#variant(#shape),)
            });
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, #eq #serde::Serialize, #serde::Deserialize)]
                #[serde(crate = #serde_crate, untagged)]
                pub enum #name {
                    #(#variants)*
                }
            }
        }
        TypeKind::Alias(shape) => {
            let shape = shape_tokens(space, shape, Scope::Types);
            quote! {
                #docs
                pub type #name = #shape;
            }
        }
    }
}

/// Tokens that build the JSON value whose text is `json`.
fn value_literal(json: &str) -> TokenStream {
    let p = quote!(::specwright_runtime::__private);
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Bool(flag)) => quote!(#p::serde_json::Value::Bool(#flag)),
        Ok(serde_json::Value::String(text)) => quote!(#p::serde_json::Value::String(::std::string::String::from(#text))),
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

fn field_tokens(space: &TypeSpace, field: &Field) -> TokenStream {
    let name = ident(&field.rust_name);
    let shape = shape_tokens(space, &field.shape, Scope::Types);
    if field.flatten {
        let docs = doc_attrs([field.docs.description.as_deref()]);
        return quote! {
            #docs
            #[serde(flatten)]
            pub #name: #shape,
        };
    }
    let deprecated = field.deprecated.then_some("**Deprecated.**");
    let access = match field.access {
        crate::ir::Access::ReadOnly => Some("Read-only: sent by the server, ignored in requests."),
        crate::ir::Access::WriteOnly => Some("Write-only: sent in requests, never returned."),
        crate::ir::Access::ReadWrite => None,
    };
    let constraints = (!field.docs.constraints.is_empty()).then(|| format!("Constraints: {}.", field.docs.constraints.join(", ")));
    let example = field.docs.example.as_ref().map(|e| format!("Example: `{e}`"));
    let default = field.docs.default.as_ref().map(|d| format!("Default (when absent): `{d}`"));
    let docs = doc_attrs([
        field.docs.title.as_deref(),
        field.docs.description.as_deref(),
        constraints.as_deref(),
        default.as_deref(),
        example.as_deref(),
        access,
        deprecated,
    ]);
    let wire = field.wire_name.as_str();
    let rename = (field.rust_name != field.wire_name).then(|| quote!(#[serde(rename = #wire)]));
    let is_none = "::std::option::Option::is_none";
    let double_option = "::specwright_runtime::__private::double_option";
    let (ty, attrs) = match (field.required, field.nullable) {
        (true, false) => (shape, quote!()),
        // Present, maybe null: always serialized, `null` included.
        (true, true) => (quote!(::std::option::Option<#shape>), quote!()),
        // Maybe absent, never null: left out when `None`.
        (false, false) => (
            quote!(::std::option::Option<#shape>),
            quote!(#[serde(default, skip_serializing_if = #is_none)]),
        ),
        // Absent, null or a value: three states.
        (false, true) => (
            quote!(::std::option::Option<::std::option::Option<#shape>>),
            quote!(#[serde(default, skip_serializing_if = #is_none, with = #double_option)]),
        ),
    };
    quote! {
        #docs
        #rename
        #attrs
        pub #name: #ty,
    }
}
