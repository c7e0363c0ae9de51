import CSQLite

/// A prepared statement, compiled once and reused for every row the store writes or reads (reset and cleared
/// after each use, so it never holds a read snapshot open between calls). It exists to keep the C binding and
/// column calls, and their defensive reading of what the file contains, in one place.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let sql: String
    private var isFinalized = false

    /// Wraps a statement `SQLiteConnection.prepare` compiled.
    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    deinit {
        finalize()
    }

    /// Binds an integer to parameter `index` (1-based).
    func bind(_ value: Int64, at index: Int32) {
        sqlite3_bind_int64(handle, index, value)
    }

    /// Binds a copy of `value` to parameter `index` (for text that does not outlive the call).
    func bindCopy(_ value: String, at index: Int32) {
        sqlite3_bind_text(handle, index, value, -1, csqlite_transient())
    }

    /// Binds `value` to parameter `index` without copying it, runs `body` while the bytes are alive, and clears
    /// the binding before they go away. Empty text is bound as a copy of "" (a nil pointer would bind NULL).
    func withText<Result>(
        _ value: String, at index: Int32, _ body: () throws(SQLiteError) -> Result
    ) throws(SQLiteError) -> Result {
        var text = value
        var outcome: Swift.Result<Result, SQLiteError>?
        text.withUTF8 { bytes in
            if let base = bytes.baseAddress, bytes.count > 0, bytes.count <= Int(Int32.max) {
                base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { characters in
                    _ = sqlite3_bind_text(handle, index, characters, Int32(bytes.count), nil)
                }
            } else {
                _ = sqlite3_bind_text(handle, index, "", 0, csqlite_transient())
            }
            outcome = Swift.Result { () throws(SQLiteError) -> Result in try body() }
            sqlite3_bind_null(handle, index)
        }
        guard let outcome else { throw SQLiteError(code: SQLITE_MISUSE, message: "no result", operation: sql) }
        return try outcome.get()
    }

    /// Runs one step: true when a row is available, false when done; throws on every other result.
    func step() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        default:
            throw stepError(status)
        }
    }

    /// Runs the statement to its end (INSERT, UPDATE, DELETE), then resets it.
    func run() throws(SQLiteError) {
        defer { reset() }
        while try step() {}
    }

    /// Makes the statement ready for its next use: ends its read, forgets its bindings.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// True when column `index` of the current row is NULL.
    func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(handle, index) == SQLITE_NULL
    }

    /// True when column `index` of the current row is stored as an integer.
    func isInteger(_ index: Int32) -> Bool {
        sqlite3_column_type(handle, index) == SQLITE_INTEGER
    }

    /// Column `index` as an integer (SQLite's conversion: NULL is 0, text is parsed).
    func int64(_ index: Int32) -> Int64 {
        sqlite3_column_int64(handle, index)
    }

    /// Column `index` as text; NULL is "", invalid UTF-8 is repaired rather than trusted.
    func text(_ index: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, index) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, index))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: max(0, count)), as: UTF8.self)
    }

    /// Releases the compiled statement; further use is a bug.
    func finalize() {
        guard !isFinalized else { return }
        isFinalized = true
        sqlite3_finalize(handle)
    }

    /// The connection's error for a failed step of this statement.
    private func stepError(_ status: Int32) -> SQLiteError {
        let database = sqlite3_db_handle(handle)
        let extended = database.map { sqlite3_extended_errcode($0) } ?? status
        let message = database.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(status))
        return SQLiteError(
            code: (extended & 0xff) == (status & 0xff) ? extended : status, message: message, operation: sql,
            systemErrno: database.map { sqlite3_system_errno($0) } ?? 0)
    }
}
