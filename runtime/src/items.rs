//! Sequences of JSON items (OpenAPI 3.2 `itemSchema`): JSON Lines, JSON text sequences and
//! server-sent events, framed as bytes arrive and decoded one item at a time.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::Error;
use crate::response::RawResponse;
use crate::stream::{BlockingByteStream, ByteStream};

/// What one server-sent event decodes as; other sequences are JSON texts either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventItem {
    /// The event object OpenAPI 3.2 describes: `data` (text, or JSON where the item's `data`
    /// is not a string), `event`, `id`, `retry`.
    Object,
    /// The event's `data`, as JSON: for specs that describe only the payload.
    Data,
}

/// One framed item, not yet decoded.
#[derive(Debug)]
enum Frame {
    /// A JSON text: a line of JSON Lines, a record of a JSON text sequence.
    Json(String),
    /// A server-sent event.
    Event(Event),
    /// An item longer than the limit; the stream ends after it.
    TooLarge(u64),
}

/// How a body divides into items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// JSON Lines and NDJSON: a JSON text per line (a stray RS ends one too).
    Lines,
    /// JSON text sequences (RFC 7464): each record starts with RS and may span lines.
    Sequence,
    /// Server-sent events.
    Events,
}

#[derive(Debug, Default)]
struct Event {
    data: String,
    event: Option<String>,
    id: Option<String>,
    retry: Option<u64>,
}

/// Splits a body into frames as its bytes arrive.
#[derive(Debug)]
struct Framer {
    framing: Framing,
    /// The longest item (or event data) accepted.
    limit: u64,
    /// An item went over the limit: the rest of the body is ignored.
    failed: bool,
    first_line: bool,
    line: Vec<u8>,
    /// A `\r` ended the last line, so a `\n` right after it ends nothing.
    after_cr: bool,
    event: Event,
    has_data: bool,
    /// The last event id, which later events keep until one sets another.
    last_id: Option<String>,
    ready: VecDeque<Frame>,
}

impl Framer {
    fn new(headers: &HeaderMap, limit: u64) -> Self {
        let media_type = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or_default().trim().to_ascii_lowercase())
            .unwrap_or_default();
        let framing = match media_type.as_str() {
            "text/event-stream" => Framing::Events,
            "application/json-seq" => Framing::Sequence,
            _ => Framing::Lines,
        };
        Self {
            framing,
            limit,
            failed: false,
            first_line: true,
            line: Vec::new(),
            after_cr: false,
            event: Event::default(),
            has_data: false,
            last_id: None,
            ready: VecDeque::new(),
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        for &byte in chunk {
            if self.failed {
                return;
            }
            let after_cr = std::mem::replace(&mut self.after_cr, false);
            match (self.framing, byte) {
                (Framing::Events, b'\n') if after_cr => {}
                (Framing::Events, b'\r') => {
                    self.after_cr = true;
                    self.end_line();
                }
                (Framing::Events | Framing::Lines, b'\n') | (Framing::Lines | Framing::Sequence, 0x1e) => self.end_line(),
                _ => {
                    self.line.push(byte);
                    if self.line.len() as u64 > self.limit {
                        self.fail();
                    }
                }
            }
        }
    }

    fn fail(&mut self) {
        self.failed = true;
        self.line = Vec::new();
        self.event = Event::default();
        self.has_data = false;
        self.ready.push_back(Frame::TooLarge(self.limit));
    }

    /// The end of the body: what is left is a last item and, leniently, a last event.
    fn finish(&mut self) {
        if self.failed {
            return;
        }
        if !self.line.is_empty() {
            self.end_line();
        }
        if self.framing == Framing::Events {
            self.dispatch();
        }
    }

