//! YAML 1.2 (and JSON, its subset) into a `serde_json::Value`, keeping where every node sits.
//!
//! Built on saphyr's event parser rather than a DOM so that positions, duplicate keys and alias
//! expansion are under our control: aliases are expanded against a node budget, so an alias bomb
//! is refused quickly and in bounded memory.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use serde_json::{Map, Number, Value};

use crate::diagnostic::{escape_pointer_segment, push_pointer_segment};

/// The most nodes a spec may expand to beyond what its files spell out: YAML aliases of every
/// document and `$ref` targets copied in place share this one budget.
pub const EXPANSION_NODE_BUDGET: usize = 1_000_000;
/// The deepest nesting accepted.
pub(super) const MAX_DEPTH: usize = 512;

/// The most warnings one document's reader keeps; a hostile file could otherwise make one per
/// node, each with its own copy of a source line.
pub const MAX_READER_WARNINGS: usize = 100;

/// Bytes of JSON pointers (and raw scalar text) that positions may hold per byte of source, and
/// at least [`MIN_POINTER_BYTES`]. Every node's pointer repeats its whole path, so long keys
/// over deep nesting would otherwise cost memory quadratic in the text; real specs need a few
/// bytes per byte.
const POINTER_BYTES_PER_SOURCE_BYTE: usize = 16;
const MIN_POINTER_BYTES: usize = 1 << 22;

/// Source bytes per recorded node to reserve room for (GitHub's JSON spec has 55).
const SOURCE_BYTES_PER_NODE: usize = 40;

/// A 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl Pos {
    fn of(span: &Span) -> Self {
        Self { line: span.start.line(), column: span.start.col() + 1 }
    }
}

/// A parsed document: its value, where each node sits, and the original text of plain scalars
/// that YAML read as something other than a string (so `version: 1.10` can stay `"1.10"`).
#[derive(Debug, Default)]
pub struct Parsed {
    /// The data.
    pub value: Value,
    /// JSON pointer → position of the node (for a mapping entry: of its key). Nodes inside
    /// `x-` extensions that the generator does not read have none; their extension's key does.
    pub positions: HashMap<String, Pos>,
    /// JSON pointer → source text, for plain scalars that resolved to a number, bool or null
    /// (outside unread extensions).
    pub raw_scalars: HashMap<String, String>,
    /// Nodes that aliases added beyond those spelled out, against [`EXPANSION_NODE_BUDGET`].
    pub expanded: usize,
    /// What was read but deserves a word: a second YAML document, a duplicate JSON key. At
    /// most `MAX_READER_WARNINGS`; the rest are only counted in `more_warnings`.
    pub warnings: Vec<ParseProblem>,
    /// Warnings beyond `MAX_READER_WARNINGS`, counted.
    pub more_warnings: usize,
    /// Bytes that positions and raw scalar text may still take.
    pointer_bytes_left: usize,
}

/// Whether the subtree under `key`, in the mapping at `parent` (its JSON pointer), is an
/// extension the generator never reads: its nodes get no positions or raw scalar text, which
/// would cost many times the data itself. In a map of names (`properties`, `headers`) an `x-`
/// key is a name, whose subtree is read.
pub(crate) fn is_unread_extension(key: &str, parent: &str) -> bool {
    let parent_key = parent.rsplit('/').next().unwrap_or_default();
    key.starts_with("x-")
        && !is_read_extension(key)
        && !matches!(
            parent_key,
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" | "dependencies"
                | "schemas" | "parameters" | "requestBodies" | "headers" | "securitySchemes"
                | "securityDefinitions" | "links" | "pathItems" | "mediaTypes" | "content" | "encoding"
                | "webhooks" | "examples" | "callbacks"
        )
}

/// The extensions the generator (or a later stage) reads: they keep positions for diagnostics.
fn is_read_extension(key: &str) -> bool {
    key == "x-nullable"
        || key.starts_with("x-enum")
        || key.starts_with("x-ms-")
        || key.starts_with("x-specwright-")
}

impl Parsed {
    /// An empty result for a source of `text_len` bytes, with its budget for positions.
    pub(crate) fn for_source(text_len: usize) -> Self {
        let budget = text_len.saturating_mul(POINTER_BYTES_PER_SOURCE_BYTE).max(MIN_POINTER_BYTES);
        // Sized for the nodes a spec of this size may have: growing the table hashes every
        // long pointer again.
        let positions = HashMap::with_capacity(text_len / SOURCE_BYTES_PER_NODE);
        Self { pointer_bytes_left: budget, positions, ..Self::default() }
    }

