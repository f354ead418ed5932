//! Redirects and credentials, with the client generated from `specs/security.yaml`: a redirect
//! to another origin (here another port) carries no credential of any kind, in a header, the
//! query, a cookie or a `Referer`; a redirect on the same origin keeps authenticating. Async and
//! blocking alike.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use specwright_conformance::specs::operations_parameters;
use specwright_conformance::specs::security::{ApiClient, AsyncClient, Client};
use specwright_runtime::Transport;

/// Every secret the tests set; none may reach the other origin in any form.
const SECRETS: [&str; 6] = ["hk-secret", "qk-secret", "ck-secret", "pw-secret", "bearer-secret", "oauth-secret"];

/// What a server saw of one request.
#[derive(Clone, Debug)]
struct Seen {
    path: String,
    query: String,
    headers: HeaderMap,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct Record {
    seen: Mutex<Vec<Seen>>,
    tokens: AtomicU32,
}

impl Record {
    fn all(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

fn answer(path: &str) -> Response {
    if path.ends_with("/things") {
        return ([("content-type", "application/json")], r#"["a"]"#).into_response();
    }
    StatusCode::NO_CONTENT.into_response()
}

/// A server that answers like the API, issues tokens at `…/oauth/token`, and redirects
/// `/cross/…` to `other` and `/same/…` to itself, dropping the prefix and keeping the query.
async fn serve(other: Option<String>) -> (String, Arc<Record>) {
    let record = Arc::new(Record::default());
    let state = record.clone();
    let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let state = state.clone();
        let other = other.clone();
        async move {
            let seen = Seen { path: uri.path().to_owned(), query: uri.query().unwrap_or_default().to_owned(), headers };
            state.seen.lock().map(|mut s| s.push(seen.clone())).ok();
            if seen.path.ends_with("/oauth/token") {
                let n = state.tokens.fetch_add(1, Ordering::SeqCst) + 1;
                let token = format!(r#"{{"access_token":"oauth-secret-{n}","token_type":"Bearer","expires_in":3600}}"#);
                return ([("content-type", "application/json")], token).into_response();
            }
            // The query goes along, as servers that add a slash do.
            let query = if seen.query.is_empty() { String::new() } else { format!("?{}", seen.query) };
            if let (Some(rest), Some(other)) = (seen.path.strip_prefix("/cross"), other) {
                return (StatusCode::TEMPORARY_REDIRECT, [("location", format!("{other}{rest}{query}"))]).into_response();
            }
            if let Some(rest) = seen.path.strip_prefix("/same") {
                return (StatusCode::MOVED_PERMANENTLY, [("location", format!("{rest}{query}"))]).into_response();
            }
            answer(&seen.path)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}"), record)
}

/// The API server and, on another port, the origin it redirects to.
async fn servers() -> (String, Arc<Record>, Arc<Record>) {
    let (other, elsewhere) = serve(None).await;
    let (home, at_home) = serve(Some(other)).await;
    (home, at_home, elsewhere)
}

/// One kind of credential, and the operation that sends it.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// `X-API-Key` header and `api_key` query parameter (the `both` operation needs the two).
    HeaderAndQueryKey,
    CookieKey,
    Basic,
    Bearer,
    OAuthClientCredentials,
}

const KINDS: [Kind; 5] = [Kind::HeaderAndQueryKey, Kind::CookieKey, Kind::Basic, Kind::Bearer, Kind::OAuthClientCredentials];

impl Kind {
    fn set<T: Transport>(self, client: &ApiClient<T>) {
        match self {
            Kind::HeaderAndQueryKey => {
                client.set_api_key_header("hk-secret");
                client.set_api_key_query("qk-secret");
            }
            Kind::CookieKey => client.set_api_key_cookie("ck-secret"),
            Kind::Basic => client.set_basic_auth("ann", "pw-secret"),
            Kind::Bearer => client.set_bearer_auth("bearer-secret"),
            Kind::OAuthClientCredentials => client.set_oauth_client_credentials("app", "client-secret-x", &["things:read"]),
        }
    }

    /// The path the operation lands on, past the prefix.
    fn landing(self) -> &'static str {
        match self {
            Kind::HeaderAndQueryKey => "/and",
            Kind::CookieKey => "/override",
            Kind::Basic | Kind::Bearer => "/or",
            Kind::OAuthClientCredentials => "/things",
        }
    }

    async fn call_async(self, client: &AsyncClient) -> Result<(), String> {
        let result = match self {
            Kind::HeaderAndQueryKey => client.both().send().await,
            Kind::CookieKey => client.cookie().send().await,
            Kind::Basic | Kind::Bearer => client.either().send().await,
            Kind::OAuthClientCredentials => client.list_things().send().await.map(|_| ()),
        };
        result.map_err(|e| e.to_string())
    }

    fn call_blocking(self, client: &Client) -> Result<(), String> {
        let result = match self {
            Kind::HeaderAndQueryKey => client.both().send(),
            Kind::CookieKey => client.cookie().send(),
            Kind::Basic | Kind::Bearer => client.either().send(),
            Kind::OAuthClientCredentials => client.list_things().send().map(|_| ()),
        };
        result.map_err(|e| e.to_string())
    }

    /// Whether `seen` carries this kind's credential.
    fn authenticated(self, seen: &Seen) -> bool {
        match self {
            Kind::HeaderAndQueryKey => seen.header("x-api-key") == Some("hk-secret") && seen.query.contains("api_key=qk-secret"),
            Kind::CookieKey => seen.header("cookie") == Some("session=ck-secret"),
            Kind::Basic => seen.header("authorization").is_some_and(|v| v.starts_with("Basic ")),
            Kind::Bearer => seen.header("authorization") == Some("Bearer bearer-secret"),
            Kind::OAuthClientCredentials => seen.header("authorization").is_some_and(|v| v.starts_with("Bearer oauth-secret")),
        }
    }
}

/// The other origin got exactly the redirected call, and nothing of any credential.
fn assert_nothing_leaked(kind: Kind, at_home: &Record, elsewhere: &Record) {
    let first = at_home.all().into_iter().find(|s| s.path.starts_with("/cross/") && !s.path.ends_with("/oauth/token"))
        .expect("the first hop");
    assert!(kind.authenticated(&first), "{kind:?}: the first hop is authenticated: {first:?}");
    let landed = elsewhere.all();
    assert_eq!(landed.len(), 1, "{kind:?}: {landed:?}");
    let seen = &landed[0];
    assert_eq!(seen.path, kind.landing());
    for name in ["authorization", "x-api-key", "cookie", "referer", "proxy-authorization"] {
        assert_eq!(seen.header(name), None, "{kind:?}: `{name}` reached the other origin");
    }
    let everything = format!("{seen:?}");
    for secret in SECRETS.iter().chain(&["YW5uOnB3LXNlY3JldA", "client-secret-x"]) {
        assert!(!everything.contains(secret), "{kind:?}: {secret} reached the other origin: {everything}");
    }
}

#[tokio::test]
async fn no_credential_follows_a_redirect_to_another_origin() {
    for kind in KINDS {
        let (home, at_home, elsewhere) = servers().await;
        let client = AsyncClient::from_builder(AsyncClient::builder().base_url(format!("{home}/cross"))).expect("client");
        kind.set(&client);
        kind.call_async(&client).await.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_nothing_leaked(kind, &at_home, &elsewhere);
    }
}

/// Headers that are no credential the client knows of, yet may be secrets.
const UNMARKED: [(&str, &str); 3] = [("x-tenant", "tenant-secret"), ("x-call-secret", "call-secret"), ("x-trace-id", "param-secret")];

fn with_default_header(base: String) -> specwright_runtime::ClientBuilder<AsyncClient> {
    AsyncClient::builder()
        .base_url(base)
        .default_header("x-tenant".parse().expect("name"), "tenant-secret".parse().expect("value"))
}

#[tokio::test]
async fn default_per_call_and_parameter_headers_stay_on_their_origin() {
    let (home, at_home, elsewhere) = servers().await;
    let client = AsyncClient::from_builder(with_default_header(format!("{home}/cross"))).expect("client");
    Kind::HeaderAndQueryKey.set(&client);
    client.both().header("x-call-secret", "call-secret").header("accept", "application/json").send().await.expect("followed");
    let parameters =
        operations_parameters::AsyncClient::from_builder(with_default_header(format!("{home}/cross"))).expect("client");
    parameters.styles().query().x_trace_id("param-secret").send().await.expect("followed");

    let first = at_home.all();
    assert_eq!(first[0].header("x-call-secret"), Some("call-secret"));
    assert_eq!(first[1].header("x-trace-id"), Some("param-secret"));
    assert!(first.iter().all(|seen| seen.header("x-tenant") == Some("tenant-secret")));
    let landed = elsewhere.all();
    assert_eq!(landed.len(), 2, "{landed:?}");
    for seen in &landed {
        let everything = format!("{seen:?}");
        for (name, secret) in UNMARKED {
            assert_eq!(seen.header(name), None, "`{name}` reached the other origin: {everything}");
            assert!(!everything.contains(secret), "{secret} reached the other origin: {everything}");
        }
    }
    assert_eq!(landed[0].header("accept"), Some("application/json"), "content negotiation survives the hop");
}

#[tokio::test]
async fn a_same_origin_redirect_still_authenticates() {
    for kind in KINDS {
        let (home, at_home, elsewhere) = servers().await;
        let client = AsyncClient::from_builder(AsyncClient::builder().base_url(format!("{home}/same"))).expect("client");
        kind.set(&client);
        kind.call_async(&client).await.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let landed = at_home.all().into_iter().find(|s| s.path == kind.landing()).expect("followed");
        assert!(kind.authenticated(&landed), "{kind:?}: {landed:?}");
        assert_eq!(landed.header("referer"), None);
        assert!(elsewhere.all().is_empty());
    }
}

#[test]
fn the_blocking_client_keeps_credentials_on_their_origin_too() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for kind in KINDS {
        let (home, at_home, elsewhere) = runtime.block_on(servers());
        let client = Client::from_builder(Client::builder().base_url(format!("{home}/cross"))).expect("client");
        kind.set(&client);
        kind.call_blocking(&client).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_nothing_leaked(kind, &at_home, &elsewhere);

        let client = Client::from_builder(Client::builder().base_url(format!("{home}/same"))).expect("client");
        kind.set(&client);
        kind.call_blocking(&client).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        let landed = at_home.all().into_iter().rev().find(|s| s.path == kind.landing()).expect("followed");
        assert!(kind.authenticated(&landed), "{kind:?}: {landed:?}");
    }
}

#[tokio::test]
async fn undeclared_credentials_stay_on_their_origin_too() {
    let (home, at_home, elsewhere) = servers().await;
    let builder = AsyncClient::builder()
        .base_url(format!("{home}/cross"))
        .bearer_auth("undeclared-bearer")
        .api_key(specwright_runtime::ApiKeyLocation::Query, "token", "undeclared-query");
    let client = AsyncClient::from_builder(builder).expect("client");
    client.either().send().await.expect("followed");
    let first = at_home.all();
    assert_eq!(first[0].header("authorization"), Some("Bearer undeclared-bearer"), "{first:?}");
    assert!(first[0].query.contains("token=undeclared-query"), "{first:?}");
    let landed = elsewhere.all();
    assert_eq!(landed.len(), 1, "{landed:?}");
    let everything = format!("{:?}", landed[0]);
    assert!(!everything.contains("undeclared-bearer") && !everything.contains("undeclared-query"), "{everything}");
}
