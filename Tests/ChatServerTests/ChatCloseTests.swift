import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// Closing a chat member, through the whole server: whatever closes it (`/quit`, silence, a full queue, a reload,
/// shutdown), the member that never answers the close gets no data frame after it, the others keep chatting and
/// see it leave once, announced (silently on shutdown).
@Suite struct ChatCloseTests {
    /// alice (the one who will be closed), bob (who keeps talking) and carol (who listens) in room `r`, their join
    /// sequences read and forgotten.
    private struct Room {
        let harness: ServerHarness
        let alice: TestClient
        let bob: TestClient
        let carol: TestClient
        /// bob's messages so far.
        var said: [String] = []

        init(config: ChatdConfig = chatConfig(), aliceSendBuffer: Int32? = nil) throws {
            harness = try ServerHarness(config: config)
            alice = try harness.join("r", as: "alice", serverSendBuffer: aliceSendBuffer)
            bob = try harness.join("r", as: "bob")
            carol = try harness.join("r", as: "carol")
            harness.run { carol.receive() >= 0 && carol.texts.contains("* carol joined r") }
            bob.discardReceived()
            carol.discardReceived()
        }

        /// bob says `count` numbered things (padded to `size` bytes), one pass each; bob and carol read.
        mutating func bobSays(_ count: Int, size: Int = 0) {
            for _ in 0..<count {
                let text = "m\(said.count)" + String(repeating: "-", count: max(0, size - 6))
                said.append("bob: " + text)
                bob.send(ClientBytes.text(text))
                harness.pass()
                bob.receive()
                carol.receive()
            }
        }

        /// The checks every path shares.
        func expectAliceClosed(code: UInt16, reason: String, leaveLines: Int = 1) {
            #expect(alice.closeFrames.map(\.closeCode) == [code])
            #expect(alice.closeFrames.first?.closeReason == reason)
            #expect(alice.framesAfterClose.isEmpty, "data after the close frame: \(alice.framesAfterClose.map(\.text))")
            #expect(carol.texts.filter { $0 == "* alice left r" }.count == leaveLines)
            #expect(carol.texts.filter { $0.hasPrefix("bob: ") } == said, "carol missed or reordered messages")
            #expect(harness.server.chat.service.memberCount == 2)
        }
    }

    @Test func quit() throws {
        var room = try Room()
        room.alice.discardReceived()
        room.alice.send(ClientBytes.text("/quit"))
        room.bobSays(1)
        #expect(!room.harness.connections.acceptsData(room.alice.id))
        room.bobSays(3)
        room.alice.receive()
        room.expectAliceClosed(code: 1000, reason: "bye")
        #expect(room.harness.connections.contains(room.alice.id), "still waiting for alice's answer")
    }

    @Test func idleTimeoutThroughTheLifecycleSweep() throws {
        var room = try Room(config: chatConfig(idleTimeoutMs: 100_000, pongTimeoutMs: 50_000))
        let base = room.harness.server.loop.nowMilliseconds
        room.harness.lifecycle.sweep(now: base + 100_000)
        room.harness.pass()
        room.bob.send(ClientBytes.frame(.pong, []))
        room.carol.send(ClientBytes.frame(.pong, []))
        room.harness.pass()
        room.harness.lifecycle.sweep(now: base + 150_000)
        #expect(!room.harness.connections.acceptsData(room.alice.id))
        room.bobSays(3)
        room.alice.receive()
        room.expectAliceClosed(code: 1001, reason: "idle timeout")
    }

    @Test func slowConsumer() throws {
        let config = chatConfig(maxMessageBytes: 16 << 10, maxOutboundBytes: 64 << 10)
        var room = try Room(config: config, aliceSendBuffer: 4096)
        for _ in 0..<200 where room.harness.connections.acceptsData(room.alice.id) {
            room.bobSays(1, size: 3000)
        }
        #expect(!room.harness.connections.acceptsData(room.alice.id))
        #expect(room.carol.texts.contains("* alice left r"), "announced before alice answered")
        room.bobSays(3, size: 3000)
        #expect(room.harness.run(limit: 1000) { room.alice.receive() >= 0 && !room.alice.closeFrames.isEmpty })
        room.expectAliceClosed(code: 1013, reason: "slow consumer")
        #expect(room.harness.connections.stats.slowConsumers == 1)
    }

    @Test func reloadThatLowersTheOutboundLimit() throws {
        let config = chatConfig(maxMessageBytes: 16 << 10)
        var room = try Room(config: config, aliceSendBuffer: 4096)
        for _ in 0..<200 where room.harness.connections.queuedBytes(of: room.alice.id) < 40_000 {
            room.bobSays(1, size: 3000)
        }
        #expect(room.harness.connections.queuedBytes(of: room.alice.id) >= 40_000)
        var lowered = config
        lowered.maxOutboundBytes = 32 << 10
        room.harness.server.apply(lowered)
        #expect(!room.harness.connections.acceptsData(room.alice.id), "over the new limit at once")
        #expect(room.harness.connections.acceptsData(room.bob.id))
        room.bobSays(3, size: 3000)
        #expect(room.harness.run(limit: 1000) { room.alice.receive() >= 0 && !room.alice.closeFrames.isEmpty })
        room.expectAliceClosed(code: 1013, reason: "slow consumer")
    }

    @Test func shutdownClosesEveryoneWithOneFrameAndNoLeaveLines() throws {
        let room = try Room()
        room.alice.discardReceived()
        let delivered = room.harness.connections.stats.messagesDelivered
        room.harness.lifecycle.beginShutdown(signal: "test")
        room.harness.pass()
        for client in [room.alice, room.bob, room.carol] {
            client.receive()
            #expect(client.frames.count == 1)
            #expect(client.frames.first?.closeCode == 1001)
            #expect(client.frames.first?.closeReason == "server shutting down")
        }
        #expect(room.harness.connections.stats.messagesDelivered == delivered, "nobody was told anybody left")
        #expect(room.harness.server.chat.service.memberCount == 0)
        #expect(room.harness.logs.events("stopping").first?.metadata["connections"] == "3")
    }
}
