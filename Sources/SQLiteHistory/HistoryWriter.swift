import CSQLite
import History

/// The writer thread's side of the store: it owns the writer connection and its statements, takes every queued
/// batch at once and commits them in one transaction (group commit), reports one outcome per batch in order,
/// and keeps the store's promises when the disk fails: ids handed out are written as soon as writes work again
/// (`debts`), the degraded marker is on disk while they are not, and writes are retried about once a second.
/// It also prunes, a bounded number of rows per transaction. Nothing here is touched by any other thread; what it
/// shares goes through `WriterQueue`.
final class HistoryWriter {
    /// Rows pruned at most per transaction, so pruning never makes a commit slow.
    static let pruneBudget = 500
    /// Rooms checked for pruning at most per transaction.
    static let pruneRoomsPerTransaction = 1_000
    /// How often a degraded store retries while idle, and how long pruning rests after it failed.
    static let retryMilliseconds = 1_000
    /// How often an idle store looks for messages that aged out.
    static let ageCheckMilliseconds = 60_000
    /// Room ids kept in memory at most (the cache is dropped beyond it).
    static let roomCacheLimit = 100_000

    let connection: SQLiteConnection
    let statements: WriterStatements
    let checkpoints: WALCheckpoints
    let queue: WriterQueue
    private let completion: CompletionSignal
    private let files: StoreFiles
    private let synchronous: SQLiteHistoryStore.Options.Synchronous

    /// The retention in force (a copy of the queue's, refreshed before each piece of work).
    var retention: HistoryRetention
    /// room name → room_id, for rooms this writer has seen (cleared after a failed transaction).
    private var roomIDs: [String: Int64] = [:]
    /// Rooms whose ids or epoch the file does not show yet, after failed transactions.
    private(set) var debts: [String: RoomDebt] = [:]
    /// Set while degraded (writes fail): the reason reported as health.
    private var degradedReason: String?
    /// The highest id written per room in the current transaction.
    private var touched: [Int64: UInt64] = [:]
    /// Rooms that may hold more than `keepMessages`.
    var pruneCandidates: Set<Int64> = []
    /// Every room must be checked for pruning (at start, after a retention change or a failed transaction).
    var needsFullSweep = true
    /// Messages older than `keepDays` may remain.
    var ageBacklog = true
    /// When pruning last failed (monotonic microseconds), to rest before retrying.
    var pruneFailedAt: UInt64?

    /// A writer over an open, checked connection.
    init(
        connection: SQLiteConnection, queue: WriterQueue, completion: CompletionSignal, files: StoreFiles,
        synchronous: SQLiteHistoryStore.Options.Synchronous, retention: HistoryRetention
    ) throws(SQLiteError) {
        self.connection = connection
        statements = try WriterStatements(connection)
        checkpoints = WALCheckpoints(connection: connection)
        self.queue = queue
        self.completion = completion
        self.files = files
        self.synchronous = synchronous
        self.retention = retention
    }

    /// The thread's body: work until `close()`, then release the connection (the last one: SQLite checkpoints
    /// and removes the WAL).
    func run() {
        while true {
            let work = queue.next(timeoutMilliseconds: idleTimeout())
            refreshRetention()
            switch work {
            case .batches(let group):
                commit(group)
            case .idle:
                idle()
            case .stop:
                if !debts.isEmpty {
                    retryDebts()
                }
                checkpoints.uninstall()
                statements.finalize()
                connection.close()
                queue.writerStopped()
                return
            }
        }
    }

    /// How long to wait for batches before doing idle work: retries while degraded, pruning while behind.
    private func idleTimeout() -> Int? {
        if !debts.isEmpty {
            return Self.retryMilliseconds
        }
        if hasPruneBacklog {
            return pruneRestingNow ? Self.retryMilliseconds : 0
        }
        return retention.keepDays > 0 ? Self.ageCheckMilliseconds : nil
    }

    /// Picks up a retention change: every room is checked again.
    private func refreshRetention() {
        let current = queue.retention
        guard current != retention else { return }
        retention = current
        needsFullSweep = true
        ageBacklog = true
    }