    fn end_line(&mut self) {
        let mut line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
        if std::mem::replace(&mut self.first_line, false) && line.starts_with('\u{feff}') {
            line.drain(..'\u{feff}'.len_utf8());
        }
        if self.framing != Framing::Events {
            let text = line.trim();
            if !text.is_empty() {
                self.ready.push_back(Frame::Json(text.to_owned()));
            }
            return;
        }
        // The server-sent events line grammar: blank dispatches, `:` starts a comment.
        if line.is_empty() {
            self.dispatch();
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.event.data.push('\n');
                }
                self.event.data.push_str(value);
                self.has_data = true;
                if self.event.data.len() as u64 > self.limit {
                    self.fail();
                }
            }
            // An empty name means the default type; an empty id resets the last one.
            "event" => self.event.event = Some(value.to_owned()).filter(|name| !name.is_empty()),
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()).filter(|id| !id.is_empty()),
            "retry" if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => {
                self.event.retry = value.parse().ok();
            }
            _ => {}
        }
    }

    /// Emits the event gathered so far; one without data is dropped, as browsers do.
    fn dispatch(&mut self) {
        let mut event = std::mem::take(&mut self.event);
        if std::mem::take(&mut self.has_data) {
            event.id = self.last_id.clone();
            self.ready.push_back(Frame::Event(event));
        }
    }
}

/// Decodes one frame as `T`; an event as `meta.events` says.
fn decode_frame<T: DeserializeOwned>(meta: &Meta, frame: Frame) -> Result<T, Error> {
    let operation = meta.operation;
    let raw = |body: String| RawResponse {
        status: meta.status,
        headers: meta.headers.clone(),
        body: Bytes::from(body),
        attempts: meta.attempts,
    };
    let decode_error = |body: String, error: serde_path_to_error::Error<serde_json::Error>| Error::Decode {
        operation,
        response: Box::new(raw(body)),
        path: error.path().to_string(),
        source: error.into_inner(),
    };
    // A JSON text, decoded with the path of any failure and the text kept as the body.
    let decode_text = |text: String| {
        let response = raw(text);
        let body = response.body.clone();
        crate::response::decode_at_path(operation, &response, &body)
    };
    match frame {
        Frame::Json(text) => decode_text(text),
        Frame::TooLarge(limit) => Err(Error::ResponseTooLarge { operation, limit }),
        Frame::Event(event) if meta.events == EventItem::Data => {
            // Data that is not JSON may still be the item, as a string.
            if serde_json::from_str::<serde::de::IgnoredAny>(&event.data).is_err() {
                if let Ok(item) = serde_json::from_value::<T>(Value::String(event.data.clone())) {
                    return Ok(item);
                }
            }
            decode_text(event.data)
        }
        Frame::Event(event) => {
            let parsed = serde_json::from_str::<Value>(&event.data).ok();
            let object = |data: Value| {
                let mut fields = Map::new();
                fields.insert("data".to_owned(), data);
                if let Some(name) = &event.event {
                    fields.insert("event".to_owned(), Value::String(name.clone()));
                }
                if let Some(id) = &event.id {
                    fields.insert("id".to_owned(), Value::String(id.clone()));
                }
                if let Some(retry) = event.retry {
                    fields.insert("retry".to_owned(), Value::from(retry));
                }
                Value::Object(fields)
            };
            let as_text = object(Value::String(event.data.clone()));
            let first = match serde_path_to_error::deserialize::<_, T>(&as_text) {
                Ok(item) => return Ok(item),
                Err(error) => error,
            };
            // The data is JSON where the item's `data` is not a string.
            if let Some(Ok(item)) = parsed.map(|data| serde_path_to_error::deserialize::<_, T>(&object(data))) {
                return Ok(item);
            }
            Err(decode_error(event.data, first))
        }
    }
}

/// What decoding errors report of the response an item came in.
#[derive(Debug)]
struct Meta {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
    events: EventItem,
}

/// Every item of a body read whole.
pub(crate) fn decode_all<T: DeserializeOwned>(
    operation: &'static str,
    response: &RawResponse,
    events: EventItem,
) -> Result<Vec<T>, Error> {
    // The body is within the client's size limit already.
    let mut framer = Framer::new(&response.headers, u64::MAX);
    framer.push(&response.body);
    framer.finish();
    let meta = Meta { operation, status: response.status, headers: response.headers.clone(), attempts: response.attempts, events };
    framer.ready.drain(..).map(|frame| decode_frame(&meta, frame)).collect()
}

/// What the async and the blocking item streams share: framing the chunks they read, and
/// decoding the items.
#[derive(Debug)]
struct Items {
    framer: Framer,
    meta: Meta,
    done: bool,
}

