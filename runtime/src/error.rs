//! The one error type of generated clients.

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
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
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
        /// Attempts made, retries included.
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
    /// The response body does not match the documented schema.
    #[error("could not decode the response of `{operation}` (status {}): {source}", response.status)]
    Decode {
        /// The operation.
        operation: &'static str,
        /// Status, headers and raw body.
        response: Box<RawResponse>,
        /// Where and why decoding failed.
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

impl Error {
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
            Self::UnexpectedStatus { response, .. } | Self::Decode { response, .. } => {
                Some(response)
            }
            _ => None,
        }
    }
}
