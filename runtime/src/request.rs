//! The description of one HTTP request that generated operations fill in.

use std::borrow::Cow;
use std::time::Duration;

use crate::params::{self, Style};
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Serialize;
use serde_json::Value;

/// Per-call settings that every request builder accepts.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct CallOptions {
    /// Overrides the client's request timeout for this call (an OAuth 2 token request it
    /// needs included).
    pub timeout: Option<Duration>,
    /// Extra headers, sent after (and so overriding) everything else, e.g. `If-Match`.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// Overrides the client's retry policy for this call.
    pub retry: Option<crate::retry::RetryPolicy>,
    problem: Option<String>,
}

#[derive(Debug)]
pub(crate) enum Body {
    Json(Vec<u8>),
    Raw { bytes: Vec<u8>, content_type: String },
    Binary { body: crate::binary::BinaryBody, content_type: String },
}

/// One request, as an operation describes it: method, path, parameters, body and the
/// security requirements it accepts. Encoding problems are kept and reported when it is sent.
#[derive(Debug)]
pub struct Request {
    pub(crate) operation: &'static str,
    pub(crate) method: Method,
    /// The template until a path parameter fills it in.
    pub(crate) path: Cow<'static, str>,
    /// Percent-encoded name and value pairs.
    pub(crate) query: Vec<(String, String)>,
    pub(crate) cookies: Vec<String>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) body: Option<Body>,
    pub(crate) security: &'static [&'static [&'static str]],
    pub(crate) options: CallOptions,
    pub(crate) problem: Option<String>,
}

impl Request {
    /// A request for `operation` to the path template `path`, e.g. `/orgs/{orgId}`.
    pub fn new(operation: &'static str, method: Method, path: &'static str) -> Self {
        Self {
            operation,
            method,
            path: Cow::Borrowed(path),
            query: Vec::new(),
            cookies: Vec::new(),
            headers: Vec::new(),
            body: None,
            security: &[],
            options: CallOptions::default(),
            problem: None,
        }
    }

    /// Replaces `{name}` in the path with the percent-encoded value (style `simple`).
    pub fn path_param<V: Serialize + ?Sized>(&mut self, name: &str, value: &V) -> &mut Self {
        self.path_param_styled(name, value, Style::Simple, false)
    }

    /// Replaces `{name}` in the path, written in `style`.
    pub fn path_param_styled<V: Serialize + ?Sized>(&mut self, name: &str, value: &V, style: Style, explode: bool) -> &mut Self {
        match params::flatten(value) {
            Ok(flat) if flat.is_empty() => self.note_problem(format!(
                "path parameter `{name}`: an empty value would change the path"
            )),
            Ok(flat) if flat.has_dot_element() => self.note_problem(format!(
                "path parameter `{name}`: the value `.` or `..` would change the path"
            )),
            Ok(flat) => {
                let segment = params::path_segment(name, flat, style, explode);
                let path = replace_placeholder(&self.path, name, &segment);
                // Values are encoded, so no `/` enters and segments line up one to one; a
                // segment that became `.`, `..` or empty would climb, vanish or change the route.
                // A value with a character that no dot segment has cannot make one.
                let may_climb = segment.bytes().all(|b| matches!(b, b'.' | b'%' | b'2' | b'e' | b'E'));
                let climbs = may_climb && path.split('/').zip(self.path.split('/')).any(|(new, old)| {
                    (is_dot_segment(new) && !is_dot_segment(old)) || (new.is_empty() && !old.is_empty())
                });
                if climbs {
                    self.note_problem(format!("path parameter `{name}`: the value would make a `.`, `..` or empty segment"));
                } else {
                    self.path = Cow::Owned(path);
                }
            }
            Err(message) => self.note_problem(format!("path parameter `{name}`: {message}")),
        }
        self
    }

