//! Kinto 26.5.0 (Swagger 2.0 served at `GET /v1/__api__`, HTTP Basic) through the client
//! generated from that spec: buckets, collections, records with `If-Match`, a second user.

#[cfg(not(e2e_kinto))]
#[test]
fn kinto_client_generated() {
    specwright_e2e::client_not_generated("kinto", include_str!(concat!(env!("OUT_DIR"), "/kinto.status")));
}

#[cfg(e2e_kinto)]
#[allow(dead_code, clippy::all)]
mod kinto {
    include!(concat!(env!("OUT_DIR"), "/kinto.rs"));
}

#[cfg(e2e_kinto)]
mod flows {
    use std::collections::BTreeMap;

    use serde_json::{Value, json};
    use specwright_e2e::{Server, unavailable, unique};

    use super::kinto::{self, responses, types};

    const COLLECTION: &str = "tasks";

    fn start() -> Option<Server> {
        match specwright_e2e::kinto::start() {
            Ok(server) => Some(server),
            Err(why) => {
                unavailable("Kinto e2e tests", &why);
                None
            }
        }
    }

    fn builder(server: &Server) -> specwright_runtime::ClientBuilder<kinto::AsyncClient> {
        kinto::AsyncClient::builder().base_url(format!("{}/v1", server.origin()))
    }

    fn map(value: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(value).expect("a JSON object")
    }

    fn bucket_body(id: &str) -> types::BucketsCreateBody {
        types::BucketsCreateBody {
            data: Some(types::BucketsCreateBodyData {
                additional_properties: map(json!({ "id": id })),
                ..Default::default()
            }),
            permissions: None,
        }
    }

    fn collection_body(id: &str) -> types::CollectionsCreateBody {
        types::CollectionsCreateBody {
            data: Some(types::CollectionsCreateBodyData {
                additional_properties: map(json!({ "id": id })),
                ..Default::default()
            }),
            permissions: None,
        }
    }

    fn record_data(record: &Option<BTreeMap<String, Value>>) -> &BTreeMap<String, Value> {
        record.as_ref().expect("the record has data")
    }

    /// Kinto's ETag: the record's `last_modified` in double quotes.
    fn etag_of(data: &BTreeMap<String, Value>) -> String {
        format!("\"{}\"", data["last_modified"].as_u64().expect("last_modified is a number"))
    }

