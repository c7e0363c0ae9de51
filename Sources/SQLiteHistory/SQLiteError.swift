import CSQLite

/// A failed SQLite call inside this target: the (extended) result code, SQLite's message and what was being
/// done. It exists so the store can decide on the code (full disk, I/O error, corrupt file, read-only) and still
/// print SQLite's own words; it never leaves the target (the store turns it into `HistoryStoreError` or a
/// degraded reason).
struct SQLiteError: Error, CustomStringConvertible {
    /// The extended result code (`SQLITE_IOERR_WRITE`, ...); `primaryCode` strips the extension.
    var code: Int32
    /// SQLite's message (`sqlite3_errmsg`), or `sqlite3_errstr` when there was no connection.
    var message: String
    /// The operation that failed, e.g. `COMMIT` or `open`.
    var operation: String
    /// `errno` of the last failed system call inside SQLite (0 when none or unknown).
    var systemErrno: Int32 = 0

    /// The primary result code (`SQLITE_FULL`, `SQLITE_IOERR`, ...).
    var primaryCode: Int32 { code & 0xff }

    /// The primary code's name as in sqlite3.h, for logs that operators grep.
    var codeName: String { Self.name(of: primaryCode) }

    /// "operation: message (SQLITE_NAME)", on one line (statements' SQL is shortened to its first line).
    var description: String {
        let firstLine = operation.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? operation
        return "\(firstLine.prefix(80)): \(message) (\(codeName))"
    }

    /// True for the codes that mean the file is not a usable SQLite database.
    var isCorruption: Bool { primaryCode == SQLITE_CORRUPT || primaryCode == SQLITE_NOTADB }

    /// True for the codes that mean the file or its directory cannot be written.
    var isNotWritable: Bool {
        primaryCode == SQLITE_READONLY || primaryCode == SQLITE_CANTOPEN || primaryCode == SQLITE_PERM
            || primaryCode == SQLITE_AUTH
    }

    /// The name of a primary result code.
    static func name(of code: Int32) -> String {
        switch code {
        case SQLITE_ERROR: return "SQLITE_ERROR"
        case SQLITE_PERM: return "SQLITE_PERM"
        case SQLITE_BUSY: return "SQLITE_BUSY"
        case SQLITE_LOCKED: return "SQLITE_LOCKED"
        case SQLITE_NOMEM: return "SQLITE_NOMEM"
        case SQLITE_READONLY: return "SQLITE_READONLY"
        case SQLITE_IOERR: return "SQLITE_IOERR"
        case SQLITE_CORRUPT: return "SQLITE_CORRUPT"
        case SQLITE_FULL: return "SQLITE_FULL"
        case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN"
        case SQLITE_PROTOCOL: return "SQLITE_PROTOCOL"
        case SQLITE_CONSTRAINT: return "SQLITE_CONSTRAINT"
        case SQLITE_MISMATCH: return "SQLITE_MISMATCH"
        case SQLITE_MISUSE: return "SQLITE_MISUSE"
        case SQLITE_AUTH: return "SQLITE_AUTH"
        case SQLITE_NOTADB: return "SQLITE_NOTADB"
        default: return "SQLite error \(code)"
        }
    }
}
