import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// Output larger than the socket takes: the connection's queue goes out over many passes, byte-exact and in
/// order, EPOLLOUT is watched only while something is left over.
@Suite struct PartialWriteTests {
    @Test func bigEchoThroughATinySocketBufferArrivesIntact() throws {
        let harness = try TableHarness(appBehaviour: .echo)
        let client = try harness.open(serverSendBuffer: 4096)
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 11) }
        #expect(harness.send(ClientBytes.frame(.binary, payload), from: client))
        #expect(harness.run { harness.app.received.count == 1 })
        let connection = try #require(harness.connection(client.id))

        var passes = 0
        var sawWritableInterest = false
        let done = harness.run(limit: 5000) {
            passes += 1
            sawWritableInterest = sawWritableInterest || connection.watchingWritable
            client.receive()
            return !client.frames.isEmpty
        }
        #expect(done)
        #expect(passes > 10, "the socket buffer should have forced many partial writes")
        #expect(sawWritableInterest, "EPOLLOUT must be watched while output waits")
        #expect(client.frames.count == 1)
        #expect(client.frames.first?.opcode == 2)
        #expect(client.frames.first?.payload == payload)
        #expect(harness.table.queuedBytes(of: client.id) == 0)
        #expect(!connection.watchingWritable, "EPOLLOUT interest is dropped once the queue drained")
    }

    @Test func moreChunksThanOneWritevTakesStayInOrder() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        for index in 0..<3000 {
            harness.table.deliver(FrameChunks.text("\(index)"), to: client.id)
        }
        let done = harness.run(limit: 200) {
            client.receive()
            return client.frames.count >= 3000
        }
        #expect(done)
        #expect(client.texts == (0..<3000).map { "\($0)" })
        #expect(client.unparsedByteCount == 0)
    }

    @Test func deliveryIsCorkedUntilTheEndOfThePass() throws {
        let harness = try TableHarness()
        let client = try harness.open()
        harness.table.deliver(FrameChunks.text("corked"), to: client.id)
        client.receive()
        #expect(client.frames.isEmpty, "nothing is written before the end of the pass")
        #expect(harness.table.queuedBytes(of: client.id) == 8)
        harness.pass()
        client.receive()
        #expect(client.texts == ["corked"])
        #expect(harness.table.queuedBytes(of: client.id) == 0)
    }
}
