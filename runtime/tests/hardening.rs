//! What a misbehaving server cannot do to a call, each checked against real servers on
//! 127.0.0.1: make it leave the base origin, panic it with a `Retry-After`, hold it forever,
//! hang or flood it through the OAuth 2 token endpoint, or get the client secret redirected.
//! Redirect handling itself (methods, bodies, hop limit, hooks) is here too.

use std::convert::Infallible;
use std::pin::Pin;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use specwright_runtime::__private::{Method, decode_empty, decode_json};
use specwright_runtime::{
    ApiKeyLocation, AsyncTransport, BlockingTransport, CallInfo, CallOptions, ClientBuilder, ClientCredentials,
    Credential, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, Error, Hook, Request,
    RetryPolicy, Secret, Transport,
};

/// One request as a server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: HeaderMap,
    body: String,
}

#[derive(Default)]
struct Record {
    seen: Mutex<Vec<Seen>>,
    hits: AtomicU32,
}

impl Record {
    fn all(&self) -> Vec<Seen> {
        self.seen.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

type Answer = Arc<dyn Fn(&Seen, u32) -> Response + Send + Sync>;

/// A server that records every request and answers with `answer(request, hit number)`.
async fn serve(answer: impl Fn(&Seen, u32) -> Response + Send + Sync + 'static) -> (String, Arc<Record>) {
    let record = Arc::new(Record::default());
    let answer: Answer = Arc::new(answer);
    let state = record.clone();
    let app = Router::new().fallback(move |method: HttpMethod, uri: Uri, headers: HeaderMap, body: String| {
        let (state, answer) = (state.clone(), answer.clone());
        async move {
            let seen = Seen { method: method.to_string(), path: uri.to_string(), headers, body };
            let hit = state.hits.fetch_add(1, Ordering::SeqCst) + 1;
            state.seen.lock().map(|mut s| s.push(seen.clone())).ok();
            answer(&seen, hit)
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}"), record)
}

fn redirect(status: u16, location: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
    (status, [("location", location.to_owned())], "moved").into_response()
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn transport(builder: ClientBuilder) -> AsyncTransport {
    AsyncTransport::from_core(builder.build().expect("client")).expect("transport")
}

// ---------------------------------------------------------------------------------------------
// The request URL stays on the base URL's origin
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_path_that_names_another_host_is_refused_before_anything_is_sent() {
    let (base, home) = serve(|_, _| StatusCode::NO_CONTENT.into_response()).await;
    let (evil, other) = serve(|_, _| StatusCode::NO_CONTENT.into_response()).await;
    let client = transport(ClientBuilder::new(&base).retry_policy(RetryPolicy::none()));
    client.core().set_credential("key", Credential::ApiKey { location: ApiKeyLocation::Header, name: "x-key", key: Secret::new("k-1") });
    let evil_authority = evil.trim_start_matches("http://");
    let mut request = Request::new("op", Method::GET, leak(format!("@{evil_authority}/x")));
    request.security(&[&["key"]]).query_param("q", "query-value");
    let error = client.execute(request, decode_empty::<Infallible>).await.expect_err("another origin");
    match &error {
        Error::ForeignUrl { operation: "op", base: shown_base, url } => {
            assert_eq!(shown_base, &base);
            assert_eq!(url, &evil);
        }
        other => panic!("expected ForeignUrl, got {other:?}"),
    }
    assert!(!error.to_string().contains("query-value") && !error.to_string().contains("k-1"), "{error}");
    assert_eq!(other.hits.load(Ordering::SeqCst), 0, "the other host saw nothing");
    assert_eq!(home.hits.load(Ordering::SeqCst), 0);

    // Ordinary paths are unaffected.
    client.execute(Request::new("op", Method::GET, "/x"), decode_empty::<Infallible>).await.expect("same origin");
}

// ---------------------------------------------------------------------------------------------
// Retry-After and checked arithmetic
// ---------------------------------------------------------------------------------------------

const ABSURD: &str = "18446744073709551615";

async fn busy_server() -> (String, Arc<Record>) {
    serve(|_, _| (StatusCode::SERVICE_UNAVAILABLE, [("retry-after", ABSURD)], "busy").into_response()).await
}

fn status_of<E>(result: Result<(), Error<E>>) -> Option<u16> {
    result.err().and_then(|e| e.status()).map(|s| s.as_u16())
}

#[tokio::test]
async fn an_absurd_retry_after_neither_panics_nor_parks_the_call() {
    let (base, server) = busy_server().await;
    // The cap (the longest backoff, 10 s by default) does not fit the 2 s deadline: the 503 is
    // the answer, at once.
    let client = transport(ClientBuilder::new(&base).request_timeout(Duration::from_secs(2)));
    let started = Instant::now();
    let result = client.execute(Request::new("op", Method::GET, "/busy"), decode_empty::<Infallible>).await;
    assert_eq!(status_of(result), Some(503));
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);

    // With a small cap, the retries happen after the cap.
    let policy = RetryPolicy::attempts(3).backoff(Duration::from_millis(5), Duration::from_millis(10)).max_retry_after(Duration::from_millis(50));
    let client = transport(ClientBuilder::new(&base).request_timeout(Duration::from_secs(2)).retry_policy(policy));
    let started = Instant::now();
    let result = client.execute(Request::new("op", Method::GET, "/busy"), decode_empty::<Infallible>).await;
    assert_eq!(status_of(result), Some(503));
    assert_eq!(server.hits.load(Ordering::SeqCst), 4, "three attempts more");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(100) && took < Duration::from_secs(1), "took {took:?}");

    // A timeout no instant can hold is no timeout, not a panic.
    let client = transport(ClientBuilder::new(&base).request_timeout(Duration::MAX).retry_policy(RetryPolicy::none()));
    let mut request = Request::new("op", Method::GET, "/busy");
    let mut options = CallOptions::default();
    options.set_timeout(Duration::MAX);
    request.options(options);
    assert_eq!(status_of(client.execute(request, decode_empty::<Infallible>).await), Some(503));
}

#[test]
fn an_absurd_retry_after_does_not_panic_the_blocking_client_either() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (base, server) = runtime.block_on(busy_server());
    let client = BlockingTransport::from_core(ClientBuilder::new(&base).request_timeout(Duration::from_secs(2)).build().expect("client"))
        .expect("transport");
    let started = Instant::now();
    assert_eq!(status_of(client.execute(Request::new("op", Method::GET, "/busy"), decode_empty::<Infallible>)), Some(503));
    assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
    let policy = RetryPolicy::attempts(2).max_retry_after(Duration::from_millis(20));
    let client = BlockingTransport::from_core(
        ClientBuilder::new(&base).request_timeout(Duration::from_secs(2)).retry_policy(policy).build().expect("client"),
    )
    .expect("transport");
    assert_eq!(status_of(client.execute(Request::new("op", Method::GET, "/busy"), decode_empty::<Infallible>)), Some(503));
    assert_eq!(server.hits.load(Ordering::SeqCst), 3);
}

// ---------------------------------------------------------------------------------------------
// Default timeouts
// ---------------------------------------------------------------------------------------------

#[test]
fn a_default_client_has_the_documented_timeouts_and_each_can_be_removed() {
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(DEFAULT_READ_TIMEOUT, Duration::from_secs(60));
    assert_eq!(DEFAULT_REQUEST_TIMEOUT, Duration::from_secs(600));
    let shown = format!("{:?}", ClientBuilder::new("http://127.0.0.1:1"));
    for setting in ["request_timeout: Some(600s)", "connect_timeout: Some(10s)", "read_timeout: Some(60s)"] {
        assert!(shown.contains(setting), "{setting} not in {shown}");
    }
    let removed = ClientBuilder::new("http://127.0.0.1:1").request_timeout(None).connect_timeout(None).read_timeout(None);
    let shown = format!("{removed:?}");
    for setting in ["request_timeout: None", "connect_timeout: None", "read_timeout: None"] {
        assert!(shown.contains(setting), "{setting} not in {shown}");
    }
    let core = ClientBuilder::new("http://127.0.0.1:1").build().expect("client");
    assert!(format!("{core:?}").contains("request_timeout: Some(600s)"), "{core:?}");
}

/// Accepts connections and never answers.
async fn silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{address}")
}

#[tokio::test]
async fn a_silent_server_is_cut_by_the_read_timeout() {
    let base = silent_server().await;
    let client = transport(ClientBuilder::new(&base).request_timeout(None).read_timeout(Duration::from_millis(300)).retry_policy(RetryPolicy::none()));
    let started = Instant::now();
    let error = client.execute(Request::new("op", Method::GET, "/"), decode_empty::<Infallible>).await.expect_err("silence");
    let took = started.elapsed();
    match &error {
        Error::Transport { source, .. } => assert!(source.is_timeout(), "{source:?}"),
        other => panic!("expected a transport timeout, got {other:?}"),
    }
    eprintln!("silent server: cut after {took:?}");
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(3), "took {took:?}");
}

