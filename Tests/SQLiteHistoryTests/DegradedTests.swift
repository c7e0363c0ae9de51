import Foundation
import Glibc
import History
import XCTest

@testable import SQLiteHistory

/// Write failures: a real SQLITE_FULL on a tiny tmpfs, the outcomes it produces, recovery once space returns,
/// and the degraded marker's effect on the next start.
final class DegradedTests: StoreTestCase {
    /// Fills the file system holding `directory` with a file called `filler`; returns its path.
    private func fill(_ directory: String) -> String {
        let path = directory + "/filler"
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let chunk = [UInt8](repeating: 0x5A, count: 4_096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        Glibc.close(fd)
        return path
    }

    func testFullDiskDegradesReportsUnstoredRunsAndRecoversWithoutReusingIds() throws {
        let target = try mountTmpfs("small", options: "size=2m")
        let path = target + "/history.db"
        let history = try open(path)
        history.roomCreated("dev", epoch: "e1")
        store(1...10, in: "dev", into: history)
        XCTAssertEqual(history.health, .healthy)

        let filler = fill(target)
        let big = String(repeating: "x", count: 2_000)
        for id in UInt64(11)...400 {
            history.append(message(id, text: big), room: "dev")
        }
        history.append(message(1, text: big), room: "ops")
        history.roomCreated("new", epoch: "n1")
        history.append(message(1, text: big), room: "new")
        let failed = history.submitBatch()
        history.waitForSubmittedBatches()
        let outcome = try XCTUnwrap(history.takeOutcomes().first { $0.batch == failed })
        let failure = try XCTUnwrap(outcome.failure)
        XCTAssertTrue(failure.contains("SQLITE_FULL"), failure)
        XCTAssertTrue(failure.contains(path), failure)
        XCTAssertEqual(
            outcome.unstored,
            [
                UnstoredMessages(room: "dev", firstID: 11, lastID: 400, count: 390),
                UnstoredMessages(room: "ops", firstID: 1, lastID: 1, count: 1),
                UnstoredMessages(room: "new", firstID: 1, lastID: 1, count: 1),
            ])
        guard case .degraded(let reason) = history.health else { return XCTFail("not degraded") }
        XCTAssertEqual(reason, failure)
        XCTAssertEqual(access(path + "-degraded", F_OK), 0, "the marker is on disk while degraded")
        XCTAssertEqual(try history.loadRoom("dev", recent: 100)?.recent.count, 10, "reads still work")
        // A room evicted while degraded comes back with the ids handed out, not the file's.
        XCTAssertEqual(try history.loadRoom("dev", recent: 0)?.lastID, 400)
        XCTAssertEqual(try history.loadRoom("new", recent: 10), StoredRoom(epoch: "n1", lastID: 1, recent: []))
        XCTAssertEqual(try history.loadRoom("ops", recent: 10), StoredRoom(epoch: "", lastID: 1, recent: []))

        // Space returns: the idle writer retries on its own and writes the ids it owes.
        XCTAssertEqual(unlink(filler), 0)
        XCTAssertTrue(eventually { history.health == .healthy })
        XCTAssertNotEqual(access(path + "-degraded", F_OK), 0, "the marker goes with recovery")
        XCTAssertEqual(try history.loadRoom("dev", recent: 0)?.lastID, 400, "ids handed out are never reused")
        XCTAssertEqual(try history.loadRoom("ops", recent: 0)?.lastID, 1)
        XCTAssertEqual(try history.loadRoom("new", recent: 0), StoredRoom(epoch: "n1", lastID: 1, recent: []))

        XCTAssertEqual(store(401...402, in: "dev", into: history), BatchOutcome(batch: failed + 1))
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 3).map(\.id), [10, 401, 402])
    }

    func testBatchesAfterAFailureCarryTheDebtWhenTheyCommit() throws {
        let target = try mountTmpfs("small", options: "size=2m")
        let path = target + "/history.db"
        let history = try open(path)
        history.roomCreated("dev", epoch: "e1")
        store(1...5, in: "dev", into: history)
        let filler = fill(target)
        let big = String(repeating: "y", count: 2_000)
        for id in UInt64(6)...300 {
            history.append(message(id, text: big), room: "dev")
        }
        let failed = history.submitBatch()
        history.waitForSubmittedBatches()
        XCTAssertNotNil(history.takeOutcomes().first { $0.batch == failed }?.failure)
        XCTAssertNotEqual(history.health, .healthy)
        XCTAssertEqual(unlink(filler), 0)
        // A small batch straight away: it commits with the owed last id, whichever comes first.
        let outcome = store(301...301, in: "dev", into: history)
        XCTAssertNil(outcome?.failure)
        XCTAssertTrue(eventually { history.health == .healthy })
        XCTAssertEqual(try history.loadRoom("dev", recent: 2)?.lastID, 301)
        XCTAssertEqual(try history.loadRoom("dev", recent: 2)?.recent.map(\.id), [5, 301])
    }

    func testMarkerAtOpenGivesEveryRoomANewEpochAndKeepsMessages() throws {
        var history = try open()
        history.roomCreated("dev", epoch: "e1")
        store(1...7, in: "dev", into: history)
        history.roomCreated("ops", epoch: "e2")
        store(1...2, in: "ops", into: history)
        close(history)
        // As a run that crashed while degraded leaves it.
        XCTAssertTrue(FileManager.default.createFile(atPath: databasePath() + "-degraded", contents: Data()))

        history = try open()
        XCTAssertEqual(history.openWarnings.count, 1)
        XCTAssertTrue(history.openWarnings.first?.contains("2 room(s) got a new epoch") ?? false)
        XCTAssertNotEqual(access(databasePath() + "-degraded", F_OK), 0)
        let dev = try XCTUnwrap(history.loadRoom("dev", recent: 10))
        XCTAssertNotEqual(dev.epoch, "e1")
        XCTAssertTrue(dev.epoch.hasPrefix("e1r"))
        XCTAssertEqual(dev.lastID, 7)
        XCTAssertEqual(dev.recent.map(\.id), Array(1...7))
        let ops = try XCTUnwrap(history.loadRoom("ops", recent: 10))
        XCTAssertTrue(ops.epoch.hasPrefix("e2r"))
        close(history)

        history = try open()
        XCTAssertEqual(history.openWarnings, [], "the marker is gone: no second renewal")
        XCTAssertEqual(try history.loadRoom("dev", recent: 0)?.epoch, dev.epoch)
    }

    func testStoreClosedWhileDegradedLeavesTheMarkerForTheNextStart() throws {
        let target = try mountTmpfs("small", options: "size=2m")
        let path = target + "/history.db"
        var history = try open(path)
        history.roomCreated("dev", epoch: "e1")
        store(1...3, in: "dev", into: history)
        let filler = fill(target)
        let big = String(repeating: "z", count: 2_000)
        for id in UInt64(4)...400 {
            history.append(message(id, text: big), room: "dev")
        }
        _ = history.submitBatch()
        history.waitForSubmittedBatches()
        XCTAssertNotEqual(history.health, .healthy)
        close(history)
        XCTAssertEqual(access(path + "-degraded", F_OK), 0)

        XCTAssertEqual(unlink(filler), 0)
        history = try open(path)
        XCTAssertEqual(history.openWarnings.count, 1)
        let room = try XCTUnwrap(history.loadRoom("dev", recent: 10))
        XCTAssertTrue(room.epoch.hasPrefix("e1r"), "ids 4...400 were handed out unseen: a new epoch")
        XCTAssertEqual(room.recent.map(\.id), [1, 2, 3])
    }

    func testAnotherProgramHoldingTheWriteLockDegradesUntilItLetsGo() throws {
        let path = databasePath()
        let history = try open(path)
        history.roomCreated("dev", epoch: "e1")
        store(1...3, in: "dev", into: history)
        let intruder = try SQLiteConnection(path: path, flags: 0x0000_0002)
        defer { intruder.close() }
        try intruder.execute("BEGIN IMMEDIATE")
        let outcome = try XCTUnwrap(store(4...5, in: "dev", into: history))
        XCTAssertTrue(outcome.failure?.contains("SQLITE_BUSY") ?? false, "\(outcome)")
        XCTAssertEqual(outcome.unstored, [UnstoredMessages(room: "dev", firstID: 4, lastID: 5, count: 2)])
        XCTAssertNotEqual(history.health, .healthy)
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 10).count, 3, "readers are not blocked by a writer")
        XCTAssertEqual(try history.loadRoom("dev", recent: 10)?.lastID, 5, "ids handed out count while unwritten")
        try intruder.execute("ROLLBACK")
        XCTAssertTrue(eventually { history.health == .healthy })
        XCTAssertEqual(try history.loadRoom("dev", recent: 10)?.lastID, 5)
    }
}

