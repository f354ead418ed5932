//! The client: `ApiClient<T>` with its async and blocking aliases, credential setters, one
//! sub-client per tag, and one request builder per operation.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{doc_attrs, doc_line, write_doc_comment};
use super::types::{FieldKind, Scope, field_kind, shape_tokens};
use super::usage::Directions;
use crate::ident::ident;
use crate::ir::{ApiKeyIn, BodyEncoding, Ir, Operation, Param, ParamLocation, ParamStyle, SchemeKind, Shape};

/// The root items: clients, sub-clients, and the `builders` module.
pub(crate) fn client_items(ir: &Ir) -> ClientItems {
    let allow = super::allowed_lints();
    let rt = quote!(::specwright_runtime);
    let title = format!("Client for {} {}.", ir.title, ir.version);
    // The usage line links to items, so it does not go through the escaping of spec text.
    let usage = " Use [`AsyncClient`] (async, canonical) or [`Client`] (blocking); both have the same methods.";
    let title_docs = doc_attrs([Some(title.as_str())]);
    let description_docs = ir.description.as_deref().map(|d| doc_attrs([Some(d)])).filter(|d| !d.is_empty());
    let description_docs = description_docs.map(|docs| quote!(#[doc = ""] #docs));
    let client_docs = quote!(#title_docs #[doc = ""] #[doc = #usage] #description_docs);
    let (default_url, constructors) = match &ir.default_server {
        Some(url) => (
            quote! {
                /// The spec's first server.
                #allow
                pub const DEFAULT_BASE_URL: &str = #url;
            },
            quote! {
                /// A client for [`DEFAULT_BASE_URL`] with default settings.
                pub fn new() -> Result<Self, #rt::Error> {
                    Self::from_builder(Self::builder())
                }

                /// Settings for a client, starting from [`DEFAULT_BASE_URL`]; `build()` makes the client.
                pub fn builder() -> #rt::ClientBuilder<Self> {
                    #rt::ClientBuilder::new(DEFAULT_BASE_URL).for_client()
                }
            },
        ),
        None => (
            quote!(),
            quote! {
                /// A client for `base_url` with default settings.
                pub fn new(base_url: &str) -> Result<Self, #rt::Error> {
                    Self::from_builder(#rt::ClientBuilder::new(base_url))
                }

                /// Settings for a client; the spec names no server, so give `base_url` before
                /// `build()` makes the client.
                pub fn builder() -> #rt::ClientBuilder<Self> {
                    #rt::ClientBuilder::new("").for_client()
                }
            },
        ),
    };
    let setters = ir.security_schemes.iter().map(|scheme| {
        let name = scheme.name.as_str();
        let set = format_ident!("set_{}", scheme.rust_name);
        let clear = format_ident!("clear_{}", scheme.rust_name);
        let description = scheme.description.as_deref();
        let (summary, args, credential) = match &scheme.kind {
            SchemeKind::ApiKey { location, name: key_name } => {
                let (location, where_) = match location {
                    ApiKeyIn::Header => (quote!(Header), "header"),
                    ApiKeyIn::Query => (quote!(Query), "query parameter"),
                    ApiKeyIn::Cookie => (quote!(Cookie), "cookie"),
                };
                (
                    format!("Sets the API key for security scheme `{name}`, sent in {where_} `{key_name}`."),
                    quote!(key: impl Into<String>),
                    quote!(#rt::Credential::ApiKey {
                        location: #rt::ApiKeyLocation::#location,
                        name: #key_name,
                        key: #rt::Secret::new(key),
                    }),
                )
            }
            SchemeKind::Basic => (
                format!("Sets the user name and password for security scheme `{name}` (HTTP Basic)."),
                quote!(
                    username: impl Into<String>,
                    password: impl Into<String>
                ),
                quote!(#rt::Credential::Basic { username: username.into(), password: #rt::Secret::new(password) }),
            ),
            SchemeKind::Bearer { format } => (
                match format {
                    Some(format) => format!("Sets the bearer token ({format}) for security scheme `{name}`."),
                    None => format!("Sets the bearer token for security scheme `{name}`."),
                },
                quote!(token: impl Into<String>),
                quote!(#rt::Credential::Bearer { token: #rt::Secret::new(token) }),
            ),
            SchemeKind::OtherHttp { scheme: word } => (
                format!("Sets the `Authorization: {word} ...` value for security scheme `{name}`."),
                quote!(value: impl Into<String>),
                quote!(#rt::Credential::Authorization { scheme: #word, value: #rt::Secret::new(value) }),
            ),
            SchemeKind::MutualTls => return quote!(),
        };
        let set_docs = doc_attrs([Some(summary.as_str()), description]);
        let clear_doc = doc_line(&format!(" Forgets the credential for security scheme `{name}`."));
        let fetcher = scheme.client_credentials_token_url.as_deref().zip(scheme.client_credentials_setter.as_deref());
        let client_credentials = fetcher.map(|(token_url, setter)| {
            let method = format_ident!("set_{}", setter);
            let doc = format!(
                "Fetches access tokens for security scheme `{name}` with the OAuth 2 client credentials \
                 grant from `{token_url}` (relative to the base URL if it is relative), asking for \
                 `scopes`, and replaces each token shortly before it expires. For other settings, \
                 give `core().set_credential` a `specwright_runtime::ClientCredentials`."
            );
            let docs = doc_attrs([Some(doc.as_str())]);
            quote! {
                #docs
                pub fn #method(
                    &self,
                    client_id: impl Into<String>,
                    client_secret: impl Into<String>,
                    scopes: &[&str],
                ) {
                    let credentials = #rt::ClientCredentials::new(#token_url, client_id, client_secret)
                        .scopes(scopes.iter().copied());
                    self.transport.core().set_credential(#name, #rt::Credential::ClientCredentials(credentials));
                }
            }
        });
        let prefixed = scheme.prefixed_setter.as_deref().map(|setter| {
            let method = format_ident!("set_{}", setter);
            let doc = format!(
                "Sets the API key for security scheme `{name}` with a word the server wants before \
                 it: `{}(\"Token\", key)` sends `Token <key>`.",
                method
            );
            let docs = doc_attrs([Some(doc.as_str())]);
            quote! {
                #docs
                pub fn #method(&self, prefix: &str, key: impl Into<String>) {
                    self.#set(format!("{prefix} {}", key.into()));
                }
            }
        });
        quote! {
            #set_docs
            pub fn #set(&self, #args) {
                self.transport.core().set_credential(#name, #credential);
            }

            #prefixed

            #client_credentials

            #[doc = #clear_doc]
            pub fn #clear(&self) {
                self.transport.core().clear_credential(#name);
            }
        }
    });
    let accessors = ir.groups.iter().map(|group| {
        let method = ident(&group.method);
        let strukt = format_ident!("{}", group.struct_name);
        let doc = doc_line(&format!(" {}", group_summary(group)));
        quote! {
            #[doc = #doc]
            pub fn #method(&self) -> #strukt<T> {
                #strukt { client: self.clone() }
            }
        }
    });
    let webhooks = webhooks_module(ir);
    let servers = servers_module(ir);
    let head = quote! {
        #[allow(unused_imports)] use ::specwright_runtime::__private as __rt;

        #default_url

        #client_docs
        #[derive(Debug, Clone)]
        #allow
        pub struct ApiClient<T> {
            transport: T,
        }

        /// The async client: calls return futures.
        #allow
        pub type AsyncClient = ApiClient<#rt::AsyncTransport>;

        /// The blocking client: calls wait for their result. It runs the async client on a
        /// private runtime in a background thread; do not call it from async code.
        #allow
        pub type Client = ApiClient<#rt::BlockingTransport>;

        #allow
        impl ApiClient<#rt::BlockingTransport> {
            /// Stops the client's background thread and waits for it, once no clone of the
            /// client (or stream it opened) holds it any more; dropping the client stops it too.
            pub fn close(self) -> Result<(), #rt::Error> {
                self.transport.close()
            }
        }

        impl<T: #rt::Transport> #rt::FromClientCore for ApiClient<T> {
            fn from_client_core(core: #rt::ClientCore) -> Result<Self, #rt::Error> {
                Result::Ok(Self { transport: T::from_core(core)? })
            }
        }

        #allow
        impl<T: #rt::Transport> ApiClient<T> {
            #constructors

            /// A client built from `builder`, whatever it was set up to build.
            pub fn from_builder<C>(builder: #rt::ClientBuilder<C>) -> Result<Self, #rt::Error> {
                <Self as #rt::FromClientCore>::from_client_core(builder.build_core()?)
            }

            /// A client for another server that shares this one's connection pool and credentials.
            pub fn with_base_url(&self, base_url: &str) -> Result<Self, #rt::Error> {
                let core = self.transport.core().with_base_url(base_url)?;
                Result::Ok(Self { transport: self.transport.with_core(core) })
            }

            /// The base URL requests go to.
            pub fn base_url(&self) -> &str {
                self.transport.core().base_url()
            }

            /// The shared core: pool, base URL, credentials.
            pub fn core(&self) -> &#rt::ClientCore {
                self.transport.core()
            }

            /// Forgets every credential.
            pub fn clear_credentials(&self) {
                self.transport.core().clear_credentials();
            }

            #(#setters)*
            #(#accessors)*
        }
    };
    let tail = quote! {
        #servers

        #webhooks
    };
    ClientItems { head, tail }
}

