//! The `specwright` CLI: `check` renders precise errors and exits 1 on broken input, and never
//! panics; `generate` and `inspect` work on a real spec.

use std::path::PathBuf;

use clap::Parser;
use specwright_cli::{Cli, run};

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let cli = Cli::try_parse_from(std::iter::once("specwright").chain(args.iter().copied()))
        .expect("arguments parse");
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = run(cli, &mut stdout, &mut stderr);
    (code, String::from_utf8_lossy(&stdout).into_owned(), String::from_utf8_lossy(&stderr).into_owned())
}

fn temp_spec(name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("specwright-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write");
    path
}

fn openapp() -> String {
    format!("{}/../specs/openapp.yaml", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn check_on_garbage_renders_an_error_and_exits_1() {
    let path = temp_spec("garbage.yaml", b"\x00\x9f\x92\x96 not a spec \xff");
    let (code, _, stderr) = run_cli(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error: the file is not valid UTF-8"), "{stderr}");
    assert!(stderr.contains("garbage.yaml:1:2"), "{stderr}");

    let path = temp_spec("words.yaml", b"just some words, not a mapping");
    let (code, _, stderr) = run_cli(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("not an OpenAPI document: expected a mapping at the top level, found a string"), "{stderr}");
    assert!(stderr.contains("words.yaml:1:1"), "{stderr}");
}

#[test]
fn check_on_an_empty_file_says_so() {
    let path = temp_spec("empty.yaml", b"");
    let (code, _, stderr) = run_cli(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("found nothing (an empty document or `null`)"), "{stderr}");
}

#[test]
fn check_on_a_yaml_syntax_error_points_at_line_and_column_with_a_snippet() {
    let path = temp_spec("syntax.yaml", b"openapi: 3.0.0\ninfo:\n  title: [unclosed\n  version: 1\npaths: {}\n");
    let (code, _, stderr) = run_cli(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error: YAML syntax error"), "{stderr}");
    assert!(stderr.contains("syntax.yaml:"), "{stderr}");
    // The snippet shows the source line and a caret under the column.
    assert!(stderr.contains(" | "), "{stderr}");
    assert!(stderr.contains('^'), "{stderr}");
}

#[test]
fn check_warns_about_a_missing_ref_target_at_the_referring_line() {
    let path = temp_spec(
        "missing-ref.yaml",
        b"openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/Nope'\n",
    );
    let (code, _, stderr) = run_cli(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("warning: `$ref: #/components/schemas/Nope` points at nothing"), "{stderr}");
    assert!(stderr.contains("missing-ref.yaml:7:7 at #/components/schemas/A/$ref"), "{stderr}");
}

#[test]
fn check_fails_on_a_missing_referenced_file() {
    let path = temp_spec(
        "missing-file.yaml",
        b"openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: 'gone.yaml#/A'\n",
    );
    let (code, _, stderr) = run_cli(&["check", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("error: `"), "{stderr}");
    assert!(stderr.contains("gone.yaml` not found"), "{stderr}");
    assert!(stderr.contains("missing-file.yaml:7:7"), "{stderr}");
}

#[test]
fn check_json_format_is_machine_readable() {
    let path = temp_spec("dup.yaml", b"openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {}\npaths: {}\n");
    let (code, stdout, _) = run_cli(&["check", "--format", "json", path.to_str().unwrap_or_default()]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON report");
    assert_eq!(report["ok"], false);
    assert_eq!(report["errors"], 1);
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["message"], "duplicate key `paths`");
    assert_eq!(diagnostic["location"]["line"], 4);
    assert_eq!(diagnostic["location"]["pointer"], "/paths");
    assert_eq!(diagnostic["related"][0]["line"], 3);
}

#[test]
fn check_accepts_the_openapp_spec() {
    let (code, _, stderr) = run_cli(&["check", &openapp()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("0 errors"), "{stderr}");
}

#[test]
fn generate_prints_the_client_to_stdout() {
    let (code, stdout, stderr) = run_cli(&["generate", &openapp()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("// @generated by specwright"));
    assert!(stdout.contains("pub type AsyncClient = ApiClient<::specwright_runtime::AsyncTransport>;"));
    assert!(syn::parse_file(&stdout).is_ok());
}

#[test]
fn inspect_lists_operations_with_their_calls_and_security() {
    let (code, stdout, stderr) = run_cli(&["inspect", &openapp()]);
    assert_eq!(code, 0, "{stderr}");
    let devices = "  GET /orgs/{orgId}/devices\n    client.devices().list(org_id) -> types::DeviceList\n    \
                   optional: site_id, kind, limit, cursor\n    auth: {apiKey} or {bearer} or {oauth}\n";
    assert!(stdout.contains(devices), "{stdout}");
    assert!(stdout.contains("client.devices().send_command(org_id, device_id, body) -> responses::DevicesSendCommandSuccess"), "{stdout}");
    assert!(stdout.contains("client.devices().get_snapshot(org_id, device_id) -> specwright_runtime::bytes::Bytes"), "{stdout}");
    assert!(stdout.contains("oauth (bearer token): set_oauth(), set_oauth_client_credentials()"), "{stdout}");
    assert!(stdout.contains("client.status().get() -> types::Status\n    auth: none\n"), "{stdout}");
}

#[test]
fn inspect_prints_json_and_narrows_by_tag() {
    let (code, stdout, stderr) = run_cli(&["inspect", &openapp(), "--format", "json", "--tag", "sites"]);
    assert_eq!(code, 0, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    let operations = report["operations"].as_array().expect("operations");
    assert!(!operations.is_empty() && operations.iter().all(|op| op["group"] == "sites"), "{stdout}");
    let create = operations.iter().find(|op| op["operation_id"] == "createSite").expect("createSite");
    assert_eq!(create["call"], "client.sites().create(org_id, body)");
    assert_eq!(create["arguments"], serde_json::json!(["org_id: impl Into<String>", "body: types::CreateSite"]));
    assert_eq!(create["output"], "types::Site");
    assert_eq!(create["error"], "types::Error");
    assert_eq!(create["security"], serde_json::json!([["apiKey"], ["bearer"], ["oauth"]]));
}

#[test]
fn deny_warnings_turns_a_dangling_reference_into_a_located_error() {
    let spec = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: '#/components/schemas/Pett'}\ncomponents:\n  schemas:\n    Pet: {type: object}\n";
    let path = temp_spec("dangling.yaml", spec);
    let path = path.to_str().unwrap_or_default();
    let (code, stdout, stderr) = run_cli(&["generate", path]);
    assert_eq!(code, 0, "a warning by default: {stderr}");
    assert!(stderr.contains("warning") && stderr.contains("Pett"), "{stderr}");
    assert!(!stdout.is_empty());

    let (code, stdout, stderr) = run_cli(&["generate", path, "--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty(), "nothing is generated: {stdout}");
    assert!(stderr.contains("error") && stderr.contains("Pett") && !stderr.contains("warning:"), "{stderr}");
    assert!(stderr.contains("dangling.yaml:11:"), "the error points at the reference: {stderr}");
    let (code, _, stderr) = run_cli(&["check", path, "--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn verbose_lists_each_document_loaded_and_each_external_reference() {
    let dir = std::env::temp_dir().join(format!("specwright-cli-verbose-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let root = b"openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas.yaml#/Pet'}\n";
    std::fs::write(dir.join("api.yaml"), root).expect("written");
    std::fs::write(dir.join("schemas.yaml"), b"Pet: {type: object}\n").expect("written");
    let api = dir.join("api.yaml");
    let api = api.to_str().unwrap_or_default();

    let (code, _, stderr) = run_cli(&["check", api, "-v"]);
    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.first().is_some_and(|l| l.contains("loaded a document") && l.contains("api.yaml") && l.contains("the file system")), "{stderr}");
    assert!(stderr.contains("resolving an external reference to=") && stderr.contains("schemas.yaml"), "{stderr}");
    assert_eq!(stderr.matches("loaded a document").count(), 2, "{stderr}");
    let (_, _, quiet) = run_cli(&["check", api]);
    assert!(!quiet.contains("loaded a document"), "{quiet}");
}
