//! Memory the front end spends on `x-` extensions it never reads, counted by a global
//! allocator (not timed): a spec that is mostly one large extension must cost a small multiple
//! of its size, not a hundred times it. A binary of its own, so that no other test allocates
//! meanwhile.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let pointer = unsafe { System.alloc(layout) };
        if !pointer.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        unsafe { System.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed) + new_size - layout.size();
                PEAK.fetch_max(live, Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A small API whose root carries an `x-` extension of about `size` bytes: a list of records,
/// the shape vendor tooling stores there (code samples, SDK metadata).
fn spec_with_extension(size: usize, json: bool) -> String {
    let mut records = Vec::new();
    let mut length = 0;
    let mut index = 0;
    while length < size {
        let record = if json {
            format!(
                "{{\"name\": \"sample{index}\", \"lang\": \"python\", \"lines\": [1, 2.5, true, null], \"source\": \"print(client.get({index}))\"}}"
            )
        } else {
            format!(
                "  - name: sample{index}\n    lang: python\n    lines: [1, 2.5, true, null]\n    source: print(client.get({index}))\n"
            )
        };
        length += record.len();
        records.push(record);
        index += 1;
    }
    let api = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {description: ok}\n";
    if json {
        format!(
            "{{\"openapi\": \"3.0.3\", \"info\": {{\"title\": \"T\", \"version\": \"1\"}}, \"paths\": {{\"/a\": {{\"get\": {{\"responses\": {{\"200\": {{\"description\": \"ok\"}}}}}}}}}}, \"x-code-samples\": [{}]}}",
            records.join(", ")
        )
    } else {
        format!("{api}x-code-samples:\n{}", records.concat())
    }
}

/// Peak bytes allocated while resolving `text`, per byte of it.
fn resolve_cost(text: &str, name: &str) -> f64 {
    let loader = specwright_codegen::MemoryLoader::new().with(name, text.as_bytes().to_vec());
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let outcome = specwright_codegen::resolve::resolve(&loader, name);
    let peak = PEAK.load(Ordering::Relaxed) - before;
    let bundle = match outcome {
        Ok((bundle, _)) => bundle,
        Err(diagnostics) => panic!("{}", diagnostics.render()),
    };
    // No later stage reads the extension, so it has left the bundle, and its text was read
    // without positions.
    assert_eq!(bundle.value.get("x-code-samples"), None);
    assert!(bundle.root().is_some_and(|root| root.parsed.positions.keys().all(|p| !p.starts_with("/x-code-samples/"))));
    drop(bundle);
    peak as f64 / text.len() as f64
}

#[test]
fn unread_extensions_cost_a_small_multiple_of_their_size() {
    // Sized for a debug build; `specwright check` on a 20 MB extension behaves the same.
    const SIZE: usize = 4 << 20;
    let yaml = resolve_cost(&spec_with_extension(SIZE, false), "big.yaml");
    let json = resolve_cost(&spec_with_extension(SIZE, true), "big.json");
    eprintln!("peak bytes per input byte: yaml {yaml:.1}, json {json:.1}");
    assert!(yaml < 20.0, "YAML: {yaml:.1} bytes of memory per input byte");
    assert!(json < 20.0, "JSON: {json:.1} bytes of memory per input byte");
}
