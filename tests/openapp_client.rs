//! The generated OpenApp SDK (`openapp-client`) against a real local HTTP server.
//!
//! Each test starts its own axum server on `127.0.0.1:0`. The server answers a handful of OpenApp
//! endpoints under `/v1` with JSON that matches `specs/openapp.yaml`, and records every request it
//! receives (method, raw path, raw query, headers, body bytes), so the tests assert on exactly
//! what the client put on the wire, not only on what it decoded.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use openapp_client::{AsyncClient, Client, responses, types};
use serde_json::{Value, json};
use specwright_runtime::{Error, TimeoutKind};

// ---------------------------------------------------------------------------------------------
// The recording server
// ---------------------------------------------------------------------------------------------

/// One request as the server received it.
#[derive(Clone, Debug)]
struct Recorded {
    method: String,
    /// The path exactly as sent, percent-encoding included.
    path: String,
    /// The raw query string, without the `?`.
    query: Option<String>,
    /// Header names are lower case; values as sent.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Recorded {
    /// The values of every header called `name`.
    fn header_values(&self, name: &str) -> Vec<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().filter(|(n, _)| *n == name).map(|(_, v)| v.as_str()).collect()
    }

    /// The value of header `name`, which must appear at most once.
    fn header(&self, name: &str) -> Option<&str> {
        let values = self.header_values(name);
        assert!(values.len() <= 1, "header {name} sent {} times: {values:?}", values.len());
        values.first().copied()
    }

    /// The query as decoded `application/x-www-form-urlencoded` pairs, in order.
    fn query_pairs(&self) -> Vec<(String, String)> {
        let Some(query) = &self.query else { return Vec::new() };
        let url = specwright_runtime::__private::reqwest::Url::parse(&format!("http://x/?{query}"))
            .expect("the recorded query forms a URL");
        url.query_pairs().map(|(n, v)| (n.into_owned(), v.into_owned())).collect()
    }

    /// The body parsed as JSON.
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the client sent a JSON body")
    }
}

type Log = Arc<Mutex<Vec<Recorded>>>;

/// A running server and the log of what it received.
#[derive(Clone)]
struct TestServer {
    addr: SocketAddr,
    log: Log,
}

impl TestServer {
    /// The OpenApp base URL of this server.
    fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Everything received so far.
    fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("request log lock").clone()
    }

    /// The most recent request.
    fn last(&self) -> Recorded {
        self.requests().pop().expect("the server received a request")
    }

    fn count(&self) -> usize {
        self.log.lock().expect("request log lock").len()
    }
}

/// Starts the server on the current Tokio runtime.
async fn start_server() -> TestServer {
    let log: Log = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("the listener has an address");
    let app = Router::new().fallback(handle).with_state(log.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("the test server runs");
    });
    TestServer { addr, log }
}

/// Starts the server on its own multi-threaded runtime, for tests that run outside any runtime.
/// The server stops when the returned runtime is dropped.
fn start_server_in_background() -> (TestServer, tokio::runtime::Runtime) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("openapp-test-server")
        .enable_all()
        .build()
        .expect("a runtime for the test server");
    let server = runtime.block_on(start_server());
    (server, runtime)
}

/// An async client for `server` with an API key set, built the way reqwest's are.
fn async_client(server: &TestServer) -> AsyncClient {
    let client = AsyncClient::builder().base_url(server.base_url()).build().expect("an async client");
    client.set_api_key("key-123");
    client
}

/// Records the request, then answers it by method and path.
async fn handle(State(log): State<Log>, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.expect("a request body under 1 MiB");
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(name, value)| {
                (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned())
            })
            .collect(),
        body: body.to_vec(),
    };
    log.lock().expect("request log lock").push(recorded.clone());
    answer(&parts.method, &recorded).await
}

