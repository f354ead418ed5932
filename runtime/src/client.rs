//! The shared core of every generated client: connection pool, base URL, credentials, timeouts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{
    ACCEPT, ACCEPT_ENCODING, ACCEPT_LANGUAGE, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE,
    HeaderMap, HeaderName, HeaderValue, IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE,
    LOCATION, RANGE, TRANSFER_ENCODING, USER_AGENT,
};
use reqwest::{Method, StatusCode, Url};
use tracing::Instrument;

use crate::credentials::{ApiKeyLocation, Credential, CredentialStore};
use crate::secret::Secret;
use crate::hooks::{CallInfo, Hook, ResponseInfo};
use crate::retry::{self, RetryPolicy};
use crate::error::{Error, TimeoutKind};
use crate::request::{Body, Request};
use crate::response::RawResponse;
use crate::stream::ByteStream;
use bytes::{Bytes, BytesMut};

/// Awaits `$future` until `$deadline` (an `Option<Instant>`): `None` if the deadline came
/// first. A macro, not an async fn, since an async fn would hold the future twice in its state
/// (once as its argument, once awaited), and futures are moved whole at every layer.
macro_rules! until {
    ($deadline:expr, $future:expr) => {{
        let future = $future;
        match $deadline {
            Some(deadline) => tokio::time::timeout_at(tokio::time::Instant::from_std(deadline), future).await.ok(),
            None => Some(future.await),
        }
    }};
}

/// Settings for a client: `C` is what [`ClientBuilder::build`] makes, the [`ClientCore`] or a
/// generated client (`AsyncClient::builder().base_url(url).build()?`). Generated clients start
/// one with their spec's default server URL, or with none when the spec names no server.
pub struct ClientBuilder<C = ClientCore> {
    settings: Settings,
    builds: std::marker::PhantomData<fn() -> C>,
}

/// What a [`ClientBuilder`] holds, whatever it builds.
struct Settings {
    base_url: String,
    request_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    user_agent: Option<String>,
    default_headers: HeaderMap,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    hooks: Vec<Arc<dyn Hook>>,
    max_response_bytes: u64,
    /// Credentials the spec does not declare, sent on every call.
    undeclared: Vec<Credential>,
    optional_security: bool,
}

/// What a [`ClientBuilder`] builds: the [`ClientCore`] itself, or a generated client around it.
pub trait FromClientCore: Sized {
    /// Wraps a built core.
    fn from_client_core(core: ClientCore) -> Result<Self, Error>;
}

impl FromClientCore for ClientCore {
    fn from_client_core(core: ClientCore) -> Result<Self, Error> {
        Ok(core)
    }
}

/// The default limit on a response body: generous, but a hostile server cannot exhaust memory.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 256 * 1024 * 1024;

/// The default limit on connecting ([`ClientBuilder::connect_timeout`]).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The default limit on a silent connection: no byte for this long fails the read
/// ([`ClientBuilder::read_timeout`]).
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The default limit on a whole call ([`ClientBuilder::request_timeout`]).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Redirects followed per attempt, at most; the last 3xx is then the response.
const MAX_REDIRECTS: usize = 10;

