import CSQLite

/// One SQLite database connection, used by exactly one thread at a time (opened `NOMUTEX`: the store gives the
/// writer thread and the loop thread a connection each, so SQLite's own per-connection mutex would be pure
/// cost). It exists to keep the C handle, its error reporting and its closing in one place.
final class SQLiteConnection {
    /// The `sqlite3*` handle; valid until `close()`.
    let handle: OpaquePointer
    /// The database file, for messages.
    let path: String
    private var isClosed = false

    /// Opens `path` with `flags` (`SQLITE_OPEN_READWRITE`, `SQLITE_OPEN_CREATE`, ...); always no-mutex, with
    /// extended result codes on.
    init(path: String, flags: Int32) throws(SQLiteError) {
        var raw: OpaquePointer?
        let status = sqlite3_open_v2(path, &raw, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard let opened = raw else {
            throw SQLiteError(
                code: status, message: String(cString: sqlite3_errstr(status)), operation: "open",
                systemErrno: csqlite_errno())
        }
        guard status == SQLITE_OK else {
            let failure = SQLiteError(
                code: sqlite3_extended_errcode(opened), message: String(cString: sqlite3_errmsg(opened)),
                operation: "open", systemErrno: sqlite3_system_errno(opened))
            sqlite3_close_v2(opened)
            throw failure
        }
        handle = opened
        self.path = path
        sqlite3_extended_result_codes(opened, 1)
    }

    deinit {
        close()
    }

    /// The error SQLite reports for this connection after a call returned `code`.
    func error(_ code: Int32, _ operation: String) -> SQLiteError {
        let extended = sqlite3_extended_errcode(handle)
        return SQLiteError(
            code: (extended & 0xff) == (code & 0xff) ? extended : code,
            message: String(cString: sqlite3_errmsg(handle)), operation: operation,
            systemErrno: sqlite3_system_errno(handle))
    }

    /// Runs one or more SQL statements that return no rows worth reading (DDL, BEGIN, COMMIT, PRAGMA x=y).
    func execute(_ sql: String) throws(SQLiteError) {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(status, sql) }
    }

    /// Compiles `sql` once, for reuse.
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var raw: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard status == SQLITE_OK, let statement = raw else {
            throw error(status == SQLITE_OK ? SQLITE_MISUSE : status, "prepare \(sql)")
        }
        return SQLiteStatement(handle: statement, sql: sql)
    }

    /// The first column of the first row of `sql` as an integer (a PRAGMA or an aggregate); nil without a row.
    func integer(_ sql: String) throws(SQLiteError) -> Int64? {
        let statement = try prepare(sql)
        defer { statement.finalize() }
        guard try statement.step() else { return nil }
        return statement.isNull(0) ? nil : statement.int64(0)
    }

    /// The first column of every row of `sql` as text.
    func texts(_ sql: String) throws(SQLiteError) -> [String] {
        let statement = try prepare(sql)
        defer { statement.finalize() }
        var values: [String] = []
        while try statement.step() {
            values.append(statement.text(0))
        }
        return values
    }

    /// True when the connection could only open the file read-only (read-only mount or file).
    var isReadOnly: Bool { sqlite3_db_readonly(handle, "main") == 1 }

    /// True while a transaction is open (after BEGIN, until COMMIT or ROLLBACK, or SQLite's automatic rollback).
    var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Rows changed by the latest INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Rolls back the open transaction, if any; errors are ignored (SQLite may already have rolled back).
    func rollbackQuietly() {
        if inTransaction {
            _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
        }
    }

    /// Closes the connection; statements must have been finalized (otherwise SQLite closes once they are).
    func close() {
        guard !isClosed else { return }
        isClosed = true
        sqlite3_close_v2(handle)
    }
}