async fn answer(method: &Method, request: &Recorded) -> Response {
    let Some(rest) = request.path.strip_prefix("/v1/") else {
        return error(StatusCode::NOT_FOUND, "not_found");
    };
    let segments: Vec<String> = rest.split('/').map(percent_decode).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["status"]) => ok(json!({
            "status": "ok",
            "version": "1.4.2",
            "time": "2025-01-02T03:04:05Z",
            "uptimeSeconds": 86400,
        })),
        // A documented operation that answers with an undocumented, non-JSON error.
        ("GET", ["orgs", "explode"]) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain")],
            "boom",
        )
            .into_response(),
        // 200, but `name` and `createdAt` (required) are missing and `siteCount` is a string.
        ("GET", ["orgs", "broken"]) => ok(json!({"id": "broken", "siteCount": "many"})),
        ("GET", ["orgs", "slow"]) => {
            tokio::time::sleep(Duration::from_secs(2)).await;
            ok(organization("slow"))
        }
        ("GET", ["orgs", org]) => ok(organization(org)),
        ("GET", ["orgs", org, "devices"]) => {
            let mut response = ok(json!({
                "items": [
                    device(org, "dev-1", "Front door", "door"),
                    device(org, "dev-2", "Back door", "door"),
                ],
                "nextCursor": "page-2",
            }));
            response.headers_mut().insert("x-ratelimit-remaining", HeaderValue::from_static("99"));
            response
        }
        ("POST", ["orgs", org, "devices"]) => {
            let sent = request.json();
            let mut created = device(org, "dev-new", "", "door");
            for field in ["siteId", "name", "kind", "serialNumber", "attributes", "tags"] {
                if let Some(value) = sent.get(field) {
                    created[field] = value.clone();
                }
            }
            created["status"] = json!("offline");
            created["firmwareVersion"] = Value::Null;
            let mut response = (StatusCode::CREATED, axum::Json(created)).into_response();
            response.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_static("/v1/orgs/org-1/devices/dev-new"),
            );
            response
        }
        ("GET", ["orgs", _, "devices", "missing"]) => error(StatusCode::NOT_FOUND, "device_not_found"),
        ("GET", ["orgs", _, "devices", "missing", "snapshot"]) => error(StatusCode::NOT_FOUND, "device_not_found"),
        ("GET", ["orgs", _, "devices", _, "snapshot"]) => {
            ([(header::CONTENT_TYPE, "image/jpeg")], &b"\xff\xd8\xff\xe0JFIF"[..]).into_response()
        }
        ("PUT", ["orgs", _, "sites", _, "floor-plan"]) => StatusCode::NO_CONTENT.into_response(),
        ("PUT", ["orgs", _, "devices", _, "firmware"]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["orgs", org, "devices", "dev-online", "commands"]) => ok(device(org, "dev-online", "Gate", "door")),
        // A 201 the spec does not document, with the 200's body.
        ("POST", ["orgs", org, "devices", "dev-201", "commands"]) => {
            (StatusCode::CREATED, axum::Json(device(org, "dev-201", "Gate", "door"))).into_response()
        }
        // A documented 404 whose body does not fit the error schema (no `code`, no `message`).
        ("GET", ["orgs", _, "devices", "odd-404"]) => (StatusCode::NOT_FOUND, axum::Json(json!({"detail": "gone"}))).into_response(),
        ("GET", ["orgs", org, "devices", id]) => {
            let mut response = ok(device(org, id, "Front door", "door"));
            response.headers_mut().insert(header::ETAG, HeaderValue::from_static("\"v7\""));
            response.headers_mut().insert("x-request-id", HeaderValue::from_static("req-42"));
            response
        }
        ("PATCH", ["orgs", org, "devices", id]) => {
            let mut updated = device(org, id, "Front door", "door");
            if let Some(name) = request.json().get("name") {
                updated["name"] = name.clone();
            }
            ok(updated)
        }
        ("DELETE", ["orgs", _, "devices", _]) => StatusCode::NO_CONTENT.into_response(),
        ("POST", ["orgs", _, "devices", id, "commands"]) => (
            StatusCode::ACCEPTED,
            axum::Json(json!({
                "commandId": "cmd-9",
                "deviceId": id,
                "accepted": true,
                "issuedAt": "2025-01-02T03:04:05Z",
            })),
        )
            .into_response(),
        ("GET", ["orgs", _, "events"]) => ok(json!({
            "items": [{
                "id": "evt-1",
                "sequence": 1048576,
                "deviceId": "dev-1",
                "result": "denied",
                "reason": "expired",
                "occurredAt": "2025-01-02T03:04:05Z",
            }],
        })),
        _ => error(StatusCode::NOT_FOUND, "not_found"),
    }
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn error(status: StatusCode, code: &str) -> Response {
    (status, axum::Json(json!({"code": code, "message": "no such thing"}))).into_response()
}

fn organization(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Acme Logistics",
        "plan": "enterprise",
        "features": ["mobile-credentials", "video"],
        "siteCount": 3,
        "createdAt": "2024-05-06T07:08:09Z",
    })
}

fn device(org: &str, id: &str, name: &str, kind: &str) -> Value {
    json!({
        "id": id,
        "orgId": org,
        "siteId": "site-1",
        "name": name,
        "kind": kind,
        "status": "online",
        "firmwareVersion": "4.2.1",
        "tags": ["lobby"],
        "createdAt": "2024-05-06T07:08:09Z",
    })
}

/// Decodes `%XX` escapes of one path segment (the server's view of a path parameter).
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| segment.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. The async client, operation by operation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn status_is_anonymous_even_when_credentials_are_set() {
    let server = start_server().await;
    let client = async_client(&server);
    client.set_bearer("jwt-abc");

    let status = client.status().get().send().await.expect("getStatus succeeds");

    assert_eq!(status.status, types::StatusStatus::Ok);
    assert_eq!(status.version, "1.4.2");
    assert_eq!(status.time.to_rfc3339(), "2025-01-02T03:04:05+00:00");
    assert_eq!(status.uptime_seconds, Some(86400));

    let sent = server.last();
    assert_eq!(sent.method, "GET");
    assert_eq!(sent.path, "/v1/status");
    assert_eq!(sent.query, None);
    assert!(sent.body.is_empty());
    // `/status` has `security: []`: no credential may leave the client.
    assert_eq!(sent.header("x-api-key"), None);
    assert_eq!(sent.header("authorization"), None);
}

#[tokio::test]
async fn a_trailing_slash_on_the_base_url_does_not_double_the_slash() {
    let server = start_server().await;
    let client = AsyncClient::from_builder(
        AsyncClient::builder().base_url(format!("{}/", server.base_url())),
    )
    .expect("an async client");

    client.status().get().send().await.expect("getStatus succeeds");

    assert_eq!(server.last().path, "/v1/status");
}

#[tokio::test]
async fn get_org_sends_the_api_key_and_decodes_the_organization() {
    let server = start_server().await;
    let client = async_client(&server);

    let org = client.orgs().get("org-1").send().await.expect("getOrg succeeds");

    assert_eq!(org.id, "org-1");
    assert_eq!(org.name, "Acme Logistics");
    assert_eq!(org.plan.as_deref(), Some("enterprise"));
    assert_eq!(
        org.features,
        Some(vec!["mobile-credentials".to_owned(), "video".to_owned()])
    );
    assert_eq!(org.site_count, Some(3));
    assert_eq!(org.created_at.to_rfc3339(), "2024-05-06T07:08:09+00:00");

    let sent = server.last();
    assert_eq!(sent.method, "GET");
    assert_eq!(sent.path, "/v1/orgs/org-1");
    assert_eq!(sent.query, None);
    assert_eq!(sent.header("x-api-key"), Some("key-123"));
    assert_eq!(sent.header("authorization"), None);
}

