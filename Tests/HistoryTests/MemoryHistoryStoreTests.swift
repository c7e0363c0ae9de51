import History
import Testing

/// The in-memory store: what it keeps, what it prunes, what it reads back, and that its batches finish at once.
@Suite struct MemoryHistoryStoreTests {
    /// A message with a text derived from its id, sent at `timestamp` (default: the id).
    func message(_ id: UInt64, at timestamp: Int64? = nil) -> HistoryMessage {
        HistoryMessage(id: id, from: "ann", text: "m\(id)", timestamp: timestamp ?? Int64(id), isAction: id % 2 == 0)
    }

    /// A store holding room `r` (epoch `e`) with messages `ids`.
    func store(with ids: some Sequence<UInt64>, retention: HistoryRetention = HistoryRetention()) -> MemoryHistoryStore
    {
        let store = MemoryHistoryStore(retention: retention)
        store.roomCreated("r", epoch: "e")
        for id in ids { store.append(message(id), room: "r") }
        return store
    }

    @Test func anUnknownRoomIsNil() throws {
        #expect(try MemoryHistoryStore().loadRoom("nowhere", recent: 10) == nil)
        #expect(try MemoryHistoryStore().lastMessages(in: "nowhere", count: 10).isEmpty)
        #expect(try MemoryHistoryStore().messages(in: "nowhere", after: 0, limit: 10).isEmpty)
    }

    @Test func aRoomLoadsWithItsEpochLastIdAndNewestMessages() throws {
        let loaded = try store(with: 1...8).loadRoom("r", recent: 3)
        #expect(loaded == StoredRoom(epoch: "e", lastID: 8, recent: [message(6), message(7), message(8)]))
    }

    @Test func aNewlyCreatedRoomHasNoMessagesAndIdZero() throws {
        let store = MemoryHistoryStore()
        store.roomCreated("fresh", epoch: "x-1")
        #expect(try store.loadRoom("fresh", recent: 5) == StoredRoom(epoch: "x-1", lastID: 0, recent: []))
    }

    @Test func aRecreatedRoomStartsOverWithItsNewEpoch() throws {
        let store = store(with: 1...4)
        store.roomCreated("r", epoch: "e2")
        #expect(try store.loadRoom("r", recent: 5) == StoredRoom(epoch: "e2", lastID: 0, recent: []))
    }

    @Test func messagesAfterAnIdAreOldestFirstAndLimited() throws {
        let store = store(with: 1...10)
        #expect(try store.messages(in: "r", after: 6, limit: 10).map(\.id) == [7, 8, 9, 10])
        #expect(try store.messages(in: "r", after: 0, limit: 3).map(\.id) == [1, 2, 3])
        #expect(try store.messages(in: "r", after: 10, limit: 3).isEmpty)
        #expect(try store.messages(in: "r", after: 3, limit: 0).isEmpty)
    }

    @Test func messagesAfterAnIdSkipHoles() throws {
        let store = store(with: [1, 2, 5, 9, 12])
        #expect(try store.messages(in: "r", after: 2, limit: 10).map(\.id) == [5, 9, 12])
        #expect(try store.messages(in: "r", after: 6, limit: 10).map(\.id) == [9, 12])
        #expect(try store.lastMessages(in: "r", count: 2).map(\.id) == [9, 12])
    }

    @Test func lastMessagesAreTheNewestOldestFirst() throws {
        let store = store(with: 1...10)
        #expect(try store.lastMessages(in: "r", count: 4).map(\.id) == [7, 8, 9, 10])
        #expect(try store.lastMessages(in: "r", count: 50).count == 10)
        #expect(try store.lastMessages(in: "r", count: 0).isEmpty)
    }

    @Test func messagesComeBackExactlyAsAppended() throws {
        let store = MemoryHistoryStore()
        let original = HistoryMessage(id: 1, from: "Zoë 🎉", text: "a\u{0}b \"q\"", timestamp: -5, isAction: true)
        store.append(original, room: "r")
        #expect(try store.lastMessages(in: "r", count: 1) == [original])
    }