/// The root items in two parts, for the sub-clients and the operations' methods (written as
/// text by [`operation_impls`]) to go between them.
pub(crate) struct ClientItems {
    /// The clients, their setters and accessors.
    pub(crate) head: TokenStream,
    /// Servers and webhooks.
    pub(crate) tail: TokenStream,
}

/// The sub-clients and the methods that start request builders, as text: an impl block on the
/// root client for operations without a tag, and each sub-client with its impl block. Written
/// directly, a few lines a method: formatting them was the longest part of emitting a client.
pub(crate) fn operation_impls(ir: &Ir) -> String {
    let mut out = String::with_capacity(ir.operations.len() * 1024);
    let impl_block = |out: &mut String, strukt: &str, transport: &str, group: Option<usize>| {
        let mut operations = ir.operations.iter().filter(|op| op.group == group).peekable();
        if operations.peek().is_none() {
            return;
        }
        out.push_str(&format!("{}\nimpl<T: ::specwright_runtime::Transport> {strukt}<T> {{\n", super::ALLOWED_LINTS));
        out.push_str(&format!("    fn transport_clone(&self) -> T {{\n        {transport}.clone()\n    }}\n"));
        for op in operations {
            operation_method(ir, op, out);
        }
        out.push_str("}\n");
    };
    impl_block(&mut out, "ApiClient", "self.transport", None);
    for (index, group) in ir.groups.iter().enumerate() {
        let parent = group.parent.as_ref().map(|p| format!("Part of `{p}`."));
        let summary = group_summary(group);
        write_doc_comment(&mut out, "", [Some(summary.as_str()), parent.as_deref(), group.description.as_deref()]);
        out.push_str(&format!("#[derive(Debug, Clone)]\n{}\npub struct {}<T> {{\n    client: ApiClient<T>,\n}}\n", super::ALLOWED_LINTS, group.struct_name));
        impl_block(&mut out, &group.struct_name, "self.client.transport", Some(index));
    }
    out
}