#[tokio::test]
async fn list_devices_sends_only_the_query_parameters_that_were_set() {
    let server = start_server().await;
    let client = async_client(&server);

    let page = client
        .devices()
        .list("org-1")
        .kind(types::DeviceKind::Door)
        .limit(20)
        .send()
        .await
        .expect("listDevices succeeds");

    assert_eq!(page.items.len(), 2);
    assert_eq!(page.items[0].id, "dev-1");
    assert_eq!(page.items[0].kind, types::DeviceKind::Door);
    assert_eq!(page.items[0].status, types::DeviceStatus::Online);
    assert_eq!(page.items[0].firmware_version, Some("4.2.1".to_owned()));
    assert_eq!(page.items[1].name, "Back door");
    assert_eq!(page.next_cursor.as_deref(), Some("page-2"));

    let sent = server.last();
    assert_eq!(sent.method, "GET");
    assert_eq!(sent.path, "/v1/orgs/org-1/devices");
    assert_eq!(sent.query.as_deref(), Some("kind=door&limit=20"));
    assert_eq!(sent.query_pairs(), pairs(&[("kind", "door"), ("limit", "20")]));

    // No optional parameter set: no query string at all.
    client.devices().list("org-1").send().await.expect("listDevices succeeds");
    assert_eq!(server.last().query, None);

    // Every parameter set, values that need escaping included, in the spec's order.
    client
        .devices()
        .list("org-1")
        .site_id("site 1&x=y")
        .cursor("page-2")
        .kind(types::DeviceKind::Camera)
        .send()
        .await
        .expect("listDevices succeeds");
    let sent = server.last();
    assert_eq!(
        sent.query_pairs(),
        pairs(&[("siteId", "site 1&x=y"), ("kind", "camera"), ("cursor", "page-2")])
    );
}

#[tokio::test]
async fn list_events_sends_query_and_header_parameters() {
    let server = start_server().await;
    let client = async_client(&server);

    let events = client
        .events()
        .list("org-1")
        .since(
            specwright_runtime::__private::chrono::DateTime::parse_from_rfc3339("2025-01-01T00:00:00+01:00")
                .expect("a valid date-time")
                .to_utc(),
        )
        .device_id("dev-1")
        .x_request_id("trace-7")
        .send()
        .await
        .expect("listEvents succeeds");

    assert_eq!(events.items.len(), 1);
    assert_eq!(events.items[0].sequence, 1048576);
    assert_eq!(events.items[0].result, types::AccessEventResult::Denied);
    assert_eq!(events.items[0].reason.as_deref(), Some("expired"));
    assert_eq!(events.next_cursor, None);

    let sent = server.last();
    assert_eq!(sent.path, "/v1/orgs/org-1/events");
    // A typed date-time goes out as RFC 3339 in UTC.
    assert_eq!(
        sent.query_pairs(),
        pairs(&[("since", "2024-12-31T23:00:00Z"), ("deviceId", "dev-1")])
    );
    assert_eq!(sent.header("x-request-id"), Some("trace-7"));
}

#[tokio::test]
async fn create_device_sends_the_json_body_and_decodes_the_201() {
    let server = start_server().await;
    let client = async_client(&server);
    let body = types::CreateDevice {
        site_id: "site-1".to_owned(),
        name: "Loading bay door 2".to_owned(),
        kind: types::DeviceKind::Door,
        serial_number: Some("SN-0042".to_owned()),
        attributes: Some([("vendor".to_owned(), "acme".to_owned())].into_iter().collect()),
        tags: None,
    };

    let created =
        client.devices().create("org-1", body).send().await.expect("createDevice succeeds");

    let sent = server.last();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v1/orgs/org-1/devices");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.header("x-api-key"), Some("key-123"));
    // Absent optional fields are omitted, not sent as null.
    assert_eq!(
        sent.json(),
        json!({
            "siteId": "site-1",
            "name": "Loading bay door 2",
            "kind": "door",
            "serialNumber": "SN-0042",
            "attributes": {"vendor": "acme"},
        })
    );

    assert_eq!(created.id, "dev-new");
    assert_eq!(created.org_id, "org-1");
    assert_eq!(created.name, "Loading bay door 2");
    assert_eq!(created.status, types::DeviceStatus::Offline);
    assert_eq!(created.serial_number.as_deref(), Some("SN-0042"));
    // `firmwareVersion: null` reads as `None`: outside a PATCH body, absent and null are one state.
    assert_eq!(created.firmware_version, None);
}