    /// The whole flow, written once for both clients: `$($await)*` is `.await` for the async
    /// client and nothing for the blocking one.
    macro_rules! kinto_flow {
        ($alice:expr, $bob:expr, $anonymous:expr, $($await:tt)*) => {{
            let alice = $alice;
            let bob = $bob;
            let anonymous = $anonymous;
            let bucket = unique("b");

            // No credentials set: the client refuses before sending.
            let refused = anonymous.records().get(&bucket, COLLECTION).send() $($await)*;
            let refused = refused.expect_err("no credentials");
            assert!(refused.to_string().contains("no security requirement satisfied"), "{refused}");

            // Bucket and collection.
            match alice.buckets().create(bucket_body(&bucket)).send() $($await)* .expect("create the bucket") {
                responses::BucketsCreateSuccess::Created(created) => {
                    let data = created.data.expect("bucket data");
                    assert_eq!(data.additional_properties["id"], json!(bucket));
                }
                other => panic!("a new bucket is 201 Created, got {other:?}"),
            }
            match alice.collections().create(&bucket, collection_body(COLLECTION)).send() $($await)*
                .expect("create the collection")
            {
                responses::CollectionsCreateSuccess::Created(created) => {
                    assert_eq!(created.data.expect("collection data").additional_properties["id"], json!(COLLECTION));
                }
                other => panic!("a new collection is 201 Created, got {other:?}"),
            }

            // Create a record; the ETag header is `"<last_modified>"`.
            let body = types::RecordsCreateBody {
                data: Some(map(json!({ "title": "write the e2e tests", "done": false, "tags": ["a b", "c/d"] }))),
                permissions: None,
            };
            let (created, headers) = alice.records().create(&bucket, COLLECTION, body).send_with_headers() $($await)*
                .expect("create a record");
            let created = match created {
                responses::RecordsCreateSuccess::Created(created) => created,
                other => panic!("a new record is 201 Created, got {other:?}"),
            };
            let data = record_data(&created.data).clone();
            let id = data["id"].as_str().expect("the record has an id").to_owned();
            assert_eq!(data["title"], json!("write the e2e tests"));
            assert_eq!(data["tags"], json!(["a b", "c/d"]));
            let etag = etag_of(&data);
            assert_eq!(headers.etag.as_deref(), Some(etag.as_str()), "ETag header of the created record");

            // Read it back.
            let (read, headers) = alice.records().get_record(&bucket, COLLECTION, &id).send_with_headers() $($await)*
                .expect("read the record");
            assert_eq!(record_data(&read.data), &data);
            assert_eq!(headers.etag.as_deref(), Some(etag.as_str()));

            // Update with If-Match set to the current ETag.
            let body = types::RecordsUpdateBody {
                data: Some(map(json!({ "title": "write the e2e tests", "done": true }))),
                permissions: None,
            };
            let updated = match alice.records().update(&bucket, COLLECTION, &id, body).if_match(&etag).send() $($await)*
                .expect("update with the current ETag")
            {
                responses::RecordsUpdateSuccess::Ok(updated) => updated,
                other => panic!("replacing a record is 200 OK, got {other:?}"),
            };
            let updated = record_data(&updated.data).clone();
            assert_eq!(updated["done"], json!(true));
            assert!(!updated.contains_key("tags"), "PUT replaces the record: {updated:?}");
            let new_etag = etag_of(&updated);
            assert_ne!(new_etag, etag, "the update changes last_modified");

            // The old ETag no longer matches: 412, here sent as a plain header.
            let body = types::RecordsUpdateBody { data: Some(map(json!({ "title": "lost update" }))), permissions: None };
            let stale = alice.records().update(&bucket, COLLECTION, &id, body).header("If-Match", &etag).send() $($await)*;
            let stale = stale.expect_err("a stale If-Match is refused");
            assert_eq!(stale.status().map(|s| s.as_u16()), Some(412), "{stale}");

            // A second record, then list: sorted, limited, and all.
            let body = types::RecordsCreateBody { data: Some(map(json!({ "title": "second" }))), permissions: None };
            alice.records().create(&bucket, COLLECTION, body).send() $($await)* .expect("create a second record");
            let all = alice.records().get(&bucket, COLLECTION).limit(10).send() $($await)* .expect("list the records");
            let all = all.data.expect("a list");
            assert_eq!(all.len(), 2, "{all:?}");
            let newest = alice
                .records()
                .get(&bucket, COLLECTION)
                .sort(vec!["-last_modified".to_owned()])
                .limit(1)
                .send() $($await)*
                .expect("list with _sort and _limit");
            let newest = newest.data.expect("a list");
            assert_eq!(newest.len(), 1, "{newest:?}");
            assert_eq!(newest[0]["title"], json!("second"));
            let by_id = alice.records().get(&bucket, COLLECTION).id(&id).send() $($await)* .expect("list filtered by id");
            assert_eq!(by_id.data.expect("a list").len(), 1);

            // Another user sees none of it: Kinto answers 403 Forbidden for the collection's
            // records and for the record itself, and lists no bucket of alice's.
            let denied = bob.records().get(&bucket, COLLECTION).send() $($await)*;
            let denied = denied.expect_err("bob cannot list alice's records");
            assert_eq!(denied.status().map(|s| s.as_u16()), Some(403), "{denied}");
            let denied = bob.records().get_record(&bucket, COLLECTION, &id).send() $($await)*;
            let denied = denied.expect_err("bob cannot read alice's record");
            assert_eq!(denied.status().map(|s| s.as_u16()), Some(403), "{denied}");
            let bobs = bob.buckets().get().send() $($await)* .expect("bob lists his buckets");
            assert!(
                bobs.data.unwrap_or_default().iter().all(|b| b.additional_properties.get("id") != Some(&json!(bucket))),
                "bob must not see alice's bucket"
            );

            // Delete with If-Match, then the record is gone (404).
            let deleted = alice.records().delete_record(&bucket, COLLECTION, &id).if_match(&new_etag).send() $($await)*
                .expect("delete the record");
            assert_eq!(record_data(&deleted.data).get("deleted"), Some(&json!(true)));
            let gone = alice.records().get_record(&bucket, COLLECTION, &id).send() $($await)*;
            let gone = gone.expect_err("the record is gone");
            assert_eq!(gone.status().map(|s| s.as_u16()), Some(404), "{gone}");
            let left = alice.records().get(&bucket, COLLECTION).send() $($await)* .expect("list the records");
            assert_eq!(left.data.expect("a list").len(), 1);

            alice.buckets().delete_bucket(&bucket).send() $($await)* .expect("delete the bucket");
        }};
    }

