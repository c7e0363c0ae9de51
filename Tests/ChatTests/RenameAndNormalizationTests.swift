import Testing

@testable import Chat

/// Renames, NFKC normalisation and case-folded uniqueness.
@Suite struct RenameAndNormalizationTests {
    let service = ChatService(limits: ChatLimits(), instanceID: "n")

    /// The error code of a JSON reply, nil when it is not an error.
    func errorCode(_ actions: [ChatAction]) -> String? {
        if case .string(let code) = jsonField("code", in: actions.first?.text) { return code }
        return nil
    }

    @Test func fullwidthAndCompatibilityFormsAreNormalised() throws {
        #expect(try joinedName(service, Members.alice, room: "a", as: "ａｌｉｃｅ") == "alice")
        #expect(try joinedName(service, Members.bob, room: "b", as: "ﬁsh") == "fish")
        #expect(try joinedName(service, Members.carol, room: "c", as: "𝐛𝐨𝐛①") == "bob1")
        #expect(try joinedName(service, Members.dave, room: "d", as: "e\u{301}") == "é")
    }

    @Test func fullwidthColonAndSpacesAreCleanedAfterNormalising() throws {
        #expect(try joinedName(service, Members.alice, room: "a", as: "eve：\u{3000}hi") == "eve hi")
    }

    @Test func uniquenessIgnoresCaseAndCompatibilityForms() throws {
        #expect(try joinedName(service, Members.alice, as: "alice") == "alice")
        #expect(try joinedName(service, Members.bob, as: "ＡＬＩＣＥ") == "ALICE-2")
        #expect(try joinedName(service, Members.carol, as: "Straße") == "Straße")
        #expect(try joinedName(service, Members.dave, as: "STRASSE") == "STRASSE-2")
    }

    @Test func nameKeysFoldCaseAndForms() {
        #expect(NameKey.of("Alice") == NameKey.of("ａｌｉｃｅ"))
        #expect(NameKey.of("ǅ") == NameKey.of("dž"))
        #expect(NameKey.of("bob") != NameKey.of("bob2"))
    }

    @Test func renameIsAnnouncedAndUpdatesPresence() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        _ = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        let actions = service.receive(text: #"{"type":"rename","name":"  ｒｏｂｅｒｔ "}"#, from: Members.bob, now: 4)
        #expect(
            actions == [
                .broadcast(
                    #"{"type":"rename","room":"lobby","from":"bob","to":"robert","ts":4}"#,
                    to: [Members.alice, Members.bob])
            ])
        #expect(service.name(of: Members.bob) == "robert")
        let who = service.receive(text: #"{"type":"who"}"#, from: Members.alice, now: 5)
        #expect(who.first?.text == #"{"type":"presence","room":"lobby","members":["alice","robert"]}"#)
        // The old name is free again.
        #expect(try joinedName(service, Members.carol, as: "bob", chatProtocol: .json) == "bob")
    }

    @Test func renameToATakenNameIsRefusedWithoutSuffix() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        _ = try service.join(member: Members.bob, requestedName: "bob", chatProtocol: .json)
        for taken in ["alice", "ALICE", "ａｌｉｃｅ"] {
            let actions = service.receive(
                text: "{\"type\":\"rename\",\"name\":\"\(taken)\"}", from: Members.bob, now: 0)
            #expect(errorCode(actions) == "name_taken")
            #expect(actions.first?.recipients == [Members.bob])
        }
        #expect(service.name(of: Members.bob) == "bob")
    }

    @Test func renameChangingOnlyCaseIsAllowedAndSameNameIsANoOp() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        let same = service.receive(text: #"{"type":"rename","name":"alice"}"#, from: Members.alice, now: 0)
        #expect(same.isEmpty)
        let recased = service.receive(text: #"{"type":"rename","name":"Alice"}"#, from: Members.alice, now: 0)
        #expect(jsonType(recased.first?.text) == "rename")
        #expect(service.name(of: Members.alice) == "Alice")
    }

    @Test(arguments: ["", "   ", "\u{202E}\u{200B}", "::", "*", String(repeating: "n", count: 33)])
    func invalidNamesAreRefused(name: String) throws {
        _ = try service.join(member: Members.alice, requestedName: "alice", chatProtocol: .json)
        let actions = service.receive(
            text: "{\"type\":\"rename\",\"name\":\(JSONStringEscaping.quoted(name))}", from: Members.alice, now: 0)
        #expect(errorCode(actions) == "invalid_name")
        #expect(service.name(of: Members.alice) == "alice")
    }

    @Test func plainNickUsesTheSameRules() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice")
        _ = try service.join(member: Members.bob, requestedName: "bob")
        #expect(
            texts(service.receive(text: "/nick ALICE", from: Members.bob))
                == ["! name_taken: the name ALICE is already taken in this room"])
        #expect(
            texts(service.receive(text: "/nick", from: Members.bob)) == ["! invalid_name: the name is empty or invalid"]
        )
        #expect(
            texts(service.receive(text: "/NICK Bobby Tables", from: Members.bob)) == [
                "* bob is now known as Bobby Tables"
            ])
    }
}
