//! The Prism oracle for the project's own specs: every operation of every spec in `specs/` that
//! has paths, called through the async client generated from that spec, against `prism mock`
//! of the same spec (one Prism per spec). Prism validates each request — parameters and their
//! styles, bodies and their content types, credentials — and the check is "2xx and no
//! `sl-violations` header". Where Prism is lax (it accepts several serializations of the same
//! parameter) the exact request on the wire is asserted too.
//!
//! Each test prints a report (operations called, clean, every violation Prism reported) to
//! stderr past the harness's capture. A call a generator bug blocks is marked `// BLOCKED:` and
//! expected to fail the same way; Prism's own limitations are documented where they bite.

macro_rules! project_spec {
    ($cfg:ident, $module:ident, $status:literal, $file:literal, $check:ident) => {
        #[cfg(not($cfg))]
        #[test]
        fn $check() {
            // The specs are in the repository: not generating is always a failure.
            panic!("{}: {}", $file, include_str!(concat!(env!("OUT_DIR"), "/", $status)));
        }

        #[cfg($cfg)]
        #[allow(dead_code, clippy::all)]
        mod $module {
            include!(concat!(env!("OUT_DIR"), "/", stringify!($module), ".rs"));
        }
    };
}

project_spec!(e2e_spec_openapp, spec_openapp, "spec_openapp.status", "openapp.yaml", openapp_generated);
project_spec!(
    e2e_spec_operations_parameters,
    spec_operations_parameters,
    "spec_operations_parameters.status",
    "operations_parameters.yaml",
    operations_parameters_generated
);
project_spec!(
    e2e_spec_operations_bodies,
    spec_operations_bodies,
    "spec_operations_bodies.status",
    "operations_bodies.yaml",
    operations_bodies_generated
);
project_spec!(
    e2e_spec_operations_responses,
    spec_operations_responses,
    "spec_operations_responses.status",
    "operations_responses.yaml",
    operations_responses_generated
);
project_spec!(e2e_spec_security, spec_security, "spec_security.status", "security.yaml", security_generated);

/// The oracle: a Prism mock of one spec, a hook that records what the clients send, and the
/// verdict of every call.
mod oracle {
    use std::collections::{BTreeMap, BTreeSet};
    use std::fmt::{Debug, Display};
    use std::io::Write;
    use std::path::PathBuf;
    use std::sync::{Arc, Mutex};

    use specwright_e2e::Server;
    use specwright_runtime::reqwest::header::HeaderMap;
    use specwright_runtime::{CallInfo, ClientBuilder, Error, Hook, Response, RetryPolicy};

    /// A request as the client put it on the wire (the hook sees the finished request).
    #[derive(Clone, Debug)]
    pub struct Sent {
        pub operation: &'static str,
        pub method: String,
        pub url: String,
        /// Lower-case names, in the order sent.
        pub headers: Vec<(String, String)>,
        /// `None` for a streamed body.
        pub body: Option<Vec<u8>>,
    }

    impl Sent {
        /// The value of header `name` (all values joined with `, `), if sent.
        pub fn header(&self, name: &str) -> Option<String> {
            let values: Vec<&str> =
                self.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str()).collect();
            (!values.is_empty()).then(|| values.join(", "))
        }

        /// The value of header `name`, or `(absent)`.
        pub fn header_text(&self, name: &str) -> String {
            self.header(name).unwrap_or_else(|| "(absent)".to_owned())
        }

        /// The raw query string, as sent.
        pub fn query(&self) -> &str {
            self.url.split_once('?').map_or("", |(_, q)| q)
        }

        /// The path, percent-encoding as sent.
        pub fn path(&self) -> &str {
            let after_scheme = self.url.split_once("://").map_or(self.url.as_str(), |(_, rest)| rest);
            let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
            path.split('?').next().unwrap_or(path)
        }

        /// The body as text (lossy), or a note for a streamed one.
        pub fn body_text(&self) -> String {
            match &self.body {
                Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
                None => "(streamed body)".to_owned(),
            }
        }