impl<C> std::fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let settings = &self.settings;
        // Credentials show as their count: never their values.
        f.debug_struct("ClientBuilder")
            .field("base_url", &settings.base_url)
            .field("request_timeout", &settings.request_timeout)
            .field("connect_timeout", &settings.connect_timeout)
            .field("read_timeout", &settings.read_timeout)
            .field("retry", &settings.retry)
            .field("hooks", &settings.hooks.len())
            .field("max_response_bytes", &settings.max_response_bytes)
            .field("undeclared_credentials", &settings.undeclared.len())
            .field("optional_security", &settings.optional_security)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Settings that talk to `base_url`, e.g. `https://api.example.com/v1`.
    pub fn new(base_url: impl Into<String>) -> Self {
        let settings = Settings {
            base_url: base_url.into(),
            request_timeout: Some(DEFAULT_REQUEST_TIMEOUT),
            connect_timeout: Some(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: Some(DEFAULT_READ_TIMEOUT),
            user_agent: None,
            default_headers: HeaderMap::new(),
            http: None,
            retry: RetryPolicy::default(),
            hooks: Vec::new(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            undeclared: Vec::new(),
            optional_security: false,
        };
        Self { settings, builds: std::marker::PhantomData }
    }
}

impl<C> ClientBuilder<C> {
    /// The same settings, for building `D` instead (a generated client's `builder()` uses it).
    pub fn for_client<D>(self) -> ClientBuilder<D> {
        ClientBuilder { settings: self.settings, builds: std::marker::PhantomData }
    }

    /// When and how often calls are retried (default: 3 attempts for idempotent methods).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// Adds a hook; hooks run in the order added.
    pub fn hook(mut self, hook: impl Hook) -> Self {
        self.settings.hooks.push(Arc::new(hook));
        self
    }

    /// The largest response body accepted (default 256 MiB).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.settings.max_response_bytes = limit;
        self
    }

    /// The server to talk to; overrides the spec's default.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.settings.base_url = base_url.into();
        self
    }

    /// The longest a whole call (an OAuth 2 token request if one is due, connect, send, follow
    /// redirects, retry, receive the body) may take; for a streamed response (`send_stream()`),
    /// until its headers arrive. Default [`DEFAULT_REQUEST_TIMEOUT`] (10 minutes); `None`
    /// removes the limit. A call's own timeout ([`crate::CallOptions::timeout`]) replaces it.
    pub fn request_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.request_timeout = timeout.into();
        self
    }

    /// The longest connecting may take. Default [`DEFAULT_CONNECT_TIMEOUT`] (10 seconds);
    /// `None` removes the limit. Ignored with [`ClientBuilder::with_reqwest_client`].
    pub fn connect_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.connect_timeout = timeout.into();
        self
    }

    /// The longest the connection may stay silent while a response is awaited or read: each
    /// read must bring a byte within this time. It also cuts a streamed body (an event stream,
    /// say) that is idle this long, so raise or remove it for streams with long silences.
    /// Default [`DEFAULT_READ_TIMEOUT`] (60 seconds); `None` removes the limit. Ignored with
    /// [`ClientBuilder::with_reqwest_client`].
    pub fn read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.read_timeout = timeout.into();
        self
    }

    /// The `User-Agent` header. Ignored with [`ClientBuilder::with_reqwest_client`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.settings.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every request (to the base URL's origin only: a redirect elsewhere drops it).
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.settings.default_headers.insert(name, value);
        self
    }

    /// Uses a fully configured `reqwest::Client` (proxies, TLS roots, client certificates,
    /// pool settings) instead of building one. A timeout set on it also cuts streamed bodies.
    ///
    /// Such a client keeps its own redirect policy. The client this builder makes instead
    /// follows redirects itself, keeps only content-negotiation, conditional and range headers
    /// once a redirect leaves the base URL's origin, and sends no body there; to get that
    /// behaviour, build yours with `.redirect(reqwest::redirect::Policy::none())` (the runtime
    /// then follows redirects) and `.referer(false)` (a `Referer` would carry a query API key to
    /// the next host). Headers set as that client's own defaults go on every hop. The OAuth 2
    /// token request never follows a redirect with such a client; with another policy, reqwest's
    /// decides.
    pub fn with_reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(client);
        self
    }

    /// HTTP Basic credentials the spec does not declare, sent on every call. Like every
    /// credential they go only to the base URL's origin: a redirect elsewhere drops them.
    pub fn basic_auth(self, username: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.undeclared_credential(Credential::Basic { username: username.into(), password: password.into() })
    }

    /// `Authorization: Bearer <token>`, undeclared by the spec, on every call (see
    /// [`ClientBuilder::basic_auth`]).
    pub fn bearer_auth(self, token: impl Into<Secret>) -> Self {
        self.undeclared_credential(Credential::Bearer { token: token.into() })
    }

    /// An API key the spec does not declare, in a header, query parameter or cookie named
    /// `name`, on every call (see [`ClientBuilder::basic_auth`]).
    pub fn api_key(self, location: ApiKeyLocation, name: &'static str, key: impl Into<Secret>) -> Self {
        self.undeclared_credential(Credential::ApiKey { location, name, key: key.into() })
    }

    /// Any credential the spec does not declare, on every call. Where an operation's declared
    /// security also sets a header or query parameter of the same name, the declared one goes.
    /// With one set, an operation whose declared requirements have no credentials is sent with
    /// it alone instead of being refused ([`Error::Unauthenticated`]).
    pub fn undeclared_credential(mut self, credential: Credential) -> Self {
        self.settings.undeclared.push(credential);
        self
    }

    /// Treats the spec's security requirements as optional, for a server that does not enforce
    /// what its spec declares: an operation whose requirements no credential meets is sent
    /// without credentials instead of being refused with [`Error::Unauthenticated`].
    pub fn optional_security(mut self, optional: bool) -> Self {
        self.settings.optional_security = optional;
        self
    }

    /// Builds the client (or the core, for a builder from [`ClientBuilder::new`]).
    pub fn build(self) -> Result<C, Error>
    where
        C: FromClientCore,
    {
        C::from_client_core(self.build_core()?)
    }

    /// Builds the core that generated clients wrap.
    pub fn build_core(self) -> Result<ClientCore, Error> {
        let settings = self.settings;
        if settings.base_url.is_empty() {
            return Err(Error::InvalidBaseUrl {
                url: String::new(),
                message: "no base URL: the spec names no server, so set one with `.base_url(..)`".to_owned(),
            });
        }
        let base_url = parse_base_url(&settings.base_url)?;
        let http = match settings.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder().user_agent(
                    settings.user_agent
                        .unwrap_or_else(|| concat!("specwright/", env!("CARGO_PKG_VERSION")).to_owned()),
                );
                // The runtime follows redirects itself (see `follow_redirects`), so that no
                // credential reaches another origin and no query key travels in a `Referer`.
                builder = builder.redirect(reqwest::redirect::Policy::none()).referer(false);
                if let Some(timeout) = settings.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                if let Some(timeout) = settings.read_timeout {
                    builder = builder.read_timeout(timeout);
                }
                builder.build().map_err(Error::Build)?
            }
        };
        let shared = Shared {
            http,
            default_headers: settings.default_headers,
            retry: settings.retry,
            hooks: settings.hooks,
            max_response_bytes: settings.max_response_bytes,
        };
        let inner = CoreInner {
            shared: Arc::new(shared),
            base: BaseUrl::new(base_url),
            credentials: CredentialStore::new(settings.undeclared, settings.optional_security),
            request_timeout: settings.request_timeout,
        };
        Ok(ClientCore { inner: Arc::new(inner) })
    }
}