// ---------------------------------------------------------------------------------------------
// Redirects
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Default)]
struct CountingHook(Arc<AtomicU32>);

impl Hook for CountingHook {
    fn before_request(&self, _: CallInfo<'_>, _: &mut reqwest::Request) -> Result<(), String> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test]
async fn redirects_change_methods_and_bodies_as_http_says_and_stop_after_ten_hops() {
    let (base, server) = serve(|seen, _| match seen.path.as_str() {
        "/301" => redirect(301, "/landing"),
        "/302" => redirect(302, "landing"),
        "/303" => redirect(303, "/landing?from=303"),
        "/307" => redirect(307, "/landing"),
        "/308" => redirect(308, "/landing"),
        "/loop" => redirect(302, "/loop"),
        "/nowhere" => (StatusCode::FOUND, "no location").into_response(),
        _ => StatusCode::NO_CONTENT.into_response(),
    })
    .await;
    let hook = CountingHook::default();
    let client = transport(ClientBuilder::new(&base).retry_policy(RetryPolicy::none()).hook(hook.clone()));
    let landed = |path: &'static str, method: Method| {
        let client = client.clone();
        let server = server.clone();
        async move {
            let mut request = Request::new("op", method, path);
            request.json_body(&serde_json::json!({"n": 1}));
            client.execute(request, decode_empty::<Infallible>).await.expect("followed");
            let last = server.all().last().cloned().expect("a request");
            (last.method, last.path, last.body, last.headers.get("content-type").is_some())
        }
    };
    let body = r#"{"n":1}"#.to_owned();
    assert_eq!(landed("/301", Method::POST).await, ("GET".into(), "/landing".into(), String::new(), false));
    assert_eq!(landed("/302", Method::POST).await, ("GET".into(), "/landing".into(), String::new(), false));
    assert_eq!(landed("/301", Method::PUT).await, ("PUT".into(), "/landing".into(), body.clone(), true));
    assert_eq!(landed("/303", Method::PUT).await, ("GET".into(), "/landing?from=303".into(), String::new(), false));
    assert_eq!(landed("/307", Method::POST).await, ("POST".into(), "/landing".into(), body.clone(), true));
    assert_eq!(landed("/308", Method::PATCH).await, ("PATCH".into(), "/landing".into(), body.clone(), true));
    assert_eq!(hook.0.load(Ordering::SeqCst), 6, "hooks run once per attempt, not per hop");

    let before = server.hits.load(Ordering::SeqCst);
    let result = client.execute(Request::new("op", Method::GET, "/loop"), decode_empty::<Infallible>).await;
    assert_eq!(status_of(result), Some(302), "the last 3xx is the answer");
    assert_eq!(server.hits.load(Ordering::SeqCst) - before, 11, "the first request and ten hops");
    let result = client.execute(Request::new("op", Method::GET, "/nowhere"), decode_empty::<Infallible>).await;
    assert_eq!(status_of(result), Some(302));
}

/// A body that yields one chunk, so that it cannot be cloned.
struct OneChunk(Option<Bytes>);

impl futures_core::Stream for OneChunk {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Poll::Ready(self.0.take().map(Ok))
    }
}

