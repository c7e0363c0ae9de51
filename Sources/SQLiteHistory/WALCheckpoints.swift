import CSQLite

/// Checkpoints the WAL on the writer thread after a group's outcomes are reported, instead of inside the commit
/// that crosses SQLite's automatic threshold: the batch that happens to fill the WAL is not made to wait for
/// copying it back. It exists to own the `sqlite3_wal_hook` that counts the WAL's frames (installing it turns
/// SQLite's own automatic checkpoint off).
final class WALCheckpoints {
    /// Frames in the WAL after which a passive checkpoint runs (SQLite's default threshold, ~4 MB).
    static let threshold: Int32 = 1_000

    private let connection: SQLiteConnection
    private let frames = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    /// Installs the hook on the writer connection.
    init(connection: SQLiteConnection) {
        self.connection = connection
        frames.initialize(to: 0)
        sqlite3_wal_hook(
            connection.handle,
            { context, _, _, count in
                context?.assumingMemoryBound(to: Int32.self).pointee = count
                return SQLITE_OK
            }, frames)
    }

    deinit {
        frames.deallocate()
    }

    /// Runs a passive checkpoint when the WAL has grown past the threshold (a reader on an older snapshot only
    /// makes it copy less; nothing waits).
    func checkpointIfNeeded() {
        guard frames.pointee >= Self.threshold else { return }
        frames.pointee = 0
        _ = sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
    }

    /// Removes the hook before the connection closes.
    func uninstall() {
        sqlite3_wal_hook(connection.handle, nil, nil)
    }
}
