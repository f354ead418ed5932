//! OAuth 2 client credentials: fetch an access token from the token endpoint, reuse it, and
//! fetch a new one shortly before it expires.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};

use crate::error::Error;
use crate::secret::Secret;

/// How long before expiry a token is replaced, at most; short-lived tokens are replaced once
/// half their lifetime has passed.
const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// The client credentials grant (RFC 6749 §4.4) for one security scheme. Cheap to clone: clones
/// share the cached token.
#[derive(Clone)]
pub struct ClientCredentials {
    token_url: String,
    client_id: String,
    client_secret: Secret,
    scopes: Vec<String>,
    secret_in_body: bool,
    refresh_margin: Duration,
    cache: Arc<Mutex<Option<CachedToken>>>,
    fetching: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Clone)]
struct CachedToken {
    token: Secret,
    /// When to fetch a new one; `None` when the server gave no lifetime.
    refresh_at: Option<Instant>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// Credentials for the token endpoint `token_url`; a relative URL is resolved against the
    /// client's base URL.
    pub fn new(
        token_url: impl Into<String>,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            scopes: Vec::new(),
            secret_in_body: false,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            cache: Arc::default(),
            fetching: Arc::default(),
        }
    }

    /// The scopes to ask for (none by default: the server's default scopes).
    pub fn scopes<S: Into<String>>(mut self, scopes: impl IntoIterator<Item = S>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Sends the client id and secret as form fields instead of HTTP Basic, for servers that
    /// want `client_secret_post`.
    pub fn secret_in_body(mut self) -> Self {
        self.secret_in_body = true;
        self
    }

    /// Replaces a token this long before it expires (30 seconds by default).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The cached token, if it is still fresh.
    pub(crate) fn fresh_token(&self) -> Option<Secret> {
        let cache = self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let cached = cache.as_ref()?;
        match cached.refresh_at {
            Some(at) if Instant::now() >= at => None,
            _ => Some(cached.token.clone()),
        }
    }

    /// Makes sure a fresh token is cached, fetching one if needed. Concurrent callers wait for
    /// one fetch.
    pub(crate) async fn ensure_token(
        &self,
        http: &reqwest::Client,
        base_url: &str,
        operation: &'static str,
        max_response_bytes: u64,
    ) -> Result<(), Error> {
        if self.fresh_token().is_some() {
            return Ok(());
        }
        let _one_at_a_time = self.fetching.lock().await;
        if self.fresh_token().is_some() {
            return Ok(());
        }
        let fetched = self.fetch(http, base_url, max_response_bytes).await.map_err(|message| Error::TokenRequest { operation, message })?;
        *self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(fetched);
        Ok(())
    }

    /// Asks the token endpoint once. The caller bounds the time; the body is bounded by
    /// `limit`. A redirect is not followed (the runtime's client hands it back), so the client
    /// secret goes nowhere but the token URL.
    async fn fetch(&self, http: &reqwest::Client, base_url: &str, limit: u64) -> Result<CachedToken, String> {
        let url = match Url::parse(&self.token_url) {
            Ok(url) => url,
            Err(_) => Url::parse(&format!("{}/", base_url.trim_end_matches('/')))
                .and_then(|base| base.join(self.token_url.trim_start_matches('/')))
                .map_err(|e| format!("token URL `{}`: {e}", self.token_url))?,
        };
        let mut fields = vec![("grant_type", "client_credentials".to_owned())];
        if !self.scopes.is_empty() {
            fields.push(("scope", self.scopes.join(" ")));
        }
        if self.secret_in_body {
            fields.push(("client_id", self.client_id.clone()));
            fields.push(("client_secret", self.client_secret.expose().to_owned()));
        }
        let body = crate::params::form_urlencoded(fields);
        let mut request = http
            .post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(body);
        if !self.secret_in_body {
            // RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding.
            let encoded = crate::formats::base64_encode(format!("{}:{}", form_escape(&self.client_id), form_escape(self.client_secret.expose())).as_bytes());
            let mut value = HeaderValue::from_str(&format!("Basic {encoded}"))
                .map_err(|_| "the client id or secret cannot go in a header".to_owned())?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        let mut response = request.send().await.map_err(|e| e.without_url().to_string())?;
        let status = response.status();
        if status.is_redirection() {
            // The Location may carry anything; the status alone says enough.
            return Err(format!("the token endpoint answered {status}; token requests do not follow redirects"));
        }
        let too_large = || format!("the token endpoint's answer is larger than the limit of {limit} bytes");
        if response.content_length().is_some_and(|length| length > limit) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| e.without_url().to_string())? {
            if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let parsed: serde_json::Value = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
        if !status.is_success() {
            // The OAuth error code and description are safe to show; the body may not be.
            let code = parsed.get("error").and_then(|v| v.as_str()).unwrap_or("no error code");
            let description = parsed.get("error_description").and_then(|v| v.as_str()).unwrap_or("");
            return Err(format!("the token endpoint answered {status}: {code} {description}").trim_end().to_owned());
        }
        let token = parsed
            .get("access_token")
            .and_then(|v| v.as_str())
            .ok_or_else(|| "the token endpoint's answer has no `access_token`".to_owned())?;
        let lifetime = parsed.get("expires_in").and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok()));
        // Checked all the way: a lifetime no instant can hold means "never refresh".
        let refresh_at = lifetime.and_then(|seconds| Duration::try_from_secs_f64(seconds).ok()).and_then(|lifetime| {
            Instant::now().checked_add(lifetime.saturating_sub(self.refresh_margin.min(lifetime / 2)))
        });
        Ok(CachedToken { token: Secret::new(token), refresh_at })
    }
}

/// `application/x-www-form-urlencoded` escaping of one value, as RFC 6749 asks for the id and
/// secret before they are joined for HTTP Basic.
fn form_escape(value: &str) -> String {
    let pair = crate::params::form_urlencoded([("v", value)]);
    pair.strip_prefix("v=").map(str::to_owned).unwrap_or_else(|| value.to_owned())
}
