//! Sequences of JSON items read as they arrive, from `specs/operations_streaming.yaml`: JSON
//! Lines and JSON text sequences, and server-sent events described both the OpenAPI 3.2 way (the
//! event object) and by their payload alone.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use specwright_conformance::specs::operations_streaming::{AsyncClient, Client, types};
use specwright_runtime::Error;
use tokio::sync::{Notify, mpsc};

struct Chunks(mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

#[derive(Clone, Default)]
struct Server {
    /// Lets the followed log send its last entry.
    release: Arc<Notify>,
}

/// A body that sends `parts` one by one, waiting for `release` (if any) before the last.
fn streamed(content_type: &'static str, parts: Vec<&'static str>, release: Option<Arc<Notify>>) -> Response {
    let (sender, chunks) = mpsc::channel(4);
    tokio::spawn(async move {
        let count = parts.len();
        for (index, part) in parts.into_iter().enumerate() {
            if let Some(release) = release.as_ref().filter(|_| index + 1 == count) {
                release.notified().await;
            }
            let _ = sender.send(Ok(Bytes::from_static(part.as_bytes()))).await;
        }
    });
    ([("content-type", content_type)], Body::from_stream(Chunks(chunks))).into_response()
}

#[derive(serde::Deserialize)]
struct LogQuery {
    follow: Option<bool>,
}

async fn logs(State(server): State<Server>, Query(query): Query<LogQuery>, headers: HeaderMap) -> Response {
    let accept = headers.get("accept").and_then(|v| v.to_str().ok()).unwrap_or("");
    if accept.contains("json-seq") {
        let body = "\x1e{\"level\":\"info\",\"message\":\"one\"}\n\x1e{\"level\":\"warn\",\"message\":\"two\"}\n";
        return ([("content-type", "application/json-seq")], body).into_response();
    }
    if query.follow != Some(true) {
        let problem = r#"{"title":"follow must be set","status":400}"#;
        return (StatusCode::BAD_REQUEST, [("content-type", "application/json")], problem).into_response();
    }
    // Items split across chunks, a bad one in the middle, the last held back.
    let parts = vec![
        "{\"level\":\"info\",\"mess",
        "age\":\"started\"}\n{\"level\":\"info\",\"message\":42}\n",
        "\n{\"level\":\"error\",\"message\":\"disk full\"}\n",
        "{\"level\":\"debug\",\"message\":\"bye\"}\n",
    ];
    streamed("application/jsonl", parts, Some(server.release.clone()))
}

async fn events() -> Response {
    let parts = vec![
        ": connected\n\n",
        "event: created\nid: 1\ndata: {\"id\":\"d1\",",
        "\ndata: \"kind\":\"door\"}\n\n",
        "retry: 2000\ndata: {\"id\":\"d2\",\"kind\":\"camera\"}\n\n",
        "event: deleted\nid: 3\ndata: {\"id\":\"d1\",\"kind\":\"door\"}\n\n",
    ];
    streamed("text/event-stream", parts, None)
}

async fn start() -> (String, Server) {
    let server = Server::default();
    let app = Router::new()
        .route("/logs", get(logs))
        .route("/events", get(events))
        .route("/changes", get(events))
        .with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}"), server)
}

fn client(base_url: &str) -> AsyncClient {
    AsyncClient::from_builder(specwright_runtime::ClientBuilder::new(base_url)).expect("client")
}

/// The next item, failing the test instead of waiting forever.
async fn next(items: &mut specwright_runtime::ItemStream<types::LogEntry>) -> Result<Option<types::LogEntry>, Error> {
    tokio::time::timeout(Duration::from_secs(10), items.next_item()).await.expect("an item in time")
}

fn entry(level: types::LogEntryLevel, message: &str) -> types::LogEntry {
    types::LogEntry { level, message: message.into() }
}

