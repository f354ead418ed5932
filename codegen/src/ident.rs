//! Rust names for identifiers that come from specs, which are never trusted: keywords,
//! `self`/`Self`/`super`/`crate`, leading digits, empty and non-ASCII names, symbols, and
//! collisions all become valid, distinct names.

use std::collections::BTreeSet;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of every edition; these become raw identifiers (`r#type`).
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Names generated code uses bare (the prelude's types, traits and variants, and `__rt`): no
/// generated type, builder or server takes one, so none can shadow them.
pub const PRELUDE: &[&str] = &[
    "Option", "Some", "None", "Result", "Ok", "Err", "String", "Vec", "Box", "ToString", "ToOwned", "Clone",
    "Copy", "Default", "Debug", "PartialEq", "Eq", "PartialOrd", "Ord", "Hash", "Send", "Sync", "Sized", "Unpin",
    "Drop", "Fn", "FnMut", "FnOnce", "From", "Into", "TryFrom", "TryInto", "AsRef", "AsMut", "Iterator",
    "IntoIterator", "Extend", "FromIterator", "DoubleEndedIterator", "ExactSizeIterator", "__rt",
];

/// Keywords that cannot be raw identifiers; these get a trailing underscore.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// Spells out symbols so that values like `>=` or `-` still get a readable name.
fn symbol_word(c: char) -> Option<&'static str> {
    Some(match c {
        '>' => "Gt",
        '<' => "Lt",
        '=' => "Eq",
        '!' => "Not",
        '+' => "Plus",
        '-' => "Minus",
        '*' => "Star",
        '/' => "Slash",
        '.' => "Dot",
        '@' => "At",
        '#' => "Hash",
        '%' => "Percent",
        '&' => "And",
        '|' => "Or",
        '~' => "Tilde",
        '^' => "Caret",
        '$' => "Dollar",
        ':' => "Colon",
        '?' => "Question",
        _ => return None,
    })
}

/// Splits into ASCII words: non-ASCII characters become `u` + hex code, so distinct names stay
/// distinct.
fn ascii_words(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if c.is_ascii() {
            out.push(' ');
        } else {
            out.push_str(&format!(" u{:x} ", u32::from(c)));
        }
    }
    out
}

fn spelled_symbols(raw: &str) -> String {
    raw.chars().filter_map(symbol_word).collect::<Vec<_>>().join(" ")
}

/// A `PascalCase` name for a type or variant.
pub fn type_name(raw: &str) -> String {
    let mut name = ascii_words(raw).to_upper_camel_case();
    if name.is_empty() {
        name = spelled_symbols(raw).to_upper_camel_case();
    }
    if name.is_empty() {
        name = if raw.is_empty() { "Empty".to_owned() } else { "Value".to_owned() };
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if name == "Self" {
        name.push('_');
    }
    name
}

/// A `snake_case` name for a field, method or argument, without the `r#` prefix.
pub fn snake_name(raw: &str) -> String {
    let mut name = ascii_words(raw).to_snake_case();
    if name.is_empty() {
        name = spelled_symbols(raw).to_snake_case();
    }
    if name.is_empty() {
        name = "value".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if NOT_RAW.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// Whether `name` needs the raw `r#` prefix.
pub fn is_keyword(name: &str) -> bool {
    KEYWORDS.contains(&name)
}

/// The identifier for a snake or Pascal name, raw where it is a keyword.
pub fn ident(name: &str) -> proc_macro2::Ident {
    if is_keyword(name) {
        proc_macro2::Ident::new_raw(name, proc_macro2::Span::call_site())
    } else {
        proc_macro2::Ident::new(name, proc_macro2::Span::call_site())
    }
}

/// Hands out distinct names within one scope.
#[derive(Clone, Debug, Default)]
pub struct Namer {
    taken: BTreeSet<String>,
    /// For each wanted name, the counter to try next, so that many claims of one name stay
    /// linear instead of retrying every taken suffix.
    next_counter: std::collections::HashMap<String, usize>,
}

impl Namer {
    /// A scope where `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self { taken: reserved.iter().map(|s| (*s).to_owned()).collect(), next_counter: Default::default() }
    }

    /// `wanted`, or `wanted2`, `wanted3`... whichever is free; then taken.
    pub fn claim(&mut self, wanted: &str) -> String {
        let separator = if wanted.ends_with(|c: char| c.is_ascii_digit()) { "_" } else { "" };
        let mut name = wanted.to_owned();
        // Suffixes below the remembered counter were all taken, and names are never freed.
        let mut counter = self.next_counter.get(wanted).copied().unwrap_or(2);
        while self.taken.contains(&name) {
            name = format!("{wanted}{separator}{counter}");
            counter += 1;
        }
        if name != wanted {
            self.next_counter.insert(wanted.to_owned(), counter);
        }
        self.taken.insert(name.clone());
        name
    }

    /// Whether `name` is taken.
    pub fn is_taken(&self, name: &str) -> bool {
        self.taken.contains(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert_eq!(type_name("pet_store"), "PetStore");
        assert_eq!(type_name("200-response"), "V200Response");
        assert_eq!(type_name(""), "Empty");
        assert_eq!(type_name(">="), "GtEq");
        assert_eq!(type_name("-"), "Minus");
        assert_eq!(type_name("Self"), "Self_");
        assert_eq!(type_name("café"), "CafUe9");
        assert_ne!(type_name("名前"), type_name("名"));
    }

    #[test]
    fn snake_names() {
        assert_eq!(snake_name("orgId"), "org_id");
        assert_eq!(snake_name("X-API-Key"), "x_api_key");
        assert_eq!(snake_name("self"), "self_");
        assert_eq!(snake_name("Self"), "self_");
        assert_eq!(snake_name("crate"), "crate_");
        assert_eq!(snake_name("super"), "super_");
        assert_eq!(snake_name("2fa"), "_2fa");
        assert_eq!(snake_name(""), "value");
        assert_eq!(snake_name("type"), "type");
        assert!(is_keyword(&snake_name("type")));
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("gen").to_string(), "r#gen");
    }

    #[test]
    fn namer_dedups() {
        let mut namer = Namer::with_reserved(&["send"]);
        assert_eq!(namer.claim("send"), "send2");
        assert_eq!(namer.claim("v1"), "v1");
        assert_eq!(namer.claim("v1"), "v1_2");
        // The remembered counter skips what is taken and never reuses a name.
        let mut namer = Namer::with_reserved(&["a", "a3"]);
        let names: Vec<String> = (0..4).map(|_| namer.claim("a")).collect();
        assert_eq!(names, ["a2", "a4", "a5", "a6"]);
        assert_eq!(namer.claim("a5"), "a5_2");
    }
}
