import Testing

@testable import Chat

/// Room names from request paths.
@Suite struct RoomPathRoomNameTests {
    @Test func rootIsLobby() {
        #expect(RoomPath.roomName(forPath: "/") == "lobby")
    }

    @Test func chatPrefixAndBareNameBothNameTheRoom() {
        #expect(RoomPath.roomName(forPath: "/chat/x") == "x")
        #expect(RoomPath.roomName(forPath: "/x") == "x")
        #expect(RoomPath.roomName(forPath: "/chat/Team_A-1.b") == "Team_A-1.b")
        #expect(RoomPath.roomName(forPath: "/chat") == "chat")
    }

    @Test func deeperOrEmptySegmentsAreRejected() {
        #expect(RoomPath.roomName(forPath: "/a/b/c") == nil)
        #expect(RoomPath.roomName(forPath: "/a/b") == nil)
        #expect(RoomPath.roomName(forPath: "/chat/") == nil)
        #expect(RoomPath.roomName(forPath: "/x/") == nil)
        #expect(RoomPath.roomName(forPath: "//") == nil)
        #expect(RoomPath.roomName(forPath: "") == nil)
        #expect(RoomPath.roomName(forPath: "x") == nil)
    }

    @Test func percentEncodedNamesAreDecoded() {
        #expect(RoomPath.roomName(forPath: "/%61bc") == "abc")
        #expect(RoomPath.roomName(forPath: "/chat/a%2Db%2e") == "a-b.")
    }

    @Test func invalidPercentEncodingIsRejected() {
        #expect(RoomPath.roomName(forPath: "/%zz") == nil)
        #expect(RoomPath.roomName(forPath: "/abc%4") == nil)
        #expect(RoomPath.roomName(forPath: "/abc%") == nil)
    }

    @Test func decodedCharactersMustBeAllowed() {
        #expect(RoomPath.roomName(forPath: "/a%20b") == nil)
        #expect(RoomPath.roomName(forPath: "/a%2Fb") == nil)
        #expect(RoomPath.roomName(forPath: "/a+b") == nil)
        #expect(RoomPath.roomName(forPath: "/caf%C3%A9") == nil)
        #expect(RoomPath.roomName(forPath: "/a%00") == nil)
    }

    @Test func lengthIsLimitedTo64() {
        let longest = String(repeating: "r", count: 64)
        #expect(RoomPath.roomName(forPath: "/" + longest) == longest)
        #expect(RoomPath.roomName(forPath: "/chat/" + longest) == longest)
        #expect(RoomPath.roomName(forPath: "/" + longest + "r") == nil)
        #expect(RoomPath.roomName(forPath: "/" + String(repeating: "%41", count: 65)) == nil)
        #expect(RoomPath.roomName(forPath: "/" + String(repeating: "x", count: 100_000)) == nil)
    }
}

/// `?name=` from query strings.
@Suite struct RoomPathQueryTests {
    @Test func plusAndPercentDecodeToSpaces() {
        #expect(RoomPath.requestedName(fromQuery: "name=a+b%20c") == "a b c")
    }

    @Test func missingNameIsNil() {
        #expect(RoomPath.requestedName(fromQuery: nil) == nil)
        #expect(RoomPath.requestedName(fromQuery: "") == nil)
        #expect(RoomPath.requestedName(fromQuery: "nick=bob&x=1") == nil)
        #expect(RoomPath.requestedName(fromQuery: "names=bob") == nil)
    }

    @Test func nameIsFoundAmongOtherParameters() {
        #expect(RoomPath.requestedName(fromQuery: "room=x&name=alice&v=2") == "alice")
        #expect(RoomPath.requestedName(fromQuery: "&&name=bob&") == "bob")
    }

    @Test func firstNameParameterWins() {
        #expect(RoomPath.requestedName(fromQuery: "name=first&name=second") == "first")
    }

    @Test func emptyOrValuelessNameIsEmptyString() {
        #expect(RoomPath.requestedName(fromQuery: "name=") == "")
        #expect(RoomPath.requestedName(fromQuery: "name") == "")
    }

    @Test func valueMayContainEqualsAndUnicode() {
        #expect(RoomPath.requestedName(fromQuery: "name=a=b") == "a=b")
        #expect(RoomPath.requestedName(fromQuery: "name=J%C3%BCrgen") == "Jürgen")
        #expect(RoomPath.requestedName(fromQuery: "n%61me=encoded-key") == "encoded-key")
    }

    @Test func malformedEscapesAreKeptLiterally() {
        #expect(RoomPath.requestedName(fromQuery: "name=100%") == "100%")
        #expect(RoomPath.requestedName(fromQuery: "name=%zz") == "%zz")
    }

    @Test func invalidUTF8IsRepaired() {
        #expect(RoomPath.requestedName(fromQuery: "name=a%FFb") == "a\u{FFFD}b")
    }
}

/// `since`, `epoch` and any other query parameter.
@Suite struct RoomPathQueryValueTests {
    @Test func findsAnyKey() {
        let query = "name=alice&since=41&epoch=mf3k2a-1"
        #expect(RoomPath.queryValue("since", in: query) == "41")
        #expect(RoomPath.queryValue("epoch", in: query) == "mf3k2a-1")
        #expect(RoomPath.queryValue("name", in: query) == "alice")
        #expect(RoomPath.queryValue("room", in: query) == nil)
        #expect(RoomPath.queryValue("since", in: nil) == nil)
        #expect(RoomPath.queryValue("since", in: "since") == "")
        #expect(RoomPath.queryValue("epoch", in: "epoch=a%2Db+c") == "a-b c")
    }
}
