import Testing

@testable import Chat

/// Slash commands and errors in plain-text mode.
@Suite struct PlainCommandTests {
    let service = ChatService(limits: ChatLimits(maxTextBytes: 10), instanceID: "p")

    /// alice and bob (plain) in the lobby.
    func joinTwo() throws {
        _ = try service.join(member: Members.alice, requestedName: "alice")
        _ = try service.join(member: Members.bob, requestedName: "bob")
    }

    @Test func whoListsMembersSortedToTheAsker() throws {
        try joinTwo()
        _ = try service.join(member: Members.carol, requestedName: "Carl")
        #expect(
            service.receive(text: "/who", from: Members.bob) == [.send("* in lobby: alice, bob, Carl", to: Members.bob)]
        )
    }

    @Test func meIsAnEmoteStoredInHistory() throws {
        try joinTwo()
        #expect(
            service.receive(text: "/me waves", from: Members.alice)
                == [.broadcast("* alice waves", to: [Members.alice, Members.bob])])
        #expect(service.messagesStored == 1)
        #expect(texts(service.receive(text: "/me   ", from: Members.alice)) == ["! empty_text: the text is empty"])
    }

    @Test func helpListsTheCommands() throws {
        try joinTwo()
        let help = service.receive(text: "/help", from: Members.alice)
        #expect(help.count == 1)
        #expect(help.first?.recipients == [Members.alice])
        for command in ["/nick", "/who", "/me", "/quit", "/help"] {
            #expect(help.first?.text?.contains(command) == true)
        }
    }

    @Test func unknownCommandsAreExplained() throws {
        try joinTwo()
        #expect(
            service.receive(text: "/dance now", from: Members.alice)
                == [.send("* unknown command /dance; try /help", to: Members.alice)])
    }

    @Test(arguments: ["//quit", "/ hi", "/123", "a /who", "/who'", "http://x"])
    func slashTextThatIsNotACommandIsChat(text: String) throws {
        try joinTwo()
        #expect(service.receive(text: text, from: Members.alice).first?.text == "alice: \(text)")
    }

    @Test func commandsIgnoreCaseAndSurroundingWhitespace() throws {
        try joinTwo()
        #expect(service.receive(text: "  /WHO \n", from: Members.alice).first?.text == "* in lobby: alice, bob")
        #expect(service.receive(text: "/Me  smiles ", from: Members.alice).first?.text == "* alice smiles")
    }

    @Test func tooLongTextIsAnErrorLine() throws {
        try joinTwo()
        #expect(
            service.receive(text: "12345678901", from: Members.alice)
                == [.send("! text_too_long: the text is longer than 10 bytes", to: Members.alice)])
        #expect(service.receive(text: "1234567890", from: Members.alice).first?.text == "alice: 1234567890")
    }

    @Test func binaryIsAnErrorLine() throws {
        try joinTwo()
        #expect(
            service.receiveBinary(from: Members.alice)
                == [.send("! binary_unsupported: binary messages are not supported; send text", to: Members.alice)])
    }

    @Test func decoderRecognisesEveryCommand() {
        #expect(PlainRequestDecoder.decode("/nick  new name ") == .rename("new name"))
        #expect(PlainRequestDecoder.decode("/quit") == .quit)
        #expect(PlainRequestDecoder.decode("QUIT") == .quit)
        #expect(PlainRequestDecoder.decode("/who") == .who)
        #expect(PlainRequestDecoder.decode("/help") == .help)
        #expect(PlainRequestDecoder.decode("/me") == .message(text: "", isAction: true))
        #expect(PlainRequestDecoder.decode("hi") == .message(text: "hi", isAction: false))
        #expect(
            PlainRequestDecoder.decode("/x" + String(repeating: "y", count: 100))
                == .unknownCommand("x" + String(repeating: "y", count: 31)))
    }
}
