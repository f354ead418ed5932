//! The security matrix from `specs/security.yaml` on the wire: OR, AND, anonymous, override,
//! off, cleared, every scheme kind, and OAuth 2 client credentials with refresh; checked against
//! what a recording server received.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use specwright_conformance::specs::security::AsyncClient;
use specwright_runtime::Error;

/// What the API (not the token endpoint) received: path, query, and the auth-bearing headers.
#[derive(Clone, Debug, Default, PartialEq)]
struct Seen {
    path: String,
    query: String,
    authorization: Option<String>,
    api_key: Option<String>,
    cookie: Option<String>,
}

#[derive(Clone, Default)]
struct Server {
    seen: Arc<Mutex<Vec<Seen>>>,
    token_requests: Arc<Mutex<Vec<(Option<String>, String)>>>,
    tokens_issued: Arc<AtomicU32>,
    token_lifetime: Arc<AtomicU32>,
    token_endpoint_fails: Arc<std::sync::atomic::AtomicBool>,
}

impl Server {
    fn last(&self) -> Seen {
        self.seen.lock().ok().and_then(|s| s.last().cloned()).expect("a request arrived")
    }

    fn count(&self) -> usize {
        self.seen.lock().map(|s| s.len()).unwrap_or(0)
    }
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

async fn start() -> (AsyncClient, Server) {
    let server = Server::default();
    server.token_lifetime.store(3600, Ordering::SeqCst);
    let state = server.clone();
    let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap, body: String| {
        let state = state.clone();
        async move {
            if uri.path() == "/oauth/token" {
                state.token_requests.lock().map(|mut t| t.push((header(&headers, "authorization"), body))).ok();
                if state.token_endpoint_fails.load(Ordering::SeqCst) {
                    let answer = r#"{"error":"invalid_client","error_description":"unknown client"}"#;
                    return (StatusCode::UNAUTHORIZED, [("content-type", "application/json")], answer.to_owned()).into_response();
                }
                let n = state.tokens_issued.fetch_add(1, Ordering::SeqCst) + 1;
                let lifetime = state.token_lifetime.load(Ordering::SeqCst);
                let answer = format!(r#"{{"access_token":"tok-{n}","token_type":"Bearer","expires_in":{lifetime}}}"#);
                return ([("content-type", "application/json")], answer).into_response();
            }
            state
                .seen
                .lock()
                .map(|mut s| {
                    s.push(Seen {
                        path: uri.path().to_owned(),
                        query: uri.query().unwrap_or_default().to_owned(),
                        authorization: header(&headers, "authorization"),
                        api_key: header(&headers, "x-api-key"),
                        cookie: header(&headers, "cookie"),
                    })
                })
                .ok();
            if uri.path() == "/things" {
                return ([("content-type", "application/json")], r#"["a"]"#.to_owned()).into_response();
            }
            StatusCode::NO_CONTENT.into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let client = AsyncClient::from_builder(AsyncClient::builder().base_url(format!("http://{address}"))).expect("client");
    (client, server)
}

fn unauthenticated(error: &Error) -> (&str, &str) {
    match error {
        Error::Unauthenticated { accepted, given, .. } => (accepted, given),
        other => panic!("expected Unauthenticated, got {other:?}"),
    }
}

#[tokio::test]
async fn or_takes_the_first_requirement_whose_credentials_are_set() {
    let (client, server) = start().await;
    client.set_bearer_auth("jwt-1");
    client.either().send().await.expect("bearer alone");
    assert_eq!(server.last().authorization.as_deref(), Some("Bearer jwt-1"));

    client.set_basic_auth("ann", "pa:ss");
    client.either().send().await.expect("both set");
    // The first alternative wins: Basic base64("ann:pa:ss").
    assert_eq!(server.last().authorization.as_deref(), Some("Basic YW5uOnBhOnNz"));
}

#[tokio::test]
async fn and_sends_every_scheme_of_the_requirement() {
    let (client, server) = start().await;
    client.set_api_key_header("hk");
    let error = client.both().send().await.expect_err("only one of two keys");
    assert_eq!(unauthenticated(&error), ("{apiKeyHeader and apiKeyQuery}", "{apiKeyHeader}"));
    assert_eq!(
        error.to_string(),
        "no security requirement satisfied for `both`: accepts {apiKeyHeader and apiKeyQuery}; given {apiKeyHeader}"
    );
    assert_eq!(server.count(), 0, "nothing is sent without the credentials");

    client.set_api_key_query("q k&1");
    client.both().send().await.expect("both keys");
    let seen = server.last();
    assert_eq!(seen.api_key.as_deref(), Some("hk"));
    assert_eq!(seen.query, "api_key=q%20k%261");
    assert_eq!(seen.authorization, None);
}

#[tokio::test]
async fn an_api_key_that_needs_a_prefix_is_set_without_formatting_it() {
    let (client, server) = start().await;
    client.set_api_key_header_with_prefix("Token", "abc");
    client.set_api_key_query("q");
    client.both().send().await.expect("both keys");
    assert_eq!(server.last().api_key.as_deref(), Some("Token abc"));
}

#[tokio::test]
async fn an_empty_requirement_allows_anonymous_calls() {
    let (client, server) = start().await;
    client.optional().send().await.expect("anonymous");
    assert_eq!(server.last().authorization, None);
    client.set_bearer_auth("jwt-2");
    client.optional().send().await.expect("with a token");
    assert_eq!(server.last().authorization.as_deref(), Some("Bearer jwt-2"));
}

#[tokio::test]
async fn an_operation_requirement_overrides_the_global_one() {
    let (client, server) = start().await;
    client.set_basic_auth("ann", "pw");
    let error = client.cookie().send().await.expect_err("the global Basic does not count here");
    assert_eq!(unauthenticated(&error), ("{apiKeyCookie}", "{basicAuth}"));

    client.set_api_key_cookie("s3ss");
    client.cookie().send().await.expect("cookie set");
    let seen = server.last();
    assert_eq!(seen.cookie.as_deref(), Some("session=s3ss"));
    assert_eq!(seen.authorization, None, "the global requirement is not applied as well");
}

#[tokio::test]
async fn an_empty_security_list_turns_authentication_off() {
    let (client, server) = start().await;
    client.set_basic_auth("ann", "pw");
    client.set_api_key_header("hk");
    client.set_api_key_cookie("s3ss");
    client.open().send().await.expect("no security");
    let seen = server.last();
    assert_eq!((seen.authorization, seen.api_key, seen.cookie), (None, None, None));
}

#[tokio::test]
async fn cleared_credentials_are_no_longer_sent() {
    let (client, server) = start().await;
    client.set_basic_auth("ann", "pw");
    client.set_bearer_auth("jwt-3");
    client.clear_basic_auth();
    client.either().send().await.expect("bearer remains");
    assert_eq!(server.last().authorization.as_deref(), Some("Bearer jwt-3"));

    client.clear_credentials();
    let error = client.either().send().await.expect_err("nothing left");
    assert_eq!(unauthenticated(&error), ("{basicAuth} or {bearerAuth}", "{}"));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn other_http_schemes_and_mutual_tls() {
    let (client, server) = start().await;
    client.set_token_auth("abc123");
    client.legacy().send().await.expect("Token scheme");
    assert_eq!(server.last().authorization.as_deref(), Some("Token abc123"));
    // Mutual TLS lives in the user's reqwest client: nothing to set per request.
    client.mutual().send().await.expect("no per-request credential");
    assert_eq!(server.last().authorization, None);
    // OpenID Connect tokens are bearer tokens.
    client.set_oidc("id-token");
    client.list_things().send().await.expect("oidc");
    assert_eq!(server.last().authorization.as_deref(), Some("Bearer id-token"));
}

#[tokio::test]
async fn credentials_never_show_in_debug_or_errors() {
    let (client, _server) = start().await;
    client.set_basic_auth("ann", "hunter2-password");
    client.set_api_key_header("header-key-secret");
    client.set_oauth_client_credentials("app", "client-secret-value", &[]);
    let debug = format!("{client:?} {:?}", client.core());
    let error = client.both().send().await.expect_err("one key missing");
    let shown = format!("{debug} {error} {error:?}");
    for secret in ["hunter2-password", "header-key-secret", "client-secret-value", "aHVudGVy"] {
        assert!(!shown.contains(secret), "{secret} leaked: {shown}");
    }
}

#[tokio::test]
async fn client_credentials_fetch_a_token_reuse_it_and_refresh_it_before_expiry() {
    let (client, server) = start().await;
    client.set_oauth_client_credentials("app-1", "s3cr3t", &["things:read"]);

    assert_eq!(client.list_things().send().await.expect("first call"), vec!["a".to_owned()]);
    client.list_things().send().await.expect("second call");
    assert_eq!(server.tokens_issued.load(Ordering::SeqCst), 1, "the token is reused");
    assert_eq!(server.last().authorization.as_deref(), Some("Bearer tok-1"));
    let requests = server.token_requests.lock().map(|t| t.clone()).unwrap_or_default();
    assert_eq!(requests.len(), 1);
    // HTTP Basic of "app-1:s3cr3t", and the grant with its scope.
    assert_eq!(requests[0].0.as_deref(), Some("Basic YXBwLTE6czNjcjN0"));
    assert_eq!(requests[0].1, "grant_type=client_credentials&scope=things%3Aread");

    // A token that lives two seconds is replaced once half of that has passed.
    server.token_lifetime.store(2, Ordering::SeqCst);
    client.set_oauth_client_credentials("app-1", "s3cr3t", &["things:read"]);
    client.list_things().send().await.expect("new credentials fetch a new token");
    assert_eq!(server.last().authorization.as_deref(), Some("Bearer tok-2"));
    client.list_things().send().await.expect("still fresh");
    assert_eq!(server.last().authorization.as_deref(), Some("Bearer tok-2"));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.list_things().send().await.expect("refreshed");
    assert_eq!(server.last().authorization.as_deref(), Some("Bearer tok-3"));
}

#[tokio::test]
async fn a_failing_token_endpoint_is_a_clear_error_without_the_secret() {
    let (client, server) = start().await;
    server.token_endpoint_fails.store(true, Ordering::SeqCst);
    client.set_oauth_client_credentials("app-1", "very-secret", &[]);
    let error = client.list_things().send().await.expect_err("no token");
    assert!(matches!(error, Error::TokenRequest { operation: "listThings", .. }), "{error:?}");
    assert_eq!(
        error.to_string(),
        "could not get an OAuth 2 access token for `listThings`: the token endpoint answered 401 Unauthorized: invalid_client unknown client"
    );
    assert!(!format!("{error:?}").contains("very-secret"));
    assert_eq!(server.count(), 0, "the API is not called without a token");
}
