//! The one error type of generated clients.

use std::convert::Infallible;
use std::time::Duration;

use crate::response::RawResponse;

/// Which timeout fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// The client-wide request timeout ([`crate::ClientBuilder::request_timeout`]).
    Client,
    /// The timeout given for this one call ([`crate::CallOptions::timeout`]).
    Call,
}

impl std::fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Client => "the client's request timeout",
            Self::Call => "this call's timeout",
        })
    }
}

/// Everything that can go wrong on a call. Credentials never appear in its `Display` or `Debug`.
///
/// `E` is the operation's typed error body: the body of an error status the operation
/// documents arrives as [`Error::ErrorResponse`]. Operations that document no error body use
/// the default, [`Infallible`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E = Infallible> {
    /// The base URL does not parse.
    #[error("invalid base URL `{url}`: {message}")]
    InvalidBaseUrl {
        /// The URL as given.
        url: String,
        /// Why it does not parse.
        message: String,
    },
    /// The HTTP client could not be built.
    #[error("could not build the HTTP client: {0}")]
    Build(#[source] reqwest::Error),
    /// A parameter, body or credential could not be put into the request.
    #[error("could not encode the request for `{operation}`: {message}")]
    Encode {
        /// The operation.
        operation: &'static str,
        /// What could not be encoded.
        message: String,
    },
    /// The request URL would leave the base URL's origin (scheme, host and port) or change its
    /// user information, e.g. for a path that starts with `@host`; nothing was sent.
    #[error("the request URL for `{operation}` leaves the base URL's origin {base} for {url}")]
    ForeignUrl {
        /// The operation.
        operation: &'static str,
        /// The base URL's origin (scheme, host, port).
        base: String,
        /// The origin the request would have gone to.
        url: String,
    },
    /// No security requirement of the operation has all its credentials set.
    #[error("no security requirement satisfied for `{operation}`: accepts {accepted}; given {given}")]
    Unauthenticated {
        /// The operation.
        operation: &'static str,
        /// The requirements the operation accepts, e.g. `{user and password} or {token}`.
        accepted: String,
        /// The schemes that have credentials.
        given: String,
    },
    /// An OAuth 2 access token could not be fetched from the token endpoint.
    #[error("could not get an OAuth 2 access token for `{operation}`: {message}")]
    TokenRequest {
        /// The operation.
        operation: &'static str,
        /// Why; never the client secret.
        message: String,
    },
    /// The request did not get a response: connection refused, reset, TLS failure, ...
    #[error("request for `{operation}` failed after {attempts} attempt(s): {source}")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// The underlying error, stripped of its URL (which may carry an API key).
        #[source]
        source: reqwest::Error,
        /// Attempts made, retries included.
        attempts: u32,
    },
    /// A timeout fired before the response arrived.
    #[error("request for `{operation}` timed out after {after:?} ({kind}; {attempts} attempt(s))")]
    Timeout {
        /// The operation.
        operation: &'static str,
        /// Which timeout.
        kind: TimeoutKind,
        /// Its length.
        after: Duration,
        /// Attempts made, retries included; 0 when the time ran out while an OAuth 2 token was
        /// fetched.
        attempts: u32,
    },
    /// A hook refused the request before it was sent.
    #[error("a hook stopped the request for `{operation}`: {message}")]
    Hook {
        /// The operation.
        operation: &'static str,
        /// The hook's reason.
        message: String,
    },
    /// The response body is larger than the client accepts.
    #[error("the response to `{operation}` is larger than the limit of {limit} bytes")]
    ResponseTooLarge {
        /// The operation.
        operation: &'static str,
        /// The limit ([`crate::ClientBuilder::max_response_bytes`]).
        limit: u64,
    },
    /// The server answered with a status the operation does not document.
    #[error("`{operation}` got unexpected status {}", response.status)]
    UnexpectedStatus {
        /// The operation.
        operation: &'static str,
        /// Status, headers and raw body.
        response: Box<RawResponse>,
    },
    /// The server answered with an error status the operation documents; its body decoded as
    /// the operation's error type.
    #[error("`{operation}` got error status {}", response.status)]
    ErrorResponse {
        /// The operation.
        operation: &'static str,
        /// Status, headers and raw body.
        response: Box<RawResponse>,
        /// The decoded error body.
        body: E,
    },
    /// The response body does not match the documented schema.
    #[error("could not decode the response of `{operation}` (status {}){}: {source}", response.status, at_path(path))]
    Decode {
        /// The operation.
        operation: &'static str,
        /// Status, headers and raw body.
        response: Box<RawResponse>,
        /// Where in the body decoding failed, e.g. `items[2].createdAt`; `.` for the top.
        path: String,
        /// Why decoding failed.
        #[source]
        source: serde_json::Error,
    },
    /// The blocking client was called on a thread that belongs to an async runtime (a worker,
    /// a `block_on`, or a `spawn_blocking` thread, which Tokio does not tell apart).
    #[error(
        "the blocking client cannot be called from a thread of an async runtime (it would block \
         that runtime); use the async client there, or call the blocking client from a thread of \
         your own (`std::thread::spawn`)"
    )]
    BlockingInAsyncContext,
    /// The blocking client's background thread is gone.
    #[error("the blocking client's background thread has stopped")]
    WorkerStopped,
}

