//! Binary request bodies: bytes in memory, which a retry can send again, or a stream, which
//! goes once.

use std::fmt;
use std::io::Read;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use tokio::sync::mpsc;

/// How much a [`BinaryBody::reader`] reads at a time.
const READ_CHUNK: usize = 64 * 1024;

/// The body of an operation that takes raw bytes (`application/octet-stream`, images, ...).
///
/// Bytes in memory convert into it (`Vec<u8>`, `Bytes`, `String`, static slices) and are sent
/// again if the call is retried. [`BinaryBody::stream`] and [`BinaryBody::reader`] send data as
/// it is produced, without holding it all in memory; such a body can be sent only once, so a
/// call with one is never retried.
pub struct BinaryBody {
    source: Source,
}

enum Source {
    Bytes(Bytes),
    Stream(reqwest::Body),
    Reader(Box<dyn Read + Send + 'static>),
}

impl BinaryBody {
    /// A body read from an async stream of chunks, e.g. a file through
    /// `tokio_util::io::ReaderStream`. A stream error aborts the call.
    pub fn stream<S, B, E>(stream: S) -> Self
    where
        S: Stream<Item = Result<B, E>> + Send + 'static,
        Bytes: From<B>,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
        B: 'static,
    {
        Self { source: Source::Stream(reqwest::Body::wrap_stream(stream)) }
    }

    /// A body read from a blocking reader, e.g. a `std::fs::File`, on a thread of its own while
    /// the request is sent. A read error aborts the call. If the call ends first (an early
    /// answer, a timeout), the thread stops after its current read.
    pub fn reader(reader: impl Read + Send + 'static) -> Self {
        Self { source: Source::Reader(Box::new(reader)) }
    }

    /// Whether the body can be sent again, so a failed call may be retried.
    pub fn is_replayable(&self) -> bool {
        matches!(self.source, Source::Bytes(_))
    }

    /// The body for reqwest; a reader starts its thread here.
    pub(crate) fn into_reqwest(self) -> Result<reqwest::Body, String> {
        match self.source {
            Source::Bytes(bytes) => Ok(reqwest::Body::from(bytes)),
            Source::Stream(body) => Ok(body),
            Source::Reader(reader) => {
                // A thread of its own, not `spawn_blocking`: a runtime waits for its blocking
                // tasks when it shuts down, and a reader such as stdin may never return.
                let (chunks, receiver) = mpsc::channel(4);
                std::thread::Builder::new()
                    .name("specwright-body-reader".to_owned())
                    .spawn(move || pump_reader(reader, &chunks))
                    .map_err(|error| format!("cannot start the thread that reads the body: {error}"))?;
                Ok(reqwest::Body::wrap_stream(ChunkReceiver(receiver)))
            }
        }
    }
}

/// Reads `reader` to its end (or until the request stops listening), chunk by chunk.
fn pump_reader(mut reader: Box<dyn Read + Send>, chunks: &mpsc::Sender<std::io::Result<Bytes>>) {
    let mut buffer = vec![0u8; READ_CHUNK];
    loop {
        let chunk = match reader.read(&mut buffer) {
            Ok(0) => return,
            Ok(read) => match buffer.get(..read) {
                Some(data) => Ok(Bytes::copy_from_slice(data)),
                None => Err(std::io::Error::other("the reader reported more bytes than it was given room for")),
            },
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(error) => Err(error),
        };
        let failed = chunk.is_err();
        if chunks.blocking_send(chunk).is_err() || failed {
            return;
        }
    }
}

/// The receiving end of a reader's chunks, as the stream reqwest sends.
struct ChunkReceiver(mpsc::Receiver<std::io::Result<Bytes>>);

impl Stream for ChunkReceiver {
    type Item = std::io::Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

impl fmt::Debug for BinaryBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Bytes(bytes) => f.debug_struct("BinaryBody").field("len", &bytes.len()).finish(),
            Source::Stream(_) => f.write_str("BinaryBody(stream)"),
            Source::Reader(_) => f.write_str("BinaryBody(reader)"),
        }
    }
}

impl From<Bytes> for BinaryBody {
    fn from(bytes: Bytes) -> Self {
        Self { source: Source::Bytes(bytes) }
    }
}

impl From<Vec<u8>> for BinaryBody {
    fn from(bytes: Vec<u8>) -> Self {
        Bytes::from(bytes).into()
    }
}

impl From<&'static [u8]> for BinaryBody {
    fn from(bytes: &'static [u8]) -> Self {
        Bytes::from_static(bytes).into()
    }
}

impl<const N: usize> From<&'static [u8; N]> for BinaryBody {
    fn from(bytes: &'static [u8; N]) -> Self {
        Bytes::from_static(bytes).into()
    }
}

impl From<String> for BinaryBody {
    fn from(text: String) -> Self {
        Bytes::from(text).into()
    }
}

impl From<&'static str> for BinaryBody {
    fn from(text: &'static str) -> Self {
        Bytes::from_static(text.as_bytes()).into()
    }
}
