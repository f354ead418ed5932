//! What the generated client costs over hand-written reqwest: the same `GET /orgs/{orgId}`
//! against the same loopback server, made both ways; prints the time per call and the
//! difference. Both decode into the same generated type.
//!
//! `cargo bench -p openapp-client --bench overhead`

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;

const ORG: &str = r#"{"id":"org-1","name":"Acme","plan":"enterprise","createdAt":"2024-05-06T07:08:09Z","siteCount":3,"deviceCount":12}"#;
const CALLS: u32 = 3_000;

fn per_call(total: Duration) -> f64 {
    total.as_secs_f64() * 1e6 / f64::from(CALLS)
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

    // Warm both pools.
    for _ in 0..100 {
        client.orgs().get("org-1").send().await?;
        http.get(format!("{base}/orgs/org-1")).header("X-API-Key", "bench-key").send().await?.bytes().await?;
    }
    let mut typed = Duration::MAX;
    let mut manual = Duration::MAX;
    for _round in 0..3 {
        let started = Instant::now();
        for _ in 0..CALLS {
            let org = client.orgs().get("org-1").send().await?;
            std::hint::black_box(org);
        }
        typed = typed.min(started.elapsed());

        let started = Instant::now();
        for _ in 0..CALLS {
            let response = http.get(format!("{base}/orgs/org-1")).header("X-API-Key", "bench-key").send().await?;
            // The same type, so that only the client's own work differs.
            let org: openapp_client::types::Organization = serde_json::from_slice(&response.bytes().await?)?;
            std::hint::black_box(org);
        }
        manual = manual.min(started.elapsed());
    }
    println!("calls per run:              {CALLS} (best of 3 runs)");
    println!("generated client:           {:8.1} µs/call", per_call(typed));
    println!("hand-written reqwest:       {:8.1} µs/call", per_call(manual));
    println!("overhead of the client:     {:8.1} µs/call", per_call(typed) - per_call(manual));
    Ok(())
}