    /// Keeps a warning, up to [`MAX_READER_WARNINGS`].
    pub(crate) fn warn(&mut self, problem: ParseProblem) {
        if self.warnings.len() < MAX_READER_WARNINGS {
            self.warnings.push(problem);
        } else {
            self.more_warnings = self.more_warnings.saturating_add(1);
        }
    }

    /// Whether positions may still be recorded at all.
    pub(crate) fn has_room(&self) -> bool {
        self.pointer_bytes_left > 0
    }

    /// Whether a position or raw text of `bytes` for the node at `pos` still fits the budget.
    /// The first time one does not, a warning says so; nodes after it are located at their
    /// nearest recorded ancestor.
    pub(crate) fn may_record(&mut self, bytes: usize, pos: Pos, pointer: &str) -> bool {
        if self.pointer_bytes_left == 0 {
            return false;
        }
        // A map entry costs its key, its value and the table's own overhead.
        let cost = bytes.saturating_add(32);
        if cost <= self.pointer_bytes_left {
            self.pointer_bytes_left -= cost;
            return true;
        }
        self.pointer_bytes_left = 0;
        self.warn(ParseProblem {
            message: "the paths to this file's nodes are too long to remember where each one sits (long keys nested \
                      deeply?); from here on, diagnostics point at the nearest node before this one, and plain \
                      scalars keep their YAML types"
                .into(),
            pos,
            pointer: pointer.chars().take(200).collect(),
            help: Some("use shorter keys or less nesting".into()),
            related: None,
        });
        false
    }
}

/// Why a document could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProblem {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub pos: Pos,
    /// The JSON pointer of the node, where known.
    pub pointer: String,
    /// How to fix it.
    pub help: Option<String>,
    /// A second position (the first of two duplicate keys).
    pub related: Option<(Pos, String)>,
}

/// `quiet`: the frame lies inside an unread extension, so its nodes record no positions.
enum Frame {
    Seq { items: Vec<Value>, pointer: String, anchor: usize, nodes: usize, quiet: bool },
    Map {
        map: Map<String, Value>,
        pointer: String,
        anchor: usize,
        nodes: usize,
        quiet: bool,
        key: Option<String>,
        /// Where each key of `map` is, in its order (duplicates are rare: the first of two is
        /// found by a scan).
        key_positions: Vec<Pos>,
        merges: Vec<Value>,
    },
}

impl Frame {
    fn child_pointer(&self) -> Option<String> {
        let (pointer, extra) = match self {
            Frame::Seq { pointer, .. } => (pointer, 8),
            Frame::Map { key: Some(key), pointer, .. } => (pointer, key.len() + 1),
            Frame::Map { key: None, .. } => return None,
        };
        let mut child = String::with_capacity(pointer.len() + extra);
        child.push_str(pointer);
        match self {
            Frame::Seq { items, .. } => {
                use std::fmt::Write as _;
                let _ = write!(child, "/{}", items.len());
            }
            Frame::Map { key: Some(key), .. } => push_pointer_segment(&mut child, key),
            Frame::Map { key: None, .. } => {}
        }
        Some(child)
    }

    /// Whether the next node is the value of a mapping entry, whose position is its key's,
    /// recorded with the key.
    fn is_map(&self) -> bool {
        matches!(self, Frame::Map { .. })
    }
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Value, usize)>,
    root: Option<Value>,
    parsed: Parsed,
    problems: Vec<ParseProblem>,
}