/// The base URL as given (without a trailing `/`) and parsed once, not on every call; a text
/// that parses only with its trailing `/` keeps its error for each call to report, as before.
struct BaseUrl {
    text: String,
    parsed: Result<Url, String>,
}

impl BaseUrl {
    fn new(text: String) -> Self {
        let parsed = Url::parse(&text).map_err(|e| e.to_string());
        Self { text, parsed }
    }
}

fn parse_base_url(url: &str) -> Result<String, Error> {
    let parsed = Url::parse(url)
        .map_err(|e| Error::InvalidBaseUrl { url: url.to_owned(), message: e.to_string() })?;
    if parsed.cannot_be_a_base() || parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::InvalidBaseUrl {
            url: url.to_owned(),
            message: "a base URL needs a scheme and host, and no query or fragment".to_owned(),
        });
    }
    Ok(url.trim_end_matches('/').to_owned())
}

struct Shared {
    http: reqwest::Client,
    default_headers: HeaderMap,
    retry: RetryPolicy,
    hooks: Vec<Arc<dyn Hook>>,
    max_response_bytes: u64,
}

/// A connection pool, a base URL, credentials and a timeout. Cheap to clone: clones share the
/// pool and the credentials.
#[derive(Clone)]
pub struct ClientCore {
    // One `Arc`: a call clones the core several times on its way in.
    inner: Arc<CoreInner>,
}

struct CoreInner {
    shared: Arc<Shared>,
    base: BaseUrl,
    credentials: CredentialStore,
    request_timeout: Option<Duration>,
}

