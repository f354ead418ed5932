//! Where spec bytes come from: the file system, memory, or the user's own source.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Why a document could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// Nothing is at that location.
    #[error("`{location}` not found")]
    NotFound {
        /// The location asked for.
        location: String,
    },
    /// The location lies outside the loader's root directory.
    #[error("`{location}` is outside the allowed root `{root}`; allow a wider root with `--root DIR` (or `Generator::root`)")]
    OutsideRoot {
        /// The location asked for.
        location: String,
        /// The root.
        root: String,
    },
    /// The loader does not serve this kind of location (e.g. a URL on the file system).
    #[error("`{location}` cannot be loaded: {reason}")]
    Unsupported {
        /// The location asked for.
        location: String,
        /// Why.
        reason: String,
    },
    /// Reading failed.
    #[error("could not read `{location}`: {source}")]
    Io {
        /// The location asked for.
        location: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// Turns a location into bytes. Locations are strings: relative or absolute paths, or URLs.
///
/// Implement it to serve specs from anywhere; [`join_location`] resolves a `$ref` against the
/// location of the document that contains it before the loader is asked.
pub trait Loader {
    /// The bytes at `location`.
    fn load(&self, location: &str) -> Result<Vec<u8>, LoadError>;

    /// The file-system path behind `location`, for `cargo:rerun-if-changed`.
    fn local_path(&self, location: &str) -> Option<PathBuf> {
        let _ = location;
        None
    }

    /// Which loader serves `location` and from where, for the debug log of what was read
    /// (`specwright -v`); asked only when that log is on.
    fn describe(&self, location: &str) -> String {
        let _ = location;
        "a custom loader".to_owned()
    }
}

/// Reads files, refusing any path that leaves `root` (`..` or symlinks included).
#[derive(Clone, Debug)]
pub struct FsLoader {
    root: PathBuf,
}

impl FsLoader {
    /// A loader for files under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn check(&self, location: &str) -> Result<PathBuf, LoadError> {
        if is_url(location) {
            return Err(LoadError::Unsupported {
                location: location.to_owned(),
                reason: "the file-system loader reads no URLs; map the URL to a local file with a \
                         redirect loader"
                    .to_owned(),
            });
        }
        let path = PathBuf::from(location);
        let canonical = path.canonicalize().map_err(|source| match source.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound { location: location.to_owned() },
            _ => LoadError::Io { location: location.to_owned(), source },
        })?;
        let root = self.root.canonicalize().unwrap_or_else(|_| self.root.clone());
        if !canonical.starts_with(&root) {
            return Err(LoadError::OutsideRoot {
                location: location.to_owned(),
                root: self.root.display().to_string(),
            });
        }
        Ok(canonical)
    }
}

impl Loader for FsLoader {
    fn load(&self, location: &str) -> Result<Vec<u8>, LoadError> {
        let path = self.check(location)?;
        std::fs::read(&path).map_err(|source| LoadError::Io { location: location.to_owned(), source })
    }

    fn local_path(&self, location: &str) -> Option<PathBuf> {
        (!is_url(location)).then(|| PathBuf::from(location))
    }

    fn describe(&self, location: &str) -> String {
        match self.check(location) {
            Ok(path) => format!("the file system, {}", path.display()),
            Err(_) => "the file system".to_owned(),
        }
    }
}

/// Serves documents from memory, by location; for tests and for specs embedded in programs.
#[derive(Clone, Debug, Default)]
pub struct MemoryLoader {
    files: BTreeMap<String, Vec<u8>>,
}

impl MemoryLoader {
    /// An empty loader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a document at `location`.
    pub fn with(mut self, location: impl Into<String>, contents: impl Into<Vec<u8>>) -> Self {
        self.files.insert(normalize_path(&location.into()), contents.into());
        self
    }
}

impl Loader for MemoryLoader {
    fn load(&self, location: &str) -> Result<Vec<u8>, LoadError> {
        self.files
            .get(&normalize_path(location))
            .cloned()
            .ok_or_else(|| LoadError::NotFound { location: location.to_owned() })
    }

    fn describe(&self, _location: &str) -> String {
        "memory".to_owned()
    }
}

/// Serves URLs (or any location prefix) from other locations: `https://example.com/specs/`
/// → `vendor/specs/`, so that specs that `$ref` each other by URL resolve offline.
pub struct RedirectLoader<L> {
    redirects: Vec<(String, String)>,
    inner: L,
}

impl<L: Loader> RedirectLoader<L> {
    /// Redirects on top of `inner`, which loads the redirected locations.
    pub fn new(inner: L) -> Self {
        Self { redirects: Vec::new(), inner }
    }

    /// Maps every location that starts with `from` to `to` + the rest. The longest matching
    /// prefix wins.
    pub fn redirect(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.redirects.push((from.into(), to.into()));
        self.redirects.sort_by_key(|redirect| std::cmp::Reverse(redirect.0.len()));
        self
    }

    fn target(&self, location: &str) -> Option<String> {
        self.redirects
            .iter()
            .find_map(|(from, to)| location.strip_prefix(from.as_str()).map(|rest| format!("{to}{rest}")))
    }
}

impl<L: Loader> Loader for RedirectLoader<L> {
    fn load(&self, location: &str) -> Result<Vec<u8>, LoadError> {
        match self.target(location) {
            Some(target) => self.inner.load(&target),
            None => self.inner.load(location),
        }
    }

    fn local_path(&self, location: &str) -> Option<PathBuf> {
        self.inner.local_path(&self.target(location).unwrap_or_else(|| location.to_owned()))
    }

    fn describe(&self, location: &str) -> String {
        match self.target(location) {
            Some(target) => format!("a redirect to `{target}`, then {}", self.inner.describe(&target)),
            None => self.inner.describe(location),
        }
    }
}

