import Logging
import Testing

@testable import GlueTestSupport
@testable import WebSocketServer

/// Limit warnings: one line per kind per ten seconds, carrying the journal message id and how many were held back,
/// so a client flood that keeps hitting a limit cannot flood the journal.
@Suite struct ServerLogTests {
    @Test func limitHitIsAThrottledWarningWithItsMessageID() {
        let records = LogRecords()
        let log = ServerLog(logger: records.logger(), limitHitMessageID: "0123abcd")
        log.limitHit("slow_consumer", "slow", metadata: ["client": "peer-1"], now: 0)
        log.limitHit("slow_consumer", "slow", metadata: ["client": "peer-2"], now: 5000)
        log.limitHit("input_budget", "budget", now: 6000)
        log.limitHit("slow_consumer", "slow", metadata: ["client": "peer-3"], now: 10_000)

        let lines = records.all
        #expect(lines.map(\.message) == ["slow", "budget", "slow"])
        #expect(lines.allSatisfy { $0.level == .warning && $0.metadata["message_id"] == "0123abcd" })
        #expect(lines.map { $0.metadata["event"] } == ["slow_consumer", "input_budget", "slow_consumer"])
        #expect(lines.map { $0.metadata["held_back"] } == ["0", "0", "1"])
        #expect(lines.map { $0.metadata["client"] } == ["peer-1", nil, "peer-3"])
    }

    @Test func levelChangeReachesTheConnectionLayer() throws {
        let harness = try TableHarness()
        harness.table.log.logger.logLevel = .info
        let client = try harness.open()
        client.close()
        #expect(harness.run { harness.table.count == 0 })
        #expect(harness.logs.events("open").isEmpty, "debug lines are off at info level")
        harness.table.log.logger.logLevel = .debug
        let second = try harness.open()
        #expect(harness.logs.events("open").count == 1)
        #expect(harness.logs.events("open").first?.metadata["path"] == "/app")
        second.close()
    }
}
