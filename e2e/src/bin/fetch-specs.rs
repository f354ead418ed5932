//! Starts each server once and saves the spec it serves into the specs directory, where
//! `build.rs` generates the clients from. A file is rewritten only when the spec changed, so
//! an unchanged spec does not rebuild the tests.
//!
//! `fetch-specs [kinto] [jupyter] [alertmanager]` (default: all). Exit 1 when a spec could not be
//! fetched under CI; outside CI that is a loud `SKIPPED:` line.

use std::path::Path;

use specwright_e2e::{alertmanager, in_ci, jupyter, kinto, specs_dir, unavailable};

fn save(path: &Path, spec: &[u8]) -> Result<&'static str, String> {
    if std::fs::read(path).is_ok_and(|old| old == spec) {
        return Ok("unchanged");
    }
    std::fs::write(path, spec).map_err(|e| format!("write {}: {e}", path.display()))?;
    Ok("updated")
}

fn fetch(server: &str, specs: &Path) -> Result<String, String> {
    match server {
        "kinto" => {
            let kinto = kinto::start()?;
            // Kinto writes the request's Host into the spec's `host`: ask with a fixed one, so the
            // spec (and so the generated client) does not change with the port.
            let (status, body) = kinto.get("/v1/__api__", &[("Host", "127.0.0.1:8888")])?;
            if status != 200 {
                return Err(format!("GET /v1/__api__ answered {status}"));
            }
            let path = specs.join("kinto.json");
            Ok(format!("{} {}", save(&path, &body)?, path.display()))
        }
        "jupyter" => {
            let jupyter = jupyter::start()?;
            let auth = format!("token {}", jupyter.token);
            let (status, body) = jupyter.server.get("/api/spec.yaml", &[("Authorization", &auth)])?;
            if status != 200 {
                return Err(format!("GET /api/spec.yaml answered {status}"));
            }
            let path = specs.join("jupyter.yaml");
            Ok(format!("{} {}", save(&path, &body)?, path.display()))
        }
        "alertmanager" => {
            // Alertmanager does not serve its spec: install.sh extracts it from the Debian -dev
            // package of the same version. Check that the server runs too.
            let path = specs.join("alertmanager.json");
            if !path.is_file() {
                return Err(format!("{} missing: run `bash e2e/install.sh alertmanager`", path.display()));
            }
            let server = alertmanager::start()?;
            let (status, _) = server.get("/api/v2/status", &[])?;
            if status != 200 {
                return Err(format!("GET /api/v2/status answered {status}"));
            }
            Ok(format!("present {}", path.display()))
        }
        other => Err(format!("unknown server {other}")),
    }
}

fn main() {
    let specs = specs_dir();
    std::fs::create_dir_all(&specs).expect("the specs directory");
    let mut servers: Vec<String> = std::env::args().skip(1).collect();
    if servers.is_empty() {
        servers = ["kinto", "jupyter", "alertmanager"].map(String::from).to_vec();
    }
    let mut failed = false;
    for server in &servers {
        match fetch(server, &specs) {
            Ok(what) => eprintln!("fetch-specs: {server}: {what}"),
            Err(why) if in_ci() => {
                eprintln!("fetch-specs: {server}: FAILED: {why}");
                failed = true;
            }
            Err(why) => unavailable(&format!("{server} spec"), &why),
        }
    }
    std::process::exit(i32::from(failed));
}
