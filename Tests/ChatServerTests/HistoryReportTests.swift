import History
import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// A store that is failing or has recovered, as the test says, and reports finished batches it is given.
final class FaultyStore: HistoryStore {
    var health: HistoryStoreHealth = .healthy
    var outcomes: [BatchOutcome] = []
    var retention = HistoryRetention()

    func loadRoom(_ room: String, recent: Int) throws(HistoryStoreError) -> StoredRoom? { nil }
    func roomCreated(_ room: String, epoch: String) {}
    func append(_ message: HistoryMessage, room: String) {}
    func messages(in room: String, after id: UInt64, limit: Int) throws(HistoryStoreError) -> [HistoryMessage] { [] }
    func lastMessages(in room: String, count: Int) throws(HistoryStoreError) -> [HistoryMessage] { [] }
    func roomEvicted(_ room: String) {}
    var hasUncommittedWork: Bool { false }
    func submitBatch() -> UInt64 { 0 }
    func takeOutcomes() -> [BatchOutcome] {
        defer { outcomes = [] }
        return outcomes
    }
    var completionDescriptor: Int32? { nil }
    func waitForSubmittedBatches() {}
    func close() {}
}

/// What the operator is told about the store: unstored runs, degraded and recovered, `/healthz` and `STATUS=`.
@Suite struct HistoryReportTests {
    /// A report logging into `logs`.
    func makeReport(_ logs: LogRecords) -> HistoryReport {
        HistoryReport(log: ServerLog(logger: logs.logger(), limitHitMessageID: "test"))
    }

    @Test func unstoredRunsAreCountedAndLoggedWithoutTheText() {
        let logs = LogRecords()
        let report = makeReport(logs)
        report.record(
            BatchOutcome(
                batch: 3, unstored: [UnstoredMessages(room: "r", firstID: 7, lastID: 9, count: 3)],
                failure: "database or disk is full"), now: 0)
        #expect(report.unstoredTotal == 3)
        let entry = logs.events("history_unstored").first
        #expect(entry?.metadata["room"] == "r")
        #expect(entry?.metadata["first_id"] == "7")
        #expect(entry?.metadata["last_id"] == "9")
        #expect(entry?.metadata["reason"] == "database or disk is full")
    }

    @Test func aSuccessfulBatchLogsNothing() {
        let logs = LogRecords()
        let report = makeReport(logs)
        report.record(BatchOutcome(batch: 1), now: 0)
        report.observe(.healthy)
        #expect(logs.all.isEmpty)
        #expect(report.degradedSummary == nil)
    }

    @Test func degradedAndRecoveredAreLoggedOnceEach() {
        let logs = LogRecords()
        let report = makeReport(logs)
        report.observe(.degraded(reason: "disk full"))
        report.observe(.degraded(reason: "disk full"))
        #expect(logs.events("history_degraded").count == 1)
        #expect(logs.events("history_degraded").first?.level == .error)
        #expect(report.degradedSummary == "history store: disk full (0 messages not stored)")
        report.observe(.healthy)
        report.observe(.healthy)
        #expect(logs.events("history_recovered").count == 1)
        #expect(report.degradedSummary == nil)
    }

    @Test func healthzSaysDegradedButStillAnswers200() {
        let reply = ChatdRouter.respond(
            to: HTTPRequestHead(method: "GET", target: "/healthz"), degraded: "history store: disk full")
        let text = String(decoding: reply.bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(text.hasSuffix("\r\n\r\ndegraded: history store: disk full\n"))
    }

    @Test func theServerReportsAFailingStoreInHealthzStatusAndTheLog() throws {
        let store = FaultyStore()
        let harness = try ServerHarness(historyStore: store)
        store.health = .degraded(reason: "disk I/O error")
        store.outcomes = [
            BatchOutcome(
                batch: 1, unstored: [UnstoredMessages(room: "r", firstID: 1, lastID: 1, count: 1)],
                failure: "disk I/O error")
        ]
        harness.server.chat.batchesMayHaveFinished()
        #expect(harness.logs.events("history_degraded").count == 1)
        #expect(harness.logs.events("history_unstored").count == 1)
        #expect(harness.lifecycle.statusLine(rate: 0).contains("degraded: history store: disk I/O error"))
        let router = ChatdRouter(chat: harness.server.chat, echo: harness.server.echo)
        let health = String(
            decoding: router.response(to: HTTPRequestHead(method: "GET", target: "/healthz")).bytes, as: UTF8.self)
        #expect(health.hasSuffix("degraded: history store: disk I/O error (1 messages not stored)\n"))
        store.health = .healthy
        harness.lifecycle.sweep(now: harness.server.loop.nowMilliseconds)
        #expect(harness.logs.events("history_recovered").count == 1)
        #expect(!harness.lifecycle.statusLine(rate: 0).contains("degraded"))
    }
}
