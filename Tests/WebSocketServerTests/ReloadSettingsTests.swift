import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// `ConnectionTable.apply`: what a configuration reload changes for connections that already exist (the message
/// limit from the next frame on, the idle timeout at the next sweep) and what only new connections get (header
/// limits, a running handshake deadline).
@Suite struct ReloadSettingsTests {
    /// A binary frame of `count` bytes.
    static func binary(_ count: Int) -> [UInt8] {
        ClientBytes.frame(.binary, [UInt8](repeating: 7, count: count))
    }

    @Test func loweredMessageLimitAppliesToTheNextFrameOfOpenSessions() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        let other = try harness.open()
        client.send(Self.binary(2000))
        harness.pass()
        #expect(harness.app.received.count == 1, "2000 bytes are fine under the old limit")

        harness.app.maxMessageBytes = 1000
        harness.table.apply(testSettings())
        client.send(Self.binary(2000))
        other.send(Self.binary(1000))
        #expect(harness.run { client.receiveEnd() })
        #expect(client.closeFrames.map(\.closeCode) == [1009])
        #expect(harness.app.received.count == 2, "the frame at the new limit still passes")
        #expect(harness.app.received.last?.id == other.id)
    }

    @Test func raisedMessageLimitLetsBiggerMessagesThroughOnlyOnceApplied() throws {
        let harness = try TableHarness()
        harness.app.maxMessageBytes = 1000
        let early = try harness.open()
        let late = try harness.open()
        harness.app.maxMessageBytes = 10_000

        early.send(Self.binary(5000))
        #expect(harness.run { early.receiveEnd() })
        #expect(early.closeFrames.map(\.closeCode) == [1009], "an open session keeps its limit until apply")

        harness.table.apply(testSettings())
        late.send(Self.binary(5000))
        #expect(harness.run { harness.app.received.count == 1 })
        #expect(harness.app.received.first?.payload.count == 5000)
        #expect(harness.table.acceptsData(late.id))
    }

    @Test func newHeaderLimitsApplyToNewConnectionsOnly() throws {
        let harness = try TableHarness()
        let before = try harness.connect()
        harness.table.apply(testSettings(headerLimits: HTTPParserLimits(maxHeaderBytes: 256)))
        let after = try harness.connect()
        let padding = "X-Padding: " + String(repeating: "p", count: 300)
        before.send(ClientBytes.upgrade("/app", extraHeaders: [padding]))
        after.send(ClientBytes.upgrade("/app", extraHeaders: [padding]))
        #expect(harness.run { after.receiveEnd() })
        #expect(after.receivedText.hasPrefix("HTTP/1.1 431 "))
        before.receive()
        #expect(before.isUpgraded, "a request already being read keeps the limits it started with")
    }

    @Test func runningHandshakeDeadlineKeepsItsValue() throws {
        let harness = try TableHarness(settings: testSettings(handshakeTimeout: 10_000))
        let before = try harness.connect()
        let now = harness.loop.nowMilliseconds
        #expect(harness.connection(before.id)?.deadline == now + 10_000)
        harness.table.apply(testSettings(handshakeTimeout: 1000))
        let after = try harness.connect()
        #expect(harness.connection(before.id)?.deadline == now + 10_000)
        #expect(harness.connection(after.id)?.deadline == now + 1000)

        harness.table.sweep(now: now + 1000)
        #expect(harness.table.contains(before.id))
        #expect(!harness.table.contains(after.id))
    }

    @Test func newIdleTimeoutAppliesAtTheNextSweep() throws {
        let harness = try TableHarness(settings: testSettings(idleTimeout: 60_000))
        let client = try harness.open()
        let heard = try #require(harness.connection(client.id)).lastHeard
        harness.table.sweep(now: heard + 1000)
        harness.pass()
        client.receive()
        #expect(client.frames.isEmpty)

        harness.table.apply(testSettings(idleTimeout: 1000))
        harness.table.sweep(now: heard + 1000)
        harness.pass()
        client.receive()
        #expect(client.frames.map(\.opcode) == [9])
    }

    @Test func raisedOutboundLimitKeepsABackedUpPeer() throws {
        let tight = OutboundPolicy(hardLimitBytes: 64 << 10, softLimitBytes: 64 << 10, softLimitMilliseconds: 0)
        let harness = try TableHarness(settings: testSettings(outbound: tight))
        let client = try harness.open(serverSendBuffer: 4096)
        for _ in 0..<6 { harness.table.deliver(FrameChunks.text(String(repeating: "y", count: 8000)), to: client.id) }
        harness.pass()
        let queued = harness.table.queuedBytes(of: client.id)
        #expect(queued > 16 << 10)
        let wide = OutboundPolicy(hardLimitBytes: 1 << 20, softLimitBytes: 1 << 20, softLimitMilliseconds: 0)
        harness.table.apply(testSettings(outbound: wide))
        harness.pass()
        #expect(harness.table.acceptsData(client.id))
        let narrow = OutboundPolicy(hardLimitBytes: queued, softLimitBytes: queued, softLimitMilliseconds: 0)
        harness.table.apply(testSettings(outbound: narrow))
        #expect(harness.table.acceptsData(client.id), "exactly at the limit is not over it")
    }

    @Test func loweredConnectionLimitRefusesNewConnectionsOnly() throws {
        let harness = try TableHarness()
        let first = try harness.open()
        let second = try harness.open()
        harness.table.apply(testSettings(maxConnections: 1))
        harness.pass()
        #expect(harness.table.acceptsData(first.id) && harness.table.acceptsData(second.id))
        #expect(throws: (any Error).self) { try harness.connect() }
        #expect(harness.table.stats.shedConnections == 1)
    }
}
