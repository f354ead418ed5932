//! Every request is a `tracing` span with method, URL, status and attempt count, and no
//! credential ever reaches the log: API keys in the query are redacted, headers are not logged.

use std::io::Write;
use std::sync::{Arc, Mutex};

use axum::Router;
use specwright_runtime::__private::{Method, decode_empty};
use specwright_runtime::{ApiKeyLocation, AsyncTransport, ClientBuilder, Credential, Request, Transport};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map(|mut buffer| buffer.extend_from_slice(bytes)).ok();
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn spans_carry_the_call_and_never_a_credential() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let app = Router::new().fallback(|| async { "" });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });

    let core = ClientBuilder::new(format!("http://{address}")).build().expect("client");
    core.set_credential("query_key", Credential::ApiKey { location: ApiKeyLocation::Query, name: "api_key", key: "QUERY-SECRET".into() });
    core.set_credential("header_key", Credential::ApiKey { location: ApiKeyLocation::Header, name: "X-Key", key: "HEADER-SECRET".into() });
    core.set_credential("token", Credential::Bearer { token: "BEARER-SECRET".into() });
    let transport = AsyncTransport::from_core(core).expect("transport");
    for requirement in [&["query_key", "header_key"][..], &["token"][..]] {
        let requirements: &'static [&'static [&'static str]] = Box::leak(Box::new([requirement]));
        let mut request = Request::new("listThings", Method::GET, "/things");
        request.query_param("page", &2).security(requirements);
        transport.execute(request, decode_empty::<std::convert::Infallible>).await.expect("call succeeds");
    }

    let log = String::from_utf8(captured.0.lock().map(|b| b.clone()).unwrap_or_default()).expect("utf-8");
    assert!(log.contains("operation=\"listThings\""), "{log}");
    assert!(log.contains("method=GET"), "{log}");
    assert!(log.contains("page=2"), "{log}");
    assert!(log.contains("api_key=%5Bredacted%5D"), "{log}");
    assert!(log.contains("status=200"), "{log}");
    assert!(log.contains("attempts=1"), "{log}");
    for secret in ["QUERY-SECRET", "HEADER-SECRET", "BEARER-SECRET"] {
        assert!(!log.contains(secret), "{secret} leaked into the log:\n{log}");
    }
}
