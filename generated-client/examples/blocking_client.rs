//! The blocking client: the same calls as the async one, without `.await`.
//!
//! `OPENAPP_URL=http://127.0.0.1:8080/v1 OPENAPP_API_KEY=... cargo run -p openapp-client --example blocking_client`

use openapp_client::Client;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = Client::builder();
    if let Ok(url) = std::env::var("OPENAPP_URL") {
        builder = builder.base_url(url);
    }
    let client = Client::from_builder(builder)?;
    client.set_api_key(std::env::var("OPENAPP_API_KEY").unwrap_or_default());

    let orgs = client.orgs().list().send()?;
    for org in &orgs.items {
        let events = client.events().list(&org.id).limit(5).send()?;
        println!("{}: {} recent access events", org.name, events.items.len());
    }
    Ok(())
}
