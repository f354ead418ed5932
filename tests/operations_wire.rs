//! The exact bytes that operations put on the wire: every parameter location, style and
//! explode combination of `specs/operations_parameters.yaml`, checked by a recording server.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, Uri};
use specwright_conformance::specs::operations_parameters::{AsyncClient, types};

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(String, Option<String>, HeaderMap)>>>);

impl Seen {
    fn last(&self) -> (String, Option<String>, HeaderMap) {
        self.0.lock().ok().and_then(|s| s.last().cloned()).expect("a request arrived")
    }
}

async fn start() -> (AsyncClient, Seen) {
    let (base, seen) = serve().await;
    let client = AsyncClient::from_builder(AsyncClient::builder().base_url(base)).expect("client");
    (client, seen)
}

/// A recording server; its base URL ends in `/api`.
async fn serve() -> (String, Seen) {
    let seen = Seen::default();
    let record = seen.clone();
    let app = Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
        let record = record.clone();
        async move {
            record.0.lock().map(|mut s| s.push((uri.path().to_owned(), uri.query().map(str::to_owned), headers))).ok();
            axum::http::StatusCode::NO_CONTENT
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    (format!("http://{address}/api"), seen)
}

#[tokio::test]
async fn a_spec_without_tags_gets_sub_clients_from_its_paths() {
    use specwright_conformance::specs::operations_untagged::AsyncClient as Untagged;
    let (base, seen) = serve().await;
    let client = Untagged::from_builder(Untagged::builder().base_url(base)).expect("client");
    let check = |result: Result<(), _>, path: &str| {
        assert!(result.is_ok(), "{path}: {result:?}");
        assert_eq!(seen.last().0, path);
    };
    check(client.customers().list().send().await, "/api/v1/customers");
    check(client.customers().create().send().await, "/api/v1/customers");
    check(client.customers().get("cus 1").send().await, "/api/v1/customers/cus%201");
    check(client.customers().delete("cus_2").send().await, "/api/v1/customers/cus_2");
    check(client.customers().get_sources("cus_3").send().await, "/api/v1/customers/cus_3/sources");
    check(client.invoices().get().send().await, "/api/v1/invoices");
    check(client.invoices().post_pay("in_1").send().await, "/api/v1/invoices/in_1/pay");
    // A path whose first segment is a parameter stays on the client itself.
    check(client.get_account_balance("acct_1").send().await, "/api/v1/acct_1/balance");
}

#[tokio::test]
async fn path_styles_simple_label_and_matrix() {
    let (client, seen) = start().await;
    let colors = || vec!["blue".to_owned(), "black".to_owned()];
    client.styles().path(colors(), colors(), colors()).send().await.expect("sent");
    let (path, _, _) = seen.last();
    assert_eq!(path, "/api/colors/blue,black/.blue.black/;matrix=blue,black");
}

#[tokio::test]
async fn query_styles_header_cookie_and_json_content() {
    let (client, seen) = start().await;
    client
        .styles()
        .query()
        .tags(vec!["a b".into(), "c&d".into()])
        .ids(vec![1, 2, 3])
        .words(vec!["x".into(), "y".into()])
        .levels(vec!["low".into(), "high".into()])
        .filter(types::StylesQueryFilter { color: Some("red".into()), size: Some(2) })
        .x_trace_id("t-1")
        .x_flags(vec!["f1".into(), "f2".into()])
        .session("s 1;2")
        .coords(types::StylesQueryCoords { lat: Some(1.5), lng: Some(-2.0) })
        .send()
        .await
        .expect("sent");
    let (_, query, headers) = seen.last();
    assert_eq!(
        query.as_deref(),
        Some(
            "tags=a%20b&tags=c%26d&ids=1,2,3&words=x%20y&levels=low%7Chigh&filter%5Bcolor%5D=red&filter%5Bsize%5D=2\
             &coords=%7B%22lat%22%3A1.5%2C%22lng%22%3A-2.0%7D"
        )
    );
    assert_eq!(headers.get("x-trace-id").and_then(|v| v.to_str().ok()), Some("t-1"));
    assert_eq!(headers.get("x-flags").and_then(|v| v.to_str().ok()), Some("f1,f2"));
    assert_eq!(headers.get("cookie").and_then(|v| v.to_str().ok()), Some("session=s%201%3B2"));
}

#[tokio::test]
async fn operation_parameters_override_path_level_ones_and_paths_stay_one_segment() {
    let (client, seen) = start().await;
    client.files().get("../etc/passwd", 7).send().await.expect("sent");
    let (path, query, _) = seen.last();
    assert_eq!(path, "/api/files/..%2Fetc%2Fpasswd");
    assert_eq!(query.as_deref(), Some("version=7"));
    assert!(client.files().get("..", 1).send().await.is_err(), "`..` is refused before sending");
}

#[tokio::test]
async fn an_accept_parameter_selects_the_media_type_as_the_one_accept_header() {
    let (client, seen) = start().await;
    client.files().get("report", 1).accept(types::FilesGetAccept::TextCsv).send().await.expect("sent");
    let (_, _, headers) = seen.last();
    let accept: Vec<&str> = headers.get_all("accept").iter().filter_map(|v| v.to_str().ok()).collect();
    assert_eq!(accept, ["text/csv"]);
    client.files().get("report", 1).send().await.expect("sent");
    let (_, _, headers) = seen.last();
    let accept: Vec<&str> = headers.get_all("accept").iter().filter_map(|v| v.to_str().ok()).collect();
    // Unset, the first listed value that names JSON goes: the HTTP client's own `*/*` is not
    // among the values, and a server that checks the parameter (Prism does) refuses it.
    assert_eq!(accept, ["application/json"]);
}
