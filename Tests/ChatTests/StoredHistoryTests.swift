import History
import Testing

@testable import Chat

/// A store that serves one prepared room state and records what the chat layer appends; it can also fail reads.
final class PreparedStore: HistoryStore {
    var prepared: [String: StoredRoom] = [:]
    var readError: HistoryStoreError?
    private(set) var appended: [(room: String, message: HistoryMessage)] = []
    private(set) var created: [(room: String, epoch: String)] = []
    private(set) var evicted: [String] = []
    private(set) var loads: [(room: String, recent: Int)] = []

    func loadRoom(_ room: String, recent: Int) throws(HistoryStoreError) -> StoredRoom? {
        loads.append((room, recent))
        if let readError { throw readError }
        return prepared[room]
    }
    func roomCreated(_ room: String, epoch: String) { created.append((room, epoch)) }
    func append(_ message: HistoryMessage, room: String) { appended.append((room, message)) }
    func messages(in room: String, after id: UInt64, limit: Int) throws(HistoryStoreError) -> [HistoryMessage] { [] }
    func lastMessages(in room: String, count: Int) throws(HistoryStoreError) -> [HistoryMessage] { [] }
    func roomEvicted(_ room: String) { evicted.append(room) }
    var retention = HistoryRetention()
    var hasUncommittedWork: Bool { false }
    func submitBatch() -> UInt64 { 0 }
    func takeOutcomes() -> [BatchOutcome] { [] }
    var completionDescriptor: Int32? { nil }
    func waitForSubmittedBatches() {}
    var health: HistoryStoreHealth { .healthy }
    func close() {}
}

/// The chat layer over a history store: appends, rooms coming back with their epoch and ids, and the gaps a
/// resume reports for ids that aged out or were never stored.
@Suite struct StoredHistoryTests {
    /// A service over `store` whose rooms keep `historySize` messages and never rate-limit.
    func makeService(_ store: any HistoryStore, historySize: Int = 5, instance: String = "run1") -> ChatService {
        var limits = unlimitedRate
        limits.historySize = historySize
        return ChatService(limits: limits, instanceID: instance, store: store)
    }

    /// A stored message with a text derived from its id.
    func stored(_ id: UInt64) -> HistoryMessage {
        HistoryMessage(id: id, from: "alice", text: "m\(id)", timestamp: Int64(id), isAction: false)
    }

    /// The JSON events of one type among the actions, in order.
    func events(_ type: String, in actions: [ChatAction]) -> [String] {
        actions.compactMap(\.text).filter { jsonType($0) == type }
    }

    /// `after`, `before` and `reason` of a gap event.
    func gapFields(_ text: String) -> (after: String, before: String, reason: String)? {
        guard case .number(let after) = jsonField("after", in: text),
            case .number(let before) = jsonField("before", in: text),
            case .string(let reason) = jsonField("reason", in: text)
        else { return nil }
        return (after, before, reason)
    }

    /// Alice joins room `a` (JSON), posts one message and leaves; Bob's visit to `b` then evicts `a` (the service
    /// must allow one room). Returns Alice's join actions.
    func postInRoomAThenEvictIt(_ service: ChatService) throws -> [ChatAction] {
        let first = try service.join(member: Members.alice, room: "a", requestedName: "alice", chatProtocol: .json)
        _ = service.receive(text: #"{"type":"message","text":"one"}"#, from: Members.alice)
        _ = service.leave(member: Members.alice)
        _ = try service.join(member: Members.bob, room: "b", requestedName: "bob")
        _ = service.leave(member: Members.bob)
        return first
    }

    @Test func everyPostedMessageIsAppendedWithItsIdSenderAndKind() throws {
        let store = PreparedStore()
        let service = makeService(store)
        _ = try service.join(member: Members.alice, requestedName: "alice", now: 5)
        _ = service.receive(text: "hello", from: Members.alice, now: 7)
        _ = service.receive(text: "/me waves", from: Members.alice, now: 9)
        #expect(store.created.map(\.room) == ["lobby"])
        #expect(store.appended.map(\.room) == ["lobby", "lobby"])
        #expect(
            store.appended.map(\.message) == [
                HistoryMessage(id: 1, from: "alice", text: "hello", timestamp: 7, isAction: false),
                HistoryMessage(id: 2, from: "alice", text: "waves", timestamp: 9, isAction: true),
            ])
    }

