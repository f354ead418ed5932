//! The harness of the end-to-end tests: installed servers (see `install.sh`), started on
//! 127.0.0.1 with a free port, waited for, and stopped by pid when dropped; the skip policy.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// Where `install.sh` put the servers: `$SPECWRIGHT_E2E_HOME`, else `target/e2e`.
pub fn home() -> PathBuf {
    match std::env::var_os("SPECWRIGHT_E2E_HOME") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
            target.canonicalize().unwrap_or(target).join("e2e")
        }
    }
}

/// Where the specs fetched from the servers are kept (what `build.rs` generates from).
pub fn specs_dir() -> PathBuf {
    match std::env::var_os("SPECWRIGHT_E2E_SPECS") {
        Some(dir) => PathBuf::from(dir),
        None => home().join("specs"),
    }
}

/// Whether this is CI, where nothing may be skipped.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| !value.is_empty())
}

/// The skip policy: outside CI, a server that cannot be installed or started skips its tests
/// with a loud line on stderr; under CI it fails them.
pub fn unavailable(what: &str, why: &str) {
    if in_ci() {
        panic!("{what} is unavailable under CI (nothing may be skipped there): {why}");
    }
    // Straight to the process's stderr, past the test harness's output capture: always seen.
    let _ = writeln!(std::io::stderr().lock(), "\nSKIPPED: {what}: {why}\n");
}

/// Reports a server whose client was not generated, from `build.rs`'s status line. A spec that
/// does not generate is a generator bug: that always fails.
pub fn client_not_generated(server: &str, status: &str) {
    if status.starts_with("generator error") {
        panic!("{server}: {status}");
    }
    unavailable(&format!("{server} e2e tests"), status);
}

/// A free TCP port on 127.0.0.1 (bound, read and released; the server binds it next).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free port on 127.0.0.1")
}

static SCRATCH: AtomicU32 = AtomicU32::new(0);

