//! Doc comments from spec text. Quoting makes them unable to inject code; this module also
//! keeps them from becoming doctests (code blocks without a language are Rust to rustdoc) and
//! takes out what rustc refuses in a doc comment (a bare carriage return; the bidirectional
//! controls, which the deny-by-default `text_direction_codepoint_in_comment` lint rejects).
//! Every `#[doc]` the emitters write goes through [`doc_attrs`] or [`doc_line`].

use proc_macro2::TokenStream;
use quote::quote;

/// `#[doc = "..."]` attributes for the paragraphs given; empty ones are skipped.
pub(crate) fn doc_attrs<'a>(paragraphs: impl IntoIterator<Item = Option<&'a str>>) -> TokenStream {
    let lines = doc_lines(paragraphs);
    quote! { #( #[doc = #lines] )* }
}

/// The lines of a doc comment for the paragraphs given, each as it follows `///`.
pub(crate) fn doc_lines<'a>(paragraphs: impl IntoIterator<Item = Option<&'a str>>) -> Vec<String> {
    let text = paragraphs
        .into_iter()
        .flatten()
        .map(clean_chars)
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .map(|p| sanitize(&p))
        .collect::<Vec<_>>()
        .join("\n\n");
    text.lines().map(|line| format!(" {line}")).collect()
}

/// Writes `paragraphs` as `///` lines, each indented by `indent`.
pub(crate) fn write_doc_comment<'a>(out: &mut String, indent: &str, paragraphs: impl IntoIterator<Item = Option<&'a str>>) {
    for line in doc_lines(paragraphs) {
        out.push_str(indent);
        out.push_str("///");
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// One `#[doc]` line (which prettyplease prints as `///`): line breaks become spaces.
pub(crate) fn doc_line(text: &str) -> String {
    clean_chars(text).replace('\n', " ")
}

/// The bidirectional controls rustc refuses in comments and string literals.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A bare `\r` (an error in a doc comment) becomes a line break; bidirectional controls are
/// written out as `\u{..}` so the reader still sees that they are there. Nothing else in a
/// doc comment troubles rustc.
fn clean_chars(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\r' => out.push('\n'),
            c if is_bidi_control(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Fenced blocks without a language become `text`; indentation outside fences is dropped so
/// that no indented code block appears.
fn sanitize(text: &str) -> String {
    let mut out = Vec::new();
    let mut in_fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (in_fence, fence) {
            (None, Some(fence)) => {
                let info = trimmed.trim_start_matches(fence).trim();
                let info = if info.is_empty() || info.starts_with("rust") { "text" } else { info };
                out.push(format!("{fence}{info}"));
                in_fence = Some(fence);
            }
            (Some(open), Some(fence)) if open == fence && trimmed.trim_start_matches(fence).trim().is_empty() => {
                out.push(fence.to_owned());
                in_fence = None;
            }
            (Some(_), _) => out.push(line.to_owned()),
            (None, None) => out.push(trimmed.to_owned()),
        }
    }
    if let Some(fence) = in_fence {
        out.push(fence.to_owned());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_blocks_never_become_doctests() {
        assert_eq!(sanitize("a\n```\nfn main() {}\n```\n    indented\n"), "a\n```text\nfn main() {}\n```\nindented");
        assert_eq!(sanitize("```json\n{}\n```"), "```json\n{}\n```");
        assert_eq!(sanitize("```\nunclosed"), "```text\nunclosed\n```");
    }

    #[test]
    fn carriage_returns_and_bidi_controls_do_not_reach_a_doc_comment() {
        let docs = doc_attrs([Some("a\rb\r\nc \u{202E}d\u{2069}")]).to_string();
        assert!(!docs.contains('\r') && !docs.contains("\\r") && !docs.contains('\u{202E}'), "{docs}");
        assert!(docs.contains(r"\\u{202e}d\\u{2069}"), "{docs}");
        assert_eq!(doc_line(" `a\rb\u{202A}`"), " `a b\\u{202a}`");
    }

    #[test]
    fn descriptions_cannot_inject_code() {
        let docs = doc_attrs([Some("*/ } fn evil() { /* \" ]\n#[cfg(any())]")]);
        let file = syn::parse2::<syn::File>(quote! { #docs struct X; }).map_err(|e| e.to_string());
        let items = file.map(|f| f.items.len());
        assert_eq!(items, Ok(1));
    }
}