    /// Adds a query parameter (style `form`, exploded: arrays repeat the name).
    pub fn query_param<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V) -> &mut Self {
        self.query_param_styled(name, value, Style::Form, true)
    }

    /// Adds a query parameter written in `style`.
    pub fn query_param_styled<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V, style: Style, explode: bool) -> &mut Self {
        match params::flatten(value) {
            Ok(flat) => self.query.extend(params::query_pairs(name, flat, style, explode)),
            Err(message) => self.note_problem(format!("query parameter `{name}`: {message}")),
        }
        self
    }

    /// Adds a header parameter (style `simple`: arrays are comma-separated).
    pub fn header_param<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V) -> &mut Self {
        self.header_param_styled(name, value, false)
    }

    /// Adds a header parameter; `explode` writes objects as `key=value` pairs.
    pub fn header_param_styled<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V, explode: bool) -> &mut Self {
        let encoded = params::flatten(value).and_then(|flat| {
            let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| "not a valid header name".to_owned())?;
            let value = HeaderValue::from_str(&params::header_value(flat, explode))
                .map_err(|_| "the value contains characters not allowed in a header".to_owned())?;
            Ok((header, value))
        });
        match encoded {
            Ok(pair) => self.headers.push(pair),
            Err(message) => self.note_problem(format!("header `{name}`: {message}")),
        }
        self
    }

    /// Adds a query parameter whose value is JSON text (a parameter with `content:
    /// application/json`).
    pub fn query_param_json<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V) -> &mut Self {
        match serde_json::to_string(value) {
            Ok(text) => self.query.push(params::encoded_pair(name, &text)),
            Err(error) => self.note_problem(format!("query parameter `{name}`: {error}")),
        }
        self
    }

    /// Adds a cookie parameter (style `form`).
    pub fn cookie_param<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V, explode: bool) -> &mut Self {
        match params::flatten(value) {
            Ok(flat) => self.cookies.extend(params::cookie_pairs(name, flat, explode)),
            Err(message) => self.note_problem(format!("cookie `{name}`: {message}")),
        }
        self
    }

    /// Sets the whole query string from one value (3.2 `in: querystring`): an object's fields
    /// become pairs (arrays repeat the name), a string is taken as an encoded query string.
    pub fn query_string_param<V: Serialize + ?Sized>(&mut self, name: &'static str, value: &V) -> &mut Self {
        match serde_json::to_value(value) {
            Ok(Value::Object(fields)) => {
                for (key, field) in fields {
                    let values = match field {
                        Value::Array(items) => items.into_iter().map(params::scalar).collect::<Result<Vec<_>, _>>(),
                        other => params::scalar(other).map(|text| vec![text]),
                    };
                    match values {
                        Ok(values) => self.query.extend(values.iter().map(|v| params::encoded_pair(&key, v))),
                        Err(message) => self.note_problem(format!("query string `{name}`: {message}")),
                    }
                }
            }
            Ok(Value::String(encoded)) => {
                let parsed = reqwest::Url::parse(&format!("http://query.invalid/?{encoded}"));
                match parsed {
                    Ok(url) => self.query.extend(url.query_pairs().map(|(k, v)| params::encoded_pair(&k, &v))),
                    Err(error) => self.note_problem(format!("query string `{name}`: {error}")),
                }
            }
            Ok(Value::Null) => {}
            Ok(_) => self.note_problem(format!("query string `{name}`: expected an object or a string")),
            Err(error) => self.note_problem(format!("query string `{name}`: {error}")),
        }
        self
    }

    /// Sets a JSON body.
    pub fn json_body<V: Serialize + ?Sized>(&mut self, value: &V) -> &mut Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.body = Some(Body::Json(bytes)),
            Err(error) => self.note_problem(format!("JSON body: {error}")),
        }
        self
    }

    /// Sets a JSON body sent as another JSON media type, e.g. `application/merge-patch+json`.
    pub fn json_body_as<V: Serialize + ?Sized>(&mut self, value: &V, content_type: &'static str) -> &mut Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => self.body = Some(Body::Raw { bytes, content_type: content_type.to_owned() }),
            Err(error) => self.note_problem(format!("JSON body: {error}")),
        }
        self
    }

    /// Sets a body of raw bytes with its content type.
    pub fn raw_body(&mut self, bytes: Vec<u8>, content_type: &'static str) -> &mut Self {
        self.body = Some(Body::Raw { bytes, content_type: content_type.to_owned() });
        self
    }

    /// Sets a binary body, in memory or streamed, with its content type.
    pub fn binary_body(&mut self, body: crate::binary::BinaryBody, content_type: &'static str) -> &mut Self {
        self.body = Some(Body::Binary { body, content_type: content_type.to_owned() });
        self
    }

    /// Sets an `application/x-www-form-urlencoded` body from an object's fields (arrays repeat
    /// the name).
    pub fn form_body<V: Serialize + ?Sized>(&mut self, value: &V) -> &mut Self {
        let fields = match serde_json::to_value(value) {
            Ok(Value::Object(fields)) => fields,
            Ok(_) => return self.problem_and("form body: expected an object"),
            Err(error) => return self.problem_and(&format!("form body: {error}")),
        };
        // Arrays repeat the name; nested objects travel as JSON text.
        let mut pairs = Vec::new();
        for (name, field) in fields {
            match field {
                Value::Null => {}
                Value::Array(items) => {
                    for item in items {
                        let text = if item.is_object() || item.is_array() { item.to_string() } else { params::scalar(item).unwrap_or_default() };
                        pairs.push((name.clone(), text));
                    }
                }
                Value::Object(_) => pairs.push((name, field.to_string())),
                scalar => pairs.push((name, params::scalar(scalar).unwrap_or_default())),
            }
        }
        let encoded = params::form_urlencoded(pairs);
        self.body = Some(Body::Raw { bytes: encoded.into_bytes(), content_type: "application/x-www-form-urlencoded".to_owned() });
        self
    }

    /// Sets a `multipart/form-data` body.
    pub fn multipart_body(&mut self, form: crate::multipart::Multipart) -> &mut Self {
        match form.finish() {
            Ok((bytes, content_type)) => self.body = Some(Body::Raw { bytes, content_type }),
            Err(message) => self.note_problem(message),
        }
        self
    }

    fn problem_and(&mut self, message: &str) -> &mut Self {
        self.note_problem(message.to_owned());
        self
    }

    /// The security requirements the operation accepts: an OR of ANDs of scheme names.
    pub fn security(&mut self, requirements: &'static [&'static [&'static str]]) -> &mut Self {
        self.security = requirements;
        self
    }

    /// The caller's per-call options.
    pub fn options(&mut self, mut options: CallOptions) -> &mut Self {
        if let Some(problem) = options.problem.take() {
            self.note_problem(problem);
        }
        self.options = options;
        self
    }

    /// A request with a method the `Method` constants do not name (e.g. `QUERY`).
    pub fn with_method_name(operation: &'static str, method: &'static str, path: &'static str) -> Self {
        match Method::from_bytes(method.as_bytes()) {
            Ok(method) => Self::new(operation, method, path),
            Err(_) => {
                let mut request = Self::new(operation, Method::GET, path);
                request.note_problem(format!("`{method}` is not a valid HTTP method"));
                request
            }
        }
    }

    fn note_problem(&mut self, message: String) {
        self.problem.get_or_insert(message);
    }
}