#[tokio::test]
async fn update_device_sends_if_match_and_a_partial_body() {
    let server = start_server().await;
    let client = async_client(&server);
    let patch = types::UpdateDevice { name: Some("Side door".to_owned()), ..Default::default() };

    let updated = client
        .devices()
        .update("org-1", "dev-1", patch.clone())
        .header("If-Match", "\"etag-1\"")
        .send()
        .await
        .expect("updateDevice succeeds");

    assert_eq!(updated.id, "dev-1");
    assert_eq!(updated.name, "Side door");
    let sent = server.last();
    assert_eq!(sent.method, "PATCH");
    assert_eq!(sent.path, "/v1/orgs/org-1/devices/dev-1");
    assert_eq!(sent.header("if-match"), Some("\"etag-1\""));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.json(), json!({"name": "Side door"}));

    // The typed header parameter works on its own ...
    client
        .devices()
        .update("org-1", "dev-1", patch.clone())
        .if_match("\"etag-2\"")
        .send()
        .await
        .expect("updateDevice succeeds");
    assert_eq!(server.last().header("if-match"), Some("\"etag-2\""));

    // ... and a per-call header overrides it rather than being sent beside it.
    client
        .devices()
        .update("org-1", "dev-1", patch)
        .if_match("\"typed\"")
        .header("If-Match", "\"per-call\"")
        .send()
        .await
        .expect("updateDevice succeeds");
    assert_eq!(server.last().header_values("if-match"), vec!["\"per-call\""]);
}

#[tokio::test]
async fn delete_device_accepts_204_without_a_body() {
    let server = start_server().await;
    let client = async_client(&server);

    let () = client.devices().delete("org-1", "dev-1").send().await.expect("deleteDevice succeeds");

    let sent = server.last();
    assert_eq!(sent.method, "DELETE");
    assert_eq!(sent.path, "/v1/orgs/org-1/devices/dev-1");
    assert!(sent.body.is_empty());
    assert_eq!(sent.header("content-type"), None);
    assert_eq!(sent.header("x-api-key"), Some("key-123"));
}

#[tokio::test]
async fn send_command_posts_the_command_and_decodes_the_202() {
    let server = start_server().await;
    let client = async_client(&server);
    let command = types::DeviceCommand {
        action: types::DeviceCommandAction::Unlock,
        duration_seconds: Some(10),
    };

    let outcome = client
        .devices()
        .send_command("org-1", "dev-1", command.clone())
        .send()
        .await
        .expect("sendDeviceCommand succeeds");

    let responses::DevicesSendCommandSuccess::Accepted(result) = outcome else {
        panic!("expected the 202, got {outcome:?}");
    };
    assert_eq!(result.command_id, "cmd-9");
    assert_eq!(result.device_id, "dev-1");
    assert!(result.accepted);
    assert_eq!(result.issued_at.to_rfc3339(), "2025-01-02T03:04:05+00:00");
    let sent = server.last();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/v1/orgs/org-1/devices/dev-1/commands");
    assert_eq!(sent.json(), json!({"action": "unlock", "durationSeconds": 10}));

    // An online device runs the command at once: 200 with its new state.
    let outcome = client.devices().send_command("org-1", "dev-online", command.clone()).send().await.expect("200");
    let responses::DevicesSendCommandSuccess::Ok(device) = outcome else { panic!("expected the 200, got {outcome:?}") };
    assert_eq!(device.id, "dev-online");

    // A 2xx the spec does not list reads as the first documented success.
    let outcome = client.devices().send_command("org-1", "dev-201", command).send().await.expect("an undocumented 201");
    let responses::DevicesSendCommandSuccess::Ok(device) = outcome else { panic!("expected the 200's body, got {outcome:?}") };
    assert_eq!(device.id, "dev-201");
}

#[tokio::test]
async fn an_error_body_that_does_not_fit_its_schema_keeps_status_and_raw_body() {
    let server = start_server().await;
    let client = async_client(&server);
    let error = client.devices().get("org-1", "odd-404").send().await.expect_err("404");
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(error.error_body().is_none());
    let raw: Value = error.raw_body().and_then(|body| serde_json::from_slice(body).ok()).expect("the raw body");
    assert_eq!(raw, json!({"detail": "gone"}));
}

#[tokio::test]
async fn documented_errors_decode_to_the_error_schema() {
    let server = start_server().await;
    let client = async_client(&server);
    let error = client.devices().get("org-1", "missing").send().await.expect_err("404");
    let body = error.error_body().expect("a typed error body");
    assert_eq!(body.code, "device_not_found");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.to_string(), "`getDevice` got error status 404 Not Found");
}

#[tokio::test]
async fn typed_headers_binary_bodies_multipart_and_cookies() {
    let server = start_server().await;
    let client = async_client(&server);

    let (page, headers) = client.devices().list("org-1").send_with_headers().await.expect("listDevices");
    assert_eq!(page.items.len(), 2);
    assert_eq!(headers.x_rate_limit_remaining, Some(99));

    let jpeg = client.devices().get_snapshot("org-1", "cam-1").send().await.expect("snapshot");
    assert_eq!(&jpeg[..], b"\xff\xd8\xff\xe0JFIF");

    let plan = types::SitesUploadFloorPlanBody {
        file: specwright_runtime::FilePart::new(b"\x89PNG".to_vec()).file_name("plan.png"),
        caption: Some("Ground floor".into()),
    };
    client.sites().upload_floor_plan("org-1", "site-1", plan).send().await.expect("upload");
    let sent = server.last();
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.path, "/v1/orgs/org-1/sites/site-1/floor-plan");
    let text = String::from_utf8_lossy(&sent.body);
    // The part's type comes from the spec's `encoding` when the caller gives none.
    assert!(text.contains("name=\"file\"; filename=\"plan.png\"\r\nContent-Type: image/png\r\n"), "{text}");
    assert!(text.contains("name=\"caption\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGround floor"), "{text}");

    client.events().list("org-1").display_tz("Europe/Amsterdam").send().await.expect("listEvents");
    assert_eq!(server.last().header("cookie"), Some("display_tz=Europe%2FAmsterdam"));
}

