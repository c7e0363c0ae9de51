import History

/// The loop thread's read side: its own connection (`query_only`) and statements for `loadRoom`,
/// `messages(after:)` and `lastMessages`. In WAL mode its reads never wait for the writer thread, and each read
/// runs in a short transaction of its own so its statements see one snapshot and hold none afterwards.
final class HistoryReader {
    /// What the file says about a room.
    struct RoomRow {
        var roomID: Int64
        var epoch: String
        var lastID: UInt64
    }

    private let connection: SQLiteConnection
    private let begin: SQLiteStatement
    private let end: SQLiteStatement
    private let findRoom: SQLiteStatement
    private let newest: SQLiteStatement
    private let after: SQLiteStatement
    private var isClosed = false

    /// Prepares the read statements on a connection opened for this reader.
    init(connection: SQLiteConnection) throws(SQLiteError) {
        self.connection = connection
        begin = try connection.prepare("BEGIN")
        end = try connection.prepare("COMMIT")
        findRoom = try connection.prepare("SELECT room_id, epoch, last_id FROM rooms WHERE name = ?1")
        newest = try connection.prepare(
            "SELECT id, ts, sender, text, is_action FROM messages WHERE room_id = ?1 ORDER BY id DESC LIMIT ?2")
        after = try connection.prepare(
            "SELECT id, ts, sender, text, is_action FROM messages WHERE room_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
        )
    }

    /// The room's row and its newest `recent` messages, oldest first; nil when the file has no such room.
    func loadRoom(_ room: String, recent: Int) throws(SQLiteError) -> StoredRoom? {
        try snapshot { () throws(SQLiteError) -> StoredRoom? in
            guard let row = try roomRow(room) else { return nil }
            let messages = try newestMessages(of: row.roomID, count: recent)
            // The last id is never below a stored message's id, whatever the rooms row says.
            let lastID = max(row.lastID, messages.last?.id ?? 0)
            return StoredRoom(epoch: row.epoch, lastID: lastID, recent: messages)
        }
    }

    /// Up to `limit` messages of `room` with ids above `id`, oldest first.
    func messages(in room: String, after id: UInt64, limit: Int) throws(SQLiteError) -> [HistoryMessage] {
        guard limit > 0, id < UInt64(Int64.max) else { return [] }
        return try snapshot { () throws(SQLiteError) -> [HistoryMessage] in
            guard let row = try roomRow(room) else { return [] }
            after.bind(row.roomID, at: 1)
            after.bind(Int64(id), at: 2)
            after.bind(Int64(limit), at: 3)
            return try rows(of: after, expected: limit)
        }
    }

    /// The newest `count` messages of `room`, oldest first.
    func lastMessages(in room: String, count: Int) throws(SQLiteError) -> [HistoryMessage] {
        guard count > 0 else { return [] }
        return try snapshot { () throws(SQLiteError) -> [HistoryMessage] in
            guard let row = try roomRow(room) else { return [] }
            return try newestMessages(of: row.roomID, count: count)
        }
    }

    /// Finalizes the statements and closes the connection.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        for statement in [begin, end, findRoom, newest, after] {
            statement.finalize()
        }
        connection.close()
    }

    /// Runs `body` in one read transaction, and always ends it.
    private func snapshot<Result>(_ body: () throws(SQLiteError) -> Result) throws(SQLiteError) -> Result {
        try begin.run()
        do throws(SQLiteError) {
            let result = try body()
            try end.run()
            return result
        } catch {
            connection.rollbackQuietly()
            throw error
        }
    }

    /// The rooms row of `room`; a row whose id is not an integer counts as missing, a NULL epoch as "".
    private func roomRow(_ room: String) throws(SQLiteError) -> RoomRow? {
        defer { findRoom.reset() }
        findRoom.bindCopy(room, at: 1)
        guard try findRoom.step(), findRoom.isInteger(0) else { return nil }
        let lastID = findRoom.isInteger(2) ? UInt64(bitPattern: findRoom.int64(2)) : 0
        return RoomRow(roomID: findRoom.int64(0), epoch: findRoom.text(1), lastID: lastID)
    }

    /// The newest `count` messages of a room, oldest first.
    private func newestMessages(of roomID: Int64, count: Int) throws(SQLiteError) -> [HistoryMessage] {
        guard count > 0 else { return [] }
        newest.bind(roomID, at: 1)
        newest.bind(Int64(count), at: 2)
        return try rows(of: newest, expected: count).reversed()
    }

    /// Every row of a message query, then resets it. Rows whose id is not an integer are skipped; other odd
    /// values read as SQLite converts them (NULL text is "", a NULL timestamp 0).
    private func rows(of statement: SQLiteStatement, expected: Int) throws(SQLiteError) -> [HistoryMessage] {
        defer { statement.reset() }
        var messages: [HistoryMessage] = []
        messages.reserveCapacity(min(expected, 1_024))
        while try statement.step() {
            guard statement.isInteger(0) else { continue }
            messages.append(
                HistoryMessage(
                    id: UInt64(bitPattern: statement.int64(0)), from: statement.text(2), text: statement.text(3),
                    timestamp: statement.int64(1), isAction: statement.int64(4) != 0))
        }
        return messages
    }
}
