import History
import XCTest

@testable import SQLiteHistory

/// Retention on the writer thread: bounded per transaction, converging, keeping each room's row.
final class PruningTests: StoreTestCase {
    func testPruningByCountIsBoundedPerTransactionAndConverges() throws {
        let history = try open(retention: HistoryRetention(keepMessages: 100))
        history.roomCreated("dev", epoch: "e1")
        store(1...2_000, in: "dev", into: history)
        history.roomCreated("ops", epoch: "e1")
        store(1...150, in: "ops", into: history)
        XCTAssertTrue(
            try eventually {
                try history.messages(in: "dev", after: 0, limit: 10_000).count == 100
                    && history.messages(in: "ops", after: 0, limit: 10_000).count == 100
            })
        XCTAssertEqual(try history.messages(in: "dev", after: 0, limit: 10_000).map(\.id), Array(1_901...2_000))
        XCTAssertEqual(try history.messages(in: "ops", after: 0, limit: 10_000).map(\.id), Array(51...150))
        let counts = history.pruneCountsForTesting
        XCTAssertEqual(counts.total, 1_900 + 50)
        XCTAssertLessThanOrEqual(counts.largest, HistoryWriter.pruneBudget)
        XCTAssertEqual(try history.loadRoom("dev", recent: 0)?.lastID, 2_000)
    }

    func testPruningARoomWithHolesInItsIdsConvergesWithoutNewMessages() throws {
        let history = try open()
        history.roomCreated("sparse", epoch: "e")
        for id in stride(from: UInt64(1), through: 3_001, by: 3) {
            history.append(message(id), room: "sparse")
        }
        _ = history.submitBatch()
        history.waitForSubmittedBatches()
        history.retention = HistoryRetention(keepMessages: 30)
        XCTAssertTrue(
            try eventually {
                try history.messages(in: "sparse", after: 0, limit: 10_000).first?.id ?? 0 > 2_971
            })
        XCTAssertEqual(
            try history.messages(in: "sparse", after: 0, limit: 10_000).map(\.id),
            Array(stride(from: UInt64(2_974), through: 3_001, by: 3)), "ids above last_id - keep_messages stay")
        XCTAssertLessThanOrEqual(history.pruneCountsForTesting.largest, HistoryWriter.pruneBudget)
    }

    func testLoweringRetentionPrunesEveryRoomWithoutNewMessages() throws {
        let history = try open()
        for room in ["a", "b", "c"] {
            history.roomCreated(room, epoch: "e")
            store(1...300, in: room, into: history)
        }
        history.retention = HistoryRetention(keepMessages: 10)
        XCTAssertEqual(history.retention, HistoryRetention(keepMessages: 10))
        XCTAssertTrue(
            try eventually {
                try ["a", "b", "c"].allSatisfy { try history.messages(in: $0, after: 0, limit: 1_000).count == 10 }
            })
        XCTAssertEqual(try history.lastMessages(in: "b", count: 100).map(\.id), Array(291...300))
    }

    func testPruningByAgeKeepsNewerMessagesAndTheRoomsLastID() throws {
        let history = try open(retention: HistoryRetention(keepMessages: 100_000, keepDays: 1))
        let old = nowMilliseconds() - 3 * 86_400_000
        history.roomCreated("dev", epoch: "e1")
        store(1...1_200, in: "dev", into: history, timestamp: old)
        store(1_201...1_210, in: "dev", into: history)
        XCTAssertTrue(try eventually { try history.messages(in: "dev", after: 0, limit: 10_000).count == 10 })
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 100).map(\.id), Array(1_201...1_210))
        XCTAssertLessThanOrEqual(history.pruneCountsForTesting.largest, HistoryWriter.pruneBudget)
    }

    func testRoomKeepsItsEpochAndLastIDAfterEveryMessageAgedOutAndAReopen() throws {
        var history = try open(retention: HistoryRetention(keepDays: 1))
        let old = nowMilliseconds() - 2 * 86_400_000
        history.roomCreated("dev", epoch: "e7")
        store(1...600, in: "dev", into: history, timestamp: old)
        XCTAssertTrue(try eventually { try history.lastMessages(in: "dev", count: 10).isEmpty })
        close(history)

        history = try open(retention: HistoryRetention(keepDays: 1))
        XCTAssertEqual(try history.loadRoom("dev", recent: 10), StoredRoom(epoch: "e7", lastID: 600, recent: []))
        store(601...602, in: "dev", into: history)
        XCTAssertEqual(try history.loadRoom("dev", recent: 10)?.recent.map(\.id), [601, 602])
    }

    func testRetentionChangedWhileClosedIsAppliedAfterOpening() throws {
        var history = try open()
        store(1...50, in: "dev", into: history)
        close(history)
        history = try open(retention: HistoryRetention(keepMessages: 5))
        XCTAssertTrue(try eventually { try history.messages(in: "dev", after: 0, limit: 100).count == 5 })
    }
}
