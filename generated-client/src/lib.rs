//! Rust SDK for the OpenApp physical-security API, generated at build time by specwright from
//! `specs/openapp.yaml`.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use openapp_client::AsyncClient;
//!
//! let client = AsyncClient::new()?;
//! client.set_api_key("my-api-key");
//! let status = client.status().get().send().await?;
//! let org = client.orgs().get("org-1").send().await?;
//! let devices = client.devices().list("org-1").limit(50).send().await?;
//! # let _ = (status, org, devices);
//! # Ok(()) }
//! ```
//!
//! The blocking [`Client`] has the same methods, without `.await`.

#![deny(warnings)]

mod openapp {
    include!(concat!(env!("OUT_DIR"), "/openapp.rs"));
}

pub use openapp::*;
pub use specwright_runtime::Error;

/// An async client for the default server with an API key: [`AsyncClient::new`] and
/// `set_api_key` in one call.
pub fn connect(api_key: impl Into<String>) -> Result<AsyncClient, Error> {
    let client = AsyncClient::new()?;
    client.set_api_key(api_key);
    Ok(client)
}

/// A blocking client for the default server with an API key; [`Client::close`] stops its
/// background thread (dropping it does too).
pub fn connect_blocking(api_key: impl Into<String>) -> Result<Client, Error> {
    let client = Client::new()?;
    client.set_api_key(api_key);
    Ok(client)
}
