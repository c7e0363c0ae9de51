import History
import XCTest

@testable import SQLiteHistory

/// A room leaving memory: one that never had a message leaves no row behind (so joining ever new room names cannot
/// grow the file), one with history keeps all of it, epoch and last id included.
final class EvictedRoomTests: StoreTestCase {
    /// Submits the current batch and waits for it.
    func commit(_ history: SQLiteHistoryStore) {
        _ = history.submitBatch()
        history.waitForSubmittedBatches()
        _ = history.takeOutcomes()
    }

    func testARoomThatNeverHadAMessageIsForgotten() throws {
        let history = try open()
        history.roomCreated("empty", epoch: "e1")
        commit(history)
        XCTAssertNotNil(try history.loadRoom("empty", recent: 5))
        history.roomEvicted("empty")
        XCTAssertTrue(history.hasUncommittedWork)
        commit(history)
        XCTAssertNil(try history.loadRoom("empty", recent: 5))
    }

    func testCreatedAndEvictedInOneBatchLeavesNothing() throws {
        let history = try open()
        for number in 0..<50 {
            history.roomCreated("drive-by-\(number)", epoch: "e")
            history.roomEvicted("drive-by-\(number)")
        }
        commit(history)
        XCTAssertNil(try history.loadRoom("drive-by-7", recent: 5))
    }

    func testARoomWithHistoryKeepsItsEpochAndIds() throws {
        var history = try open()
        history.roomCreated("kept", epoch: "e1")
        _ = store(1...5, in: "kept", into: history)
        history.roomEvicted("kept")
        commit(history)
        close(history)
        history = try open()
        let room = try XCTUnwrap(history.loadRoom("kept", recent: 10))
        XCTAssertEqual(room.epoch, "e1")
        XCTAssertEqual(room.lastID, 5)
        XCTAssertEqual(room.recent.map(\.id), [1, 2, 3, 4, 5])
    }

    func testARoomWhoseMessagesWereAllPrunedKeepsItsLastID() throws {
        let history = try open(retention: HistoryRetention(keepMessages: 1))
        history.roomCreated("pruned", epoch: "e1")
        _ = store(1...3, in: "pruned", into: history)
        history.retention = HistoryRetention(keepMessages: 1)
        history.roomEvicted("pruned")
        commit(history)
        let room = try XCTUnwrap(history.loadRoom("pruned", recent: 10))
        XCTAssertEqual(room.lastID, 3, "ids must continue after a room with a last id is evicted")
    }

    func testAForgottenRoomCanBeCreatedAgain() throws {
        let history = try open()
        history.roomCreated("again", epoch: "e1")
        history.roomEvicted("again")
        commit(history)
        history.roomCreated("again", epoch: "e2")
        _ = store(1...2, in: "again", into: history)
        let room = try XCTUnwrap(history.loadRoom("again", recent: 10))
        XCTAssertEqual(room.epoch, "e2")
        XCTAssertEqual(room.recent.map(\.id), [1, 2])
    }
}
