//! Any bytes through the whole generator: load, resolve, normalize, IR, emit.
//!
//! The input holds up to three files, split at NUL bytes: the root spec (JSON when it starts
//! with `{`, else YAML), then `other.yaml` and `other.json`, which the root may `$ref`. A spec
//! may be refused with diagnostics; what must never happen is a panic, an abort, a hang, memory
//! beyond libFuzzer's limit, generated code that does not parse, or output that differs
//! between two runs.

#![no_main]

use libfuzzer_sys::fuzz_target;
use specwright_codegen::{Error, Generator, MemoryLoader};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |byte| *byte == 0);
    let root = parts.next().unwrap_or_default();
    let root_name = if root.trim_ascii_start().starts_with(b"{") { "spec.json" } else { "spec.yaml" };
    let mut loader = MemoryLoader::new().with(root_name, root.to_vec());
    if let Some(other) = parts.next() {
        loader = loader.with("other.yaml", other.to_vec());
    }
    if let Some(other) = parts.next() {
        loader = loader.with("other.json", other.to_vec());
    }
    let mut generator = Generator::new(root_name);
    generator.loader(loader);
    let first = generator.generate_code();
    if let Err(Error::Internal { message }) = &first {
        panic!("generated code does not parse: {message}");
    }
    let second = generator.generate_code();
    match (first, second) {
        (Ok(a), Ok(b)) => assert!(a.code == b.code, "the same spec gave different code"),
        (Err(_), Err(_)) => {}
        _ => panic!("the same spec succeeded once and failed once"),
    }
});
