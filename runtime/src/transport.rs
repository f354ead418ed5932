//! How a request gets executed: awaited (async) or waited for (blocking).
//!
//! Generated clients are generic over a [`Transport`], so the async client and the blocking
//! facade share one generated surface: `send()` returns a future on [`AsyncTransport`] and the
//! result itself on [`crate::BlockingTransport`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::client::{ClientCore, Received};
use crate::error::Error;
use crate::request::Request;
use crate::response::{RawResponse, Response};
use crate::items::{EventItem, ItemStream};
use crate::stream::ByteStream;
use serde::de::DeserializeOwned;

/// Turns a raw response into the operation's typed result, or its typed error.
pub type Decoder<T, E = Infallible> = fn(&'static str, &RawResponse) -> Result<T, Error<E>>;

/// The future an async call returns. Dropping it aborts the request.
pub type ResponseFuture<T, E = Infallible> =
    Pin<Box<dyn Future<Output = Result<T, Error<E>>> + Send + 'static>>;

/// Executes requests for a generated client.
pub trait Transport: Clone + Send + Sync + 'static {
    /// What a call returns: a future, or the result itself; `E` is the typed error body.
    type Output<T: Send + 'static, E: Send + 'static>;

    /// What `send_stream()` returns: a [`crate::ByteStream`] to poll, or a
    /// [`crate::BlockingByteStream`] to read.
    type ByteStream: Send + 'static;

    /// What `send_stream()` returns for a sequence of JSON items: a [`crate::ItemStream`] to
    /// poll, or a [`crate::BlockingItemStream`] to iterate.
    type ItemStream<I: DeserializeOwned + Send + 'static>: Send + 'static;

    /// Builds a transport around a client core.
    fn from_core(core: ClientCore) -> Result<Self, Error>;

    /// The core: pool, base URL, credentials.
    fn core(&self) -> &ClientCore;

    /// A transport for another base URL that shares this one's pool and credentials.
    fn with_core(&self, core: ClientCore) -> Self;

    /// Sends the request and decodes the response.
    fn execute<T: Send + 'static, E: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
    ) -> Self::Output<T, E> {
        self.run(request, decode, |_, body| body)
    }

    /// Sends the request and decodes the response, keeping status and headers.
    fn execute_with_response<T: Send + 'static, E: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
    ) -> Self::Output<Response<T>, E> {
        self.run(request, decode, |raw, body| Response {
            status: raw.status,
            headers: raw.headers,
            body,
        })
    }

    /// Sends the request and returns the response as it came, whatever its status.
    fn execute_raw(&self, request: Request) -> Self::Output<RawResponse, Infallible> {
        self.run(request, accept_any, |raw, ()| raw)
    }

    /// Sends the request and leaves a 2xx body to stream; `decode` turns any other status into
    /// the operation's error.
    fn stream<T: Send + 'static, E: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
    ) -> Self::Output<Self::ByteStream, E>;

    /// Sends the request and decodes a 2xx body item by item as it arrives; `decode` turns any
    /// other status into the operation's error.
    fn items<I: DeserializeOwned + Send + 'static, T: Send + 'static, E: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
        events: EventItem,
    ) -> Self::Output<Self::ItemStream<I>, E>;

    /// Sends, decodes, then shapes the result with `finish`.
    fn run<T, E, U>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
        finish: fn(RawResponse, T) -> U,
    ) -> Self::Output<U, E>
    where
        T: Send + 'static,
        E: Send + 'static,
        U: Send + 'static;
}

/// The decoder of `send_raw`: every response is taken as it is.
fn accept_any(_operation: &'static str, _response: &RawResponse) -> Result<(), Error> {
    Ok(())
}

/// A call's future: the request's exchange, polled in place, then the decoding. Not an async
/// fn, which would keep the request in a state of its own beside the exchange's.
pub(crate) fn exchange<T, E, U>(
    core: ClientCore,
    request: Request,
    decode: Decoder<T, E>,
    finish: fn(RawResponse, T) -> U,
) -> Call<impl Future<Output = Result<Received, Error>> + Send + 'static, T, E, U> {
    let operation = request.operation;
    Call { sending: core.send(request), operation, decode, finish }
}

pin_project_lite::pin_project! {
    /// See [`exchange`].
    pub(crate) struct Call<F, T, E, U> {
        #[pin]
        sending: F,
        operation: &'static str,
        decode: Decoder<T, E>,
        finish: fn(RawResponse, T) -> U,
    }
}

impl<F, T, E, U> Future for Call<F, T, E, U>
where
    F: Future<Output = Result<Received, Error>>,
{
    type Output = Result<U, Error<E>>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let raw = match std::task::ready!(this.sending.poll(context)) {
            Ok(Received::Whole(raw)) => raw,
            // Reading whole, no body is left to stream.
            Ok(Received::Streaming(_)) => {
                let message = "a streamed response where a whole one was read".to_owned();
                return Poll::Ready(Err(Error::Encode { operation: this.operation, message }));
            }
            Err(error) => return Poll::Ready(Err(error.into_typed())),
        };
        Poll::Ready((this.decode)(this.operation, &raw).map(|body| (this.finish)(raw, body)))
    }
}

/// Sends the request for a streamed body. A status the operation does not take as success
/// arrives read whole: its error decodes as usual, and anything else streams from memory.
pub(crate) async fn open_stream<T, E>(core: ClientCore, request: Request, decode: Decoder<T, E>) -> Result<ByteStream, Error<E>> {
    let operation = request.operation;
    match core.send_streaming(request).await.map_err(Error::into_typed)? {
        Received::Streaming(stream) => Ok(stream),
        Received::Whole(raw) => {
            decode(operation, &raw)?;
            Ok(ByteStream::buffered(operation, raw))
        }
    }
}

/// The async transport: calls return futures to `.await`.
#[derive(Clone, Debug)]
pub struct AsyncTransport {
    core: ClientCore,
}

impl Transport for AsyncTransport {
    type Output<T: Send + 'static, E: Send + 'static> = ResponseFuture<T, E>;
    type ByteStream = ByteStream;
    type ItemStream<I: DeserializeOwned + Send + 'static> = ItemStream<I>;

    fn from_core(core: ClientCore) -> Result<Self, Error> {
        Ok(Self { core })
    }

    fn core(&self) -> &ClientCore {
        &self.core
    }

    fn with_core(&self, core: ClientCore) -> Self {
        Self { core }
    }

    fn run<T, E, U>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
        finish: fn(RawResponse, T) -> U,
    ) -> Self::Output<U, E>
    where
        T: Send + 'static,
        E: Send + 'static,
        U: Send + 'static,
    {
        Box::pin(exchange(self.core.clone(), request, decode, finish))
    }

    fn stream<T: Send + 'static, E: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
    ) -> Self::Output<ByteStream, E> {
        Box::pin(open_stream(self.core.clone(), request, decode))
    }

    fn items<I: DeserializeOwned + Send + 'static, T: Send + 'static, E: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T, E>,
        events: EventItem,
    ) -> Self::Output<ItemStream<I>, E> {
        let opened = open_stream(self.core.clone(), request, decode);
        Box::pin(async move { opened.await.map(|bytes| ItemStream::new(bytes, events)) })
    }
}

