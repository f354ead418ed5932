//! A user of a generated client names the types in its signatures through the runtime: this
//! crate depends on `specwright-runtime` alone, with no `bytes`, `chrono` or `uuid` of its own.

use openapp_client::types;
use specwright_runtime::bytes::Bytes;
use specwright_runtime::{RawResponse, chrono, uuid};

#[test]
fn the_types_of_generated_signatures_are_named_through_the_runtime() {
    let org: types::Organization = specwright_runtime::serde_json::from_str(
        r#"{"id":"org-1","name":"Acme","createdAt":"2024-05-06T07:08:09Z"}"#,
    )
    .expect("an organisation");
    let created: chrono::DateTime<chrono::Utc> = org.created_at;
    assert_eq!(created.to_rfc3339(), "2024-05-06T07:08:09+00:00");

    let raw = RawResponse {
        status: specwright_runtime::reqwest::StatusCode::OK,
        headers: Default::default(),
        body: Bytes::from_static(b"\xff\xd8 a snapshot"),
        attempts: 1,
    };
    assert_eq!(raw.body.len(), 13);
    assert_eq!(uuid::Uuid::nil().to_string(), "00000000-0000-0000-0000-000000000000");
}