        fn describe(&self) -> String {
            let mut text = format!("{} {}", self.method, self.url);
            for (name, value) in &self.headers {
                text.push_str(&format!("\n        {name}: {value}"));
            }
            if let Some(body) = &self.body {
                let body = String::from_utf8_lossy(body);
                let cut: String = body.chars().take(400).collect();
                text.push_str(&format!("\n        (body) {cut}"));
            }
            text
        }
    }

    /// The hook: records every request the clients send.
    #[derive(Clone, Default)]
    pub struct Wire(Arc<Mutex<Vec<Sent>>>);

    impl Wire {
        fn take(&self) -> Vec<Sent> {
            std::mem::take(&mut *self.0.lock().expect("wire log"))
        }
    }

    impl Hook for Wire {
        fn before_request(
            &self,
            call: CallInfo<'_>,
            request: &mut specwright_runtime::reqwest::Request,
        ) -> Result<(), String> {
            let headers = request
                .headers()
                .iter()
                .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
                .collect();
            let body = request.body().and_then(|body| body.as_bytes()).map(<[u8]>::to_vec);
            self.0.lock().expect("wire log").push(Sent {
                operation: call.operation,
                method: request.method().to_string(),
                url: request.url().to_string(),
                headers,
                body,
            });
            Ok(())
        }
    }

    /// A hook that stops every request before it is sent (after [`Wire`] recorded it): to look
    /// at the wire format of a request Prism cannot take.
    pub struct Stop;

    impl Hook for Stop {
        fn before_request(&self, _: CallInfo<'_>, _: &mut specwright_runtime::reqwest::Request) -> Result<(), String> {
            Err("stopped before sending: wire format check only".to_owned())
        }
    }

    /// What a call must come to.
    pub enum Expect {
        /// A 2xx without `sl-violations`.
        Clean,
        /// What Prism is known to answer where it cannot give a clean 2xx for a reason that is
        /// not the client's (`why` says which, with evidence at the call): exactly `status`
        /// (`0`: any 2xx) and a Prism diagnostic containing `message` (empty: no diagnostics).
        Outcome { status: u16, message: &'static str, why: &'static str },
        /// A generator/runtime bug: expected to fail; `why` names it.
        #[allow(dead_code)]
        Blocked { why: &'static str },
    }

    enum Verdict {
        Clean,
        AsExpected(String),
        Blocked(String),
        Failed(String),
    }

    struct Call {
        operation: String,
        label: String,
        status: Option<u16>,
        violations: Vec<String>,
        verdict: Verdict,
    }

    /// One spec under Prism.
    pub struct Oracle {
        pub spec: &'static str,
        path: PathBuf,
        prism: Server,
        wire: Wire,
        calls: Vec<Call>,
        /// The requests of the latest call.
        last: Vec<Sent>,
        /// Failed assertions on the wire format.
        wire_failures: std::cell::RefCell<Vec<String>>,
        /// Wire checks a known bug fails (see [`Oracle::wire_eq_blocked`]).
        blocked_wire: std::cell::RefCell<Vec<String>>,
        /// Negative controls that went as expected.
        controls: std::cell::RefCell<Vec<String>>,
    }

    /// `specs/<file>` of the repository.
    fn spec_path(file: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs").join(file)
    }

    /// Prism's diagnostics as `location: message`, verbatim: from the `sl-violations` header
    /// and, for an error Prism made up, from its `application/problem+json` body.
    fn violations(headers: &HeaderMap, body: Option<&[u8]>) -> Vec<String> {
        let mut found = Vec::new();
        let add = |found: &mut Vec<String>, items: &serde_json::Value| {
            for item in items.as_array().into_iter().flatten() {
                let location: Vec<String> = item["location"]
                    .as_array()
                    .map(|parts| {
                        parts.iter().map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned)).collect()
                    })
                    .unwrap_or_default();
                let severity = item["severity"].as_str().unwrap_or("?");
                found.push(format!(
                    "[{severity}] {}: {}",
                    location.join("."),
                    item["message"].as_str().unwrap_or_default()
                ));
            }
        };
        if let Some(header) = headers.get("sl-violations") {
            match serde_json::from_slice::<serde_json::Value>(header.as_bytes()) {
                Ok(items) => add(&mut found, &items),
                Err(_) => found.push(format!("sl-violations: {}", String::from_utf8_lossy(header.as_bytes()))),
            }
        }
        let problem = body.and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok());
        if let Some(problem) =
            problem.filter(|p| p["type"].as_str().is_some_and(|t| t.contains("stoplight.io/prism/errors")))
        {
            found.push(format!(
                "[problem] {}: {}",
                problem["title"].as_str().unwrap_or_default(),
                problem["detail"].as_str().unwrap_or_default()
            ));
            add(&mut found, &problem["validation"]);
        }
        found
    }

    impl Oracle {
        /// Starts `prism mock specs/<file>`; `None` (after printing SKIPPED, or failing under
        /// CI) when Prism is not installed.
        pub fn start(file: &'static str) -> Option<Oracle> {
            let path = spec_path(file);
            match specwright_e2e::prism::mock(&path) {
                Ok(prism) => Some(Oracle {
                    spec: file,
                    path,
                    prism,
                    wire: Wire::default(),
                    calls: Vec::new(),
                    last: Vec::new(),
                    wire_failures: Default::default(),
                    blocked_wire: Default::default(),
                    controls: Default::default(),
                }),
                Err(why) => {
                    specwright_e2e::unavailable(&format!("Prism oracle for specs/{file}"), &why);
                    None
                }
            }
        }

        /// `builder` pointed at Prism, recording what is sent, without retries (each call is
        /// one request).
        pub fn client<C>(&self, builder: ClientBuilder<C>) -> ClientBuilder<C> {
            builder.base_url(self.prism.origin()).hook(self.wire.clone()).retry_policy(RetryPolicy::none())
        }

        /// The request of the latest call (the last one when it took several).
        pub fn sent(&self) -> &Sent {
            static NOTHING: Sent =
                Sent { operation: "", method: String::new(), url: String::new(), headers: Vec::new(), body: None };
            self.last.last().unwrap_or(&NOTHING)
        }

        /// Takes the request of a call that [`Stop`] stopped before sending (it is not a Prism
        /// call): [`Oracle::sent`] is that request next.
        pub fn take_stopped<T: Debug, E: Debug>(&mut self, what: &str, result: &Result<T, Error<E>>) {
            self.last = self.wire.take();
            let stopped = matches!(result, Err(Error::Hook { .. })) && !self.last.is_empty();
            self.wire_check(&format!("{what} (stopped before sending)"), stopped, format!("{result:?}"));
        }

        /// Checks that a call the client must refuse (no credentials) failed with
        /// `Error::Unauthenticated` and sent nothing.
        pub fn take_unsent<T: Debug, E: Debug>(&mut self, what: &str, result: &Result<T, Error<E>>) {
            self.last = self.wire.take();
            let refused = matches!(result, Err(Error::Unauthenticated { .. })) && self.last.is_empty();
            self.wire_check(
                &format!("{what} (refused by the client)"),
                refused,
                format!("{result:?}, sent {:?}", self.last),
            );
        }

        /// Records a failed assertion on the wire format (reported with the rest).
        pub fn wire_eq(&self, what: &str, actual: impl Debug + PartialEq<&'static str>, expected: &'static str) {
            if actual != expected {
                self.wire_failures.borrow_mut().push(format!("{what}: sent {actual:?}, expected {expected:?}"));
            }
        }

        /// A wire check that a known generator/runtime bug fails: `actual` must still be the
        /// buggy `sent_today` (reported, not failed); once it is `correct`, the marker must go
        /// (failed, so that it does).
        #[allow(dead_code)] // No wire check is blocked today; this is how the next one is marked.
        pub fn wire_eq_blocked(&self, what: &str, actual: &str, correct: &str, sent_today: &str, why: &str) {
            if actual == sent_today {
                self.blocked_wire
                    .borrow_mut()
                    .push(format!("{what}: sends {actual:?} where {correct:?} is right: {why}"));
            } else if actual == correct {
                self.wire_failures.borrow_mut().push(format!(
                    "{what}: marked BLOCKED ({why}) but now sends the right {correct:?}: remove the marker"
                ));
            } else {
                self.wire_failures
                    .borrow_mut()
                    .push(format!("{what}: sent {actual:?}, expected {correct:?} (or, BLOCKED, {sent_today:?})"));
            }
        }

        /// The oracle's negative control: a request the generated client would not send (it
        /// refuses to, or its types rule it out), sent by a plain HTTP client; Prism must refuse
        /// it with `status`. Shows that the clean calls are clean because the client got it
        /// right, not because Prism lets anything through.
        pub async fn control(
            &self,
            what: &str,
            method: &str,
            path: &str,
            headers: &[(&str, &str)],
            body: &str,
            status: u16,
        ) {
            let method: specwright_runtime::reqwest::Method = method.parse().expect("a method");
            let mut request = specwright_runtime::reqwest::Client::new()
                .request(method.clone(), format!("{}{path}", self.prism.origin()))
                .body(body.to_owned());
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            match request.send().await {
                Ok(response) => {
                    let got = response.status().as_u16();
                    let headers = response.headers().clone();
                    let body = response.bytes().await.unwrap_or_default();
                    let found = violations(&headers, Some(&body));
                    let line = format!("{what}: {method} {path} -> {got}; Prism: {found:?}");
                    if got == status {
                        self.controls.borrow_mut().push(line);
                    } else {
                        self.wire_failures.borrow_mut().push(format!("control {line}; expected {status}"));
                    }
                }
                Err(error) => self.wire_failures.borrow_mut().push(format!("control {what}: {method} {path}: {error}")),
            }
        }

        /// Records a check on the wire format that does not hold.
        pub fn wire_check(&self, what: &str, holds: bool, detail: impl Display) {
            if !holds {
                self.wire_failures.borrow_mut().push(format!("{what}: {detail}"));
            }
        }

        /// The outcome of one call, judged against `expect`; returns the decoded body of a 2xx.
        pub fn call<T, E: Debug>(
            &mut self,
            label: &str,
            result: Result<Response<T>, Error<E>>,
            expect: Expect,
        ) -> Option<T>
        where
            Error<E>: Display,
        {
            self.last = self.wire.take();
            let operation = self.last.last().map_or_else(|| "(nothing sent)".to_owned(), |s| s.operation.to_owned());
            let (status, found, body, error) = match result {
                Ok(response) => {
                    (Some(response.status.as_u16()), violations(&response.headers, None), Some(response.body), None)
                }
                Err(error) => {
                    let status = error.status().map(|s| s.as_u16());
                    let found = error.response().map(|r| violations(&r.headers, Some(&r.body))).unwrap_or_default();
                    (status, found, None, Some(error.to_string()))
                }
            };
            let request = self.last.iter().map(Sent::describe).collect::<Vec<_>>().join("\n      then ");
            let outcome = || {
                format!(
                    "status {}{}{}\n      request: {request}",
                    status.map_or("-".to_owned(), |s| s.to_string()),
                    error.as_ref().map_or(String::new(), |e| format!(", error: {e}")),
                    if found.is_empty() { String::new() } else { format!(", Prism: {found:?}") },
                )
            };
            let clean = status.is_some_and(|s| (200..300).contains(&s)) && found.is_empty() && error.is_none();
            let verdict = match expect {
                Expect::Clean if clean => Verdict::Clean,
                Expect::Clean => Verdict::Failed(format!("expected a clean 2xx: {}", outcome())),
                Expect::Outcome { status: want, message, why } => {
                    let status_ok = match (want, status) {
                        (0, Some(got)) => (200..300).contains(&got),
                        (want, got) => got == Some(want),
                    };
                    let message_ok =
                        if message.is_empty() { found.is_empty() } else { found.iter().any(|v| v.contains(message)) };
                    let want_text = if want == 0 { "a 2xx".to_owned() } else { want.to_string() };
                    if status_ok && message_ok {
                        Verdict::AsExpected(format!("{want_text} as expected: {why}"))
                    } else {
                        Verdict::Failed(format!(
                            "expected {want_text} with Prism saying {message:?} ({why}): {}",
                            outcome()
                        ))
                    }
                }
                Expect::Blocked { why } if clean => Verdict::Failed(format!(
                    "marked BLOCKED ({why}) but now passes clean: remove the BLOCKED marker\n      request: {request}"
                )),
                Expect::Blocked { why } => Verdict::Blocked(format!("BLOCKED: {why}: {}", outcome())),
            };
            self.calls.push(Call { operation, label: label.to_owned(), status, violations: found, verdict });
            body
        }

        /// Prints the report and fails on any failed call, failed wire check, or operation of
        /// the spec that was not called.
        pub fn finish(self) {
            let text = std::fs::read_to_string(&self.path).expect("read the spec");
            let in_spec: BTreeSet<String> = text
                .lines()
                .filter_map(|line| line.trim().strip_prefix("operationId:"))
                .map(|id| id.trim().trim_matches(['\'', '"']).to_owned())
                .collect();
            let mut per_operation: BTreeMap<&str, (usize, bool)> = BTreeMap::new();
            for call in &self.calls {
                let entry = per_operation.entry(call.operation.as_str()).or_insert((0, true));
                entry.0 += 1;
                entry.1 &= !matches!(call.verdict, Verdict::Failed(_));
            }
            let missing: Vec<&String> = in_spec.iter().filter(|id| !per_operation.contains_key(id.as_str())).collect();
            let count = |f: fn(&Verdict) -> bool| self.calls.iter().filter(|c| f(&c.verdict)).count();
            let clean = count(|v| matches!(v, Verdict::Clean));
            let expected = count(|v| matches!(v, Verdict::AsExpected(_)));
            let blocked = count(|v| matches!(v, Verdict::Blocked(_)));
            let failed = count(|v| matches!(v, Verdict::Failed(_)));
            let operations_clean = self
                .calls
                .iter()
                .fold(BTreeMap::<&str, bool>::new(), |mut acc, c| {
                    *acc.entry(c.operation.as_str()).or_insert(true) &= matches!(c.verdict, Verdict::Clean);
                    acc
                })
                .values()
                .filter(|clean| **clean)
                .count();
            let blocked_wire = self.blocked_wire.take();
            let mut report = format!(
                "\n== Prism oracle: specs/{}: {}/{} operations called, {} passed ({} with every call clean); \
                 {} calls: {clean} clean, {expected} known Prism outcomes, {blocked} BLOCKED, {failed} failed; \
                 {} BLOCKED wire checks\n",
                self.spec,
                per_operation.keys().filter(|op| in_spec.contains(**op)).count(),
                in_spec.len(),
                per_operation.values().filter(|(_, passed)| *passed).count(),
                operations_clean,
                self.calls.len(),
                blocked_wire.len(),
            );
            for call in &self.calls {
                let mark = match &call.verdict {
                    Verdict::Clean => "clean",
                    Verdict::AsExpected(_) => "expected",
                    Verdict::Blocked(_) => "BLOCKED",
                    Verdict::Failed(_) => "FAILED",
                };
                let status = call.status.map_or("-".to_owned(), |s| s.to_string());
                report.push_str(&format!("  {mark:8} {status:3} {}: {}\n", call.operation, call.label));
                for violation in &call.violations {
                    report.push_str(&format!("           Prism: {violation}\n"));
                }
                match &call.verdict {
                    Verdict::AsExpected(note) | Verdict::Blocked(note) | Verdict::Failed(note) => {
                        report.push_str(&format!("           {note}\n"));
                    }
                    Verdict::Clean => {}
                }
            }
            for control in self.controls.take() {
                report.push_str(&format!("  control  {control}\n"));
            }
            for blocked in &blocked_wire {
                report.push_str(&format!("  BLOCKED wire check: {blocked}\n"));
            }
            let wire_failures = self.wire_failures.take();
            for failure in &wire_failures {
                report.push_str(&format!("  FAILED wire check: {failure}\n"));
            }
            for id in &missing {
                report.push_str(&format!("  FAILED not called: {id}\n"));
            }
            let mut prism = self.prism;
            let died = prism.has_exited().then(|| prism.log_tail());
            if died.is_some() {
                report.push_str("  FAILED Prism died during the run (its log ends the failure message)\n");
            }
            let _ = writeln!(std::io::stderr().lock(), "{report}");
            drop(prism);
            assert!(
                failed == 0 && wire_failures.is_empty() && missing.is_empty() && died.is_none(),
                "specs/{}: the oracle found problems (report above){}",
                self.spec,
                died.map_or(String::new(), |log| format!("; Prism died, its log ends:\n{log}"))
            );
        }
    }
}

