import CSQLite
import Glibc
import History

/// The one-line reasons the store refuses to open or read, each naming the file, worded for
/// `chatd: cannot start: ...` in the journal. It exists so every path through opening says the same thing for
/// the same cause, and so tests can match the wording.
enum StoreErrors {
    /// Another process holds the store's lock file.
    static func inUse(_ path: String, lockPath: String) -> HistoryStoreError {
        HistoryStoreError("history database \(path) is in use by another chatd process (lock \(lockPath) held)")
    }

    /// The file or its directory cannot be written.
    static func notWritable(_ path: String, _ reason: String) -> HistoryStoreError {
        HistoryStoreError("history database \(path) is not writable: \(reason)")
    }

    /// The file is not an SQLite database, or a damaged one.
    static func corrupt(_ path: String, _ message: String) -> HistoryStoreError {
        HistoryStoreError(
            "history database \(path) is corrupt or not a database: \(message); move it aside to start with empty "
                + "history: mv \(path) \(path).broken")
    }

    /// The file is an SQLite database that some other program wrote.
    static func foreign(_ path: String, _ detail: String) -> HistoryStoreError {
        HistoryStoreError(
            "history database \(path) is not a chatd history database (\(detail)); move it aside to start with "
                + "empty history: mv \(path) \(path).broken")
    }

    /// A later chatd wrote the file with a schema this one does not know.
    static func newerSchema(_ path: String, version: Int64) -> HistoryStoreError {
        HistoryStoreError(
            "history database \(path) was written by a newer chatd (schema version \(version), this chatd knows "
                + "\(HistorySchema.version)); upgrade chatd or move it aside: mv \(path) \(path).broken")
    }

    /// Any other failure while opening.
    static func cannotOpen(_ path: String, _ reason: String) -> HistoryStoreError {
        HistoryStoreError("history database \(path) cannot be opened: \(reason)")
    }

    /// The error for an SQLite failure while opening, by its result code; `step` says what opening was doing
    /// when it is not obvious from SQLite's message.
    static func opening(_ path: String, _ failure: SQLiteError, step: String? = nil) -> HistoryStoreError {
        let prefix = step.map { $0 + ": " } ?? ""
        let system = failure.systemErrno != 0 ? " (\(systemMessage(failure.systemErrno)))" : ""
        if failure.isCorruption {
            return corrupt(path, prefix + failure.message)
        }
        if failure.primaryCode == SQLITE_CANTOPEN && !isPermission(failure.systemErrno) {
            return cannotOpen(path, "\(prefix)\(failure.message)\(system)")
        }
        if failure.isNotWritable {
            return notWritable(path, "\(prefix)\(failure.message)\(system)")
        }
        if failure.primaryCode == SQLITE_BUSY || failure.primaryCode == SQLITE_LOCKED {
            return cannotOpen(path, "\(prefix)\(failure.message); another program has the database open")
        }
        return cannotOpen(path, "\(prefix)\(failure.message) (\(failure.codeName))")
    }

    /// A read of a room failed: the caller refuses the join rather than restart the room's ids.
    static func read(_ path: String, room: String, _ failure: SQLiteError) -> HistoryStoreError {
        HistoryStoreError("cannot read history of room \(room) from \(path): \(failure.message) (\(failure.codeName))")
    }

    /// The store was used after `close()`.
    static func closed(_ path: String) -> HistoryStoreError {
        HistoryStoreError("history database \(path) is closed")
    }

    /// `strerror` for an errno value.
    static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// True for the errno values that mean "you may not write here".
    static func isPermission(_ code: Int32) -> Bool {
        code == EACCES || code == EROFS || code == EPERM
    }
}