impl std::fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.inner.base.text)
            .field("request_timeout", &self.inner.request_timeout)
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base.text
    }

    /// A core for another server that shares this one's pool and credentials.
    pub fn with_base_url(&self, base_url: &str) -> Result<Self, Error> {
        let inner = &self.inner;
        Ok(Self {
            inner: Arc::new(CoreInner {
                shared: inner.shared.clone(),
                base: BaseUrl::new(parse_base_url(base_url)?),
                credentials: inner.credentials.clone(),
                request_timeout: inner.request_timeout,
            }),
        })
    }

    /// Sets the credential for a security scheme, replacing any earlier one.
    pub fn set_credential(&self, scheme: &'static str, credential: Credential) {
        self.inner.credentials.set(scheme, credential);
    }

    /// Forgets the credential for one security scheme.
    pub fn clear_credential(&self, scheme: &str) {
        self.inner.credentials.clear(scheme);
    }

    /// Forgets every credential.
    pub fn clear_credentials(&self) {
        self.inner.credentials.clear_all();
    }

    /// Whether a credential is set for `scheme`.
    pub fn has_credential(&self, scheme: &str) -> bool {
        self.inner.credentials.is_set(scheme)
    }

    /// Sends the request (retrying as the policy allows) and reads the whole response. The
    /// future owns the core, so that [`crate::transport::exchange`] can poll it in place
    /// instead of holding it (and the request) in a state of its own.
    pub(crate) fn send(self, request: Request) -> impl Future<Output = Result<Received, Error>> + Send + 'static {
        self.send_for(request, Reading::Whole)
    }

    /// Sends the request; a 2xx body is left to stream, any other is read whole.
    pub(crate) fn send_streaming(&self, request: Request) -> impl Future<Output = Result<Received, Error>> + Send + 'static {
        self.clone().send_for(request, Reading::StreamSuccess)
    }

    // Futures are moved whole at each layer of a call, so what is only needed before sending
    // (the request's parts, the credentials) lives in `prepare`, not across an `.await`, and
    // the rare paths (token request, retry wait) are boxed.
    async fn send_for(self, request: Request, reading: Reading) -> Result<Received, Error> {
        let operation = request.operation;
        if let Some(message) = request.problem {
            return Err(Error::Encode { operation, message });
        }
        let timeout = match (request.options.timeout, self.inner.request_timeout) {
            (Some(after), _) => Some((TimeoutKind::Call, after)),
            (None, Some(after)) => Some((TimeoutKind::Client, after)),
            (None, None) => None,
        };
        // A deadline too far to represent is no deadline (a user's `Duration::MAX`).
        let deadline = timeout.and_then(|(_, after)| Instant::now().checked_add(after));
        let timed_out = |attempts: u32| {
            let (kind, after) = timeout.unwrap_or((TimeoutKind::Client, Duration::ZERO));
            Error::Timeout { operation, kind, after, attempts }
        };

        // The deadline covers the token request too: a hanging token endpoint must not hang
        // the call.
        let sources = self.inner.credentials.token_sources(request.security);
        if !sources.is_empty() {
            let limit = self.inner.shared.max_response_bytes;
            let inner = &self.inner;
            let tokens = Box::pin(async move {
                for source in &sources {
                    source.ensure_token(&inner.shared.http, &inner.base.text, operation, limit).await?;
                }
                Ok::<(), Error>(())
            });
            match until!(deadline, tokens) {
                Some(fetched) => fetched?,
                None => return Err(timed_out(0)),
            }
        }
        // Nothing here is borrowed: a borrowed local stays in the future's state to its end.
        let Prepared { request: prepared, method, policy, base, query_credentials, span, sent_once, plain } = self.prepare(request)?;
        let started = Instant::now();
        let mut prepared = Some(prepared);
        let attempts = async {
            let mut attempt: u32 = 0;
            loop {
                attempt = attempt.saturating_add(1);
                // The last attempt the policy allows takes the request instead of a copy.
                let last = sent_once || !policy.allows(&method, attempt);
                let call = CallInfo { operation, attempt, method: &method };
                let outgoing = self.outgoing(&mut prepared, last, plain, call)?;
                // Without hooks the kept request is the one sent, so a redirect can copy it.
                let same_as_sent = if self.inner.shared.hooks.is_empty() { prepared.as_ref() } else { None };
                let redirects = Redirects { same_as_sent, base, query_credentials: &query_credentials };
                // Boxed: the attempt's future is the biggest part of a call's state, and every
                // layer around it (timeout, span, the call) would otherwise move it whole.
                let Some(result) = until!(deadline, Box::pin(self.exchange(outgoing, redirects, call, reading))) else {
                    return Err(timed_out(attempt));
                };
                // Whether another attempt may help, and after how long.
                let retry_after = match &result {
                    _ if sent_once => None,
                    Ok(Received::Whole(raw)) if retry::is_retryable_status(raw.status) => {
                        Some(policy.wait(attempt, Some(&raw.headers)))
                    }
                    Err(Attempt::Transport(error)) if error.is_connect() || error.is_timeout() || error.is_request() => {
                        Some(policy.wait(attempt, None))
                    }
                    _ => None,
                };
                if let Some(wait) = retry_after.filter(|_| policy.allows(&method, attempt)) {
                    // Checked: a wait no instant can hold does not fit any deadline.
                    let fits = deadline.is_none_or(|deadline| Instant::now().checked_add(wait).is_some_and(|end| end < deadline));
                    if fits {
                        tracing::debug!(attempt, ?wait, "retrying");
                        Box::pin(tokio::time::sleep(wait)).await;
                        continue;
                    }
                }
                return match result {
                    Ok(received) => Ok(received),
                    Err(Attempt::Transport(source)) => Err(Error::Transport { operation, source: source.without_url(), attempts: attempt }),
                    Err(Attempt::TooLarge) => Err(Error::ResponseTooLarge { operation, limit: self.inner.shared.max_response_bytes }),
                };
            }
        };
        // A span that records nothing is not entered at each poll.
        let outcome = if span.is_none() { attempts.await } else { attempts.instrument(span.clone()).await };
        match &outcome {
            Ok(response) => {
                span.record("status", response.status().as_u16());
                span.record("attempts", response.attempts());
                tracing::debug!(parent: &span, elapsed = ?started.elapsed(), "response");
            }
            Err(error) => tracing::debug!(parent: &span, elapsed = ?started.elapsed(), %error, "failed"),
        }
        outcome
    }

    /// Everything before sending: credentials, the URL (refused if it leaves the base URL's
    /// origin), headers, cookies, body, and the retry policy.
    fn prepare(&self, request: Request) -> Result<Prepared<'_>, Error> {
        let operation = request.operation;
        let applied = self.inner.credentials.apply(operation, request.security)?;

        let base = self.inner.base.parsed.as_ref()
            .map_err(|message| Error::InvalidBaseUrl { url: self.inner.base.text.clone(), message: message.clone() })?;
        let mut url = request_url(base, &self.inner.base.text, &request.path)
            .map_err(|e| Error::Encode { operation, message: format!("URL: {e}") })?;
        // A path that is not a path (`@host/x`) would send the credentials elsewhere.
        if !same_origin(&url, base) || url.username() != base.username() || url.password() != base.password() {
            return Err(Error::ForeignUrl {
                operation,
                base: base.origin().ascii_serialization(),
                url: url.origin().ascii_serialization(),
            });
        }
        if !request.query.is_empty() || !applied.query.is_empty() {
            // Pairs arrive percent-encoded, with their styles' delimiters left as they must be.
            let credentials = applied.query.iter().map(|(name, value)| crate::params::encoded_pair(name, value));
            let query = request
                .query
                .iter()
                .cloned()
                .chain(credentials)
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("&");
            url.set_query(Some(&query));
        }
        let query_credentials: Vec<&'static str> = applied.query.iter().map(|(name, _)| *name).collect();

        let mut headers = self.inner.shared.default_headers.clone();
        for (name, value) in request.headers.into_iter().chain(applied.headers) {
            headers.append(name, value);
        }
        let cookies: Vec<&String> = request.cookies.iter().chain(applied.cookies.iter()).collect();
        if !cookies.is_empty() {
            let joined = cookies.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("; ");
            let mut cookie = HeaderValue::from_str(&joined)
                .map_err(|_| Error::Encode { operation, message: "cookie value".to_owned() })?;
            cookie.set_sensitive(true);
            headers.append(COOKIE, cookie);
        }
        let body = match request.body {
            None => None,
            Some(Body::Json(bytes)) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                Some(reqwest::Body::from(bytes))
            }
            Some(Body::Raw { bytes, content_type }) => {
                if let Ok(value) = HeaderValue::from_str(&content_type) {
                    headers.insert(CONTENT_TYPE, value);
                }
                Some(reqwest::Body::from(bytes))
            }
            Some(Body::Binary { body, content_type }) => {
                if let Ok(value) = HeaderValue::from_str(&content_type) {
                    headers.insert(CONTENT_TYPE, value);
                }
                Some(body.into_reqwest().map_err(|message| Error::Encode { operation, message })?)
            }
        };
        for (name, value) in request.options.headers {
            headers.insert(name, value);
        }
        let method = request.method;
        // Only the URL's user information needs reqwest's builder (it becomes Basic
        // authentication), and a URL without a host its error; otherwise the headers are moved
        // in, not copied.
        let plain = url.has_host() && url.username().is_empty() && url.password().is_none();
        let prepared = if plain {
            let mut prepared = reqwest::Request::new(method.clone(), url);
            *prepared.headers_mut() = headers;
            *prepared.body_mut() = body;
            prepared
        } else {
            let mut builder = self.inner.shared.http.request(method.clone(), url).headers(headers);
            if let Some(body) = body {
                builder = builder.body(body);
            }
            builder.build().map_err(|e| Error::Encode { operation, message: e.without_url().to_string() })?
        };
        let policy = request.options.retry.unwrap_or_else(|| self.inner.shared.retry.clone());

        let span = tracing::debug_span!(
            "request",
            operation,
            method = %method,
            url = %RedactedUrl { url: prepared.url(), secret_names: &applied.secret_names },
            status = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        // A span nothing records is replaced by one that costs nothing to enter and record:
        // `tracing` falls back to `log` only while no subscriber was ever set.
        let quiet = span.is_disabled() && (tracing::dispatcher::has_been_set() || log::max_level() < log::LevelFilter::Debug);
        let span = if quiet { tracing::Span::none() } else { span };
        // A streamed body can go only once: the first attempt takes it, and no retry follows.
        let sent_once = prepared.body().is_some_and(|body| body.as_bytes().is_none());
        let plain = plain && prepared.body().is_none();
        Ok(Prepared { request: prepared, method, policy, base, query_credentials, span, sent_once, plain })
    }

    /// The request for one attempt: the kept one on the last attempt, else a copy; then the
    /// hooks have their say.
    fn outgoing(&self, prepared: &mut Option<reqwest::Request>, last: bool, plain: bool, call: CallInfo<'_>) -> Result<reqwest::Request, Error> {
        let operation = call.operation;
        let outgoing = match prepared.as_ref() {
            _ if last => prepared.take(),
            Some(kept) if plain => Some(copy_plain_request(kept)),
            kept => kept.and_then(reqwest::Request::try_clone),
        };
        let mut outgoing =
            outgoing.ok_or_else(|| Error::Encode { operation, message: "the body cannot be sent twice".to_owned() })?;
        for hook in &self.inner.shared.hooks {
            hook.before_request(call, &mut outgoing).map_err(|message| Error::Hook { operation, message })?;
        }
        Ok(outgoing)
    }

    /// One attempt: send (following redirects), run the after-response hooks, read the body
    /// within the size limit (unless it is a 2xx body to stream).
    ///
    /// Redirects: up to [`MAX_REDIRECTS`] are followed (a client built with `Policy::none()`
    /// hands them back): 301 and 302 turn POST into GET, 303 turns anything but HEAD into GET,
    /// 307 and 308 keep method and body. Once a hop leaves the base URL's origin, only the
    /// headers in [`CROSS_ORIGIN_HEADERS`] go on, for good (default headers, header parameters,
    /// per-call headers and hook-set headers may all be secrets), and so do no query API keys
    /// that a `Location` copied from the first URL. A redirect that cannot be followed (no
    /// usable `Location`, a streamed body to send again, a body to send to another origin, too
    /// many hops) is the response.
    // One async fn, and `request` reused for each hop: each argument and local of an async fn
    // takes room in its state, and the state is moved whole at every layer.
    async fn exchange(
        &self,
        mut request: reqwest::Request,
        redirects: Redirects<'_>,
        call: CallInfo<'_>,
        reading: Reading,
    ) -> Result<Received, Attempt> {
        let hooks = &self.inner.shared.hooks;
        let sent = (!hooks.is_empty()).then(Instant::now);
        let Redirects { mut same_as_sent, base, query_credentials } = redirects;
        let mut hops = 0;
        let mut left_origin = false;
        let mut response = loop {
            let method = request.method().clone();
            let per_request_timeout = request.timeout().copied();
            // What a redirect sends again: copied from an identical request only once a
            // redirect asks for it, or (none at hand) copied before this one goes.
            let kept = same_as_sent.take();
            let copied = if kept.is_none() { Some(redirect_parts(&request)) } else { None };
            let response = self.inner.shared.http.execute(request).await.map_err(Attempt::Transport)?;
            if hops >= MAX_REDIRECTS || !is_redirect(response.status()) {
                break response;
            }
            let Some((headers, body)) = copied.or_else(|| kept.map(redirect_parts)) else { break response };
            let Some(next) = next_hop(&response, method, headers, body) else { break response };
            // A 307/308 (or a 301/302 of anything but POST) sends the body again; the body may
            // hold secrets and was meant for the base origin only.
            if !same_origin(next.url(), base) && carries_body(&next) {
                break response;
            }
            hops += 1;
            request = next;
            *request.timeout_mut() = per_request_timeout;
            left_origin = left_origin || !same_origin(request.url(), base);
            if left_origin {
                keep_cross_origin_headers(request.headers_mut());
                remove_query_pairs(request.url_mut(), query_credentials);
            }
            tracing::debug!(status = response.status().as_u16(), to = %request.url().origin().ascii_serialization(), "following a redirect");
        };
        let status = response.status();
        if let Some(sent) = sent {
            let info = ResponseInfo { status, headers: response.headers(), elapsed: sent.elapsed() };
            for hook in hooks {
                hook.after_response(call, info);
            }
        }
        if reading == Reading::StreamSuccess && status.is_success() {
            let item_limit = self.inner.shared.max_response_bytes;
            return Ok(Received::Streaming(ByteStream::live(call.operation, response, call.attempt, item_limit)));
        }
        let limit = self.inner.shared.max_response_bytes;
        if response.content_length().is_some_and(|length| length > limit) {
            return Err(Attempt::TooLarge);
        }
        // The body is read whole from here on, and needs no headers.
        let headers = std::mem::take(response.headers_mut());
        let body = read_body(&mut response, limit).await?;
        Ok(Received::Whole(RawResponse { status, headers, body, attempts: call.attempt }))
    }
}

