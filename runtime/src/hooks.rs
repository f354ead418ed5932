//! Hooks: code of the user's that runs before each request is sent (signing, extra headers)
//! and after each response arrives (logging, metrics). Several hooks run in the order added.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// What a hook learns about the call.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct CallInfo<'a> {
    /// The operation id.
    pub operation: &'static str,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub attempt: u32,
    /// The method.
    pub method: &'a reqwest::Method,
}

/// What a hook sees of a response.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ResponseInfo<'a> {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: &'a HeaderMap,
    /// Time from sending this attempt to its response headers.
    pub elapsed: Duration,
}

/// Runs around every request of a client. Both methods have empty defaults.
pub trait Hook: Send + Sync + 'static {
    /// Called with the finished request before each attempt is sent; it may change headers,
    /// the URL or the body. An error stops the call before anything is sent. It runs once per
    /// attempt, not again for each redirect the attempt follows; a header it sets is dropped
    /// once a redirect leaves the base URL's origin, unless it is content negotiation,
    /// `User-Agent`, or a conditional or range header.
    fn before_request(&self, call: CallInfo<'_>, request: &mut reqwest::Request) -> Result<(), String> {
        let _ = (call, request);
        Ok(())
    }

    /// Called when each attempt's final response headers arrive, after any redirects.
    fn after_response(&self, call: CallInfo<'_>, response: ResponseInfo<'_>) {
        let _ = (call, response);
    }
}