/// `.` or `..`, also percent-encoded (`%2e`, as URL parsers read it), in any case. Checked
/// in place: it runs on every segment of every path.
fn is_dot_segment(segment: &str) -> bool {
    let mut rest = segment.as_bytes();
    let mut dots = 0;
    while !rest.is_empty() {
        rest = match rest {
            [b'.', tail @ ..] => tail,
            [b'%', b'2', b'e' | b'E', tail @ ..] => tail,
            _ => return false,
        };
        dots += 1;
    }
    dots == 1 || dots == 2
}

/// `path` with every `{name}` replaced by `value`, as `str::replace` would, without building
/// the pattern or a searcher for it.
fn replace_placeholder(path: &str, name: &str, value: &str) -> String {
    let mut replaced = String::with_capacity(path.len() + value.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let (before, from_brace) = rest.split_at(open);
        replaced.push_str(before);
        let placeholder = from_brace.get(1..).and_then(|after| after.strip_prefix(name)).and_then(|after| after.strip_prefix('}'));
        match placeholder {
            Some(after) => {
                replaced.push_str(value);
                rest = after;
            }
            None => {
                replaced.push('{');
                rest = from_brace.get(1..).unwrap_or_default();
            }
        }
    }
    replaced.push_str(rest);
    replaced
}

