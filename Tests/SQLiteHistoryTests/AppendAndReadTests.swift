import Glibc
import History
import XCTest

@testable import SQLiteHistory

/// Appends, batches, outcomes and the three reads, on a healthy store.
final class AppendAndReadTests: StoreTestCase {
    func testMessagesComeBackInOrderWithEveryField() throws {
        let history = try open()
        history.roomCreated("dev", epoch: "e1")
        let sent = (1...5).map { message(UInt64($0), from: "bob-\($0)", text: "text \($0) ✓", timestamp: 1_000 + $0) }
        for item in sent {
            history.append(item, room: "dev")
        }
        XCTAssertTrue(history.hasUncommittedWork)
        let batch = history.submitBatch()
        XCTAssertFalse(history.hasUncommittedWork)
        XCTAssertEqual(batch, 1)
        history.waitForSubmittedBatches()
        XCTAssertEqual(history.takeOutcomes(), [BatchOutcome(batch: 1)])
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 10), sent)
        XCTAssertEqual(
            try history.loadRoom("dev", recent: 3), StoredRoom(epoch: "e1", lastID: 5, recent: Array(sent[2...])))
        XCTAssertNil(try history.loadRoom("nowhere", recent: 3))
        XCTAssertEqual(history.health, .healthy)
    }

    func testIdsContinueAcrossBatchesAndOutcomesArriveInOrder() throws {
        let history = try open()
        history.roomCreated("dev", epoch: "e1")
        var numbers: [UInt64] = []
        for first in stride(from: UInt64(1), through: 91, by: 10) {
            for id in first..<(first + 10) {
                history.append(message(id), room: "dev")
            }
            numbers.append(history.submitBatch())
        }
        history.waitForSubmittedBatches()
        XCTAssertEqual(history.takeOutcomes().map(\.batch), numbers)
        XCTAssertEqual(numbers, Array(1...10))
        let stored = try history.lastMessages(in: "dev", count: 1_000)
        XCTAssertEqual(stored.map(\.id), Array(1...100))
        XCTAssertEqual(try history.loadRoom("dev", recent: 0)?.lastID, 100)
    }

    func testCompletionDescriptorSignalsFinishedBatches() throws {
        let history = try open()
        let fd = try XCTUnwrap(history.completionDescriptor)
        XCTAssertFalse(isReadable(fd))
        history.append(message(1), room: "dev")
        let batch = history.submitBatch()
        XCTAssertTrue(isReadable(fd, timeoutMilliseconds: 5_000))
        XCTAssertEqual(history.takeOutcomes(), [BatchOutcome(batch: batch)])
        XCTAssertFalse(isReadable(fd))
        XCTAssertEqual(history.takeOutcomes(), [])
    }

    func testEmptyBatchesFinishToo() throws {
        let history = try open()
        let first = history.submitBatch()
        let second = history.submitBatch()
        history.waitForSubmittedBatches()
        XCTAssertEqual(history.takeOutcomes(), [BatchOutcome(batch: first), BatchOutcome(batch: second)])
        XCTAssertEqual(history.commitStatistics.count, 0)
    }

    func testQueuedBatchesAreCommittedInOneTransaction() throws {
        let history = try open()
        history.pauseWriterForTesting(true)
        var numbers: [UInt64] = []
        for batch in UInt64(0)..<8 {
            for id in (batch * 4 + 1)...(batch * 4 + 4) {
                history.append(message(id), room: batch % 2 == 0 ? "even" : "odd")
            }
            numbers.append(history.submitBatch())
        }
        XCTAssertEqual(history.takeOutcomes(), [])
        history.pauseWriterForTesting(false)
        history.waitForSubmittedBatches()
        XCTAssertEqual(history.takeOutcomes().map(\.batch), numbers)
        XCTAssertEqual(history.commitStatistics.count, 1, "eight queued batches, one transaction")
        XCTAssertEqual(try history.lastMessages(in: "even", count: 100).count, 16)
        XCTAssertEqual(try history.lastMessages(in: "odd", count: 100).count, 16)
    }

    func testMessagesAfterAndLastMessagesSkipHoles() throws {
        let history = try open()
        history.roomCreated("dev", epoch: "e1")
        for id: UInt64 in [1, 2, 5, 6, 9, 12] {
            history.append(message(id, timestamp: 100), room: "dev")
        }
        history.append(message(3), room: "other")
        _ = history.submitBatch()
        XCTAssertEqual(try history.messages(in: "dev", after: 0, limit: 100).map(\.id), [1, 2, 5, 6, 9, 12])
        XCTAssertEqual(try history.messages(in: "dev", after: 2, limit: 3).map(\.id), [5, 6, 9])
        XCTAssertEqual(try history.messages(in: "dev", after: 3, limit: 100).map(\.id), [5, 6, 9, 12])
        XCTAssertEqual(try history.messages(in: "dev", after: 12, limit: 100), [])
        XCTAssertEqual(try history.messages(in: "dev", after: 0, limit: 0), [])
        XCTAssertEqual(try history.messages(in: "dev", after: UInt64.max, limit: 10), [])
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 3).map(\.id), [6, 9, 12])
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 0), [])
        XCTAssertEqual(try history.lastMessages(in: "nowhere", count: 3), [])
        XCTAssertEqual(try history.messages(in: "nowhere", after: 0, limit: 3), [])
        XCTAssertEqual(
            try history.loadRoom("dev", recent: 2),
            StoredRoom(epoch: "e1", lastID: 12, recent: [message(9, timestamp: 100), message(12, timestamp: 100)]))
    }

    func testReadsSeeEveryBatchSubmittedBeforeThem() throws {
        let history = try open()
        history.roomCreated("dev", epoch: "e1")
        for round in UInt64(0)..<20 {
            for id in (round * 50 + 1)...(round * 50 + 50) {
                history.append(message(id), room: "dev")
            }
            _ = history.submitBatch()
            // No wait: the read itself must wait for the writer.
            XCTAssertEqual(try history.loadRoom("dev", recent: 1)?.lastID, round * 50 + 50)
        }
        XCTAssertEqual(history.takeOutcomes().count, 20)
    }

    func testAppendsToARoomNeverCreatedGetAnEmptyEpoch() throws {
        let history = try open()
        store(1...3, in: "loose", into: history)
        XCTAssertEqual(try history.loadRoom("loose", recent: 10)?.epoch, "")
        XCTAssertEqual(try history.loadRoom("loose", recent: 10)?.lastID, 3)
    }

    func testEmptyTextsAndNamesAreStoredAsEmpty() throws {
        let history = try open()
        history.append(HistoryMessage(id: 1, from: "", text: "", timestamp: 5, isAction: true), room: "dev")
        _ = history.submitBatch()
        XCTAssertEqual(
            try history.lastMessages(in: "dev", count: 1),
            [HistoryMessage(id: 1, from: "", text: "", timestamp: 5, isAction: true)])
    }

    func testCommitStatisticsCountEveryGroupCommit() throws {
        let history = try open()
        for round in UInt64(0)..<5 {
            store((round * 10 + 1)...(round * 10 + 10), in: "dev", into: history)
        }
        let statistics = history.commitStatistics
        XCTAssertEqual(statistics.count, 5)
        XCTAssertGreaterThan(statistics.totalMicroseconds, 0)
        XCTAssertLessThanOrEqual(statistics.p50Microseconds, statistics.p99Microseconds)
        XCTAssertLessThanOrEqual(statistics.p99Microseconds, statistics.maxMicroseconds)
    }

    func testUseAfterCloseFailsCleanly() throws {
        let history = try open()
        store(1...2, in: "dev", into: history)
        close(history)
        XCTAssertThrowsError(try history.loadRoom("dev", recent: 1))
        history.append(message(3), room: "dev")
        let batch = history.submitBatch()
        let outcome = history.takeOutcomes().first
        XCTAssertEqual(outcome?.batch, batch)
        XCTAssertNotNil(outcome?.failure)
        XCTAssertEqual(outcome?.unstored, [UnstoredMessages(room: "dev", firstID: 3, lastID: 3, count: 1)])
    }
}
