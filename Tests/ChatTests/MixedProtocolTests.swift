import Testing

@testable import Chat

/// Rooms with plain-text and JSON members: each gets its own rendering, each rendered once.
@Suite struct MixedProtocolTests {
    let service = ChatService(limits: ChatLimits(), instanceID: "i")

    /// alice (plain), bob (json), carol (plain), dave (json) in the lobby.
    func joinEveryone() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .plainText)
        _ = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        _ = try service.join(member: Members.carol, requestedName: "carol", chatProtocol: .plainText)
        _ = try service.join(member: Members.dave, requestedName: "dave", chatProtocol: .json)
    }

    @Test func messageYieldsOnePlainAndOneJSONBroadcast() throws {
        try joinEveryone()
        let actions = service.receive(text: "hi all", from: Members.alice, now: 3)
        #expect(
            actions == [
                .broadcast("alice: hi all", to: [Members.alice, Members.carol]),
                .broadcast(
                    #"{"type":"message","id":1,"room":"lobby","from":"alice","text":"hi all","ts":3,"action":false}"#,
                    to: [Members.bob, Members.dave]),
            ])
        let fromJSON = service.receive(text: #"{"type":"message","text":"yo"}"#, from: Members.bob, now: 4)
        #expect(fromJSON.count == 2)
        #expect(fromJSON.first == .broadcast("bob: yo", to: [Members.alice, Members.carol]))
        #expect(jsonField("id", in: fromJSON.last?.text) == .number("2"))
    }

    @Test func joinLeaveAndRenameAreRenderedPerProtocol() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .plainText)
        _ = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        let join = try service.join(member: Members.carol, requestedName: "carol", chatProtocol: .plainText, now: 8)
        let broadcasts = join.filter(\.isBroadcast)
        #expect(
            broadcasts == [
                .broadcast("* carol joined lobby", to: [Members.alice, Members.carol]),
                .broadcast(#"{"type":"join","room":"lobby","name":"carol","ts":8}"#, to: [Members.bob]),
            ])
        let rename = service.receive(text: "/nick caroline", from: Members.carol, now: 9)
        #expect(
            rename == [
                .broadcast("* carol is now known as caroline", to: [Members.alice, Members.carol]),
                .broadcast(
                    #"{"type":"rename","room":"lobby","from":"carol","to":"caroline","ts":9}"#, to: [Members.bob]),
            ])
        let leave = service.leave(member: Members.alice, now: 10)
        #expect(
            leave == [
                .broadcast("* alice left lobby", to: [Members.carol]),
                .broadcast(#"{"type":"leave","room":"lobby","name":"alice","ts":10}"#, to: [Members.bob]),
            ])
    }

    @Test func emoteFromPlainReachesJSONMembersAsAction() throws {
        try joinEveryone()
        let actions = service.receive(text: "/me waves", from: Members.carol, now: 1)
        #expect(actions.first == .broadcast("* carol waves", to: [Members.alice, Members.carol]))
        #expect(jsonField("action", in: actions.last?.text) == .bool(true))
        #expect(jsonField("text", in: actions.last?.text) == .string("waves"))
    }

    @Test func onlyPresentProtocolsGetABroadcast() throws {
        _ = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        let actions = service.receive(text: #"{"type":"message","text":"x"}"#, from: Members.bob, now: 0)
        #expect(actions.count == 1)
        #expect(actions.first?.recipients == [Members.bob])
    }

    @Test func liveJSONRenderingIsReusedForHistory() throws {
        try joinEveryone()
        let live = service.receive(text: "remember me", from: Members.alice, now: 2).last?.text
        _ = service.leave(member: Members.dave)
        let rejoin = try service.join(member: Members.dave, requestedName: "dave", chatProtocol: .json)
        let history = try #require(rejoin.first { jsonType($0.text) == "history" }?.text)
        #expect(history == #"{"type":"history","room":"lobby","messages":["# + (live ?? "missing") + "]}")
    }

    @Test func broadcastsShareTheRoomsStoredArraysPerProtocol() throws {
        try joinEveryone()
        let first = service.receive(text: "one", from: Members.alice, now: 0)
        let second = service.receive(text: "two", from: Members.carol, now: 0)
        for index in 0..<2 {
            guard case .broadcast(_, let a) = first[index], case .broadcast(_, let b) = second[index] else {
                Issue.record("expected broadcasts")
                return
            }
            let baseA = a.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            let baseB = b.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
            #expect(baseA == baseB)
        }
    }
}
