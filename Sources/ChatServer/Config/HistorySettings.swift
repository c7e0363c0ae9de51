import History

/// `[history] store`: where room history is kept beyond each room's in-memory tail.
public enum HistoryStoreKind: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// An SQLite database on disk (`[history] path`): history survives restarts and room eviction.
    case sqlite
    /// Process memory only: history is lost on restart, and with a room when it is evicted.
    case memory

    /// The name as written in the config file.
    public var description: String { rawValue }
}

/// `[history] sync`: how hard SQLite works to make each commit durable (its `synchronous` pragma, in WAL mode).
public enum HistorySync: String, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// `synchronous=NORMAL`: survives a crash or kill of the process; the last commits may be lost on power loss
    /// or a kernel crash.
    case normal
    /// `synchronous=FULL`: every commit is fsynced, so it also survives power loss; slower.
    case full

    /// The name as written in the config file.
    public var description: String { rawValue }
}

extension ChatdConfig {
    /// `[history] keep_messages` and `keep_days` as the store takes them; both may change on reload.
    public var historyRetention: HistoryRetention {
        HistoryRetention(keepMessages: keepMessages, keepDays: keepDays)
    }
}