/// What following an attempt's redirects needs besides its request.
struct Redirects<'a> {
    /// A request identical to the one sent, if one is kept anyway (for the next attempt).
    same_as_sent: Option<&'a reqwest::Request>,
    base: &'a Url,
    /// Names of query API keys, which no hop to another origin may carry.
    query_credentials: &'a [&'static str],
}

/// A request ready to send, with what its attempts need.
struct Prepared<'a> {
    request: reqwest::Request,
    method: Method,
    policy: RetryPolicy,
    base: &'a Url,
    /// Names of query API keys, which no hop to another origin may carry.
    query_credentials: Vec<&'static str>,
    span: tracing::Span,
    /// The body is streamed: it can go once only.
    sent_once: bool,
    /// Made by `reqwest::Request::new`, without a body: [`copy_plain_request`] copies it.
    plain: bool,
}

/// The URL for logs, written only when a span is: values of secret query parameters replaced.
struct RedactedUrl<'a> {
    url: &'a Url,
    secret_names: &'a [&'static str],
}

impl std::fmt::Display for RedactedUrl<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redacted_url(self.url, self.secret_names))
    }
}

/// A copy of a request that `reqwest::Request::new` made and that has no body: field by
/// field, since `try_clone` also copies the per-request timeout, which puts a map into the
/// copy's extensions (three allocations a call).
fn copy_plain_request(request: &reqwest::Request) -> reqwest::Request {
    let mut copy = reqwest::Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    copy
}

