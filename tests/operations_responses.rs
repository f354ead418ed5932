//! Responses from `specs/operations_responses.yaml`: an enum where several statuses succeed,
//! `2XX` and `default`, typed error bodies per status, typed headers, binary bodies, and errors
//! that keep status, headers and raw bytes; against a server that answers what each test asks.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use specwright_conformance::specs::operations_responses::{AsyncClient, Client, responses, types};
use specwright_runtime::Error;

/// The answer the server gives next: status, headers, body.
#[derive(Clone, Default)]
struct Answer(Arc<Mutex<(u16, Vec<(&'static str, String)>, Vec<u8>)>>);

impl Answer {
    fn set(&self, status: u16, headers: &[(&'static str, &str)], body: &[u8]) {
        if let Ok(mut answer) = self.0.lock() {
            *answer = (status, headers.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(), body.to_vec());
        }
    }

    fn json(&self, status: u16, body: &str) {
        self.set(status, &[("content-type", "application/json")], body.as_bytes());
    }
}

async fn start() -> (String, Answer) {
    let answer = Answer::default();
    let state = answer.clone();
    let app = Router::new().fallback(move || {
        let state = state.clone();
        async move {
            let (status, headers, body) = state.0.lock().map(|a| a.clone()).unwrap_or_default();
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                if let Ok(value) = HeaderValue::from_str(&value) {
                    map.append(HeaderName::from_static(name), value);
                }
            }
            (StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR), map, body).into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}"), answer)
}

async fn client() -> (AsyncClient, Answer) {
    let (url, answer) = start().await;
    (AsyncClient::from_builder(AsyncClient::builder().base_url(url)).expect("client"), answer)
}

fn job() -> types::JobRequest {
    types::JobRequest { name: "nightly".into() }
}

#[tokio::test]
async fn several_success_statuses_give_an_enum() {
    let (client, answer) = client().await;

    answer.json(200, r#"{"name":"nightly","output":"done"}"#);
    let ran = client.jobs().submit(job()).send().await.expect("200");
    assert_eq!(ran, responses::JobsSubmitSuccess::Ok(types::JobResult { name: "nightly".into(), output: "done".into() }));

    answer.json(202, r#"{"ticket":"t-1"}"#);
    let queued = client.jobs().submit(job()).send().await.expect("202");
    assert_eq!(queued, responses::JobsSubmitSuccess::Accepted(types::Ticket { ticket: "t-1".into() }));

    answer.set(204, &[], b"");
    assert_eq!(client.jobs().submit(job()).send().await.expect("204"), responses::JobsSubmitSuccess::NoContent);

    // 201 is a success nobody documented: it reads as the first documented one, the 200.
    answer.json(201, r#"{"name":"nightly","output":"created"}"#);
    let created = client.jobs().submit(job()).send().await.expect("an undocumented 201");
    assert_eq!(created, responses::JobsSubmitSuccess::Ok(types::JobResult { name: "nightly".into(), output: "created".into() }));
    // A body that is not the 200's does not decode, and keeps what came.
    answer.json(201, "{}");
    let error = client.jobs().submit(job()).send().await.expect_err("not a JobResult");
    assert!(matches!(&error, Error::Decode { operation: "submitJob", .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(201));
    assert_eq!(error.raw_body().map(|body| body.as_ref()), Some(&b"{}"[..]));
}

#[tokio::test]
async fn documented_error_statuses_give_typed_bodies() {
    let (client, answer) = client().await;

    answer.json(409, r#"{"running":"nightly"}"#);
    let error = client.jobs().submit(job()).send().await.expect_err("409");
    assert_eq!(
        error.error_body(),
        Some(&responses::JobsSubmitErrorBody::Conflict(types::Conflict { running: "nightly".into() }))
    );
    assert_eq!(error.status().map(|s| s.as_u16()), Some(409));
    assert_eq!(error.to_string(), "`submitJob` got error status 409 Conflict");

    answer.json(422, r#"{"errors":["name is taken"]}"#);
    let error = client.jobs().submit(job()).send().await.expect_err("422");
    let Error::ErrorResponse { body: responses::JobsSubmitErrorBody::UnprocessableContent(problem), response, .. } = &error
    else {
        panic!("expected a 422 body, got {error:?}");
    };
    assert_eq!(problem.errors, vec!["name is taken".to_owned()]);
    assert_eq!(&response.body[..], br#"{"errors":["name is taken"]}"#);

    // `5XX` covers every server error, with `application/problem+json`.
    answer.set(503, &[("content-type", "application/problem+json")], br#"{"title":"down","status":503}"#);
    let error = client.jobs().submit(job()).send().await.expect_err("503");
    assert_eq!(
        error.error_body(),
        Some(&responses::JobsSubmitErrorBody::ServerError(types::Problem { title: "down".into(), status: Some(503) }))
    );
    assert!(error.is_retryable());

    // Not covered by any documented status: no typed body.
    answer.json(418, r#"{"title":"teapot"}"#);
    let error = client.jobs().submit(job()).send().await.expect_err("418");
    assert!(matches!(&error, Error::UnexpectedStatus { .. }), "{error:?}");

    // The untyped view keeps everything but the decoded body.
    answer.json(409, r#"{"running":"nightly"}"#);
    let error = client.jobs().submit(job()).send().await.expect_err("409").into_untyped();
    let Error::UnexpectedStatus { response, .. } = &error else { panic!("{error:?}") };
    assert_eq!(response.status.as_u16(), 409);
}

#[tokio::test]
async fn an_error_body_that_does_not_decode_keeps_status_headers_and_bytes() {
    let (client, answer) = client().await;

    answer.json(409, r#"{"running":42}"#);
    let error = client.jobs().submit(job()).send().await.expect_err("409");
    let Error::Decode { response, source, path, .. } = &error else { panic!("expected a decode error, got {error:?}") };
    assert_eq!(path, "running");
    assert_eq!(response.status.as_u16(), 409);
    assert_eq!(&response.body[..], br#"{"running":42}"#);
    assert!(source.to_string().contains("invalid type: integer `42`"), "{source}");

    // A proxy's HTML page for a documented status is no API error body: untyped, raw bytes kept.
    answer.set(502, &[("content-type", "text/html"), ("x-proxy", "edge-1")], b"<h1>Bad gateway</h1>");
    let error = client.jobs().submit(job()).send().await.expect_err("502");
    let Error::UnexpectedStatus { response, .. } = &error else { panic!("expected untyped, got {error:?}") };
    assert_eq!(&response.body[..], b"<h1>Bad gateway</h1>");
    assert_eq!(response.headers.get("x-proxy").and_then(|v| v.to_str().ok()), Some("edge-1"));
}

#[tokio::test]
async fn ranges_default_and_bodiless_errors() {
    let (client, answer) = client().await;

    // `2XX`: any success decodes as the job.
    answer.json(203, r#"{"name":"n","output":"o"}"#);
    assert_eq!(client.jobs().get("j1").send().await.expect("203").output, "o");

    // 404 and `default` share one schema, so the error body is that type itself.
    answer.json(404, r#"{"title":"no job j1"}"#);
    let error = client.jobs().get("j1").send().await.expect_err("404");
    assert_eq!(error.error_body().map(|p| p.title.as_str()), Some("no job j1"));
    answer.json(400, r#"{"title":"bad id"}"#);
    let error = client.jobs().get("j1").send().await.expect_err("default");
    assert_eq!(error.error_body().map(|p| p.title.as_str()), Some("bad id"));

    // 304 is documented without a body: untyped, not swallowed by `default`.
    answer.set(304, &[("etag", "\"v1\"")], b"");
    let error = client.jobs().get("j1").header("If-None-Match", "\"v1\"").send().await.expect_err("304");
    assert!(matches!(&error, Error::UnexpectedStatus { .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(304));

    // 204 for a delete; its documented 404 is typed, an undocumented 500 is not.
    answer.set(204, &[], b"");
    client.jobs().delete("j1").send().await.expect("204");
    answer.json(404, r#"{"title":"gone"}"#);
    let error = client.jobs().delete("j1").send().await.expect_err("404");
    assert_eq!(error.error_body().map(|p| p.title.as_str()), Some("gone"));
    answer.json(500, r#"{"title":"boom"}"#);
    let error = client.jobs().delete("j1").send().await.expect_err("500");
    assert!(matches!(&error, Error::UnexpectedStatus { .. }), "{error:?}");
}

#[tokio::test]
async fn default_alone_describes_success_and_failure() {
    let (client, answer) = client().await;
    answer.json(200, r#"{"pong":true}"#);
    assert_eq!(client.legacy().ping().send().await.expect("200").pong, Some(true));
    answer.json(500, r#"{"pong":false}"#);
    let error = client.legacy().ping().send().await.expect_err("500");
    assert_eq!(error.error_body().and_then(|body| body.pong), Some(false));
}

#[tokio::test]
async fn binary_bodies_come_back_as_bytes_and_errors_stay_typed() {
    let (client, answer) = client().await;
    answer.set(200, &[("content-type", "application/octet-stream")], b"\x00\x01log\xff");
    let log = client.jobs().get_log("j1").send().await.expect("200");
    assert_eq!(&log[..], b"\x00\x01log\xff");
    answer.json(404, r#"{"title":"no log"}"#);
    let error = client.jobs().get_log("j1").send().await.expect_err("404");
    assert_eq!(error.error_body().map(|p| p.title.as_str()), Some("no log"));
}

#[tokio::test]
async fn documented_headers_are_typed() {
    let (client, answer) = client().await;
    answer.set(
        202,
        &[("content-type", "application/json"), ("location", "/jobs/j9"), ("retry-after", "30")],
        br#"{"ticket":"t-9"}"#,
    );
    let (outcome, headers) = client.jobs().submit(job()).send_with_headers().await.expect("202");
    assert!(matches!(outcome, responses::JobsSubmitSuccess::Accepted(_)));
    assert_eq!(headers.location.as_deref(), Some("/jobs/j9"));
    assert_eq!(headers.retry_after, Some(30));

    answer.set(
        200,
        &[
            ("content-type", "application/json"),
            ("etag", "\"v2\""),
            ("x-rate-limit-remaining", "not a number"),
            ("x-flags", "a, b,c"),
        ],
        br#"{"name":"n","output":"o"}"#,
    );
    let (job, headers) = client.jobs().get("j1").send_with_headers().await.expect("200");
    assert_eq!(job.name, "n");
    assert_eq!(headers.e_tag.as_deref(), Some("\"v2\""));
    assert_eq!(headers.x_rate_limit_remaining, None, "a value that does not read as its type is None");
    assert_eq!(headers.x_flags, Some(vec!["a".to_owned(), "b".to_owned(), "c".to_owned()]));
}

#[test]
fn the_blocking_client_has_the_same_typed_results() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (url, answer) = runtime.block_on(start());
    let client = Client::from_builder(Client::builder().base_url(url)).expect("client");
    answer.json(202, r#"{"ticket":"t-2"}"#);
    let queued = client.jobs().submit(job()).send().expect("202");
    assert_eq!(queued, responses::JobsSubmitSuccess::Accepted(types::Ticket { ticket: "t-2".into() }));
    answer.json(409, r#"{"running":"x"}"#);
    let error = client.jobs().submit(job()).send().expect_err("409");
    assert!(matches!(error.error_body(), Some(responses::JobsSubmitErrorBody::Conflict(_))));
}
