/// What opening does when the degraded marker survived the previous run: that run stopped (or crashed) while
/// writes failed, so it may have handed out ids the file never saw. Every room gets a new epoch, so resuming
/// clients get `reset` instead of repeated ids; the messages stay readable and ids continue after `last_id`.
enum EpochRenewal {
    /// Appends `r<unique>` to every room's epoch in one durable transaction; returns how many rooms changed.
    static func renew(_ connection: SQLiteConnection, unique: String) throws(SQLiteError) -> Int {
        try connection.execute("PRAGMA synchronous = FULL")
        let update = try connection.prepare("UPDATE rooms SET epoch = epoch || ?1")
        defer { update.finalize() }
        do throws(SQLiteError) {
            try connection.execute("BEGIN IMMEDIATE")
            update.bindCopy("r" + unique, at: 1)
            try update.run()
            let changed = connection.changes
            try connection.execute("COMMIT")
            return changed
        } catch {
            connection.rollbackQuietly()
            throw error
        }
    }

    /// The suffix for this start: the wall clock in base 36 (epochs only need to differ from earlier ones).
    static func uniqueSuffix() -> String {
        String(UInt64(max(0, Clocks.wallMilliseconds())), radix: 36)
    }

    /// The warning the server logs.
    static func warning(path: String, markerPath: String, rooms: Int) -> String {
        "history database \(path): the previous run stopped while history writes were failing (\(markerPath) was "
            + "present); \(rooms) room(s) got a new epoch, so resuming clients start over instead of seeing "
            + "repeated ids"
    }
}
