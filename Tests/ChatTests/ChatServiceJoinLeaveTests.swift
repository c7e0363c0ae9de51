import Testing

@testable import Chat

/// Joining, talking, quitting and leaving.
@Suite struct ChatServiceJoinLeaveTests {
    let service = ChatService(limits: ChatLimits())

    @Test func joinWelcomesJoinerThenNotifiesWholeRoom() throws {
        let first = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        #expect(
            first == [
                .send(
                    "Welcome, alice! You are in room lobby with 0 other(s). Type /quit to leave.",
                    to: Members.alice),
                .broadcast("* alice joined lobby", to: [Members.alice]),
            ])
        let second = try service.join(member: Members.bob, room: "lobby", requestedName: "bob")
        #expect(second.count == 2)
        #expect(
            second.first
                == .send("Welcome, bob! You are in room lobby with 1 other(s). Type /quit to leave.", to: Members.bob))
        #expect(second.last?.text == "* bob joined lobby")
        #expect(second.last?.recipients == [Members.alice, Members.bob])
        #expect(service.memberCount == 2)
        #expect(service.roomCount == 1)
        #expect(service.name(of: Members.bob) == "bob")
        #expect(service.room(of: Members.bob) == "lobby")
    }

    @Test func messageGoesToWholeRoomIncludingSender() throws {
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "lobby", requestedName: "bob")
        let actions = service.receive(text: "hello", from: Members.alice)
        #expect(actions.count == 1)
        #expect(actions.first?.text == "alice: hello")
        #expect(actions.first?.recipients == [Members.alice, Members.bob])
    }

    @Test func messagesKeepTheirTextVerbatim() throws {
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        let actions = service.receive(text: "  two\nlines ", from: Members.alice)
        #expect(actions.first?.text == "alice:   two\nlines ")
    }

    @Test func roomsAreIsolated() throws {
        _ = try service.join(member: Members.alice, room: "a", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "a", requestedName: "bob")
        let carolJoin = try service.join(member: Members.carol, room: "b", requestedName: "carol")
        #expect(carolJoin.last?.recipients == [Members.carol])
        #expect(service.receive(text: "in a", from: Members.alice).first?.recipients == [Members.alice, Members.bob])
        #expect(service.receive(text: "in b", from: Members.carol).first?.recipients == [Members.carol])
        #expect(service.leave(member: Members.carol).isEmpty)
        // Room b keeps its history while empty.
        #expect(service.roomCount == 2)
    }

    @Test func blankMessagesAreIgnored() throws {
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        #expect(service.receive(text: "", from: Members.alice).isEmpty)
        #expect(service.receive(text: " \t\r\n\u{3000}", from: Members.alice).isEmpty)
    }

    @Test(arguments: ["quit", "/quit", "  /QUIT\n", "Quit"])
    func quitCommandLeavesAndDisconnects(command: String) throws {
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "lobby", requestedName: "bob")
        let actions = service.receive(text: command, from: Members.bob)
        #expect(
            actions == [
                .broadcast("* bob left lobby", to: [Members.alice]),
                .disconnect(Members.bob, code: 1000, reason: "bye"),
            ])
        #expect(service.name(of: Members.bob) == nil)
        #expect(service.memberCount == 1)
        // The connection close that follows must not announce the departure twice.
        #expect(service.leave(member: Members.bob).isEmpty)
    }

    @Test func quitLikeTextIsAnOrdinaryMessage() throws {
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        #expect(service.receive(text: "quit now", from: Members.alice).first?.text == "alice: quit now")
        #expect(service.receive(text: "//quit", from: Members.alice).first?.text == "alice: //quit")
    }

    @Test func lastMemberQuittingOnlyDisconnectsAndRemovesRoom() throws {
        _ = try service.join(member: Members.alice, room: "solo", requestedName: "alice")
        #expect(
            service.receive(text: "/quit", from: Members.alice)
                == [.disconnect(Members.alice, code: 1000, reason: "bye")])
        #expect(service.roomCount == 0)
        #expect(service.memberCount == 0)
    }

    @Test func leaveNotifiesRemainingMembers() throws {
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "lobby", requestedName: "bob")
        _ = try service.join(member: Members.carol, room: "lobby", requestedName: "carol")
        let actions = service.leave(member: Members.alice)
        #expect(actions.count == 1)
        #expect(actions.first?.text == "* alice left lobby")
        #expect(actions.first?.recipients == [Members.bob, Members.carol])
        #expect(service.room(of: Members.alice) == nil)
        #expect(service.receive(text: "hi", from: Members.alice).isEmpty)
    }

    @Test func emptyRoomIsRemoved() throws {
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "lobby", requestedName: "bob")
        _ = service.leave(member: Members.alice)
        #expect(service.roomCount == 1)
        #expect(service.leave(member: Members.bob).isEmpty)
        #expect(service.roomCount == 0)
        #expect(service.memberCount == 0)
    }

    @Test func unknownMembersAreHarmless() {
        #expect(service.leave(member: Members.dave).isEmpty)
        #expect(service.receive(text: "hello", from: Members.dave).isEmpty)
        #expect(service.name(of: Members.dave) == nil)
        #expect(service.room(of: Members.dave) == nil)
    }

    @Test func leavingTwiceAnnouncesOnce() throws {
        _ = try service.join(member: Members.alice, room: "lobby", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "lobby", requestedName: "bob")
        #expect(service.leave(member: Members.bob).count == 1)
        #expect(service.leave(member: Members.bob).isEmpty)
    }

    @Test func rejoiningMovesTheMember() throws {
        _ = try service.join(member: Members.alice, room: "a", requestedName: "alice")
        _ = try service.join(member: Members.bob, room: "a", requestedName: "bob")
        let actions = try service.join(member: Members.bob, room: "b", requestedName: "bob")
        #expect(actions.first == .broadcast("* bob left a", to: [Members.alice]))
        #expect(actions.last?.text == "* bob joined b")
        #expect(service.room(of: Members.bob) == "b")
        #expect(service.memberCount == 2)
        #expect(service.roomCount == 2)
    }
}
