import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// The outbound policy as connections live it: past the hard limit a peer is cut at once; above the soft limit it
/// is cut only when it stays there for the soft duration (the sweep's clock decides), and a queue that drains in
/// time starts over.
@Suite struct OutboundLimitTests {
    static let softPolicy = OutboundPolicy(
        hardLimitBytes: 1 << 20, softLimitBytes: 16 << 10, softLimitMilliseconds: 1000)

    /// A harness with `policy` and one member that never reads (4 KiB socket buffer) holding about 40 KiB of queue.
    private func backedUp(_ policy: OutboundPolicy) throws -> (harness: TableHarness, client: TestClient) {
        let harness = try TableHarness(settings: testSettings(outbound: policy))
        let client = try harness.open(serverSendBuffer: 4096)
        for index in 0..<5 {
            harness.table.deliver(FrameChunks.text("\(index)" + String(repeating: "x", count: 8191)), to: client.id)
        }
        harness.pass()
        return (harness, client)
    }

    @Test func queueAboveTheSoftLimitForTheSoftDurationIsCut() throws {
        let (harness, client) = try backedUp(Self.softPolicy)
        let connection = try #require(harness.connection(client.id))
        #expect(harness.table.queuedBytes(of: client.id) > 16 << 10)
        let since = connection.aboveSoftLimitSince
        #expect(since != Int64.max, "the soft-limit clock did not start")

        harness.table.sweep(now: since + 999)
        #expect(harness.table.acceptsData(client.id), "cut before the soft duration was over")
        harness.table.sweep(now: since + 1000)
        try #require(!harness.table.acceptsData(client.id), "above the soft limit for the whole soft duration")
        harness.pass()
        #expect(harness.run(limit: 400) { client.receive() >= 0 && !client.closeFrames.isEmpty })
        #expect(client.closeFrames.map(\.closeCode) == [1013])
        #expect(client.closeFrames.first?.closeReason == "slow consumer")
        #expect(client.framesAfterClose.isEmpty)
        #expect(harness.table.stats.slowConsumers == 1)
    }

    @Test func queueThatDrainsInTimeSurvivesAndItsClockStartsOver() throws {
        let (harness, client) = try backedUp(Self.softPolicy)
        let connection = try #require(harness.connection(client.id))
        let since = connection.aboveSoftLimitSince
        #expect(since != Int64.max)

        #expect(harness.run { client.receive() >= 0 && harness.table.queuedBytes(of: client.id) == 0 })
        #expect(connection.aboveSoftLimitSince == Int64.max, "a drained queue is no longer above the soft limit")
        harness.table.sweep(now: since + 5000)
        #expect(harness.table.acceptsData(client.id))
        #expect(client.texts.count == 5)
        #expect(harness.table.stats.slowConsumers == 0)
    }

    @Test func queueOverTheHardLimitIsCutAtOnceAndItsBacklogDropped() throws {
        let policy = OutboundPolicy(hardLimitBytes: 32 << 10, softLimitBytes: 32 << 10, softLimitMilliseconds: 0)
        let (harness, client) = try backedUp(policy)
        #expect(!harness.table.acceptsData(client.id), "decided during the delivery that crossed the limit")
        #expect(harness.table.queuedBytes(of: client.id) < 32 << 10, "the unsent backlog is dropped")
        let warnings = harness.logs.events("slow_consumer")
        #expect(warnings.count == 1)
        #expect(warnings.first?.level == .warning)
        #expect(warnings.first?.metadata["message_id"] == "limit-hit-id")
        #expect(harness.run { client.receive() >= 0 && !client.closeFrames.isEmpty })
        #expect(client.closeFrames.map(\.closeCode) == [1013])
        let numbers = client.texts.compactMap { $0.first?.wholeNumberValue }
        #expect(numbers == Array(0..<numbers.count), "only whole frames from the front of the queue")
        #expect(numbers.count < 5)
    }
}
