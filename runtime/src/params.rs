//! Parameter serialization by OpenAPI `style` and `explode`, for path, query, header and
//! cookie parameters.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use serde_json::Value;

/// RFC 3986 unreserved characters stay; everything else is percent-encoded.
pub(crate) const UNRESERVED: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~').remove(b'.');

/// How a parameter value is written (OpenAPI `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Style {
    /// `form`: `name=a&name=b` (exploded) or `name=a,b`.
    Form,
    /// `spaceDelimited`: `name=a%20b`.
    SpaceDelimited,
    /// `pipeDelimited`: `name=a|b`.
    PipeDelimited,
    /// `deepObject`: `name[key]=value`.
    DeepObject,
    /// `simple`: `a,b` (path and header default).
    Simple,
    /// `label`: `.a.b` (exploded) or `.a,b`.
    Label,
    /// `matrix`: `;name=a;name=b` (exploded) or `;name=a,b`.
    Matrix,
}

/// A value reduced to what parameter styles can express.
pub(crate) enum Flat {
    Scalar(String),
    List(Vec<String>),
    Object(Vec<(String, String)>),
}

impl Flat {
    /// No value at all: ``, `[]` or `{}` (an object whose fields are all null included).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Self::Scalar(text) => text.is_empty(),
            Self::List(items) => items.is_empty(),
            Self::Object(fields) => fields.is_empty(),
        }
    }

    /// Some scalar, item, key or field value is `.` or `..`.
    pub(crate) fn has_dot_element(&self) -> bool {
        let dots = |text: &str| text == "." || text == "..";
        match self {
            Self::Scalar(text) => dots(text),
            Self::List(items) => items.iter().any(|item| dots(item)),
            Self::Object(fields) => fields.iter().any(|(key, value)| dots(key) || dots(value)),
        }
    }
}

pub(crate) fn flatten<V: Serialize + ?Sized>(value: &V) -> Result<Flat, String> {
    // Most parameters are strings and integers: their text is had without a JSON value.
    let mut text = String::new();
    if value.serialize(ScalarText { out: &mut text }).is_ok() {
        return Ok(Flat::Scalar(text));
    }
    match serde_json::to_value(value).map_err(|e| e.to_string())? {
        Value::Array(items) => items.into_iter().map(scalar).collect::<Result<_, _>>().map(Flat::List),
        Value::Object(fields) => fields
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| scalar(v).map(|v| (k, v)))
            .collect::<Result<_, _>>()
            .map(Flat::Object),
        other => scalar(other).map(Flat::Scalar),
    }
}

/// The text of a scalar; arrays and objects cannot be a single parameter value.
pub(crate) fn scalar(value: Value) -> Result<String, String> {
    match value {
        Value::String(text) => Ok(text),
        Value::Number(number) => Ok(number.to_string()),
        Value::Bool(flag) => Ok(flag.to_string()),
        Value::Null => Ok(String::new()),
        Value::Array(_) | Value::Object(_) => {
            Err("nested arrays and objects cannot be written in this parameter style".to_owned())
        }
    }
}

/// Query pairs for a query parameter, percent-encoded: each name and item is encoded on its
/// own, then joined with the style's delimiter, so that a delimiter inside an item (`a,b` as one
/// item) stays distinguishable from the delimiter between items (the specification's table:
/// `color=blue,black,brown`, `blue%20black%20brown`, `blue%7Cblack%7Cbrown`, `color%5BR%5D=100`).
pub(crate) fn query_pairs(name: &str, flat: Flat, style: Style, explode: bool) -> Vec<(String, String)> {
    let enc = |text: &str| utf8_percent_encode(text, UNRESERVED).to_string();
    let delimiter = match style {
        Style::SpaceDelimited => "%20",
        Style::PipeDelimited => "%7C",
        _ => ",",
    };
    match (flat, style, explode) {
        (Flat::Scalar(value), _, _) => vec![(enc(name), enc(&value))],
        (Flat::List(items), Style::Form, true) => items.iter().map(|v| (enc(name), enc(v))).collect(),
        (Flat::List(items), _, _) => {
            vec![(enc(name), items.iter().map(|v| enc(v)).collect::<Vec<_>>().join(delimiter))]
        }
        (Flat::Object(fields), Style::DeepObject, _) => {
            fields.iter().map(|(k, v)| (enc(&format!("{name}[{k}]")), enc(v))).collect()
        }
        (Flat::Object(fields), _, true) => fields.iter().map(|(k, v)| (enc(k), enc(v))).collect(),
        (Flat::Object(fields), _, false) => {
            let joined = fields.iter().flat_map(|(k, v)| [enc(k), enc(v)]).collect::<Vec<_>>().join(delimiter);
            vec![(enc(name), joined)]
        }
    }
}

