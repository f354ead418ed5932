//! The README's quick start as written: the generated module included privately in a binary
//! that calls one operation. `#![deny(warnings)]` holds the layout to no warnings at all,
//! dead code included (`.ci/run` also holds it to clippy's).

#![deny(warnings)]

mod openapp {
    include!(concat!(env!("OUT_DIR"), "/openapp.rs"));
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = openapp::AsyncClient::new()?;
    client.set_api_key("my-key");
    let devices = client.devices().list("org-1").limit(20).send().await?;
    println!("{} devices", devices.items.len());
    Ok(())
}
