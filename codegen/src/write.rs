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

/// Prints `cargo:rerun-if-changed` for every file read. A path with a control character is
/// left out: it cannot be written on one line, and a newline in it would start a `cargo:`
/// instruction of the spec's choosing.
pub fn print_rerun_lines(out: &mut dyn Write, files: &[PathBuf]) -> std::io::Result<()> {
    for file in files {
        let path = file.display().to_string();
        if path.chars().any(char::is_control) {
            continue;
        }
        writeln!(out, "cargo:rerun-if-changed={path}")?;
    }
    Ok(())
}

/// Prints one `cargo:warning` line; control characters in the message (spec text may hold
/// `\n` or `\r`) become spaces, so that it cannot start another instruction.
pub fn print_warning_line(out: &mut dyn Write, message: &str) -> std::io::Result<()> {
    let line: String = message.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    writeln!(out, "cargo:warning={line}")
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

    #[test]
    fn control_characters_cannot_start_another_cargo_instruction() {
        let mut out = Vec::new();
        let files = [
            PathBuf::from("specs/api.yaml"),
            PathBuf::from("specs/x\ncargo:rustc-link-arg=-evil.yaml"),
            PathBuf::from("specs/y\rcargo:rustc-env=A=B.yaml"),
        ];
        assert!(print_rerun_lines(&mut out, &files).is_ok());
        assert!(print_warning_line(&mut out, "bad `a\ncargo:rustc-cfg=evil\r\nb`").is_ok());
        let text = String::from_utf8_lossy(&out);
        let lines: Vec<&str> = text.split(['\n', '\r']).filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines,
            ["cargo:rerun-if-changed=specs/api.yaml", "cargo:warning=bad `a cargo:rustc-cfg=evil  b`"]
        );
    }
}