#[cfg(e2e_spec_openapp)]
mod openapp {
    use std::collections::BTreeMap;

    use chrono::{DateTime, Utc};
    use specwright_runtime::FilePart;

    use super::oracle::{Expect, Oracle};
    use super::spec_openapp::{AsyncClient, responses, types};

    const ORG: &str = "org_7f3a2c";
    const SITE: &str = "site_19bd";
    const DEVICE: &str = "dev_a41f09";

    fn time(text: &str) -> DateTime<Utc> {
        text.parse().expect("an RFC 3339 time")
    }

    /// A tiny PNG (the 8-byte signature and an IHDR chunk): what a floor plan upload carries.
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde";

    /// Every operation of the flagship spec (OpenAPI 3.1): the three alternative schemes of the
    /// global requirement (API key, bearer JWT, OAuth 2 token), `security: []` on `getStatus`,
    /// path, query, header and cookie parameters, JSON and multipart bodies.
    #[tokio::test]
    async fn every_operation_of_openapp() {
        let Some(mut o) = Oracle::start("openapp.yaml") else { return };
        let anonymous = AsyncClient::from_builder(o.client(AsyncClient::builder())).expect("a client");
        let by_key = AsyncClient::from_builder(o.client(AsyncClient::builder())).expect("a client");
        by_key.set_api_key("oa_live_3f9c2e");
        let by_jwt = AsyncClient::from_builder(o.client(AsyncClient::builder())).expect("a client");
        by_jwt.set_bearer("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2ln");
        let by_oauth = AsyncClient::from_builder(o.client(AsyncClient::builder())).expect("a client");
        by_oauth.set_oauth("oauth-access-token-e2e");

        // status: needs no credentials.
        let r = anonymous.status().get().send_with_response().await;
        o.call("no credentials (security: [])", r, Expect::Clean);
        let r = by_key.status().get().send_with_response().await;
        o.call("with an API key it does not need", r, Expect::Clean);

        // orgs
        let r = by_key.orgs().list().send_with_response().await;
        o.call("API key, no optional parameters", r, Expect::Clean);
        let r = by_jwt.orgs().list().limit(25).cursor("c_2").send_with_response().await;
        o.call("bearer, limit and cursor", r, Expect::Clean);
        o.wire_eq("listOrgs query", o.sent().query(), "limit=25&cursor=c_2");
        o.wire_check(
            "listOrgs bearer",
            o.sent().header("authorization").as_deref() == Some("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2ln"),
            format!("{:?}", o.sent().header("authorization")),
        );
        let r = by_oauth.orgs().list().send_with_response().await;
        o.call("OAuth 2 access token", r, Expect::Clean);
        // Without credentials the client refuses to send at all; and Prism refuses such a
        // request (so the clean calls above prove that the credentials were right).
        let r = anonymous.orgs().list().send_with_response().await;
        o.take_unsent("listOrgs without credentials", &r);
        o.control("listOrgs without credentials", "GET", "/orgs", &[], "", 401).await;
        o.control("listOrgs with a malformed bearer", "GET", "/orgs", &[("Authorization", "Bearer")], "", 401).await;
        let r = by_key.orgs().get(ORG).send_with_response().await;
        o.call("API key", r, Expect::Clean);
        o.wire_check(
            "getOrg API key",
            o.sent().header("x-api-key").as_deref() == Some("oa_live_3f9c2e"),
            format!("{:?}", o.sent().header("x-api-key")),
        );

        // sites
        let r = by_key.sites().list(ORG).limit(1).cursor("s_1").send_with_response().await;
        o.call("limit and cursor", r, Expect::Clean);
        let site = types::CreateSite {
            name: "Rotterdam Depot".into(),
            timezone: "Europe/Amsterdam".into(),
            address: Some(types::CreateSiteAddress {
                street: Some("Waalhaven 12".into()),
                city: "Rotterdam".into(),
                country: "NL".into(),
            }),
        };
        let r = by_key.sites().create(ORG, site).send_with_response().await;
        o.call("full body", r, Expect::Clean);
        let minimal = types::CreateSite { name: "Depot 2".into(), timezone: "Europe/Amsterdam".into(), address: None };
        let r = by_jwt.sites().create(ORG, minimal).send_with_response().await;
        o.call("required properties only", r, Expect::Clean);
        o.wire_check(
            "createSite body",
            o.sent().body_text() == r#"{"name":"Depot 2","timezone":"Europe/Amsterdam"}"#,
            o.sent().body_text(),
        );
        let json = [("X-API-Key", "k"), ("Content-Type", "application/json")];
        o.control("createSite without timezone", "POST", "/orgs/o/sites", &json, r#"{"name":"x"}"#, 422).await;
        let r = by_key.sites().get(ORG, SITE).send_with_response().await;
        o.call("API key", r, Expect::Clean);
        // No content type of its own: the part gets the first of the spec's
        // `encoding.file.contentType` (`image/png, image/svg+xml`).
        let plan = types::SitesUploadFloorPlanBody {
            file: FilePart::new(PNG).file_name("plan.png"),
            caption: Some("Ground floor".into()),
        };
        let r = by_key.sites().upload_floor_plan(ORG, SITE, plan).send_with_response().await;
        o.call("multipart: PNG file and caption", r, Expect::Clean);
        let body = o.sent().body_text();
        o.wire_check(
            "uploadSiteFloorPlan parts",
            body.contains(
                "Content-Disposition: form-data; name=\"file\"; filename=\"plan.png\"\r\nContent-Type: image/png\r\n",
            ) && body.contains("Content-Disposition: form-data; name=\"caption\"\r\n")
                && body.contains("\r\n\r\nGround floor\r\n"),
            &body,
        );
        let svg = types::SitesUploadFloorPlanBody {
            file: FilePart::new(&b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"[..])
                .file_name("plan.svg")
                .content_type("image/svg+xml"),
            caption: None,
        };
        let r = by_oauth.sites().upload_floor_plan(ORG, SITE, svg).send_with_response().await;
        o.call("multipart: SVG file alone", r, Expect::Clean);

        // devices
        let r = by_key.devices().list(ORG).send_with_response().await;
        o.call("no optional parameters", r, Expect::Clean);
        let r = by_key
            .devices()
            .list(ORG)
            .site_id(SITE)
            .kind(types::DeviceKind::Camera)
            .limit(500)
            .cursor("eyJwIjoyfQ==")
            .send_with_response()
            .await;
        if let Some(page) = o.call("siteId, kind, limit, cursor", r, Expect::Clean) {
            let _: types::DeviceList = page;
        }
        o.wire_eq(
            "listDevices query",
            o.sent().query(),
            "siteId=site_19bd&kind=camera&limit=500&cursor=eyJwIjoyfQ%3D%3D",
        );
        let device = types::CreateDevice {
            site_id: SITE.into(),
            name: "Loading bay door 2".into(),
            kind: types::DeviceKind::Door,
            serial_number: Some("SN-0042".into()),
            attributes: Some(BTreeMap::from([("vendor".to_owned(), "acme".to_owned())])),
            tags: Some(vec!["dock".into(), "north".into()]),
        };
        let r = by_key.devices().create(ORG, device).send_with_response().await;
        o.call("full body", r, Expect::Clean);
        let r = by_key.devices().get(ORG, DEVICE).send_with_response().await;
        o.call("API key", r, Expect::Clean);
        let update = types::UpdateDevice {
            name: Some("Loading bay door 3".into()),
            site_id: Some(SITE.into()),
            attributes: Some(BTreeMap::from([("vendor".to_owned(), "acme".to_owned())])),
            tags: Some(vec!["dock".into()]),
        };
        let r = by_key.devices().update(ORG, DEVICE, update).if_match("\"v42\"").send_with_response().await;
        o.call("full body and If-Match", r, Expect::Clean);
        o.wire_check(
            "updateDevice If-Match",
            o.sent().header("if-match").as_deref() == Some("\"v42\""),
            format!("{:?}", o.sent().header("if-match")),
        );
        let r = by_jwt.devices().update(ORG, DEVICE, types::UpdateDevice::default()).send_with_response().await;
        o.call("empty body, no If-Match", r, Expect::Clean);
        let r = by_key.devices().delete(ORG, DEVICE).send_with_response().await;
        o.call("API key", r, Expect::Clean);
        let r = by_key.devices().get_snapshot(ORG, DEVICE).send_with_response().await;
        o.call("image/jpeg response", r, Expect::Clean);
        let streamed = match by_key.devices().get_snapshot(ORG, DEVICE).send_stream().await {
            Ok(stream) => {
                let status = stream.status().as_u16();
                stream.collect(1 << 20).await.map(|body| format!("{status}, {} bytes", body.len())).map_err(|e| e.to_string())
            }
            Err(error) => Err(error.to_string()),
        };
        o.wire_check("getDeviceSnapshot streamed", streamed.as_ref().is_ok_and(|s| s.starts_with("200")), format!("{streamed:?}"));
        let image: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
        let checksum = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let reader = specwright_runtime::BinaryBody::reader(std::io::Cursor::new(image));
        let r = by_key.devices().upload_firmware(ORG, DEVICE, checksum, reader).send_with_response().await;
        o.call("octet-stream firmware streamed from a reader", r, Expect::Clean);
        // A streamed body is not in memory for a hook to see: Prism's validation is the check.
        o.wire_check(
            "uploadDeviceFirmware streamed",
            o.sent().body.is_none()
                && o.sent().header("x-firmware-sha256").as_deref() == Some(checksum)
                && o.sent().header("content-type").as_deref() == Some("application/octet-stream"),
            format!("{:?} {:?}", o.sent().header("content-type"), o.sent().body.as_ref().map(Vec::len)),
        );
        let unlock = types::DeviceCommand { action: types::DeviceCommandAction::Unlock, duration_seconds: Some(10) };
        let r = by_key.devices().send_command(ORG, DEVICE, unlock.clone()).send_with_response().await;
        if let Some(success) = o.call("unlock for 10 s", r, Expect::Clean) {
            o.wire_check(
                "sendDeviceCommand 200",
                matches!(success, responses::DevicesSendCommandSuccess::Ok(_)),
                format!("{success:?}"),
            );
        }
        // Prism's `Prefer: code=202` picks the other documented 2xx (it is not a parameter of the
        // spec, and Prism does not validate it): the client must decode it as `Accepted`.
        let reboot = types::DeviceCommand { action: types::DeviceCommandAction::Reboot, duration_seconds: None };
        let r =
            by_key.devices().send_command(ORG, DEVICE, reboot).header("Prefer", "code=202").send_with_response().await;
        if let Some(success) = o.call("reboot, 202 asked of Prism", r, Expect::Clean) {
            o.wire_check(
                "sendDeviceCommand 202",
                matches!(success, responses::DevicesSendCommandSuccess::Accepted(_)),
                format!("{success:?}"),
            );
        }

        // credentials
        let r = by_key.credentials().list(ORG).limit(10).cursor("c").send_with_response().await;
        o.call("limit and cursor", r, Expect::Clean);
        let credential = types::CreateCredential {
            kind: types::CredentialKind::Mobile,
            holder_name: "Jane Doe".into(),
            holder_email: Some("jane.doe@example.com".into()),
            secret: None,
            site_ids: Some(vec![SITE.into()]),
            valid_from: Some(time("2026-01-01T08:00:00Z")),
            valid_until: Some(time("2026-12-31T18:00:00Z")),
        };
        let r = by_key.credentials().create(ORG, credential).send_with_response().await;
        o.call("mobile credential, validity period", r, Expect::Clean);
        let card = types::CreateCredential {
            kind: types::CredentialKind::Card,
            holder_name: "John Roe".into(),
            holder_email: None,
            secret: Some("0042-1337".into()),
            site_ids: None,
            valid_from: None,
            valid_until: None,
        };
        let r = by_oauth.credentials().create(ORG, card).send_with_response().await;
        o.call("card with a secret", r, Expect::Clean);
        let r = by_key.credentials().delete(ORG, "cred_5be7").send_with_response().await;
        o.call("API key", r, Expect::Clean);

        // events
        let r = by_key.events().list(ORG).send_with_response().await;
        o.call("no optional parameters", r, Expect::Clean);
        let r = by_key
            .events()
            .list(ORG)
            .since(time("2026-03-01T12:30:00Z"))
            .device_id(DEVICE)
            .limit(100)
            .cursor("ev_9")
            .x_request_id("req-e2e-1")
            .display_tz("Europe/Amsterdam")
            .send_with_response()
            .await;
        o.call("since, deviceId, limit, cursor, X-Request-Id, display_tz cookie", r, Expect::Clean);
        let sent = o.sent().clone();
        o.wire_check(
            "listEvents query",
            sent.query() == "since=2026-03-01T12%3A30%3A00Z&deviceId=dev_a41f09&limit=100&cursor=ev_9"
                || sent.query() == "since=2026-03-01T12:30:00Z&deviceId=dev_a41f09&limit=100&cursor=ev_9",
            sent.query(),
        );
        o.wire_check(
            "listEvents X-Request-Id",
            sent.header("x-request-id").as_deref() == Some("req-e2e-1"),
            format!("{:?}", sent.header("x-request-id")),
        );
        o.wire_check(
            "listEvents cookie",
            sent.header("cookie").is_some_and(|c| {
                c.split("; ").any(|p| p == "display_tz=Europe%2FAmsterdam" || p == "display_tz=Europe/Amsterdam")
            }),
            format!("{:?}", sent.header("cookie")),
        );

        o.control(
            "listEvents with since=yesterday",
            "GET",
            "/orgs/o/events?since=yesterday",
            &[("X-API-Key", "k")],
            "",
            422,
        )
        .await;

        // alarms
        let r = by_key.alarms().list(ORG).limit(50).cursor("a_1").send_with_response().await;
        o.call("limit and cursor", r, Expect::Clean);
        let r = by_jwt.alarms().acknowledge(ORG, "alm_30c2").send_with_response().await;
        o.call("bearer, no body", r, Expect::Clean);

        o.finish();
    }
}

#[cfg(e2e_spec_operations_parameters)]
mod operations_parameters {
    use super::oracle::{Expect, Oracle, Stop};
    use super::spec_operations_parameters::{AsyncClient, types};

    /// Every parameter location, style and explode combination.
    #[tokio::test]
    async fn every_operation_of_operations_parameters() {
        let Some(mut o) = Oracle::start("operations_parameters.yaml") else { return };
        let client = AsyncClient::from_builder(o.client(AsyncClient::builder())).expect("a client");
        // The spec's server is `http://localhost:8080/api`; Prism serves the paths at its root,
        // so the base URL is Prism's origin (the same for every spec here).

        // pathStyles. Prism 5.14 matches paths with uri-template-lite, which turns a path
        // segment with a literal comma into an array; its simple and matrix deserializers then
        // call `.split`/`.startsWith` on that array and the whole Prism process dies
        // (`TypeError: value.split is not a function` in
        // prism-http/dist/validator/deserializers/style/simple.js). A comma is exactly what
        // OpenAPI prescribes for `simple` and non-exploded `matrix` arrays, so Prism only gets
        // one value for those two; the several-value form is checked on the wire below,
        // stopped before it is sent. `label` with `explode: true` separates with dots: Prism
        // gets several values there.
        let r = client
            .styles()
            .path(vec!["blue".into()], vec!["a".into(), "b".into()], vec!["x".into()])
            .send_with_response()
            .await;
        o.call("simple [blue], label+explode [a,b], matrix [x]", r, Expect::Clean);
        o.wire_eq("pathStyles path", o.sent().path(), "/colors/blue/.a.b/;matrix=x");
        let stopped = AsyncClient::from_builder(o.client(AsyncClient::builder()).hook(Stop)).expect("a client");
        let r = stopped
            .styles()
            .path(vec!["blue".into(), "black".into()], vec!["a".into(), "b".into()], vec!["x".into(), "y".into()])
            .send()
            .await;
        o.take_stopped("pathStyles", &r);
        o.wire_eq("pathStyles path, several values", o.sent().path(), "/colors/blue,black/.a.b/;matrix=x,y");

        // queryStyles. Prism 5.14 dies on this operation whenever the optional array header
        // `X-Flags` is absent: its simple-style deserializer calls `.split` on `undefined`
        // (`TypeError: Cannot read properties of undefined (reading 'split')`). So every call
        // here sets `X-Flags`; the one without anything else is as minimal as Prism allows.
        let r = client
            .styles()
            .query()
            .tags(vec!["red".into(), "green".into()])
            .ids(vec![3, 4, 5])
            .words(vec!["big".into(), "small".into()])
            .levels(vec!["low".into(), "high".into()])
            .filter(types::StylesQueryFilter { color: Some("blue".into()), size: Some(42) })
            .x_trace_id("trace-e2e-1")
            .x_flags(vec!["fast".into(), "safe".into()])
            .session("s3ss10n")
            .coords(types::StylesQueryCoords { lat: Some(51.92), lng: Some(4.48) })
            .send_with_response()
            .await;
        o.call("every parameter", r, Expect::Clean);
        // Prism accepts `ids=3&ids=4&ids=5` as readily as `ids=3,4,5`, and does not look at
        // `coords` (a `content` parameter) at all: the wire format is checked here.
        let sent = o.sent().clone();
        // The OpenAPI style table (3.0.4/3.1.1/3.2.0, "Style Examples"): `color=blue,black,brown`,
        // `color=blue%20black%20brown`, `color=blue%7Cblack%7Cbrown`, `color%5BR%5D=100`. Prism
        // decodes before it splits, so only the wire shows a delimiter sent as data.
        o.wire_eq(
            "queryStyles query",
            sent.query(),
            "tags=red&tags=green&ids=3,4,5&words=big%20small&levels=low%7Chigh&filter%5Bcolor%5D=blue&filter%5Bsize%5D=42&coords=%7B%22lat%22%3A51.92%2C%22lng%22%3A4.48%7D",
        );
        o.wire_check(
            "queryStyles X-Trace-Id",
            sent.header("x-trace-id").as_deref() == Some("trace-e2e-1"),
            format!("{:?}", sent.header("x-trace-id")),
        );
        o.wire_check(
            "queryStyles X-Flags",
            sent.header("x-flags").as_deref() == Some("fast,safe"),
            format!("{:?}", sent.header("x-flags")),
        );
        o.wire_check(
            "queryStyles cookie",
            sent.header("cookie").as_deref() == Some("session=s3ss10n"),
            format!("{:?}", sent.header("cookie")),
        );
        let r = client.styles().query().x_flags(vec!["one".into()]).send_with_response().await;
        o.call("X-Flags alone (Prism dies without it)", r, Expect::Clean);
        o.control("queryStyles with ids=x,y", "GET", "/search?ids=x,y", &[("X-Flags", "a")], "", 422).await;

        // getFile: the operation's required `version` overrides the path item's optional one.
        let r = client.files().get("reports/2026 Q1.csv", 3).send_with_response().await;
        o.call("path with a slash and a space, version", r, Expect::Clean);
        o.wire_eq("getFile path", o.sent().path(), "/files/reports%2F2026%20Q1.csv");
        o.wire_eq("getFile query", o.sent().query(), "version=3");
        let r = client.files().get("plain", i32::MAX).send_with_response().await;
        o.call("largest int32 version", r, Expect::Clean);

        o.finish();
    }
}

#[cfg(e2e_spec_operations_bodies)]
mod operations_bodies {
    use specwright_runtime::FilePart;

    use super::oracle::{Expect, Oracle};
    use super::spec_operations_bodies::{AsyncClient, builders, types};

    /// JSON, form-urlencoded, multipart and octet-stream bodies, and a binary response.
    #[tokio::test]
    async fn every_operation_of_operations_bodies() {
        let Some(mut o) = Oracle::start("operations_bodies.yaml") else { return };
        let client = AsyncClient::from_builder(o.client(AsyncClient::builder())).expect("a client");

        let r = client
            .notes()
            .create(types::NotesCreateBody { text: "Buy milk & eggs: 2× \"fresh\"".into() })
            .send_with_response()
            .await;
        o.call("JSON body", r, Expect::Clean);
        o.wire_check(
            "createNote content type",
            o.sent().header("content-type").as_deref() == Some("application/json"),
            format!("{:?}", o.sent().header("content-type")),
        );
        o.control("createNote without text", "POST", "/notes", &[("Content-Type", "application/json")], "{}", 422)
            .await;
        o.control("createNote as text/plain", "POST", "/notes", &[("Content-Type", "text/plain")], "hello", 415).await;

        // The notes' PATCH takes three media types; the caller picks one.
        let patch = types::NotePatch { text: Some("Buy oat milk".into()), pinned: Some(true) };
        let r = client.notes().edit("note 1", patch.clone()).send_with_response().await;
        o.call("application/merge-patch+json", r, Expect::Clean);
        o.wire_check(
            "editNote JSON",
            o.sent().header("content-type").as_deref() == Some("application/merge-patch+json")
                && o.sent().path() == "/notes/note%201"
                && o.sent().body_text() == r#"{"text":"Buy oat milk","pinned":true}"#,
            format!("{:?} {} {}", o.sent().header("content-type"), o.sent().path(), o.sent().body_text()),
        );
        let r = client.notes().edit("note-1", builders::NotesEditRequest::Form(patch)).send_with_response().await;
        o.call("application/x-www-form-urlencoded", r, Expect::Clean);
        o.wire_eq("editNote form", o.sent().body_text(), "text=Buy+oat+milk&pinned=true");
        let r = client
            .notes()
            .edit("note-1", builders::NotesEditRequest::Text("Buy oat milk".into()))
            .send_with_response()
            .await;
        o.call("text/plain", r, Expect::Clean);
        o.wire_check(
            "editNote text",
            o.sent().header("content-type").as_deref() == Some("text/plain") && o.sent().body_text() == "Buy oat milk",
            format!("{:?} {}", o.sent().header("content-type"), o.sent().body_text()),
        );

        // `scopes` is an array: form style, exploded (the default encoding), so
        // `scopes=read&scopes=write`. Prism 5.14 cannot take an array in a form body without an
        // `encoding` entry: `splitUriParams` (validator/validators/body.js) keeps the last of
        // repeated keys and `deserializeFormBody` only deserializes properties that have an
        // `encoding.style`, so `scopes` is always the string "write". The body is checked on
        // the wire.
        let login = types::FormsLoginBody {
            user: "ada@example.com".into(),
            password: "p&ss w=rd".into(),
            scopes: Some(vec!["read".into(), "write".into()]),
        };
        let r = client.forms().login(login).send_with_response().await;
        o.call(
            "form body with scopes",
            r,
            Expect::Outcome {
                status: 422,
                message: "Request body property scopes must be array",
                why: "Prism reads no array from a form body without an `encoding` (body checked on the wire)",
            },
        );
        o.wire_check(
            "login content type",
            o.sent().header("content-type").as_deref() == Some("application/x-www-form-urlencoded"),
            format!("{:?}", o.sent().header("content-type")),
        );
        o.wire_eq(
            "login body",
            o.sent().body_text(),
            "user=ada%40example.com&password=p%26ss+w%3Drd&scopes=read&scopes=write",
        );
        let login = types::FormsLoginBody { user: "ada".into(), password: "secret".into(), scopes: None };
        let r = client.forms().login(login).send_with_response().await;
        o.call("form body, required fields only", r, Expect::Clean);

        let pdf = || FilePart::new(&b"%PDF-1.4 e2e"[..]).file_name("report.pdf").content_type("application/pdf");
        let png = || FilePart::new(&b"\x89PNG\r\n\x1a\n"[..]).file_name("thumb.png").content_type("image/png");
        let upload = types::FormsUploadBody {
            file: pdf(),
            thumbnail: Some(png()),
            caption: Some("Quarterly report".into()),
            meta: None,
        };
        let r = client.forms().upload(upload).send_with_response().await;
        o.call("multipart: file, thumbnail, caption", r, Expect::Clean);
        o.wire_check(
            "upload content type",
            o.sent().header("content-type").is_some_and(|t| t.starts_with("multipart/form-data; boundary=")),
            format!("{:?}", o.sent().header("content-type")),
        );
        // `meta` is an object: its part's default content type is `application/json`, and the
        // client sends it so. Prism 5.14 takes every multipart part as a string
        // (`parseMultipartFormDataParams` in validator/validators/body.js: `data.toString()`),
        // so an object property never validates. The part is checked on the wire.
        let upload = types::FormsUploadBody {
            file: pdf(),
            thumbnail: Some(png()),
            caption: Some("Quarterly report".into()),
            meta: Some(types::FormsUploadBodyMeta { w: Some(640) }),
        };
        let r = client.forms().upload(upload).send_with_response().await;
        o.call(
            "multipart: every part, meta object included",
            r,
            Expect::Outcome {
                status: 422,
                message: "Request body property meta must be object",
                why: "Prism reads every multipart part as a string (part checked on the wire)",
            },
        );
        let body = o.sent().body_text();
        o.wire_check(
            "upload meta part",
            body.contains("Content-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n{\"w\":640}\r\n"),
            &body,
        );
        let upload = types::FormsUploadBody {
            file: FilePart::new(&b"plain bytes"[..]),
            thumbnail: None,
            caption: None,
            meta: None,
        };
        let r = client.forms().upload(upload).send_with_response().await;
        o.call("multipart: the required file alone, no name or type", r, Expect::Clean);

        let bytes: Vec<u8> = (0..=255).collect();
        let r = client.blobs().put("blob-1", bytes.clone()).send_with_response().await;
        o.call("octet-stream body, all 256 byte values", r, Expect::Clean);
        o.wire_check(
            "putBlob body",
            o.sent().body.as_deref() == Some(&bytes[..])
                && o.sent().header("content-type").as_deref() == Some("application/octet-stream"),
            format!("{:?} {:?}", o.sent().header("content-type"), o.sent().body.as_ref().map(Vec::len)),
        );
        let r = client.blobs().get("blob-1").send_with_response().await;
        o.call("octet-stream response", r, Expect::Clean);

        o.finish();
    }
}

#[cfg(e2e_spec_operations_responses)]
mod operations_responses {
    use super::oracle::{Expect, Oracle};
    use super::spec_operations_responses::{AsyncClient, responses, types};

    /// Several 2xx per operation, a `2XX` range, binary and `default`-only responses. Prism's
    /// `Prefer: code=N` (not a parameter of the spec; Prism does not validate it) picks each
    /// documented 2xx in turn.
    #[tokio::test]
    async fn every_operation_of_operations_responses() {
        let Some(mut o) = Oracle::start("operations_responses.yaml") else { return };
        let client = AsyncClient::from_builder(o.client(AsyncClient::builder())).expect("a client");
        let job = || types::JobRequest { name: "nightly-report".into() };

        o.control("submitJob without name", "POST", "/jobs", &[("Content-Type", "application/json")], "{}", 422).await;
        let r = client.jobs().submit(job()).send_with_response().await;
        if let Some(success) = o.call("Prism's choice", r, Expect::Clean) {
            o.wire_check(
                "submitJob default",
                matches!(success, responses::JobsSubmitSuccess::Ok(_)),
                format!("{success:?}"),
            );
        }
        let r = client.jobs().submit(job()).header("Prefer", "code=202").send_with_response().await;
        if let Some(success) = o.call("202 asked of Prism", r, Expect::Clean) {
            o.wire_check(
                "submitJob 202",
                matches!(success, responses::JobsSubmitSuccess::Accepted(_)),
                format!("{success:?}"),
            );
        }
        let r = client.jobs().submit(job()).header("Prefer", "code=204").send_with_response().await;
        if let Some(success) = o.call("204 asked of Prism", r, Expect::Clean) {
            o.wire_check(
                "submitJob 204",
                matches!(success, responses::JobsSubmitSuccess::NoContent),
                format!("{success:?}"),
            );
        }

        // getJob: Prism 5.14 dies on any 2xx of this operation. It makes up the documented
        // response headers, gives the array header `X-Flags` the value null, then validates its
        // own response and its simple-style deserializer calls `.split` on it (`TypeError:
        // Cannot read properties of null (reading 'split')`, simple.js; the same spec without
        // `X-Flags` answers 200). So the documented 404 is asked for: Prism still validates the
        // request first, and the client must decode the 404 as its typed error.
        let r = client.jobs().get("job-42").header("Prefer", "code=404").send_with_response().await;
        if let Err(specwright_runtime::Error::ErrorResponse { body, .. }) = &r {
            o.wire_check("getJob 404 body", !body.title.is_empty(), format!("{body:?}"));
        } else {
            o.wire_check("getJob 404 typed", false, format!("{r:?}"));
        }
        o.call(
            "404 asked of Prism",
            r,
            Expect::Outcome { status: 404, message: "", why: "Prism crashes on the 2XX (array response header)" },
        );
        let r = client.jobs().delete("job-42").send_with_response().await;
        o.call("204", r, Expect::Clean);
        let r = client.jobs().get_log("job-42").send_with_response().await;
        o.call("octet-stream log", r, Expect::Clean);
        let r = client.legacy().ping().send_with_response().await;
        o.call("default response only", r, Expect::Clean);

        o.finish();
    }
}

#[cfg(e2e_spec_security)]
mod security {
    use super::oracle::{Expect, Oracle};
    use super::spec_security::AsyncClient;

    /// Every kind of security scheme and requirement (OpenAPI 3.1): alternatives, a pair that
    /// must both be present, optional security, overrides, `security: []`.
    #[tokio::test]
    async fn every_operation_of_security() {
        let Some(mut o) = Oracle::start("security.yaml") else { return };
        let new = || AsyncClient::from_builder(o.client(AsyncClient::builder())).expect("a client");
        let anonymous = new();
        let basic = new();
        basic.set_basic_auth("ada", "s3cret with space");
        let colon = new();
        colon.set_basic_auth("ada", "s3cret:with colon");
        let bearer = new();
        bearer.set_bearer_auth("eyJhbGciOiJIUzI1NiJ9.e30.c2ln");
        let keys = new();
        keys.set_api_key_header("hdr-key-1");
        keys.set_api_key_query("qry key&2");
        let cookie = new();
        cookie.set_api_key_cookie("sess-3");
        let token = new();
        token.set_token_auth("legacy-token-4");
        let oauth = new();
        oauth.set_oauth("oauth-token-5");
        let oidc = new();
        oidc.set_oidc("oidc-token-6");

        // either: the global requirement, Basic or bearer.
        let r = basic.either().send_with_response().await;
        o.call("HTTP Basic", r, Expect::Clean);
        o.wire_eq("either Basic", o.sent().header_text("authorization"), "Basic YWRhOnMzY3JldCB3aXRoIHNwYWNl");
        // RFC 7617 allows a colon in the password (only the user-id may not have one), but
        // Prism 5.14's `isBasicToken` (security/handlers/basicAuth.js) splits the decoded
        // credentials on `:` and wants exactly two parts: it refuses. The header is right.
        let r = colon.either().send_with_response().await;
        o.call(
            "HTTP Basic, password with a colon",
            r,
            Expect::Outcome {
                status: 401,
                message: "Invalid security scheme used",
                why: "Prism refuses Basic credentials whose password has a colon (RFC 7617 allows it)",
            },
        );
        o.wire_eq("either Basic, colon", o.sent().header_text("authorization"), "Basic YWRhOnMzY3JldDp3aXRoIGNvbG9u");
        let r = bearer.either().send_with_response().await;
        o.call("bearer", r, Expect::Clean);
        let r = anonymous.either().send_with_response().await;
        o.take_unsent("either without credentials", &r);
        o.control("either without credentials", "GET", "/or", &[], "", 401).await;

        // both: two API keys at once, header and query.
        let r = keys.both().send_with_response().await;
        o.call("X-API-Key header and api_key query", r, Expect::Clean);
        o.wire_eq("both query", o.sent().query(), "api_key=qry%20key%262");
        o.wire_eq("both header", o.sent().header_text("x-api-key"), "hdr-key-1");
        o.control("both with the header key alone", "GET", "/and", &[("X-API-Key", "k")], "", 401).await;

        // optional: a bearer token if there is one; works without.
        let r = bearer.optional().send_with_response().await;
        o.call("with a bearer token", r, Expect::Clean);
        let r = anonymous.optional().send_with_response().await;
        o.call("anonymous", r, Expect::Clean);
        o.wire_check(
            "optional anonymous",
            o.sent().header("authorization").is_none(),
            format!("{:?}", o.sent().header("authorization")),
        );

        // cookie: the operation's requirement replaces the global one.
        let r = cookie.cookie().send_with_response().await;
        o.call("session cookie", r, Expect::Clean);
        o.wire_eq("cookie header", o.sent().header_text("cookie"), "session=sess-3");

        // open: security turned off; nothing is sent even by a client that has credentials.
        let r = anonymous.open().send_with_response().await;
        o.call("anonymous", r, Expect::Clean);
        let r = basic.open().send_with_response().await;
        o.call("client with Basic credentials", r, Expect::Clean);
        o.wire_check(
            "open sends no credentials",
            o.sent().header("authorization").is_none(),
            format!("{:?}", o.sent().header("authorization")),
        );

        // legacy: `Authorization: Token <value>`. Prism 5.14 only knows the http schemes basic,
        // bearer and digest (security/handlers/index.js): for any other it answers the 2xx
        // with the warning "We currently do not support this type of security scheme:
        // http/token", whatever is sent. The header is checked on the wire instead.
        let r = token.legacy().send_with_response().await;
        o.call(
            "Token scheme",
            r,
            Expect::Outcome {
                status: 0,
                message: "We currently do not support this type of security scheme: http/token",
                why: "Prism does not check http scheme `Token` (header checked on the wire)",
            },
        );
        o.wire_eq("legacy authorization", o.sent().header_text("authorization"), "Token legacy-token-4");

        // listThings: OAuth 2 (a token, through the plain setter) or OpenID Connect.
        let r = oauth.list_things().send_with_response().await;
        o.call("OAuth 2 token", r, Expect::Clean);
        o.wire_eq("listThings OAuth 2", o.sent().header_text("authorization"), "Bearer oauth-token-5");
        let r = oidc.list_things().send_with_response().await;
        o.call("OpenID Connect token", r, Expect::Clean);
        o.wire_eq("listThings OIDC", o.sent().header_text("authorization"), "Bearer oidc-token-6");

        // mutual: mutualTLS is a TLS matter, nothing in HTTP; the client sends no credential.
        // Prism 5.14 has no handler for `mutualTLS`: a 2xx with a warning.
        let r = anonymous.mutual().send_with_response().await;
        o.call(
            "mutual TLS (plain HTTP here)",
            r,
            Expect::Outcome {
                status: 0,
                message: "We currently do not support this type of security scheme: mutualTLS",
                why: "Prism does not check `mutualTLS` (a TLS matter)",
            },
        );
        o.wire_check(
            "mutual sends no credentials",
            o.sent().header("authorization").is_none(),
            format!("{:?}", o.sent().header("authorization")),
        );

        o.finish();
    }
}
