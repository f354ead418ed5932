//! specwright turns an OpenAPI description (Swagger 2.0, OpenAPI 3.0, 3.1 or 3.2; YAML or JSON;
//! one file or many that `$ref` each other) into a strongly typed, async-first Rust client at build time.
//!
//! # Quick start
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [dependencies]
//! specwright-runtime = "0.1"
//!
//! [build-dependencies]
//! specwright-codegen = "0.1"
//! ```
//!
//! `build.rs`:
//!
//! ```no_run
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     specwright_codegen::Generator::new("specs/api.yaml").generate()?;
//!     Ok(())
//! }
//! ```
//!
//! `src/lib.rs`:
//!
//! ```ignore
//! pub mod api {
//!     include!(concat!(env!("OUT_DIR"), "/api.rs"));
//! }
//! ```
//!
//! The generated module has `AsyncClient` (async) and `Client` (blocking) with the same
//! methods, one sub-client per tag, and a `types` module with one type per schema.
//!
//! # Pipeline
//!
//! [`load`] → [`resolve`] → [`normalize`] → [`ir`] → [`emit`] → [`write`](mod@write): each stage is a
//! module. Every problem in a spec is a [`Diagnostic`] with file, line, column and JSON pointer.

pub mod diagnostic;
pub mod emit;
mod error;
pub mod ident;
pub mod ir;
pub mod load;
pub mod normalize;
pub mod resolve;
pub mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use diagnostic::{Diagnostic, Diagnostics, Location, Severity};
pub use ir::DateTimeLibrary;
pub use error::{Error, SubsetKind};
pub use load::{ChainLoader, FsLoader, Loader, MemoryLoader, RedirectLoader};

/// The result of a generation that succeeded.
#[derive(Debug)]
pub struct Generated {
    /// The module source.
    pub code: String,
    /// Warnings about the spec.
    pub warnings: Diagnostics,
    /// The files read (the spec and every file it references), for `rerun-if-changed`.
    pub files: Vec<PathBuf>,
    /// The IR the code was emitted from.
    pub ir: ir::Ir,
}

/// Settings for one generation, and the calls that run it.
///
/// ```no_run
/// // build.rs
/// specwright_codegen::Generator::new("specs/api.yaml")
///     .module_name("api")
///     .generate()?;
/// # Ok::<(), specwright_codegen::Error>(())
/// ```
#[derive(Clone)]
pub struct Generator {
    spec: String,
    module_name: Option<String>,
    output_file: Option<PathBuf>,
    root: Option<PathBuf>,
    date_time: DateTimeLibrary,
    flat_client: bool,
    full_serde: bool,
    double_option: bool,
    deny_warnings: bool,
    subset: ir::Selection,
    loader: Option<Arc<dyn Loader + Send + Sync>>,
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generator")
            .field("spec", &self.spec)
            .field("module_name", &self.module_name)
            .field("output_file", &self.output_file)
            .field("root", &self.root)
            .field("date_time", &self.date_time)
            .field("flat_client", &self.flat_client)
            .field("full_serde", &self.full_serde)
            .field("double_option", &self.double_option)
            .field("deny_warnings", &self.deny_warnings)
            .field("subset", &self.subset)
            .field("custom_loader", &self.loader.is_some())
            .finish()
    }
}

impl Generator {
    /// Generates from the spec at `spec`: a path, or a location the loader understands.
    pub fn new(spec: impl AsRef<Path>) -> Self {
        Self {
            spec: spec.as_ref().to_string_lossy().into_owned(),
            module_name: None,
            output_file: None,
            root: None,
            date_time: DateTimeLibrary::default(),
            flat_client: false,
            full_serde: false,
            double_option: false,
            deny_warnings: false,
            subset: ir::Selection::default(),
            loader: None,
        }
    }

    /// Puts every operation on the client itself (`client.list_devices()`) instead of one
    /// sub-client per tag (`client.devices().list()`, the default), or per path segment for a
    /// spec without tags (`client.customers().get(id)` for `/v1/customers/{id}`).
    pub fn flat_client(&mut self, flat: bool) -> &mut Self {
        self.flat_client = flat;
        self
    }