/// A fresh scratch directory under `target/e2e/run/`, removed by [`Server`]'s drop.
pub fn scratch_dir(name: &str) -> PathBuf {
    let n = SCRATCH.fetch_add(1, Ordering::Relaxed);
    let dir = home().join("run").join(format!("{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// A server process started by a test; stopped (SIGTERM, then SIGKILL) when dropped.
pub struct Server {
    /// What it is, for messages.
    pub name: String,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its scratch directory (configuration, data, log).
    pub dir: PathBuf,
    child: Child,
}

impl Server {
    /// Starts `command` (stdout and stderr go to `dir/server.log`), then waits until
    /// `GET ready_path` answers with a status below 500.
    pub fn start(
        name: &str,
        mut command: Command,
        port: u16,
        dir: PathBuf,
        ready_path: &str,
        headers: &[(&str, &str)],
    ) -> Result<Server, String> {
        let log = std::fs::File::create(dir.join("server.log")).map_err(|e| e.to_string())?;
        let log2 = log.try_clone().map_err(|e| e.to_string())?;
        let program = format!("{:?}", command.get_program());
        let child = command
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .map_err(|e| format!("cannot start {name} ({program}): {e}"))?;
        let mut server = Server { name: name.to_owned(), port, dir, child };
        let started = Instant::now();
        let deadline = Duration::from_secs(90);
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!("{name} exited with {status} before answering; log:\n{}", server.log_tail()));
            }
            if let Ok((status, _)) = http_get(port, ready_path, headers) {
                if status < 500 {
                    eprintln!("e2e: {name} answers on 127.0.0.1:{port} after {:.1?} (pid {})", started.elapsed(), server.pid());
                    return Ok(server);
                }
            }
            if started.elapsed() > deadline {
                return Err(format!("{name} did not answer within {deadline:?}; log:\n{}", server.log_tail()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether the process has exited (crashed, for a server that should still run).
    pub fn has_exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The last lines of the server's log.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// `GET path` on this server with a plain socket (no generated client involved).
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Result<(u16, Vec<u8>), String> {
        http_get(self.port, path, headers)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop();
        }
        if std::env::var_os("SPECWRIGHT_E2E_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Server {
    /// SIGTERM, then SIGKILL after 10 s.
    fn stop(&mut self) {
        // SIGTERM first: Jupyter shuts its kernels down on it.
        let _ = Command::new("kill").arg("-TERM").arg(self.pid().to_string()).status();
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if let Ok(None) = self.child.try_wait() {
            eprintln!("e2e: {} (pid {}) ignored SIGTERM; killing it", self.name, self.pid());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A minimal HTTP/1.0 GET on 127.0.0.1:`port`: (status, body).
pub fn http_get(port: u16, path: &str, headers: &[(&str, &str)]) -> Result<(u16, Vec<u8>), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let mut request = format!("GET {path} HTTP/1.0\r\nConnection: close\r\n");
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: 127.0.0.1:{port}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| e.to_string())?;
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| "no HTTP header block".to_owned())?;
    let head = String::from_utf8_lossy(&response[..head_end]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| format!("no status in {head:?}"))?;
    Ok((status, response[head_end + 4..].to_vec()))
}

/// A value unique to this process and call, for names and tokens.
pub fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}{}x{nanos:x}x{}", std::process::id(), SCRATCH.fetch_add(1, Ordering::Relaxed))
}

/// Kinto (`venv-kinto`, ini written by `install.sh`), HTTP Basic for any user.
pub mod kinto {
    use super::*;

    /// Starts Kinto on a free port; `Err` says why it cannot run.
    pub fn start() -> Result<Server, String> {
        let home = home();
        let kinto = home.join("venv-kinto/bin/kinto");
        let ini = home.join("kinto/kinto.ini");
        if !kinto.is_file() || !ini.is_file() {
            return Err(format!("Kinto is not installed ({} / {} missing): run `bash e2e/install.sh kinto`", kinto.display(), ini.display()));
        }
        let port = free_port();
        let dir = scratch_dir("kinto");
        let mut command = Command::new(kinto);
        command.arg("start").arg("--ini").arg(ini).arg("--port").arg(port.to_string()).current_dir(&dir);
        Server::start("kinto", command, port, dir, "/v1/", &[])
    }
}

/// Jupyter Server with ipykernel (`venv-jupyter`), token auth.
pub mod jupyter {
    use super::*;

    /// A running Jupyter Server and its token.
    pub struct Jupyter {
        /// The process.
        pub server: Server,
        /// `--IdentityProvider.token`.
        pub token: String,
        /// `--ServerApp.root_dir`: the files the contents API serves.
        pub root: PathBuf,
    }

    /// Starts Jupyter Server on a free port; `Err` says why it cannot run.
    pub fn start() -> Result<Jupyter, String> {
        let jupyter = home().join("venv-jupyter/bin/jupyter");
        if !jupyter.is_file() {
            return Err(format!("Jupyter Server is not installed ({} missing): run `bash e2e/install.sh jupyter`", jupyter.display()));
        }
        let port = free_port();
        let dir = scratch_dir("jupyter");
        let root = dir.join("root");
        let config = dir.join("config");
        let runtime = dir.join("runtime");
        for d in [&root, &config, &runtime] {
            std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
        }
        let token = unique("tok");
        let mut command = Command::new(jupyter);
        command
            .arg("server")
            .arg("--ip=127.0.0.1")
            .arg(format!("--port={port}"))
            .arg("--port-retries=0")
            .arg("--no-browser")
            .arg("--allow-root")
            .arg(format!("--IdentityProvider.token={token}"))
            .arg(format!("--ServerApp.root_dir={}", root.display()))
            // Deleting removes for real instead of moving into the user's trash.
            .arg("--FileContentsManager.delete_to_trash=False")
            // Its own config and runtime directories: nothing from the user's ~/.jupyter.
            .env("JUPYTER_CONFIG_DIR", &config)
            .env("JUPYTER_RUNTIME_DIR", &runtime)
            .env("JUPYTER_PLATFORM_DIRS", "1")
            .current_dir(&dir);
        let auth = format!("token {token}");
        let server = Server::start("jupyter-server", command, port, dir, "/api/status", &[("Authorization", &auth)])?;
        Ok(Jupyter { server, token, root })
    }
}

/// Alertmanager (Debian `prometheus-alertmanager`).
pub mod alertmanager {
    use super::*;

    /// The Debian package's binary.
    pub const BINARY: &str = "/usr/bin/prometheus-alertmanager";

    /// Starts Alertmanager on a free port with one receiver and no cluster; `Err` says why it
    /// cannot run.
    pub fn start() -> Result<Server, String> {
        if !Path::new(BINARY).is_file() {
            return Err(format!("Alertmanager is not installed ({BINARY} missing): run `bash e2e/install.sh alertmanager`"));
        }
        let port = free_port();
        let dir = scratch_dir("alertmanager");
        let config = dir.join("alertmanager.yml");
        std::fs::write(
            &config,
            "route:\n  receiver: e2e\n  group_by: ['alertname']\n  group_wait: 1s\nreceivers:\n  - name: e2e\n",
        )
        .map_err(|e| e.to_string())?;
        std::fs::create_dir_all(dir.join("data")).map_err(|e| e.to_string())?;
        let mut command = Command::new(BINARY);
        command
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            // Empty: no cluster listener (it would listen on all interfaces).
            .arg("--cluster.listen-address=")
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--config.file={}", config.display()))
            .current_dir(&dir);
        Server::start("alertmanager", command, port, dir, "/-/ready", &[])
    }
}

/// Prism (npm `@stoplight/prism-cli`), a mock server that validates every request against a spec.
pub mod prism {
    use super::*;

    /// Starts `prism mock SPEC` on a free port; `Err` says why it cannot run. Prism serves the
    /// spec's paths without its `basePath`.
    pub fn mock(spec: &Path) -> Result<Server, String> {
        let prism = home().join("node/node_modules/.bin/prism");
        if !prism.is_file() {
            return Err(format!("Prism is not installed ({} missing): run `bash e2e/install.sh prism`", prism.display()));
        }
        let port = free_port();
        let dir = scratch_dir("prism");
        let mut command = Command::new(prism);
        command.arg("mock").arg("-h").arg("127.0.0.1").arg("-p").arg(port.to_string()).arg(spec).current_dir(&dir);
        Server::start("prism", command, port, dir, "/", &[])
    }

    /// Starts `prism proxy SPEC UPSTREAM` on a free port: it forwards every request to
    /// `upstream` and reports, in the `sl-violations` response header, where the request or the
    /// upstream's response disagrees with the spec.
    pub fn proxy(spec: &Path, upstream: &str) -> Result<Server, String> {
        let prism = home().join("node/node_modules/.bin/prism");
        if !prism.is_file() {
            return Err(format!("Prism is not installed ({} missing): run `bash e2e/install.sh prism`", prism.display()));
        }
        let port = free_port();
        let dir = scratch_dir("prism-proxy");
        let mut command = Command::new(prism);
        command
            .arg("proxy")
            .arg("-h")
            .arg("127.0.0.1")
            .arg("-p")
            .arg(port.to_string())
            .arg(spec)
            .arg(upstream)
            .current_dir(&dir);
        Server::start("prism proxy", command, port, dir, "/", &[])
    }
}

/// A client hook that records every response's status and Prism's `sl-violations` header
/// (the reliable check against Prism: 2xx and no such header).
#[derive(Clone, Default)]
pub struct ResponseLog(std::sync::Arc<std::sync::Mutex<Vec<(&'static str, u16, Option<String>)>>>);

impl ResponseLog {
    /// (operation, status, `sl-violations`) of every response so far.
    pub fn responses(&self) -> Vec<(&'static str, u16, Option<String>)> {
        self.0.lock().expect("response log").clone()
    }

    /// Prism's complaints about the responses, as `operation: location: message`, sorted and
    /// without duplicates: where the server's answers disagree with its own spec.
    pub fn response_violations(&self) -> Vec<String> {
        let mut found: Vec<String> = self
            .responses()
            .into_iter()
            .flat_map(|(operation, _, violations)| {
                let violations: Vec<serde_json::Value> =
                    violations.as_deref().and_then(|text| serde_json::from_str(text).ok()).unwrap_or_default();
                violations
                    .into_iter()
                    .filter(|v| v["location"][0] == "response")
                    .map(move |v| {
                        let location: Vec<String> = v["location"]
                            .as_array()
                            .map(|parts| parts.iter().map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_owned)).collect())
                            .unwrap_or_default();
                        format!("{operation}: {}: {}", location.join("."), v["message"].as_str().unwrap_or_default())
                    })
            })
            .collect();
        found.sort();
        found.dedup();
        found
    }

    /// The responses that show a problem with the request: a status other than 2xx, or a
    /// violation Prism found in the request. (Prism also reports violations of the responses
    /// it makes up itself, e.g. a header that does not match the spec's pattern: not ours.)
    pub fn request_problems(&self) -> Vec<String> {
        self.responses()
            .into_iter()
            .filter_map(|(operation, status, violations)| {
                let in_request: Vec<serde_json::Value> = violations
                    .as_deref()
                    .map(|text| serde_json::from_str::<Vec<serde_json::Value>>(text).unwrap_or_default())
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|v| v["location"][0] != "response")
                    .collect();
                if (200..300).contains(&status) && in_request.is_empty() {
                    None
                } else {
                    Some(format!("{operation}: {status} {in_request:?}"))
                }
            })
            .collect()
    }
}

impl specwright_runtime::Hook for ResponseLog {
    fn after_response(&self, call: specwright_runtime::CallInfo<'_>, response: specwright_runtime::ResponseInfo<'_>) {
        let violations = response.headers.get("sl-violations").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        self.0.lock().expect("response log").push((call.operation, response.status.as_u16(), violations));
    }
}

/// A client hook that records the URL of every request the client sends, exactly as sent, to
/// assert on the wire format (repeated query parameters, path encoding).
#[derive(Clone, Default)]
pub struct UrlLog(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

impl UrlLog {
    /// The URLs sent so far.
    pub fn urls(&self) -> Vec<String> {
        self.0.lock().expect("url log").clone()
    }

    /// The most recent URL.
    pub fn last(&self) -> String {
        self.urls().pop().expect("a request was sent")
    }

    /// The raw query string of the most recent request.
    pub fn last_query(&self) -> String {
        let url = self.last();
        url.split_once('?').map(|(_, q)| q.to_owned()).unwrap_or_default()
    }

    /// The path of the most recent request, percent-encoding as sent.
    pub fn last_path(&self) -> String {
        let url = self.last();
        let after_origin = url.splitn(4, '/').nth(3).unwrap_or_default();
        let path = after_origin.split('?').next().unwrap_or_default();
        format!("/{path}")
    }
}

impl specwright_runtime::Hook for UrlLog {
    fn before_request(
        &self,
        _call: specwright_runtime::CallInfo<'_>,
        request: &mut specwright_runtime::reqwest::Request,
    ) -> Result<(), String> {
        self.0.lock().expect("url log").push(request.url().to_string());
        Ok(())
    }
}
