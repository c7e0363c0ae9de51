import Testing

@testable import Chat

/// Name sanitising, guest names and disambiguation.
@Suite struct ChatServiceNameTests {
    let service = ChatService(limits: ChatLimits())

    /// The name the service picks for `requested` in a fresh room of its own.
    func sanitised(_ requested: String?) throws -> String? {
        let member = MemberID(1000 + UInt64(service.memberCount))
        return try joinedName(service, member, room: "r\(service.memberCount)", as: requested)
    }

    @Test func duplicateNamesGetNumberedSuffixesIgnoringCase() throws {
        #expect(try joinedName(service, Members.alice, as: "alice") == "alice")
        #expect(try joinedName(service, Members.bob, as: "Alice") == "Alice-2")
        #expect(try joinedName(service, Members.carol, as: "ALICE") == "ALICE-3")
        let welcome = try service.join(member: Members.dave, room: "lobby", requestedName: "alice")
        #expect(welcome.first?.text?.hasPrefix("Welcome, alice-4! You are in room lobby with 3 other(s).") == true)
    }

    @Test func sameNameInAnotherRoomIsFine() throws {
        #expect(try joinedName(service, Members.alice, room: "a", as: "alice") == "alice")
        #expect(try joinedName(service, Members.bob, room: "b", as: "alice") == "alice")
    }

    @Test func freedNamesAreReused() throws {
        #expect(try joinedName(service, Members.alice, as: "alice") == "alice")
        #expect(try joinedName(service, Members.bob, as: "alice") == "alice-2")
        _ = service.leave(member: Members.alice)
        #expect(try joinedName(service, Members.carol, as: "alice") == "alice")
        #expect(try joinedName(service, Members.dave, as: "alice") == "alice-3")
    }

    @Test func suffixSkipsNamesThatAreAlreadyTaken() throws {
        #expect(try joinedName(service, Members.alice, as: "bob-2") == "bob-2")
        #expect(try joinedName(service, Members.bob, as: "bob") == "bob")
        #expect(try joinedName(service, Members.carol, as: "bob") == "bob-3")
    }

    @Test func suffixedNamesStayWithinMaxLength() throws {
        service.limits.maxNameLength = 5
        #expect(try joinedName(service, Members.alice, as: "abcdefgh") == "abcde")
        #expect(try joinedName(service, Members.bob, as: "abcde") == "abc-2")
    }

    @Test func missingOrEmptyNamesBecomeNumberedGuests() throws {
        #expect(try joinedName(service, Members.alice, as: nil) == "guest-1")
        #expect(try joinedName(service, Members.bob, as: "") == "guest-2")
        #expect(try joinedName(service, Members.carol, as: " \u{202E}\u{0007}\n ") == "guest-3")
        #expect(try joinedName(service, Members.dave, as: "dave") == "dave")
        let other = ChatService(limits: ChatLimits())
        #expect(try joinedName(other, Members.alice, as: nil) == "guest-1")
    }

    @Test func guestNamesAreDisambiguatedToo() throws {
        #expect(try joinedName(service, Members.alice, as: "guest-1") == "guest-1")
        #expect(try joinedName(service, Members.bob, as: nil) == "guest-1-2")
    }

    @Test func controlCharactersAreStripped() throws {
        #expect(try sanitised("al\u{0000}i\u{0007}c\u{001B}e") == "alice")
        #expect(try sanitised("b\u{007F}o\u{0080}b\u{009F}") == "bob")
        #expect(try sanitised("ca\u{200B}r\u{200D}ol\u{FEFF}") == "carol")
    }

    @Test func bidiControlsAreStripped() throws {
        #expect(try sanitised("\u{202E}evil\u{202C}") == "evil")
        #expect(try sanitised("\u{2066}x\u{2067}y\u{2068}z\u{2069}\u{202A}\u{202B}\u{202D}") == "xyz")
        #expect(try sanitised("a\u{200E}b\u{200F}c") == "abc")
    }

    @Test func whitespaceIsFoldedAndTrimmed() throws {
        #expect(try sanitised("  ann   lee  ") == "ann lee")
        #expect(try sanitised("a\t\r\nb\u{00A0}\u{3000}c") == "a b c")
        #expect(try sanitised("x\u{0085}y") == "x y")
    }

    @Test func separatorsThatWouldSpoofChatLinesAreRemoved() throws {
        #expect(try sanitised("eve: hi") == "eve hi")
        #expect(try sanitised("* bob joined lobby") == "bob joined lobby")
        #expect(try sanitised("**star*") == "star*")
    }

    @Test func longNamesAreTruncatedToMaxLengthCharacters() throws {
        #expect(try sanitised(String(repeating: "n", count: 40)) == String(repeating: "n", count: 32))
        #expect(try sanitised(String(repeating: "x", count: 31) + " yz") == String(repeating: "x", count: 31))
    }

    @Test func truncationKeepsGraphemeClustersWhole() throws {
        let thumbs = String(repeating: "\u{1F44D}\u{1F3FD}", count: 40)
        let name = try #require(try sanitised(thumbs))
        #expect(name.count == 32)
        #expect(name == String(repeating: "\u{1F44D}\u{1F3FD}", count: 32))
        let accented = String(repeating: "e\u{301}", count: 40)
        #expect(try sanitised(accented) == String(repeating: "e\u{301}", count: 32))
    }

    @Test func oversizedGraphemeClustersAreDropped() throws {
        let zalgo = "z" + String(repeating: "\u{0336}", count: 50)
        #expect(try sanitised(zalgo + "ed") == "ed")
    }

    @Test func unicodeNamesSurvive() throws {
        #expect(try sanitised("Jürgen 李雷") == "Jürgen 李雷")
    }
}
