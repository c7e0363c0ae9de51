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
                failure: "database or disk is full"), now: 5000)
        #expect(report.unstoredTotal == 3)
        let entry = logs.events("history_unstored").first
        #expect(entry?.level == .warning)
        #expect(entry?.metadata["room"] == "r")
        #expect(entry?.metadata["first_id"] == "7")
        #expect(entry?.metadata["last_id"] == "9")
        #expect(entry?.metadata["reason"] == "database or disk is full")
        #expect(!entry!.message.contains("hello"))
    }

    @Test func consecutiveFailedBatchesOfARoomAreOneLineAndEveryIdIsNamed() {
        let logs = LogRecords()
        let report = makeReport(logs)
        let failed = { (batch: UInt64, room: String, first: UInt64, last: UInt64) in
            BatchOutcome(
                batch: batch,
                unstored: [UnstoredMessages(room: room, firstID: first, lastID: last, count: Int(last - first + 1))],
                failure: "full")
        }
        report.record(failed(1, "r", 6, 6), now: 5000)
        #expect(logs.events("history_unstored").count == 1, "the first run is logged at once")
        report.record(failed(2, "r", 7, 10), now: 5100)
        report.record(failed(3, "r", 11, 16), now: 5200)
        report.record(failed(4, "s", 1, 2), now: 5300)
        report.record(failed(5, "r", 20, 21), now: 5400)
        #expect(logs.events("history_unstored").count == 1, "at most one round of lines a second")
        report.logUnstoredIfDue(now: 6000)
        let lines = logs.events("history_unstored").map {
            "\($0.metadata["room"] ?? "")\($0.metadata["first_id"] ?? "")-\($0.metadata["last_id"] ?? "")"
        }
        #expect(lines == ["r6-6", "r7-16", "s1-2", "r20-21"])
        #expect(report.unstoredTotal == 1 + 4 + 6 + 2 + 2)
    }

    @Test func pendingRunsAreLoggedBeforeTheRecovery() {
        let logs = LogRecords()
        let report = makeReport(logs)
        report.observe(.degraded(reason: "full"), now: 0)
        report.record(
            BatchOutcome(batch: 1, unstored: [UnstoredMessages(room: "r", firstID: 1, lastID: 1, count: 1)]), now: 10)
        report.record(
            BatchOutcome(batch: 2, unstored: [UnstoredMessages(room: "r", firstID: 2, lastID: 2, count: 1)]), now: 20)
        report.observe(.healthy, now: 30)
        let events = logs.all.compactMap { $0.metadata["event"] }
        #expect(events == ["history_degraded", "history_unstored", "history_recovered"])
        #expect(logs.events("history_unstored").first?.metadata["last_id"] == "2", "both batches, one run")
    }

    @Test func aSuccessfulBatchLogsNothing() {
        let logs = LogRecords()
        let report = makeReport(logs)
        report.record(BatchOutcome(batch: 1), now: 0)
        report.observe(.healthy, now: 0)
        #expect(logs.all.isEmpty)
        #expect(report.degradedSummary == nil)
    }

    @Test func degradedAndRecoveredAreLoggedOnceEach() {
        let logs = LogRecords()
        let report = makeReport(logs)
        report.observe(.degraded(reason: "disk full"), now: 0)
        report.observe(.degraded(reason: "disk full"), now: 1)
        #expect(logs.events("history_degraded").count == 1)
        #expect(logs.events("history_degraded").first?.level == .error)
        #expect(report.degradedSummary == "history store: disk full (0 messages not stored)")
        report.observe(.healthy, now: 2)
        report.observe(.healthy, now: 3)
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
