//! The shared core of every generated client: connection pool, base URL, credentials, timeouts.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderMap, HeaderName, HeaderValue};
use reqwest::Url;
use tracing::Instrument;

use crate::credentials::{Credential, CredentialStore};
use crate::error::{Error, TimeoutKind};
use crate::request::{Body, Request};
use crate::response::RawResponse;

/// Settings for a client. Generated clients start one with their spec's default server URL.
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    request_timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    user_agent: Option<String>,
    default_headers: HeaderMap,
    http: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// Settings that talk to `base_url`, e.g. `https://api.example.com/v1`.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            request_timeout: None,
            connect_timeout: None,
            user_agent: None,
            default_headers: HeaderMap::new(),
            http: None,
        }
    }

    /// The server to talk to; overrides the spec's default.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The longest a whole call (connect, send, receive the body) may take.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// The longest connecting may take. Ignored with [`ClientBuilder::reqwest_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The `User-Agent` header. Ignored with [`ClientBuilder::reqwest_client`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.default_headers.insert(name, value);
        self
    }

    /// Uses a fully configured `reqwest::Client` (proxies, TLS roots, client certificates,
    /// pool settings) instead of building one.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Builds the core that generated clients wrap.
    pub fn build(self) -> Result<ClientCore, Error> {
        let base_url = parse_base_url(&self.base_url)?;
        let http = match self.http {
            Some(http) => http,
            None => {
                let mut builder = reqwest::Client::builder().user_agent(
                    self.user_agent
                        .unwrap_or_else(|| concat!("specwright/", env!("CARGO_PKG_VERSION")).to_owned()),
                );
                if let Some(timeout) = self.connect_timeout {
                    builder = builder.connect_timeout(timeout);
                }
                builder.build().map_err(Error::Build)?
            }
        };
        Ok(ClientCore {
            shared: Arc::new(Shared { http, default_headers: self.default_headers }),
            base_url: Arc::from(base_url),
            credentials: CredentialStore::default(),
            request_timeout: self.request_timeout,
        })
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

#[derive(Debug)]
struct Shared {
    http: reqwest::Client,
    default_headers: HeaderMap,
}

/// A connection pool, a base URL, credentials and a timeout. Cheap to clone: clones share the
/// pool and the credentials.
#[derive(Clone)]
pub struct ClientCore {
    shared: Arc<Shared>,
    base_url: Arc<str>,
    credentials: CredentialStore,
    request_timeout: Option<Duration>,
}

impl std::fmt::Debug for ClientCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCore")
            .field("base_url", &self.base_url)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

impl ClientCore {
    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// A core for another server that shares this one's pool and credentials.
    pub fn with_base_url(&self, base_url: &str) -> Result<Self, Error> {
        Ok(Self { base_url: Arc::from(parse_base_url(base_url)?), ..self.clone() })
    }

    /// Sets the credential for a security scheme, replacing any earlier one.
    pub fn set_credential(&self, scheme: &'static str, credential: Credential) {
        self.credentials.set(scheme, credential);
    }

    /// Forgets the credential for one security scheme.
    pub fn clear_credential(&self, scheme: &str) {
        self.credentials.clear(scheme);
    }

    /// Forgets every credential.
    pub fn clear_credentials(&self) {
        self.credentials.clear_all();
    }

    /// Whether a credential is set for `scheme`.
    pub fn has_credential(&self, scheme: &str) -> bool {
        self.credentials.is_set(scheme)
    }

    /// Sends the request and reads the whole response.
    pub(crate) async fn send(&self, request: Request) -> Result<RawResponse, Error> {
        let operation = request.operation;
        if let Some(message) = request.problem {
            return Err(Error::Encode { operation, message });
        }
        let applied = self.credentials.apply(operation, request.security)?;

        let mut url = Url::parse(&format!("{}{}", self.base_url, request.path))
            .map_err(|e| Error::Encode { operation, message: format!("URL: {e}") })?;
        if !request.query.is_empty() || !request.dynamic_query.is_empty() || !applied.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (name, value) in request.query.iter().chain(applied.query.iter()) {
                pairs.append_pair(name, value);
            }
            for (name, value) in &request.dynamic_query {
                pairs.append_pair(name, value);
            }
        }
        let logged_url = redacted_url(&url, &applied.secret_names);

        let mut headers = self.shared.default_headers.clone();
        for (name, value) in request.headers.into_iter().chain(applied.headers) {
            headers.append(name, value);
        }
        if !applied.cookies.is_empty() {
            let mut cookie = HeaderValue::from_str(&applied.cookies.join("; "))
                .map_err(|_| Error::Encode { operation, message: "cookie value".to_owned() })?;
            cookie.set_sensitive(true);
            headers.append(COOKIE, cookie);
        }
        let body = request.body.map(|body| match body {
            Body::Json(bytes) => {
                headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                bytes
            }
            Body::Raw { bytes, content_type } => {
                if let Ok(value) = HeaderValue::from_str(content_type) {
                    headers.insert(CONTENT_TYPE, value);
                }
                bytes
            }
        });
        for (name, value) in request.options.headers {
            headers.insert(name, value);
        }

        let mut builder = self.shared.http.request(request.method.clone(), url).headers(headers);
        if let Some(body) = body {
            builder = builder.body(body);
        }
        let timeout = match (request.options.timeout, self.request_timeout) {
            (Some(after), _) => Some((TimeoutKind::Call, after)),
            (None, Some(after)) => Some((TimeoutKind::Client, after)),
            (None, None) => None,
        };

        let span = tracing::debug_span!(
            "request",
            operation,
            method = %request.method,
            url = %logged_url,
            status = tracing::field::Empty,
        );
        let started = Instant::now();
        let exchange = async {
            let response = builder.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>(RawResponse { status, headers, body })
        };
        let outcome = async {
            match timeout {
                Some((kind, after)) => match tokio::time::timeout(after, exchange).await {
                    Ok(result) => result,
                    Err(_) => return Err(Error::Timeout { operation, kind, after }),
                },
                None => exchange.await,
            }
            .map_err(|source| Error::Transport { operation, source: source.without_url() })
        }
        .instrument(span.clone())
        .await;
        match &outcome {
            Ok(response) => {
                span.record("status", response.status.as_u16());
                tracing::debug!(parent: &span, elapsed = ?started.elapsed(), "response");
            }
            Err(error) => tracing::debug!(parent: &span, elapsed = ?started.elapsed(), %error, "failed"),
        }
        outcome
    }
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
