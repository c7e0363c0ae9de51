/// The writer connection's statements, compiled once at open and reused for every transaction. It exists so the
/// SQL the writer runs can be read in one place (and checked with `EXPLAIN QUERY PLAN`).
final class WriterStatements {
    /// `BEGIN IMMEDIATE`: takes the write lock at the start, so a busy database fails before any work is done.
    let begin: SQLiteStatement
    /// `COMMIT`.
    let commit: SQLiteStatement
    /// Opens the savepoint that lets pruning fail without failing the batches it rides with.
    let savepoint: SQLiteStatement
    /// Undoes the pruning savepoint's work.
    let rollbackToSavepoint: SQLiteStatement
    /// Ends the pruning savepoint.
    let releaseSavepoint: SQLiteStatement
    /// A room's id by name.
    let findRoom: SQLiteStatement
    /// Creates a room (or starts it over) with an epoch and a last id; returns its room_id.
    let replaceRoom: SQLiteStatement
    /// Creates a room that received messages before any `roomCreated` (empty epoch); returns its room_id.
    let addRoom: SQLiteStatement
    /// Drops every message of a room that starts over.
    let clearRoom: SQLiteStatement
    /// Stores one message (a repeated id replaces the row rather than failing the whole group).
    let insertMessage: SQLiteStatement
    /// Raises a room's last id, never lowers it.
    let raiseLastID: SQLiteStatement
    /// Deletes a room that never had a message (last id 0, no rows), so its name leaves no trace.
    let forgetEmptyRoom: SQLiteStatement
    /// A room's last id and its oldest stored message id (NULL when it has none).
    let roomBounds: SQLiteStatement
    /// Deletes a room's oldest messages up to an id (a primary-key range; the caller bounds its size).
    let pruneRoom: SQLiteStatement
    /// Deletes the oldest messages older than a timestamp, at most a given number of rows (by `messages_ts`).
    let pruneOld: SQLiteStatement

    /// Compiles every statement on the writer connection.
    init(_ connection: SQLiteConnection) throws(SQLiteError) {
        begin = try connection.prepare("BEGIN IMMEDIATE")
        commit = try connection.prepare("COMMIT")
        savepoint = try connection.prepare("SAVEPOINT prune")
        rollbackToSavepoint = try connection.prepare("ROLLBACK TO prune")
        releaseSavepoint = try connection.prepare("RELEASE prune")
        findRoom = try connection.prepare("SELECT room_id FROM rooms WHERE name = ?1")
        replaceRoom = try connection.prepare(
            """
            INSERT INTO rooms(name, epoch, last_id) VALUES(?1, ?2, ?3)
            ON CONFLICT(name) DO UPDATE SET epoch = excluded.epoch, last_id = excluded.last_id
            RETURNING room_id
            """)
        addRoom = try connection.prepare("INSERT INTO rooms(name, epoch, last_id) VALUES(?1, '', 0) RETURNING room_id")
        clearRoom = try connection.prepare("DELETE FROM messages WHERE room_id = ?1")
        insertMessage = try connection.prepare(
            "INSERT OR REPLACE INTO messages(room_id, id, ts, sender, text, is_action) VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
        raiseLastID = try connection.prepare("UPDATE rooms SET last_id = max(last_id, ?2) WHERE room_id = ?1")
        forgetEmptyRoom = try connection.prepare(
            """
            DELETE FROM rooms WHERE name = ?1 AND last_id = 0
            AND NOT EXISTS (SELECT 1 FROM messages WHERE messages.room_id = rooms.room_id)
            """)
        roomBounds = try connection.prepare(
            "SELECT last_id, (SELECT min(id) FROM messages WHERE room_id = ?1) FROM rooms WHERE room_id = ?1")
        pruneRoom = try connection.prepare(Self.pruneRoomSQL)
        pruneOld = try connection.prepare(Self.pruneOldSQL)
    }

    /// ?1 room, ?2 the highest id to drop (the caller bounds it to the oldest id plus the row budget): one
    /// range of the primary key.
    static let pruneRoomSQL = "DELETE FROM messages WHERE room_id = ?1 AND id <= ?2"

    /// ?1 the oldest timestamp kept, ?2 the most rows to drop.
    static let pruneOldSQL = """
        DELETE FROM messages WHERE (room_id, id) IN
        (SELECT room_id, id FROM messages WHERE ts < ?1 ORDER BY ts LIMIT ?2)
        """

    /// Releases every statement before the connection closes.
    func finalize() {
        for statement in [
            begin, commit, savepoint, rollbackToSavepoint, releaseSavepoint, findRoom, replaceRoom, addRoom,
            clearRoom, insertMessage, raiseLastID, forgetEmptyRoom, roomBounds, pruneRoom, pruneOld,
        ] {
            statement.finalize()
        }
    }
}
