//! The SDK's shorthands: `connect(api_key)` for a ready client, and `close()` on the blocking
//! client, which joins its background thread once no clone holds it.

/// The threads of this process with the given name, or `None` where the platform does not show
/// thread names (no `/proc`, or a sandbox whose `/proc` leaves `comm` unset).
fn threads_named(name: &str) -> Option<usize> {
    let tasks = std::fs::read_dir("/proc/self/task").ok()?;
    Some(
        tasks
            .filter_map(|task| task.ok())
            .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
            .filter(|comm| comm.trim() == name)
            .count(),
    )
}

/// Whether this process can see its threads' names: a probe thread looks for itself.
fn thread_names_are_visible() -> bool {
    std::thread::Builder::new()
        .name("specwright-prob".to_owned())
        .spawn(|| threads_named("specwright-prob") == Some(1))
        .ok()
        .and_then(|probe| probe.join().ok())
        .unwrap_or(false)
}

/// The blocking client's workers, once their number is `expected` or after 10 s. A new thread
/// names itself when it first runs and an ended one leaves `/proc` a moment after `join`, so the
/// count is polled. The kernel keeps the first 15 bytes of a thread's name.
fn blocking_workers(expected: usize) -> Option<usize> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let count = threads_named("specwright-bloc")?;
        if count == expected || std::time::Instant::now() > deadline {
            return Some(count);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn connect_sets_the_api_key_and_close_joins_the_blocking_thread() {
    let client = openapp_client::connect("my-key").expect("an async client");
    assert!(client.core().has_credential("apiKey"));
    assert_eq!(client.base_url(), openapp_client::DEFAULT_BASE_URL);

    let visible = thread_names_are_visible();
    if !visible {
        eprintln!("thread names are not visible here; the thread counts are not checked");
    }
    let workers = |expected| if visible { blocking_workers(expected) } else { None };

    let blocking = openapp_client::connect_blocking("my-key").expect("a blocking client");
    assert!(blocking.core().has_credential("apiKey"));
    if let Some(count) = workers(1) {
        assert_eq!(count, 1, "connect_blocking started one worker");
    }

    // A clone keeps the thread: closing one handle only lets go of it.
    let clone = blocking.clone();
    blocking.close().expect("closed");
    if let Some(count) = workers(1) {
        assert_eq!(count, 1, "a clone still uses the thread");
    }
    clone.close().expect("closed");
    if let Some(count) = workers(0) {
        assert_eq!(count, 0, "the last close joined the thread");
    }
}
