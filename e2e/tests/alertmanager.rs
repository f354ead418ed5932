//! Alertmanager 0.25 (Debian `prometheus-alertmanager`; its Swagger 2.0 spec from the Debian
//! `-dev` package's `embedded_spec.go`) through the client generated from that spec: silences,
//! alerts, and repeated `filter` query parameters (`collectionFormat: multi`).

#[cfg(not(e2e_alertmanager))]
#[test]
fn alertmanager_client_generated() {
    specwright_e2e::client_not_generated(
        "alertmanager",
        include_str!(concat!(env!("OUT_DIR"), "/alertmanager.status")),
    );
}

#[cfg(e2e_alertmanager)]
#[allow(dead_code, clippy::all)]
mod alertmanager {
    include!(concat!(env!("OUT_DIR"), "/alertmanager.rs"));
}

#[cfg(e2e_alertmanager)]
mod flows {
    use std::collections::BTreeMap;
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    use chrono::{DateTime, Utc};
    use specwright_e2e::{ResponseLog, Server, UrlLog, unavailable, unique};

    use super::alertmanager::{AsyncClient, types};

    fn start() -> Option<Server> {
        match specwright_e2e::alertmanager::start() {
            Ok(server) => Some(server),
            Err(why) => {
                unavailable("Alertmanager e2e tests", &why);
                None
            }
        }
    }

    fn client(server: &Server, log: &UrlLog) -> AsyncClient {
        let builder = AsyncClient::builder().base_url(format!("{}/api/v2", server.origin())).hook(log.clone());
        AsyncClient::from_builder(builder).expect("an async client")
    }

    /// Now plus `seconds`, to the second.
    fn in_seconds(seconds: i64) -> DateTime<Utc> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64;
        DateTime::from_timestamp(now + seconds, 0).expect("a valid time")
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    fn equal(name: &str, value: &str) -> types::Matcher {
        types::Matcher { name: name.into(), value: value.into(), is_regex: false, is_equal: Some(true) }
    }

    fn alert(labels: BTreeMap<String, String>) -> types::PostableAlert {
        types::PostableAlert {
            labels,
            annotations: Some(BTreeMap::from([("summary".to_owned(), "raised by specwright's e2e tests".to_owned())])),
            starts_at: Some(in_seconds(-60)),
            ends_at: Some(in_seconds(3600)),
            generator_url: Some("http://127.0.0.1/e2e?a=1&b=2".to_owned()),
        }
    }