    /// Nothing queued: retry what failed, or prune.
    private func idle() {
        if !debts.isEmpty {
            retryDebts()
        } else if hasPruneBacklog || retention.keepDays > 0 {
            pruneAlone()
        }
        checkpoints.checkpointIfNeeded()
    }

    // MARK: Group commit

    /// Commits `group` in one transaction and reports one outcome per batch, in order.
    private func commit(_ group: [PendingBatch]) {
        let messages = group.reduce(0) { $0 + $1.messageCount }
        guard debts.isEmpty == false || group.contains(where: { !$0.operations.isEmpty }) else {
            report(group.map { BatchOutcome(batch: $0.number) }, messages: 0, elapsed: nil)
            return
        }
        let started = Clocks.monotonicMicroseconds()
        do throws(SQLiteError) {
            try transaction { () throws(SQLiteError) in
                for batch in group {
                    for operation in batch.operations {
                        try write(operation)
                    }
                }
            }
            let elapsed = Clocks.monotonicMicroseconds() &- started
            report(group.map { BatchOutcome(batch: $0.number) }, messages: messages, elapsed: elapsed)
        } catch {
            for batch in group {
                RoomDebt.record(batch, into: &debts)
            }
            queue.setDebts(debts)
            let reason = enterDegraded(error)
            let outcomes = group.map { batch in
                BatchOutcome(
                    batch: batch.number, unstored: batch.unstoredRuns(),
                    failure: batch.messageCount > 0 || !batch.operations.isEmpty ? reason : nil)
            }
            report(outcomes, messages: messages, elapsed: nil)
        }
    }

    /// Publishes outcomes and wakes the loop thread; then checkpoints if the WAL has grown.
    private func report(_ outcomes: [BatchOutcome], messages: Int, elapsed: UInt64?) {
        let health: HistoryStoreHealth = degradedReason.map { .degraded(reason: $0) } ?? .healthy
        queue.finish(outcomes, messages: messages, health: health, commitMicroseconds: elapsed)
        completion.signal()
        checkpoints.checkpointIfNeeded()
    }

    /// Writes the remembered ids and epochs alone (idle while degraded, or at stop).
    private func retryDebts() {
        do throws(SQLiteError) {
            try transaction { () throws(SQLiteError) in }
        } catch {
            _ = enterDegraded(error)
        }
        queue.setHealth(degradedReason.map { .degraded(reason: $0) } ?? .healthy)
    }

    /// Runs one write transaction: the debts first, then `body`, then the rooms' last ids and bounded pruning.
    /// On success the debts are paid and a degraded store is healthy again; on failure everything is rolled
    /// back and the error is thrown.
    private func transaction(_ body: () throws(SQLiteError) -> Void) throws(SQLiteError) {
        // Paying debts removes the degraded marker: make that commit durable whatever `synchronous` says.
        let durable = !debts.isEmpty && synchronous == .normal
        if durable {
            try? connection.execute("PRAGMA synchronous = FULL")
        }
        defer {
            if durable {
                try? connection.execute("PRAGMA synchronous = NORMAL")
            }
        }
        touched.removeAll(keepingCapacity: true)
        var pruned = 0
        do throws(SQLiteError) {
            try statements.begin.run()
            try writeDebts()
            try body()
            try writeLastIDs()
            pruned = try pruneInTransaction()
            try statements.commit.run()
        } catch {
            connection.rollbackQuietly()
            roomIDs.removeAll()
            needsFullSweep = true
            throw error
        }
        queue.recordPruned(pruned)
        if !debts.isEmpty {
            debts.removeAll()
            queue.setDebts([:])
        }
        if degradedReason != nil {
            degradedReason = nil
            files.removeMarker()
        }
    }

    /// Notes a failed transaction: the marker goes on disk before any outcome is reported (a crash from here on
    /// must make the next start renew the epochs), and health says why.
    private func enterDegraded(_ error: SQLiteError) -> String {
        files.createMarker()
        let reason = "cannot write history to \(files.path): \(error.message) (\(error.codeName)); retrying"
        degradedReason = reason
        return reason
    }

