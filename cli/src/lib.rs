//! The `specwright` command line, a library so it can be tested; its own package so that a
//! `build.rs` using `specwright-codegen` never compiles clap.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use specwright_codegen::Error;
use specwright_codegen::ir::{Ir, SchemeKind};
use specwright_codegen::{Diagnostics, Generator};

/// Generates typed Rust clients from OpenAPI descriptions.
#[derive(Debug, Parser)]
#[command(name = "specwright", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate the client module.
    Generate {
        /// The spec (YAML or JSON).
        spec: PathBuf,
        /// The directory `$ref`s may read under (default: the current directory, or the
        /// spec's directory when it lies outside).
        #[arg(long)]
        root: Option<PathBuf>,
        /// Write here instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Every operation on the client itself instead of one sub-client per tag.
        #[arg(long)]
        flat: bool,
        /// Both `Serialize` and `Deserialize` on every type, not only where it is sent or received.
        #[arg(long)]
        full_serde: bool,
        /// Only some operations.
        #[command(flatten)]
        subset: Subset,
    },
    /// Report the spec's problems; exit 1 if it cannot be generated.
    Check {
        /// The spec (YAML or JSON).
        spec: PathBuf,
        /// The directory `$ref`s may read under.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Only some operations.
        #[command(flatten)]
        subset: Subset,
    },
    /// Show what would be generated: operations, types, security schemes.
    Inspect {
        /// The spec (YAML or JSON).
        spec: PathBuf,
        /// The directory `$ref`s may read under.
        #[arg(long)]
        root: Option<PathBuf>,
        /// Only some operations.
        #[command(flatten)]
        subset: Subset,
    },
}

/// A subset client: only the operations named, and the types they use. None named: all.
#[derive(Debug, Default, Args)]
pub struct Subset {
    /// Keep the operations with this tag (repeatable, or comma-separated).
    #[arg(long = "tag", value_name = "NAME", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Keep this operation: an operationId or "GET /path" (repeatable, or comma-separated).
    #[arg(long = "operation", value_name = "NAME", value_delimiter = ',')]
    pub operations: Vec<String>,
}

/// Diagnostics output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rendered with source snippets.
    Text,
    /// One JSON document.
    Json,
}

/// Runs the CLI; returns the process exit code.
pub fn run(cli: Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    match execute(cli, stdout, stderr) {
        Ok(code) => code,
        Err(error) => {
            let _ = render_error(&error, stderr);
            1
        }
    }
}

fn execute(cli: Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<i32, Error> {
    let io = |source| Error::Write { path: PathBuf::from("<stdout>"), source };
    match cli.command {
        Command::Generate { spec, root, output, flat, full_serde, subset } => {
            let generated = generator(&spec, root, subset).flat_client(flat).full_serde(full_serde).generate_code()?;
            render_warnings(&generated.warnings, stderr).map_err(io)?;
            match output {
                Some(path) => {
                    specwright_codegen::write::write_if_changed(&path, &generated.code)?;
                }
                None => stdout.write_all(generated.code.as_bytes()).map_err(io)?,
            }
            Ok(0)
        }
        Command::Check { spec, root, format, subset } => {
            let (diagnostics, ok) = match generator(&spec, root, subset).check() {
                Ok((_, warnings, _)) => (warnings, true),
                Err(Error::Spec(diagnostics)) => (diagnostics, false),
                Err(other) => return Err(other),
            };
            match format {
                Format::Text => {
                    render_warnings(&diagnostics, stderr).map_err(io)?;
                    for error in diagnostics.errors() {
                        writeln!(stderr, "{}", error.render()).map_err(io)?;
                    }
                    let errors = diagnostics.errors().count();
                    let warnings = diagnostics.warnings().count();
                    writeln!(stderr, "{}: {errors} errors, {warnings} warnings", spec.display()).map_err(io)?;
                }
                Format::Json => {
                    let report = serde_json::json!({
                        "spec": spec.display().to_string(),
                        "ok": ok,
                        "errors": diagnostics.errors().count(),
                        "warnings": diagnostics.warnings().count(),
                        "diagnostics": diagnostics,
                    });
                    writeln!(stdout, "{}", serde_json::to_string_pretty(&report).unwrap_or_default()).map_err(io)?;
                }
            }
            Ok(if ok { 0 } else { 1 })
        }
        Command::Inspect { spec, root, subset } => {
            let (ir, warnings, _) = generator(&spec, root, subset).check()?;
            render_warnings(&warnings, stderr).map_err(io)?;
            stdout.write_all(inspect(&ir).as_bytes()).map_err(io)?;
            Ok(0)
        }
    }
}

fn generator(spec: &std::path::Path, root: Option<PathBuf>, subset: Subset) -> Generator {
    let mut generator = Generator::new(spec);
    if let Some(root) = root {
        generator.root(root);
    }
    // `--tag a,,b` and `--tag ' a'` name `a` and `b`.
    let names = |names: Vec<String>| names.into_iter().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).collect::<Vec<_>>();
    generator.tags(names(subset.tags)).operations(names(subset.operations));
    generator
}