impl<E> Error<E> {
    /// The HTTP status, where the server answered.
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        self.response().map(|response| response.status)
    }

    /// Attempts made, where known (retries included).
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Self::Transport { attempts, .. } | Self::Timeout { attempts, .. } => Some(*attempts),
            _ => self.response().map(|r| r.attempts),
        }
    }

    /// Whether trying again later may succeed: connection trouble, timeouts, and the statuses
    /// 408, 429, 502, 503, 504.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::Timeout { .. } => true,
            _ => self.status().is_some_and(crate::retry::is_retryable_status),
        }
    }

    /// Status, headers and raw body, where the server answered.
    pub fn response(&self) -> Option<&RawResponse> {
        match self {
            Self::UnexpectedStatus { response, .. }
            | Self::Decode { response, .. }
            | Self::ErrorResponse { response, .. } => Some(response),
            _ => None,
        }
    }

    /// The raw response body, where the server answered: what to read when a body does not
    /// match its schema ([`Error::Decode`]) or its status is not documented.
    pub fn raw_body(&self) -> Option<&bytes::Bytes> {
        self.response().map(|response| &response.body)
    }

    /// The response headers, where the server answered.
    pub fn headers(&self) -> Option<&reqwest::header::HeaderMap> {
        self.response().map(|response| &response.headers)
    }

    /// The typed error body, where the server answered with a documented error status.
    pub fn error_body(&self) -> Option<&E> {
        match self {
            Self::ErrorResponse { body, .. } => Some(body),
            _ => None,
        }
    }

    /// The same error without its typed body: an [`Error::ErrorResponse`] becomes
    /// [`Error::UnexpectedStatus`], which keeps status, headers and raw body.
    pub fn into_untyped(self) -> Error {
        self.map_body(|_| None)
    }

    /// The same error with its typed body turned into another type; where `convert` returns
    /// `None`, an [`Error::ErrorResponse`] becomes [`Error::UnexpectedStatus`].
    pub fn map_body<F>(self, convert: impl FnOnce(E) -> Option<F>) -> Error<F> {
        match self {
            Self::InvalidBaseUrl { url, message } => Error::InvalidBaseUrl { url, message },
            Self::Build(source) => Error::Build(source),
            Self::Encode { operation, message } => Error::Encode { operation, message },
            Self::ForeignUrl { operation, base, url } => Error::ForeignUrl { operation, base, url },
            Self::Unauthenticated { operation, accepted, given } => {
                Error::Unauthenticated { operation, accepted, given }
            }
            Self::TokenRequest { operation, message } => Error::TokenRequest { operation, message },
            Self::Transport { operation, source, attempts } => {
                Error::Transport { operation, source, attempts }
            }
            Self::Timeout { operation, kind, after, attempts } => {
                Error::Timeout { operation, kind, after, attempts }
            }
            Self::Hook { operation, message } => Error::Hook { operation, message },
            Self::ResponseTooLarge { operation, limit } => {
                Error::ResponseTooLarge { operation, limit }
            }
            Self::UnexpectedStatus { operation, response } => {
                Error::UnexpectedStatus { operation, response }
            }
            Self::ErrorResponse { operation, response, body } => match convert(body) {
                Some(body) => Error::ErrorResponse { operation, response, body },
                None => Error::UnexpectedStatus { operation, response },
            },
            Self::Decode { operation, response, path, source } => {
                Error::Decode { operation, response, path, source }
            }
            Self::BlockingInAsyncContext => Error::BlockingInAsyncContext,
            Self::WorkerStopped => Error::WorkerStopped,
        }
    }
}

impl Error {
    /// The same error, typed for an operation whose error body is `E`. Errors raised before a
    /// body is decoded carry none, so this is lossless.
    pub fn into_typed<E>(self) -> Error<E> {
        self.map_body(|never| match never {})
    }
}

fn at_path(path: &str) -> String {
    if path.is_empty() || path == "." { String::new() } else { format!(" at `{path}`") }
}