/// Parses YAML 1.2 or JSON text. All problems that can be collected are; a syntax error stops
/// the parse.
pub fn parse(text: &str) -> Result<Parsed, Vec<ParseProblem>> {
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        parsed: Parsed::for_source(text.len()),
        problems: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    let mut documents = 0;
    while let Some(event) = parser.next_event() {
        let (event, span) = match event {
            Ok(pair) => pair,
            Err(error) => {
                let marker = error.marker();
                builder.problems.push(ParseProblem {
                    message: format!("YAML syntax error: {}", error.info()),
                    pos: Pos { line: marker.line(), column: marker.col() + 1 },
                    pointer: builder.current_pointer(),
                    help: syntax_help(error.info(), text, marker.line()),
                    related: None,
                });
                return Err(builder.problems);
            }
        };
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    builder.parsed.warn(ParseProblem {
                        message: "the file holds a second YAML document, which is ignored; only the first is read"
                            .into(),
                        pos: Pos::of(&span),
                        pointer: String::new(),
                        help: Some("remove the `---` line and what follows it, or move it to a file of its own".into()),
                        related: None,
                    });
                    break;
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                let tag = tag.map(|t| format!("{}{}", t.handle, t.suffix));
                let (value, raw) = resolve_scalar(&value, style, tag.as_deref());
                if builder.expects_key() {
                    let key = match &value {
                        Value::String(s) => s.clone(),
                        _ => raw.clone().unwrap_or_else(|| value.to_string()),
                    };
                    builder.set_key(key, Pos::of(&span));
                    continue;
                }
                if !builder.child_quiet() && builder.parsed.has_room() && (raw.is_some() || !builder.in_map()) {
                    let pointer = builder.child_pointer_or_root();
                    if let Some(raw) = raw {
                        if builder.parsed.may_record(pointer.len().saturating_add(raw.len()), Pos::of(&span), &pointer) {
                            builder.parsed.raw_scalars.insert(pointer.clone(), raw);
                        }
                    }
                    builder.record(&pointer, Pos::of(&span));
                }
                if anchor > 0 {
                    builder.anchors.insert(anchor, (value.clone(), 1));
                }
                builder.attach(value, 1);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let is_map = matches!(event, Event::MappingStart(..));
                if builder.expects_key() {
                    builder.problems.push(ParseProblem {
                        message: "a mapping key must be a plain value, not a list or mapping".into(),
                        pos: Pos::of(&span),
                        pointer: builder.current_pointer(),
                        help: None,
                        related: None,
                    });
                    return Err(builder.problems);
                }
                if builder.stack.len() >= MAX_DEPTH {
                    builder.problems.push(ParseProblem {
                        message: format!("the document nests deeper than {MAX_DEPTH} levels"),
                        pos: Pos::of(&span),
                        pointer: builder.current_pointer(),
                        help: None,
                        related: None,
                    });
                    return Err(builder.problems);
                }
                let pointer = builder.child_pointer_or_root();
                let quiet = builder.child_quiet();
                if !quiet {
                    builder.record(&pointer, Pos::of(&span));
                }
                builder.stack.push(if is_map {
                    Frame::Map {
                        map: Map::new(),
                        pointer,
                        anchor,
                        nodes: 1,
                        quiet,
                        key: None,
                        key_positions: Vec::new(),
                        merges: Vec::new(),
                    }
                } else {
                    Frame::Seq { items: Vec::new(), pointer, anchor, nodes: 1, quiet }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = builder.stack.pop() else { continue };
                let (value, anchor, nodes) = match frame {
                    Frame::Seq { items, anchor, nodes, .. } => (Value::Array(items), anchor, nodes),
                    Frame::Map { mut map, anchor, nodes, merges, .. } => {
                        merge_keys(&mut map, merges);
                        (Value::Object(map), anchor, nodes)
                    }
                };
                if anchor > 0 {
                    builder.anchors.insert(anchor, (value.clone(), nodes));
                }
                builder.attach(value, nodes);
            }
            Event::Alias(anchor) => {
                let Some((value, nodes)) = builder.anchors.get(&anchor).cloned() else {
                    let recursive = builder.stack.iter().any(|frame| match frame {
                        Frame::Seq { anchor: open, .. } | Frame::Map { anchor: open, .. } => *open == anchor,
                    });
                    builder.problems.push(ParseProblem {
                        message: if recursive {
                            "recursive alias: the alias refers to a node that contains it, which \
                             would expand forever"
                                .into()
                        } else {
                            "alias to an unknown anchor".into()
                        },
                        pos: Pos::of(&span),
                        pointer: builder.current_pointer(),
                        help: None,
                        related: None,
                    });
                    return Err(builder.problems);
                };
                builder.parsed.expanded = builder.parsed.expanded.saturating_add(nodes);
                if builder.parsed.expanded > EXPANSION_NODE_BUDGET {
                    builder.problems.push(ParseProblem {
                        message: format!(
                            "aliases expand this document beyond {EXPANSION_NODE_BUDGET} nodes; \
                             refusing it (a \"billion laughs\" alias bomb?)"
                        ),
                        pos: Pos::of(&span),
                        pointer: builder.current_pointer(),
                        help: Some("use fewer nested aliases, or `$ref`s instead".into()),
                        related: None,
                    });
                    return Err(builder.problems);
                }
                if builder.expects_key() {
                    let key = match value {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    builder.set_key(key, Pos::of(&span));
                    continue;
                }
                if !builder.child_quiet() && builder.parsed.has_room() && !builder.in_map() {
                    let pointer = builder.child_pointer_or_root();
                    builder.record(&pointer, Pos::of(&span));
                }
                builder.attach(value, nodes);
            }
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
        }
    }
    if !builder.problems.is_empty() {
        return Err(builder.problems);
    }
    builder.parsed.value = builder.root.unwrap_or(Value::Null);
    Ok(builder.parsed)
}

impl Builder {
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn current_pointer(&self) -> String {
        match self.stack.last() {
            Some(frame) => frame.child_pointer().unwrap_or_else(|| match frame {
                Frame::Seq { pointer, .. } | Frame::Map { pointer, .. } => pointer.clone(),
            }),
            None => String::new(),
        }
    }

    /// Whether the next node lies inside an unread extension.
    fn child_quiet(&self) -> bool {
        match self.stack.last() {
            Some(Frame::Seq { quiet, .. }) => *quiet,
            Some(Frame::Map { quiet, key, pointer, .. }) => {
                *quiet || key.as_deref().is_some_and(|key| is_unread_extension(key, pointer))
            }
            None => false,
        }
    }

    fn child_pointer_or_root(&self) -> String {
        self.stack.last().and_then(Frame::child_pointer).unwrap_or_default()
    }

    /// Whether the next node is the value of a mapping entry.
    fn in_map(&self) -> bool {
        self.stack.last().is_some_and(Frame::is_map)
    }

    /// Records the position of the node at `pointer`, unless it is a mapping entry's value,
    /// which has its key's (recorded by `set_key`, or out of the budget).
    fn record(&mut self, pointer: &str, pos: Pos) {
        // The budget first: hashing a long pointer only to find no room is the cost avoided.
        if !self.in_map() && self.parsed.has_room() && self.parsed.may_record(pointer.len(), pos, pointer) {
            self.parsed.positions.insert(pointer.to_owned(), pos);
        }
    }

    fn set_key(&mut self, key: String, pos: Pos) {
        let mut duplicate = None;
        let mut quiet = false;
        if let Some(Frame::Map { key: slot, key_positions, map, pointer, quiet: in_extension, .. }) = self.stack.last_mut() {
            quiet = *in_extension;
            // The entries before this one are in `map` (merged ones only come at the end).
            if key != "<<" {
                if map.contains_key(&key) {
                    let first = map.keys().position(|k| *k == key).and_then(|index| key_positions.get(index));
                    duplicate = Some((first.copied().unwrap_or_default(), format!("{pointer}/{}", escape_pointer_segment(&key))));
                } else {
                    key_positions.push(pos);
                }
            }
            *slot = Some(key);
        }
        if let Some((first, pointer)) = duplicate {
            self.problems.push(ParseProblem {
                message: format!("duplicate key `{}`", pointer.rsplit('/').next().unwrap_or_default()),
                pos,
                pointer: pointer.clone(),
                help: Some("remove or rename one of the two entries".into()),
                related: Some((first, pointer)),
            });
        } else if !quiet && self.parsed.has_room() {
            let pointer = self.child_pointer_or_root();
            if self.parsed.may_record(pointer.len(), pos, &pointer) {
                self.parsed.positions.insert(pointer, pos);
            }
        }
    }

    fn attach(&mut self, value: Value, nodes: usize) {
        match self.stack.last_mut() {
            Some(Frame::Seq { items, nodes: total, .. }) => {
                items.push(value);
                *total = total.saturating_add(nodes);
            }
            Some(Frame::Map { map, key, nodes: total, merges, .. }) => {
                *total = total.saturating_add(nodes);
                match key.take() {
                    Some(key) if key == "<<" => merges.push(value),
                    // A duplicate keeps its first value.
                    Some(key) => {
                        map.entry(key).or_insert(value);
                    }
                    None => {}
                }
            }
            None => {
                if self.root.is_none() {
                    self.root = Some(value);
                }
            }
        }
    }
}

/// YAML merge keys (`<<: *base`): entries the mapping does not set itself come from the merged
/// mappings, earlier ones first.
fn merge_keys(map: &mut Map<String, Value>, merges: Vec<Value>) {
    for merge in merges {
        let sources = match merge {
            Value::Array(items) => items,
            other => vec![other],
        };
        for source in sources {
            if let Value::Object(entries) = source {
                for (key, value) in entries {
                    map.entry(key).or_insert(value);
                }
            }
        }
    }
}

/// Resolves a scalar by the YAML 1.2 core schema. Returns the value and, for plain scalars that
/// are not strings, their source text.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> (Value, Option<String>) {
    match tag {
        Some("tag:yaml.org,2002:str" | "!!str") => return (Value::String(text.to_owned()), None),
        Some("tag:yaml.org,2002:null" | "!!null") => return (Value::Null, Some(text.to_owned())),
        Some("tag:yaml.org,2002:bool" | "!!bool") => {
            if let Some(flag) = core_bool(text) {
                return (Value::Bool(flag), Some(text.to_owned()));
            }
        }
        Some("tag:yaml.org,2002:int" | "!!int" | "tag:yaml.org,2002:float" | "!!float") => {
            if let Some(number) = core_number(text) {
                return (number, Some(text.to_owned()));
            }
        }
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return (Value::String(text.to_owned()), None);
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return (Value::Null, Some(text.to_owned()));
    }
    if let Some(flag) = core_bool(text) {
        return (Value::Bool(flag), Some(text.to_owned()));
    }
    if let Some(number) = core_number(text) {
        return (number, Some(text.to_owned()));
    }
    (Value::String(text.to_owned()), None)
}

