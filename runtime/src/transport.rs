//! How a request gets executed: awaited (async) or waited for (blocking).
//!
//! Generated clients are generic over a [`Transport`], so the async client and the blocking
//! facade share one generated surface: `send()` returns a future on [`AsyncTransport`] and the
//! result itself on [`crate::BlockingTransport`].

use std::future::Future;
use std::pin::Pin;

use crate::client::ClientCore;
use crate::error::Error;
use crate::request::Request;
use crate::response::{RawResponse, Response};

/// Turns a raw response into the operation's typed result.
pub type Decoder<T> = fn(&'static str, &RawResponse) -> Result<T, Error>;

/// The future an async call returns. Dropping it aborts the request.
pub type ResponseFuture<T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'static>>;

/// Executes requests for a generated client.
pub trait Transport: Clone + Send + Sync + 'static {
    /// What a call returns: a future, or the result itself.
    type Output<T: Send + 'static>;

    /// Builds a transport around a client core.
    fn from_core(core: ClientCore) -> Result<Self, Error>;

    /// The core: pool, base URL, credentials.
    fn core(&self) -> &ClientCore;

    /// A transport for another base URL that shares this one's pool and credentials.
    fn with_core(&self, core: ClientCore) -> Self;

    /// Sends the request and decodes the response.
    fn execute<T: Send + 'static>(&self, request: Request, decode: Decoder<T>) -> Self::Output<T> {
        self.run(request, decode, |_, body| body)
    }

    /// Sends the request and decodes the response, keeping status and headers.
    fn execute_with_response<T: Send + 'static>(
        &self,
        request: Request,
        decode: Decoder<T>,
    ) -> Self::Output<Response<T>> {
        self.run(request, decode, |raw, body| Response {
            status: raw.status,
            headers: raw.headers,
            body,
        })
    }

    /// Sends, decodes, then shapes the result with `finish`.
    fn run<T, U>(
        &self,
        request: Request,
        decode: Decoder<T>,
        finish: fn(RawResponse, T) -> U,
    ) -> Self::Output<U>
    where
        T: Send + 'static,
        U: Send + 'static;
}

pub(crate) async fn exchange<T, U>(
    core: ClientCore,
    request: Request,
    decode: Decoder<T>,
    finish: fn(RawResponse, T) -> U,
) -> Result<U, Error> {
    let operation = request.operation;
    let raw = core.send(request).await?;
    let body = decode(operation, &raw)?;
    Ok(finish(raw, body))
}

/// The async transport: calls return futures to `.await`.
#[derive(Clone, Debug)]
pub struct AsyncTransport {
    core: ClientCore,
}

impl Transport for AsyncTransport {
    type Output<T: Send + 'static> = ResponseFuture<T>;

    fn from_core(core: ClientCore) -> Result<Self, Error> {
        Ok(Self { core })
    }

    fn core(&self) -> &ClientCore {
        &self.core
    }

    fn with_core(&self, core: ClientCore) -> Self {
        Self { core }
    }

    fn run<T, U>(
        &self,
        request: Request,
        decode: Decoder<T>,
        finish: fn(RawResponse, T) -> U,
    ) -> Self::Output<U>
    where
        T: Send + 'static,
        U: Send + 'static,
    {
        Box::pin(exchange(self.core.clone(), request, decode, finish))
    }
}