/// How a debt changes what the loop thread reads back.
final class RoomDebtTests: XCTestCase {
    private let stored = StoredRoom(epoch: "e1", lastID: 10, recent: [message(10, timestamp: 1)])

    func testNoDebtLeavesTheRoomAlone() {
        XCTAssertEqual(RoomDebt.merge(nil, into: stored), stored)
        XCTAssertNil(RoomDebt.merge(nil, into: nil))
    }

    func testDebtRaisesTheLastID() {
        var expected = stored
        expected.lastID = 25
        XCTAssertEqual(RoomDebt.merge(RoomDebt(lastID: 25), into: stored), expected)
        XCTAssertEqual(RoomDebt.merge(RoomDebt(lastID: 5), into: stored), stored)
    }

    func testUnwrittenRecreationReplacesTheEpochAndHidesTheOldMessages() {
        XCTAssertEqual(
            RoomDebt.merge(RoomDebt(epoch: "e2", lastID: 3), into: stored),
            StoredRoom(epoch: "e2", lastID: 3, recent: []))
        XCTAssertEqual(
            RoomDebt.merge(RoomDebt(epoch: "e2", lastID: 0), into: nil), StoredRoom(epoch: "e2", lastID: 0, recent: []))
    }

    func testFailedBatchesFoldInOrder() {
        var debts: [String: RoomDebt] = [:]
        let first = PendingBatch(
            number: 1,
            operations: [
                .append(room: "a", message: message(4)), .roomCreated(room: "a", epoch: "x"),
                .append(room: "a", message: message(1)), .append(room: "b", message: message(9)),
            ], messageCount: 3)
        RoomDebt.record(first, into: &debts)
        XCTAssertEqual(debts, ["a": RoomDebt(epoch: "x", lastID: 1), "b": RoomDebt(lastID: 9)])
        RoomDebt.record(
            PendingBatch(number: 2, operations: [.append(room: "a", message: message(2))], messageCount: 1),
            into: &debts)
        XCTAssertEqual(debts["a"], RoomDebt(epoch: "x", lastID: 2))
        XCTAssertEqual(
            first.unstoredRuns(),
            [
                UnstoredMessages(room: "a", firstID: 1, lastID: 4, count: 2),
                UnstoredMessages(room: "b", firstID: 9, lastID: 9, count: 1),
            ])
    }
}