    @Test func roomsAreKeptApart() throws {
        let store = MemoryHistoryStore()
        store.append(message(1), room: "a")
        store.append(message(1), room: "b")
        store.append(message(2), room: "b")
        #expect(try store.lastMessages(in: "a", count: 9).map(\.id) == [1])
        #expect(try store.lastMessages(in: "b", count: 9).map(\.id) == [1, 2])
    }

    @Test func retentionKeepsTheNewestMessagesPerRoomButTheLastId() throws {
        let store = store(with: 1...1000, retention: HistoryRetention(keepMessages: 7))
        #expect(try store.messages(in: "r", after: 0, limit: 100).map(\.id) == Array(994...1000))
        #expect(try store.loadRoom("r", recent: 100)?.lastID == 1000)
    }

    @Test func retentionByAgeDropsOldMessagesButKeepsTheRoom() throws {
        let day: Int64 = 86_400_000
        let store = MemoryHistoryStore(retention: HistoryRetention(keepMessages: 100, keepDays: 2), now: { 10 * day })
        store.roomCreated("r", epoch: "e")
        store.append(message(1, at: 7 * day), room: "r")
        store.append(message(2, at: 9 * day), room: "r")
        #expect(try store.lastMessages(in: "r", count: 10).map(\.id) == [2])
        #expect(try store.loadRoom("r", recent: 10)?.lastID == 2)
    }

    @Test func retentionMayChangeAtRunTime() throws {
        let store = store(with: 1...10)
        store.retention = HistoryRetention(keepMessages: 3)
        store.append(message(11), room: "r")
        #expect(try store.lastMessages(in: "r", count: 100).map(\.id) == [9, 10, 11])
    }

    @Test func anEvictedRoomIsForgotten() throws {
        let store = store(with: 1...3)
        store.roomEvicted("r")
        #expect(try store.loadRoom("r", recent: 3) == nil)
    }

    @Test func batchesFinishAtOnceInOrderAndNothingIsEverHeld() {
        let store = store(with: 1...3)
        #expect(!store.hasUncommittedWork)
        #expect(store.completionDescriptor == nil)
        let first = store.submitBatch()
        let second = store.submitBatch()
        #expect(first == 1 && second == 2)
        #expect(store.takeOutcomes() == [BatchOutcome(batch: 1), BatchOutcome(batch: 2)])
        #expect(store.takeOutcomes().isEmpty)
        store.waitForSubmittedBatches()
        #expect(store.health == .healthy)
    }

    @Test func closeForgetsEverything() throws {
        let store = store(with: 1...3)
        store.close()
        #expect(try store.loadRoom("r", recent: 3) == nil)
    }
}

/// Retention arithmetic: limits are clamped and age cut-offs cannot overflow.
@Suite struct HistoryRetentionTests {
    @Test func limitsAreClamped() {
        #expect(HistoryRetention(keepMessages: 0, keepDays: -3) == HistoryRetention(keepMessages: 1, keepDays: 0))
    }

    @Test func noAgeLimitGivesNoCutOff() {
        #expect(HistoryRetention(keepDays: 0).oldestKeptTimestamp(now: 1_000) == nil)
    }

    @Test func theCutOffIsNowMinusTheDays() {
        let cutOff: Int64? = HistoryRetention(keepDays: 1).oldestKeptTimestamp(now: 100_000_000)
        #expect(cutOff == Int64(13_600_000))
    }

    @Test func hugeDaysOrEarlyClocksDoNotTrap() {
        #expect(HistoryRetention(keepDays: Int.max).oldestKeptTimestamp(now: 0) == nil)
        #expect(HistoryRetention(keepDays: 1).oldestKeptTimestamp(now: Int64.min) == nil)
    }
}
