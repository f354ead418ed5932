//! JSON documents read with JSON's own rules, keeping where every node sits.
//!
//! JSON is nearly a subset of YAML 1.2, but not quite: YAML refuses the UTF-16 surrogate pairs
//! that JSON writers (Python's `json.dump`) use for characters outside the BMP, and JSON takes
//! the last of duplicate keys where YAML refuses them. So a document that is JSON is read here.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

use super::parse::{MAX_DEPTH, ParseProblem, Parsed, Pos, is_unread_extension};
use crate::diagnostic::push_pointer_segment;

/// Parses a JSON text (RFC 8259). The first syntax error stops the parse.
pub fn parse(text: &str) -> Result<Parsed, Vec<ParseProblem>> {
    let mut reader = Reader { text, bytes: text.as_bytes(), index: 0, pos: Pos { line: 1, column: 1 }, parsed: Parsed::for_source(text.len()) };
    reader.whitespace();
    let mut pointer = String::new();
    let value = reader.value(&mut pointer, false, false, 0).map_err(|problem| vec![*problem])?;
    reader.whitespace();
    if reader.index < reader.bytes.len() {
        return Err(vec![*reader.problem("unexpected text after the JSON value", String::new())]);
    }
    reader.parsed.value = value;
    Ok(reader.parsed)
}