/// One percent-encoded query pair from raw text.
pub(crate) fn encoded_pair(name: &str, value: &str) -> (String, String) {
    (utf8_percent_encode(name, UNRESERVED).to_string(), utf8_percent_encode(value, UNRESERVED).to_string())
}

/// `application/x-www-form-urlencoded` text of `pairs` (spaces as `+`), as the URL standard
/// writes it.
pub(crate) fn form_urlencoded<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> String {
    let Ok(mut url) = reqwest::Url::parse("http://form.invalid/") else { return String::new() };
    url.query_pairs_mut().extend_pairs(pairs);
    url.query().unwrap_or_default().to_owned()
}

/// The text that replaces `{name}` in a path, percent-encoded except for the style's own
/// delimiters.
pub(crate) fn path_segment(name: &str, flat: Flat, style: Style, explode: bool) -> String {
    let enc = |text: &str| utf8_percent_encode(text, UNRESERVED).to_string();
    let (prefix, separator) = match (style, explode) {
        (Style::Label, true) => (".", "."),
        (Style::Label, false) => (".", ","),
        (Style::Matrix, _) => (";", if explode { ";" } else { "," }),
        _ => ("", ","),
    };
    match (flat, style) {
        (Flat::Scalar(value), Style::Matrix) => format!(";{}={}", enc(name), enc(&value)),
        (Flat::Scalar(value), _) if prefix.is_empty() => enc(&value),
        (Flat::Scalar(value), _) => format!("{prefix}{}", enc(&value)),
        (Flat::List(items), Style::Matrix) if explode => {
            items.iter().map(|v| format!(";{}={}", enc(name), enc(v))).collect()
        }
        (Flat::List(items), Style::Matrix) => {
            format!(";{}={}", enc(name), items.iter().map(|v| enc(v)).collect::<Vec<_>>().join(","))
        }
        (Flat::List(items), _) => format!("{prefix}{}", items.iter().map(|v| enc(v)).collect::<Vec<_>>().join(separator)),
        (Flat::Object(fields), Style::Matrix) if explode => {
            fields.iter().map(|(k, v)| format!(";{}={}", enc(k), enc(v))).collect()
        }
        (Flat::Object(fields), Style::Matrix) => format!(
            ";{}={}",
            enc(name),
            fields.iter().flat_map(|(k, v)| [enc(k), enc(v)]).collect::<Vec<_>>().join(",")
        ),
        (Flat::Object(fields), _) if explode => format!(
            "{prefix}{}",
            fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join(separator)
        ),
        (Flat::Object(fields), _) => format!(
            "{prefix}{}",
            fields.iter().flat_map(|(k, v)| [enc(k), enc(v)]).collect::<Vec<_>>().join(",")
        ),
    }
}

/// A header value (style `simple`).
pub(crate) fn header_value(flat: Flat, explode: bool) -> String {
    match flat {
        Flat::Scalar(value) => value,
        Flat::List(items) => items.join(","),
        Flat::Object(fields) if explode => fields.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
        Flat::Object(fields) => fields.into_iter().flat_map(|(k, v)| [k, v]).collect::<Vec<_>>().join(","),
    }
}

