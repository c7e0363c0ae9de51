import Chat
import History
import Testing

@testable import ChatServer

/// A store whose batches finish only when the test says so, like a writer thread that has not answered yet.
final class ManualStore: HistoryStore {
    private(set) var submitted: UInt64 = 0
    private var pendingAppends = 0
    private var finished: [BatchOutcome] = []
    private(set) var appendedIDs: [UInt64] = []

    /// Finishes every submitted batch up to `batch`, optionally as failed.
    func finish(through batch: UInt64, failure: String? = nil) {
        let already = finished.last?.batch ?? 0
        guard batch > already else { return }
        for number in (already + 1)...batch {
            finished.append(BatchOutcome(batch: number, failure: failure))
        }
        delivered = finished.count
    }
    private var delivered = 0
    private var taken = 0

    func loadRoom(_ room: String, recent: Int) throws(HistoryStoreError) -> StoredRoom? { nil }
    /// When true a new room is work for the batch too (as in the SQLite store).
    var holdsRoomCreation = false
    func roomCreated(_ room: String, epoch: String) {
        if holdsRoomCreation { pendingAppends += 1 }
    }
    func append(_ message: HistoryMessage, room: String) {
        pendingAppends += 1
        appendedIDs.append(message.id)
    }
    func messages(in room: String, after id: UInt64, limit: Int) throws(HistoryStoreError) -> [HistoryMessage] { [] }
    func lastMessages(in room: String, count: Int) throws(HistoryStoreError) -> [HistoryMessage] { [] }
    func roomEvicted(_ room: String) {}
    var retention = HistoryRetention()
    var hasUncommittedWork: Bool { pendingAppends > 0 }
    func submitBatch() -> UInt64 {
        submitted += 1
        pendingAppends = 0
        return submitted
    }
    func takeOutcomes() -> [BatchOutcome] {
        defer { taken = delivered }
        return Array(finished[taken..<delivered])
    }
    var completionDescriptor: Int32? { nil }
    func waitForSubmittedBatches() { finish(through: submitted) }
    var health: HistoryStoreHealth { .healthy }
    func close() {}
}

/// Stored before seen, as the hold implements it: what is decided while messages wait is released in order, only
/// after the batch holding them finished.
@Suite struct DeliveryHoldTests {
    let member = MemberID(1)

    /// A send action with a recognisable text.
    func send(_ text: String) -> ChatAction { .send(text, to: member) }

    @Test func nothingIsHeldWhileNothingWaits() {
        let hold = DeliveryHold(store: ManualStore())
        #expect(!hold.isHolding)
        hold.endOfPass()
        #expect(hold.lastSubmitted == 0)
    }

    @Test func theMemoryStoreNeverHolds() {
        let store = MemoryHistoryStore()
        let hold = DeliveryHold(store: store)
        store.append(HistoryMessage(id: 1, from: "a", text: "t", timestamp: 0, isAction: false), room: "r")
        #expect(!hold.isHolding)
    }

    @Test func anAppendHoldsThePassUntilItsBatchFinishes() {
        let store = ManualStore()
        let hold = DeliveryHold(store: store)
        store.append(HistoryMessage(id: 1, from: "a", text: "t", timestamp: 0, isAction: false), room: "r")
        #expect(hold.isHolding)
        hold.hold([send("m1")])
        hold.endOfPass()
        #expect(hold.lastSubmitted == 1)
        #expect(hold.batchesFinished(through: 0).isEmpty)
        #expect(hold.heldCount == 1)
        #expect(hold.batchesFinished(through: 1) == [send("m1")])
        #expect(!hold.isHolding)
        #expect(hold.heldCount == 0)
    }

    @Test func laterActionsWaitBehindEarlierOnesEvenWithoutAppends() {
        let store = ManualStore()
        let hold = DeliveryHold(store: store)
        store.append(HistoryMessage(id: 1, from: "a", text: "t", timestamp: 0, isAction: false), room: "r")
        hold.hold([send("m1")])
        hold.endOfPass()
        #expect(hold.isHolding, "a batch is in flight")
        hold.hold([send("join")])
        hold.endOfPass()
        #expect(hold.lastSubmitted == 1, "nothing new to store, no new batch")
        #expect(hold.batchesFinished(through: 1) == [send("m1"), send("join")])
    }

    @Test func batchesReleaseInOrderAsTheyFinish() {
        let store = ManualStore()
        let hold = DeliveryHold(store: store)
        for pass in 1...3 {
            store.append(
                HistoryMessage(id: UInt64(pass), from: "a", text: "t", timestamp: 0, isAction: false), room: "r")
            hold.hold([send("m\(pass)")])
            hold.endOfPass()
        }
        #expect(hold.lastSubmitted == 3)
        #expect(hold.batchesFinished(through: 2) == [send("m1"), send("m2")])
        #expect(hold.batchesFinished(through: 2).isEmpty)
        #expect(hold.batchesFinished(through: 3) == [send("m3")])
    }

    @Test func aPassWithSeveralDecisionsKeepsTheirOrder() {
        let store = ManualStore()
        let hold = DeliveryHold(store: store)
        store.append(HistoryMessage(id: 1, from: "a", text: "t", timestamp: 0, isAction: false), room: "r")
        hold.hold([send("a"), send("b")])
        hold.hold([.disconnect(member, code: 1000, reason: "bye")])
        hold.endOfPass()
        #expect(
            hold.batchesFinished(through: 1) == [send("a"), send("b"), .disconnect(member, code: 1000, reason: "bye")])
    }

    @Test func manyBatchesReleaseEverythingExactlyOnceInOrder() {
        let store = ManualStore()
        let hold = DeliveryHold(store: store)
        var released: [ChatAction] = []
        for round in 1...500 {
            store.append(
                HistoryMessage(id: UInt64(round), from: "a", text: "t", timestamp: 0, isAction: false), room: "r")
            hold.hold([send("m\(round)")])
            hold.endOfPass()
            if round % 7 == 0 { released += hold.batchesFinished(through: UInt64(round - 3)) }
        }
        released += hold.batchesFinished(through: 500)
        #expect(released == (1...500).map { send("m\($0)") })
        #expect(hold.heldCount == 0)
        #expect(!hold.isHolding)
    }
}