/// `servers`: one struct per server of the spec, its variables as fields (enums where the spec
/// lists the values), defaulting to the spec's defaults.
fn servers_module(ir: &Ir) -> TokenStream {
    if ir.servers.is_empty() {
        return TokenStream::new();
    }
    let allow = super::allowed_lints();
    let items = ir.servers.iter().map(|server| {
        let name = format_ident!("{}", server.rust_name);
        let template = server.url.as_str();
        let summary = format!("`{template}`");
        let docs = doc_attrs([server.description.as_deref(), Some(summary.as_str()), Some("Pass `url()` to `ClientBuilder::base_url`.")]);
        let mut enums = Vec::new();
        let mut fields = Vec::new();
        let mut defaults = Vec::new();
        let mut substitutions = Vec::new();
        for variable in &server.variables {
            let field = ident(&variable.rust_name);
            let placeholder = format!("{{{}}}", variable.name);
            let default_doc = format!("`{}`; the spec's default is `{}`.", variable.name, variable.default);
            let field_docs = doc_attrs([variable.description.as_deref(), Some(default_doc.as_str())]);
            match &variable.choices {
                Some((enum_name, pairs)) => {
                    let enum_ident = format_ident!("{}", enum_name);
                    let variants: Vec<_> = pairs.iter().map(|(variant, _)| format_ident!("{}", variant)).collect();
                    let values: Vec<&str> = pairs.iter().map(|(_, value)| value.as_str()).collect();
                    let variant_attrs = pairs.iter().map(|(_, value)| {
                        let doc = doc_line(&format!(" `{value}`"));
                        let default = (*value == variable.default).then(|| quote!(#[default]));
                        quote!(#[doc = #doc] #default)
                    });
                    let enum_doc = doc_line(&format!(" The values of `{}` in [`{}`].", variable.name, server.rust_name));
                    enums.push(quote! {
                        #[doc = #enum_doc]
                        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
                        pub enum #enum_ident {
                            #(#variant_attrs #variants,)*
                        }

                        impl #enum_ident {
                            /// The value as it goes into the URL.
                            pub fn as_str(&self) -> &'static str {
                                match self {
                                    #(Self::#variants => #values,)*
                                }
                            }
                        }
                    });
                    fields.push(quote!(#field_docs pub #field: #enum_ident,));
                    defaults.push(quote!(#field: Default::default(),));
                    substitutions.push(quote!(url = url.replace(#placeholder, self.#field.as_str());));
                }
                None => {
                    let default = variable.default.as_str();
                    fields.push(quote!(#field_docs pub #field: String,));
                    defaults.push(quote!(#field: String::from(#default),));
                    substitutions.push(quote!(url = url.replace(#placeholder, &self.#field);));
                }
            }
        }
        let url_body = if substitutions.is_empty() {
            quote!(String::from(#template))
        } else {
            quote! {
                let mut url = String::from(#template);
                #(#substitutions)*
                url
            }
        };
        quote! {
            #(#enums)*

            #docs
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct #name {
                #(#fields)*
            }

            impl Default for #name {
                fn default() -> Self {
                    Self { #(#defaults)* }
                }
            }

            impl #name {
                /// The server's URL with the variables filled in.
                pub fn url(&self) -> String {
                    #url_body
                }
            }
        }
    });
    quote! {
        /// The servers the spec lists, as typed choices for `ClientBuilder::base_url`.
        #allow
        pub mod servers {
            #(#items)*
        }
    }
}

/// `webhooks`: the payload type of each webhook the server may send, for the user's own server.
fn webhooks_module(ir: &Ir) -> TokenStream {
    let allow = super::allowed_lints();
    let mut namer = crate::ident::Namer::default();
    let aliases: Vec<TokenStream> = ir
        .webhooks
        .iter()
        .filter_map(|hook| {
            let payload = hook.payload.as_ref()?;
            let name = format_ident!("{}", namer.claim(&format!("{}Payload", crate::ident::type_name(&hook.name))));
            let ty = shape_tokens(&ir.types, payload, Scope::Nested);
            let doc = doc_line(&format!(" The payload of webhook `{}` (`{}`).", hook.name, hook.method));
            let summary = doc_attrs([hook.summary.as_deref()]);
            Some(quote! {
                #[doc = #doc]
                #summary
                pub type #name = #ty;
            })
        })
        .collect();
    if aliases.is_empty() {
        return TokenStream::new();
    }
    quote! {
        /// Payloads of the webhooks this API sends.
        #allow
        pub mod webhooks {
            #[allow(unused_imports)] use ::specwright_runtime::__private as __rt;
            #(#aliases)*
        }
    }
}

/// The first doc line of a group: its tag, or for a spec without tags its path prefix.
fn group_summary(group: &crate::ir::Group) -> String {
    match &group.path_prefix {
        Some(prefix) => format!("Operations under `{prefix}`."),
        None => format!("Operations tagged `{}`.", group.tag),
    }
}

/// Builds a multipart body from `body`: one part per field of a struct, files for binary
/// fields; any other shape is one part named `body`.
fn multipart_parts(ir: &Ir, directions: &[Directions], shape: &Shape, part_types: &std::collections::BTreeMap<String, String>) -> TokenStream {
    let rt = quote!(__rt);
    let fields = match shape {
        Shape::Named(id) => match ir.types.get(*id).map(|d| &d.kind) {
            Some(crate::ir::TypeKind::Struct { fields }) => {
                let direction = directions.get(id.0).copied().unwrap_or(Directions::BOTH);
                Some(fields.iter().filter_map(move |field| Some((field, field_kind(field, direction)?))))
            }
            _ => None,
        },
        _ => None,
    };
    let parts: Vec<TokenStream> = match fields {
        Some(fields) => fields
            .filter(|(field, kind)| !field.flatten && *kind != FieldKind::ReadOnly)
            .map(|(field, kind)| {
                let name = ident(&field.rust_name);
                let wire = field.wire_name.as_str();
                let some = quote!(Some);
                let add_file = |file: TokenStream| match part_types.get(&field.wire_name) {
                    Some(default_type) => quote!(form.file_with_default_type(#wire, #file, #default_type);),
                    None => quote!(form.file(#wire, #file);),
                };
                match (&field.shape, kind) {
                    (Shape::Binary, FieldKind::Req) => add_file(quote!(&body.#name)),
                    (Shape::Binary, FieldKind::OptNull) => {
                        let add = add_file(quote!(file));
                        quote! {
                            if let #some(#some(file)) = &body.#name {
                                #add
                            }
                        }
                    }
                    (Shape::Binary, _) => {
                        let add = add_file(quote!(file));
                        quote! {
                            if let #some(file) = &body.#name {
                                #add
                            }
                        }
                    }
                    _ => match part_types.get(&field.wire_name) {
                        Some(content_type) => quote!(form.field_with_type(#wire, &body.#name, #content_type);),
                        None => quote!(form.field(#wire, &body.#name);),
                    },
                }
            })
            .collect(),
        None => vec![quote!(form.field("body", &body);)],
    };
    quote! {
        let mut form = #rt::Multipart::new();
        #(#parts)*
        request.multipart_body(form);
    }
}

fn style_tokens(style: ParamStyle) -> TokenStream {
    let variant = format_ident!(
        "{}",
        match style {
            ParamStyle::Form => "Form",
            ParamStyle::SpaceDelimited => "SpaceDelimited",
            ParamStyle::PipeDelimited => "PipeDelimited",
            ParamStyle::DeepObject => "DeepObject",
            ParamStyle::Simple => "Simple",
            ParamStyle::Label => "Label",
            ParamStyle::Matrix => "Matrix",
        }
    );
    quote!(__rt::Style::#variant)
}

fn is_string(shape: &Shape) -> bool {
    matches!(shape, Shape::String)
}

/// An argument's type and how it is stored, as text.
fn argument(ir: &Ir, shape: &Shape, name: &str, scope: Scope) -> (String, String) {
    if is_string(shape) {
        ("impl Into<String>".to_owned(), format!("{name}.into()"))
    } else {
        (compact(&shape_tokens(&ir.types, shape, scope)), name.to_owned())
    }
}

fn required_params(op: &Operation) -> impl Iterator<Item = &Param> {
    op.params.iter().filter(|p| p.required)
}

fn body_type(ir: &Ir, encoding: &BodyEncoding, scope: Scope) -> TokenStream {
    match encoding {
        BodyEncoding::Json(shape) | BodyEncoding::Form(shape) | BodyEncoding::Multipart { shape, .. } => {
            shape_tokens(&ir.types, shape, scope)
        }
        BodyEncoding::Bytes(_) => quote!(__rt::BinaryBody),
    }
}

/// A body argument's type and how it becomes the stored value, as text: binary bodies take
/// anything that converts (bytes in memory, or a stream).
fn body_argument(ir: &Ir, encoding: &BodyEncoding, scope: Scope) -> (String, String) {
    match encoding {
        BodyEncoding::Bytes(_) => ("impl Into<__rt::BinaryBody>".to_owned(), "body.into()".to_owned()),
        _ => (compact(&body_type(ir, encoding, scope)), "body".to_owned()),
    }
}

/// The enum of media types the caller chooses from, when the body has several.
fn body_choice_enum(op: &Operation) -> Option<proc_macro2::Ident> {
    op.body.as_ref().and_then(|body| body.choice_enum.as_ref()).map(|name| format_ident!("{}", name))
}

/// Puts `body` (owned) into `request` as `encoding`; `media_type` when it was chosen among
/// several.
fn encode_body(ir: &Ir, directions: &[Directions], encoding: &BodyEncoding, media_type: Option<&str>) -> TokenStream {
    match encoding {
        BodyEncoding::Json(_) => match media_type {
            Some(media_type) if !media_type.eq_ignore_ascii_case("application/json") => {
                quote!(request.json_body_as(&body, #media_type);)
            }
            _ => quote!(request.json_body(&body);),
        },
        BodyEncoding::Form(_) => quote!(request.form_body(&body);),
        BodyEncoding::Multipart { shape, part_types } => multipart_parts(ir, directions, shape, part_types),
        BodyEncoding::Bytes(content_type) => quote!(request.binary_body(body, #content_type);),
    }
}

/// The enum of an operation's body media types, with `From` the default one's type.
fn body_choice_items(ir: &Ir, op: &Operation) -> TokenStream {
    let (Some(name), Some(body)) = (body_choice_enum(op), op.body.as_ref()) else { return TokenStream::new() };
    let doc = doc_line(&format!(" The media types `{}` accepts its body as; a value of the first's type converts into it.", op.operation_id));
    let variants = body.choices.iter().map(|choice| {
        let variant = format_ident!("{}", choice.variant);
        let ty = body_type(ir, &choice.encoding, Scope::Nested);
        let doc = doc_line(&format!(" `{}`", choice.media_type));
        quote!(#[doc = #doc] #variant(#ty),)
    });
    let from = body.choices.first().map(|choice| {
        let variant = format_ident!("{}", choice.variant);
        let ty = body_type(ir, &choice.encoding, Scope::Nested);
        quote! {
            impl From<#ty> for #name {
                fn from(body: #ty) -> Self {
                    Self::#variant(body)
                }
            }
        }
    });
    // A binary body may be a stream, which cannot be cloned.
    let streams = body.choices.iter().any(|choice| matches!(choice.encoding, BodyEncoding::Bytes(_)));
    let derives = if streams { quote!(#[derive(Debug)]) } else { quote!(#[derive(Debug, Clone)]) };
    quote! {
        #[doc = #doc]
        #derives
        pub enum #name {
            #(#variants)*
        }

        #from
    }
}

fn location_word(location: ParamLocation) -> &'static str {
    match location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
        ParamLocation::QueryString => "query string",
        ParamLocation::Cookie => "cookie",
    }
}

/// The method on the (sub-)client that starts a request builder.
fn operation_method(ir: &Ir, op: &Operation, out: &mut String) {
    let method = ident(&op.method_name);
    let builder = &op.builder_name;
    let signature = format!("`{} {}`", op.http_method, op.path);
    // Arguments first, then the builder's setters, each with its spec description.
    let mut lines = Vec::new();
    let describe = |p: &Param| {
        let text = p.description.as_deref().map(|d| d.split_whitespace().collect::<Vec<_>>().join(" "));
        match text.filter(|t| !t.is_empty()) {
            Some(text) => format!("- `{}` ({} `{}`): {text}", p.rust_name, location_word(p.location), p.wire_name),
            None => format!("- `{}` ({} `{}`)", p.rust_name, location_word(p.location), p.wire_name),
        }
    };
    lines.extend(op.params.iter().filter(|p| p.required).map(describe));
    if op.body.as_ref().is_some_and(|b| b.required) {
        lines.push("- `body`: the request body".to_owned());
    }
    // Each setter documents itself on the builder; here they are only named.
    let optional: Vec<String> = op.params.iter().filter(|p| !p.required).map(|p| format!("`{}`", p.rust_name)).collect();
    let arguments = (!lines.is_empty()).then(|| format!("Arguments:\n\n{}", lines.join("\n")));
    let setters = (!optional.is_empty()).then(|| format!("Optional, set on the returned builder: {}.", optional.join(", ")));
    write_doc_comment(out, "    ", [
        op.summary.as_deref(),
        op.description.as_deref(),
        Some(signature.as_str()),
        arguments.as_deref(),
        setters.as_deref(),
    ]);
    if op.deprecated {
        out.push_str("    #[deprecated]\n");
    }
    let (args, values) = method_arguments(ir, op);
    let args: String = args.iter().map(|arg| format!(", {arg}")).collect();
    let values: String = values.iter().map(|value| format!(", {value}")).collect();
    out.push_str(&format!(
        "    pub fn {method}(&self{args}) -> builders::{builder}<T> {{\n        builders::{builder}::new(self.transport_clone(){values})\n    }}\n"
    ));
}

/// The arguments of an operation's method (`name: Type`, the required parameters, then a
/// required body) and the values it passes on to its builder.
fn method_arguments(ir: &Ir, op: &Operation) -> (Vec<String>, Vec<String>) {
    let mut args = Vec::new();
    let mut values = Vec::new();
    for param in required_params(op) {
        let name = ident(&param.rust_name).to_string();
        let (ty, value) = argument(ir, &param.shape, &name, Scope::Root);
        args.push(format!("{name}: {ty}"));
        values.push(value);
    }
    if let Some(body) = op.body.as_ref().filter(|b| b.required) {
        match body_choice_enum(op) {
            Some(name) => {
                args.push(format!("body: impl Into<builders::{name}>"));
                values.push("body.into()".to_owned());
            }
            None => {
                let (ty, value) = body_argument(ir, &body.encoding, Scope::Root);
                args.push(format!("body: {ty}"));
                values.push(value);
            }
        }
    }
    (args, values)
}

/// How an operation is called from Rust, as the generated code spells it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct OperationCall {
    /// The call, with the required arguments' names: `client.customers().get(customer)`.
    pub call: String,
    /// The required arguments as the method declares them: `customer: impl Into<String>`.
    pub arguments: Vec<String>,
    /// The builder's setters for the optional parameters (and an optional body).
    pub setters: Vec<String>,
    /// What `send()` gives on success: `types::Customer`.
    pub output: String,
    /// The typed error body (`std::convert::Infallible` when none is documented).
    pub error: String,
}

/// How `op` of `ir` is called from Rust (for `specwright inspect`).
pub fn operation_call(ir: &Ir, op: &Operation) -> OperationCall {
    let (arguments, _) = method_arguments(ir, op);
    let names: Vec<&str> = arguments.iter().filter_map(|arg| arg.split(':').next()).collect();
    let method = ident(&op.method_name);
    let call = match op.group.and_then(|g| ir.groups.get(g)) {
        Some(group) => format!("client.{}().{method}({})", ident(&group.method), names.join(", ")),
        None => format!("client.{method}({})", names.join(", ")),
    };
    let mut setters: Vec<String> = op.params.iter().filter(|p| !p.required).map(|p| ident(&p.rust_name).to_string()).collect();
    if op.body.as_ref().is_some_and(|b| !b.required) {
        setters.push("body".to_owned());
    }
    let decoding = super::responses::decoding(ir, op);
    let (output, error) = (public_path(&compact(&decoding.output)), public_path(&compact(&decoding.error)));
    let arguments = arguments.iter().map(|arg| public_path(arg)).collect();
    OperationCall { call, arguments, setters, output, error }
}

/// A type as generated code spells it, spelled from outside the generated module: `types::X`
/// and `responses::X` relative to it, the runtime's private re-exports by their public paths.
fn public_path(text: &str) -> String {
    text.replace("super::", "").replace("__rt::BTreeMap", "std::collections::BTreeMap").replace("__rt::", "specwright_runtime::")
}

/// The `builders` module, as text: each builder is a call of the runtime's `request_builder!`
/// (one line a parameter) and an impl of what is the operation's own (encoding, decoding).
pub(crate) fn builders_module(ir: &Ir, directions: &[Directions]) -> Result<String, crate::error::Error> {
    let mut out = String::with_capacity(ir.operations.len() * 2048);
    out.push_str(&format!(
        "/// Request builders, one per operation; finish with `send()`.\n{}\npub mod builders {{\n    #[allow(unused_imports)]\n    use ::specwright_runtime::__private as __rt;\n",
        super::ALLOWED_LINTS
    ));
    for op in &ir.operations {
        let (text, items) = builder(ir, directions, op)?;
        out.push_str(&text);
        let choices = body_choice_items(ir, op);
        super::push_items(&mut out, quote!(#items #choices), || format!("builder of `{}`", op.operation_id))?;
    }
    out.push_str("}\n");
    Ok(out)
}

/// Tokens as compact text (`super::types::X<Y>`), for a type inside a macro call.
pub(super) fn compact(tokens: &TokenStream) -> String {
    let text = tokens.to_string();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ' ' {
            let before = out.chars().last();
            let after = chars.peek().copied();
            let glue = matches!(before, Some(':' | '<' | '&' | '(')) || matches!(after, Some(':' | '<' | '>' | ',' | ')'));
            if glue && !(before == Some(',') || out.ends_with("impl") || out.ends_with("dyn")) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// One request builder: the macro call's text, and the impl items of its own.
fn builder(ir: &Ir, directions: &[Directions], op: &Operation) -> Result<(String, TokenStream), crate::error::Error> {
    let rt = quote!(__rt);
    let name = format_ident!("{}", op.builder_name);
    let doc = doc_line(&format!(" Request builder for `{}` (`{} {}`).", op.operation_id, op.http_method, op.path));

    let mut required = Vec::new();
    let mut optional = String::new();
    // The encode block's text, a line a parameter.
    let mut encode = String::new();
    let field_indent = "            ";
    let push_optional = |out: &mut String, docs: [Option<&str>; 2], deprecated: bool, field: &proc_macro2::Ident, ty: &TokenStream, into: bool| {
        super::docs::write_doc_comment(out, field_indent, docs);
        if deprecated {
            out.push_str(field_indent);
            out.push_str("#[deprecated]\n");
        }
        out.push_str(&format!("{field_indent}{field}: {} => {},\n", compact(ty), if into { "into" } else { "value" }));
    };

    for param in &op.params {
        let field = ident(&param.rust_name);
        let ty = shape_tokens(&ir.types, &param.shape, Scope::Nested);
        let wire = super::types::string_literal(&param.wire_name);
        let style = compact(&style_tokens(param.style));
        let explode = param.explode;
        // Defaults get the short call; other styles name theirs.
        let encode_call = |value: &str| match param.location {
            ParamLocation::Query if param.json_content => format!("request.query_param_json({wire}, {value});"),
            ParamLocation::Path if param.style == ParamStyle::Simple && !explode => {
                format!("request.path_param({wire}, {value});")
            }
            ParamLocation::Path => format!("request.path_param_styled({wire}, {value}, {style}, {explode});"),
            ParamLocation::Query if param.style == ParamStyle::Form && explode => {
                format!("request.query_param({wire}, {value});")
            }
            ParamLocation::Query => format!("request.query_param_styled({wire}, {value}, {style}, {explode});"),
            ParamLocation::Header if !explode => format!("request.header_param({wire}, {value});"),
            ParamLocation::Header => format!("request.header_param_styled({wire}, {value}, {explode});"),
            ParamLocation::Cookie => format!("request.cookie_param({wire}, {value}, {explode});"),
            ParamLocation::QueryString => format!("request.query_string_param({wire}, {value});"),
        };
        encode.push_str(field_indent);
        if param.required {
            required.push(format!("{field}: {}", compact(&ty)));
            encode.push_str(&encode_call(&format!("&self.{field}")));
        } else {
            let setter_doc = format!("Sets `{}`.", param.wire_name);
            let docs = [param.description.as_deref(), Some(setter_doc.as_str())];
            push_optional(&mut optional, docs, param.deprecated, &field, &ty, is_string(&param.shape));
            match &param.fallback {
                Some(fallback) => encode.push_str(&format!(
                    "match &self.{field} {{ Some(value) => {{ {} }} None => {{ {} }} }}",
                    encode_call("value"),
                    encode_call(&super::types::string_literal(fallback))
                )),
                None => encode.push_str(&format!("if let Some(value) = &self.{field} {{ {} }}", encode_call("value"))),
            }
        }
        encode.push('\n');
    }
    if let Some(body) = &op.body {
        let ty = match body_choice_enum(op) {
            Some(name) => quote!(#name),
            None => body_type(ir, &body.encoding, Scope::Nested),
        };
        let put = match body_choice_enum(op) {
            None => encode_body(ir, directions, &body.encoding, None),
            Some(name) => {
                let arms = body.choices.iter().map(|choice| {
                    let variant = format_ident!("{}", choice.variant);
                    let put = encode_body(ir, directions, &choice.encoding, Some(&choice.media_type));
                    quote!(#name::#variant(body) => { #put })
                });
                quote! {
                    match body {
                        #(#arms)*
                    }
                }
            }
        };
        let into = body_choice_enum(op).is_some() || matches!(body.encoding, BodyEncoding::Bytes(_));
        // The usual bodies are written as text; the others are formatted from their tokens.
        let simple_call = match (&body.encoding, body_choice_enum(op)) {
            (BodyEncoding::Json(_), None) => Some("request.json_body(&body);"),
            (BodyEncoding::Form(_), None) => Some("request.form_body(&body);"),
            _ => None,
        };
        let statement = if body.required {
            required.push(format!("body: {}", compact(&ty)));
            quote!(let body = self.body; #put)
        } else {
            let docs = [body.description.as_deref(), Some("Sets the request body.")];
            push_optional(&mut optional, docs, false, &format_ident!("body"), &ty, into);
            quote! {
                if let Some(body) = self.body {
                    #put
                }
            }
        };
        let mut lines = String::new();
        match simple_call {
            Some(call) if body.required => lines.push_str(&format!("{field_indent}let body = self.body;\n{field_indent}{call}\n")),
            Some(call) => lines.push_str(&format!("{field_indent}if let Some(body) = self.body {{\n{field_indent}    {call}\n{field_indent}}}\n")),
            None => super::push_block(&mut lines, field_indent, statement, || format!("body of `{}`", op.operation_id))?,
        }
        // `if let Some(body) = self.body { request.json_body(&body); }` on one line, like the
        // parameters; longer bodies (multipart, a choice of media types) keep their lines.
        match lines.lines().collect::<Vec<_>>().as_slice() {
            [head, call, "            }"] if head.ends_with('{') && call.len() < 100 => {
                encode.push_str(head);
                encode.push(' ');
                encode.push_str(call.trim_start());
                encode.push_str(" }\n");
            }
            _ => encode.push_str(&lines),
        }
    }

    let super::responses::Decoding { output, error, decoder, function: decode_function, headers } =
        super::responses::decoding(ir, op);
    let send_with_headers = headers.map(|headers| {
        quote! {
            /// Sends the request; the decoded body comes with the documented response headers.
            pub fn send_with_headers(self) -> T::Output<(#output, #headers), #error> {
                let (transport, request) = self.into_parts();
                transport.run(request, #decoder, |raw, body| (body, #headers::from_headers(&raw.headers)))
            }
        }
    });
    let send_stream = match op.responses.single_success() {
        Some(crate::ir::ResponseBody::JsonItems(shape)) => {
            let item = shape_tokens(&ir.types, shape, Scope::Nested);
            let events = super::responses::event_item(ir, shape);
            Some(quote! {
                /// Sends the request and returns the items of the response as they arrive, each
                /// decoded on its own. The client's size limit does not apply, and timeouts end
                /// once the headers arrive. Error statuses decode as with `send()`.
                pub fn send_stream(self) -> T::Output<T::ItemStream<#item>, #error> {
                    let (transport, request) = self.into_parts();
                    transport.items(request, #decoder, #events)
                }
            })
        }
        _ if op.responses.success.iter().any(|case| case.body == crate::ir::ResponseBody::Bytes) => Some(quote! {
            /// Sends the request and returns the response body to read as it arrives, without
            /// holding it in memory. The client's size limit does not apply, and timeouts end
            /// once the headers arrive. Error statuses decode as with `send()`.
            pub fn send_stream(self) -> T::Output<T::ByteStream, #error> {
                let (transport, request) = self.into_parts();
                transport.stream(request, #decoder)
            }
        }),
        _ => None,
    };
    let method = match op.http_method.as_str() {
        standard @ ("GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE") => standard.to_owned(),
        other => super::types::string_literal(other),
    };
    let requirements: Vec<String> = op
        .security
        .iter()
        .map(|requirement| {
            let names: Vec<String> = requirement.iter().map(|name| super::types::string_literal(name)).collect();
            format!("[{}]", names.join(", "))
        })
        .collect();
    let mut text = String::new();
    text.push_str("    __rt::request_builder! {\n");
    text.push_str(&format!("        ///{}\n", doc.trim_end()));
    if required.is_empty() {
        text.push_str(&format!("        pub struct {name} {{}}\n"));
    } else {
        text.push_str(&format!("        pub struct {name} {{\n"));
        for field in &required {
            text.push_str(&format!("{field_indent}{field},\n"));
        }
        text.push_str("        }\n");
    }
    if !optional.is_empty() {
        text.push_str("        optional {\n");
        text.push_str(&optional);
        text.push_str("        }\n");
    }
    text.push_str(&format!(
        "        request {method} {} {} [{}];\n",
        super::types::string_literal(&op.path),
        super::types::string_literal(&op.operation_id),
        requirements.join(", "),
    ));
    if !encode.is_empty() {
        text.push_str("        encode(self, request) {\n");
        text.push_str(&encode);
        text.push_str("        }\n");
    }
    match decode_function {
        Some(function) => {
            text.push_str(&format!("        send -> {}, {};\n", compact(&output), compact(&error)));
            text.push_str("        decode(operation, response) {\n");
            for line in function {
                text.push_str(field_indent);
                text.push_str(&line);
                text.push('\n');
            }
            text.push_str("        }\n");
        }
        None => text.push_str(&format!("        send -> {}, {} = {};\n", compact(&output), compact(&error), compact(&decoder))),
    }
    text.push_str("    }\n");

    let items = if send_with_headers.is_none() && send_stream.is_none() {
        TokenStream::new()
    } else {
        quote! {
            impl<T: #rt::Transport> #name<T> {
                #send_with_headers

                #send_stream
            }
        }
    };
    Ok((text, items))
}