/// The headers and body a redirect sends again; `None` for the body: a streamed one, which
/// can go once only.
fn redirect_parts(request: &reqwest::Request) -> (HeaderMap, Option<Option<reqwest::Body>>) {
    match request.try_clone() {
        Some(mut copy) => (std::mem::take(copy.headers_mut()), Some(copy.body_mut().take())),
        None => (request.headers().clone(), None),
    }
}

/// Reads the whole body, at most `limit` bytes; a body of one chunk (the usual case for a
/// small response) is kept as it came, not copied.
async fn read_body(response: &mut reqwest::Response, limit: u64) -> Result<Bytes, Attempt> {
    let too_large = |length: usize| length as u64 > limit;
    let Some(first) = response.chunk().await.map_err(Attempt::Transport)? else { return Ok(Bytes::new()) };
    if too_large(first.len()) {
        return Err(Attempt::TooLarge);
    }
    let Some(second) = response.chunk().await.map_err(Attempt::Transport)? else { return Ok(first) };
    let mut body = BytesMut::with_capacity(first.len().saturating_add(second.len()));
    let mut chunk = Some(second);
    body.extend_from_slice(&first);
    while let Some(next) = chunk {
        if too_large(body.len().saturating_add(next.len())) {
            return Err(Attempt::TooLarge);
        }
        body.extend_from_slice(&next);
        chunk = response.chunk().await.map_err(Attempt::Transport)?;
    }
    Ok(body.freeze())
}

