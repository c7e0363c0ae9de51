import Testing

@testable import Chat

/// Per-room history, message ids, epochs and `since=` resume.
@Suite struct HistoryResumeTests {
    /// A service whose rooms keep `historySize` messages and never rate-limit.
    func makeService(historySize: Int = 5) -> ChatService {
        var limits = unlimitedRate
        limits.historySize = historySize
        return ChatService(limits: limits, instanceID: "run1")
    }

    /// Posts `count` plain messages "m1", "m2", ... from `member`.
    func post(_ count: Int, from member: MemberID, in service: ChatService, startingAt first: Int = 1) {
        for number in first..<(first + count) {
            _ = service.receive(text: "m\(number)", from: member, now: Int64(number))
        }
    }

    /// The `gap` event among the actions, if any.
    func gap(_ actions: [ChatAction]) -> String? {
        actions.first { jsonType($0.text) == "gap" }?.text
    }

    @Test func historyKeepsOnlyTheLastMessages() throws {
        let service = makeService(historySize: 5)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        post(12, from: Members.alice, in: service)
        #expect(service.messagesStored == 5)
        let join = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        #expect(historyIDs(join) == [8, 9, 10, 11, 12])
        #expect(jsonField("last_id", in: join.first?.text) == .number("12"))
        #expect(gap(join) == nil)
    }

