import Foundation
import Glibc
import History
import XCTest

@testable import SQLiteHistory

/// The base of every SQLite store test: a fresh temporary directory per test, stores opened through `open`
/// closed afterwards, any tmpfs mounted through `mountTmpfs` unmounted, and the directory removed.
class StoreTestCase: XCTestCase {
    /// This test's directory.
    private(set) var directory = ""
    private var stores: [SQLiteHistoryStore] = []
    private var mounts: [String] = []

    override func setUpWithError() throws {
        try super.setUpWithError()
        var template = Array("/tmp/chatd-sqlite-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw XCTSkip("mkdtemp failed") }
        directory = String(cString: made)
    }

    override func tearDownWithError() throws {
        for store in stores {
            store.close()
        }
        stores.removeAll()
        for mount in mounts.reversed() {
            _ = umount2(mount, 0)
        }
        mounts.removeAll()
        try? FileManager.default.removeItem(atPath: directory)
        try super.tearDownWithError()
    }

    /// The path of a database file in this test's directory.
    func databasePath(_ name: String = "history.db") -> String {
        directory + "/" + name
    }

    /// Opens a store (closed at tear-down).
    func open(
        _ path: String? = nil, synchronous: SQLiteHistoryStore.Options.Synchronous = .normal,
        retention: HistoryRetention = HistoryRetention(), maxQueuedMessages: Int = 65_536
    ) throws -> SQLiteHistoryStore {
        let options = SQLiteHistoryStore.Options(
            path: path ?? databasePath(), synchronous: synchronous, retention: retention,
            maxQueuedMessages: maxQueuedMessages)
        let store = try SQLiteHistoryStore(options: options)
        stores.append(store)
        return store
    }

    /// The error opening `path` throws, or a failure when it opens.
    func openError(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            let store = try SQLiteHistoryStore(options: SQLiteHistoryStore.Options(path: path))
            store.close()
            XCTFail("opened \(path)", file: file, line: line)
            return ""
        } catch {
            return error.description
        }
    }

    /// Mounts a tmpfs of `size` (e.g. "1m") on a new directory here; skips the test where mounting is not
    /// allowed (not root, no CAP_SYS_ADMIN).
    func mountTmpfs(_ name: String, options: String) throws -> String {
        let target = directory + "/" + name
        mkdir(target, 0o700)
        guard mount("tmpfs", target, "tmpfs", 0, options) == 0 else {
            throw XCTSkip("cannot mount a tmpfs here: \(String(cString: strerror(errno)))")
        }
        mounts.append(target)
        return target
    }

    /// Remounts a tmpfs read-only.
    func remountReadOnly(_ target: String, options: String) throws {
        guard mount("tmpfs", target, "tmpfs", UInt(MS_REMOUNT | MS_RDONLY), options) == 0 else {
            throw XCTSkip("cannot remount read-only: \(String(cString: strerror(errno)))")
        }
    }

    /// Closes a store early (it is not closed again).
    func close(_ store: SQLiteHistoryStore) {
        store.close()
        stores.removeAll { $0 === store }
    }
}

/// A message with a recognisable text.
func message(_ id: UInt64, from: String = "alice", text: String? = nil, timestamp: Int64 = nowMilliseconds())
    -> HistoryMessage
{
    HistoryMessage(id: id, from: from, text: text ?? "message \(id)", timestamp: timestamp, isAction: id % 7 == 0)
}

/// Wall-clock milliseconds, as the chat layer stamps messages.
func nowMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1_000 + Int64(now.tv_nsec / 1_000_000)
}

/// Appends `ids` to `room`, submits the batch, waits for it and returns its outcome.
@discardableResult
func store(
    _ ids: ClosedRange<UInt64>, in room: String, into history: SQLiteHistoryStore, timestamp: Int64? = nil
) -> BatchOutcome? {
    for id in ids {
        history.append(message(id, timestamp: timestamp ?? nowMilliseconds()), room: room)
    }
    let batch = history.submitBatch()
    history.waitForSubmittedBatches()
    return history.takeOutcomes().first { $0.batch == batch }
}

/// Polls `condition` every 10 ms for up to `seconds`.
func eventually(_ seconds: Double = 10, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = nowMilliseconds() + Int64(seconds * 1_000)
    while nowMilliseconds() < deadline {
        if try condition() { return true }
        usleep(10_000)
    }
    return try condition()
}

/// True when `fd` is readable now.
func isReadable(_ fd: Int32, timeoutMilliseconds: Int32 = 0) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, timeoutMilliseconds) == 1
}

/// Runs SQL on the database file with a connection of its own (to build or inspect files in tests).
func withConnection<Result>(_ path: String, _ body: (SQLiteConnection) throws -> Result) throws -> Result {
    let connection = try SQLiteConnection(path: path, flags: 0x0000_0002 | 0x0000_0004)
    defer { connection.close() }
    return try body(connection)
}