    @Test func refusedTextsAreNotAppended() throws {
        let store = PreparedStore()
        var limits = unlimitedRate
        limits.maxTextBytes = 3
        let service = ChatService(limits: limits, instanceID: "x", store: store)
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        _ = service.receive(text: #"{"type":"message","text":"toolong"}"#, from: Members.alice, now: 1)
        _ = service.receive(text: #"{"type":"message","text":"   "}"#, from: Members.alice, now: 1)
        _ = service.receive(text: "/who", from: Members.alice, now: 1)
        #expect(store.appended.isEmpty)
    }

    @Test func aNewRoomRecordsItsEpochOnce() throws {
        let store = PreparedStore()
        let service = makeService(store)
        let welcome = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json).first
        _ = try service.join(member: Members.bob, requestedName: "bob")
        guard case .string(let epoch) = jsonField("epoch", in: welcome?.text) else {
            Issue.record("welcome has no epoch")
            return
        }
        #expect(store.created.map(\.epoch) == [epoch])
        #expect(store.loads.map(\.room) == ["lobby"], "a room in memory is not read again")
    }

    @Test func aStoredRoomComesBackWithItsEpochAndIdsContinue() throws {
        let store = PreparedStore()
        store.prepared["lobby"] = StoredRoom(epoch: "old-7", lastID: 12, recent: (8...12).map(stored))
        let service = makeService(store)
        let join = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        #expect(jsonField("epoch", in: join.first?.text) == .string("old-7"))
        #expect(jsonField("last_id", in: join.first?.text) == .number("12"))
        #expect(historyIDs(join) == [8, 9, 10, 11, 12])
        #expect(store.created.isEmpty, "a stored room keeps its epoch")
        #expect(service.messagesStored == 5)
        _ = service.receive(text: #"{"type":"message","text":"next"}"#, from: Members.alice, now: 20)
        #expect(store.appended.map(\.message.id) == [13])
    }

    @Test func aStoredRoomIsLoadedWithTheHistorySizeAndTrimmedToIt() throws {
        let store = PreparedStore()
        store.prepared["lobby"] = StoredRoom(epoch: "e", lastID: 30, recent: (21...30).map(stored))
        let service = makeService(store, historySize: 3)
        let join = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        #expect(store.loads.first?.recent == 3)
        #expect(historyIDs(join) == [28, 29, 30])
        #expect(service.messagesStored == 3)
    }

    @Test func restoredMessagesRenderLikeLiveOnes() throws {
        let store = MemoryHistoryStore()
        let first = makeService(store)
        _ = try first.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        let live = first.receive(text: #"{"type":"message","text":"hi \"you\""}"#, from: Members.alice, now: 3)
        _ = first.receive(text: #"{"type":"message","text":"/me nods"}"#, from: Members.alice, now: 4)
        let restarted = makeService(store, instance: "run2")
        let join = try restarted.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        let history = try #require(events("history", in: join).first)
        let liveMessage = try #require(live.first?.text)
        #expect(history.contains(liveMessage))
        let plain = try restarted.join(member: Members.carol, requestedName: "carol")
        #expect(texts(plain).contains(#"alice: hi "you""#))
    }

    @Test func aResumeAfterARestartGetsExactlyTheMissedMessagesWithoutAGap() throws {
        let store = MemoryHistoryStore()
        let first = makeService(store, historySize: 50)
        let welcome = try first.join(member: Members.alice, requestedName: "alice", chatProtocol: .json).first
        for number in 1...9 {
            _ = first.receive(
                text: #"{"type":"message","text":"m\#(number)"}"#, from: Members.alice, now: Int64(number))
        }
        guard case .string(let epoch) = jsonField("epoch", in: welcome?.text) else {
            Issue.record("no epoch")
            return
        }
        let restarted = makeService(store, historySize: 50, instance: "run2")
        let resume = try restarted.join(
            member: Members.bob, requestedName: "bob", chatProtocol: .json, since: 6, epoch: epoch)
        #expect(historyIDs(resume) == [7, 8, 9])
        #expect(events("gap", in: resume).isEmpty)
        _ = restarted.receive(text: #"{"type":"message","text":"after"}"#, from: Members.bob, now: 30)
        #expect(try store.lastMessages(in: "lobby", count: 1).map(\.id) == [10], "ids continue, never reused")
    }

    @Test func holesInTheStoredIdsAreReportedAsUnstoredGaps() throws {
        let store = PreparedStore()
        let recent = [1, 2, 3, 6, 7, 9].map { stored(UInt64($0)) }
        store.prepared["lobby"] = StoredRoom(epoch: "e", lastID: 11, recent: recent)
        let service = makeService(store, historySize: 20)
        let join = try service.join(
            member: Members.alice, requestedName: "alice", chatProtocol: .json, since: 2, epoch: "e")
        #expect(historyIDs(join) == [3, 6, 7, 9])
        let gaps = events("gap", in: join).compactMap(gapFields)
        #expect(gaps.map(\.after) == ["3", "7", "9"])
        #expect(gaps.map(\.before) == ["6", "9", "12"])
        #expect(gaps.map(\.reason) == ["unstored", "unstored", "unstored"])
        let order = join.compactMap { jsonType($0.text) }
        #expect(order.prefix(5) == ["welcome", "gap", "gap", "gap", "history"])
    }

    @Test func aHoleRightAfterTheResumePointIsUnstoredWhenOlderMessagesAreHeld() throws {
        let store = PreparedStore()
        let recent = [1, 2, 3, 4, 5, 17, 18].map { stored(UInt64($0)) }
        store.prepared["lobby"] = StoredRoom(epoch: "e", lastID: 18, recent: recent)
        let service = makeService(store, historySize: 20)
        let join = try service.join(
            member: Members.alice, requestedName: "alice", chatProtocol: .json, since: 5, epoch: "e")
        #expect(historyIDs(join) == [17, 18])
        let gaps = events("gap", in: join).compactMap(gapFields)
        #expect(gaps.map(\.reason) == ["unstored"])
        #expect(gaps.first?.after == "5")
        #expect(gaps.first?.before == "17")
    }

    @Test func aHoleBeforeTheOldestHeldMessageHasExpiredAndLaterHolesWereNotStored() throws {
        let store = PreparedStore()
        store.prepared["lobby"] = StoredRoom(epoch: "e", lastID: 10, recent: [5, 6, 8, 9, 10].map { stored($0) })
        let service = makeService(store, historySize: 5)
        let join = try service.join(
            member: Members.alice, requestedName: "alice", chatProtocol: .json, since: 1, epoch: "e")
        let gaps = events("gap", in: join).compactMap(gapFields)
        #expect(gaps.map(\.reason) == ["expired", "unstored"])
        #expect(gaps.map(\.after) == ["1", "6"])
        #expect(gaps.map(\.before) == ["5", "8"])
    }

    @Test func aResumeAtTheLastStoredIdGetsAnUnstoredGapForTheTail() throws {
        let store = PreparedStore()
        store.prepared["lobby"] = StoredRoom(epoch: "e", lastID: 14, recent: (1...10).map(stored))
        let service = makeService(store, historySize: 20)
        let join = try service.join(
            member: Members.alice, requestedName: "alice", chatProtocol: .json, since: 10, epoch: "e")
        #expect(historyIDs(join).isEmpty)
        let gaps = events("gap", in: join).compactMap(gapFields)
        #expect(gaps.count == 1)
        #expect(gaps.first?.after == "10")
        #expect(gaps.first?.before == "15")
        #expect(gaps.first?.reason == "unstored")
    }

    @Test func aRoomWhoseMessagesWereAllPrunedReportsExpired() throws {
        let store = PreparedStore()
        store.prepared["lobby"] = StoredRoom(epoch: "e", lastID: 40, recent: [])
        let service = makeService(store)
        let join = try service.join(
            member: Members.alice, requestedName: "alice", chatProtocol: .json, since: 30, epoch: "e")
        let gaps = events("gap", in: join).compactMap(gapFields)
        #expect(gaps.map(\.reason) == ["expired"])
        #expect(gaps.first?.before == "41")
        _ = service.receive(text: #"{"type":"message","text":"new"}"#, from: Members.alice, now: 1)
        #expect(store.appended.map(\.message.id) == [41])
    }

    @Test func plainJoinersSeeUnstoredGapsAsALine() throws {
        let store = PreparedStore()
        store.prepared["lobby"] = StoredRoom(epoch: "e", lastID: 4, recent: [1, 2, 4].map { stored($0) })
        let service = makeService(store)
        let join = try service.join(member: Members.alice, requestedName: "alice", since: 1, epoch: "e")
        #expect(texts(join).contains("* messages #3 to #3 were never stored and are lost"))
        #expect(texts(join).contains("alice: m4"))
    }

    @Test func anUnreadableStoreRefusesTheJoinAndCreatesNothing() throws {
        let store = PreparedStore()
        store.readError = HistoryStoreError("disk I/O error")
        let service = makeService(store)
        #expect(throws: JoinRefusal.historyUnavailable) {
            try service.join(member: Members.alice, requestedName: "alice")
        }
        #expect(service.roomCount == 0)
        #expect(service.memberCount == 0)
        #expect(store.created.isEmpty)
    }

    @Test func aRoomInMemoryIsServedEvenWhenTheStoreCannotBeRead() throws {
        let store = PreparedStore()
        let service = makeService(store)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        store.readError = HistoryStoreError("disk I/O error")
        #expect(throws: Never.self) { try service.join(member: Members.bob, requestedName: "bob") }
    }

    @Test func evictionAndEmptyRoomsAreReportedToTheStore() throws {
        let store = PreparedStore()
        var limits = unlimitedRate
        limits.maxRooms = 1
        let service = ChatService(limits: limits, instanceID: "x", store: store)
        _ = try service.join(member: Members.alice, room: "quiet", requestedName: "alice")
        _ = service.leave(member: Members.alice)
        #expect(store.evicted == ["quiet"], "an empty room without history leaves memory at once")
        _ = try service.join(member: Members.alice, room: "busy", requestedName: "alice")
        _ = service.receive(text: "kept", from: Members.alice)
        _ = service.leave(member: Members.alice)
        #expect(store.evicted == ["quiet"], "a room with history stays in memory while there is room")
        _ = try service.join(member: Members.bob, room: "other", requestedName: "bob")
        #expect(store.evicted == ["quiet", "busy"])
        #expect(service.messagesStored == 0)
    }

    @Test func anEvictedRoomComesBackFromADurableStoreWithItsEpoch() throws {
        let store = PreparedStore()
        var limits = unlimitedRate
        limits.maxRooms = 1
        let service = ChatService(limits: limits, instanceID: "x", store: store)
        let first = try postInRoomAThenEvictIt(service)
        guard case .string(let epoch) = jsonField("epoch", in: first.first?.text) else {
            Issue.record("no epoch")
            return
        }
        store.prepared["a"] = StoredRoom(epoch: epoch, lastID: 1, recent: [stored(1)])
        let back = try service.join(
            member: Members.carol, room: "a", requestedName: "carol", chatProtocol: .json, since: 0, epoch: epoch)
        #expect(historyIDs(back) == [1])
        #expect(events("gap", in: back).isEmpty)
    }

    @Test func theMemoryStoreForgetsEvictedRoomsSoTheyGetANewEpoch() throws {
        let store = MemoryHistoryStore()
        var limits = unlimitedRate
        limits.maxRooms = 1
        let service = ChatService(limits: limits, instanceID: "x", store: store)
        let first = try postInRoomAThenEvictIt(service)
        let back = try service.join(member: Members.carol, room: "a", requestedName: "carol", chatProtocol: .json)
        #expect(jsonField("epoch", in: back.first?.text) != jsonField("epoch", in: first.first?.text))
        #expect(historyIDs(back).isEmpty)
    }
}