    #[tokio::test]
    async fn records_crud_with_etags_and_a_second_user_async() {
        let Some(server) = start() else { return };
        let client = || kinto::AsyncClient::from_builder(builder(&server)).expect("an async client");
        let (alice, bob, anonymous) = (client(), client(), client());
        alice.set_basicauth(unique("alice"), "alice-secret");
        bob.set_basicauth(unique("bob"), "bob-secret");
        kinto_flow!(alice, bob, anonymous, .await);
    }

    /// The blocking client, from a plain std thread (never inside a Tokio runtime).
    #[test]
    fn records_crud_with_etags_and_a_second_user_blocking() {
        let Some(server) = start() else { return };
        let origin = server.origin();
        std::thread::spawn(move || {
            let client = || {
                kinto::Client::from_builder(kinto::Client::builder().base_url(format!("{origin}/v1")))
                    .expect("a blocking client")
            };
            let (alice, bob, anonymous) = (client(), client(), client());
            alice.set_basicauth(unique("alice"), "alice-secret");
            bob.set_basicauth(unique("bob"), "bob-secret");
            kinto_flow!(alice, bob, anonymous,);
        })
        .join()
        .expect("the blocking flow passes");
        drop(server);
    }

    /// The records calls through the generated client against Prism mocking Kinto's spec:
    /// Prism validates each request (Basic credentials, `If-Match` pattern, query, body).
    #[tokio::test]
    async fn record_requests_validate_against_the_spec_in_prism() {
        let spec = specwright_e2e::specs_dir().join("kinto.json");
        let prism = match specwright_e2e::prism::mock(&spec) {
            Ok(prism) => prism,
            Err(why) => return unavailable("Kinto requests against Prism", &why),
        };
        let log = specwright_e2e::ResponseLog::default();
        let builder = kinto::AsyncClient::builder().base_url(prism.origin()).hook(log.clone());
        let api = kinto::AsyncClient::from_builder(builder).expect("an async client");
        api.set_basicauth("alice", "secret");
        let (bucket, id) = ("b 1", "r/1");

        // Prism makes responses up from the schemas; only the requests matter here.
        let _ = api.buckets().create(bucket_body(bucket)).send().await;
        let _ = api.collections().create(bucket, collection_body(COLLECTION)).send().await;
        let record = types::RecordsCreateBody { data: Some(map(json!({ "title": "t" }))), permissions: None };
        let _ = api.records().create(bucket, COLLECTION, record).send().await;
        let _ = api.records().get_record(bucket, COLLECTION, id).if_none_match("\"1\"").send().await;
        let update = types::RecordsUpdateBody { data: Some(map(json!({ "title": "u" }))), permissions: None };
        let _ = api.records().update(bucket, COLLECTION, id, update).if_match("\"1\"").send().await;
        let _ = api
            .records()
            .get(bucket, COLLECTION)
            .sort(vec!["-last_modified".into(), "title".into()])
            .fields(vec!["title".into()])
            .limit(2)
            .send()
            .await;
        let _ = api.records().delete_record(bucket, COLLECTION, id).if_match("\"2\"").send().await;

        let responses = log.responses();
        assert_eq!(responses.len(), 7, "{responses:#?}");
        let problems = log.request_problems();
        assert!(problems.is_empty(), "Prism refused requests: {problems:#?}");
        drop(prism);
    }
}
