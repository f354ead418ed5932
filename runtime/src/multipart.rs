//! `multipart/form-data` bodies (RFC 7578), built in memory so that a request can be retried
//! and seen by hooks like any other.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// A file to upload: its bytes, and optionally a file name and content type.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct FilePart {
    /// The content.
    pub bytes: Vec<u8>,
    /// The file name sent with it.
    pub file_name: Option<String>,
    /// The content type (default `application/octet-stream`).
    pub content_type: Option<String>,
}

impl FilePart {
    /// A file with this content.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self { bytes: bytes.into(), file_name: None, content_type: None }
    }

    /// Sets the file name.
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the content type.
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("bytes", &format_args!("{} bytes", self.bytes.len()))
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

/// In JSON, `format: binary` is a string; its text is the content.
impl Serialize for FilePart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&String::from_utf8_lossy(&self.bytes))
    }
}

impl<'de> Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| Self::new(text.into_bytes()))
    }
}

/// A multipart body under construction.
#[derive(Debug, Default)]
pub struct Multipart {
    parts: Vec<(String, Option<String>, String, Vec<u8>)>,
    problem: Option<String>,
}

impl Multipart {
    /// An empty body.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a field: scalars as text, arrays as one part per item, objects as JSON; `None`
    /// and `null` add nothing.
    pub fn field<V: Serialize + ?Sized>(&mut self, name: &str, value: &V) -> &mut Self {
        match serde_json::to_value(value) {
            Ok(Value::Null) => {}
            Ok(Value::Array(items)) => {
                for item in items {
                    self.value_part(name, item);
                }
            }
            Ok(other) => self.value_part(name, other),
            Err(error) => {
                self.problem.get_or_insert(format!("multipart field `{name}`: {error}"));
            }
        }
        self
    }

    /// Adds a file; without a content type of its own it is `application/octet-stream`.
    pub fn file(&mut self, name: &str, file: &FilePart) -> &mut Self {
        self.file_with_default_type(name, file, "application/octet-stream")
    }

    /// Adds a file; without a content type of its own it gets `default_type` (the spec's
    /// `encoding.contentType` for the part).
    pub fn file_with_default_type(&mut self, name: &str, file: &FilePart, default_type: &str) -> &mut Self {
        let content_type = file.content_type.clone().unwrap_or_else(|| default_type.to_owned());
        self.parts.push((name.to_owned(), Some(file.file_name.clone().unwrap_or_else(|| name.to_owned())), content_type, file.bytes.clone()));
        self
    }

    /// Adds a field sent with the content type the spec's `encoding` gives it: JSON for JSON
    /// types, else the value as text.
    pub fn field_with_type<V: Serialize + ?Sized>(&mut self, name: &str, value: &V, content_type: &str) -> &mut Self {
        let bytes = match serde_json::to_value(value) {
            Ok(Value::Null) => return self,
            Ok(value) if content_type.to_ascii_lowercase().contains("json") => value.to_string().into_bytes(),
            Ok(Value::String(text)) => text.into_bytes(),
            Ok(other) => other.to_string().into_bytes(),
            Err(error) => {
                self.problem.get_or_insert(format!("multipart field `{name}`: {error}"));
                return self;
            }
        };
        self.parts.push((name.to_owned(), None, content_type.to_owned(), bytes));
        self
    }

    fn value_part(&mut self, name: &str, value: Value) {
        let (content_type, bytes) = match value {
            Value::String(text) => ("text/plain; charset=utf-8", text.into_bytes()),
            Value::Object(_) | Value::Array(_) => ("application/json", value.to_string().into_bytes()),
            other => ("text/plain; charset=utf-8", other.to_string().into_bytes()),
        };
        self.parts.push((name.to_owned(), None, content_type.to_owned(), bytes));
    }

    /// The encoded body and its content type (with the boundary), or the first problem.
    pub(crate) fn finish(self) -> Result<(Vec<u8>, String), String> {
        if let Some(problem) = self.problem {
            return Err(problem);
        }
        let boundary = boundary(&self.parts);
        let mut body = Vec::new();
        for (name, file_name, content_type, bytes) in &self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let disposition = match file_name {
                Some(file) => format!("form-data; name=\"{}\"; filename=\"{}\"", quote(name), quote(file)),
                None => format!("form-data; name=\"{}\"", quote(name)),
            };
            body.extend_from_slice(format!("Content-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        Ok((body, format!("multipart/form-data; boundary={boundary}")))
    }
}

/// Quotes a name for a `Content-Disposition` parameter: no quote, backslash or line break can
/// break out of it.
fn quote(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace(['\r', '\n'], " ")
}

/// A boundary that appears in no part.
fn boundary(parts: &[(String, Option<String>, String, Vec<u8>)]) -> String {
    let mut counter = 0u64;
    loop {
        let candidate = format!("specwright-boundary-{:016x}{counter}", {
            use std::hash::{BuildHasher, Hasher};
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u64(counter);
            hasher.finish()
        });
        let clashes = parts.iter().any(|(_, _, _, bytes)| bytes.windows(candidate.len()).any(|w| w == candidate.as_bytes()));
        if !clashes {
            return candidate;
        }
        counter += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_fields_and_files() {
        let mut form = Multipart::new();
        form.field("note", "hi").field("count", &3).field("tags", &["a", "b"]).field("missing", &None::<String>);
        form.file("upload", &FilePart::new(b"\x00\x01".to_vec()).file_name("x\".bin").content_type("image/png"));
        let Ok((body, content_type)) = form.finish() else { panic!("encodes") };
        let boundary = content_type.trim_start_matches("multipart/form-data; boundary=");
        let text = String::from_utf8_lossy(&body);
        assert_eq!(text.matches(&format!("--{boundary}\r\n")).count(), 5);
        assert!(text.contains("Content-Disposition: form-data; name=\"note\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n"));
        assert!(text.contains("name=\"count\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n3\r\n"));
        assert!(text.contains("name=\"upload\"; filename=\"x\\\".bin\"\r\nContent-Type: image/png\r\n\r\n"));
        assert!(!text.contains("missing"));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
    }
}