#[tokio::test]
async fn firmware_streams_up_and_snapshots_stream_down() {
    let server = start_server().await;
    let client = async_client(&server);
    let checksum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    // From a blocking reader (a file, say), chunk by chunk on a background thread.
    let image = std::io::Cursor::new(b"FWIMG\x00\x01".repeat(20_000));
    client
        .devices()
        .upload_firmware("org-1", "dev-1", checksum, specwright_runtime::BinaryBody::reader(image))
        .send()
        .await
        .expect("uploadDeviceFirmware");
    let sent = server.last();
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("PUT", "/v1/orgs/org-1/devices/dev-1/firmware"));
    assert_eq!(sent.header("content-type"), Some("application/octet-stream"));
    assert_eq!(sent.header("x-firmware-sha256"), Some(checksum));
    assert!(sent.body == b"FWIMG\x00\x01".repeat(20_000), "the image arrived changed ({} bytes)", sent.body.len());

    // Bytes in memory convert in as well.
    client.devices().upload_firmware("org-1", "dev-1", checksum, b"tiny".to_vec()).send().await.expect("small image");
    assert_eq!(server.last().body, b"tiny");

    let mut snapshot = client.devices().get_snapshot("org-1", "cam-1").send_stream().await.expect("snapshot");
    assert_eq!(snapshot.headers().get("content-type").map(|v| v.as_bytes()), Some(&b"image/jpeg"[..]));
    let mut jpeg = Vec::new();
    while let Some(chunk) = snapshot.chunk().await.expect("a chunk") {
        jpeg.extend_from_slice(&chunk);
    }
    assert_eq!(jpeg, b"\xff\xd8\xff\xe0JFIF");

    // An error status still decodes into the typed error body.
    let missing = client.devices().get_snapshot("org-1", "missing").send_stream().await.expect_err("404");
    assert_eq!(missing.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(missing.error_body().map(|body| body.code.as_str()), Some("device_not_found"));
}

#[test]
fn servers_are_typed_choices() {
    use openapp_client::servers;
    assert_eq!(openapp_client::DEFAULT_BASE_URL, "https://eu.api.openapp.example/v1");
    assert_eq!(servers::Production::default().url(), "https://eu.api.openapp.example/v1");
    let us = servers::Production { region: servers::ProductionRegion::Us };
    assert_eq!(us.url(), "https://us.api.openapp.example/v1");
    assert_eq!(servers::Sandbox { version: "v2".into() }.url(), "https://sandbox.openapp.example/v2");
    // The user's base URL always wins over the spec's.
    let client = AsyncClient::from_builder(AsyncClient::builder().base_url(us.url())).expect("client");
    assert_eq!(client.base_url(), "https://us.api.openapp.example/v1");
}

/// Whether `T` implements `Serialize` / `Deserialize`, told apart at compile time.
struct Probe<T>(std::marker::PhantomData<T>);
trait SerializeYes {
    fn serializes(&self) -> bool {
        true
    }
}
impl<T: serde::Serialize> SerializeYes for &Probe<T> {}
trait SerializeNo {
    fn serializes(&self) -> bool {
        false
    }
}
impl<T> SerializeNo for Probe<T> {}
trait DeserializeYes {
    fn deserializes(&self) -> bool {
        true
    }
}
impl<T: serde::de::DeserializeOwned> DeserializeYes for &Probe<T> {}
trait DeserializeNo {
    fn deserializes(&self) -> bool {
        false
    }
}
impl<T> DeserializeNo for Probe<T> {}
macro_rules! serde_of {
    ($ty:ty) => {
        (
            (&&Probe::<$ty>(std::marker::PhantomData)).serializes(),
            (&&Probe::<$ty>(std::marker::PhantomData)).deserializes(),
        )
    };
}

#[test]
fn types_get_the_serde_impls_of_their_direction() {
    // Received only, sent only, both (a request body's enum field that responses carry too).
    assert_eq!(serde_of!(types::Credential), (false, true));
    assert_eq!(serde_of!(types::CreateCredential), (true, false));
    assert_eq!(serde_of!(types::DeviceKind), (true, true));
    // `full_serde(true)`: every type both ways.
    use specwright_conformance::specs::openapp_flat;
    assert_eq!(serde_of!(openapp_flat::types::Credential), (true, true));
    assert_eq!(serde_of!(openapp_flat::types::CreateCredential), (true, true));
}

#[test]
fn a_discriminated_one_of_decodes_by_its_tag() {
    use specwright_conformance::specs::openapp_flat::types;
    let credential: types::Credential = serde_json::from_value(json!({
        "id": "cred-1", "orgId": "org-1", "kind": "card", "holderName": "Jane Doe",
        "validFrom": "2025-01-01T00:00:00Z", "createdAt": "2025-01-01T00:00:00Z",
        "medium": {"type": "card", "cardNumber": "0042", "facilityCode": 7},
    }))
    .expect("a credential");
    let Some(types::CredentialMedium::CardMedium(card)) = &credential.medium else {
        panic!("expected a card, got {:?}", credential.medium);
    };
    assert_eq!((card.card_number.as_str(), card.facility_code), ("0042", Some(7)));
    let back = serde_json::to_value(&credential).expect("serializes");
    assert_eq!(back["medium"], json!({"type": "card", "cardNumber": "0042", "facilityCode": 7}));
}

