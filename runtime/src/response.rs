//! Responses: raw (status, headers, bytes) and typed.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// A response as it came off the wire.
#[derive(Clone, Debug)]
pub struct RawResponse {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
    /// Attempts it took, retries included.
    pub attempts: u32,
}

/// A typed body together with the status and headers it came with.
#[derive(Clone, Debug)]
pub struct Response<T> {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The decoded body.
    pub body: T,
}

impl<T> Response<T> {
    /// The decoded body alone.
    pub fn into_body(self) -> T {
        self.body
    }
}

/// Decodes a 2xx JSON body as `T`; any other status is [`Error::UnexpectedStatus`].
pub fn decode_json<T: DeserializeOwned>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<T, Error> {
    if !response.status.is_success() {
        return Err(Error::UnexpectedStatus { operation, response: Box::new(response.clone()) });
    }
    let body: &[u8] = if response.body.is_empty() { b"null" } else { &response.body };
    serde_json::from_slice(body).map_err(|source| Error::Decode {
        operation,
        response: Box::new(response.clone()),
        source,
    })
}

/// Accepts any 2xx response and ignores its body.
pub fn decode_empty(operation: &'static str, response: &RawResponse) -> Result<(), Error> {
    if response.status.is_success() {
        Ok(())
    } else {
        Err(Error::UnexpectedStatus { operation, response: Box::new(response.clone()) })
    }
}

/// Decodes a 2xx body that is a sequence of JSON items: JSON Lines / NDJSON, JSON text
/// sequences (RFC 7464), or server-sent events (`data:` lines).
pub fn decode_json_items<T: DeserializeOwned>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<Vec<T>, Error> {
    if !response.status.is_success() {
        return Err(Error::UnexpectedStatus { operation, response: Box::new(response.clone()) });
    }
    let event_stream = response
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    let text = String::from_utf8_lossy(&response.body);
    let mut items = Vec::new();
    for line in text.split(['\n', '\x1e']) {
        let line = line.trim();
        let item = if event_stream {
            match line.strip_prefix("data:") {
                Some(data) => data.trim(),
                None => continue,
            }
        } else {
            line
        };
        if item.is_empty() {
            continue;
        }
        let value = serde_json::from_str(item).map_err(|source| Error::Decode {
            operation,
            response: Box::new(response.clone()),
            source,
        })?;
        items.push(value);
    }
    Ok(items)
}

/// Returns a 2xx body as raw bytes.
pub fn decode_bytes(operation: &'static str, response: &RawResponse) -> Result<Bytes, Error> {
    if response.status.is_success() {
        Ok(response.body.clone())
    } else {
        Err(Error::UnexpectedStatus { operation, response: Box::new(response.clone()) })
    }
}

/// Serde glue for optional nullable fields, `Option<Option<T>>`: absent is `None`, `null` is
/// `Some(None)`, a value is `Some(Some(value))`. Use with `default` and
/// `skip_serializing_if = "Option::is_none"`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serializes `Some(None)` as `null` and `Some(Some(v))` as `v`.
    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// A present field: `null` or a value.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Patch {
        #[serde(default, skip_serializing_if = "Option::is_none", with = "super::double_option")]
        name: Option<Option<String>>,
    }

    #[test]
    fn json_items_come_from_lines_sequences_and_events() {
        let raw = |body: &str, content_type: &str| super::RawResponse {
            status: reqwest::StatusCode::OK,
            headers: [(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_str(content_type).unwrap_or(reqwest::header::HeaderValue::from_static("x/y")))].into_iter().collect(),
            body: bytes::Bytes::from(body.to_owned()),
            attempts: 1,
        };
        let lines = super::decode_json_items::<u32>("op", &raw("1\n2\n\n3\n", "application/jsonl"));
        assert_eq!(lines.ok(), Some(vec![1, 2, 3]));
        let seq = super::decode_json_items::<u32>("op", &raw("\x1e4\n\x1e5\n", "application/json-seq"));
        assert_eq!(seq.ok(), Some(vec![4, 5]));
        let events = super::decode_json_items::<u32>("op", &raw("event: x\ndata: 6\n\ndata: 7\n\n", "text/event-stream"));
        assert_eq!(events.ok(), Some(vec![6, 7]));
        assert!(super::decode_json_items::<u32>("op", &raw("8\nnope\n", "application/jsonl")).is_err());
    }

    #[test]
    fn double_option_keeps_absent_null_and_value_apart() {
        for (json, value) in [
            ("{}", Patch { name: None }),
            (r#"{"name":null}"#, Patch { name: Some(None) }),
            (r#"{"name":"x"}"#, Patch { name: Some(Some("x".into())) }),
        ] {
            assert_eq!(serde_json::from_str::<Patch>(json).ok().as_ref(), Some(&value));
            assert_eq!(serde_json::to_string(&value).ok().as_deref(), Some(json));
        }
    }
}
