import Glibc
import History
import XCTest

@testable import SQLiteHistory

/// What survives a restart, and what a new epoch replaces.
final class ReopenAndEpochTests: StoreTestCase {
    func testReopenedStoreHasTheSameEpochAndLastID() throws {
        var history = try open()
        history.roomCreated("dev", epoch: "e1")
        store(1...40, in: "dev", into: history)
        history.roomCreated("ops", epoch: "e2")
        store(1...3, in: "ops", into: history)
        close(history)

        history = try open()
        XCTAssertEqual(history.openWarnings, [])
        let dev = try XCTUnwrap(history.loadRoom("dev", recent: 5))
        XCTAssertEqual(dev.epoch, "e1")
        XCTAssertEqual(dev.lastID, 40)
        XCTAssertEqual(dev.recent.map(\.id), Array(36...40))
        XCTAssertEqual(try history.loadRoom("ops", recent: 5)?.recent.map(\.id), [1, 2, 3])
        store(41...42, in: "dev", into: history)
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 3).map(\.id), [40, 41, 42])
    }

    func testCloseRemovesTheWriteAheadLog() throws {
        let history = try open()
        store(1...10, in: "dev", into: history)
        XCTAssertEqual(access(databasePath() + "-wal", F_OK), 0)
        close(history)
        XCTAssertNotEqual(access(databasePath() + "-wal", F_OK), 0, "the last connection checkpoints and removes it")
        XCTAssertEqual(access(databasePath() + ".lock", F_OK), 0, "the lock file stays")
    }

    func testNewEpochDropsTheOldMessagesAndRestartsIds() throws {
        let history = try open()
        history.roomCreated("dev", epoch: "e1")
        store(1...20, in: "dev", into: history)
        history.roomCreated("dev", epoch: "e2")
        store(1...3, in: "dev", into: history)
        let room = try XCTUnwrap(history.loadRoom("dev", recent: 100))
        XCTAssertEqual(room.epoch, "e2")
        XCTAssertEqual(room.lastID, 3)
        XCTAssertEqual(room.recent.map(\.id), [1, 2, 3])
        XCTAssertEqual(room.recent.first?.text, "message 1")
    }

    func testNewEpochInTheMiddleOfABatchKeepsOnlyWhatFollows() throws {
        let history = try open()
        history.roomCreated("dev", epoch: "e1")
        for id in UInt64(1)...10 {
            history.append(message(id), room: "dev")
        }
        history.roomCreated("dev", epoch: "e2")
        history.append(message(1, text: "fresh"), room: "dev")
        _ = history.submitBatch()
        let room = try XCTUnwrap(history.loadRoom("dev", recent: 100))
        XCTAssertEqual(room.epoch, "e2")
        XCTAssertEqual(room.lastID, 1, "the old epoch's ids do not raise the new epoch's last id")
        XCTAssertEqual(room.recent.map(\.text), ["fresh"])
    }

    func testEvictionKeepsTheHistory() throws {
        let history = try open()
        store(1...3, in: "dev", into: history)
        history.roomEvicted("dev")
        XCTAssertEqual(try history.loadRoom("dev", recent: 10)?.recent.count, 3)
    }
}