    // MARK: Rows

    /// Records one operation of a batch.
    private func write(_ operation: BatchOperation) throws(SQLiteError) {
        switch operation {
        case .roomCreated(let room, let epoch):
            let roomID = try replaceRoom(room, epoch: epoch, lastID: 0)
            touched.removeValue(forKey: roomID)
        case .append(let room, let message):
            let roomID = try roomID(for: room)
            let insert = statements.insertMessage
            insert.bind(roomID, at: 1)
            insert.bind(Int64(bitPattern: message.id), at: 2)
            insert.bind(message.timestamp, at: 3)
            insert.bind(message.isAction ? 1 : 0, at: 6)
            try insert.withText(message.from, at: 4) { () throws(SQLiteError) in
                try insert.withText(message.text, at: 5) { () throws(SQLiteError) in try insert.run() }
            }
            touched[roomID] = max(touched[roomID] ?? 0, message.id)
        case .roomLeftMemory(let room):
            let forget = statements.forgetEmptyRoom
            forget.bindCopy(room, at: 1)
            try forget.run()
            roomIDs.removeValue(forKey: room)
        }
    }

    /// Writes what failed transactions owed: recreated rooms with their epochs, and every room's last id.
    private func writeDebts() throws(SQLiteError) {
        for (room, debt) in debts {
            if let epoch = debt.epoch {
                _ = try replaceRoom(room, epoch: epoch, lastID: debt.lastID)
            } else {
                let roomID = try roomID(for: room)
                touched[roomID] = max(touched[roomID] ?? 0, debt.lastID)
            }
        }
    }

    /// Raises the last id of every room written in this transaction, and marks them for pruning.
    private func writeLastIDs() throws(SQLiteError) {
        let raise = statements.raiseLastID
        for (roomID, lastID) in touched {
            raise.bind(roomID, at: 1)
            raise.bind(Int64(bitPattern: lastID), at: 2)
            try raise.run()
            pruneCandidates.insert(roomID)
        }
    }

    /// Creates a room or starts it over: new epoch, the given last id, no messages.
    private func replaceRoom(_ room: String, epoch: String, lastID: UInt64) throws(SQLiteError) -> Int64 {
        let replace = statements.replaceRoom
        defer { replace.reset() }
        replace.bindCopy(room, at: 1)
        replace.bindCopy(epoch, at: 2)
        replace.bind(Int64(bitPattern: lastID), at: 3)
        guard try replace.step() else {
            throw SQLiteError(code: SQLITE_ERROR, message: "no room_id returned", operation: "replace room")
        }
        let roomID = replace.int64(0)
        replace.reset()
        let clear = statements.clearRoom
        clear.bind(roomID, at: 1)
        try clear.run()
        cache(room, roomID)
        return roomID
    }

    /// The room_id of `room`, creating the row (with an empty epoch) for a room never created.
    private func roomID(for room: String) throws(SQLiteError) -> Int64 {
        if let known = roomIDs[room] {
            return known
        }
        let find = statements.findRoom
        defer { find.reset() }
        find.bindCopy(room, at: 1)
        if try find.step(), find.isInteger(0) {
            let roomID = find.int64(0)
            cache(room, roomID)
            return roomID
        }
        find.reset()
        let add = statements.addRoom
        defer { add.reset() }
        add.bindCopy(room, at: 1)
        guard try add.step() else {
            throw SQLiteError(code: SQLITE_ERROR, message: "no room_id returned", operation: "add room")
        }
        let roomID = add.int64(0)
        cache(room, roomID)
        return roomID
    }

    /// Remembers a room's id, dropping the cache when it grows beyond its limit.
    private func cache(_ room: String, _ roomID: Int64) {
        if roomIDs.count >= Self.roomCacheLimit {
            roomIDs.removeAll()
        }
        roomIDs[room] = roomID
    }
}