/// Tries loaders in order; the first that finds the location serves it.
#[derive(Default)]
pub struct ChainLoader {
    loaders: Vec<Box<dyn Loader + Send + Sync>>,
}

impl ChainLoader {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a loader at the end of the chain.
    pub fn with(mut self, loader: impl Loader + Send + Sync + 'static) -> Self {
        self.loaders.push(Box::new(loader));
        self
    }
}

impl Loader for ChainLoader {
    fn load(&self, location: &str) -> Result<Vec<u8>, LoadError> {
        let mut last = LoadError::NotFound { location: location.to_owned() };
        for loader in &self.loaders {
            match loader.load(location) {
                Ok(bytes) => return Ok(bytes),
                // Another loader may have it; any other failure is the answer.
                Err(error @ (LoadError::NotFound { .. } | LoadError::Unsupported { .. })) => last = error,
                Err(error) => return Err(error),
            }
        }
        Err(last)
    }

    fn local_path(&self, location: &str) -> Option<PathBuf> {
        self.loaders
            .iter()
            .find(|loader| loader.load(location).is_ok())
            .and_then(|loader| loader.local_path(location))
    }

    fn describe(&self, location: &str) -> String {
        match self.loaders.iter().position(|loader| loader.load(location).is_ok()) {
            Some(index) => {
                let loader = self.loaders.get(index).map(|loader| loader.describe(location)).unwrap_or_default();
                format!("loader {} of a chain: {loader}", index + 1)
            }
            None => "a chain of loaders, none of which has it".to_owned(),
        }
    }
}

/// Whether a location is a URL (`scheme://...`).
pub fn is_url(location: &str) -> bool {
    location
        .split_once("://")
        .is_some_and(|(scheme, _)| !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.'))
}

/// Resolves `reference` (the part of a `$ref` before `#`) against `base`, the location of the
/// document that contains it.
pub fn join_location(base: &str, reference: &str) -> String {
    if reference.is_empty() {
        return base.to_owned();
    }
    if is_url(reference) || Path::new(reference).is_absolute() {
        return normalize_path(reference);
    }
    let directory = match base.rfind('/') {
        Some(index) => &base[..=index],
        None => "",
    };
    normalize_path(&format!("{directory}{reference}"))
}

/// Folds `.` and `..` segments lexically, keeping a URL's scheme and authority.
fn normalize_path(location: &str) -> String {
    let (prefix, path) = match location.split_once("://") {
        Some((scheme, rest)) if is_url(location) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            (format!("{scheme}://{authority}"), path.to_owned())
        }
        _ => (String::new(), location.to_owned()),
    };
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(&path).components() {
        match component {
            Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                if matches!(parts.last(), Some(last) if *last != "..") {
                    parts.pop();
                } else if !absolute {
                    parts.push("..");
                }
            }
            Component::Normal(part) => parts.push(part.to_str().unwrap_or_default()),
        }
    }
    let joined = parts.join("/");
    if absolute { format!("{prefix}/{joined}") } else { format!("{prefix}{joined}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_relative_to_the_referring_document() {
        assert_eq!(join_location("specs/a/api.yaml", "../common/x.yaml"), "specs/common/x.yaml");
        assert_eq!(join_location("specs/api.yaml", "./x.yaml"), "specs/x.yaml");
        assert_eq!(join_location("api.yaml", "x.yaml"), "x.yaml");
        assert_eq!(join_location("../up/api.yaml", "../x.yaml"), "../x.yaml");
        assert_eq!(
            join_location("https://h.example/a/b.yaml", "../c.yaml"),
            "https://h.example/c.yaml"
        );
        assert_eq!(join_location("specs/api.yaml", "https://h.example/c.yaml"), "https://h.example/c.yaml");
    }

    #[test]
    fn redirects_map_urls_to_local_locations_and_chains_fall_through() {
        let memory = MemoryLoader::new().with("vendor/common.yaml", "a: 1").with("local.yaml", "b: 2");
        let loader = RedirectLoader::new(memory)
            .redirect("https://example.com/", "elsewhere/")
            .redirect("https://example.com/specs/", "vendor/");
        assert_eq!(loader.load("https://example.com/specs/common.yaml").ok(), Some(b"a: 1".to_vec()));
        assert!(matches!(loader.load("https://example.com/other.yaml"), Err(LoadError::NotFound { .. })));

        let chain = ChainLoader::new()
            .with(FsLoader::new("."))
            .with(MemoryLoader::new().with("https://h.example/x.yaml", "x: 1"));
        assert_eq!(chain.load("https://h.example/x.yaml").ok(), Some(b"x: 1".to_vec()));
    }

    #[test]
    fn fs_loader_refuses_paths_outside_its_root() {
        let dir = std::env::temp_dir().join(format!("specwright-root-{}", std::process::id()));
        let inner = dir.join("inner");
        let _ = std::fs::create_dir_all(&inner);
        let _ = std::fs::write(dir.join("secret.yaml"), "s: 1");
        let _ = std::fs::write(inner.join("ok.yaml"), "o: 1");
        let loader = FsLoader::new(&inner);
        let inside = inner.join("ok.yaml").display().to_string();
        let outside = inner.join("../secret.yaml").display().to_string();
        assert!(loader.load(&inside).is_ok());
        assert!(matches!(loader.load(&outside), Err(LoadError::OutsideRoot { .. })));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn memory_loader_serves_normalized_locations() {
        let loader = MemoryLoader::new().with("a/b.yaml", "x: 1");
        assert!(loader.load("a/./b.yaml").is_ok());
        assert!(matches!(loader.load("a/c.yaml"), Err(LoadError::NotFound { .. })));
    }
}
