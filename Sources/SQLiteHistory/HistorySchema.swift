import CSQLite
import History

/// The store's tables and the checks that a file is ours. It exists so the layout, its version and the
/// decision "ours / empty / someone else's / newer" sit together.
///
/// `messages` is `WITHOUT ROWID` with primary key `(room_id, id)`: "after id X in room R" and "the last N of room
/// R" are range scans of that key, whatever the table's size. `messages_ts` serves pruning by age. `rooms` keeps
/// a room's epoch and the last id handed out even when every message of the room has been pruned.
enum HistorySchema {
    /// `PRAGMA application_id` of a chatd history database: "chat" in ASCII.
    static let applicationID: Int64 = 0x6368_6174
    /// `PRAGMA user_version`: the layout below.
    static let version: Int64 = 1
    /// The tables this version creates and needs.
    static let tables = ["messages", "rooms"]

    /// Creates the layout in one transaction, stamping the application id and the version with it.
    static let creation = """
        BEGIN IMMEDIATE;
        CREATE TABLE rooms(
            room_id INTEGER PRIMARY KEY,
            name TEXT UNIQUE NOT NULL,
            epoch TEXT NOT NULL,
            last_id INTEGER NOT NULL
        );
        CREATE TABLE messages(
            room_id INTEGER NOT NULL,
            id INTEGER NOT NULL,
            ts INTEGER NOT NULL,
            sender TEXT NOT NULL,
            text TEXT NOT NULL,
            is_action INTEGER NOT NULL,
            PRIMARY KEY(room_id, id)
        ) WITHOUT ROWID;
        CREATE INDEX messages_ts ON messages(ts);
        PRAGMA application_id = \(applicationID);
        PRAGMA user_version = \(version);
        COMMIT;
        """

    /// Checks the file on `connection` (the first read of its header and schema: a garbage file fails here with
    /// `SQLITE_NOTADB`) and creates the layout in an empty one. Throws the open error naming `path`.
    static func prepare(_ connection: SQLiteConnection, path: String) throws(HistoryStoreError) {
        let identity: Int64
        let schemaVersion: Int64
        let existing: [String]
        do throws(SQLiteError) {
            identity = try connection.integer("PRAGMA application_id") ?? 0
            schemaVersion = try connection.integer("PRAGMA user_version") ?? 0
            existing = try connection.texts(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        } catch {
            throw StoreErrors.opening(path, error)
        }
        let ours = tables.allSatisfy { existing.contains($0) }
        if identity == applicationID {
            if schemaVersion > version {
                throw StoreErrors.newerSchema(path, version: schemaVersion)
            }
            if ours && schemaVersion == version {
                return
            }
            throw StoreErrors.corrupt(
                path,
                "chatd's application id with schema version \(schemaVersion) and tables [\(listed(existing))]")
        }
        if identity != 0 {
            let hex = String(UInt32(truncatingIfNeeded: identity), radix: 16)
            throw StoreErrors.foreign(path, "application_id 0x\(hex), tables [\(listed(existing))]")
        }
        if !existing.isEmpty {
            throw StoreErrors.foreign(path, "no chatd application_id, tables [\(listed(existing))]")
        }
        do throws(SQLiteError) {
            try connection.execute(creation)
        } catch {
            connection.rollbackQuietly()
            throw StoreErrors.opening(path, error, step: "cannot create the tables")
        }
    }

    /// At most a few table names, for a one-line message.
    private static func listed(_ names: [String]) -> String {
        let shown = names.prefix(5).joined(separator: ", ")
        return names.count > 5 ? shown + ", ..." : shown
    }

    /// Reads enough of the file to find damage before the first join does: the whole `rooms` table and both ends
    /// of `messages` always (cheap), and `PRAGMA quick_check` when `thorough` (after an unclean stop: it reads
    /// every page, about 0.25 s per million messages). Returns a line for the server's log when it ran the check.
    static func verify(
        _ connection: SQLiteConnection, path: String, thorough: Bool
    ) throws(HistoryStoreError) -> String? {
        let started = Clocks.monotonicMicroseconds()
        let problems: [String]
        do throws(SQLiteError) {
            _ = try connection.integer("SELECT max(last_id) FROM rooms")
            _ = try connection.integer("SELECT room_id FROM messages ORDER BY room_id, id LIMIT 1")
            _ = try connection.integer("SELECT room_id FROM messages ORDER BY room_id DESC, id DESC LIMIT 1")
            _ = try connection.integer("SELECT ts FROM messages ORDER BY ts DESC LIMIT 1")
            problems = thorough ? try connection.texts("PRAGMA quick_check(5)") : ["ok"]
        } catch {
            throw StoreErrors.opening(path, error, step: "checking the file")
        }
        guard problems == ["ok"] else {
            throw StoreErrors.corrupt(path, "quick_check: " + problems.joined(separator: "; "))
        }
        guard thorough else { return nil }
        let milliseconds = (Clocks.monotonicMicroseconds() &- started) / 1_000
        return "history database \(path) was not closed cleanly by the previous run; PRAGMA quick_check passed in "
            + "\(milliseconds) ms"
    }
}