/// Whether `status` is one [`next_hop`] may follow.
fn is_redirect(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    )
}


/// The URL of `path` under the base URL: the base URL's text and the path, parsed as one.
/// A path that can only be a path (it starts with `/` and holds no `?`, `#`, space or control
/// character, which parsing would cut or trim) is set on a copy of the parsed base URL instead,
/// so that each call does not parse and check the host again; the result is the same.
fn request_url(base: &Url, base_text: &str, path: &str) -> Result<Url, String> {
    let only_a_path = path.starts_with('/') && !path.bytes().any(|b| b <= b' ' || matches!(b, b'?' | b'#' | 0x7f));
    if !only_a_path {
        let mut target = String::with_capacity(base_text.len() + path.len());
        target.push_str(base_text);
        target.push_str(path);
        return Url::parse(&target).map_err(|e| e.to_string());
    }
    // The base text has no trailing `/`, so a base without a path parses to the path `/`.
    let prefix = match base.path() {
        "/" => "",
        prefix => prefix,
    };
    let mut joined = String::with_capacity(prefix.len() + path.len());
    joined.push_str(prefix);
    joined.push_str(path);
    let mut url = base.clone();
    url.set_path(&joined);
    Ok(url)
}

/// Whether two URLs share scheme, host and port (the port a scheme implies included).
fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme() && a.host() == b.host() && a.port_or_known_default() == b.port_or_known_default()
}

/// The request a redirect asks for, if it can be followed.
fn next_hop(
    response: &reqwest::Response,
    method: Method,
    mut headers: HeaderMap,
    body: Option<Option<reqwest::Body>>,
) -> Option<reqwest::Request> {
    let status = response.status();
    let becomes_get = match status {
        StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => method == Method::POST,
        StatusCode::SEE_OTHER => method != Method::HEAD,
        StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => false,
        _ => return None,
    };
    let location = response.headers().get(LOCATION)?.to_str().ok()?;
    let url = response.url().join(location).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let (method, body) = if becomes_get {
        for name in [CONTENT_TYPE, CONTENT_LENGTH, CONTENT_ENCODING, TRANSFER_ENCODING] {
            headers.remove(name);
        }
        (Method::GET, None)
    } else {
        (method, body?)
    };
    let mut next = reqwest::Request::new(method, url);
    *next.headers_mut() = headers;
    *next.body_mut() = body;
    Some(next)
}

