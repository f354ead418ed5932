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
    /// Log what is read: each document loaded (through which loader, from where) and each
    /// external `$ref` resolved, on standard error.
    #[arg(short, long, global = true)]
    pub verbose: bool,
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
        /// Every optional nullable field as `Option<Option<T>>` (absent, `null`, a value), not
        /// only in what PATCH bodies hold.
        #[arg(long)]
        double_option: bool,
        /// Fail on any warning (a dangling `$ref`, an ignored keyword): for a spec you own.
        #[arg(long)]
        deny_warnings: bool,
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
        /// Report warnings as errors, and exit 1 if there are any.
        #[arg(long)]
        deny_warnings: bool,
        /// Only some operations.
        #[command(flatten)]
        subset: Subset,
    },
    /// Show what would be generated: each operation's Rust call, the types, the security
    /// schemes. `--tag` and `--operation` narrow it.
    Inspect {
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
    if !cli.verbose {
        return run_quietly(cli, stdout, stderr);
    }
    // The log is collected and written to `stderr` before the rest of what the run says.
    let log = Log::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .without_time()
        .with_target(false)
        .with_writer(log.clone())
        .finish();
    let mut said = Vec::new();
    let code = tracing::subscriber::with_default(subscriber, || run_quietly(cli, stdout, &mut said));
    let _ = stderr.write_all(&log.take());
    let _ = stderr.write_all(&said);
    code
}

fn run_quietly(cli: Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32 {
    match execute(cli, stdout, stderr) {
        Ok(code) => code,
        Err(error) => {
            let _ = render_error(&error, stderr);
            1
        }
    }
}

/// Where `-v` collects the log.
#[derive(Clone, Default)]
struct Log(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Log {
    fn take(&self) -> Vec<u8> {
        self.0.lock().map(|mut bytes| std::mem::take(&mut *bytes)).unwrap_or_default()
    }
}

impl Write for Log {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut log) = self.0.lock() {
            log.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Log {
    type Writer = Log;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn execute(cli: Cli, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Result<i32, Error> {
    let io = |source| Error::Write { path: PathBuf::from("<stdout>"), source };
    match cli.command {
        Command::Generate { spec, root, output, flat, full_serde, double_option, deny_warnings, subset } => {
            let generated = generator(&spec, root, subset)
                .flat_client(flat)
                .full_serde(full_serde)
                .double_option(double_option)
                .deny_warnings(deny_warnings)
                .generate_code()?;
            render_warnings(&generated.warnings, stderr).map_err(io)?;
            match output {
                Some(path) => {
                    specwright_codegen::write::write_if_changed(&path, &generated.code)?;
                }
                None => stdout.write_all(generated.code.as_bytes()).map_err(io)?,
            }
            Ok(0)
        }
        Command::Check { spec, root, format, deny_warnings, subset } => {
            let (diagnostics, ok) = match generator(&spec, root, subset).deny_warnings(deny_warnings).check() {
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
        Command::Inspect { spec, root, format, subset } => {
            let (ir, warnings, _) = generator(&spec, root, subset).check()?;
            render_warnings(&warnings, stderr).map_err(io)?;
            let text = match format {
                Format::Text => inspect(&ir),
                Format::Json => {
                    let mut text = serde_json::to_string_pretty(&inspect_json(&ir)).unwrap_or_default();
                    text.push('\n');
                    text
                }
            };
            stdout.write_all(text.as_bytes()).map_err(io)?;
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
        let call = specwright_codegen::emit::operation_call(ir, op);
        out.push_str(&format!("  {} {}\n", op.http_method, op.path));
        out.push_str(&format!("    {} -> {}\n", call.call, call.output));
        if !call.setters.is_empty() {
            out.push_str(&format!("    optional: {}\n", call.setters.join(", ")));
        }
        out.push_str(&format!("    auth: {}\n", security_text(&op.security)));
    }
    out.push_str(&format!("\ntypes ({}):\n", ir.types.types.len()));
    for def in &ir.types.types {
        out.push_str(&format!("  {}\n", def.name));
    }
    out.push_str(&format!("\nsecurity schemes ({}):\n", ir.security_schemes.len()));
    for scheme in &ir.security_schemes {
        let setters = scheme_setters(scheme).join(", ");
        out.push_str(&format!("  {} ({}): {setters}\n", scheme.name, scheme_kind(&scheme.kind)));
    }
    out
}

/// What `inspect --format json` prints: the same as the text, one JSON document.
pub fn inspect_json(ir: &Ir) -> serde_json::Value {
    let operations: Vec<serde_json::Value> = ir
        .operations
        .iter()
        .map(|op| {
            let call = specwright_codegen::emit::operation_call(ir, op);
            serde_json::json!({
                "operation_id": op.operation_id,
                "method": op.http_method,
                "path": op.path,
                "group": op.group.and_then(|g| ir.groups.get(g)).map(|g| g.method.clone()),
                "call": call.call,
                "arguments": call.arguments,
                "setters": call.setters,
                "output": call.output,
                "error": call.error,
                "security": op.security,
                "deprecated": op.deprecated,
            })
        })
        .collect();
    let schemes: Vec<serde_json::Value> = ir
        .security_schemes
        .iter()
        .map(|scheme| serde_json::json!({"name": scheme.name, "kind": scheme_kind(&scheme.kind), "setters": scheme_setters(scheme)}))
        .collect();
    serde_json::json!({
        "title": ir.title,
        "version": ir.version,
        "default_server": ir.default_server,
        "operations": operations,
        "types": ir.types.types.iter().map(|def| def.name.as_str()).collect::<Vec<_>>(),
        "security_schemes": schemes,
    })
}

/// An OR of ANDs of scheme names, as text.
fn security_text(security: &[Vec<String>]) -> String {
    if security.is_empty() {
        return "none".to_owned();
    }
    security.iter().map(|r| format!("{{{}}}", r.join(" and "))).collect::<Vec<_>>().join(" or ")
}

fn scheme_kind(kind: &SchemeKind) -> String {
    match kind {
        SchemeKind::ApiKey { name, .. } => format!("API key `{name}`"),
        SchemeKind::Basic => "HTTP Basic".to_owned(),
        SchemeKind::Bearer { .. } => "bearer token".to_owned(),
        SchemeKind::OtherHttp { scheme } => format!("HTTP {scheme}"),
        SchemeKind::MutualTls => "mutual TLS".to_owned(),
    }
}

/// The client's setters for a scheme: the credential's, and the token fetcher's if it has one.
fn scheme_setters(scheme: &specwright_codegen::ir::SecurityScheme) -> Vec<String> {
    let mut setters = vec![format!("set_{}()", scheme.rust_name)];
    setters.extend(scheme.client_credentials_setter.as_ref().map(|setter| format!("set_{setter}()")));
    setters
}