    @Test func plainJoinersGetHistoryLinesAfterTheWelcome() throws {
        let service = makeService(historySize: 2)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        post(2, from: Members.alice, in: service)
        _ = service.receive(text: "/me waves", from: Members.alice, now: 3)
        let join = try service.join(member: Members.bob, requestedName: "bob")
        #expect(
            texts(join) == [
                "Welcome, bob! You are in room lobby with 1 other(s). Type /quit to leave.", "alice: m2",
                "* alice waves", "* bob joined lobby",
            ])
        #expect(join.dropLast().allSatisfy { $0.recipients == [Members.bob] })
    }

    @Test func resumeInTheSameEpochDeliversExactlyTheMissedMessages() throws {
        let service = makeService(historySize: 10)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        let first = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        guard case .string(let epoch) = jsonField("epoch", in: first.first?.text) else {
            Issue.record("no epoch")
            return
        }
        #expect(epoch == "run1-1")
        post(3, from: Members.alice, in: service)
        _ = service.leave(member: Members.bob)
        post(4, from: Members.alice, in: service, startingAt: 4)
        let resumed = try service.join(
            member: Members.bob, requestedName: "bob", chatProtocol: .json, since: 3, epoch: epoch)
        #expect(historyIDs(resumed) == [4, 5, 6, 7])
        #expect(gap(resumed) == nil)
        let upToDate = try service.join(
            member: Members.carol, requestedName: "carol", chatProtocol: .json, since: 7, epoch: epoch)
        #expect(historyIDs(upToDate) == [])
        #expect(gap(upToDate) == nil)
    }

    @Test func expiredMessagesAreAnnouncedAsAGap() throws {
        let service = makeService(historySize: 3)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        post(10, from: Members.alice, in: service)
        let resumed = try service.join(
            member: Members.bob, requestedName: "bob", chatProtocol: .json, since: 2, epoch: "run1-1")
        #expect(gap(resumed) == #"{"type":"gap","room":"lobby","after":2,"before":8,"reason":"expired"}"#)
        #expect(historyIDs(resumed) == [8, 9, 10])
        #expect(resumed.map { jsonType($0.text) } == ["welcome", "gap", "history", "presence", nil, "join"])
        // Exactly at the boundary: nothing is missing.
        let boundary = try service.join(
            member: Members.carol, requestedName: "carol", chatProtocol: .json, since: 7, epoch: "run1-1")
        #expect(gap(boundary) == nil)
        #expect(historyIDs(boundary) == [8, 9, 10])
    }

    @Test func gapWithoutAnyStoredMessagePointsPastTheLastID() throws {
        let service = makeService(historySize: 0)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        post(4, from: Members.alice, in: service)
        #expect(service.messagesStored == 0)
        let resumed = try service.join(
            member: Members.bob, requestedName: "bob", chatProtocol: .json, since: 1, epoch: "run1-1")
        #expect(gap(resumed) == #"{"type":"gap","room":"lobby","after":1,"before":5,"reason":"expired"}"#)
        #expect(historyIDs(resumed) == [])
    }

    @Test func otherEpochMeansResetThenFullHistory() throws {
        let service = makeService(historySize: 3)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        post(5, from: Members.alice, in: service)
        let resumed = try service.join(
            member: Members.bob, requestedName: "bob", chatProtocol: .json, since: 40, epoch: "oldrun-7")
        #expect(gap(resumed) == #"{"type":"gap","room":"lobby","after":40,"before":3,"reason":"reset"}"#)
        #expect(historyIDs(resumed) == [3, 4, 5])
        let noEpoch = try service.join(member: Members.carol, requestedName: "carol", chatProtocol: .json, since: 2)
        #expect(jsonField("reason", in: gap(noEpoch)) == .string("reset"))
    }

    @Test func resetInAFreshRoomPointsAtTheFirstID() throws {
        let service = makeService()
        let join = try service.join(
            member: Members.alice, room: "new", requestedName: "alice", chatProtocol: .json, since: 12, epoch: "x-1")
        #expect(gap(join) == #"{"type":"gap","room":"new","after":12,"before":1,"reason":"reset"}"#)
    }

    @Test func epochChangesWhenARoomIsRecreated() throws {
        let service = makeService()
        let first = try service.join(member: Members.alice, room: "a", requestedName: "a", chatProtocol: .json)
        _ = service.leave(member: Members.alice)  // no history: room deleted
        let second = try service.join(member: Members.alice, room: "a", requestedName: "a", chatProtocol: .json)
        #expect(jsonField("epoch", in: first.first?.text) == .string("run1-1"))
        #expect(jsonField("epoch", in: second.first?.text) == .string("run1-2"))
        let other = ChatService(limits: ChatLimits(), instanceID: "run2")
        let restarted = try other.join(member: Members.alice, room: "a", requestedName: "a", chatProtocol: .json)
        #expect(jsonField("epoch", in: restarted.first?.text) == .string("run2-1"))
    }

    @Test func reconnectingClientNeverSeesAMessageTwiceOrMissesOne() throws {
        let service = makeService(historySize: 50)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        var seen: [UInt64] = []
        var epoch = ""
        var lastSeen: UInt64?
        var posted = 0
        for round in 0..<10 {
            let join = try service.join(
                member: Members.bob, requestedName: "bob", chatProtocol: .json, since: lastSeen,
                epoch: lastSeen == nil ? nil : epoch)
            if case .string(let value) = jsonField("epoch", in: join.first?.text) { epoch = value }
            #expect(gap(join) == nil)
            seen += historyIDs(join)
            // Live messages while connected.
            for _ in 0..<(round % 3) {
                posted += 1
                let live = service.receive(text: "live\(posted)", from: Members.alice, now: 0)
                if case .number(let id) = jsonField("id", in: live.last?.text) { seen.append(UInt64(id) ?? 0) }
            }
            lastSeen = seen.last ?? 0
            _ = service.leave(member: Members.bob)
            for _ in 0..<(round % 4) {
                posted += 1
                _ = service.receive(text: "offline\(posted)", from: Members.alice, now: 0)
            }
        }
        let final = try service.join(
            member: Members.bob, requestedName: "bob", chatProtocol: .json, since: lastSeen, epoch: epoch)
        seen += historyIDs(final)
        #expect(seen == Array(1...UInt64(posted)))
    }

    @Test func historyShrinksWhenTheLimitIsReduced() throws {
        let service = makeService(historySize: 10)
        _ = try service.join(member: Members.alice, requestedName: "alice")
        post(10, from: Members.alice, in: service)
        #expect(service.messagesStored == 10)
        service.limits.historySize = 3
        post(1, from: Members.alice, in: service, startingAt: 11)
        #expect(service.messagesStored == 3)
        let join = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        #expect(historyIDs(join) == [9, 10, 11])
        service.limits.historySize = 5
        post(3, from: Members.alice, in: service, startingAt: 12)
        let later = try service.join(member: Members.carol, requestedName: "carol", chatProtocol: .json)
        #expect(historyIDs(later) == [10, 11, 12, 13, 14])
        #expect(service.messagesStored == 5)
    }

    @Test func ringBufferKeepsOrderAcrossWraparound() {
        var history = MessageHistory()
        for id in UInt64(1)...23 {
            _ = history.append(
                StoredMessage(id: id, from: "a", text: "t", timestamp: 0, isAction: false, json: ""), capacity: 7)
        }
        #expect(history.ordered().map(\.id) == Array(17...23))
        #expect(history.oldestID == 17)
        #expect(history.messages(after: 20).map(\.id) == [21, 22, 23])
        #expect(history.messages(after: 0).count == 7)
    }
}