#[tokio::test]
async fn json_lines_arrive_one_item_at_a_time() {
    let (base_url, server) = start().await;
    let mut items = client(&base_url).logs().tail().follow(true).send_stream().await.expect("headers");
    assert_eq!(items.status().as_u16(), 200);

    // The first item came in two chunks.
    assert_eq!(next(&mut items).await.expect("decodes"), Some(entry(types::LogEntryLevel::Info, "started")));
    // A bad item is an error that holds its own bytes, and the stream goes on.
    let bad = next(&mut items).await.expect_err("a number is no message");
    let Error::Decode { path, response, .. } = &bad else { panic!("expected a decode error, got {bad:?}") };
    assert_eq!((path.as_str(), &response.body[..]), ("message", &br#"{"level":"info","message":42}"#[..]));
    // Read before the server sends its last entry: nothing waits for the whole body.
    assert_eq!(next(&mut items).await.expect("decodes"), Some(entry(types::LogEntryLevel::Error, "disk full")));
    server.release.notify_one();
    assert_eq!(next(&mut items).await.expect("decodes"), Some(entry(types::LogEntryLevel::Debug, "bye")));
    assert_eq!(next(&mut items).await.expect("the end"), None);
}

#[tokio::test]
async fn json_text_sequences_decode_and_documented_errors_are_typed() {
    let (base_url, _server) = start().await;
    let client = client(&base_url);
    let expected = vec![entry(types::LogEntryLevel::Info, "one"), entry(types::LogEntryLevel::Warn, "two")];

    let all = client.logs().tail().header("accept", "application/json-seq").send().await.expect("all of it");
    assert_eq!(all, expected);
    let mut items = client.logs().tail().header("accept", "application/json-seq").send_stream().await.expect("headers");
    let mut streamed = Vec::new();
    while let Some(item) = items.next_item().await.expect("decodes") {
        streamed.push(item);
    }
    assert_eq!(streamed, expected);

    // Without `follow` the server refuses; the documented 4XX decodes into the typed problem.
    let problem = client.logs().tail().send_stream().await.expect_err("400");
    assert_eq!(problem.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(problem.error_body().map(|p| p.title.as_str()), Some("follow must be set"));
}

#[tokio::test]
async fn server_sent_events_decode_as_the_event_objects_the_spec_describes() {
    let (base_url, _server) = start().await;
    let mut events = client(&base_url).events().watch().send_stream().await.expect("headers");
    let mut seen = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(10), events.next_item()).await.expect("in time").expect("decodes") {
        seen.push((event.event, event.id, event.retry, event.data));
    }
    // Comments and blank events are skipped, data lines join with a newline, the id carries
    // over to the next event, and data stays the text the spec says it is.
    assert_eq!(
        seen,
        [
            (Some("created".to_owned()), Some("1".to_owned()), None, "{\"id\":\"d1\",\n\"kind\":\"door\"}".to_owned()),
            (None, Some("1".to_owned()), Some(2000), r#"{"id":"d2","kind":"camera"}"#.to_owned()),
            (Some("deleted".to_owned()), Some("3".to_owned()), None, r#"{"id":"d1","kind":"door"}"#.to_owned()),
        ]
    );
}

#[tokio::test]
async fn server_sent_events_described_by_their_payload_decode_the_data() {
    let (base_url, _server) = start().await;
    let client = client(&base_url);
    let mut changes = client.events().watch_changes().send_stream().await.expect("headers");
    let mut kinds = Vec::new();
    while let Some(change) = changes.next_item().await.expect("decodes") {
        kinds.push((change.id, change.kind));
    }
    let expected = [("d1", "door"), ("d2", "camera"), ("d1", "door")].map(|(id, kind)| (id.to_owned(), kind.to_owned()));
    assert_eq!(kinds, expected);

    // `send()` reads the whole body into the same items.
    let all = client.events().watch_changes().send().await.expect("all of it");
    assert_eq!(all.into_iter().map(|c| (c.id, c.kind)).collect::<Vec<_>>(), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_client_iterates_items() {
    let (base_url, server) = start().await;
    server.release.notify_one();
    let levels = tokio::task::spawn_blocking(move || {
        std::thread::spawn(move || {
            let client = Client::from_builder(specwright_runtime::ClientBuilder::new(base_url)).expect("client");
            let items = client.logs().tail().follow(true).send_stream().expect("headers");
            items.map(|item| item.map(|entry| entry.message).map_err(|error| error.to_string())).collect::<Vec<_>>()
        })
        .join()
    })
    .await
    .expect("joined")
    .expect("no panic");
    assert_eq!(levels.len(), 4, "{levels:?}");
    assert_eq!(levels[0], Ok("started".to_owned()));
    assert!(levels[1].as_ref().is_err_and(|e| e.contains("at `message`")), "{levels:?}");
    assert_eq!(levels[2..], [Ok("disk full".to_owned()), Ok("bye".to_owned())]);
}

#[tokio::test]
async fn an_item_longer_than_the_size_limit_ends_the_stream() {
    let (base_url, server) = start().await;
    server.release.notify_one();
    let builder = specwright_runtime::ClientBuilder::new(&base_url).max_response_bytes(30);
    let client = AsyncClient::from_builder(builder).expect("client");
    let mut items = client.logs().tail().follow(true).send_stream().await.expect("headers");
    // The first entry is 36 bytes: the limit holds per item, and the stream ends there.
    let error = next(&mut items).await.expect_err("over the limit");
    assert!(matches!(error, Error::ResponseTooLarge { limit: 30, .. }), "{error:?}");
    assert!(next(&mut items).await.expect("the end").is_none());
}

#[test]
fn a_client_of_a_spec_without_servers_is_built_once_it_has_a_base_url() {
    // The spec names no server: building without a base URL says what is missing.
    let refused = AsyncClient::builder().build().map(|_| ());
    assert!(
        matches!(&refused, Err(specwright_runtime::Error::InvalidBaseUrl { message, .. }) if message.contains("set one with `.base_url(..)`")),
        "{refused:?}"
    );
    let client: AsyncClient = AsyncClient::builder().base_url("http://127.0.0.1:9/api").build().expect("a client");
    assert_eq!(client.base_url(), "http://127.0.0.1:9/api");
    let blocking: Client = Client::builder().base_url("http://127.0.0.1:9").build().expect("a blocking client");
    assert_eq!(blocking.base_url(), "http://127.0.0.1:9");
}
