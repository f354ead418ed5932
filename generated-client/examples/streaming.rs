//! Streaming both ways with the blocking client: a firmware image goes up straight from its file,
//! and a camera snapshot comes down straight into one, neither held in memory whole.
//!
//! `OPENAPP_URL=http://127.0.0.1:8080/v1 OPENAPP_API_KEY=... cargo run -p openapp-client --example streaming -- ORG DEVICE FIRMWARE_FILE SHA256 SNAPSHOT_FILE`

use openapp_client::Client;
use specwright_runtime::BinaryBody;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let [org, device, firmware, checksum, snapshot] = std::env::args().skip(1).collect::<Vec<_>>().try_into().map_err(
        |_| "usage: streaming ORG DEVICE FIRMWARE_FILE SHA256 SNAPSHOT_FILE",
    )?;
    let mut builder = Client::builder();
    if let Ok(url) = std::env::var("OPENAPP_URL") {
        builder = builder.base_url(url);
    }
    let client = Client::from_builder(builder)?;
    client.set_api_key(std::env::var("OPENAPP_API_KEY").unwrap_or_default());

    // Read in chunks while it is sent; a streamed body is never retried.
    let image = BinaryBody::reader(std::fs::File::open(&firmware)?);
    client.devices().upload_firmware(&org, &device, checksum, image).send()?;
    println!("staged {firmware} on {device}");

    // `BlockingByteStream` is a `Read`: copy it to the file as it arrives.
    let mut jpeg = client.devices().get_snapshot(&org, &device).send_stream()?;
    let written = std::io::copy(&mut jpeg, &mut std::fs::File::create(&snapshot)?)?;
    println!("saved {written} bytes to {snapshot}");
    Ok(())
}