/// A syntax error, boxed: it travels up every level of the recursion.
type Failure = Box<ParseProblem>;

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    index: usize,
    /// Position of `bytes[index]`.
    pos: Pos,
    parsed: Parsed,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    /// Moves past one byte, keeping line and column (in characters) in step.
    fn bump(&mut self) {
        let Some(byte) = self.peek() else { return };
        self.index += 1;
        if byte == b'\n' {
            self.pos = Pos { line: self.pos.line + 1, column: 1 };
        } else if byte & 0xC0 != 0x80 {
            self.pos.column += 1;
        }
    }

    fn whitespace(&mut self) {
        while let Some(byte) = self.peek() {
            match byte {
                b'\n' => {
                    self.index += 1;
                    self.pos = Pos { line: self.pos.line + 1, column: 1 };
                }
                b' ' | b'\t' | b'\r' => {
                    self.index += 1;
                    self.pos.column += 1;
                }
                _ => return,
            }
        }
    }

    fn problem(&self, message: impl Into<String>, pointer: String) -> Failure {
        let found = match self.peek() {
            None => "the end of the file".to_owned(),
            Some(_) => {
                let rest = self.bytes.get(self.index..).unwrap_or_default();
                let shown = String::from_utf8_lossy(rest.get(..rest.len().min(4)).unwrap_or_default()).into_owned();
                format!("`{}`", shown.chars().next().map(String::from).unwrap_or_default().escape_debug())
            }
        };
        Box::new(ParseProblem {
            message: format!("JSON syntax error: {} (found {found})", message.into()),
            pos: self.pos,
            pointer,
            help: None,
            related: None,
        })
    }

    fn expect(&mut self, byte: u8, what: &str, pointer: &str) -> Result<(), Failure> {
        if self.peek() == Some(byte) {
            self.bump();
            Ok(())
        } else {
            Err(self.problem(format!("expected {what}"), pointer.to_owned()))
        }
    }

    /// One value at `pointer`; `quiet` inside an unread extension. A mapping entry's value
    /// (`entry`) has its position recorded by the caller: its key's.
    fn value(&mut self, pointer: &mut String, quiet: bool, entry: bool, depth: usize) -> Result<Value, Failure> {
        if !quiet && !entry {
            let pos = self.pos;
            if self.parsed.has_room() && self.parsed.may_record(pointer.len(), pos, pointer) {
                self.parsed.positions.insert(pointer.clone(), pos);
            }
        }
        match self.peek() {
            Some(b'{') | Some(b'[') if depth >= MAX_DEPTH => {
                Err(self.problem(format!("the document nests deeper than {MAX_DEPTH} levels"), pointer.clone()))
            }
            Some(b'{') => self.object(pointer, quiet, depth),
            Some(b'[') => self.array(pointer, quiet, depth),
            Some(b'"') => self.string(pointer).map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true), pointer, quiet),
            Some(b'f') => self.literal("false", Value::Bool(false), pointer, quiet),
            Some(b'n') => self.literal("null", Value::Null, pointer, quiet),
            Some(b'-' | b'0'..=b'9') => self.number(pointer, quiet),
            _ => Err(self.problem("expected a value", pointer.clone())),
        }
    }

    fn object(&mut self, pointer: &mut String, quiet: bool, depth: usize) -> Result<Value, Failure> {
        self.bump();
        let mut map = Map::new();
        // Where each key of `map` is, in its order: duplicates are rare, so finding the first
        // of two is a scan.
        let mut key_positions: Vec<Pos> = Vec::new();
        self.whitespace();
        if self.peek() == Some(b'}') {
            self.bump();
            return Ok(Value::Object(map));
        }
        loop {
            self.whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.problem("expected a key in double quotes", pointer.clone()));
            }
            let key_pos = self.pos;
            let key = self.string(pointer)?;
            let child_quiet = quiet || is_unread_extension(&key, pointer);
            let length = pointer.len();
            push_pointer_segment(pointer, &key);
            self.whitespace();
            self.expect(b':', "`:` after the key", pointer)?;
            self.whitespace();
            let first_seen = if map.contains_key(&key) {
                map.keys().position(|k| *k == key).and_then(|index| key_positions.get(index)).copied()
            } else {
                None
            };
            if let Some(first) = first_seen {
                // JSON parsers take the last of duplicate keys; so does this one, out loud.
                self.parsed.warn(ParseProblem {
                    message: format!(
                        "duplicate key `{}`; the last one counts, as JSON parsers read it",
                        key.chars().take(100).collect::<String>()
                    ),
                    pos: key_pos,
                    pointer: pointer.clone(),
                    help: Some("remove or rename one of the two entries".into()),
                    related: Some((first, pointer.clone())),
                });
                if !child_quiet && self.parsed.may_record(pointer.len(), key_pos, pointer) {
                    self.parsed.positions.insert(pointer.clone(), key_pos);
                }
            } else {
                key_positions.push(key_pos);
                if !quiet && self.parsed.may_record(pointer.len(), key_pos, pointer) {
                    self.parsed.positions.insert(pointer.clone(), key_pos);
                }
            }
            let value = self.value(pointer, child_quiet, true, depth + 1)?;
            pointer.truncate(length);
            map.insert(key, value);
            self.whitespace();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    return Ok(Value::Object(map));
                }
                _ => return Err(self.problem("expected `,` or `}`", pointer.clone())),
            }
        }
    }

    fn array(&mut self, pointer: &mut String, quiet: bool, depth: usize) -> Result<Value, Failure> {
        self.bump();
        let mut items = Vec::new();
        self.whitespace();
        if self.peek() == Some(b']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            self.whitespace();
            let length = pointer.len();
            let _ = write!(pointer, "/{}", items.len());
            let item = self.value(pointer, quiet, false, depth + 1)?;
            pointer.truncate(length);
            items.push(item);
            self.whitespace();
            match self.peek() {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.problem("expected `,` or `]`", pointer.clone())),
            }
        }
    }

    fn literal(&mut self, word: &str, value: Value, pointer: &str, quiet: bool) -> Result<Value, Failure> {
        if !self.bytes.get(self.index..).is_some_and(|rest| rest.starts_with(word.as_bytes())) {
            return Err(self.problem("expected a value", pointer.to_owned()));
        }
        for _ in 0..word.len() {
            self.bump();
        }
        if !quiet && self.parsed.may_record(pointer.len().saturating_add(word.len()), self.pos, pointer) {
            self.parsed.raw_scalars.insert(pointer.to_owned(), word.to_owned());
        }
        Ok(value)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, read as serde_json reads it:
    /// integers that fit as integers, anything else as a double.
    fn number(&mut self, pointer: &str, quiet: bool) -> Result<Value, Failure> {
        let start = self.index;
        let start_pos = self.pos;
        if self.peek() == Some(b'-') {
            self.bump();
        }
        match self.peek() {
            Some(b'0') => self.bump(),
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.problem("expected a digit", pointer.to_owned())),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            integer = false;
            self.bump();
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.problem("expected a digit after `.`", pointer.to_owned()));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            integer = false;
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.problem("expected a digit in the exponent", pointer.to_owned()));
            }
            self.digits();
        }
        let spelling = String::from_utf8_lossy(self.bytes.get(start..self.index).unwrap_or_default()).into_owned();
        let number = if integer {
            spelling
                .parse::<i64>()
                .map(Number::from)
                .or_else(|_| spelling.parse::<u64>().map(Number::from))
                .ok()
                .or_else(|| spelling.parse::<f64>().ok().and_then(Number::from_f64))
        } else {
            spelling.parse::<f64>().ok().and_then(Number::from_f64)
        };
        let value = match number {
            Some(number) => Value::Number(number),
            None => {
                // Valid JSON beyond a double's range (`1e400`): kept as written, not refused.
                self.parsed.warn(ParseProblem {
                    message: format!("the number `{spelling}` is too large for a 64-bit float; it is kept as the text `{spelling}`"),
                    pos: start_pos,
                    pointer: pointer.to_owned(),
                    help: None,
                    related: None,
                });
                Value::String(spelling.clone())
            }
        };
        if !quiet && self.parsed.may_record(pointer.len().saturating_add(spelling.len()), start_pos, pointer) {
            self.parsed.raw_scalars.insert(pointer.to_owned(), spelling);
        }
        Ok(value)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.bump();
        }
    }

    /// A string; the reader is at its opening quote.
    fn string(&mut self, pointer: &str) -> Result<String, Failure> {
        self.bump();
        let mut out = String::new();
        loop {
            let run_start = self.index;
            let rest = self.bytes.get(run_start..).unwrap_or_default();
            let run = rest.iter().position(|&byte| byte == b'"' || byte == b'\\' || byte < 0x20).unwrap_or(rest.len());
            let run = rest.get(..run).unwrap_or_default();
            // No line break in the run: the column moves by its characters.
            self.index += run.len();
            self.pos.column += run.iter().filter(|&&byte| byte & 0xC0 != 0x80).count();
            // The run starts and ends at ASCII bytes (or the end), so it is whole characters.
            out.push_str(self.text.get(run_start..self.index).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.bump();
                    return Ok(out);
                }
                Some(b'\\') => {
                    let escape_pos = self.pos;
                    self.bump();
                    let Some(escape) = self.peek() else {
                        return Err(self.problem("unterminated string", pointer.to_owned()));
                    };
                    let simple = match escape {
                        b'"' => Some('"'),
                        b'\\' => Some('\\'),
                        b'/' => Some('/'),
                        b'b' => Some('\u{8}'),
                        b'f' => Some('\u{c}'),
                        b'n' => Some('\n'),
                        b'r' => Some('\r'),
                        b't' => Some('\t'),
                        _ => None,
                    };
                    if let Some(c) = simple {
                        self.bump();
                        out.push(c);
                    } else if escape == b'u' {
                        self.bump();
                        let c = self.unicode_escape(escape_pos, pointer)?;
                        out.push(c);
                    } else {
                        return Err(self.problem("unknown escape in a string", pointer.to_owned()));
                    }
                }
                Some(_) => {
                    return Err(self.problem(
                        "control character in a string (JSON needs it escaped, e.g. `\\t`, `\\n`)",
                        pointer.to_owned(),
                    ));
                }
                None => return Err(self.problem("unterminated string", pointer.to_owned())),
            }
        }
    }

    /// The character of a `\uXXXX` escape (the reader is past the `u`), joining a UTF-16
    /// surrogate pair; a lone surrogate becomes U+FFFD, with a warning.
    fn unicode_escape(&mut self, escape_pos: Pos, pointer: &str) -> Result<char, Failure> {
        let high = self.hex4(pointer)?;
        if !(0xD800..0xE000).contains(&high) {
            return Ok(char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        if (0xD800..0xDC00).contains(&high) && self.bytes.get(self.index..self.index + 2) == Some(b"\\u") {
            let save = (self.index, self.pos);
            self.bump();
            self.bump();
            let low = self.hex4(pointer)?;
            if (0xDC00..0xE000).contains(&low) {
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            // Not a low surrogate: it is read on its own.
            (self.index, self.pos) = save;
        }
        self.parsed.warn(ParseProblem {
            message: format!("`\\u{high:04x}` is half of a UTF-16 surrogate pair without its other half; read as U+FFFD"),
            pos: escape_pos,
            pointer: pointer.to_owned(),
            help: Some("write the character itself, or both halves of its pair".into()),
            related: None,
        });
        Ok(char::REPLACEMENT_CHARACTER)
    }

    fn hex4(&mut self, pointer: &str) -> Result<u32, Failure> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| (b as char).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.problem("expected four hex digits after `\\u`", pointer.to_owned()));
            };
            code = code * 16 + digit;
            self.bump();
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn surrogate_pairs_join_and_lone_halves_warn() {
        let parsed = parse("{\"\\ud83d\\udc4d k\": \"a\\ud83d\\ude00b\", \"lone\": \"\\udc4d\"}").ok();
        let parsed = parsed.as_ref();
        assert_eq!(parsed.map(|p| &p.value), Some(&json!({"👍 k": "a😀b", "lone": "\u{fffd}"})));
        assert_eq!(parsed.map(|p| p.warnings.len()), Some(1));
    }

    #[test]
    fn escapes_numbers_and_duplicates_follow_json() {
        let parsed = parse(r#"{"a": "x\ty\/z", "n": [1e400, 18446744073709551615, -0, 1.10], "a": 2}"#).ok();
        let parsed = parsed.as_ref();
        assert_eq!(
            parsed.map(|p| &p.value),
            Some(&json!({"a": 2, "n": ["1e400", 18446744073709551615u64, 0, 1.1]}))
        );
        assert_eq!(parsed.and_then(|p| p.raw_scalars.get("/n/3")).map(String::as_str), Some("1.10"));
        // The out-of-range number and the duplicate key are warnings.
        assert_eq!(parsed.map(|p| p.warnings.len()), Some(2));
    }

    #[test]
    fn a_duplicate_key_points_at_the_first_of_its_object() {
        let parsed = parse("{\"a\": {\"b\": 1},\n \"b\": 2,\n \"c\": 3, \"b\": 4}").ok();
        let warnings = parsed.map(|p| p.warnings).unwrap_or_default();
        let found: Vec<_> = warnings.iter().map(|w| (w.pos, w.related.clone())).collect();
        assert_eq!(found, [(Pos { line: 3, column: 10 }, Some((Pos { line: 2, column: 2 }, "/b".to_owned())))]);
    }

    #[test]
    fn positions_count_characters_and_point_at_keys() {
        let parsed = parse("{\n  \"é\": {\"b\": [true,\n    \"x\"]}}").ok();
        let pos = |p: &str| parsed.as_ref().and_then(|d| d.positions.get(p).copied());
        assert_eq!(pos(""), Some(Pos { line: 1, column: 1 }));
        assert_eq!(pos("/é"), Some(Pos { line: 2, column: 3 }));
        assert_eq!(pos("/é/b"), Some(Pos { line: 2, column: 9 }));
        assert_eq!(pos("/é/b/1"), Some(Pos { line: 3, column: 5 }));
    }

    #[test]
    fn nesting_is_bounded() {
        let problems = parse(&"[".repeat(MAX_DEPTH + 10)).err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("nests deeper"), "{problems:?}");
    }

    #[test]
    fn unread_extensions_record_no_positions_but_read_ones_do() {
        let parsed = parse(r#"{"x-samples": [{"a": 1}], "x-nullable": true, "properties": {"x-id": {"type": "string"}}}"#).ok();
        let has = |p: &str| parsed.as_ref().is_some_and(|d| d.positions.contains_key(p));
        assert!(has("/x-samples") && !has("/x-samples/0") && !has("/x-samples/0/a"));
        assert!(has("/x-nullable") && has("/properties/x-id/type"));
    }

    #[test]
    fn syntax_errors_say_where() {
        let problems = parse("{\"a\": [1,\n 2,,]}").err().unwrap_or_default();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].pos, Pos { line: 2, column: 4 });
        assert_eq!(problems[0].pointer, "/a/2");
    }
}
