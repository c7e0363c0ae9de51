import Chat
import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// Each route has its own message limit: a chat member can send at most what a chat request can be
/// (`ChatLimits.maxFrameBytes`, within `max_message_bytes`), `/echo` anything up to `max_message_bytes`.
@Suite struct RouteLimitTests {
    @Test func chatLimitIsTheSmallerOfTheMessageLimitAndTheChatFrameLimit() throws {
        let limits = ChatLimits(maxTextBytes: 4000)
        #expect(ChatApplication.maxMessageBytes(maxMessageBytes: 1 << 20, limits: limits) == 25_024)
        #expect(ChatApplication.maxMessageBytes(maxMessageBytes: 10_000, limits: limits) == 10_000)
        let harness = try ServerHarness(config: chatConfig(maxMessageBytes: 1 << 20, maxTextBytes: 4000))
        #expect(harness.server.chat.maxMessageBytes == 25_024)
        #expect(harness.server.echo.maxMessageBytes == 1 << 20)
    }

    @Test func chatMemberSendingABiggerFrameGets1009AtOnceWhileEchoTakesIt() throws {
        let harness = try ServerHarness(config: chatConfig(maxMessageBytes: 1 << 20, maxTextBytes: 4000))
        let member = try harness.join("r", as: "ann")
        let echo = try harness.open("/echo")
        let payload = [UInt8](repeating: 0x62, count: 30_000)

        let header = ClientBytes.header(.text, length: payload.count)
        member.send(header + ClientBytes.maskPayload(Array(payload[0..<100]), from: 0))
        #expect(harness.run { member.receiveEnd() }, "closed on the header, before the payload arrived")
        #expect(member.closeFrames.map(\.closeCode) == [1009])
        #expect(harness.connections.bufferedInputBytes == 0)

        #expect(harness.send(ClientBytes.frame(.text, payload), from: echo))
        #expect(harness.run { echo.receive() >= 0 && !echo.frames.isEmpty })
        #expect(echo.frames.first?.payload == payload)
        #expect(echo.closeFrames.isEmpty)
    }

    @Test func chatFrameAtTheLimitIsAcceptedAndAnsweredByTheChatLayer() throws {
        let harness = try ServerHarness(config: chatConfig(maxTextBytes: 100))
        let member = try harness.join("r", as: "ann")
        member.discardReceived()
        member.send(ClientBytes.text(String(repeating: "a", count: 1624)))
        #expect(harness.run { member.receive() >= 0 && !member.texts.isEmpty })
        #expect(member.texts.first?.hasPrefix("! text_too_long: ") == true, "the chat layer refuses, not the session")
        #expect(harness.connections.acceptsData(member.id))
    }
}