    /// Polls `get_alerts` with `filter` until `done` holds (Alertmanager updates alert status
    /// asynchronously); returns the last answer.
    async fn alerts_until(
        am: &AsyncClient,
        filter: &[String],
        done: impl Fn(&[types::GettableAlert]) -> bool,
    ) -> Vec<types::GettableAlert> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let alerts = am.alert().get_alerts().filter(filter.to_vec()).send().await.expect("list alerts");
            if done(&alerts) || Instant::now() > deadline {
                return alerts;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    #[tokio::test]
    async fn silences_and_alerts_with_repeated_filters() {
        let Some(server) = start() else { return };
        let log = UrlLog::default();
        let am = client(&server, &log);
        let name = unique("E2E");
        let by_name = format!("alertname={name}");

        let status = am.general().get_status().send().await.expect("status");
        assert!(status.version_info.version.starts_with("0.25"), "{:?}", status.version_info);

        // A silence for alertname=NAME and team=e2e.
        let silence = types::PostableSilence {
            id: None,
            comment: "specwright e2e: silence, then expire".into(),
            created_by: "specwright-e2e".into(),
            starts_at: in_seconds(-1),
            ends_at: in_seconds(3600),
            matchers: vec![equal("alertname", &name), equal("team", "e2e")],
        };
        let created = am.silence().post_silences(silence).send().await.expect("create the silence");
        let silence_id = created.silence_id.expect("the new silence's id");
        let silence_uuid: uuid::Uuid = silence_id.parse().expect("silence ids are UUIDs");

        let fetched = am.silence().get(silence_uuid).send().await.expect("get the silence");
        assert_eq!(fetched.id, silence_id);
        assert_eq!(fetched.status.state, types::SilenceStatusState::Active);
        assert_eq!(fetched.matchers.len(), 2);

        // `filter` is `collectionFormat: multi`: two values must go as `filter=a&filter=b`, and
        // both must match. The second pair proves the second value reaches the server.
        let listed = am
            .silence()
            .get_silences()
            .filter(vec![by_name.clone(), "team=e2e".into()])
            .send()
            .await
            .expect("list silences with two filters");
        assert_eq!(listed.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), vec![silence_id.as_str()]);
        assert_eq!(log.last_query(), format!("filter=alertname%3D{name}&filter=team%3De2e"), "on the wire");
        let none = am
            .silence()
            .get_silences()
            .filter(vec![by_name.clone(), "team=other".into()])
            .send()
            .await
            .expect("list silences with a second filter that matches nothing");
        assert!(none.is_empty(), "the second filter value was lost: {none:?}");

        // Two alerts: one the silence covers, one it does not.
        let silenced = labels(&[("alertname", &name), ("team", "e2e"), ("instance", "a b/c")]);
        let loud = labels(&[("alertname", &name), ("team", "other"), ("instance", "d")]);
        am.alert()
            .post_alerts(vec![alert(silenced.clone()), alert(loud.clone())])
            .send()
            .await
            .expect("post two alerts");

        let both = alerts_until(&am, std::slice::from_ref(&by_name), |alerts| {
            alerts.len() == 2 && alerts.iter().all(|a| a.status.state != types::AlertStatusState::Unprocessed)
        })
        .await;
        assert_eq!(both.len(), 2, "{both:#?}");
        let only_e2e = am
            .alert()
            .get_alerts()
            .filter(vec![by_name.clone(), "team=e2e".into()])
            .send()
            .await
            .expect("list alerts with two filters");
        assert_eq!(only_e2e.len(), 1, "{only_e2e:#?}");
        assert_eq!(only_e2e[0].labels, silenced);
        assert_eq!(only_e2e[0].status.state, types::AlertStatusState::Suppressed);
        assert_eq!(only_e2e[0].status.silenced_by, vec![silence_id.clone()]);
        assert_eq!(only_e2e[0].generator_url.as_deref(), Some("http://127.0.0.1/e2e?a=1&b=2"));

        // Boolean query parameters next to the repeated filter.
        let unsilenced = am
            .alert()
            .get_alerts()
            .filter(vec![by_name.clone()])
            .silenced(false)
            .send()
            .await
            .expect("list alerts that are not silenced");
        assert_eq!(unsilenced.iter().map(|a| &a.labels).collect::<Vec<_>>(), vec![&loud]);
        assert_eq!(log.last_query(), format!("silenced=false&filter=alertname%3D{name}"), "on the wire");

        let groups = am
            .alertgroup()
            .get_alert_groups()
            .filter(vec![by_name.clone(), "team=other".into()])
            .send()
            .await
            .expect("alert groups with two filters");
        let grouped: Vec<_> = groups.iter().flat_map(|g| g.alerts.iter().map(|a| &a.labels)).collect();
        assert_eq!(grouped, vec![&loud], "{groups:#?}");

        // Expire the silence: it is listed as expired, and the alert is no longer suppressed.
        am.silence().delete(silence_uuid).send().await.expect("expire the silence");
        assert_eq!(log.last_path(), format!("/api/v2/silence/{silence_id}"), "on the wire");
        let expired = am.silence().get(silence_uuid).send().await.expect("get the expired silence");
        assert_eq!(expired.status.state, types::SilenceStatusState::Expired);
        let listed = am.silence().get_silences().filter(vec![by_name.clone()]).send().await.expect("list silences");
        assert!(listed.iter().all(|s| s.status.state == types::SilenceStatusState::Expired), "{listed:#?}");
        let filter = vec![by_name.clone(), "team=e2e".into()];
        let active = alerts_until(&am, &filter, |alerts| {
            alerts.len() == 1 && alerts[0].status.state == types::AlertStatusState::Active
        })
        .await;
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].status.state, types::AlertStatusState::Active, "{active:#?}");
        assert!(active[0].status.silenced_by.is_empty());

        // A malformed filter is a documented 400.
        let bad = am.alert().get_alerts().filter(vec!["not a matcher".into()]).send().await;
        let bad = bad.expect_err("a malformed filter is refused");
        assert_eq!(bad.status().map(|s| s.as_u16()), Some(400), "{bad}");
        drop(server);
    }

    /// Every operation, called through the generated client against Prism mocking the same
    /// spec: Prism validates each request (parameters, formats, body) against the spec.
    #[tokio::test]
    async fn every_request_validates_against_the_spec_in_prism() {
        let spec = specwright_e2e::specs_dir().join("alertmanager.json");
        let prism = match specwright_e2e::prism::mock(&spec) {
            Ok(prism) => prism,
            Err(why) => return unavailable("Alertmanager requests against Prism", &why),
        };
        let log = ResponseLog::default();
        let builder = AsyncClient::builder().base_url(prism.origin()).hook(log.clone());
        let am = AsyncClient::from_builder(builder).expect("an async client");
        let id: uuid::Uuid = "0b2f8b4c-3c1e-4bd5-9c1e-6f2a8e8f6d11".parse().expect("a UUID");
        let filters = vec!["alertname=E2E".to_owned(), "team=e2e".to_owned()];

        // Prism makes responses up from the schemas; only the requests matter here, so the
        // decoded results are not looked at.
        let _ = am.general().get_status().send().await;
        let _ = am.receiver().get_receivers().send().await;
        let _ = am.silence().get_silences().filter(filters.clone()).send().await;
        let silence = types::PostableSilence {
            id: None,
            comment: "c".into(),
            created_by: "e2e".into(),
            starts_at: in_seconds(0),
            ends_at: in_seconds(60),
            matchers: vec![equal("alertname", "E2E")],
        };
        let _ = am.silence().post_silences(silence).send().await;
        let _ = am.silence().get(id).send().await;
        let _ = am.silence().delete(id).send().await;
        let _ = am
            .alert()
            .get_alerts()
            .active(true)
            .silenced(false)
            .inhibited(false)
            .unprocessed(true)
            .filter(filters.clone())
            .receiver("e2e.*")
            .send()
            .await;
        let _ = am.alert().post_alerts(vec![alert(labels(&[("alertname", "E2E")]))]).send().await;
        let _ = am.alertgroup().get_alert_groups().active(true).filter(filters).receiver("e2e").send().await;

        let responses = log.responses();
        assert_eq!(responses.len(), 9, "{responses:#?}");
        let problems = log.request_problems();
        assert!(problems.is_empty(), "Prism refused requests: {problems:#?}");
        drop(prism);
    }
}