    /// Gives every type both `Serialize` and `Deserialize`. By default a type gets only what
    /// its uses need: `Serialize` if it is sent (request bodies, parameters), `Deserialize` if it
    /// is received (responses), both if no operation uses it. Deserializing is the costliest
    /// code a client compiles, so this can cost a big API much of its build time.
    pub fn full_serde(&mut self, full: bool) -> &mut Self {
        self.full_serde = full;
        self
    }

    /// Makes every optional nullable field `Option<Option<T>>`: `None` leaves it out, `Some(None)`
    /// sends `null`, `Some(Some(v))` a value. By default only the types a PATCH body holds keep
    /// those three states, since there `null` clears a value and leaving it out keeps it;
    /// elsewhere an optional nullable field is `Option<T>`, where absent and `null` both read
    /// as `None` and `None` is left out.
    pub fn double_option(&mut self, double: bool) -> &mut Self {
        self.double_option = double;
        self
    }

    /// Makes every warning an error, for a spec the user owns: a dangling `$ref` typo then
    /// fails the build instead of becoming a JSON value and a `cargo:warning`. The errors are
    /// the warnings as they were, each located, and nothing is generated.
    pub fn deny_warnings(&mut self, deny: bool) -> &mut Self {
        self.deny_warnings = deny;
        self
    }

