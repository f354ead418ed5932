//! The SDK's shorthands: `connect(api_key)` for a ready client, and `close()` on the blocking
//! client, which joins its background thread once no clone holds it.

/// The threads of this process named like the blocking client's worker.
#[cfg(target_os = "linux")]
fn blocking_workers() -> usize {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    tasks
        .filter_map(|task| task.ok())
        .filter_map(|task| std::fs::read_to_string(task.path().join("comm")).ok())
        // The kernel keeps the first 15 bytes of a thread's name.
        .filter(|name| name.trim() == "specwright-bloc")
        .count()
}

#[test]
fn connect_sets_the_api_key_and_close_joins_the_blocking_thread() {
    let client = openapp_client::connect("my-key").expect("an async client");
    assert!(client.core().has_credential("apiKey"));
    assert_eq!(client.base_url(), openapp_client::DEFAULT_BASE_URL);

    let blocking = openapp_client::connect_blocking("my-key").expect("a blocking client");
    assert!(blocking.core().has_credential("apiKey"));
    #[cfg(target_os = "linux")]
    assert_eq!(blocking_workers(), 1);

    // A clone keeps the thread: closing one handle only lets go of it.
    let clone = blocking.clone();
    blocking.close().expect("closed");
    #[cfg(target_os = "linux")]
    assert_eq!(blocking_workers(), 1, "a clone still uses the thread");
    clone.close().expect("closed");
    #[cfg(target_os = "linux")]
    assert_eq!(blocking_workers(), 0, "the last close joined the thread");
}
