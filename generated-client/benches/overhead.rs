//! What the generated client costs over hand-written reqwest: the same `GET /orgs/{orgId}`
//! against the same loopback server, made both ways in alternating rounds (so that drift of a
//! shared machine hits both alike); prints each round's time per call and the median ratio.
//! Both decode into the same generated type. A third column is reqwest set up as the
//! runtime sets it up (connect and read timeouts, no redirect policy, no `Referer`): what
//! those settings cost reqwest itself, apart from the runtime's own work.
//!
//! `cargo bench -p openapp-client --bench overhead`; with `OVERHEAD_PROFILE=generated` (or
//! `configured`, or `hand-written`) it makes only that kind of call, for a profiler to look at one at a time.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;

const ORG: &str = r#"{"id":"org-1","name":"Acme","plan":"enterprise","createdAt":"2024-05-06T07:08:09Z","siteCount":3,"deviceCount":12}"#;
const CALLS: u32 = 2_000;
const ROUNDS: usize = 10;

fn per_call(total: Duration) -> f64 {
    total.as_secs_f64() * 1e6 / f64::from(CALLS)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 0 => (values[middle - 1] + values[middle]) / 2.0,
        _ => values[middle],
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = Router::new().route(
        "/v1/orgs/{org_id}",
        get(|| async { ([("content-type", "application/json")], ORG) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    let base = format!("http://{address}/v1");

    let client = openapp_client::AsyncClient::from_builder(openapp_client::AsyncClient::builder().base_url(&base))?;
    client.set_api_key("bench-key");
    let http = reqwest::Client::new();
    let configured = reqwest::Client::builder()
        .user_agent("specwright/bench")
        .redirect(reqwest::redirect::Policy::none())
        .referer(false)
        .connect_timeout(specwright_runtime::DEFAULT_CONNECT_TIMEOUT)
        .read_timeout(specwright_runtime::DEFAULT_READ_TIMEOUT)
        .build()?;

    // Warm the pools.
    for _ in 0..200 {
        configured.get(format!("{base}/orgs/org-1")).header("X-API-Key", "bench-key").send().await?.bytes().await?;
        client.orgs().get("org-1").send().await?;
        http.get(format!("{base}/orgs/org-1")).header("X-API-Key", "bench-key").send().await?.bytes().await?;
    }
    if let Ok(kind) = std::env::var("OVERHEAD_PROFILE") {
        // `OVERHEAD_CALLS` sets how many (fewer, under an instruction counter).
        let calls = std::env::var("OVERHEAD_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(CALLS * 10);
        let started = Instant::now();
        for _ in 0..calls {
            if kind == "generated" {
                std::hint::black_box(client.orgs().get("org-1").send().await?);
            } else {
                let http = if kind == "configured" { &configured } else { &http };
                let response = http.get(format!("{base}/orgs/org-1")).header("X-API-Key", "bench-key").send().await?;
                let org: openapp_client::types::Organization = serde_json::from_slice(&response.bytes().await?)?;
                std::hint::black_box(org);
            }
        }
        println!("{kind}: {:.2} µs/call", started.elapsed().as_secs_f64() * 1e6 / f64::from(calls.max(1)));
        return Ok(());
    }
    println!("{ROUNDS} alternating rounds of {CALLS} calls each (µs/call)");
    println!("round    generated  hand-written   ratio   reqwest as configured   ratio");
    let (mut typed_all, mut manual_all, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let (mut configured_all, mut configured_ratios) = (Vec::new(), Vec::new());
    for round in 1..=ROUNDS {
        let started = Instant::now();
        for _ in 0..CALLS {
            let org = client.orgs().get("org-1").send().await?;
            std::hint::black_box(org);
        }
        let typed = per_call(started.elapsed());

        let started = Instant::now();
        for _ in 0..CALLS {
            let response = http.get(format!("{base}/orgs/org-1")).header("X-API-Key", "bench-key").send().await?;
            // The same type, so that only the client's own work differs.
            let org: openapp_client::types::Organization = serde_json::from_slice(&response.bytes().await?)?;
            std::hint::black_box(org);
        }
        let manual = per_call(started.elapsed());

        let started = Instant::now();
        for _ in 0..CALLS {
            let response = configured.get(format!("{base}/orgs/org-1")).header("X-API-Key", "bench-key").send().await?;
            let org: openapp_client::types::Organization = serde_json::from_slice(&response.bytes().await?)?;
            std::hint::black_box(org);
        }
        let as_configured = per_call(started.elapsed());

        println!("{round:5} {typed:12.2} {manual:13.2} {:7.3} {as_configured:23.2} {:7.3}", typed / manual, typed / as_configured);
        configured_all.push(as_configured);
        configured_ratios.push(typed / as_configured);
        typed_all.push(typed);
        manual_all.push(manual);
        ratios.push(typed / manual);
    }
    println!("median generated client:    {:8.2} µs/call", median(typed_all));
    println!("median hand-written:        {:8.2} µs/call", median(manual_all));
    println!("median ratio typed/manual:  {:8.3}", median(ratios));
    println!("median reqwest as configured: {:6.2} µs/call", median(configured_all));
    println!("median ratio typed/configured: {:5.3}", median(configured_ratios));
    Ok(())
}
