//! The runtime's promises, each checked against a real HTTP server on 127.0.0.1: retries and
//! their limits, `Retry-After`, timeouts, cancellation, hooks, the body-size limit, clients
//! for other base URLs, and the blocking facade's thread.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use specwright_runtime::__private::{Method, decode_json};
use specwright_runtime::{
    AsyncTransport, BlockingTransport, CallInfo, ClientBuilder, Error, Hook, Request, ResponseInfo, RetryPolicy,
    TimeoutKind, Transport,
};

/// What the server saw, and how it should answer.
#[derive(Default)]
struct Server {
    hits: AtomicU32,
    paths: Mutex<Vec<String>>,
    headers: Mutex<Vec<HeaderMap>>,
    closed: AtomicU32,
}

/// Counts connections that end before the handler finishes.
struct CloseGuard(Arc<Server>, bool);

impl Drop for CloseGuard {
    fn drop(&mut self) {
        if !self.1 {
            self.0.closed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

async fn handler(State(server): State<Arc<Server>>, method: HttpMethod, uri: Uri, headers: HeaderMap) -> Response {
    let hit = server.hits.fetch_add(1, Ordering::SeqCst) + 1;
    server.paths.lock().map(|mut p| p.push(format!("{method} {}", uri.path()))).ok();
    server.headers.lock().map(|mut h| h.push(headers.clone())).ok();
    match uri.path() {
        // Fails twice with 503, then succeeds.
        "/flaky" if hit <= 2 => (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response(),
        "/flaky" => (StatusCode::OK, "{\"ok\":true}").into_response(),
        "/always-503" => (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response(),
        "/retry-after" if hit == 1 => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "slow down").into_response(),
        "/retry-after" => (StatusCode::OK, "{\"ok\":true}").into_response(),
        "/slow" => {
            let mut guard = CloseGuard(server.clone(), false);
            tokio::time::sleep(Duration::from_secs(3)).await;
            guard.1 = true;
            (StatusCode::OK, "{\"ok\":true}").into_response()
        }
        "/big" => (StatusCode::OK, "x".repeat(10_000)).into_response(),
        _ => (StatusCode::OK, "{\"ok\":true}").into_response(),
    }
}

async fn start() -> (String, Arc<Server>) {
    let server = Arc::new(Server::default());
    let app = Router::new().fallback(handler).with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}"), server)
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct Ok_ {
    ok: bool,
}

fn get(path: &'static str) -> Request {
    Request::new("op", Method::GET, path)
}

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::attempts(attempts).backoff(Duration::from_millis(5), Duration::from_millis(20))
}

async fn client(base: &str, builder: impl FnOnce(ClientBuilder) -> ClientBuilder) -> AsyncTransport {
    AsyncTransport::from_core(builder(ClientBuilder::new(base)).build().expect("client")).expect("transport")
}

#[tokio::test]
async fn idempotent_calls_are_retried_on_503_until_they_succeed() {
    let (base, server) = start().await;
    let transport = client(&base, |b| b.retry_policy(fast_retries(3))).await;
    let response = transport.execute_with_response(get("/flaky"), decode_json::<Ok_, Infallible>).await.expect("third attempt succeeds");
    assert_eq!(response.body, Ok_ { ok: true });
    assert_eq!(server.hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retries_stop_at_the_attempt_limit_and_the_error_says_how_many() {
    let (base, server) = start().await;
    let transport = client(&base, |b| b.retry_policy(fast_retries(2))).await;
    let error = transport.execute(get("/always-503"), decode_json::<Ok_, Infallible>).await.expect_err("always 503");
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.attempts(), Some(2));
    assert!(error.is_retryable());
}

#[tokio::test]
async fn post_is_not_retried_unless_the_caller_opts_in() {
    let (base, server) = start().await;
    let transport = client(&base, |b| b.retry_policy(fast_retries(3))).await;
    let post = Request::new("op", Method::POST, "/always-503");
    assert!(transport.execute(post, decode_json::<Ok_, Infallible>).await.is_err());
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);

    let mut post = Request::new("op", Method::POST, "/always-503");
    let mut options = specwright_runtime::CallOptions::default();
    options.set_retry(fast_retries(3).retry_non_idempotent(true));
    post.options(options);
    assert!(transport.execute(post, decode_json::<Ok_, Infallible>).await.is_err());
    assert_eq!(server.hits.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (base, server) = start().await;
    // The cap on `Retry-After` is the longest backoff unless raised.
    let transport = client(&base, |b| b.retry_policy(fast_retries(2).max_retry_after(Duration::from_secs(5)))).await;
    let started = Instant::now();
    let body = transport.execute(get("/retry-after"), decode_json::<Ok_, Infallible>).await.expect("second attempt succeeds");
    assert_eq!(body, Ok_ { ok: true });
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    assert!(started.elapsed() >= Duration::from_millis(950), "waited {:?}", started.elapsed());
}

#[tokio::test]
async fn no_retry_wait_runs_past_the_deadline() {
    let (base, server) = start().await;
    // Retry-After says 1 s, but the call has 300 ms: it gives up instead of sleeping past it.
    let transport = client(&base, |b| b.retry_policy(fast_retries(3).max_retry_after(Duration::from_secs(5))).request_timeout(Duration::from_millis(300))).await;
    let started = Instant::now();
    let error = transport.execute(get("/retry-after"), decode_json::<Ok_, Infallible>).await.expect_err("gives up");
    assert!(started.elapsed() < Duration::from_millis(900), "took {:?}", started.elapsed());
    assert_eq!(error.status().map(|s| s.as_u16()), Some(429));
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn connection_errors_are_retried_and_reported_with_the_attempt_count() {
    // A port nobody listens on: bind, read the port, close.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let transport = client(&format!("http://{address}"), |b| b.retry_policy(fast_retries(3))).await;
    let error = transport.execute(get("/x"), decode_json::<Ok_, Infallible>).await.expect_err("nothing listens");
    assert!(matches!(error, Error::Transport { attempts: 3, .. }), "{error:?}");
}

#[tokio::test]
async fn timeouts_say_which_one_fired() {
    let (base, _server) = start().await;
    let transport = client(&base, |b| b.request_timeout(Duration::from_millis(200)).retry_policy(RetryPolicy::none())).await;
    let error = transport.execute(get("/slow"), decode_json::<Ok_, Infallible>).await.expect_err("too slow");
    assert!(matches!(error, Error::Timeout { kind: TimeoutKind::Client, .. }), "{error:?}");

    let mut request = get("/slow");
    let mut options = specwright_runtime::CallOptions::default();
    options.set_timeout(Duration::from_millis(100));
    request.options(options);
    let error = transport.execute(request, decode_json::<Ok_, Infallible>).await.expect_err("too slow");
    assert!(matches!(error, Error::Timeout { kind: TimeoutKind::Call, after, .. } if after == Duration::from_millis(100)), "{error:?}");
}

#[tokio::test]
async fn dropping_the_future_closes_the_connection_and_nothing_is_retried() {
    let (base, server) = start().await;
    let transport = client(&base, |b| b.retry_policy(fast_retries(3))).await;
    let call = transport.execute(get("/slow"), decode_json::<Ok_, Infallible>);
    assert!(tokio::time::timeout(Duration::from_millis(300), call).await.is_err(), "the call was cut short");
    // The server notices the closed connection when its handler is dropped.
    let deadline = Instant::now() + Duration::from_secs(2);
    while server.closed.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.closed.load(Ordering::SeqCst), 1, "the server saw the connection close");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.hits.load(Ordering::SeqCst), 1, "no retry after the drop");
}

struct Signer(&'static str, Arc<Mutex<Vec<String>>>);

impl Hook for Signer {
    fn before_request(&self, call: CallInfo<'_>, request: &mut reqwest::Request) -> Result<(), String> {
        self.1.lock().map(|mut log| log.push(format!("{} before {}", self.0, call.attempt))).ok();
        let previous = request.headers().get("x-signature").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let value = format!("{previous}{}", self.0);
        request.headers_mut().insert("x-signature", value.parse().map_err(|_| "bad header".to_owned())?);
        Ok(())
    }

    fn after_response(&self, call: CallInfo<'_>, response: ResponseInfo<'_>) {
        self.1.lock().map(|mut log| log.push(format!("{} after {} {}", self.0, call.attempt, response.status.as_u16()))).ok();
    }
}

struct Refuse;

impl Hook for Refuse {
    fn before_request(&self, _: CallInfo<'_>, _: &mut reqwest::Request) -> Result<(), String> {
        Err("not on Sundays".to_owned())
    }
}

#[tokio::test]
async fn hooks_run_in_order_may_change_the_request_and_see_every_attempt() {
    let (base, server) = start().await;
    let log = Arc::new(Mutex::new(Vec::new()));
    let transport = client(&base, |b| {
        b.retry_policy(fast_retries(3)).hook(Signer("a", log.clone())).hook(Signer("b", log.clone()))
    })
    .await;
    transport.execute(get("/flaky"), decode_json::<Ok_, Infallible>).await.expect("succeeds");
    let seen: Vec<Option<String>> = server
        .headers
        .lock()
        .map(|h| h.iter().map(|h| h.get("x-signature").and_then(|v| v.to_str().ok()).map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(seen, vec![Some("ab".to_owned()); 3]);
    let log = log.lock().map(|l| l.clone()).unwrap_or_default();
    assert_eq!(&log[..4], ["a before 1", "b before 1", "a after 1 503", "b after 1 503"]);
    assert_eq!(log.len(), 12);

    let refusing = client(&base, |b| b.hook(Refuse)).await;
    let error = refusing.execute(get("/x"), decode_json::<Ok_, Infallible>).await.expect_err("refused");
    assert!(matches!(&error, Error::Hook { message, .. } if message == "not on Sundays"));
    assert_eq!(server.hits.load(Ordering::SeqCst), 3, "nothing was sent");
}

#[tokio::test]
async fn bodies_over_the_limit_are_refused() {
    let (base, _server) = start().await;
    let transport = client(&base, |b| b.max_response_bytes(1_000)).await;
    let error = transport.execute(get("/big"), specwright_runtime::__private::decode_bytes::<Infallible>).await.expect_err("too big");
    assert!(matches!(error, Error::ResponseTooLarge { limit: 1_000, .. }), "{error:?}");
    let roomy = client(&base, |b| b.max_response_bytes(20_000)).await;
    let body = roomy.execute(get("/big"), specwright_runtime::__private::decode_bytes::<Infallible>).await.expect("fits");
    assert_eq!(body.len(), 10_000);
}

#[tokio::test]
async fn clients_for_other_base_urls_share_credentials_and_run_concurrently() {
    let (first, first_server) = start().await;
    let (second, second_server) = start().await;
    let transport = client(&first, |b| b).await;
    transport.core().set_credential("key", specwright_runtime::Credential::ApiKey {
        location: specwright_runtime::ApiKeyLocation::Header,
        name: "x-key",
        key: "s3cret".into(),
    });
    let other = transport.with_core(transport.core().with_base_url(&second).expect("valid URL"));
    let semaphore = Arc::new(tokio::sync::Semaphore::new(4));
    let mut calls = Vec::new();
    for index in 0..16 {
        let target = if index % 2 == 0 { transport.clone() } else { other.clone() };
        let permit = semaphore.clone();
        calls.push(tokio::spawn(async move {
            let _permit = permit.acquire_owned().await;
            let mut request = get("/secured");
            request.security(&[&["key"]]);
            target.execute(request, decode_json::<Ok_, Infallible>).await
        }));
    }
    for call in calls {
        call.await.expect("task").expect("call");
    }
    assert_eq!(first_server.hits.load(Ordering::SeqCst), 8);
    assert_eq!(second_server.hits.load(Ordering::SeqCst), 8);
    let keys: Vec<String> = second_server
        .headers
        .lock()
        .map(|h| h.iter().filter_map(|h| h.get("x-key")?.to_str().ok().map(str::to_owned)).collect())
        .unwrap_or_default();
    assert_eq!(keys, vec!["s3cret".to_owned(); 8], "the other client shares the credential");
}

#[test]
fn the_blocking_client_retries_too_and_its_thread_stops_with_the_last_handle() {
    let runtime = tokio::runtime::Runtime::new().expect("server runtime");
    let (base, server) = runtime.block_on(start());
    let worker = Arc::new(Mutex::new(None));
    let core = ClientBuilder::new(&base)
        .retry_policy(fast_retries(3))
        .hook(WorkerSeen(worker.clone()))
        .build()
        .expect("client");
    let transport = BlockingTransport::from_core(core).expect("worker thread");
    let body = transport.execute(get("/flaky"), decode_json::<Ok_, Infallible>).expect("third attempt succeeds");
    assert_eq!(body, Ok_ { ok: true });
    assert_eq!(server.hits.load(Ordering::SeqCst), 3);

    // The worker's own `/proc` entry, which the hook found from inside it; other tests' workers
    // come and go in parallel, so counting threads by name would race with them.
    let Some(task) = worker.lock().ok().and_then(|seen| seen.clone()) else {
        eprintln!("/proc/thread-self is not readable here; the thread's end is not checked");
        return;
    };
    let clone = transport.clone();
    drop(transport);
    assert!(task.exists(), "a clone keeps the worker alive");
    drop(clone);
    // An ended thread leaves `/proc` a moment after `join` returns.
    let deadline = Instant::now() + Duration::from_secs(10);
    while task.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!task.exists(), "dropping the last handle stops the worker");
}

/// Records the `/proc` entry of the thread a request is prepared on (the link is relative to
/// `/proc`; `join` keeps an absolute one as it is).
struct WorkerSeen(Arc<Mutex<Option<std::path::PathBuf>>>);

impl Hook for WorkerSeen {
    fn before_request(&self, _: CallInfo<'_>, _: &mut reqwest::Request) -> Result<(), String> {
        if let Ok(task) = std::fs::read_link("/proc/thread-self") {
            self.0.lock().map(|mut seen| *seen = Some(std::path::Path::new("/proc").join(task))).ok();
        }
        Ok(())
    }
}

#[test]
fn builder_settings_reach_the_wire_for_async_and_blocking_alike() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (base, server) = runtime.block_on(start());
    let settings = |base: &str| {
        ClientBuilder::new(base)
            .user_agent("specwright-test/1")
            .default_header("x-tenant".parse().expect("name"), "blue".parse().expect("value"))
            .connect_timeout(Duration::from_secs(2))
    };
    let async_transport = AsyncTransport::from_core(settings(&base).build().expect("client")).expect("transport");
    runtime.block_on(async_transport.execute(get("/a"), decode_json::<Ok_, Infallible>)).expect("async call");
    let blocking = BlockingTransport::from_core(settings(&base).build().expect("client")).expect("transport");
    blocking.execute(get("/b"), decode_json::<Ok_, Infallible>).expect("blocking call");

    // A reqwest client of the user's own, with its own default headers.
    let mut own_headers = reqwest::header::HeaderMap::new();
    own_headers.insert("x-own", "yes".parse().expect("value"));
    let own = reqwest::Client::builder().default_headers(own_headers).build().expect("reqwest client");
    let custom = AsyncTransport::from_core(ClientBuilder::new(&base).with_reqwest_client(own).build().expect("client")).expect("transport");
    runtime.block_on(custom.execute(get("/c"), decode_json::<Ok_, Infallible>)).expect("custom client call");

    let headers = server.headers.lock().map(|h| h.clone()).unwrap_or_default();
    for sent in &headers[..2] {
        assert_eq!(sent.get("user-agent").and_then(|v| v.to_str().ok()), Some("specwright-test/1"));
        assert_eq!(sent.get("x-tenant").and_then(|v| v.to_str().ok()), Some("blue"));
    }
    assert_eq!(headers[2].get("x-own").and_then(|v| v.to_str().ok()), Some("yes"));
}

#[test]
fn the_blocking_client_runs_hooks_limits_bodies_and_serves_other_base_urls() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (base, server) = runtime.block_on(start());
    let (other_base, other_server) = runtime.block_on(start());
    let log = Arc::new(Mutex::new(Vec::new()));
    let core = ClientBuilder::new(&base)
        .hook(Signer("s", log.clone()))
        .max_response_bytes(1_000)
        .build()
        .expect("client");
    let transport = BlockingTransport::from_core(core).expect("worker");
    transport.execute(get("/x"), decode_json::<Ok_, Infallible>).expect("call");
    assert_eq!(log.lock().map(|l| l.clone()).unwrap_or_default(), ["s before 1", "s after 1 200"]);
    let error = transport.execute(get("/big"), specwright_runtime::__private::decode_bytes::<Infallible>).expect_err("too big");
    assert!(matches!(error, Error::ResponseTooLarge { limit: 1_000, .. }), "{error:?}");
    let other = transport.with_core(transport.core().with_base_url(&other_base).expect("valid URL"));
    other.execute(get("/y"), decode_json::<Ok_, Infallible>).expect("call to the other server");
    assert_eq!(server.hits.load(Ordering::SeqCst), 2);
    assert_eq!(other_server.hits.load(Ordering::SeqCst), 1);
    let signature = other_server.headers.lock().ok().and_then(|h| h.first().and_then(|h| h.get("x-signature").cloned()));
    assert_eq!(signature.as_ref().and_then(|v| v.to_str().ok()), Some("s"), "hooks follow to the other base URL");
}

/// A request for `path` that needs security scheme `key` (an API key in header `x-key`).
fn secured(path: &'static str) -> Request {
    let mut request = get(path);
    request.security(&[&["key"]]);
    request
}

fn header_values(server: &Server, index: usize, name: &str) -> Vec<String> {
    let headers = server.headers.lock().map(|h| h.get(index).cloned().unwrap_or_default()).unwrap_or_default();
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok().map(str::to_owned)).collect()
}

#[tokio::test]
async fn undeclared_credentials_go_on_every_call_and_declared_ones_win_a_shared_name() {
    let (base, server) = start().await;
    let transport = client(&base, |b| {
        b.bearer_auth("undeclared-token")
            .api_key(specwright_runtime::ApiKeyLocation::Header, "x-key", "undeclared-key")
            .api_key(specwright_runtime::ApiKeyLocation::Query, "api_key", "q1")
    })
    .await;
    let format = format!("{transport:?}");
    assert!(!format.contains("undeclared-token") && !format.contains("undeclared-key"), "{format}");

    // An operation that declares no security gets them all.
    transport.execute(get("/open"), decode_json::<Ok_, Infallible>).await.expect("sent");
    assert_eq!(header_values(&server, 0, "authorization"), ["Bearer undeclared-token"]);
    assert_eq!(header_values(&server, 0, "x-key"), ["undeclared-key"]);
    // One whose requirement has no credential is sent with them instead of being refused.
    transport.execute(secured("/secured"), decode_json::<Ok_, Infallible>).await.expect("sent");
    assert_eq!(header_values(&server, 1, "x-key"), ["undeclared-key"]);
    // The declared credential replaces the undeclared one of the same header; the rest stay.
    transport.core().set_credential(
        "key",
        specwright_runtime::Credential::ApiKey {
            location: specwright_runtime::ApiKeyLocation::Header,
            name: "x-key",
            key: "declared-key".into(),
        },
    );
    transport.execute(secured("/secured"), decode_json::<Ok_, Infallible>).await.expect("sent");
    assert_eq!(header_values(&server, 2, "x-key"), ["declared-key"]);
    assert_eq!(header_values(&server, 2, "authorization"), ["Bearer undeclared-token"]);

    let basic = client(&base, |b| b.basic_auth("ada", "pw")).await;
    basic.execute(get("/open"), decode_json::<Ok_, Infallible>).await.expect("sent");
    assert_eq!(header_values(&server, 3, "authorization"), ["Basic YWRhOnB3"]);
}

#[tokio::test]
async fn optional_security_sends_what_no_credential_meets_instead_of_refusing() {
    let (base, server) = start().await;
    let strict = client(&base, |b| b).await;
    let refused = strict.execute(secured("/secured"), decode_json::<Ok_, Infallible>).await;
    assert!(matches!(refused, Err(Error::Unauthenticated { .. })), "{refused:?}");
    assert_eq!(server.hits.load(Ordering::SeqCst), 0, "nothing was sent");

    let lenient = client(&base, |b| b.optional_security(true)).await;
    lenient.execute(secured("/secured"), decode_json::<Ok_, Infallible>).await.expect("sent without credentials");
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    assert!(header_values(&server, 0, "x-key").is_empty());
}
