//! Nothing a server sends panics a generated client, and no error shows a credential: a raw
//! TCP server on 127.0.0.1 answers every request with a pseudo-random response (status,
//! headers, `Content-Type`, a `Content-Length` that may lie, and bodies from well-shaped JSON to
//! truncated, deeply nested, huge-numbered, invalid UTF-8 and framed streams), and every
//! operation of the generated clients is called against it through `send()`,
//! `send_with_response()` and `send_stream()`, async and blocking.
//!
//! The generator is a seeded xorshift, so a failure repeats: the seed and call number are in
//! the assertion message.

use std::fmt::{Debug, Display};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use specwright_conformance::specs::{openapp, operations_bodies, operations_parameters, operations_responses, operations_streaming, security};
use specwright_runtime::{ByteStream, ClientBuilder, Error, ItemStream, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const SEED: u64 = 0x5eed_0f_c0ffee;
const ASYNC_CALLS: u64 = 1_600;
const BLOCKING_CALLS: u64 = 400;

/// Every credential set on a client; none may appear in an error.
const SECRETS: [&str; 10] = [
    "fz-openapp-key",
    "fz-openapp-bearer",
    "fz-openapp-client-secret",
    "fz-basic-password",
    "fz-bearer-token",
    "fz-header-key",
    "fz-query-key",
    "fz-cookie-key",
    "fz-token-auth",
    "fz-client-secret",
];

/// xorshift64*: small, deterministic, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len())]
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

// ---------------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------------

const KEYS: [&str; 32] = [
    "id", "name", "status", "kind", "siteId", "createdAt", "updatedAt", "items", "data", "event", "message", "level",
    "type", "title", "detail", "next", "nextCursor", "ok", "text", "pinned", "result", "url", "action", "timezone",
    "holderName", "attributes", "tags", "version", "error", "access_token", "expires_in", "state",
];

const STRINGS: [&str; 12] = [
    "", "ok", "online", "door", "info", "error", "2024-01-01T00:00:00Z", "not-a-date", "\\u0000", "é", "card", "queued",
];

fn json_value(rng: &mut Rng, depth: u32) -> String {
    let choice = if depth >= 5 { rng.below(5) } else { rng.below(8) };
    match choice {
        0 => format!("\"{}\"", rng.pick(&STRINGS)),
        1 => rng.pick(&["0", "-1", "1.5", "9223372036854775807", "18446744073709551616", "1e308", "-0"]).to_owned(),
        2 => rng.pick(&["true", "false"]).to_owned(),
        3 => "null".to_owned(),
        4 => format!("\"{}\"", rng.pick(&KEYS)),
        5 | 6 => {
            let fields: Vec<String> =
                (0..rng.below(6)).map(|_| format!("\"{}\":{}", rng.pick(&KEYS), json_value(rng, depth + 1))).collect();
            format!("{{{}}}", fields.join(","))
        }
        _ => {
            let items: Vec<String> = (0..rng.below(5)).map(|_| json_value(rng, depth + 1)).collect();
            format!("[{}]", items.join(","))
        }
    }
}

/// Bodies shaped like the specs' responses, so that decoding gets past the first byte.
const SHAPED: [&str; 12] = [
    r#"{"status":"ok","version":"1.0.0"}"#,
    r#"{"id":"d1","siteId":"s1","name":"Door","kind":"door","status":"online","createdAt":"2024-01-01T00:00:00Z"}"#,
    r#"{"items":[{"id":"o1","name":"Org"}],"nextCursor":null}"#,
    r#"["a","b"]"#,
    r#"{"type":"about:blank","title":"Bad","status":400,"detail":"no"}"#,
    r#"{"level":"info","message":"started"}"#,
    r#"{"id":"j1","state":"queued","url":"/jobs/j1"}"#,
    r#"{"error":"invalid_client","error_description":"x"}"#,
    r#"{"access_token":"server-token","token_type":"Bearer","expires_in":1e300}"#,
    r#"{"access_token":"server-token","expires_in":-5}"#,
    r#"{"id":"n1","text":"hi","pinned":true}"#,
    r#"{"code":"E1","message":"broken"}"#,
];

fn body(rng: &mut Rng) -> Vec<u8> {
    match rng.below(13) {
        0 => Vec::new(),
        1 | 2 => json_value(rng, 0).into_bytes(),
        3 | 4 => rng.pick(&SHAPED).as_bytes().to_vec(),
        5 => {
            let whole = if rng.chance(2) { json_value(rng, 0) } else { rng.pick(&SHAPED).to_owned() };
            let cut = rng.below(whole.len().max(1));
            whole.as_bytes()[..cut].to_vec()
        }
        6 => {
            let open = rng.pick(&["[", "{\"a\":", "[{\"items\":"]);
            open.repeat(10_000).into_bytes()
        }
        7 => rng
            .pick(&["1e999999", "[-0.0e-99999]", "{\"id\":1e400}", "[18446744073709551616]", "{\"expires_in\":1e999}"])
            .as_bytes()
            .iter()
            .copied()
            .chain(if rng.chance(2) { "9".repeat(400).into_bytes() } else { Vec::new() })
            .collect(),
        8 => b"\xff\xfe{\"message\":\"\xc3\x28\",\"level\":\"\xed\xa0\x80\"}".to_vec(),
        9 => {
            // Server-sent events, well and badly formed.
            let mut text = String::new();
            for _ in 0..rng.below(6) {
                let line = match rng.below(7) {
                    0 => format!("data: {}", rng.pick(&SHAPED)),
                    1 => format!("data: {}", json_value(rng, 2)),
                    2 => "event: change".to_owned(),
                    3 => "id: \u{0}".to_owned(),
                    4 => "retry: 99999999999999999999".to_owned(),
                    5 => ": comment".to_owned(),
                    _ => "data".to_owned(),
                };
                text.push_str(&line);
                text.push_str(rng.pick(&["\n", "\r\n", "\n\n", "\r"]));
            }
            text.into_bytes()
        }
        10 => {
            // JSON Lines or JSON text sequences.
            let rs = rng.chance(2);
            let mut out = Vec::new();
            for _ in 0..rng.below(6) {
                if rs {
                    out.push(0x1e);
                }
                let item = if rng.chance(3) { json_value(rng, 2) } else { rng.pick(&SHAPED).to_owned() };
                out.extend_from_slice(item.as_bytes());
                out.push(b'\n');
            }
            out
        }
        11 => (0..rng.below(2_000)).map(|_| (rng.next() & 0xff) as u8).collect(),
        // Over the clients' 64 KiB limit, or just under.
        _ => vec![b'"'; if rng.chance(2) { 70_000 } else { 60_000 }],
    }
}

fn response(rng: &mut Rng, port: u16) -> Vec<u8> {
    let status: u16 = *rng.pick(&[&200, &200, &200, &201, &202, &204, &206, &299, &301, &302, &400, &404, &418, &429, &500, &503, &599]);
    let mut head = format!("HTTP/1.1 {status} Whatever\r\nconnection: close\r\n");
    let content_type = rng.pick(&[
        "application/json",
        "application/json; charset=utf-8",
        "text/event-stream",
        "application/x-ndjson",
        "application/json-seq",
        "application/octet-stream",
        "application/problem+json",
        "garbage/;;=\"",
        "",
        "-",
    ]);
    if content_type != "-" {
        head.push_str(&format!("content-type: {content_type}\r\n"));
    }
    if matches!(status, 301 | 302) && !rng.chance(4) {
        let location = rng.pick(&[
            "/moved",
            "http://127.0.0.1:1/refused",
            "",
            "::bad::",
            "javascript:alert(1)",
            "/loop?again=1",
            "//127.0.0.1:PORT/protocol-relative",
        ]);
        head.push_str(&format!("location: {}\r\n", location.replace("PORT", &port.to_string())));
    }
    if matches!(status, 429 | 503) && !rng.chance(4) {
        let after = rng.pick(&["0", "1", "18446744073709551615", "-1", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", ""]);
        head.push_str(&format!("retry-after: {after}\r\n"));
    }
    if rng.chance(6) {
        head.push_str(rng.pick(&["x-rate-limit: \u{7f}\r\n", "etag: \"\"\r\n", "content-encoding: gzip\r\n", "x-empty:\r\n"]));
    }
    let body = body(rng);
    match rng.below(5) {
        0 => {}
        1 => head.push_str(&format!("content-length: {}\r\n", body.len().saturating_sub(1 + rng.below(10)))),
        2 => head.push_str(&format!("content-length: {}\r\n", body.len() + 1 + rng.below(10))),
        _ => head.push_str(&format!("content-length: {}\r\n", body.len())),
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&body);
    out
}

/// Reads one request (head and a `Content-Length` body), within a second.
async fn read_request(socket: &mut tokio::net::TcpStream) {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 8192];
    let read = async {
        loop {
            let n = socket.read(&mut buffer).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            seen.extend_from_slice(&buffer[..n]);
            let text = String::from_utf8_lossy(&seen);
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text[..end]
                    .lines()
                    .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(0);
                if seen.len() >= end + 4 + length {
                    return;
                }
            }
            if seen.len() > 1 << 20 {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), read).await;
}

/// A server that answers every request with the next pseudo-random response.
async fn start_server() -> (String, Arc<AtomicU64>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let address = listener.local_addr().expect("address");
    let served = Arc::new(AtomicU64::new(0));
    let counter = served.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                read_request(&mut socket).await;
                let mut rng = Rng::new(SEED ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                let _ = socket.write_all(&response(&mut rng, address.port())).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    (format!("http://{address}"), served)
}

// ---------------------------------------------------------------------------------------------
// The clients
// ---------------------------------------------------------------------------------------------

fn builder(base: &str, retries: bool) -> ClientBuilder {
    let policy = if retries {
        RetryPolicy::attempts(3).backoff(Duration::from_millis(1), Duration::from_millis(5)).max_retry_after(Duration::from_millis(5))
    } else {
        RetryPolicy::none()
    };
    ClientBuilder::new(base)
        .request_timeout(Duration::from_secs(3))
        .read_timeout(Duration::from_secs(2))
        .connect_timeout(Duration::from_secs(1))
        .max_response_bytes(64 * 1024)
        .retry_policy(policy)
}

struct Clients<T: specwright_runtime::Transport> {
    openapp: openapp::ApiClient<T>,
    bodies: operations_bodies::ApiClient<T>,
    parameters: operations_parameters::ApiClient<T>,
    responses: operations_responses::ApiClient<T>,
    streaming: operations_streaming::ApiClient<T>,
    security: security::ApiClient<T>,
}

impl<T: specwright_runtime::Transport> Clients<T> {
    fn new(base: &str, retries: bool) -> Self {
        let openapp = openapp::ApiClient::from_builder(builder(&format!("{base}/v1"), retries)).expect("openapp");
        openapp.set_api_key("fz-openapp-key");
        openapp.set_bearer("fz-openapp-bearer");
        openapp.set_oauth_client_credentials("app", "fz-openapp-client-secret", &[]);
        let security = security::ApiClient::from_builder(builder(base, retries)).expect("security");
        security.set_basic_auth("ann", "fz-basic-password");
        security.set_bearer_auth("fz-bearer-token");
        security.set_api_key_header("fz-header-key");
        security.set_api_key_query("fz-query-key");
        security.set_api_key_cookie("fz-cookie-key");
        security.set_token_auth("fz-token-auth");
        security.set_oidc("fz-oidc-token");
        security.set_oauth_client_credentials("app", "fz-client-secret", &["things:read"]);
        Self {
            openapp,
            bodies: operations_bodies::ApiClient::from_builder(builder(base, retries)).expect("bodies"),
            parameters: operations_parameters::ApiClient::from_builder(builder(base, retries)).expect("parameters"),
            responses: operations_responses::ApiClient::from_builder(builder(base, retries)).expect("responses"),
            streaming: operations_streaming::ApiClient::from_builder(builder(base, retries)).expect("streaming"),
            security,
        }
    }
}

fn shown<E: Display + Debug>(error: &E) -> String {
    format!("{error} | {error:?}")
}

fn outcome<T, E: Display + Debug>(result: Result<T, E>) -> Vec<String> {
    result.err().map(|e| shown(&e)).into_iter().collect()
}

async fn drain_bytes<E: Debug>(result: Result<ByteStream, Error<E>>) -> Vec<String> {
    let mut stream = match result {
        Ok(stream) => stream,
        Err(error) => return vec![shown(&error)],
    };
    for _ in 0..10_000 {
        match stream.chunk().await {
            Ok(Some(_)) => {}
            Ok(None) => return Vec::new(),
            Err(error) => return vec![shown(&error)],
        }
    }
    Vec::new()
}

async fn drain_items<I, E: Debug>(result: Result<ItemStream<I>, Error<E>>) -> Vec<String>
where
    I: serde::de::DeserializeOwned + Send + 'static,
{
    let mut items = match result {
        Ok(items) => items,
        Err(error) => return vec![shown(&error)],
    };
    let mut errors = Vec::new();
    // A bad item is an error and the stream goes on; the bound keeps an endless one finite.
    for _ in 0..1_000 {
        match items.next_item().await {
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(error) => errors.push(shown(&error)),
        }
    }
    errors
}

fn create_device() -> openapp::types::CreateDevice {
    openapp::types::CreateDevice {
        site_id: "site-1".into(),
        name: "Door".into(),
        kind: openapp::types::DeviceKind::Door,
        serial_number: None,
        attributes: None,
        tags: None,
    }
}

fn create_site() -> openapp::types::CreateSite {
    openapp::types::CreateSite { name: "HQ".into(), timezone: "Europe/Paris".into(), address: None }
}

fn command() -> openapp::types::DeviceCommand {
    openapp::types::DeviceCommand { action: openapp::types::DeviceCommandAction::Unlock, duration_seconds: Some(5) }
}

fn create_credential() -> openapp::types::CreateCredential {
    openapp::types::CreateCredential {
        kind: openapp::types::CredentialKind::Card,
        holder_name: "Ann".into(),
        holder_email: None,
        secret: Some("card-secret-not-a-credential".into()),
        site_ids: None,
        valid_from: None,
        valid_until: None,
    }
}

fn floor_plan() -> openapp::types::SitesUploadFloorPlanBody {
    openapp::types::SitesUploadFloorPlanBody { file: specwright_runtime::FilePart::new(b"\x89PNG".to_vec()), caption: None }
}

fn note_patch() -> operations_bodies::types::NotePatch {
    operations_bodies::types::NotePatch { text: Some("t".into()), pinned: None }
}

const OPERATIONS: usize = 64;

/// Calls operation `op` (with one of its ways to send) and returns the errors it showed.
async fn call_async(c: &Clients<specwright_runtime::AsyncTransport>, op: usize) -> Vec<String> {
    let (o, b, p, r, s, x) = (&c.openapp, &c.bodies, &c.parameters, &c.responses, &c.streaming, &c.security);
    match op {
        0 => outcome(o.status().get().send().await),
        1 => outcome(o.status().get().send_with_response().await),
        2 => outcome(o.orgs().list().send().await),
        3 => outcome(o.orgs().get("org-1").send_with_response().await),
        4 => outcome(o.sites().list("org-1").send().await),
        5 => outcome(o.sites().create("org-1", create_site()).send().await),
        6 => outcome(o.sites().get("org-1", "site-1").send_with_response().await),
        7 => outcome(o.sites().upload_floor_plan("org-1", "site-1", floor_plan()).send().await),
        8 => outcome(o.devices().list("org-1").send().await),
        9 => outcome(o.devices().list("org-1").send_with_response().await),
        10 => outcome(o.devices().create("org-1", create_device()).send().await),
        11 => outcome(o.devices().get("org-1", "dev-1").send().await),
        12 => outcome(o.devices().delete("org-1", "dev-1").send_with_response().await),
        13 => outcome(o.devices().update("org-1", "dev-1", openapp::types::UpdateDevice::default()).send().await),
        14 => outcome(o.devices().get_snapshot("org-1", "cam-1").send().await),
        15 => drain_bytes(o.devices().get_snapshot("org-1", "cam-1").send_stream().await).await,
        16 => outcome(o.devices().upload_firmware("org-1", "dev-1", "00", b"image".to_vec()).send().await),
        17 => outcome(o.devices().send_command("org-1", "dev-1", command()).send().await),
        18 => outcome(o.devices().send_command("org-1", "dev-1", command()).send_with_response().await),
        19 => outcome(o.credentials().list("org-1").send().await),
        20 => outcome(o.credentials().create("org-1", create_credential()).send().await),
        21 => outcome(o.credentials().delete("org-1", "c-1").send().await),
        22 => outcome(o.events().list("org-1").send().await),
        23 => outcome(o.events().list("org-1").send_with_response().await),
        24 => outcome(o.alarms().list("org-1").send().await),
        25 => outcome(o.alarms().acknowledge("org-1", "a-1").send().await),
        26 => outcome(b.notes().create(operations_bodies::types::NotesCreateBody { text: "hi".into() }).send().await),
        27 => outcome(b.notes().edit("n1", operations_bodies::builders::NotesEditRequest::Json(note_patch())).send().await),
        28 => outcome(b.notes().edit("n1", operations_bodies::builders::NotesEditRequest::Form(note_patch())).send_with_response().await),
        29 => outcome(b.forms().login(operations_bodies::types::FormsLoginBody { user: "ann".into(), password: "pw".into(), scopes: None }).send().await),
        30 => outcome(b.blobs().get("b1").send().await),
        31 => drain_bytes(b.blobs().get("b1").send_stream().await).await,
        32 => outcome(b.blobs().put("b1", b"bytes".to_vec()).send().await),
        33 => outcome(p.styles().path(vec!["a".into()], vec!["b".into()], vec!["c".into()]).send().await),
        34 => outcome(p.styles().query().send_with_response().await),
        35 => outcome(p.files().get("dir/file", 3).send().await),
        36 => outcome(r.jobs().submit(operations_responses::types::JobRequest { name: "n".into() }).send().await),
        37 => outcome(r.jobs().submit(operations_responses::types::JobRequest { name: "n".into() }).send_with_response().await),
        38 => outcome(r.jobs().get("j1").send().await),
        39 => outcome(r.jobs().get("j1").send_with_response().await),
        40 => outcome(r.jobs().delete("j1").send().await),
        41 => outcome(r.jobs().get_log("j1").send().await),
        42 => drain_bytes(r.jobs().get_log("j1").send_stream().await).await,
        43 => outcome(r.legacy().ping().send().await),
        44 => outcome(r.legacy().ping().send_with_response().await),
        45 => outcome(s.logs().tail().send().await),
        46 => drain_items(s.logs().tail().send_stream().await).await,
        47 => drain_items(s.logs().tail().follow(true).send_stream().await).await,
        48 => outcome(s.events().watch().send().await),
        49 => drain_items(s.events().watch().send_stream().await).await,
        50 => outcome(s.events().watch_changes().send_with_response().await),
        51 => drain_items(s.events().watch_changes().send_stream().await).await,
        52 => outcome(x.either().send().await),
        53 => outcome(x.both().send().await),
        54 => outcome(x.optional().send_with_response().await),
        55 => outcome(x.cookie().send().await),
        56 => outcome(x.open().send().await),
        57 => outcome(x.legacy().send().await),
        58 => outcome(x.list_things().send().await),
        59 => outcome(x.list_things().send_with_response().await),
        60 => outcome(x.mutual().send().await),
        61 => outcome(o.orgs().get("org-1").send().await),
        62 => outcome(s.logs().tail().send_with_response().await),
        _ => outcome(x.list_things().send().await),
    }
}

/// The blocking facade over a share of the same operations.
fn call_blocking(c: &Clients<specwright_runtime::BlockingTransport>, op: usize) -> Vec<String> {
    let (o, b, r, s, x) = (&c.openapp, &c.bodies, &c.responses, &c.streaming, &c.security);
    let read_all = |stream: Result<specwright_runtime::BlockingByteStream, Error<_>>| -> Vec<String> {
        match stream {
            Ok(mut stream) => {
                let mut sink = Vec::new();
                std::io::Read::read_to_end(&mut stream, &mut sink).err().map(|e| shown(&e)).into_iter().collect()
            }
            Err(error) => vec![shown(&error)],
        }
    };
    match op % 16 {
        0 => outcome(o.status().get().send()),
        1 => outcome(o.devices().list("org-1").send_with_response()),
        2 => outcome(o.devices().create("org-1", create_device()).send()),
        3 => outcome(o.devices().get_snapshot("org-1", "cam-1").send()),
        4 => read_all(o.devices().get_snapshot("org-1", "cam-1").send_stream()),
        5 => outcome(o.credentials().create("org-1", create_credential()).send()),
        6 => outcome(b.blobs().get("b1").send()),
        7 => outcome(r.jobs().get("j1").send_with_response()),
        8 => outcome(r.jobs().submit(operations_responses::types::JobRequest { name: "n".into() }).send()),
        9 => outcome(r.legacy().ping().send()),
        10 => match s.logs().tail().send_stream() {
            Ok(items) => items.take(1_000).filter_map(|item| item.err().map(|e| shown(&e))).collect(),
            Err(error) => vec![shown(&error)],
        },
        11 => match s.events().watch().send_stream() {
            Ok(items) => items.take(1_000).filter_map(|item| item.err().map(|e| shown(&e))).collect(),
            Err(error) => vec![shown(&error)],
        },
        12 => outcome(x.list_things().send()),
        13 => outcome(x.both().send()),
        14 => outcome(x.cookie().send()),
        _ => outcome(x.either().send_with_response()),
    }
}

fn check(errors: &[String], call: u64, op: usize) {
    for error in errors {
        for secret in SECRETS.iter().chain(&["fz-oidc-token"]) {
            assert!(!error.contains(secret), "seed {SEED:#x}, call {call}, operation {op}: {secret} in {error}");
        }
        assert!(!error.contains("background thread has stopped"), "seed {SEED:#x}, call {call}, operation {op}: the worker died (a panic?): {error}");
    }
}

#[test]
fn no_response_panics_a_client_or_shows_a_credential() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (base, served) = runtime.block_on(start_server());
    let started = Instant::now();
    let mut picks = Rng::new(SEED);
    let mut errors_seen = 0usize;
    // Error kinds seen (the variant's name), to show the run reached the decoders.
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    let mut tally = |errors: &[String]| {
        for error in errors {
            let debug = error.split(" | ").nth(1).unwrap_or_default();
            let kind = debug.split([' ', '{', '(']).next().unwrap_or_default().to_owned();
            *kinds.entry(kind).or_default() += 1;
        }
    };

    let calls = runtime.block_on(async {
        let plain = Clients::<specwright_runtime::AsyncTransport>::new(&base, false);
        let retrying = Clients::<specwright_runtime::AsyncTransport>::new(&base, true);
        for call in 0..ASYNC_CALLS {
            let op = picks.below(OPERATIONS);
            // A panic in the client's future fails this test here.
            let clients = if call % 10 == 0 { &retrying } else { &plain };
            let errors = call_async(clients, op).await;
            check(&errors, call, op);
            errors_seen += errors.len();
            tally(&errors);
        }
        ASYNC_CALLS
    });

    let plain = Clients::<specwright_runtime::BlockingTransport>::new(&base, false);
    let retrying = Clients::<specwright_runtime::BlockingTransport>::new(&base, true);
    for call in calls..calls + BLOCKING_CALLS {
        let op = picks.below(16);
        let clients = if call % 10 == 0 { &retrying } else { &plain };
        let errors = call_blocking(clients, op);
        check(&errors, call, op);
        errors_seen += errors.len();
        tally(&errors);
    }
    let elapsed = started.elapsed();
    let responses = served.load(Ordering::SeqCst);
    eprintln!("{} calls, {responses} responses served, {errors_seen} errors, in {elapsed:?}: {kinds:?}", ASYNC_CALLS + BLOCKING_CALLS);
    for kind in ["Decode", "UnexpectedStatus", "ResponseTooLarge"] {
        assert!(kinds.get(kind).is_some_and(|n| *n > 0), "no {kind} error: the responses did not reach the decoders: {kinds:?}");
    }
    assert!(responses >= ASYNC_CALLS + BLOCKING_CALLS / 2, "the server answered {responses} times");
    assert!(errors_seen > 0, "a random server makes some calls fail");
}