/// Removes the query pairs named `names`, leaving the rest of the query as it was.
fn remove_query_pairs(url: &mut Url, names: &[&str]) {
    if names.is_empty() || !url.query_pairs().any(|(name, _)| names.contains(&name.as_ref())) {
        return;
    }
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| !names.contains(&name.as_ref()))
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
}

/// The only request headers that follow a redirect to another origin: content negotiation,
/// and the conditional and range headers a download needs, none of which carries a secret.
const CROSS_ORIGIN_HEADERS: [HeaderName; 10] = [
    ACCEPT,
    ACCEPT_ENCODING,
    ACCEPT_LANGUAGE,
    USER_AGENT,
    RANGE,
    IF_NONE_MATCH,
    IF_MODIFIED_SINCE,
    IF_MATCH,
    IF_UNMODIFIED_SINCE,
    IF_RANGE,
];

/// Removes every header not in [`CROSS_ORIGIN_HEADERS`]: any other one (a default header, a
/// header parameter, a hook's) may carry a credential the runtime does not know about.
fn keep_cross_origin_headers(headers: &mut HeaderMap) {
    let dropped: Vec<HeaderName> =
        headers.keys().filter(|name| !CROSS_ORIGIN_HEADERS.contains(name)).cloned().collect();
    for name in dropped {
        headers.remove(name);
    }
}

/// Whether `request` would send a non-empty body (a streamed body counts as non-empty).
fn carries_body(request: &reqwest::Request) -> bool {
    request.body().is_some_and(|body| body.as_bytes().is_none_or(|bytes| !bytes.is_empty()))
}

/// Whether a call reads its response whole or streams a 2xx body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reading {
    Whole,
    StreamSuccess,
}

/// A response: read whole, or a 2xx body still to stream.
#[derive(Debug)]
pub(crate) enum Received {
    Whole(RawResponse),
    Streaming(ByteStream),
}

impl Received {
    fn status(&self) -> reqwest::StatusCode {
        match self {
            Self::Whole(raw) => raw.status,
            Self::Streaming(stream) => stream.status(),
        }
    }

    fn attempts(&self) -> u32 {
        match self {
            Self::Whole(raw) => raw.attempts,
            Self::Streaming(stream) => stream.attempts(),
        }
    }
}

/// How one attempt failed.
enum Attempt {
    Transport(reqwest::Error),
    TooLarge,
}

/// The URL with the values of secret query parameters replaced, for logs.
fn redacted_url(url: &Url, secret_names: &[&str]) -> String {
    if secret_names.is_empty() || url.query().is_none() {
        return url.to_string();
    }
    let mut logged = url.clone();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(name, value)| {
            let value = if secret_names.contains(&name.as_ref()) {
                "[redacted]".to_owned()
            } else {
                value.into_owned()
            };
            (name.into_owned(), value)
        })
        .collect();
    logged.query_pairs_mut().clear().extend_pairs(pairs);
    logged.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_set_on_the_parsed_base_gives_the_url_that_parsing_the_whole_text_gives() {
        let bases = [
            "http://api.test",
            "http://api.test:8080/v1",
            "https://user:pw@api.test/v1/x",
            "http://api.test/a%20b",
            "http://api.test/ünï",
            "http://api.test/a/../v1",
            "http://[::1]:3/api",
            "http://xn--nxasmq6b.test/v2",
        ];
        let paths = [
            "/orgs/org-1", "/orgs/%2F", "/a/./b", "/a/../b", "/../../x", "/ü/é", "/a\\b", "/a%zz", "/a|b{c}^`",
            "/a%2e%2e/b", "//double", "/", "/..", "/a;b=c,d", "/x@y:z", "/orgs/%7Bid%7D", "/trailing/",
            // Not only a path: these take the parsing way.
            "/a b", "/a?b=1", "/a#f", "x", "", "/\t/x", "@evil.test/x",
        ];
        for base_text in bases {
            let base = Url::parse(base_text).expect("a valid base");
            for path in paths {
                let whole = Url::parse(&format!("{base_text}{path}")).map_err(|e| e.to_string());
                let joined = request_url(&base, base_text, path);
                assert_eq!(joined, whole, "base {base_text:?}, path {path:?}");
            }
        }
    }
}