#[tokio::test]
async fn a_streamed_body_is_not_sent_twice_the_redirect_is_the_answer() {
    let (base, server) = serve(|seen, _| match seen.path.as_str() {
        "/307" => redirect(307, "/landing"),
        "/303" => redirect(303, "/landing"),
        _ => StatusCode::NO_CONTENT.into_response(),
    })
    .await;
    let client = transport(ClientBuilder::new(&base).retry_policy(RetryPolicy::none()));
    let streamed = |path: &'static str| {
        let mut request = Request::new("op", Method::POST, path);
        request.binary_body(specwright_runtime::BinaryBody::stream(OneChunk(Some(Bytes::from_static(b"data")))), "application/octet-stream");
        request
    };
    assert_eq!(status_of(client.execute(streamed("/307"), decode_empty::<Infallible>).await), Some(307));
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    // 303 drops the body, so it can be followed.
    client.execute(streamed("/303"), decode_empty::<Infallible>).await.expect("followed without the body");
    assert_eq!(server.all().last().map(|s| s.method.clone()).as_deref(), Some("GET"));
}

/// A hook that adds a header of its own, as a signing hook would.
#[derive(Clone)]
struct SigningHook;

impl Hook for SigningHook {
    fn before_request(&self, _: CallInfo<'_>, request: &mut reqwest::Request) -> Result<(), String> {
        request.headers_mut().insert("x-hook-signature", "hook-secret".parse().map_err(|_| "value")?);
        Ok(())
    }
}

