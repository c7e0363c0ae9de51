import CSQLite
import Glibc
import History

/// Opening a store, step by step, each step with the error an operator can act on: the directory, the lock,
/// the file (is it writable, is it SQLite, is it ours), WAL mode, the degraded marker, the read connection. It
/// exists so `SQLiteHistoryStore.init` reads as one line and every failure path releases what was taken (the
/// connections and the lock close when their objects go).
struct StoreOpener {
    /// What a successful open hands to the store.
    struct Opened {
        var lock: StoreLock
        var writer: SQLiteConnection
        var reader: SQLiteConnection
        var warnings: [String]
    }

    /// How long a connection waits for a lock SQLite itself holds (a checkpoint, another reader) before failing.
    static let busyTimeoutMilliseconds = 250
    /// The WAL file is truncated back to this size after checkpoints.
    static let walSizeLimit = 64 << 20

    let files: StoreFiles
    let options: SQLiteHistoryStore.Options

    /// Opens the files and both connections.
    func open() throws(HistoryStoreError) -> Opened {
        guard !files.path.isEmpty else { throw StoreErrors.cannotOpen("\"\"", "the path is empty") }
        try files.createDirectory()
        let lock = try StoreLock(files: files)
        let uncleanStop = files.walIsNonEmpty
        let writer = try connect(flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        if writer.isReadOnly {
            throw StoreErrors.notWritable(files.path, "SQLite could open it read-only only")
        }
        try HistorySchema.prepare(writer, path: files.path)
        var warnings: [String] = []
        if let checked = try HistorySchema.verify(writer, path: files.path, thorough: uncleanStop) {
            warnings.append(checked)
        }
        try configureWriter(writer)
        if files.markerExists {
            do throws(SQLiteError) {
                let rooms = try EpochRenewal.renew(writer, unique: EpochRenewal.uniqueSuffix())
                try setSynchronous(writer)
                warnings.append(EpochRenewal.warning(path: files.path, markerPath: files.markerPath, rooms: rooms))
            } catch {
                throw StoreErrors.opening(
                    files.path, error, step: "cannot give the rooms new epochs after a degraded stop")
            }
            files.removeMarker()
        }
        let reader = try connect(flags: SQLITE_OPEN_READWRITE)
        do throws(SQLiteError) {
            try reader.execute("PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds); PRAGMA query_only = 1")
        } catch {
            throw StoreErrors.opening(files.path, error)
        }
        return Opened(lock: lock, writer: writer, reader: reader, warnings: warnings)
    }

    /// Opens a connection, mapping failures to the open errors.
    private func connect(flags: Int32) throws(HistoryStoreError) -> SQLiteConnection {
        do throws(SQLiteError) {
            return try SQLiteConnection(path: files.path, flags: flags)
        } catch {
            throw StoreErrors.opening(files.path, error)
        }
    }

    /// WAL (checked: it silently stays in another mode when it cannot switch), `synchronous`, timeouts.
    private func configureWriter(_ writer: SQLiteConnection) throws(HistoryStoreError) {
        let mode: String
        do throws(SQLiteError) {
            try writer.execute("PRAGMA busy_timeout = \(Self.busyTimeoutMilliseconds)")
            mode = try writer.texts("PRAGMA journal_mode = WAL").first ?? ""
        } catch {
            throw StoreErrors.opening(files.path, error)
        }
        guard mode.lowercased() == "wal" else {
            if access(files.directory, W_OK) != 0 {
                let reason = StoreErrors.systemMessage(csqlite_errno())
                throw StoreErrors.notWritable(files.path, "directory \(files.directory): \(reason)")
            }
            throw StoreErrors.cannotOpen(files.path, "cannot switch to WAL mode (journal_mode is \(mode))")
        }
        do throws(SQLiteError) {
            try writer.execute("PRAGMA journal_size_limit = \(Self.walSizeLimit)")
            try setSynchronous(writer)
        } catch {
            throw StoreErrors.opening(files.path, error)
        }
    }

    /// `PRAGMA synchronous` as the options say.
    private func setSynchronous(_ writer: SQLiteConnection) throws(SQLiteError) {
        try writer.execute("PRAGMA synchronous = \(options.synchronous == .full ? "FULL" : "NORMAL")")
    }
}
