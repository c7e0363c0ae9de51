import Testing
import WebSocketServer

@testable import ChatServer

/// The small pure pieces behind systemd integration and journal hygiene.
@Suite struct OperationsTests {
    @Test func throttleLetsOneLinePerKindThroughPerInterval() {
        var throttle = LogThrottle(intervalMilliseconds: 10_000)
        let calls: [(String, Int64)] = [
            ("slow_consumer", 0), ("slow_consumer", 1), ("slow_consumer", 9_999), ("connection_limit", 2),
            ("slow_consumer", 10_000), ("slow_consumer", 20_000),
        ]
        let answers = calls.map { throttle.admit($0.0, now: $0.1) }
        // Kinds are throttled separately, and a line that gets through says how many were held back.
        #expect(answers == [0, nil, nil, 0, 2, 0])
    }

    @Test func watchdogPingsAtItsInterval() {
        var watchdog = Watchdog(pingIntervalMilliseconds: 1500)
        let answers = [100, 1000, 1599, 1600, 1601].map { watchdog.pingIsDue(now: Int64($0)) }
        #expect(answers == [true, false, false, true, false])
    }

    @Test func activitySummaryIsOncePerMinuteAndOnlyWhenBusy() {
        var summary = ActivitySummary(now: 0)
        var stats = ConnectionStats()
        let early = summary.due(now: 30_000, stats: stats, connections: 0, rooms: 0)
        let quiet = summary.due(now: 60_000, stats: stats, connections: 0, rooms: 0)
        #expect(early == nil)
        #expect(quiet == nil, "quiet minute: no line")
        stats.acceptedConnections = 5
        stats.messagesReceived = 7
        stats.messagesDelivered = 70
        let busy = summary.due(now: 120_000, stats: stats, connections: 3, rooms: 1)
        #expect(
            busy
                == "last 60 s: 5 connections accepted, 0 shed, 7 messages received, 70 delivered; "
                + "now 3 connections in 1 rooms")
        let next = summary.due(now: 180_000, stats: stats, connections: 3, rooms: 1)
        #expect(next == nil, "counts are per interval")
    }

    @Test func messageIDMetadataBecomesTheJournalsOwnField() {
        #expect(JournalFields.fieldName(forMetadataKey: "message_id") == "MESSAGE_ID")
        #expect(JournalFields.fieldName(forMetadataKey: "event") == "CHATD_EVENT")
        let ids = [
            JournalMessageID.started, JournalMessageID.stopped, JournalMessageID.reloaded,
            JournalMessageID.configError, JournalMessageID.limitHit,
        ]
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
    }
}