/// A `name=value` cookie pair (style `form`); keys and values are percent-encoded, so that no
/// value or key of an exploded object can start another cookie.
pub(crate) fn cookie_pairs(name: &str, flat: Flat, explode: bool) -> Vec<String> {
    let enc = |text: &str| utf8_percent_encode(text, UNRESERVED).to_string();
    match flat {
        Flat::Scalar(value) => vec![format!("{name}={}", enc(&value))],
        Flat::List(items) if explode => items.iter().map(|v| format!("{name}={}", enc(v))).collect(),
        Flat::List(items) => vec![format!("{name}={}", items.iter().map(|v| enc(v)).collect::<Vec<_>>().join(","))],
        Flat::Object(fields) if explode => fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect(),
        Flat::Object(fields) => vec![format!(
            "{name}={}",
            fields.iter().flat_map(|(k, v)| [enc(k), enc(v)]).collect::<Vec<_>>().join(",")
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flat(value: Value) -> Flat {
        flatten(&value).unwrap_or(Flat::Scalar(String::new()))
    }

    /// What `flatten` gives without the JSON value, and what the JSON way gives.
    fn both_ways<V: Serialize>(value: V) -> (Option<String>, Option<String>) {
        let mut text = String::new();
        let direct = value.serialize(ScalarText { out: &mut text }).is_ok().then_some(text);
        let by_json = match serde_json::to_value(&value).map(scalar) {
            Ok(Ok(text)) => Some(text),
            _ => None,
        };
        (direct, by_json)
    }

    #[derive(Serialize)]
    enum Colour {
        #[serde(rename = "dark-blue")]
        DarkBlue,
    }

    #[derive(Serialize)]
    struct Id(u64);

    #[test]
    fn scalars_written_directly_read_as_their_json_text_and_the_rest_is_left_to_json() {
        let direct_and_equal = [
            both_ways("a b/ü"), both_ways(String::new()), both_ways(-42_i64), both_ways(u64::MAX),
            both_ways(7_u8), both_ways(true), both_ways('x'), both_ways(Some("s")), both_ways(Colour::DarkBlue),
            both_ways(Id(9)), both_ways(uuid::Uuid::nil()),
        ];
        for (direct, by_json) in direct_and_equal {
            assert!(direct.is_some(), "{by_json:?} was not written directly");
            assert_eq!(direct, by_json);
        }
        // Floats print otherwise in JSON (`1.0`); none, lists and objects are not scalars.
        for (direct, _) in [both_ways(1.0_f64), both_ways(None::<&str>), both_ways(vec![1]), both_ways(json!({"a": 1}))] {
            assert_eq!(direct, None);
        }
        assert!(matches!(flatten(&1.0_f64), Ok(Flat::Scalar(text)) if text == "1.0"));
        assert!(matches!(flatten(&None::<u8>), Ok(Flat::Scalar(text)) if text.is_empty()));
    }

    /// The examples of the OpenAPI specification's style table (color = blue,
    /// [blue, black, brown], {R: 100, G: 200, B: 150}).
    #[test]
    fn path_styles_match_the_specification_table() {
        let list = || flat(json!(["blue", "black", "brown"]));
        let object = || flat(json!({"R": 100, "G": 200, "B": 150}));
        assert_eq!(path_segment("color", flat(json!("blue")), Style::Simple, false), "blue");
        assert_eq!(path_segment("color", list(), Style::Simple, false), "blue,black,brown");
        assert_eq!(path_segment("color", object(), Style::Simple, false), "R,100,G,200,B,150");
        assert_eq!(path_segment("color", object(), Style::Simple, true), "R=100,G=200,B=150");
        assert_eq!(path_segment("color", flat(json!("blue")), Style::Label, false), ".blue");
        assert_eq!(path_segment("color", list(), Style::Label, false), ".blue,black,brown");
        assert_eq!(path_segment("color", list(), Style::Label, true), ".blue.black.brown");
        assert_eq!(path_segment("color", object(), Style::Label, true), ".R=100.G=200.B=150");
        assert_eq!(path_segment("color", flat(json!("blue")), Style::Matrix, false), ";color=blue");
        assert_eq!(path_segment("color", list(), Style::Matrix, false), ";color=blue,black,brown");
        assert_eq!(path_segment("color", list(), Style::Matrix, true), ";color=blue;color=black;color=brown");
        assert_eq!(path_segment("color", object(), Style::Matrix, true), ";R=100;G=200;B=150");
        assert_eq!(path_segment("color", object(), Style::Matrix, false), ";color=R,100,G,200,B,150");
    }

    #[test]
    fn query_styles_match_the_specification_table() {
        let pairs = |p: Vec<(String, String)>| p.into_iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let list = || flat(json!(["blue", "black", "brown"]));
        let object = || flat(json!({"R": 100, "G": 200, "B": 150}));
        assert_eq!(pairs(query_pairs("color", list(), Style::Form, true)), "color=blue&color=black&color=brown");
        assert_eq!(pairs(query_pairs("color", list(), Style::Form, false)), "color=blue,black,brown");
        assert_eq!(pairs(query_pairs("color", object(), Style::Form, true)), "R=100&G=200&B=150");
        assert_eq!(pairs(query_pairs("color", object(), Style::Form, false)), "color=R,100,G,200,B,150");
        assert_eq!(pairs(query_pairs("color", list(), Style::SpaceDelimited, false)), "color=blue%20black%20brown");
        assert_eq!(pairs(query_pairs("color", list(), Style::PipeDelimited, false)), "color=blue%7Cblack%7Cbrown");
        assert_eq!(
            pairs(query_pairs("color", object(), Style::DeepObject, true)),
            "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"
        );
        // A delimiter inside an item is data, not a delimiter.
        assert_eq!(pairs(query_pairs("q", flat(json!(["a,b", "c d"])), Style::Form, false)), "q=a%2Cb,c%20d");
    }

    #[test]
    fn cookies_and_headers() {
        assert_eq!(cookie_pairs("id", flat(json!("a b;c")), true), ["id=a%20b%3Bc"]);
        assert_eq!(cookie_pairs("ids", flat(json!([1, 2])), false), ["ids=1,2"]);
        // A key cannot end the pair and start another cookie.
        assert_eq!(cookie_pairs("c", flat(json!({"a=1; admin": "x"})), true), ["a%3D1%3B%20admin=x"]);
        assert_eq!(header_value(flat(json!({"a": 1, "b": 2})), true), "a=1,b=2");
        assert_eq!(header_value(flat(json!([1, 2])), false), "1,2");
    }
}

/// Writes the text of a string, integer, boolean or unit variant, as [`scalar`] would give
/// it from the JSON value; anything else (floats included, whose JSON text differs from
/// Rust's) is refused, and taken the JSON way.
struct ScalarText<'a> {
    out: &'a mut String,
}

/// What [`ScalarText`] refuses.
#[derive(Debug)]
struct NotScalar;

impl std::fmt::Display for NotScalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a scalar")
    }
}

