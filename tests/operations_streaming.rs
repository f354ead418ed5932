//! Streamed bodies both ways, from `specs/operations_bodies.yaml`: uploads from an async stream
//! or a blocking reader (sent once, never retried), and downloads read as they arrive, async or
//! through the blocking client's `Read`.

use std::collections::HashMap;
use std::io::Read;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use specwright_conformance::specs::operations_bodies::{AsyncClient, Client};
use specwright_runtime::{BinaryBody, Error, RetryPolicy};
use tokio::sync::{Notify, mpsc};

/// A stream of chunks fed through a channel, for request and response bodies alike.
struct Chunks(mpsc::Receiver<Result<Bytes, std::io::Error>>);

impl futures_core::Stream for Chunks {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// One megabyte and a bit, in a pattern that shows any lost or reordered chunk.
fn big_body() -> Vec<u8> {
    (0..1_100_000u32).map(|i| (i % 251) as u8).collect()
}

#[derive(Clone, Default)]
struct Server {
    /// Every upload attempt per blob id, with the bytes it carried.
    uploads: Arc<Mutex<HashMap<String, Vec<Vec<u8>>>>>,
    /// Lets the `slow` download send its second half.
    release: Arc<Notify>,
}

impl Server {
    fn uploads(&self, id: &str) -> Vec<Vec<u8>> {
        self.uploads.lock().ok().and_then(|u| u.get(id).cloned()).unwrap_or_default()
    }
}

async fn store(State(server): State<Server>, Path(id): Path<String>, body: Bytes) -> StatusCode {
    let attempts = {
        let mut uploads = server.uploads.lock().expect("not poisoned");
        let attempts = uploads.entry(id.clone()).or_default();
        attempts.push(body.to_vec());
        attempts.len()
    };
    // `flaky` fails its first attempt with a status that is worth a retry.
    if id == "flaky" && attempts == 1 { StatusCode::SERVICE_UNAVAILABLE } else { StatusCode::NO_CONTENT }
}

async fn fetch(State(server): State<Server>, Path(id): Path<String>) -> Response {
    match id.as_str() {
        "big" => ([("content-type", "application/octet-stream")], big_body()).into_response(),
        "slow" => {
            // The first half goes at once; the second only when the test says so.
            let (sender, chunks) = mpsc::channel(2);
            tokio::spawn(async move {
                let _ = sender.send(Ok(Bytes::from_static(b"first half;"))).await;
                server.release.notified().await;
                let _ = sender.send(Ok(Bytes::from_static(b"second half"))).await;
            });
            ([("content-type", "application/octet-stream")], Body::from_stream(Chunks(chunks))).into_response()
        }
        _ => (StatusCode::NOT_FOUND, [("content-type", "text/plain")], "no such blob").into_response(),
    }
}

async fn start() -> (String, Server) {
    let server = Server::default();
    let app = Router::new().route("/blobs/{id}", put(store).get(fetch)).with_state(server.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}"), server)
}

fn async_client(base_url: &str) -> AsyncClient {
    let retries = RetryPolicy::attempts(3).backoff(Duration::from_millis(1), Duration::from_millis(5));
    AsyncClient::from_builder(AsyncClient::builder().base_url(base_url).retry_policy(retries).max_response_bytes(64 * 1024))
        .expect("client")
}

#[tokio::test]
async fn an_upload_streams_from_an_async_stream_and_is_never_retried() {
    let (base_url, server) = start().await;
    let client = async_client(&base_url);

    let (sender, chunks) = mpsc::channel(4);
    tokio::spawn(async move {
        for part in ["one,", "two,", "three"] {
            let _ = sender.send(Ok(Bytes::from(part))).await;
        }
    });
    client.blobs().put("streamed", BinaryBody::stream(Chunks(chunks))).send().await.expect("stored");
    assert_eq!(server.uploads("streamed"), [b"one,two,three".to_vec()]);

    // A 503 is retried when the body is in memory, but a stream has gone and cannot be replayed.
    let (sender, chunks) = mpsc::channel(1);
    tokio::spawn(async move {
        let _ = sender.send(Ok(Bytes::from_static(b"once"))).await;
    });
    let error = client.blobs().put("flaky", BinaryBody::stream(Chunks(chunks))).send().await.expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.attempts(), Some(1), "{error}");
    assert_eq!(server.uploads("flaky"), [b"once".to_vec()]);

    client.blobs().put("flaky", b"again".to_vec()).send().await.expect("the retry stores it");
    assert_eq!(server.uploads("flaky"), [b"once".to_vec(), b"again".to_vec()], "one more attempt, not two");
}

