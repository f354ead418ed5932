//! Lists the open incidents of a PagerDuty account: `PAGERDUTY_TOKEN=... cargo run`.
#![deny(warnings)]

mod pagerduty {
    include!(concat!(env!("OUT_DIR"), "/pagerduty.rs"));
}

use pagerduty::types;

/// PagerDuty picks the API version by the `Accept` header, a parameter of every operation.
const ACCEPT: &str = "application/vnd.pagerduty+json;version=2";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Ok(token) = std::env::var("PAGERDUTY_TOKEN") else {
        eprintln!("set PAGERDUTY_TOKEN to an API token to list the open incidents");
        return Ok(());
    };
    let client = pagerduty::AsyncClient::new()?;
    client.set_api_key(format!("Token token={token}"));
    let page = client
        .incidents()
        .list(ACCEPT)
        .limit(25)
        .statuses(types::IncidentsListStatuses::Triggered)
        .send()
        .await?;
    for incident in &page.incidents {
        let number = incident.incident_number.unwrap_or_default();
        println!("#{number} {}", incident.summary.as_deref().unwrap_or("(no summary)"));
    }
    Ok(())
}