/// Headers a call may carry that are not credentials the runtime knows of, yet may be secrets.
const UNMARKED_SECRETS: [(&str, &str); 4] = [
    ("x-tenant", "tenant-secret"),
    ("x-call-secret", "call-secret"),
    ("x-api-token", "param-secret"),
    ("x-hook-signature", "hook-secret"),
];

/// A client with a default header and a signing hook, and a call that adds a per-call header,
/// a header parameter, the two credentials and `accept`/`range`.
fn leaky_call(base: &str, method: Method, path: &'static str) -> (AsyncTransport, Request) {
    leaky_call_on(ClientBuilder::new(base).retry_policy(RetryPolicy::none()).hook(SigningHook), method, path)
}

/// [`leaky_call`] with a client of other settings (the default header is added).
fn leaky_call_on(builder: ClientBuilder, method: Method, path: &'static str) -> (AsyncTransport, Request) {
    let client = transport(builder.default_header("x-tenant".parse().expect("name"), "tenant-secret".parse().expect("value")));
    client.core().set_credential("key", Credential::ApiKey { location: ApiKeyLocation::Header, name: "x-key", key: Secret::new("k-1") });
    client.core().set_credential("basic", Credential::Basic { username: "ann".into(), password: Secret::new("pw") });
    let mut request = Request::new("op", method, path);
    request.security(&[&["key", "basic"]]);
    request.header_param("X-Api-Token", "param-secret");
    let mut options = CallOptions::default();
    options.add_header("x-call-secret", "call-secret");
    options.add_header("accept", "application/json");
    options.add_header("range", "bytes=0-99");
    request.options(options);
    (client, request)
}

/// The servers: `/away/<status>` redirects with that status to the other one.
async fn home_and_elsewhere() -> (String, Arc<Record>, Arc<Record>) {
    let (other, elsewhere) = serve(|_, _| StatusCode::NO_CONTENT.into_response()).await;
    let (base, home) = serve(move |seen, _| match seen.path.strip_prefix("/away/").and_then(|s| s.parse().ok()) {
        Some(status) => redirect(status, &format!("{other}/landed")),
        None if seen.path.starts_with("/here/") => redirect(307, "/landed"),
        None => StatusCode::NO_CONTENT.into_response(),
    })
    .await;
    (base, home, elsewhere)
}

#[tokio::test]
async fn a_redirect_to_another_origin_carries_only_allowlisted_headers() {
    for (method, path) in [(Method::GET, "/away/307"), (Method::GET, "/away/302"), (Method::POST, "/away/303")] {
        let (base, home, elsewhere) = home_and_elsewhere().await;
        let (client, request) = leaky_call(&base, method.clone(), path);
        client.execute(request, decode_empty::<Infallible>).await.expect("followed");
        let first = &home.all()[0].headers;
        assert!(first.contains_key("x-key") && first.contains_key("authorization"), "{path}: {first:?}");
        for (name, value) in UNMARKED_SECRETS {
            assert_eq!(first.get(name).and_then(|v| v.to_str().ok()), Some(value), "{path}: the first hop has {name}");
        }
        let landed = elsewhere.all();
        assert_eq!(landed.len(), 1, "{path}");
        let headers = &landed[0].headers;
        for name in ["x-key", "authorization", "cookie", "referer"].into_iter().chain(UNMARKED_SECRETS.map(|(name, _)| name)) {
            assert!(!headers.contains_key(name), "{path}: {name} reached the other origin: {headers:?}");
        }
        let shown = format!("{headers:?}");
        for (_, secret) in UNMARKED_SECRETS {
            assert!(!shown.contains(secret), "{path}: {secret} reached the other origin: {shown}");
        }
        // Content negotiation and range requests still work after the hop.
        assert_eq!(headers.get("accept").and_then(|v| v.to_str().ok()), Some("application/json"), "{path}");
        assert_eq!(headers.get("range").and_then(|v| v.to_str().ok()), Some("bytes=0-99"), "{path}");
        assert!(headers.contains_key("user-agent"), "{path}");
    }
}

