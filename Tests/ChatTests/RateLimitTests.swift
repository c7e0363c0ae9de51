import Testing

@testable import Chat

/// The per-member token bucket, its error code and the 1008 close for persistent abuse.
@Suite struct RateLimitTests {
    let service = ChatService(limits: ChatLimits(ratePerSecond: 5, rateBurst: 10), instanceID: "rl")

    /// A JSON chat message frame.
    let hello = #"{"type":"message","text":"hello"}"#

    /// The error code of the first action, nil when it is not an error.
    func errorCode(_ actions: [ChatAction]) -> String? {
        if case .string(let code) = jsonField("code", in: actions.first?.text) { return code }
        return nil
    }

    @Test func burstIsAllowedThenLimited() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json, now: 1000)
        for _ in 0..<10 {
            #expect(jsonType(service.receive(text: hello, from: Members.alice, now: 1000).first?.text) == "message")
        }
        let limited = service.receive(text: hello, from: Members.alice, now: 1000)
        #expect(
            limited == [
                .send(
                    #"{"type":"error","code":"rate_limited","message":"slow down: at most 5 messages per second"}"#,
                    to: Members.alice)
            ])
        #expect(service.messagesStored == 10)
    }

    @Test func tokensRefillOverTime() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json, now: 0)
        for _ in 0..<10 { _ = service.receive(text: hello, from: Members.alice, now: 0) }
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: 100)) == "rate_limited")
        // 5 per second: one token every 200 ms.
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: 200)) == nil)
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: 200)) == "rate_limited")
        // A long pause refills to the burst, never beyond.
        for _ in 0..<10 {
            #expect(errorCode(service.receive(text: hello, from: Members.alice, now: 60_000)) == nil)
        }
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: 60_000)) == "rate_limited")
    }

    @Test func clockJumpingBackwardsRefillsNothing() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json, now: 10_000)
        for _ in 0..<10 { _ = service.receive(text: hello, from: Members.alice, now: 10_000) }
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: 0)) == "rate_limited")
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: 10_100)) == "rate_limited")
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: 10_200)) == nil)
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: .max)) == nil)
        #expect(errorCode(service.receive(text: hello, from: Members.alice, now: .min)) == nil)
    }

    @Test func whoRenameAndInvalidFramesCostTokensButPingDoesNot() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json, now: 0)
        for _ in 0..<100 {
            #expect(
                jsonType(service.receive(text: #"{"type":"ping"}"#, from: Members.alice, now: 0).first?.text) == "pong")
        }
        for index in 0..<10 {
            let frame = [#"{"type":"who"}"#, #"{"type":"rename","name":"al\#(index)"}"#, "garbage"][index % 3]
            #expect(errorCode(service.receive(text: frame, from: Members.alice, now: 0)) != "rate_limited")
        }
        #expect(errorCode(service.receive(text: #"{"type":"who"}"#, from: Members.alice, now: 0)) == "rate_limited")
        #expect(errorCode(service.receive(text: "garbage", from: Members.alice, now: 0)) == "rate_limited")
    }

    @Test func persistentAbuseIsDisconnectedWith1008() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json, now: 0)
        _ = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json, now: 0)
        for _ in 0..<10 { _ = service.receive(text: hello, from: Members.alice, now: 0) }
        for _ in 0..<10 {
            let limited = service.receive(text: hello, from: Members.alice, now: 0)
            #expect(limited.count == 1)
            #expect(errorCode(limited) == "rate_limited")
        }
        let last = service.receive(text: hello, from: Members.alice, now: 0)
        #expect(last.count == 3)
        #expect(errorCode(last) == "rate_limited")
        #expect(last[1] == .broadcast(#"{"type":"leave","room":"lobby","name":"alice","ts":0}"#, to: [Members.bob]))
        #expect(last[2] == .disconnect(Members.alice, code: 1008, reason: "rate limit exceeded"))
        #expect(service.name(of: Members.alice) == nil)
        #expect(service.leave(member: Members.alice, now: 0).isEmpty)
    }

    @Test func anAcceptedMessageResetsTheRejectionRun() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json, now: 0)
        var now: Int64 = 0
        for _ in 0..<10 { _ = service.receive(text: hello, from: Members.alice, now: now) }
        for _ in 0..<5 {
            for _ in 0..<10 {
                #expect(errorCode(service.receive(text: hello, from: Members.alice, now: now)) == "rate_limited")
            }
            now += 200
            #expect(errorCode(service.receive(text: hello, from: Members.alice, now: now)) == nil)
        }
        #expect(service.name(of: Members.alice) == "alice")
    }

    @Test func plainMembersAreLimitedToo() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", now: 0)
        for _ in 0..<10 { _ = service.receive(text: "hi", from: Members.alice, now: 0) }
        #expect(
            texts(service.receive(text: "hi", from: Members.alice, now: 0))
                == ["! rate_limited: slow down: at most 5 messages per second"])
        // Quitting is always possible.
        #expect(service.receive(text: "/quit", from: Members.alice, now: 0).last?.text == nil)
        #expect(service.memberCount == 0)
    }

    @Test func fractionalRatesAreReportedAsSuch() throws {
        let slow = ChatService(limits: ChatLimits(ratePerSecond: 0.5, rateBurst: 1), instanceID: "s")
        _ = try slow.join(member: Members.alice, requestedName: "alice", now: 0)
        _ = slow.receive(text: "one", from: Members.alice, now: 0)
        #expect(
            texts(slow.receive(text: "two", from: Members.alice, now: 1000))
                == ["! rate_limited: slow down: at most 0.5 messages per second"])
        #expect(texts(slow.receive(text: "three", from: Members.alice, now: 2000)) == ["alice: three"])
    }
}