impl Items {
    /// The next item or the end; `None` when more of the body is needed first.
    fn next_ready<T: DeserializeOwned>(&mut self) -> Option<Option<Result<T, Error>>> {
        match self.framer.ready.pop_front() {
            Some(frame) => Some(Some(decode_frame(&self.meta, frame))),
            None => self.done.then_some(None),
        }
    }

    /// Takes what reading the body gave (a chunk, the end, or an error to pass on).
    fn take(&mut self, read: Option<Result<Bytes, Error>>) -> Option<Error> {
        match read {
            Some(Ok(chunk)) => self.framer.push(&chunk),
            None => {
                self.done = true;
                self.framer.finish();
            }
            Some(Err(error)) => {
                self.done = true;
                return Some(error);
            }
        }
        None
    }
}

/// The items of a streamed body, decoded as they arrive, from a call's `send_stream()`.
///
/// Timeouts end with the headers, and the client's size limit applies to each item rather
/// than to the whole body: a longer item is [`Error::ResponseTooLarge`] and ends the stream.
/// An item that does not decode is an [`Error::Decode`] holding that item's bytes; the stream
/// goes on after it.
pub struct ItemStream<T> {
    bytes: ByteStream,
    items: Items,
    item: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> ItemStream<T> {
    pub(crate) fn new(bytes: ByteStream, events: EventItem) -> Self {
        let framer = Framer::new(bytes.headers(), bytes.item_limit());
        let meta = Meta {
            operation: bytes.operation(),
            status: bytes.status(),
            headers: bytes.headers().clone(),
            attempts: bytes.attempts(),
            events,
        };
        Self { bytes, items: Items { framer, meta, done: false }, item: PhantomData }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.items.meta.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.items.meta.headers
    }

    /// The next item, or `None` at the end of the body.
    pub async fn next_item(&mut self) -> Result<Option<T>, Error> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await.transpose()
    }
}

impl<T: DeserializeOwned> Stream for ItemStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(next) = this.items.next_ready() {
                return Poll::Ready(next);
            }
            let Poll::Ready(read) = Pin::new(&mut this.bytes).poll_next(cx) else { return Poll::Pending };
            if let Some(error) = this.items.take(read) {
                return Poll::Ready(Some(Err(error)));
            }
        }
    }
}

impl<T> std::fmt::Debug for ItemStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemStream").field("status", &self.items.meta.status).finish_non_exhaustive()
    }
}

/// The items of a streamed body for the blocking client: an iterator that waits for each,
/// with the limits of [`ItemStream`].
pub struct BlockingItemStream<T> {
    bytes: BlockingByteStream,
    items: Items,
    item: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> BlockingItemStream<T> {
    pub(crate) fn new(operation: &'static str, attempts: u32, limit: u64, bytes: BlockingByteStream, events: EventItem) -> Self {
        let framer = Framer::new(bytes.headers(), limit);
        let meta = Meta { operation, status: bytes.status(), headers: bytes.headers().clone(), attempts, events };
        Self { bytes, items: Items { framer, meta, done: false }, item: PhantomData }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.items.meta.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.items.meta.headers
    }
}

impl<T: DeserializeOwned> Iterator for BlockingItemStream<T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(next) = self.items.next_ready() {
                return next;
            }
            if let Some(error) = self.items.take(self.bytes.chunk().transpose()) {
                return Some(Err(error));
            }
        }
    }
}