impl std::error::Error for NotScalar {}

impl serde::ser::Error for NotScalar {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Self
    }
}

macro_rules! scalar_text_integers {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, value: $ty) -> Result<(), NotScalar> {
            use std::fmt::Write as _;
            write!(self.out, "{value}").map_err(|_| NotScalar)
        }
    )*};
}

macro_rules! scalar_text_refused {
    ($($method:ident($($arg:ty),*)),*) => {$(
        fn $method(self, $(_: $arg),*) -> Result<(), NotScalar> {
            Err(NotScalar)
        }
    )*};
}

impl serde::Serializer for ScalarText<'_> {
    type Ok = ();
    type Error = NotScalar;
    type SerializeSeq = serde::ser::Impossible<(), NotScalar>;
    type SerializeTuple = serde::ser::Impossible<(), NotScalar>;
    type SerializeTupleStruct = serde::ser::Impossible<(), NotScalar>;
    type SerializeTupleVariant = serde::ser::Impossible<(), NotScalar>;
    type SerializeMap = serde::ser::Impossible<(), NotScalar>;
    type SerializeStruct = serde::ser::Impossible<(), NotScalar>;
    type SerializeStructVariant = serde::ser::Impossible<(), NotScalar>;

    scalar_text_integers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64);
    scalar_text_refused!(serialize_f32(f32), serialize_f64(f64), serialize_bytes(&[u8]), serialize_none(),
        serialize_unit(), serialize_unit_struct(&'static str));

    fn serialize_bool(self, value: bool) -> Result<(), NotScalar> {
        self.out.push_str(if value { "true" } else { "false" });
        Ok(())
    }

    fn serialize_char(self, value: char) -> Result<(), NotScalar> {
        self.out.push(value);
        Ok(())
    }

    fn serialize_str(self, value: &str) -> Result<(), NotScalar> {
        self.out.push_str(value);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotScalar> {
        value.serialize(self)
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), NotScalar> {
        self.out.push_str(variant);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), NotScalar> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<(), NotScalar> {
        Err(NotScalar)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotScalar> {
        Err(NotScalar)
    }

    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, NotScalar> {
        Err(NotScalar)
    }
}
