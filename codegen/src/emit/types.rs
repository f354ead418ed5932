//! The `types` module: one Rust type per IR type.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::doc_attrs;
use crate::ident::ident;
use crate::ir::{Field, Shape, TypeDef, TypeKind, TypeSpace};

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
    match shape {
        Shape::String => quote!(::std::string::String),
        Shape::Bool => quote!(bool),
        Shape::I32 => quote!(i32),
        Shape::I64 => quote!(i64),
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
    let items = space.types.iter().map(|def| type_item(space, def));
    quote! {
        /// Types for the schemas of the spec.
        pub mod types {
            #(#items)*
        }
    }
}

fn type_item(space: &TypeSpace, def: &TypeDef) -> TokenStream {
    let name = format_ident!("{}", def.name);
    let deprecated = def.deprecated.then_some("**Deprecated.**");
    let docs = doc_attrs([def.docs.title.as_deref(), def.docs.description.as_deref(), deprecated]);
    let serde = quote!(::specwright_runtime::__private::serde);
    let serde_crate = "::specwright_runtime::__private::serde";
    match &def.kind {
        TypeKind::Struct { fields } => {
            let hashable = fields.iter().all(|f| space.is_hashable(&f.shape));
            let eq = hashable.then(|| quote!(Eq, Hash,));
            let all_optional = fields.iter().all(|f| !f.required || f.nullable);
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
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, #serde::Serialize, #serde::Deserialize)]
                #[serde(crate = #serde_crate)]
                pub enum #name {
                    #(
                        #[doc = concat!(" `", #wires, "`")]
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
        TypeKind::Union { members } => {
            let hashable = members.iter().all(|m| space.is_hashable(&m.shape));
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

fn field_tokens(space: &TypeSpace, field: &Field) -> TokenStream {
    let name = ident(&field.rust_name);
    let shape = shape_tokens(space, &field.shape, Scope::Types);
    let deprecated = field.deprecated.then_some("**Deprecated.**");
    let constraints = (!field.docs.constraints.is_empty()).then(|| format!("Constraints: {}.", field.docs.constraints.join(", ")));
    let example = field.docs.example.as_ref().map(|e| format!("Example: `{e}`"));
    let docs = doc_attrs([
        field.docs.title.as_deref(),
        field.docs.description.as_deref(),
        constraints.as_deref(),
        example.as_deref(),
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
