//! The async client: list an organisation's doors and unlock one for ten seconds.
//!
//! Run against a server of your own with
//! `OPENAPP_URL=http://127.0.0.1:8080/v1 OPENAPP_API_KEY=... cargo run -p openapp-client --example async_client`.

use openapp_client::{AsyncClient, types};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut builder = AsyncClient::builder().request_timeout(std::time::Duration::from_secs(10));
    if let Ok(url) = std::env::var("OPENAPP_URL") {
        builder = builder.base_url(url);
    }
    let client = AsyncClient::from_builder(builder)?;
    client.set_api_key(std::env::var("OPENAPP_API_KEY").unwrap_or_default());

    let status = client.status().get().send().await?;
    println!("service {:?}", status);

    let doors = client.devices().list("org-1").kind(types::DeviceKind::Door).limit(20).send().await?;
    for door in &doors.items {
        println!("{} {}", door.id, door.name);
    }
    if let Some(door) = doors.items.first() {
        let command = types::DeviceCommand {
            action: types::DeviceCommandAction::Unlock,
            duration_seconds: Some(10),
        };
        let result = client.devices().send_command("org-1", &door.id, command).send().await?;
        println!("command accepted: {:?}", result);
    }
    Ok(())
}
