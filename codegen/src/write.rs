//! Stage 6: write the output only when it changed, and tell Cargo what to watch.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// Writes `contents` to `path` unless the file already holds exactly that. Returns whether it
/// wrote, so that an unchanged spec does not touch the file (and trigger rebuilds).
pub fn write_if_changed(path: &Path, contents: &str) -> Result<bool, Error> {
    if std::fs::read(path).is_ok_and(|existing| existing == contents.as_bytes()) {
        return Ok(false);
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Write { path: parent.to_owned(), source })?;
    }
    std::fs::write(path, contents).map_err(|source| Error::Write { path: path.to_owned(), source })?;
    Ok(true)
}

/// Prints `cargo:rerun-if-changed` for every file read.
pub fn print_rerun_lines(out: &mut dyn Write, files: &[PathBuf]) -> std::io::Result<()> {
    for file in files {
        writeln!(out, "cargo:rerun-if-changed={}", file.display())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_when_the_content_changes() {
        let dir = std::env::temp_dir().join(format!("specwright-write-{}", std::process::id()));
        let path = dir.join("nested/out.rs");
        assert!(matches!(write_if_changed(&path, "a"), Ok(true)));
        assert!(matches!(write_if_changed(&path, "a"), Ok(false)));
        assert!(matches!(write_if_changed(&path, "b"), Ok(true)));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