#[tokio::test]
async fn the_flat_client_has_every_operation_on_itself() {
    use specwright_conformance::specs::openapp_flat;
    let server = start_server().await;
    let client = openapp_flat::AsyncClient::from_builder(openapp_flat::AsyncClient::builder().base_url(server.base_url()))
        .expect("client");
    client.set_api_key("key-123");
    let page = client.list_devices("org-1").limit(5).send().await.expect("listDevices");
    assert_eq!(page.items.len(), 2);
    let sent = server.last();
    assert_eq!((sent.path.as_str(), sent.query.as_deref()), ("/v1/orgs/org-1/devices", Some("limit=5")));
    client.get_device_snapshot("org-1", "cam-1").send().await.expect("snapshot");
}

// ---------------------------------------------------------------------------------------------
// 2. Security requirements
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn bearer_alone_is_sent_as_authorization() {
    let server = start_server().await;
    let client = AsyncClient::from_builder(AsyncClient::builder().base_url(server.base_url()))
        .expect("an async client");
    client.set_bearer("jwt-abc");

    client.orgs().get("org-1").send().await.expect("getOrg succeeds");

    let sent = server.last();
    assert_eq!(sent.header("authorization"), Some("Bearer jwt-abc"));
    assert_eq!(sent.header("x-api-key"), None);
}

#[tokio::test]
async fn with_both_credentials_the_first_requirement_wins() {
    let server = start_server().await;
    let client = async_client(&server);
    client.set_bearer("jwt-abc");

    client.orgs().get("org-1").send().await.expect("getOrg succeeds");
    let sent = server.last();
    assert_eq!(sent.header("x-api-key"), Some("key-123"));
    assert_eq!(sent.header("authorization"), None);

    // Clearing the API key falls back to the second requirement.
    client.clear_api_key();
    client.orgs().get("org-1").send().await.expect("getOrg succeeds");
    let sent = server.last();
    assert_eq!(sent.header("x-api-key"), None);
    assert_eq!(sent.header("authorization"), Some("Bearer jwt-abc"));
}

#[test]
fn a_request_builder_debug_names_the_operation_but_not_its_parameters() {
    let client = AsyncClient::from_builder(AsyncClient::builder().base_url("http://127.0.0.1:9")).expect("an async client");
    let patch = types::UpdateDevice { name: Some("name-secret".to_owned()), ..Default::default() };
    let builder = client.devices().update("org-secret", "dev-secret", patch).if_match("etag-secret");
    let shown = format!("{builder:?}");
    assert_eq!(shown, "DevicesUpdate { .. }");
}

#[tokio::test]
async fn without_credentials_nothing_is_sent_and_the_error_names_the_requirements() {
    let server = start_server().await;
    let client = AsyncClient::from_builder(AsyncClient::builder().base_url(server.base_url()))
        .expect("an async client");
    client.set_api_key("sk-live-supersecret");
    client.set_bearer("jwt-supersecret");
    for shown in [format!("{client:?}"), format!("{:?}", client.orgs().get("org-1"))] {
        assert!(!shown.contains("supersecret"), "Debug shows a credential: {shown}");
    }

    client.clear_credentials();
    let error = client.orgs().get("org-1").send().await.expect_err("no credentials are set");

    assert!(
        matches!(&error, Error::Unauthenticated { operation: "getOrg", .. }),
        "expected Unauthenticated, got {error:?}"
    );
    assert_eq!(server.count(), 0, "the request must not be sent: {:?}", server.requests());
    let display = error.to_string();
    assert!(display.contains("{apiKey} or {bearer}"), "{display}");
    assert!(display.contains("getOrg"), "{display}");
    for shown in [display, format!("{error:?}"), format!("{client:?}")] {
        assert!(!shown.contains("supersecret"), "a credential leaked: {shown}");
    }

    // Anonymous operations still work without credentials.
    client.status().get().send().await.expect("getStatus needs no credentials");
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn errors_of_authenticated_calls_do_not_show_the_credential() {
    let server = start_server().await;
    let client = AsyncClient::from_builder(AsyncClient::builder().base_url(server.base_url()))
        .expect("an async client");
    client.set_api_key("sk-live-supersecret");

    let error = client.orgs().get("explode").send().await.expect_err("the server fails");

    assert_eq!(server.last().header("x-api-key"), Some("sk-live-supersecret"));
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains("supersecret"), "a credential leaked: {shown}");
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Path parameters
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn path_parameters_are_one_percent_encoded_segment() {
    let server = start_server().await;
    let client = async_client(&server);

    let device =
        client.devices().get("org 1", "a/b ../c?d").send().await.expect("getDevice succeeds");

    let sent = server.last();
    assert_eq!(sent.path, "/v1/orgs/org%201/devices/a%2Fb%20..%2Fc%3Fd");
    assert_eq!(sent.query, None, "`?` in a path value must not start a query");
    // The server saw the values the caller passed, each as one segment.
    assert_eq!(device.id, "a/b ../c?d");
    assert_eq!(device.org_id, "org 1");
}

#[tokio::test]
async fn dot_segments_are_refused_before_sending() {
    let server = start_server().await;
    let client = async_client(&server);

    for id in ["..", "."] {
        let error = client.devices().delete("org-1", id).send().await.expect_err("refused");
        assert!(matches!(error, Error::Encode { operation: "deleteDevice", .. }), "{error:?}");
    }
    assert_eq!(server.count(), 0, "nothing may be sent: {:?}", server.requests());
}

// ---------------------------------------------------------------------------------------------
// 4. Error responses
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_undocumented_status_keeps_status_and_raw_body() {
    let server = start_server().await;
    let client = async_client(&server);

    let error = client.orgs().get("explode").send().await.expect_err("the server fails");

    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    let Error::UnexpectedStatus { operation, response } = &error else {
        panic!("expected UnexpectedStatus, got {error:?}");
    };
    assert_eq!(*operation, "getOrg");
    assert_eq!(response.status.as_u16(), 500);
    assert_eq!(&response.body[..], b"boom");
    assert_eq!(
        response.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/plain")
    );
    assert!(error.to_string().contains("500"), "{error}");
}

#[tokio::test]
async fn a_body_that_does_not_match_the_schema_is_a_decode_error_with_the_raw_body() {
    let server = start_server().await;
    let client = async_client(&server);

    let error = client.orgs().get("broken").send().await.expect_err("the body is invalid");

    let Error::Decode { operation, response, path, .. } = &error else {
        panic!("expected Decode, got {error:?}");
    };
    assert_eq!(*operation, "getOrg");
    // The message names the field the server got wrong.
    assert_eq!(path, "siteCount");
    assert!(
        error.to_string().starts_with("could not decode the response of `getOrg` (status 200 OK) at `siteCount`: invalid type: string \"many\""),
        "{error}"
    );
    assert_eq!(response.status.as_u16(), 200);
    let raw: Value = serde_json::from_slice(&response.body).expect("the raw body is kept");
    assert_eq!(raw, json!({"id": "broken", "siteCount": "many"}));
    assert_eq!(error.status().map(|s| s.as_u16()), Some(200));
    assert_eq!(error.raw_body().map(|body| body.as_ref()), Some(response.body.as_ref()));
    assert!(error.headers().is_some_and(|headers| headers.contains_key("content-type")));
}

/// The way out when a server does not match its spec: `send_raw()` sends the call as usual
/// (credentials, retries) and hands back status, headers and bytes; `decode` reads them into
/// a type of the user's own.
#[tokio::test]
async fn send_raw_returns_what_came_whatever_the_status_and_decodes_into_any_type() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct LooseOrg {
        id: String,
        #[serde(rename = "siteCount")]
        site_count: String,
    }
    let server = start_server().await;
    let client = async_client(&server);

    let raw = client.orgs().get("broken").send_raw().await.expect("sent");
    assert_eq!(raw.status.as_u16(), 200);
    assert_eq!(raw.decode::<LooseOrg>().ok(), Some(LooseOrg { id: "broken".into(), site_count: "many".into() }));
    let strict = raw.decode::<types::Organization>().expect_err("not an Organization");
    assert!(matches!(&strict, Error::Decode { path, .. } if path == "siteCount"), "{strict:?}");
    assert_eq!(server.last().header("x-api-key"), Some("key-123"), "credentials go as on send()");

    // An error status is a response too, not an error.
    let raw = client.orgs().get("explode").send_raw().await.expect("a response");
    assert_eq!((raw.status.as_u16(), raw.text().as_ref()), (500, "boom"));
    assert!(raw.decode::<Value>().is_err(), "`boom` is no JSON");
}