fn core_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn core_number(text: &str) -> Option<Value> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    let negative = text.starts_with('-');
    if let Some(octal) = text.strip_prefix("0o") {
        return u64::from_str_radix(octal, 8).ok().map(Value::from);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16).ok().map(Value::from);
    }
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = text.trim_start_matches('+').parse::<i64>() {
            return Some(Value::from(n));
        }
        if let Ok(n) = text.trim_start_matches('+').parse::<u64>() {
            return Some(Value::from(n));
        }
        return text.parse::<f64>().ok().and_then(Number::from_f64).map(Value::Number);
    }
    if is_core_float(digits) {
        return digits
            .parse::<f64>()
            .ok()
            .map(|f| if negative { -f } else { f })
            .and_then(Number::from_f64)
            .map(Value::Number);
    }
    if matches!(digits, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        // JSON has no infinities or NaN; keep the spelling.
        return Some(Value::String(text.to_owned()));
    }
    None
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, sign already stripped.
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(index) => (&text[..index], Some(&text[index + 1..])),
        None => (text, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            (int.bytes().all(|b| b.is_ascii_digit()) && frac.bytes().all(|b| b.is_ascii_digit()))
                && (!int.is_empty() || !frac.is_empty())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

fn syntax_help(info: &str, text: &str, line: usize) -> Option<String> {
    let source_line = text.lines().nth(line.saturating_sub(1)).unwrap_or_default();
    if source_line.starts_with('\t') || info.contains("tab") {
        return Some("YAML does not allow tabs for indentation; indent with spaces".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn value(text: &str) -> Value {
        parse(text).map(|p| p.value).unwrap_or(Value::Null)
    }

    #[test]
    fn yaml_1_2_keeps_1_1_booleans_and_sexagesimals_as_strings() {
        assert_eq!(
            value("a: on\nb: yes\nc: no\nd: 12_24\ne: 2018-01-01\nf: 1:30\ng: true\nh: ~"),
            json!({"a": "on", "b": "yes", "c": "no", "d": "12_24", "e": "2018-01-01", "f": "1:30", "g": true, "h": null})
        );
    }

    #[test]
    fn numbers_keep_their_source_text() {
        let parsed = parse("info:\n  version: 1.10\n  n: 0x1F\n").ok();
        let parsed = parsed.as_ref();
        assert_eq!(parsed.map(|p| &p.value), Some(&json!({"info": {"version": 1.1, "n": 31}})));
        assert_eq!(
            parsed.and_then(|p| p.raw_scalars.get("/info/version")).map(String::as_str),
            Some("1.10")
        );
    }

    #[test]
    fn positions_point_at_keys_and_items() {
        let parsed = parse("paths:\n  /a:\n    get: {}\nlist:\n  - x\n  - y\n").ok();
        let pos = |p: &str| parsed.as_ref().and_then(|d| d.positions.get(p).copied());
        assert_eq!(pos("/paths/~1a/get"), Some(Pos { line: 3, column: 5 }));
        assert_eq!(pos("/list/1"), Some(Pos { line: 6, column: 5 }));
    }

    #[test]
    fn duplicate_keys_report_both_positions() {
        let problems = parse("a: 1\nb: 2\na: 3\n").err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pos, Pos { line: 3, column: 1 });
        assert_eq!(problems[0].related, Some((Pos { line: 1, column: 1 }, "/a".to_owned())));
    }

    #[test]
    fn a_duplicate_after_merged_and_nested_entries_points_at_its_first() {
        let problems = parse("a: 1\n<<: {a: 5, b: 2}\nc: {a: 1}\nb: 3\na: 4\n").err().unwrap_or_default();
        let found: Vec<_> = problems.iter().map(|p| (p.message.as_str(), p.pos.line, p.related.clone())).collect();
        assert_eq!(found, [("duplicate key `a`", 5, Some((Pos { line: 1, column: 1 }, "/a".to_owned())))]);
        // Positions: a key's for an entry's value, the item's own in a list.
        let parsed = parse("k:\n  - 1\n  - {x: 2}\n").ok();
        let pos = |p: &str| parsed.as_ref().and_then(|d| d.positions.get(p).copied());
        assert_eq!((pos("/k"), pos("/k/1"), pos("/k/1/x")), (Some(Pos { line: 1, column: 1 }), Some(Pos { line: 3, column: 5 }), Some(Pos { line: 3, column: 6 })));
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        assert_eq!(
            value("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\ncopy: *b\n"),
            json!({"base": {"x": 1, "y": 2}, "other": {"y": 3, "x": 1}, "copy": {"x": 1, "y": 2}})
        );
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let problems = parse(&text).err().unwrap_or_default();
        assert!(problems.iter().any(|p| p.message.contains("alias")), "{problems:?}");
    }

    #[test]
    fn recursive_aliases_are_refused() {
        let problems = parse("info: &a\n  title: x\n  again: *a\n").err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.starts_with("recursive alias"), "{problems:?}");
        assert_eq!(problems[0].pos, Pos { line: 3, column: 10 });
    }

    #[test]
    fn json_parses_too() {
        assert_eq!(value(r#"{"a": [1, 2.5, "x", null, true], "b": {"c/d": "\u00e9"}}"#),
            json!({"a": [1, 2.5, "x", null, true], "b": {"c/d": "é"}}));
    }

    #[test]
    fn unread_extensions_record_no_positions_or_raw_text() {
        let parsed = parse("x-samples:\n  - a: 1.10\nx-nullable: true\nheaders:\n  x-id: {schema: {default: 1.10}}\n").ok();
        let has = |p: &str| parsed.as_ref().is_some_and(|d| d.positions.contains_key(p));
        let raw = |p: &str| parsed.as_ref().and_then(|d| d.raw_scalars.get(p).cloned());
        assert!(has("/x-samples") && !has("/x-samples/0") && raw("/x-samples/0/a").is_none());
        assert!(has("/x-nullable") && raw("/x-nullable").as_deref() == Some("true"));
        // In a map of names, an `x-` key is a name.
        assert_eq!(raw("/headers/x-id/schema/default").as_deref(), Some("1.10"));
    }

    #[test]
    fn a_second_document_is_a_warning_at_its_start() {
        let parsed = parse("a: 1\n---\nb: 2\n").ok();
        assert_eq!(parsed.as_ref().map(|p| &p.value), Some(&json!({"a": 1})));
        let warnings = parsed.map(|p| p.warnings).unwrap_or_default();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].pos, Pos { line: 2, column: 1 });
    }

    #[test]
    fn syntax_errors_have_positions() {
        let problems = parse("a: [1, 2\nb: 3\n").err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].pos.line >= 1);
    }
}
