//! Response bodies read as they arrive: an async [`ByteStream`], and the blocking facade's
//! [`BlockingByteStream`], which implements [`std::io::Read`].

use std::fmt;
use std::future::{Future, poll_fn};
use std::io::Read;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Buf, Bytes};
use futures_core::Stream;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, HeaderMap};
use tokio::sync::mpsc;

use crate::blocking::Worker;
use crate::error::Error;
use crate::response::RawResponse;

type Chunks = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A response body to read chunk by chunk as it arrives, from a call's `send_stream()`.
///
/// The client's response size limit does not apply, and its request timeout covers only the
/// wait for the response headers: how much to read, and for how long, is the caller's choice.
/// The read timeout ([`crate::ClientBuilder::read_timeout`]) still cuts a body that stays
/// silent that long. It
/// implements [`Stream`], so stream combinators and `tokio_util::io::StreamReader` work on it.
pub struct ByteStream {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    attempts: u32,
    /// The longest single item an [`crate::ItemStream`] over this body accepts.
    item_limit: u64,
    body: Body,
}

enum Body {
    Live(Chunks),
    /// A body that was read whole already (an error status, say), or is done.
    Buffered(Option<Bytes>),
}

impl ByteStream {
    pub(crate) fn live(operation: &'static str, response: reqwest::Response, attempts: u32, item_limit: u64) -> Self {
        Self {
            operation,
            status: response.status(),
            headers: response.headers().clone(),
            attempts,
            item_limit,
            body: Body::Live(Box::pin(response.bytes_stream())),
        }
    }

    pub(crate) fn buffered(operation: &'static str, response: RawResponse) -> Self {
        let body = (!response.body.is_empty()).then_some(response.body);
        Self {
            operation,
            status: response.status,
            headers: response.headers,
            attempts: response.attempts,
            item_limit: u64::MAX,
            body: Body::Buffered(body),
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub(crate) fn operation(&self) -> &'static str {
        self.operation
    }

    pub(crate) fn item_limit(&self) -> u64 {
        self.item_limit
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The length the server announced in `Content-Length`, if it did.
    pub fn content_length(&self) -> Option<u64> {
        content_length(&self.headers)
    }

    /// The next chunk, or `None` at the end of the body.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await.transpose()
    }

    /// Reads the rest of the body into memory, failing once it passes `limit` bytes.
    pub async fn collect(mut self, limit: u64) -> Result<Bytes, Error> {
        let mut whole = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            if (whole.len() as u64).saturating_add(chunk.len() as u64) > limit {
                return Err(Error::ResponseTooLarge { operation: self.operation, limit });
            }
            whole.extend_from_slice(&chunk);
        }
        Ok(whole.into())
    }

    /// Feeds the body through a channel from a task on the current (the blocking facade's)
    /// runtime, so that a thread outside it can read the body.
    pub(crate) fn into_blocking(mut self, worker: Arc<Worker>) -> BlockingByteStream {
        let (sender, chunks) = mpsc::channel(4);
        let (status, headers) = (self.status, self.headers.clone());
        tokio::spawn(async move {
            loop {
                // Stop as soon as the reader is dropped, not at the next chunk.
                let mut reader_gone = pin!(sender.closed());
                let next = poll_fn(|cx| {
                    if reader_gone.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(None);
                    }
                    Pin::new(&mut self).poll_next(cx)
                })
                .await;
                let Some(item) = next else { return };
                let failed = item.is_err();
                if sender.send(item).await.is_err() || failed {
                    return;
                }
            }
        });
        BlockingByteStream { status, headers, chunks, pending: Bytes::new(), _worker: worker }
    }
}

impl Stream for ByteStream {
    type Item = Result<Bytes, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let (operation, attempts) = (self.operation, self.attempts);
        match &mut self.body {
            Body::Buffered(rest) => Poll::Ready(rest.take().map(Ok)),
            Body::Live(chunks) => match chunks.as_mut().poll_next(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => Poll::Ready(Some(Ok(chunk))),
                // After an error or the end, the body is over.
                Poll::Ready(Some(Err(source))) => {
                    self.body = Body::Buffered(None);
                    Poll::Ready(Some(Err(Error::Transport { operation, source: source.without_url(), attempts })))
                }
                Poll::Ready(None) => {
                    self.body = Body::Buffered(None);
                    Poll::Ready(None)
                }
            },
        }
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ByteStream")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}

/// A response body to read as it arrives, from a blocking call's `send_stream()`: a
/// [`Read`] (so `std::io::copy` to a file works) and an iterator of chunks.
///
/// As with [`ByteStream`], the size limit does not apply and timeouts end with the headers, so
/// a read waits as long as the server takes. Reading from a thread that belongs to an async
/// runtime (Tokio does not tell its `spawn_blocking` threads apart) fails rather than block it.
pub struct BlockingByteStream {
    status: StatusCode,
    headers: HeaderMap,
    chunks: mpsc::Receiver<Result<Bytes, Error>>,
    pending: Bytes,
    /// Keeps the runtime that feeds `chunks` running while the body is read.
    _worker: Arc<Worker>,
}

impl BlockingByteStream {
    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The length the server announced in `Content-Length`, if it did.
    pub fn content_length(&self) -> Option<u64> {
        content_length(&self.headers)
    }

    /// The next chunk, or `None` at the end of the body.
    pub fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        if !self.pending.is_empty() {
            return Ok(Some(std::mem::take(&mut self.pending)));
        }
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(Error::BlockingInAsyncContext);
        }
        self.chunks.blocking_recv().transpose()
    }
}

impl Iterator for BlockingByteStream {
    type Item = Result<Bytes, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.chunk().transpose()
    }
}

impl Read for BlockingByteStream {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        if buffer.is_empty() {
            return Ok(0);
        }
        if self.pending.is_empty() {
            match self.chunk() {
                Ok(Some(chunk)) => self.pending = chunk,
                Ok(None) => return Ok(0),
                Err(error) => return Err(std::io::Error::other(error)),
            }
        }
        let count = buffer.len().min(self.pending.len());
        self.pending.copy_to_slice(&mut buffer[..count]);
        Ok(count)
    }
}

impl fmt::Debug for BlockingByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingByteStream")
            .field("status", &self.status)
            .field("content_length", &self.content_length())
            .finish_non_exhaustive()
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.trim().parse().ok()
}
