import History

extension SQLiteHistoryStore {
    /// How to open a store: where, how durable each commit is, how much to keep, how far the writer may fall
    /// behind before the loop waits for it.
    public struct Options: Sendable {
        /// `PRAGMA synchronous` in WAL mode.
        public enum Synchronous: Sendable, Equatable {
            /// A commit survives a crash of chatd but may be lost with the last few others on power loss or an
            /// OS crash (the WAL is synced at checkpoints only). The file is never corrupted either way.
            case normal
            /// Every commit syncs the WAL: it survives power loss too, at the cost of one fsync per group.
            case full
        }

        /// The database file (its directory is created with mode 0700 when missing).
        public var path: String
        /// Durability of each commit.
        public var synchronous: Synchronous
        /// How much history to keep; pruning runs on the writer thread, a bounded amount per transaction.
        public var retention: HistoryRetention
        /// Messages submitted and not yet committed beyond which `submitBatch()` blocks until the writer has
        /// caught up (the loop slows to disk speed instead of queueing without limit).
        public var maxQueuedMessages: Int

        /// Options with chatd's defaults.
        public init(
            path: String, synchronous: Synchronous = .normal, retention: HistoryRetention = HistoryRetention(),
            maxQueuedMessages: Int = 65_536
        ) {
            self.path = path
            self.synchronous = synchronous
            self.retention = retention
            self.maxQueuedMessages = maxQueuedMessages
        }
    }
}