fn render_warnings(diagnostics: &Diagnostics, stderr: &mut dyn Write) -> std::io::Result<()> {
    for warning in diagnostics.warnings() {
        writeln!(stderr, "{}", warning.render())?;
    }
    Ok(())
}

fn render_error(error: &Error, stderr: &mut dyn Write) -> std::io::Result<()> {
    match error {
        Error::Spec(diagnostics) => {
            for diagnostic in &diagnostics.0 {
                writeln!(stderr, "{}", diagnostic.render())?;
            }
            let errors = diagnostics.errors().count();
            writeln!(stderr, "error: the spec has {errors} error(s); nothing was generated")
        }
        other => writeln!(stderr, "error: {other}"),
    }
}

/// A plain-text summary of what would be generated.
pub fn inspect(ir: &Ir) -> String {
    let mut out = format!("{} {}\n", ir.title, ir.version);
    if let Some(server) = &ir.default_server {
        out.push_str(&format!("default server: {server}\n"));
    }
    out.push_str(&format!("\noperations ({}):\n", ir.operations.len()));
    for op in &ir.operations {
        let call = match op.group.and_then(|g| ir.groups.get(g)) {
            Some(group) => format!("{}().{}()", group.method, op.method_name),
            None => format!("{}()", op.method_name),
        };
        let security = if op.security.is_empty() {
            "none".to_owned()
        } else {
            op.security.iter().map(|r| format!("{{{}}}", r.join(" and "))).collect::<Vec<_>>().join(" or ")
        };
        out.push_str(&format!("  {:<7} {:<45} {call}  [auth: {security}]\n", op.http_method, op.path));
    }
    out.push_str(&format!("\ntypes ({}):\n", ir.types.types.len()));
    for def in &ir.types.types {
        out.push_str(&format!("  {}\n", def.name));
    }
    out.push_str(&format!("\nsecurity schemes ({}):\n", ir.security_schemes.len()));
    for scheme in &ir.security_schemes {
        let kind = match &scheme.kind {
            SchemeKind::ApiKey { name, .. } => format!("API key `{name}`"),
            SchemeKind::Basic => "HTTP Basic".to_owned(),
            SchemeKind::Bearer { .. } => "bearer token".to_owned(),
            SchemeKind::OtherHttp { scheme } => format!("HTTP {scheme}"),
            SchemeKind::MutualTls => "mutual TLS".to_owned(),
        };
        let fetcher = match &scheme.client_credentials_setter {
            Some(setter) => format!(", set_{setter}()"),
            None => String::new(),
        };
        out.push_str(&format!("  {} ({kind}): set_{}(){fetcher}\n", scheme.name, scheme.rust_name));
    }
    out
}