#[tokio::test]
async fn a_failing_upload_stream_aborts_the_call() {
    let (base_url, server) = start().await;
    let client = async_client(&base_url);
    let (sender, chunks) = mpsc::channel(2);
    tokio::spawn(async move {
        let _ = sender.send(Ok(Bytes::from_static(b"partial"))).await;
        let _ = sender.send(Err(std::io::Error::other("disk on fire"))).await;
    });
    let error = client.blobs().put("broken", BinaryBody::stream(Chunks(chunks))).send().await.expect_err("aborted");
    assert!(matches!(error, Error::Transport { attempts: 1, .. }), "{error:?}");
    assert!(server.uploads("broken").iter().all(|body| body != b"partial"), "no complete body arrived");
}

#[tokio::test]
async fn a_download_is_read_as_it_arrives() {
    let (base_url, server) = start().await;
    let client = async_client(&base_url);

    // The server holds back its second half until the client has read the first: a client
    // that buffered the whole body would wait here forever. The call's timeout ends with the
    // headers, so a body slower than it still arrives.
    let call = client.blobs().get("slow").timeout(Duration::from_millis(300)).send_stream();
    let opened = tokio::time::timeout(Duration::from_secs(10), call).await;
    let mut stream = opened.expect("headers before the whole body").expect("headers arrived");
    assert_eq!(stream.status().as_u16(), 200);
    assert_eq!(stream.headers().get("content-type").map(|v| v.as_bytes()), Some(&b"application/octet-stream"[..]));
    let first = tokio::time::timeout(Duration::from_secs(10), stream.chunk()).await.expect("first half in time");
    assert_eq!(first.expect("read").as_deref(), Some(&b"first half;"[..]));
    tokio::time::sleep(Duration::from_millis(600)).await;
    server.release.notify_one();
    let rest = stream.collect(1024).await.expect("the rest");
    assert_eq!(&rest[..], b"second half");
}

#[tokio::test]
async fn the_size_limit_holds_for_send_but_not_for_a_stream() {
    let (base_url, _server) = start().await;
    let client = async_client(&base_url);

    let error = client.blobs().get("big").send().await.expect_err("over 64 KiB");
    assert!(matches!(error, Error::ResponseTooLarge { limit: 65536, .. }), "{error:?}");

    let stream = client.blobs().get("big").send_stream().await.expect("headers");
    assert_eq!(stream.content_length(), Some(1_100_000));
    let body = stream.collect(u64::MAX).await.expect("all of it");
    assert!(body == big_body(), "the streamed body differs ({} bytes)", body.len());

    // The caller's own limit still applies when it collects.
    let stream = client.blobs().get("big").send_stream().await.expect("headers");
    assert!(matches!(stream.collect(1000).await, Err(Error::ResponseTooLarge { limit: 1000, .. })));
}

#[tokio::test]
async fn an_error_status_is_an_error_not_a_stream() {
    let (base_url, _server) = start().await;
    let client = async_client(&base_url);
    let error = client.blobs().get("missing").send_stream().await.expect_err("404");
    let response = error.response().expect("the response is kept");
    assert_eq!((response.status.as_u16(), &response.body[..]), (404, &b"no such blob"[..]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_blocking_client_uploads_from_a_reader_and_downloads_into_a_writer() {
    let (base_url, server) = start().await;
    let outcome = tokio::task::spawn_blocking(move || {
        // `spawn_blocking` threads count as inside the runtime; the blocking client needs its own.
        std::thread::spawn(move || {
            let client = Client::from_builder(Client::builder().base_url(&base_url).max_response_bytes(64 * 1024))
                .expect("client");
            // A reader bigger than one read, so it goes in several chunks.
            client.blobs().put("from-reader", BinaryBody::reader(std::io::Cursor::new(big_body()))).send().expect("stored");

            let mut stream = client.blobs().get("big").send_stream().expect("headers");
            let mut copy = Vec::new();
            std::io::copy(&mut stream, &mut copy).expect("copied");

            // Chunk by chunk, as an iterator.
            let chunks: Result<Vec<Bytes>, Error> = client.blobs().get("big").send_stream().expect("headers").collect();
            let joined: Vec<u8> = chunks.expect("chunks").concat();

            // Reading on a thread of an async runtime fails instead of blocking it.
            let mut stream = client.blobs().get("big").send_stream().expect("headers");
            let runtime = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
            let inside = runtime.block_on(async { stream.read(&mut [0u8; 16]) });
            (copy, joined, inside.map_err(|e| e.to_string()))
        })
        .join()
    })
    .await;
    let (copy, joined, inside) = outcome.expect("joined").expect("no panic");
    assert!(server.uploads("from-reader") == [big_body()], "the uploaded bytes differ");
    assert!(copy == big_body(), "the copied body differs ({} bytes)", copy.len());
    assert!(joined == big_body(), "the chunks differ ({} bytes)", joined.len());
    let refused = inside.expect_err("refused inside a runtime");
    assert!(refused.contains("async runtime"), "{refused}");
}
