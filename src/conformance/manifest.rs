//! The corpus manifest: a TSV file with a header row.

use std::path::Path;

/// One spec of the corpus.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Stable id.
    pub id: String,
    /// Path relative to the corpus directory.
    pub local_path: String,
    /// `swagger2`, `oas3.0`, `oas3.1`, `oas3.2`, ...
    pub format: String,
    /// Size of the root file.
    pub bytes: u64,
}

/// Reads `manifest.tsv` of `corpus`.
pub fn read(corpus: &Path) -> Result<Vec<Entry>, String> {
    let path = corpus.join("manifest.tsv");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().ok_or("the manifest is empty")?.split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).ok_or(format!("the manifest has no `{name}` column"));
    let (id, local_path, format) = (column("id")?, column("local_path")?, column("format")?);
    let bytes = column("bytes").ok();
    let mut entries = Vec::new();
    for (number, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split('\t').collect();
        let field = |index: usize| {
            fields.get(index).map(|f| (*f).to_owned()).ok_or(format!("manifest line {} is short", number + 2))
        };
        let local_path = field(local_path)?;
        let size = bytes
            .and_then(|i| fields.get(i))
            .and_then(|b| b.parse().ok())
            .unwrap_or_else(|| std::fs::metadata(corpus.join(&local_path)).map(|m| m.len()).unwrap_or(0));
        entries.push(Entry { id: field(id)?, local_path, format: field(format)?, bytes: size });
    }
    Ok(entries)
}
