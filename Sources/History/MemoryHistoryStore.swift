/// History kept in this process only: what chatd did before durable storage, for tests and for operators who
/// want no disk. A message is stored the moment it is appended, so nothing is ever held back waiting for a batch
/// (`hasUncommittedWork` stays false); an evicted room is forgotten (a later join starts a new epoch, and resuming
/// clients get `reset`).
public final class MemoryHistoryStore: HistoryStore {
    /// One room's state.
    private struct RoomRecord {
        var epoch: String
        var lastID: UInt64 = 0
        /// Oldest first; `messages[start...]` are live, the prefix is pruned and reclaimed from time to time.
        var messages: [HistoryMessage] = []
        var start = 0

        var live: ArraySlice<HistoryMessage> { messages[start...] }
    }

    /// Retention limits; may change after a reload.
    public var retention: HistoryRetention
    /// The clock used for `keepDays` (milliseconds since the Unix epoch); replaceable in tests.
    public var now: () -> Int64
    private var rooms: [String: RoomRecord] = [:]
    private var lastBatch: UInt64 = 0
    private var outcomes: [BatchOutcome] = []

    /// An empty store.
    public init(retention: HistoryRetention = HistoryRetention(), now: @escaping () -> Int64 = { 0 }) {
        self.retention = retention
        self.now = now
    }

    /// See `HistoryStore.loadRoom`.
    public func loadRoom(_ room: String, recent: Int) throws(HistoryStoreError) -> StoredRoom? {
        guard let record = rooms[room] else { return nil }
        return StoredRoom(epoch: record.epoch, lastID: record.lastID, recent: newest(record, count: recent))
    }

    /// See `HistoryStore.roomCreated`.
    public func roomCreated(_ room: String, epoch: String) {
        rooms[room] = RoomRecord(epoch: epoch)
    }

    /// See `HistoryStore.append`: ids must increase within a room.
    public func append(_ message: HistoryMessage, room: String) {
        var record = rooms.removeValue(forKey: room) ?? RoomRecord(epoch: "")
        record.messages.append(message)
        record.lastID = max(record.lastID, message.id)
        prune(&record)
        rooms[room] = record
    }

    /// See `HistoryStore.messages(in:after:limit:)`.
    public func messages(in room: String, after id: UInt64, limit: Int) throws(HistoryStoreError) -> [HistoryMessage] {
        guard let record = rooms[room], limit > 0 else { return [] }
        let live = record.live
        let first = live.partitioningIndex { $0.id > id }
        return Array(live[first...].prefix(limit))
    }

    /// See `HistoryStore.lastMessages(in:count:)`.
    public func lastMessages(in room: String, count: Int) throws(HistoryStoreError) -> [HistoryMessage] {
        guard let record = rooms[room] else { return [] }
        return newest(record, count: count)
    }

    /// Forgets the room.
    public func roomEvicted(_ room: String) {
        rooms.removeValue(forKey: room)
    }

    /// Always false: appends are stored as they are made.
    public var hasUncommittedWork: Bool { false }

    /// Finishes the batch at once (memory is never full).
    public func submitBatch() -> UInt64 {
        lastBatch &+= 1
        outcomes.append(BatchOutcome(batch: lastBatch))
        return lastBatch
    }

    /// See `HistoryStore.takeOutcomes()`.
    public func takeOutcomes() -> [BatchOutcome] {
        defer { outcomes.removeAll(keepingCapacity: true) }
        return outcomes
    }

    /// nil: batches finish inside `submitBatch()`.
    public var completionDescriptor: Int32? { nil }

    /// Nothing to wait for.
    public func waitForSubmittedBatches() {}

    /// Always healthy.
    public var health: HistoryStoreHealth { .healthy }

    /// Forgets everything.
    public func close() {
        rooms.removeAll()
    }

    /// The newest `count` live messages, oldest first.
    private func newest(_ record: RoomRecord, count: Int) -> [HistoryMessage] {
        guard count > 0 else { return [] }
        return Array(record.live.suffix(count))
    }

    /// Drops messages beyond `keepMessages` and older than `keepDays`, reclaiming the dropped prefix once it is
    /// as large as the live part (amortised O(1) per append).
    private func prune(_ record: inout RoomRecord) {
        let liveCount = record.messages.count &- record.start
        if liveCount > retention.keepMessages {
            record.start &+= liveCount &- retention.keepMessages
        }
        if let oldest = retention.oldestKeptTimestamp(now: now()) {
            while record.start < record.messages.count, record.messages[record.start].timestamp < oldest {
                record.start &+= 1
            }
        }
        if record.start > 0 && record.start >= record.messages.count &- record.start {
            record.messages.removeFirst(record.start)
            record.start = 0
        }
    }
}

extension Collection {
    /// The first index whose element satisfies `belongsInSecondPart` (the collection must be partitioned by it).
    fileprivate func partitioningIndex(where belongsInSecondPart: (Element) -> Bool) -> Index {
        var low = startIndex
        var length = count
        while length > 0 {
            let half = length / 2
            let middle = index(low, offsetBy: half)
            if belongsInSecondPart(self[middle]) {
                length = half
            } else {
                low = index(after: middle)
                length &-= half &+ 1
            }
        }
        return low
    }
}