// ---------------------------------------------------------------------------------------------
// 5. The whole response
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn send_with_response_shows_status_and_headers() {
    let server = start_server().await;
    let client = async_client(&server);

    let response = client
        .devices()
        .get("org-1", "dev-1")
        .send_with_response()
        .await
        .expect("getDevice succeeds");

    assert_eq!(response.status.as_u16(), 200);
    assert_eq!(response.headers.get("etag").and_then(|v| v.to_str().ok()), Some("\"v7\""));
    assert_eq!(response.headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("req-42"));
    assert_eq!(response.body.id, "dev-1");

    let created = client
        .devices()
        .create(
            "org-1",
            types::CreateDevice {
                site_id: "site-1".to_owned(),
                name: "Lobby camera".to_owned(),
                kind: types::DeviceKind::Camera,
                serial_number: None,
                attributes: None,
                tags: Some(vec!["lobby".to_owned()]),
            },
        )
        .send_with_response()
        .await
        .expect("createDevice succeeds");
    assert_eq!(created.status.as_u16(), 201);
    assert_eq!(
        created.headers.get("location").and_then(|v| v.to_str().ok()),
        Some("/v1/orgs/org-1/devices/dev-new")
    );
    assert_eq!(created.into_body().kind, types::DeviceKind::Camera);

    let deleted = client
        .devices()
        .delete("org-1", "dev-1")
        .send_with_response()
        .await
        .expect("deleteDevice succeeds");
    assert_eq!(deleted.status.as_u16(), 204);
}

// ---------------------------------------------------------------------------------------------
// 6. The blocking client
// ---------------------------------------------------------------------------------------------

/// Runs `f` on its own thread and fails the test if it has not finished within `limit`, so that
/// a deadlock is a failure, not a hung test run.
fn within<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(f());
    });
    result.recv_timeout(limit).expect("finished in time (no deadlock, no panic)")
}

fn blocking_client(server: &TestServer) -> Client {
    let client = Client::from_builder(Client::builder().base_url(server.base_url()))
        .expect("a blocking client");
    client.set_api_key("key-123");
    client
}

