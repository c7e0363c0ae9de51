import Testing

@testable import Chat

/// The `chatd.v1` conversation: join sequence, requests and their documented errors.
@Suite struct JSONProtocolTests {
    let service = ChatService(limits: ChatLimits(), instanceID: "inst")

    @Test func joinSequenceIsWelcomeHistoryPresenceThenJoinToEveryone() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        let actions = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json, now: 77)
        #expect(actions.map { jsonType($0.text) } == ["welcome", "history", "presence", "join"])
        #expect(
            actions[0]
                == .send(
                    #"{"type":"welcome","id":"2","name":"bob","room":"lobby","epoch":"inst-1","last_id":0,"#
                        + #""limits":{"max_text_bytes":4000,"max_name_length":32,"rate_per_second":5,"#
                        + #""rate_burst":10}}"#, to: Members.bob))
        #expect(actions[1] == .send(#"{"type":"history","room":"lobby","messages":[]}"#, to: Members.bob))
        #expect(
            actions[2] == .send(#"{"type":"presence","room":"lobby","members":["alice","bob"]}"#, to: Members.bob))
        #expect(actions[3].text == #"{"type":"join","room":"lobby","name":"bob","ts":77}"#)
        #expect(actions[3].isBroadcast)
        #expect(actions[3].recipients == [Members.alice, Members.bob])
    }

    @Test func messageGoesToEveryoneWithIdsCountingUp() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        _ = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        let first = service.receive(text: #"{"type":"message","text":"hello"}"#, from: Members.alice, now: 5)
        #expect(
            first == [
                .broadcast(
                    #"{"type":"message","id":1,"room":"lobby","from":"alice","text":"hello","ts":5,"action":false}"#,
                    to: [Members.alice, Members.bob])
            ])
        let second = service.receive(
            text: #"{"text":"waves","type":"message","action":true,"extra":[1]}"#, from: Members.bob, now: 6)
        #expect(
            second.first?.text
                == #"{"type":"message","id":2,"room":"lobby","from":"bob","text":"waves","ts":6,"action":true}"#)
        #expect(service.messagesStored == 2)
    }

    @Test func slashTextIsAnOrdinaryMessageForJSONMembers() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        let actions = service.receive(text: #"{"type":"message","text":"/quit"}"#, from: Members.alice, now: 0)
        #expect(jsonField("text", in: actions.first?.text) == .string("/quit"))
        #expect(service.memberCount == 1)
    }

    @Test func whoAnswersWithSortedPresenceToTheAskerOnly() throws {
        _ = try service.join(member: Members.alice, requestedName: "bob", chatProtocol: .json)
        _ = try service.join(member: Members.bob, requestedName: "Alice", chatProtocol: .json)
        _ = try service.join(member: Members.carol, requestedName: "carl", chatProtocol: .json)
        #expect(
            service.receive(text: #"{"type":"who"}"#, from: Members.carol, now: 0) == [
                .send(#"{"type":"presence","room":"lobby","members":["Alice","bob","carl"]}"#, to: Members.carol)
            ])
    }

    @Test func pingGetsPongWithServerTime() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        #expect(
            service.receive(text: #"{"type":"ping"}"#, from: Members.alice, now: 1_732_182_000_123)
                == [.send(#"{"type":"pong","ts":1732182000123}"#, to: Members.alice)])
    }

    /// The error code the service answers `text` with.
    func errorCode(for text: String) throws -> String? {
        if service.name(of: Members.alice) == nil {
            _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        }
        let actions = service.receive(text: text, from: Members.alice, now: 0)
        #expect(actions.count == 1)
        #expect(actions.first?.recipients == [Members.alice])
        #expect(jsonType(actions.first?.text) == "error")
        #expect(service.name(of: Members.alice) == "alice")  // still connected
        if case .string(let code) = jsonField("code", in: actions.first?.text) { return code }
        return nil
    }

    @Test(arguments: [
        "", "hello", "[]", "[1]", "\"message\"", "{", #"{"type":"message","text":"x"} x"#, #"{"type":1}"#,
        #"{"type":null}"#, #"{"type":"message","text":5}"#, #"{"type":"message","text":null}"#,
        #"{"type":"message","text":["a"]}"#, #"{"type":"rename","name":false}"#,
        #"{"type":"message","text":"x","action":"yes"}"#, #"{"type":"message","type":"who"}"#,
    ])
    func badJSON(text: String) throws {
        #expect(try errorCode(for: text) == "bad_json")
    }

    @Test(arguments: [#"{}"#, #"{"text":"hi"}"#, #"{"type":"message"}"#, #"{"type":"rename"}"#])
    func missingField(text: String) throws {
        #expect(try errorCode(for: text) == "missing_field")
    }

    @Test(arguments: [#"{"type":"shout","text":"x"}"#, #"{"type":""}"#, #"{"type":"MESSAGE","text":"x"}"#])
    func unknownType(text: String) throws {
        #expect(try errorCode(for: text) == "unknown_type")
    }

    @Test func unknownTypeEchoIsBoundedAndEscaped() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        let long = String(repeating: "\\\"", count: 5000)
        let reply = service.receive(text: "{\"type\":\"\(long)\"}", from: Members.alice, now: 0).first?.text
        #expect(jsonField("code", in: reply) == .string("unknown_type"))
        #expect((reply?.utf8.count ?? .max) < 300)
    }

    @Test(arguments: [#"{"type":"message","text":""}"#, #"{"type":"message","text":" \n\t\u3000"}"#])
    func emptyText(text: String) throws {
        #expect(try errorCode(for: text) == "empty_text")
    }

    @Test func textLengthIsMeasuredInUTF8Bytes() throws {
        service.limits.maxTextBytes = 8
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        #expect(try errorCode(for: #"{"type":"message","text":"123456789"}"#) == "text_too_long")
        #expect(try errorCode(for: #"{"type":"message","text":"ééééé"}"#) == "text_too_long")
        let fits = service.receive(text: #"{"type":"message","text":"éééé"}"#, from: Members.alice, now: 0)
        #expect(jsonType(fits.first?.text) == "message")
        let exact = service.receive(text: #"{"type":"message","text":"12345678"}"#, from: Members.alice, now: 0)
        #expect(jsonType(exact.first?.text) == "message")
        #expect(service.messagesStored == 2)
    }

    @Test func binaryFramesAreUnsupportedButHarmless() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        let reply = service.receiveBinary(from: Members.alice)
        #expect(reply.count == 1)
        #expect(jsonField("code", in: reply.first?.text) == .string("binary_unsupported"))
        #expect(reply.first?.recipients == [Members.alice])
        #expect(service.receiveBinary(from: Members.dave).isEmpty)
        #expect(service.memberCount == 1)
    }

    @Test func leaveIsAnnouncedWithTimestamp() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        _ = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        #expect(
            service.leave(member: Members.bob, now: 9)
                == [.broadcast(#"{"type":"leave","room":"lobby","name":"bob","ts":9}"#, to: [Members.alice])])
    }
}
