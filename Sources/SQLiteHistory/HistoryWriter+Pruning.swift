import CSQLite
import History

/// Retention, applied incrementally on the writer thread: at most `pruneBudget` rows per transaction, rooms
/// beyond `keepMessages` by a primary-key range, messages beyond `keepDays` by the timestamp index. A room's row
/// (epoch, last id) stays when all its messages go, so its ids continue.
extension HistoryWriter {
    /// True while some room may still hold more than it should.
    var hasPruneBacklog: Bool {
        needsFullSweep || !pruneCandidates.isEmpty || (ageBacklog && retention.keepDays > 0)
    }

    /// True for a second after pruning failed.
    var pruneRestingNow: Bool {
        guard let failed = pruneFailedAt else { return false }
        return Clocks.monotonicMicroseconds() &- failed < UInt64(Self.retryMilliseconds) * 1_000
    }

    /// Prunes inside the current transaction under a savepoint, so a failed prune costs the prune only; returns
    /// the rows deleted. Throws only when SQLite rolled the whole transaction back (full disk, I/O error): the
    /// batches failed too.
    func pruneInTransaction() throws(SQLiteError) -> Int {
        guard hasPruneBacklog, !pruneRestingNow else { return 0 }
        do throws(SQLiteError) {
            try statements.savepoint.run()
            let deleted = try prune()
            try statements.releaseSavepoint.run()
            return deleted
        } catch {
            pruneFailedAt = Clocks.monotonicMicroseconds()
            guard connection.inTransaction else { throw error }
            try? statements.rollbackToSavepoint.run()
            try? statements.releaseSavepoint.run()
            return 0
        }
    }

    /// A transaction that only prunes (idle with a backlog, or to let messages age out).
    func pruneAlone() {
        do throws(SQLiteError) {
            try statements.begin.run()
            let deleted = try prune()
            try statements.commit.run()
            queue.recordPruned(deleted)
        } catch {
            connection.rollbackQuietly()
            pruneFailedAt = Clocks.monotonicMicroseconds()
            needsFullSweep = true
        }
    }

    /// Deletes at most `pruneBudget` rows: rooms over `keepMessages` first, then messages over `keepDays`;
    /// returns how many.
    private func prune() throws(SQLiteError) -> Int {
        if needsFullSweep {
            try loadAllRooms()
        }
        var budget = Self.pruneBudget
        var checked = 0
        while budget > 0, checked < Self.pruneRoomsPerTransaction, let roomID = pruneCandidates.first {
            checked += 1
            let (deleted, done) = try pruneRoom(roomID, budget: budget)
            if done {
                pruneCandidates.remove(roomID)
            }
            budget -= deleted
        }
        guard retention.keepDays > 0, let oldest = retention.oldestKeptTimestamp(now: Clocks.wallMilliseconds())
        else {
            ageBacklog = false
            return Self.pruneBudget - budget
        }
        guard budget > 0 else { return Self.pruneBudget }
        let old = statements.pruneOld
        old.bind(oldest, at: 1)
        old.bind(Int64(budget), at: 2)
        try old.run()
        let aged = connection.changes
        ageBacklog = aged >= budget
        return Self.pruneBudget - budget + aged
    }

    /// Deletes the oldest messages of one room beyond `keepMessages`, at most `budget` (ids are unique, so the
    /// range from the oldest id spans at most `budget` rows: no scan to find where to stop); returns how many,
    /// and whether the room is now within its limit.
    private func pruneRoom(_ roomID: Int64, budget: Int) throws(SQLiteError) -> (deleted: Int, done: Bool) {
        let bounds = statements.roomBounds
        bounds.bind(roomID, at: 1)
        guard try bounds.step(), bounds.isInteger(0), bounds.isInteger(1) else {
            bounds.reset()
            return (0, true)
        }
        let lastID = bounds.int64(0)
        let oldestID = bounds.int64(1)
        bounds.reset()
        let (cutoff, overflow) = lastID.subtractingReportingOverflow(Int64(retention.keepMessages))
        guard !overflow, cutoff >= oldestID, budget > 0 else { return (0, true) }
        let (span, spanOverflow) = oldestID.addingReportingOverflow(Int64(budget) &- 1)
        let upTo = spanOverflow ? cutoff : min(cutoff, span)
        let delete = statements.pruneRoom
        delete.bind(roomID, at: 1)
        delete.bind(upTo, at: 2)
        try delete.run()
        return (connection.changes, upTo == cutoff)
    }

    /// Makes every room a pruning candidate.
    private func loadAllRooms() throws(SQLiteError) {
        let statement = try connection.prepare("SELECT room_id FROM rooms")
        defer { statement.finalize() }
        while try statement.step() {
            if statement.isInteger(0) {
                pruneCandidates.insert(statement.int64(0))
            }
        }
        needsFullSweep = false
    }
}