#[test]
fn blocking_client_has_the_same_surface() {
    let (server, _runtime) = start_server_in_background();
    let client = blocking_client(&server);

    let status = client.status().get().send().expect("getStatus succeeds");
    assert_eq!(status.status, types::StatusStatus::Ok);
    assert_eq!(server.last().header("x-api-key"), None);

    let org = client.orgs().get("org-1").send().expect("getOrg succeeds");
    assert_eq!(org.name, "Acme Logistics");
    assert_eq!(server.last().header("x-api-key"), Some("key-123"));

    let page = client
        .devices()
        .list("org-1")
        .kind(types::DeviceKind::Door)
        .limit(20)
        .send()
        .expect("listDevices succeeds");
    assert_eq!(page.items.len(), 2);
    assert_eq!(server.last().query.as_deref(), Some("kind=door&limit=20"));

    let created = client
        .devices()
        .create(
            "org-1",
            types::CreateDevice {
                site_id: "site-1".to_owned(),
                name: "Gate".to_owned(),
                kind: types::DeviceKind::Panel,
                serial_number: None,
                attributes: None,
                tags: None,
            },
        )
        .send_with_response()
        .expect("createDevice succeeds");
    assert_eq!(created.status.as_u16(), 201);
    assert_eq!(created.body.kind, types::DeviceKind::Panel);
    assert_eq!(server.last().json(), json!({"siteId": "site-1", "name": "Gate", "kind": "panel"}));

    client
        .devices()
        .update("org-1", "dev-1", types::UpdateDevice::default())
        .if_match("\"v7\"")
        .send()
        .expect("updateDevice succeeds");
    assert_eq!(server.last().header("if-match"), Some("\"v7\""));
    assert_eq!(server.last().json(), json!({}));

    client.devices().delete("org-1", "dev-1").send().expect("deleteDevice succeeds");
    assert_eq!(server.last().method, "DELETE");

    let error = client.orgs().get("explode").send().expect_err("the server fails");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));

    // Clones share the worker and the credentials; the client works after a clone is dropped.
    let clone = client.clone();
    clone.clear_credentials();
    drop(clone);
    let error = client.orgs().get("org-1").send().expect_err("credentials were cleared");
    assert!(matches!(error, Error::Unauthenticated { .. }), "{error:?}");
    assert!(!format!("{client:?}").contains("key-123"));
    assert_eq!(server.count(), 7);
}

#[test]
fn blocking_client_called_inside_a_runtime_returns_an_error() {
    let (server, _runtime) = start_server_in_background();
    for multi_thread in [false, true] {
        let client = blocking_client(&server);
        let outcome = within(Duration::from_secs(10), move || {
            let mut builder = if multi_thread {
                tokio::runtime::Builder::new_multi_thread()
            } else {
                tokio::runtime::Builder::new_current_thread()
            };
            let runtime = builder.enable_all().build().expect("a caller runtime");
            runtime.block_on(async move { client.status().get().send() })
        });
        let error = outcome.expect_err("the blocking client refuses to block a runtime");
        assert!(matches!(error, Error::BlockingInAsyncContext), "{error:?}");
        assert!(error.to_string().contains("async runtime"), "{error}");
    }
    assert_eq!(server.count(), 0, "nothing may be sent: {:?}", server.requests());
}

/// The documented way out of async code: a thread of the caller's own, started from inside a
/// runtime, may use the blocking client.
#[test]
fn blocking_client_works_from_a_thread_started_inside_a_runtime() {
    let (server, _runtime) = start_server_in_background();
    let client = blocking_client(&server);
    let outcome = within(Duration::from_secs(10), move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a caller runtime");
        runtime.block_on(async move {
            std::thread::spawn(move || client.status().get().send())
                .join()
                .expect("the thread runs to completion")
        })
    });
    let status = outcome.expect("the blocking client may be called from a thread of one's own");
    assert_eq!(status.status, types::StatusStatus::Ok);
    assert_eq!(server.count(), 1);
}

// ---------------------------------------------------------------------------------------------
// 7. Timeouts
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_per_call_timeout_fails_fast_and_says_it_was_the_calls() {
    let server = start_server().await;
    let client = async_client(&server);

    let started = Instant::now();
    let error = client
        .orgs()
        .get("slow")
        .timeout(Duration::from_millis(200))
        .send()
        .await
        .expect_err("the server is slower than the timeout");
    let elapsed = started.elapsed();

    assert!(elapsed < Duration::from_millis(1500), "took {elapsed:?}");
    assert!(elapsed >= Duration::from_millis(200), "took {elapsed:?}");
    let Error::Timeout { operation, kind, after, .. } = &error else {
        panic!("expected Timeout, got {error:?}");
    };
    assert_eq!(*operation, "getOrg");
    assert_eq!(*kind, TimeoutKind::Call);
    assert_eq!(*after, Duration::from_millis(200));
    assert!(error.to_string().contains("this call's timeout"), "{error}");
    assert_eq!(server.last().path, "/v1/orgs/slow");
}

#[tokio::test]
async fn the_client_request_timeout_applies_when_the_call_sets_none() {
    let server = start_server().await;
    let client = AsyncClient::from_builder(
        AsyncClient::builder()
            .base_url(server.base_url())
            .request_timeout(Duration::from_millis(200)),
    )
    .expect("an async client");
    client.set_api_key("key-123");

    let started = Instant::now();
    let error = client.orgs().get("slow").send().await.expect_err("times out");

    assert!(started.elapsed() < Duration::from_millis(1500), "took {:?}", started.elapsed());
    assert!(
        matches!(error, Error::Timeout { kind: TimeoutKind::Client, .. }),
        "expected the client's timeout, got {error:?}"
    );
    assert!(error.to_string().contains("the client's request timeout"), "{error}");
}

#[test]
fn blocking_client_honours_a_per_call_timeout() {
    let (server, _runtime) = start_server_in_background();
    let client = blocking_client(&server);

    let started = Instant::now();
    let error = client
        .orgs()
        .get("slow")
        .timeout(Duration::from_millis(200))
        .send()
        .expect_err("times out");

    assert!(started.elapsed() < Duration::from_millis(1500), "took {:?}", started.elapsed());
    assert!(matches!(error, Error::Timeout { kind: TimeoutKind::Call, .. }), "{error:?}");
}
