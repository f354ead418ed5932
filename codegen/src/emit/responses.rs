//! Responses: the `responses` module (an enum where several statuses succeed, an enum where
//! several error bodies differ, a struct of documented headers) and each operation's decoder.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::client::compact;
use super::docs::write_doc_comment;
use super::types::{Scope, shape_tokens};
use crate::ir::{Ir, Operation, ResponseBody, ResponseCase, Shape, StatusMatch};

/// How an operation's response becomes its result.
pub(crate) struct Decoding {
    /// The success type.
    pub(crate) output: TokenStream,
    /// The typed error body (`Infallible` when no error body is documented).
    pub(crate) error: TokenStream,
    /// The decoder: a runtime function or the builder's own `Self::decode`.
    pub(crate) decoder: TokenStream,
    /// The lines of the builder's `decode(operation, response)`, when it needs one of its own.
    pub(crate) function: Option<Vec<String>>,
    /// The documented headers' struct, when there are any.
    pub(crate) headers: Option<TokenStream>,
}

fn success_enum(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Success", op.builder_name)
}

fn error_enum(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}ErrorBody", op.builder_name)
}

fn headers_struct(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Headers", op.builder_name)
}

fn body_type(ir: &Ir, body: &ResponseBody) -> Option<TokenStream> {
    let p = quote!(__rt);
    match body {
        ResponseBody::Json(shape) => Some(shape_tokens(&ir.types, shape, Scope::Nested)),
        ResponseBody::JsonItems(shape) => {
            let item = shape_tokens(&ir.types, shape, Scope::Nested);
            Some(quote!(Vec<#item>))
        }
        ResponseBody::Bytes => Some(quote!(#p::bytes::Bytes)),
        ResponseBody::Empty => None,
    }
}

fn status_doc(status: StatusMatch) -> String {
    match status {
        StatusMatch::Code(code) => format!("Status {code}."),
        StatusMatch::Range(class) => format!("Any status {class}XX not documented on its own."),
        StatusMatch::Default => "Any status not documented otherwise.".to_owned(),
    }
}


/// The match pattern of a status, as text.
fn status_pattern(status: StatusMatch, success: bool) -> String {
    match status {
        StatusMatch::Code(code) => code.to_string(),
        StatusMatch::Range(class) => format!("{}..={}", u32::from(class) * 100, u32::from(class) * 100 + 99),
        StatusMatch::Default if success => "200..=299".to_owned(),
        StatusMatch::Default => "_".to_owned(),
    }
}

/// The 2xx statuses other than `documented`, as a pattern of disjoint arms (`201 | 203..=299`:
/// clippy refuses a range that overlaps the codes before it); `None` when there are none.
fn other_successes(documented: &[u16]) -> Option<String> {
    let mut parts = Vec::new();
    let mut start = 200;
    let mut codes: Vec<u16> = documented.iter().copied().filter(|code| (200..=299).contains(code)).collect();
    codes.sort_unstable();
    codes.dedup();
    for code in codes.into_iter().chain(std::iter::once(300)) {
        match code.saturating_sub(start) {
            0 => {}
            1 => parts.push(start.to_string()),
            _ => parts.push(format!("{start}..={}", code - 1)),
        }
        start = code + 1;
    }
    (!parts.is_empty()).then(|| parts.join(" | "))
}

/// Whether a server-sent event of items of `shape` is the event object OpenAPI 3.2 describes
/// (the item has a `data` field, or is any JSON) or stands for its payload alone.
fn events_are_objects(ir: &Ir, shape: &Shape) -> bool {
    match shape {
        Shape::Json => true,
        Shape::Named(id) => match ir.types.get(*id).map(|d| &d.kind) {
            Some(crate::ir::TypeKind::Struct { fields }) => fields.iter().any(|f| f.wire_name == "data"),
            _ => false,
        },
        _ => false,
    }
}

/// The runtime's `EventItem` for items of `shape`.
pub(super) fn event_item(ir: &Ir, shape: &Shape) -> TokenStream {
    if events_are_objects(ir, shape) {
        quote!(::specwright_runtime::__private::EventItem::Object)
    } else {
        quote!(::specwright_runtime::__private::EventItem::Data)
    }
}


/// The expression that decodes `body` from `response`, as text: a `Result` whose types the
/// decoder's signature and the variant it goes into infer.
fn read_body(ir: &Ir, body: &ResponseBody) -> Option<String> {
    match body {
        ResponseBody::Json(_) => Some("__rt::json_body(operation, response)".to_owned()),
        ResponseBody::JsonItems(shape) => {
            let events = if events_are_objects(ir, shape) { "Object" } else { "Data" };
            Some(format!("__rt::json_items_body(operation, response, ::specwright_runtime::__private::EventItem::{events})"))
        }
        ResponseBody::Bytes => Some("Ok(response.body.clone())".to_owned()),
        ResponseBody::Empty => None,
    }
}

/// An enum with one variant per response case, as text.
fn case_enum(ir: &Ir, out: &mut String, name: &str, doc: &str, cases: &[&ResponseCase]) {
    write_doc_comment(out, INDENT, [Some(doc)]);
    out.push_str(&format!("{INDENT}#[derive(Debug, Clone, PartialEq)]\n{INDENT}pub enum {name} {{\n"));
    for case in cases {
        let status = status_doc(case.status);
        write_doc_comment(out, FIELD_INDENT, [case.description.as_deref(), Some(status.as_str())]);
        match body_type(ir, &case.body) {
            Some(ty) => out.push_str(&format!("{FIELD_INDENT}{}({}),\n", case.variant, compact(&ty))),
            None => out.push_str(&format!("{FIELD_INDENT}{},\n", case.variant)),
        }
    }
    out.push_str(&format!("{INDENT}}}\n"));
}

/// Indentation of the items in the `responses` module, and of their fields.
const INDENT: &str = "    ";
const FIELD_INDENT: &str = "        ";

/// The `responses` module, as text: the types of operations with several success statuses,
/// several error bodies, or documented headers; empty when no operation has any.
pub(crate) fn responses_module(ir: &Ir) -> String {
    let mut items = String::new();
    for op in &ir.operations {
        response_items(ir, op, &mut items);
    }
    if items.is_empty() {
        return items;
    }
    format!(
        "/// Response types of operations with several success statuses, several error\n/// bodies, or documented headers.\n{allowed}\npub mod responses {{\n{INDENT}#[allow(unused_imports)]\n{INDENT}use ::specwright_runtime::__private as __rt;\n{items}}}\n",
        allowed = super::ALLOWED_LINTS
    )
}

/// The items of the `responses` module for one operation, as text.
fn response_items(ir: &Ir, op: &Operation, out: &mut String) {
    let responses = &op.responses;
    if responses.single_success().is_none() {
        let doc = format!("The successful outcomes of `{}`, one per documented status.", op.operation_id);
        let cases: Vec<&ResponseCase> = responses.success.iter().collect();
        case_enum(ir, out, &success_enum(op).to_string(), &doc, &cases);
    }
    if responses.single_error().is_none() && responses.typed_errors().next().is_some() {
        let doc = format!("The documented error bodies of `{}`, one per status.", op.operation_id);
        let cases: Vec<&ResponseCase> = responses.typed_errors().collect();
        case_enum(ir, out, &error_enum(op).to_string(), &doc, &cases);
    }
    if !responses.headers.is_empty() {
        let name = headers_struct(op);
        let doc = format!(
            "The headers `{}` documents on its successful responses; a header that is absent or \
             does not read as its type is `None`.",
            op.operation_id
        );
        write_doc_comment(out, INDENT, [Some(doc.as_str())]);
        out.push_str(&format!("{INDENT}#[derive(Debug, Clone, PartialEq, Default)]\n{INDENT}pub struct {name} {{\n"));
        for header in &responses.headers {
            let field = crate::ident::ident(&header.rust_name);
            let ty = compact(&shape_tokens(&ir.types, &header.shape, Scope::Nested));
            let wire = format!("`{}`.", header.wire_name);
            write_doc_comment(out, FIELD_INDENT, [header.description.as_deref(), Some(wire.as_str())]);
            out.push_str(&format!("{FIELD_INDENT}pub {field}: Option<{ty}>,\n"));
        }
        out.push_str(&format!("{INDENT}}}\n{INDENT}impl {name} {{\n"));
        out.push_str(&format!("{FIELD_INDENT}/// Reads the documented headers from a response's headers.\n"));
        out.push_str(&format!("{FIELD_INDENT}pub fn from_headers(headers: &__rt::reqwest::header::HeaderMap) -> Self {{\n"));
        out.push_str(&format!("{FIELD_INDENT}    Self {{\n"));
        for header in &responses.headers {
            let field = crate::ident::ident(&header.rust_name);
            let wire = super::types::string_literal(&header.wire_name);
            out.push_str(&format!("{FIELD_INDENT}        {field}: __rt::header_value(headers, {wire}),\n"));
        }
        out.push_str(&format!("{FIELD_INDENT}    }}\n{FIELD_INDENT}}}\n{INDENT}}}\n"));
    }
}

/// How `op`'s builder decodes its response.
pub(crate) fn decoding(ir: &Ir, op: &Operation) -> Decoding {
    let p = quote!(__rt);
    let responses = &op.responses;
    let typed_errors = responses.typed_errors().next().is_some();
    let error = match responses.single_error() {
        Some(shape) => shape_tokens(&ir.types, shape, Scope::Nested),
        None if typed_errors => {
            let name = error_enum(op);
            quote!(super::responses::#name)
        }
        None => quote!(::std::convert::Infallible),
    };
    let headers = (!responses.headers.is_empty()).then(|| {
        let name = headers_struct(op);
        quote!(super::responses::#name)
    });
    let single = responses.single_success();
    let output = match single {
        Some(body) => body_type(ir, body).unwrap_or_else(|| quote!(())),
        None => {
            let name = success_enum(op);
            quote!(super::responses::#name)
        }
    };
    // The common shapes use the runtime's decoders: no typed error, or `default` as the one.
    let default_only_error = responses.single_error().is_some()
        && responses.errors.iter().all(|case| matches!(case.body, ResponseBody::Json(_)))
        && responses.errors.iter().any(|case| case.status == StatusMatch::Default);
    if let Some(body) = single.filter(|_| !typed_errors || default_only_error) {
        let suffix = if typed_errors { "_or_error" } else { "" };
        let decoder = match body {
            // The types come from where the decoder goes, except for item streams, whose
            // `send_stream` does not name the decoder's output.
            ResponseBody::Json(_) => {
                let f = format_ident!("decode_json{suffix}");
                quote!(#p::#f)
            }
            ResponseBody::JsonItems(shape) => {
                let ty = shape_tokens(&ir.types, shape, Scope::Nested);
                let f = match events_are_objects(ir, shape) {
                    true => format_ident!("decode_json_items{suffix}"),
                    false => format_ident!("decode_event_data{suffix}"),
                };
                quote!(#p::#f::<#ty, #error>)
            }
            ResponseBody::Bytes => {
                let f = format_ident!("decode_bytes{suffix}");
                quote!(#p::#f)
            }
            ResponseBody::Empty => {
                let f = format_ident!("decode_empty{suffix}");
                quote!(#p::#f)
            }
        };
        return Decoding { output, error, decoder, function: None, headers };
    }

    // The decoder's body as text, a line an arm: formatting it as tokens took most of the time
    // the builders took to emit.
    let mut arms = Vec::new();
    let mut imports = Vec::new();
    match single {
        Some(body) => {
            let value = read_body(ir, body).unwrap_or_else(|| "Ok(())".to_owned());
            arms.push(format!("200..=299 => {value},"));
        }
        None => {
            let name = success_enum(op);
            imports.push(format!("{name} as Success"));
            let mut first = None;
            for case in &responses.success {
                let pattern = status_pattern(case.status, true);
                let variant = &case.variant;
                let value = match read_body(ir, &case.body) {
                    Some(value) => format!("{value}.map(Success::{variant})"),
                    None => format!("Ok(Success::{variant})"),
                };
                first.get_or_insert_with(|| value.clone());
                arms.push(format!("{pattern} => {value},"));
            }
            // A 2xx the spec does not list (servers add them) reads as the first documented
            // success; a `2XX` or `default` success already takes it.
            let covered = responses.success.iter().any(|case| matches!(case.status, StatusMatch::Range(2) | StatusMatch::Default));
            let documented: Vec<u16> = responses
                .success
                .iter()
                .filter_map(|case| match case.status {
                    StatusMatch::Code(code) => Some(code),
                    _ => None,
                })
                .collect();
            if let (Some(value), Some(others)) = (first.filter(|_| !covered), other_successes(&documented)) {
                arms.push(format!("{others} => {value},"));
            }
        }
    }
    let single_error = responses.single_error().is_some();
    if !single_error && typed_errors {
        imports.push(format!("{} as Errors", error_enum(op)));
    }
    for case in &responses.errors {
        let pattern = status_pattern(case.status, false);
        let arm = match &case.body {
            ResponseBody::Json(_) => {
                let wrap = if single_error { "::core::convert::identity".to_owned() } else { format!("Errors::{}", case.variant) };
                format!("{pattern} => Err(__rt::typed_error(operation, response, {wrap})),")
            }
            _ => format!("{pattern} => Err(__rt::unexpected_status(operation, response)),"),
        };
        arms.push(arm);
    }
    if !responses.errors.iter().any(|case| case.status == StatusMatch::Default) {
        arms.push("_ => Err(__rt::unexpected_status(operation, response)),".to_owned());
    }
    let mut function = Vec::with_capacity(arms.len() + 3);
    match imports.as_slice() {
        [] => {}
        [one] => function.push(format!("use super::responses::{one};")),
        several => function.push(format!("use super::responses::{{{}}};", several.join(", "))),
    }
    function.push("match response.status.as_u16() {".to_owned());
    function.extend(arms.into_iter().map(|arm| format!("    {arm}")));
    function.push("}".to_owned());
    Decoding { output, error, decoder: quote!(Self::decode), function: Some(function), headers }
}

#[cfg(test)]
mod tests {
    use super::other_successes;

    #[test]
    fn other_successes_are_the_gaps_between_the_documented_codes() {
        assert_eq!(other_successes(&[200, 202, 204]).as_deref(), Some("201 | 203 | 205..=299"));
        assert_eq!(other_successes(&[201]).as_deref(), Some("200 | 202..=299"));
        assert_eq!(other_successes(&[299, 200]).as_deref(), Some("201..=298"));
        assert_eq!(other_successes(&[]).as_deref(), Some("200..=299"));
        let all: Vec<u16> = (200..=299).collect();
        assert_eq!(other_successes(&all), None);
    }
}