    /// Generates only the operations with one of these tags (any of an operation's tags; the
    /// name exactly, or else in any case), with the types they use. Adds to earlier calls and
    /// to [`Generator::operations`]: the client keeps the union. None given: every operation.
    ///
    /// Types keep the names they have in the full client. A subset client has no webhook
    /// payloads (no `webhooks` module); it keeps every security scheme. A tag the spec does
    /// not have fails generation with [`Error::NotInSpec`], which lists close matches.
    ///
    /// ```no_run
    /// specwright_codegen::Generator::new("specs/api.yaml")
    ///     .tags(["silos", "projects"])
    ///     .operations(["instance_view", "GET /v1/disks/{disk}"])
    ///     .generate()?;
    /// # Ok::<(), specwright_codegen::Error>(())
    /// ```
    pub fn tags(&mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> &mut Self {
        self.subset.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Generates only these operations, named by operationId or as `"GET /path"` (the method in
    /// any case, the path exactly as in the spec), with the types they use; see
    /// [`Generator::tags`], whose selection this adds to.
    pub fn operations(&mut self, operations: impl IntoIterator<Item = impl Into<String>>) -> &mut Self {
        self.subset.operations.extend(operations.into_iter().map(Into::into));
        self
    }

    /// Which crate dates and times come from: `chrono` (default) or `time`. With `time`, enable
    /// the runtime's `time` feature.
    pub fn date_time_library(&mut self, library: DateTimeLibrary) -> &mut Self {
        self.date_time = library;
        self
    }

    /// The directory that `$ref`s may read files under. By default the current directory when
    /// the spec lies inside it, and the spec's own directory otherwise.
    pub fn root(&mut self, dir: impl Into<PathBuf>) -> &mut Self {
        self.root = Some(dir.into());
        self
    }

    /// The output file's name in `OUT_DIR` (`<name>.rs`); by default the spec's file stem in
    /// snake case.
    pub fn module_name(&mut self, name: impl Into<String>) -> &mut Self {
        self.module_name = Some(name.into());
        self
    }

    /// Writes to this file instead of `OUT_DIR`.
    pub fn output_file(&mut self, path: impl Into<PathBuf>) -> &mut Self {
        self.output_file = Some(path.into());
        self
    }

    /// Reads the spec through `loader` instead of the file system (rooted at the spec's
    /// directory).
    pub fn loader(&mut self, loader: impl Loader + Send + Sync + 'static) -> &mut Self {
        self.loader = Some(Arc::new(loader));
        self
    }

    /// The module name the output file gets.
    pub fn resolved_module_name(&self) -> String {
        self.module_name.clone().unwrap_or_else(|| {
            let stem = Path::new(&self.spec).file_stem().map(|s| s.to_string_lossy().into_owned());
            ident::snake_name(&stem.unwrap_or_default())
        })
    }

    fn default_loader(&self) -> FsLoader {
        if let Some(root) = &self.root {
            return FsLoader::new(root);
        }
        let spec_dir = Path::new(&self.spec)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_owned)
            .unwrap_or_else(|| PathBuf::from("."));
        let cwd = std::env::current_dir().ok().and_then(|d| d.canonicalize().ok());
        let inside_cwd = match (cwd, spec_dir.canonicalize()) {
            (Some(cwd), Ok(dir)) => dir.starts_with(cwd),
            _ => false,
        };
        FsLoader::new(if inside_cwd { PathBuf::from(".") } else { spec_dir })
    }

    /// Loads, resolves, normalizes and builds the IR. Errors of each phase are collected.
    pub fn check(&self) -> Result<(ir::Ir, Diagnostics, Vec<PathBuf>), Error> {
        let fs;
        let loader: &dyn Loader = match &self.loader {
            Some(loader) => loader.as_ref(),
            None => {
                fs = self.default_loader();
                &fs
            }
        };
        let (mut bundle, mut diagnostics) = resolve::resolve(loader, &self.spec).map_err(Error::Spec)?;
        let files = bundle.locations().filter_map(|l| loader.local_path(l)).collect();
        let normalized = match normalize::normalize_taking(&mut bundle) {
            Ok((normalized, warnings)) => {
                diagnostics.0.extend(warnings.0);
                normalized
            }
            Err(errors) => {
                diagnostics.0.extend(errors.0);
                return Err(Error::Spec(diagnostics));
            }
        };
        let options = ir::Options { flat_client: self.flat_client };
        let (mut ir, mut warnings) = ir::build(&normalized, &options);
        ir.types.date_time = self.date_time;
        ir.types.full_serde = self.full_serde;
        ir.types.double_option = self.double_option;
        warnings.resolve_pointers(|pointer| bundle.locate(&normalize::source_pointer(normalized.version, pointer)));
        diagnostics.0.extend(warnings.0);
        if self.deny_warnings {
            for diagnostic in &mut diagnostics.0 {
                diagnostic.severity = Severity::Error;
            }
        }
        if diagnostics.has_errors() {
            return Err(Error::Spec(diagnostics));
        }
        ir::subset::apply(&mut ir, &normalized.api, &self.subset)?;
        Ok((ir, diagnostics, files))
    }

    /// Generates the module source without writing it.
    pub fn generate_code(&self) -> Result<Generated, Error> {
        let (ir, warnings, files) = self.check()?;
        let source_name = Path::new(&self.spec)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.spec.clone());
        let code = emit::emit(&ir, &source_name)?;
        Ok(Generated { code, warnings, files, ir })
    }

    /// Generates and writes `$OUT_DIR/<module>.rs` (or the output file) if its content
    /// changed, and prints `cargo:rerun-if-changed` for every file read and a
    /// `cargo:warning` for each spec warning. Returns the path written.
    pub fn generate(&self) -> Result<PathBuf, Error> {
        // Not locked while generating: stages run on threads of their own (see `normalize`).
        self.generate_to(&mut std::io::stdout())
    }

    /// [`Generator::generate`], printing the build-script lines to `out`.
    pub fn generate_to(&self, out: &mut dyn std::io::Write) -> Result<PathBuf, Error> {
        let path = match &self.output_file {
            Some(path) => path.clone(),
            None => {
                let dir = std::env::var_os("OUT_DIR").ok_or(Error::NoOutDir)?;
                PathBuf::from(dir).join(format!("{}.rs", self.resolved_module_name()))
            }
        };
        let result = self.generate_code();
        // Watch the spec even when it fails, so that fixing it triggers a rebuild.
        let files = match &result {
            Ok(generated) => generated.files.clone(),
            Err(_) => vec![PathBuf::from(&self.spec)],
        };
        let write_error = |source| Error::Write { path: path.clone(), source };
        write::print_rerun_lines(out, &files).map_err(write_error)?;
        let generated = result?;
        const SHOWN: usize = 10;
        for warning in generated.warnings.warnings().take(SHOWN) {
            write::print_warning_line(out, &warning.to_string()).map_err(write_error)?;
        }
        let hidden = generated.warnings.warnings().count().saturating_sub(SHOWN);
        if hidden > 0 {
            writeln!(out, "cargo:warning=... and {hidden} more warnings; run `specwright check` to see them all")
                .map_err(write_error)?;
        }
        write::write_if_changed(&path, &generated.code)?;
        Ok(path)
    }
}
