/// Stable `MESSAGE_ID`s for the events an operator filters on (`journalctl MESSAGE_ID=...`); they never change
/// between releases. Passed as the `message_id` metadata key, which the journal handler writes as `MESSAGE_ID`.
public enum JournalMessageID {
    /// chatd is listening and ready.
    public static let started = "5f0c1e9a4d7b4c2e9a1f3b6d8e2c7a41"
    /// chatd stopped after a stop signal.
    public static let stopped = "b2d94f6e1a3c4e8f9d0a7c5b3e1f2d62"
    /// The configuration was reloaded (SIGHUP).
    public static let reloaded = "7e3a9c1d5b2f4a6e8c0d9b7a5f3e1c83"
    /// A configuration file was refused (at start-up or on reload).
    public static let configError = "c4f1a7e3d9b54c2a8e6f0d1b3a5c7e94"
    /// A client-facing limit was hit (connections, rooms, members, descriptors, slow consumers).
    public static let limitHit = "19d7b3f5e1a94c6d8b2e0f4a6c8d1e35"
}
