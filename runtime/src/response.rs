//! Responses: raw (status, headers, bytes) and typed.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::de::DeserializeOwned;

use crate::error::Error;
use crate::items::EventItem;

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

impl RawResponse {
    /// The body read as JSON into `T`, whatever the status: for a response the generated
    /// decoder does not take (a server that does not match its spec), or a type of your own.
    /// A body that does not fit is [`Error::Decode`], naming where it stopped fitting.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, Error> {
        json_body("send_raw", self)
    }

    /// The body as text, invalid UTF-8 replaced.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }
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
pub fn decode_json<T: DeserializeOwned, E>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<T, Error<E>> {
    if !response.status.is_success() {
        return Err(unexpected_status(operation, response));
    }
    json_body(operation, response)
}

/// Accepts any 2xx response and ignores its body.
pub fn decode_empty<E>(operation: &'static str, response: &RawResponse) -> Result<(), Error<E>> {
    if response.status.is_success() {
        Ok(())
    } else {
        Err(unexpected_status(operation, response))
    }
}

/// Decodes a 2xx body that is a sequence of JSON items: JSON Lines / NDJSON, JSON text
/// sequences (RFC 7464), or server-sent events, each the event object OpenAPI 3.2 describes.
pub fn decode_json_items<T: DeserializeOwned, E>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<Vec<T>, Error<E>> {
    if !response.status.is_success() {
        return Err(unexpected_status(operation, response));
    }
    json_items_body(operation, response, EventItem::Object)
}

/// Decodes a 2xx body as a sequence of JSON items, where a server-sent event stands for its
/// `data` alone; any other status is [`Error::UnexpectedStatus`].
pub fn decode_event_data<T: DeserializeOwned, E>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<Vec<T>, Error<E>> {
    if !response.status.is_success() {
        return Err(unexpected_status(operation, response));
    }
    json_items_body(operation, response, EventItem::Data)
}

/// Returns a 2xx body as raw bytes.
pub fn decode_bytes<E>(operation: &'static str, response: &RawResponse) -> Result<Bytes, Error<E>> {
    if response.status.is_success() {
        Ok(response.body.clone())
    } else {
        Err(unexpected_status(operation, response))
    }
}

/// Decodes a 2xx JSON body as `T`; any other status is the typed error `E` (see
/// [`typed_error`]), for operations whose `default` response is their only error.
pub fn decode_json_or_error<T: DeserializeOwned, E: DeserializeOwned>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<T, Error<E>> {
    if !response.status.is_success() {
        return Err(typed_error(operation, response, std::convert::identity));
    }
    json_body(operation, response)
}

/// Accepts any 2xx response; any other status is the typed error `E`.
pub fn decode_empty_or_error<E: DeserializeOwned>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<(), Error<E>> {
    if !response.status.is_success() {
        return Err(typed_error(operation, response, std::convert::identity));
    }
    Ok(())
}

/// A 2xx body as JSON items; any other status is the typed error `E`.
pub fn decode_json_items_or_error<T: DeserializeOwned, E: DeserializeOwned>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<Vec<T>, Error<E>> {
    if !response.status.is_success() {
        return Err(typed_error(operation, response, std::convert::identity));
    }
    json_items_body(operation, response, EventItem::Object)
}

/// A 2xx body as JSON items, a server-sent event standing for its `data`; any other status is
/// the typed error `E`.
pub fn decode_event_data_or_error<T: DeserializeOwned, E: DeserializeOwned>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<Vec<T>, Error<E>> {
    if !response.status.is_success() {
        return Err(typed_error(operation, response, std::convert::identity));
    }
    json_items_body(operation, response, EventItem::Data)
}

/// A 2xx body as raw bytes; any other status is the typed error `E`.
pub fn decode_bytes_or_error<E: DeserializeOwned>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<Bytes, Error<E>> {
    if !response.status.is_success() {
        return Err(typed_error(operation, response, std::convert::identity));
    }
    Ok(response.body.clone())
}

/// The body as JSON `T`, whatever the status; an empty body reads as `null`.
pub fn json_body<T: DeserializeOwned, E>(
    operation: &'static str,
    response: &RawResponse,
) -> Result<T, Error<E>> {
    let body: &[u8] = if response.body.is_empty() { b"null" } else { &response.body };
    decode_at_path(operation, response, body)
}

