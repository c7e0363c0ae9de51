import Chat
import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// The chat and echo applications on real connections: what a join, a message, a refusal and a binary frame turn
/// into on the wire, and how deliveries are counted.
@Suite struct ChatApplicationTests {
    @Test func broadcastReachesEveryMemberAndCountsOnePerRecipient() throws {
        let harness = try ServerHarness()
        let members = try ["ann", "bob", "cat"].map { try harness.join("r", as: $0) }
        harness.pass()
        for member in members { member.discardReceived() }
        let delivered = harness.connections.stats.messagesDelivered
        let received = harness.connections.stats.messagesReceived
        members[1].send(ClientBytes.text("hello"))
        #expect(harness.run { members.allSatisfy { $0.receive() >= 0 && $0.texts == ["bob: hello"] } })
        #expect(harness.connections.stats.messagesDelivered == delivered + 3)
        #expect(harness.connections.stats.messagesReceived == received + 1)
    }

    @Test func memberIDIsTheConnectionID() throws {
        let harness = try ServerHarness()
        let member = try harness.join("lobby", as: "ann")
        #expect(harness.server.chat.service.name(of: MemberID(member.id)) == "ann")
        #expect(harness.server.chat.service.room(of: MemberID(member.id)) == "lobby")
        #expect(ConnectionID(MemberID(member.id)) == member.id)
    }

    @Test func joinerGetsWelcomeThenEveryoneSeesTheJoin() throws {
        let harness = try ServerHarness()
        let first = try harness.join("r", as: "ann")
        let second = try harness.join("r", as: "bob")
        #expect(harness.run { first.receive() >= 0 && first.texts.contains("* bob joined r") })
        #expect(second.texts.first == "Welcome, bob! You are in room r with 1 other(s). Type /quit to leave.")
        #expect(second.texts.contains("* bob joined r"))
    }

    @Test func jsonSubprotocolGetsJSONEvents() throws {
        let harness = try ServerHarness()
        let member = try harness.open("/chat/r?name=ann", subprotocol: "chatd.v1")
        #expect(member.responseHead?.contains("Sec-WebSocket-Protocol: chatd.v1\r\n") == true)
        #expect(harness.run { member.receive() >= 0 && !member.texts.isEmpty })
        #expect(member.texts.first?.hasPrefix("{\"type\":\"welcome\"") == true)
    }

    @Test func fullRoomClosesTheJoinerWith1013() throws {
        var config = chatConfig()
        config.maxMembersPerRoom = 1
        let harness = try ServerHarness(config: config)
        let first = try harness.join("r", as: "ann")
        let second = try harness.open("/chat/r?name=bob")
        #expect(harness.run { second.receive() >= 0 && !second.closeFrames.isEmpty })
        #expect(second.frames.map(\.closeCode) == [1013], "nothing before the close")
        #expect(second.closeFrames.first?.closeReason == "room is full")
        #expect(harness.logs.events("join_refused").count == 1)
        first.discardReceived()
        harness.pass()
        first.receive()
        #expect(first.frames.isEmpty, "a refused joiner never entered, so nobody sees it leave")
    }

    @Test func tooManyRoomsClosesTheJoinerWith1013() throws {
        var config = chatConfig()
        config.maxRooms = 1
        let harness = try ServerHarness(config: config)
        let first = try harness.join("one", as: "ann")
        let other = try harness.open("/chat/two?name=bob")
        #expect(harness.run { other.receive() >= 0 && !other.closeFrames.isEmpty })
        #expect(other.closeFrames.first?.closeCode == 1013)
        #expect(other.closeFrames.first?.closeReason == "too many rooms")
        #expect(harness.connections.acceptsData(first.id))
    }

    @Test func binaryFrameGetsAnErrorLine() throws {
        let harness = try ServerHarness()
        let member = try harness.join("r", as: "ann")
        member.discardReceived()
        member.send(ClientBytes.frame(.binary, [1, 2, 3]))
        #expect(harness.run { member.receive() >= 0 && !member.texts.isEmpty })
        #expect(member.texts.first?.hasPrefix("! binary_unsupported: ") == true)
        #expect(harness.connections.acceptsData(member.id))
    }

    @Test func echoKeepsTheMessageType() throws {
        let harness = try ServerHarness()
        let echo = try harness.open("/echo")
        let delivered = harness.connections.stats.messagesDelivered
        echo.send(ClientBytes.text("héllo") + ClientBytes.frame(.binary, [0, 255, 7]))
        #expect(harness.run { echo.receive() >= 0 && echo.frames.count == 2 })
        #expect(echo.frames.map(\.opcode) == [1, 2])
        #expect(echo.frames.first?.text == "héllo")
        #expect(echo.frames.last?.payload == [0, 255, 7])
        #expect(harness.connections.stats.messagesDelivered == delivered + 2)
        #expect(harness.server.chat.service.memberCount == 0, "echo is not a chat member")
    }

    @Test func departureFromTheRoomIsAnnouncedToTheOthers() throws {
        let harness = try ServerHarness()
        let ann = try harness.join("r", as: "ann")
        let bob = try harness.join("r", as: "bob")
        harness.pass()
        ann.discardReceived()
        bob.close()
        #expect(harness.run { ann.receive() >= 0 && !ann.texts.isEmpty })
        #expect(ann.texts == ["* bob left r"])
        #expect(harness.server.chat.service.memberCount == 1)
    }

    @Test func sinceAndEpochFromTheQueryReachTheChatLayer() throws {
        let harness = try ServerHarness()
        let ann = try harness.join("r", as: "ann")
        ann.send(ClientBytes.text("one"))
        #expect(harness.run { ann.receive() >= 0 && ann.texts.contains("ann: one") })
        let plain = try harness.join("r", as: "bob")
        let resumed = try harness.open("/chat/r?name=cat&since=1&epoch=elsewhere")
        #expect(harness.run { resumed.receive() >= 0 && resumed.texts.contains("* cat joined r") })
        #expect(plain.texts.contains("ann: one"), "the history")
        #expect(!plain.texts.contains { $0.hasPrefix("* the room was restarted") })
        #expect(resumed.texts.contains("* the room was restarted; messages after #1 from before the restart are gone"))
    }
}
