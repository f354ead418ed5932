//! Request and response bodies on the wire: JSON, form-urlencoded, multipart with files, raw
//! bytes both ways; from `specs/operations_bodies.yaml`, against a recording server.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, Method};
use specwright_conformance::specs::operations_bodies::{AsyncClient, builders, types};
use specwright_runtime::FilePart;

#[derive(Clone, Default)]
struct Seen(Arc<Mutex<Vec<(Method, String, Vec<u8>)>>>);

impl Seen {
    fn last(&self) -> (Method, String, Vec<u8>) {
        self.0.lock().ok().and_then(|s| s.last().cloned()).expect("a request arrived")
    }
}

async fn start() -> (AsyncClient, Seen) {
    let seen = Seen::default();
    let record = seen.clone();
    let app = Router::new().fallback(move |method: Method, headers: HeaderMap, body: Bytes| {
        let record = record.clone();
        async move {
            let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            let answer = if method == Method::GET { b"\x00\x01binary".to_vec() } else { Vec::new() };
            record.0.lock().map(|mut s| s.push((method.clone(), content_type, body.to_vec()))).ok();
            if method == Method::GET {
                (axum::http::StatusCode::OK, [("content-type", "application/octet-stream")], answer)
            } else {
                (axum::http::StatusCode::NO_CONTENT, [("content-type", "text/plain")], answer)
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let client = AsyncClient::from_builder(AsyncClient::builder().base_url(format!("http://{address}"))).expect("client");
    (client, seen)
}

#[tokio::test]
async fn json_and_form_bodies() {
    let (client, seen) = start().await;
    client.notes().create(types::NotesCreateBody { text: "hi".into() }).send().await.expect("sent");
    let (_, content_type, body) = seen.last();
    assert_eq!(content_type, "application/json");
    assert_eq!(body, br#"{"text":"hi"}"#);

    let login = types::FormsLoginBody { user: "ann".into(), password: "p&ss w=rd".into(), scopes: Some(vec!["a".into(), "b".into()]) };
    client.forms().login(login).send().await.expect("sent");
    let (_, content_type, body) = seen.last();
    assert_eq!(content_type, "application/x-www-form-urlencoded");
    assert_eq!(String::from_utf8_lossy(&body), "user=ann&password=p%26ss+w%3Drd&scopes=a&scopes=b");
}

#[tokio::test]
async fn multipart_bodies_carry_files_with_names_and_types() {
    let (client, seen) = start().await;
    let upload = types::FormsUploadBody {
        file: FilePart::new(b"PNG\x00data".to_vec()).file_name("cat.png").content_type("image/png"),
        thumbnail: None,
        caption: Some("a cat".into()),
        meta: Some(types::FormsUploadBodyMeta { w: Some(640) }),
    };
    client.forms().upload(upload).send().await.expect("sent");
    let (_, content_type, body) = seen.last();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("a multipart content type");
    let text = String::from_utf8_lossy(&body);
    assert_eq!(text.matches(&format!("--{boundary}\r\n")).count(), 3, "file, caption, meta; no thumbnail");
    assert!(text.contains("name=\"file\"; filename=\"cat.png\"\r\nContent-Type: image/png\r\n\r\nPNG\u{0}data\r\n"), "{text}");
    assert!(text.contains("name=\"caption\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\na cat\r\n"), "{text}");
    assert!(text.contains("name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"w\":640}\r\n"), "{text}");
}

#[tokio::test]
async fn raw_bytes_go_out_and_come_back() {
    let (client, seen) = start().await;
    client.blobs().put("b1", vec![0, 159, 146, 150]).send().await.expect("sent");
    let (method, content_type, body) = seen.last();
    assert_eq!((method, content_type.as_str(), body.as_slice()), (Method::PUT, "application/octet-stream", &[0u8, 159, 146, 150][..]));
    let bytes = client.blobs().get("b1").send().await.expect("received");
    assert_eq!(&bytes[..], b"\x00\x01binary");
}

#[tokio::test]
async fn the_caller_chooses_among_several_media_types() {
    let (client, seen) = start().await;
    let patch = types::NotePatch { text: Some("hi".into()), pinned: Some(true) };

    // The spec's first JSON media type is the default, and its type converts straight in.
    client.notes().edit("n1", patch.clone()).send().await.expect("sent");
    let (method, content_type, body) = seen.last();
    assert_eq!((method, content_type.as_str()), (Method::PATCH, "application/merge-patch+json"));
    assert_eq!(body, br#"{"text":"hi","pinned":true}"#);

    client.notes().edit("n1", builders::NotesEditRequest::Form(patch)).send().await.expect("sent");
    let (_, content_type, body) = seen.last();
    assert_eq!((content_type.as_str(), body.as_slice()), ("application/x-www-form-urlencoded", &b"text=hi&pinned=true"[..]));

    client.notes().edit("n1", builders::NotesEditRequest::Text("just text".into())).send().await.expect("sent");
    let (_, content_type, body) = seen.last();
    assert_eq!((content_type.as_str(), body.as_slice()), ("text/plain", &b"just text"[..]));
}
