//! Subset generation on the command line: `--tag` and `--operation`, repeated or comma-separated,
//! on `generate`, `check` and `inspect`.

use std::path::PathBuf;

use clap::Parser;
use specwright_cli::{Cli, run};
use specwright_codegen::Generator;

const TAGS: [&str; 3] = ["sites", "devices", "alarms"];

fn openapp() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../specs/openapp.yaml")
}

fn run_cli(args: &[&str]) -> (i32, String, String) {
    let cli = Cli::try_parse_from(std::iter::once("specwright").chain(args.iter().copied()))
        .unwrap_or_else(|e| panic!("arguments parse: {e}"));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = run(cli, &mut stdout, &mut stderr);
    (code, String::from_utf8_lossy(&stdout).into_owned(), String::from_utf8_lossy(&stderr).into_owned())
}

#[test]
fn cli_generate_check_and_inspect_take_repeated_and_comma_separated_tags_and_operations() {
    let spec = openapp().to_string_lossy().into_owned();

    let (code, out, err) = run_cli(&["generate", &spec, "--tag", "sites,devices", "--tag", "alarms"]);
    assert_eq!(code, 0, "{err}");
    let expected = Generator::new(openapp()).tags(TAGS).generate_code().map(|g| g.code).unwrap_or_default();
    assert!(!expected.is_empty() && out == expected, "the CLI generates what the builder does");
    // Devices and alarms are in; access events, only reached from `events`, are not.
    assert!(out.contains("pub struct CreateDevice") && out.contains("pub struct Alarm "));
    assert!(!out.contains("pub struct AccessEvent"), "a type of another tag was generated");

    let (code, out, err) = run_cli(&["inspect", &spec, "--operation", "GET /orgs,getOrg", "--operation", "post /orgs/{orgId}/devices"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("operations (3):"), "{out}");
    assert!(out.contains("  GET /orgs\n") && out.contains("  GET /orgs/{orgId}\n") && out.contains("  POST /orgs/{orgId}/devices\n"), "{out}");

    let (code, _, err) = run_cli(&["check", &spec, "--tag", "sites", "--operation", "getOgr"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: operation `getOgr` is not in the spec; close matches: `getOrg`"), "{err}");
    let (code, _, err) = run_cli(&["generate", &spec, "--tag", "Site"]);
    assert_eq!(code, 1);
    assert!(err.contains("error: tag `Site` is not in the spec; close matches: `sites`"), "{err}");
    let (code, _, err) = run_cli(&["check", &spec, "--tag", "Sites"]);
    assert_eq!(code, 0, "{err}");
}