impl<T> std::fmt::Debug for BlockingItemStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlockingItemStream").field("status", &self.items.meta.status).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(content_type: &str, chunks: &[&str]) -> Vec<Frame> {
        let headers: HeaderMap = [(CONTENT_TYPE, reqwest::header::HeaderValue::from_static("x/y"))].into_iter().collect();
        let mut headers = headers;
        if let Ok(value) = reqwest::header::HeaderValue::from_str(content_type) {
            headers.insert(CONTENT_TYPE, value);
        }
        let mut framer = Framer::new(&headers, 1 << 20);
        for chunk in chunks {
            framer.push(chunk.as_bytes());
        }
        framer.finish();
        framer.ready.into_iter().collect()
    }

    #[test]
    fn lines_split_across_chunks_make_whole_items() {
        let texts: Vec<String> = frames("application/jsonl", &["{\"a\":", "1}\n{\"a\"", ":2}\n\n", "{\"a\":3}"])
            .into_iter()
            .filter_map(|f| match f {
                Frame::Json(text) => Some(text),
                _ => None,
            })
            .collect();
        assert_eq!(texts, [r#"{"a":1}"#, r#"{"a":2}"#, r#"{"a":3}"#]);
    }

    fn texts(frames: Vec<Frame>) -> Vec<String> {
        frames
            .into_iter()
            .map(|f| match f {
                Frame::Json(text) => text,
                Frame::Event(event) => format!("event {}", event.data),
                Frame::TooLarge(limit) => format!("too large {limit}"),
            })
            .collect()
    }

    #[test]
    fn a_json_text_sequence_record_may_span_lines() {
        let frames = frames("application/json-seq", &["\x1e{\n  \"a\": 1\n}\n\x1e", "2\n"]);
        assert_eq!(texts(frames), ["{\n  \"a\": 1\n}", "2"]);
    }

    #[test]
    fn an_item_over_the_limit_ends_the_stream_with_an_error() {
        let mut framer = Framer::new(&HeaderMap::new(), 8);
        framer.push(b"[1,2]\n[1,2,3,4,5]\n[3]\n");
        framer.finish();
        assert_eq!(texts(framer.ready.into_iter().collect()), ["[1,2]", "too large 8"]);

        let headers: HeaderMap = [(CONTENT_TYPE, reqwest::header::HeaderValue::from_static("text/event-stream"))].into_iter().collect();
        let mut framer = Framer::new(&headers, 8);
        framer.push(b"data: 1234\ndata: 5678\n\ndata: 9\n\n");
        framer.finish();
        assert_eq!(texts(framer.ready.into_iter().collect()), ["too large 8"]);
    }

    #[test]
    fn a_byte_order_mark_and_empty_fields_follow_the_event_stream_rules() {
        let frames = frames("text/event-stream", &["\u{feff}data: 1\nid: 4\nevent: tick\n\n", "id\nevent:\ndata: 2\n\n"]);
        let events: Vec<(String, Option<String>, Option<String>)> = frames
            .into_iter()
            .filter_map(|f| match f {
                Frame::Event(event) => Some((event.data, event.event, event.id)),
                _ => None,
            })
            .collect();
        assert_eq!(
            events,
            [("1".to_owned(), Some("tick".to_owned()), Some("4".to_owned())), ("2".to_owned(), None, None)]
        );
    }

    #[test]
    fn the_spec_decides_whether_an_event_is_its_object_or_its_data() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Loose {
            id: Option<String>,
        }
        let response = RawResponse {
            status: StatusCode::OK,
            headers: [(CONTENT_TYPE, reqwest::header::HeaderValue::from_static("text/event-stream"))].into_iter().collect(),
            body: Bytes::from_static(b"id: 9\ndata: {\"id\":\"d1\"}\n\n"),
            attempts: 1,
        };
        // Every field optional: both readings decode, so only the spec can tell them apart.
        let data: Vec<Loose> = decode_all("op", &response, EventItem::Data).unwrap_or_default();
        assert_eq!(data, [Loose { id: Some("d1".into()) }]);
        let objects: Vec<Loose> = decode_all("op", &response, EventItem::Object).unwrap_or_default();
        assert_eq!(objects, [Loose { id: Some("9".into()) }]);
    }

    #[test]
    fn events_follow_the_server_sent_events_grammar() {
        let chunks = [": keep-alive\r\n", "event: tick\r", "\ndata: line one\ndata:line two\nid: 7\nretry: 150", "0\n\n", "data: {\"n\":2}\n\n"];
        let events: Vec<Event> = frames("text/event-stream; charset=utf-8", &chunks)
            .into_iter()
            .filter_map(|f| match f {
                Frame::Event(event) => Some(event),
                _ => None,
            })
            .collect();
        assert_eq!(events.len(), 2, "{events:?}");
        let first = &events[0];
        assert_eq!(first.data, "line one\nline two");
        assert_eq!((first.event.as_deref(), first.id.as_deref(), first.retry), (Some("tick"), Some("7"), Some(1500)));
        // The id carries over; the event name and retry do not.
        let second = &events[1];
        assert_eq!((second.data.as_str(), second.event.as_deref(), second.id.as_deref(), second.retry), ("{\"n\":2}", None, Some("7"), None));
    }
}