#[tokio::test]
async fn a_body_is_never_sent_again_to_another_origin_the_redirect_is_the_answer() {
    for (method, status) in [(Method::POST, 307), (Method::PUT, 308), (Method::PUT, 301), (Method::PATCH, 302)] {
        let (base, home, elsewhere) = home_and_elsewhere().await;
        let (client, mut request) = leaky_call(&base, method.clone(), leak(format!("/away/{status}")));
        request.json_body(&serde_json::json!({"card": "body-secret"}));
        let result = client.execute(request, decode_empty::<Infallible>).await;
        let error = result.expect_err("not followed");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status), "{method:?} {status}: {error}");
        assert!(
            error.response().and_then(|r| r.headers.get("location")).is_some_and(|l| l.to_str().is_ok_and(|l| l.ends_with("/landed"))),
            "{method:?} {status}: the caller sees where it pointed"
        );
        assert_eq!(home.hits.load(Ordering::SeqCst), 1);
        assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0, "{method:?} {status}: the other origin saw a request");
    }
}

#[tokio::test]
async fn a_same_origin_redirect_keeps_the_body_and_every_header() {
    let (base, home, elsewhere) = home_and_elsewhere().await;
    let (client, mut request) = leaky_call(&base, Method::POST, "/here/307");
    request.json_body(&serde_json::json!({"n": 1}));
    client.execute(request, decode_empty::<Infallible>).await.expect("followed");
    let landed = home.all().last().cloned().expect("followed");
    assert_eq!((landed.method.as_str(), landed.path.as_str(), landed.body.as_str()), ("POST", "/landed", r#"{"n":1}"#));
    for (name, value) in UNMARKED_SECRETS {
        assert_eq!(landed.headers.get(name).and_then(|v| v.to_str().ok()), Some(value), "{name} on the same origin");
    }
    assert!(landed.headers.contains_key("x-key") && landed.headers.contains_key("authorization"));
    assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0);
}

/// Whatever keeps the request for another attempt (no hook, the default retries, an idempotent
/// method) or not, and whether a hook changes it, a same-origin redirect sends it all again.
#[tokio::test]
async fn a_same_origin_redirect_keeps_everything_with_retries_and_hooks_or_not() {
    let (base, home, _elsewhere) = home_and_elsewhere().await;
    let settings: [(&str, fn(&str) -> ClientBuilder); 4] = [
        ("no hook, retries", |base| ClientBuilder::new(base)),
        ("no hook, no retries", |base| ClientBuilder::new(base).retry_policy(RetryPolicy::none())),
        ("hook, retries", |base| ClientBuilder::new(base).hook(SigningHook)),
        ("hook, no retries", |base| ClientBuilder::new(base).retry_policy(RetryPolicy::none()).hook(SigningHook)),
    ];
    for (name, builder) in settings {
        for method in [Method::PUT, Method::POST] {
            let (client, mut request) = leaky_call_on(builder(&base), method.clone(), "/here/307");
            request.json_body(&serde_json::json!({"n": 2}));
            client.execute(request, decode_empty::<Infallible>).await.expect("followed");
            let landed = home.all().last().cloned().expect("followed");
            assert_eq!(
                (landed.method.as_str(), landed.path.as_str(), landed.body.as_str()),
                (method.as_str(), "/landed", r#"{"n":2}"#),
                "{name} {method}"
            );
            let hooked = name.starts_with("hook");
            for (header, value) in UNMARKED_SECRETS.into_iter().filter(|(header, _)| hooked || *header != "x-hook-signature") {
                assert_eq!(landed.headers.get(header).and_then(|v| v.to_str().ok()), Some(value), "{name} {method}: {header}");
            }
            assert!(landed.headers.contains_key("x-key") && landed.headers.contains_key("authorization"), "{name} {method}");
            assert_eq!(landed.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("application/json"), "{name} {method}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The OAuth 2 token request
// ---------------------------------------------------------------------------------------------

fn oauth_call(client: &AsyncTransport, token_url: String, timeout: Option<Duration>) -> impl Future<Output = Result<(), Error>> + use<> {
    client.core().set_credential("oauth", Credential::ClientCredentials(ClientCredentials::new(token_url, "app", "client-secret-1")));
    let mut request = Request::new("op", Method::GET, "/things");
    request.security(&[&["oauth"]]);
    if let Some(timeout) = timeout {
        let mut options = CallOptions::default();
        options.set_timeout(timeout);
        request.options(options);
    }
    client.execute(request, decode_empty::<Infallible>)
}

#[tokio::test]
async fn a_hanging_token_endpoint_is_cut_by_the_calls_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let app = Router::new().fallback(|| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        "{}"
    });
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let base = format!("http://{address}");
    let client = transport(ClientBuilder::new(&base).retry_policy(RetryPolicy::none()));
    let started = Instant::now();
    let error = oauth_call(&client, format!("{base}/token"), Some(Duration::from_millis(400))).await.expect_err("no token");
    let took = started.elapsed();
    eprintln!("hanging token endpoint, 400 ms call timeout: cut after {took:?}");
    assert!(matches!(error, Error::Timeout { attempts: 0, .. }), "{error:?}");
    assert!(took < Duration::from_secs(2), "took {took:?}");

    // The client's request timeout bounds it as well.
    let client = transport(ClientBuilder::new(&base).request_timeout(Duration::from_millis(300)));
    let started = Instant::now();
    let error = oauth_call(&client, format!("{base}/token"), None).await.expect_err("no token");
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
}

/// `total` bytes of `[`, in 64 KiB chunks.
struct Endless {
    left: u64,
}

impl futures_core::Stream for Endless {
    type Item = Result<Bytes, std::io::Error>;
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.left == 0 {
            return Poll::Ready(None);
        }
        let size = self.left.min(64 * 1024);
        self.left -= size;
        Poll::Ready(Some(Ok(Bytes::from(vec![b'['; size as usize]))))
    }
}

fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status.lines().find_map(|line| line.strip_prefix("VmRSS:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
    kib.unwrap_or(0) * 1024
}

#[tokio::test]
async fn an_endless_token_body_stops_at_the_size_limit() {
    let (base, sent) = serve(|seen, _| {
        if seen.path == "/token" {
            // 300 MB of JSON that never closes, without a length.
            return Response::builder()
                .header("content-type", "application/json")
                .body(Body::from_stream(Endless { left: 300 * 1024 * 1024 }))
                .unwrap_or_default();
        }
        StatusCode::NO_CONTENT.into_response()
    })
    .await;
    let client = transport(ClientBuilder::new(&base).max_response_bytes(1024 * 1024).retry_policy(RetryPolicy::none()));
    let before = resident_bytes();
    let started = Instant::now();
    let error = oauth_call(&client, format!("{base}/token"), Some(Duration::from_secs(20))).await.expect_err("too large");
    let grown = resident_bytes().saturating_sub(before);
    eprintln!("endless token body, 1 MiB limit: failed after {:?}, resident memory grew {grown} bytes", started.elapsed());
    assert!(matches!(&error, Error::TokenRequest { message, .. } if message.contains("1048576 bytes")), "{error:?}");
    assert!(grown < 64 * 1024 * 1024, "grew {grown} bytes");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    assert_eq!(sent.all().iter().filter(|s| s.path == "/things").count(), 0, "no call without a token");
}

#[tokio::test]
async fn a_redirecting_token_endpoint_gets_no_second_secret() {
    let (other, elsewhere) = serve(|_, _| r#"{"access_token":"t"}"#.into_response()).await;
    let target = format!("{other}/token?leak=location-query");
    let (base, _home) = serve(move |seen, _| match seen.path.as_str() {
        "/token" => redirect(307, &target),
        _ => StatusCode::NO_CONTENT.into_response(),
    })
    .await;
    let client = transport(ClientBuilder::new(&base).retry_policy(RetryPolicy::none()));
    let error = oauth_call(&client, format!("{base}/token"), None).await.expect_err("no token");
    let shown = format!("{error} {error:?}");
    assert!(matches!(error, Error::TokenRequest { .. }), "{shown}");
    assert!(shown.contains("307"), "{shown}");
    assert!(!shown.contains("location-query") && !shown.contains("client-secret-1"), "{shown}");
    assert_eq!(elsewhere.hits.load(Ordering::SeqCst), 0, "the other port saw no request");
}

#[tokio::test]
async fn json_still_decodes_after_a_same_origin_redirect() {
    let (base, _server) = serve(|seen, _| match seen.path.as_str() {
        "/v1" => redirect(307, "/v1/"),
        _ => ([("content-type", "application/json")], r#"{"ok":true}"#).into_response(),
    })
    .await;
    let client = transport(ClientBuilder::new(&base));
    let body: serde_json::Value = client.execute(Request::new("op", Method::GET, "/v1"), decode_json::<_, Infallible>).await.expect("followed");
    assert_eq!(body, serde_json::json!({"ok": true}));
}