/// The body as a sequence of JSON items, whatever the status; `events` says what a server-sent
/// event decodes as.
pub fn json_items_body<T: DeserializeOwned, E>(
    operation: &'static str,
    response: &RawResponse,
    events: EventItem,
) -> Result<Vec<T>, Error<E>> {
    crate::items::decode_all(operation, response, events).map_err(Error::into_typed)
}

/// Decodes one JSON value, naming the field where it fails. The first pass tracks no path
/// (tracking costs on every field); only a body that fails is decoded again to find where.
pub(crate) fn decode_at_path<'de, T: serde::Deserialize<'de>, E>(
    operation: &'static str,
    response: &RawResponse,
    body: &'de [u8],
) -> Result<T, Error<E>> {
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    if let Ok(value) = T::deserialize(&mut deserializer).and_then(|value| deserializer.end().map(|()| value)) {
        return Ok(value);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| Error::Decode {
        operation,
        response: Box::new(response.clone()),
        path: error.path().to_string(),
        source: error.into_inner(),
    })?;
    // Trailing characters after the value are as wrong as a bad value.
    deserializer.end().map_err(|source| Error::Decode {
        operation,
        response: Box::new(response.clone()),
        path: ".".to_owned(),
        source,
    })?;
    Ok(value)
}

/// [`Error::UnexpectedStatus`] for this response.
pub fn unexpected_status<E>(operation: &'static str, response: &RawResponse) -> Error<E> {
    Error::UnexpectedStatus { operation, response: Box::new(response.clone()) }
}

/// [`Error::ErrorResponse`] for this response and its decoded body.
pub fn error_response<E>(operation: &'static str, response: &RawResponse, body: E) -> Error<E> {
    Error::ErrorResponse { operation, response: Box::new(response.clone()), body }
}

/// The error for a documented error status: [`Error::ErrorResponse`] with the body decoded as
/// `B` and wrapped by `wrap`. A body that is empty or not JSON (an HTML page from a proxy, say)
/// makes [`Error::UnexpectedStatus`]; JSON that does not match `B` makes [`Error::Decode`].
pub fn typed_error<B: DeserializeOwned, E>(
    operation: &'static str,
    response: &RawResponse,
    wrap: fn(B) -> E,
) -> Error<E> {
    let json = response
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.to_ascii_lowercase().contains("json"));
    if response.body.is_empty() || !json {
        return unexpected_status(operation, response);
    }
    match json_body::<B, E>(operation, response) {
        Ok(body) => error_response(operation, response, wrap(body)),
        Err(error) => error,
    }
}

/// A response header read as `T`, or `None` when it is absent or does not read as `T`.
///
/// The text is tried as a string first (strings, dates, UUIDs, enums), then as a JSON scalar
/// (numbers, booleans), then as a comma-separated list (`simple` style arrays).
pub fn header_value<T: DeserializeOwned>(headers: &HeaderMap, name: &str) -> Option<T> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    let as_string = serde_json::Value::String(text.to_owned());
    if let Ok(value) = serde_json::from_value(as_string) {
        return Some(value);
    }
    if let Ok(value) = serde_json::from_str(text) {
        return Some(value);
    }
    let items = text
        .split(',')
        .map(|item| {
            let item = item.trim();
            serde_json::from_str(item).unwrap_or_else(|_| serde_json::Value::String(item.to_owned()))
        })
        .collect();
    serde_json::from_value(serde_json::Value::Array(items)).ok()
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
        let lines = super::decode_json_items::<u32, ()>("op", &raw("1\n2\n\n3\n", "application/jsonl"));
        assert_eq!(lines.ok(), Some(vec![1, 2, 3]));
        let seq = super::decode_json_items::<u32, ()>("op", &raw("\x1e4\n\x1e5\n", "application/json-seq"));
        assert_eq!(seq.ok(), Some(vec![4, 5]));
        let events = super::decode_event_data::<u32, ()>("op", &raw("event: x\ndata: 6\n\ndata: 7\n\n", "text/event-stream"));
        assert_eq!(events.ok(), Some(vec![6, 7]));
        assert!(super::decode_json_items::<u32, ()>("op", &raw("8\nnope\n", "application/jsonl")).is_err());
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