impl CallOptions {
    /// Sets the timeout for this call.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = Some(timeout);
    }

    /// Sets the retry policy for this call.
    pub fn set_retry(&mut self, policy: crate::retry::RetryPolicy) {
        self.retry = Some(policy);
    }

    /// Adds a header; a name or value that is not valid in HTTP is reported when the call is sent.
    pub fn add_header(&mut self, name: &str, value: &str) {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))
            .and_then(|header| {
                HeaderValue::from_str(value)
                    .map(|value| (header, value))
                    .map_err(|_| format!("the value of header `{name}` contains characters not allowed in a header"))
            });
        match header {
            Ok(pair) => self.headers.push(pair),
            Err(problem) => {
                self.problem.get_or_insert(problem);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_values_cannot_change_the_path() {
        let mut request = Request::new("op", Method::GET, "/files/{name}/meta");
        request.path_param("name", "../admin/a b?x#y");
        assert_eq!(request.path, "/files/..%2Fadmin%2Fa%20b%3Fx%23y/meta");
        assert!(request.problem.is_none());

        let mut request = Request::new("op", Method::GET, "/files/{name}/meta");
        request.path_param("name", "..");
        assert!(request.problem.is_some());
    }

    /// Every style and shape: a value that would make `.` or `..` or an empty segment is
    /// refused, whatever else it does.
    #[test]
    fn no_style_or_shape_adds_removes_or_climbs_segments() {
        use serde_json::json;
        let refused = [
            json!("."), json!(".."), json!(""), json!([]), json!({}), json!([".."]), json!(["."]), json!([""]),
        ];
        for style in [Style::Simple, Style::Label, Style::Matrix] {
            for explode in [false, true] {
                for value in &refused {
                    let mut request = Request::new("op", Method::GET, "/multi/{ids}/end");
                    request.path_param_styled("ids", value, style, explode);
                    // Matrix writes `;ids=`, a segment of its own: only `[""]` goes through there.
                    let must_refuse = style != Style::Matrix || value != &json!([""]);
                    if must_refuse {
                        assert!(request.problem.is_some(), "{style:?} explode={explode} {value} sent {}", request.path);
                    }
                    assert!(
                        request.path.split('/').all(|s| !is_dot_segment(s) && !s.is_empty() || s.is_empty() && request.path.starts_with('/')),
                        "{style:?} explode={explode} {value}: {}",
                        request.path
                    );
                    assert_eq!(request.path.split('/').count(), 4, "{style:?} {value}: {}", request.path);
                }
            }
        }
        // Label style turns `.` into `..` and the empty string into `.`.
        for value in [json!("."), json!(""), json!(["."]), json!([""])] {
            for explode in [false, true] {
                let mut request = Request::new("op", Method::GET, "/a/{x}/b");
                request.path_param_styled("x", &value, Style::Label, explode);
                assert!(request.problem.is_some(), "label {value} explode={explode}: {}", request.path);
            }
        }
        // Dots as object keys or values, and an object with only null fields, which is empty.
        for value in [json!({".": "x"}), json!({"k": ".."})] {
            let mut request = Request::new("op", Method::GET, "/a/{x}/b");
            request.path_param_styled("x", &value, Style::Simple, false);
            assert!(request.problem.is_some(), "{value}: {}", request.path);
        }
        let mut request = Request::new("op", Method::GET, "/a/{x}/b");
        request.path_param_styled("x", &json!({"k": null}), Style::Simple, true);
        assert!(request.problem.is_some(), "{}", request.path);
        // Ordinary values of every shape still go through.
        for style in [Style::Simple, Style::Label, Style::Matrix] {
            for explode in [false, true] {
                for value in [json!("a.b"), json!(["x", "y"]), json!({"k": "v"}), json!("..."), json!(["..x", "x."])] {
                    let mut request = Request::new("op", Method::GET, "/a/{x}/b");
                    request.path_param_styled("x", &value, style, explode);
                    assert!(request.problem.is_none(), "{style:?} explode={explode} {value}: {:?}", request.problem);
                }
            }
        }
        // A dot segment of the template itself is the template's business.
        let mut request = Request::new("op", Method::GET, "/a/../{x}");
        request.path_param("x", "y");
        assert_eq!((&*request.path, request.problem.is_none()), ("/a/../y", true));
        assert!(is_dot_segment("%2E%2e") && is_dot_segment(".%2E") && !is_dot_segment("%2e%2e%2e"));
    }

    /// The in-place checks agree with the plain definitions they replace.
    #[test]
    fn placeholders_and_dot_segments_match_their_definitions() {
        for (path, name) in [
            ("/orgs/{orgId}", "orgId"),
            ("/a/{x}/{x}/b{x}c", "x"),
            ("/{x", "x"),
            ("/{{x}}", "x"),
            ("/{a{b}/{a{b}", "a{b"),
            ("/{x}}{y}", "y"),
            ("/{}", ""),
            ("/é/{é}", "é"),
            ("", "x"),
        ] {
            assert_eq!(replace_placeholder(path, name, "V"), path.replace(&format!("{{{name}}}"), "V"), "{path} {name}");
        }
        let plain = |segment: &str| {
            let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
            decoded == "." || decoded == ".."
        };
        for segment in [".", "..", "...", "", "%2e", "%2E.", "%2e%2E", "%2e%2e%2e", "%2", "%2%2e", "%%2e", ".a", "a", "%2f", "%2e%2"] {
            assert_eq!(is_dot_segment(segment), plain(segment), "{segment}");
        }
    }

    #[test]
    fn query_arrays_repeat_the_name() {
        let mut request = Request::new("op", Method::GET, "/");
        request.query_param("tag", &["a", "b"]).query_param("n", &3);
        let pairs: Vec<(&str, &str)> = request.query.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("tag", "a"), ("tag", "b"), ("n", "3")]);
    }

    #[test]
    fn nested_values_are_reported_not_sent() {
        let mut request = Request::new("op", Method::GET, "/");
        request.query_param("filter", &serde_json::json!({"a": {"b": 1}}));
        assert!(request.problem.as_deref().is_some_and(|p| p.contains("filter")));
    }
}
