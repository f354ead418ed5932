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
/// that no indented code block appears; prose between fences is made safe for rustdoc
/// ([`rustdoc_safe`]) a run of lines at a time, since a link may span lines.
fn sanitize(text: &str) -> String {
    let mut out = Vec::new();
    let mut prose: Vec<&str> = Vec::new();
    let flush = |prose: &mut Vec<&str>, out: &mut Vec<String>| {
        if !prose.is_empty() {
            out.extend(rustdoc_safe(&continue_containers(prose).join("\n")).lines().map(str::to_owned));
            prose.clear();
        }
    };
    let mut in_fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (in_fence, fence) {
            (None, Some(fence)) => {
                flush(&mut prose, &mut out);
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
            (None, None) => prose.push(trimmed),
        }
    }
    flush(&mut prose, &mut out);
    if let Some(fence) = in_fence {
        out.push(fence.to_owned());
    }
    out.join("\n")
}

/// Lines that continue a block quote or a list item without saying so (Markdown's lazy
/// continuation, and what dropping the indentation leaves of an item's later lines) get the
/// quote's `>` or the item's indentation: they render the same, and clippy's
/// `doc_lazy_continuation` has nothing to flag.
fn continue_containers(lines: &[&str]) -> Vec<String> {
    #[derive(Clone, Copy)]
    enum Container {
        None,
        Quote,
        /// A list item whose text starts this many columns in.
        Item(usize),
    }
    let mut container = Container::None;
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.trim().is_empty() {
            container = Container::None;
            out.push(String::new());
            continue;
        }
        if line.starts_with('>') {
            container = Container::Quote;
            out.push((*line).to_owned());
            continue;
        }
        if let Some(width) = list_marker_width(line) {
            container = Container::Item(width);
            out.push((*line).to_owned());
            continue;
        }
        out.push(match container {
            Container::None => (*line).to_owned(),
            Container::Quote => format!("> {line}"),
            Container::Item(width) => format!("{}{line}", " ".repeat(width)),
        });
    }
    out
}

/// The width of the list marker a line starts with, with the space after it (`- `, `* `,
/// `+ `, `1. `, `12) `).
fn list_marker_width(line: &str) -> Option<usize> {
    if ["- ", "* ", "+ "].iter().any(|marker| line.starts_with(marker)) {
        return Some(2);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let after = line.get(digits..)?;
    ((1..=9).contains(&digits) && (after.starts_with(". ") || after.starts_with(") "))).then_some(digits + 2)
}

/// Prose that rustdoc reads as the spec meant it, without warnings: brackets that
/// are no inline link (`[id]`, `array[int]`) are escaped, or rustdoc takes them for links to
/// Rust items; bare URLs become autolinks (`<https://..>`). Code spans, inline links,
/// autolinks and what is already escaped stay as they are.
fn rustdoc_safe(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut index = 0;
    // Code spans and links end within their paragraph: where the current one ends.
    let mut paragraph_end = 0;
    while let Some(rest) = line.get(index..).filter(|rest| !rest.is_empty()) {
        if index >= paragraph_end {
            paragraph_end = rest.find("\n\n").map_or(line.len(), |end| index + end + 2);
        }
        let paragraph = line.get(index..paragraph_end).unwrap_or(rest);
        let verbatim = if rest.starts_with('`') {
            // A code span runs to the next run of as many backticks; an unclosed run is text.
            let run = rest.bytes().take_while(|b| *b == b'`').count();
            let ticks = rest.get(..run).unwrap_or_default();
            Some(paragraph.get(run..).and_then(|after| after.find(ticks)).map_or(run, |end| run + end + run))
        } else if rest.starts_with('\\') {
            Some(rest.chars().nth(1).map_or(1, |next| 1 + next.len_utf8()))
        } else if rest.starts_with('[') {
            inline_link_length(paragraph)
        } else if rest.starts_with('<') {
            rest.find('>').filter(|end| rest.get(1..*end).is_some_and(|inner| !inner.contains(char::is_whitespace))).map(|end| end + 1)
        } else {
            None
        };
        if let Some(length) = verbatim {
            out.push_str(rest.get(..length).unwrap_or(rest));
            index += length;
            continue;
        }
        if rest.starts_with("https://") || rest.starts_with("http://") {
            let end = rest.find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\'' | '`' | '(' | ')' | '[' | ']')).unwrap_or(rest.len());
            let url = rest.get(..end).unwrap_or(rest).trim_end_matches(['.', ',', ';', ':', '!', '?']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            index += url.len();
            continue;
        }
        let Some(c) = rest.chars().next() else { break };
        match c {
            '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        index += c.len_utf8();
    }
    out
}

/// The length of the inline link `[text](target)` that `text` starts with, if it is one.
fn inline_link_length(text: &str) -> Option<usize> {
    let close = text.find(']')?;
    let after = text.get(close + 1..)?;
    if !after.starts_with('(') {
        return None;
    }
    let target_end = after.find(')')?;
    Some(close + 1 + target_end + 1)
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
    fn brackets_and_bare_urls_read_in_rustdoc_as_the_spec_meant_them() {
        assert_eq!(rustdoc_safe("ids[] of array[int], see [RFC 7807]"), r"ids\[\] of array\[int\], see \[RFC 7807\]");
        assert_eq!(rustdoc_safe("see [the docs](https://x.test/a_(b)) and `a[0]`"), "see [the docs](https://x.test/a_(b)) and `a[0]`");
        assert_eq!(rustdoc_safe("at https://api.test/v1/x. Or http://b.test"), "at <https://api.test/v1/x>. Or <http://b.test>");
        assert_eq!(rustdoc_safe("(https://a.test/p), <https://b.test> and ``[x]``"), "(<https://a.test/p>), <https://b.test> and ``[x]``");
        assert_eq!(rustdoc_safe(r"already \[escaped\] and a < b > c"), r"already \[escaped\] and a < b > c");
        assert_eq!(rustdoc_safe("unclosed `tick [x"), r"unclosed `tick \[x");
        assert_eq!(rustdoc_safe("ünïcödé [ü] https://ü.test/ä"), r"ünïcödé \[ü\] <https://ü.test/ä>");
        // A link whose text goes over a line break stays a link.
        assert_eq!(sanitize("see [a custom\nmedia type](https://x.test/m) [b]"), "see [a custom\nmedia type](https://x.test/m) \\[b\\]");
        // Neither a code span nor a link reaches into the next paragraph.
        assert_eq!(rustdoc_safe("a `tick [x]\n\nb` [y](z)"), "a `tick \\[x\\]\n\nb` [y](z)");
    }

    #[test]
    fn lazy_continuations_of_quotes_and_list_items_are_spelled_out() {
        assert_eq!(sanitize("> **Note:** a quote\nthat goes on\n\nafter"), "> **Note:** a quote\n> that goes on\n\nafter");
        assert_eq!(sanitize("- one\n  two\n- three\nfour\n\nfive"), "- one\n  two\n- three\n  four\n\nfive");
        assert_eq!(sanitize("12. twelve\ngoes on\n3) three\nx"), "12. twelve\n    goes on\n3) three\n   x");
        assert_eq!(sanitize("-1 is not an item\nnor is 1.5\nplain"), "-1 is not an item\nnor is 1.5\nplain");
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
