import Foundation
import Glibc
import History
import XCTest

@testable import SQLiteHistory

/// Every way opening can fail, each with a one-line error naming the file.
final class OpenErrorTests: StoreTestCase {
    func testSecondStoreOnTheSamePathIsRefused() throws {
        let path = databasePath()
        let history = try open(path)
        let error = openError(path)
        XCTAssertEqual(
            error, "history database \(path) is in use by another chatd process (lock \(path).lock held)")
        close(history)
        XCTAssertNoThrow(try open(path), "the lock goes with close()")
    }

    func testMissingDirectoriesAreCreatedPrivate() throws {
        let path = directory + "/a/b/history.db"
        let history = try open(path)
        store(1...1, in: "dev", into: history)
        var status = stat()
        XCTAssertEqual(stat(directory + "/a/b", &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o700)
    }

    func testGarbageFileIsReportedCorrupt() throws {
        let path = databasePath()
        let garbage = Data((0..<8_192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: garbage))
        let error = openError(path)
        XCTAssertTrue(error.hasPrefix("history database \(path) is corrupt or not a database: "), error)
        XCTAssertTrue(error.contains("file is not a database"), error)
        XCTAssertTrue(error.hasSuffix("mv \(path) \(path).broken"), error)
        XCTAssertFalse(error.contains("\n"))
    }

    func testDamagedRoomsTableIsReportedCorrupt() throws {
        // Everything after the header page: the rooms table (page 2) is read at every open.
        let path = try damagedStore(fromPage: 1)
        let error = openError(path)
        XCTAssertTrue(error.hasPrefix("history database \(path) is corrupt or not a database: "), error)
    }

    /// A store with 2,000 messages, closed cleanly, then damaged from page `fromPage` to its end.
    private func damagedStore(fromPage: UInt64) throws -> String {
        let path = databasePath()
        let history = try open(path)
        history.roomCreated("dev", epoch: "e")
        store(1...2_000, in: "dev", into: history)
        close(history)
        let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
        let size = try handle.seekToEnd()
        XCTAssertGreaterThan(size, fromPage * 4_096)
        try handle.seek(toOffset: fromPage * 4_096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size - fromPage * 4_096)))
        try handle.close()
        return path
    }

    /// What a killed run leaves: a WAL beside the file (this one is junk, which SQLite ignores).
    private func leaveWriteAheadLog(_ path: String) {
        XCTAssertTrue(FileManager.default.createFile(atPath: path + "-wal", contents: Data(repeating: 7, count: 64)))
    }

    func testDamagedMessagesAreFoundByQuickCheckAfterAnUncleanStop() throws {
        let path = try damagedStore(fromPage: 20)
        leaveWriteAheadLog(path)
        let error = openError(path)
        XCTAssertTrue(error.hasPrefix("history database \(path) is corrupt or not a database: "), error)
        XCTAssertTrue(error.hasSuffix("mv \(path) \(path).broken"), error)
    }

    func testUncleanStopOfAHealthyStoreOpensWithAWarning() throws {
        let path = databasePath()
        let history = try open(path)
        store(1...20, in: "dev", into: history)
        close(history)
        leaveWriteAheadLog(path)
        let reopened = try open(path)
        XCTAssertEqual(reopened.openWarnings.count, 1)
        XCTAssertTrue(reopened.openWarnings.first?.contains("PRAGMA quick_check passed") ?? false)
        XCTAssertEqual(try reopened.lastMessages(in: "dev", count: 100).count, 20)
    }

    func testForeignSQLiteDatabaseIsRefused() throws {
        let path = databasePath()
        try withConnection(path) { connection in
            try connection.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)")
        }
        let error = openError(path)
        XCTAssertTrue(error.hasPrefix("history database \(path) is not a chatd history database ("), error)
        XCTAssertTrue(error.contains("invoices"), error)
        XCTAssertTrue(error.hasSuffix("mv \(path) \(path).broken"), error)
    }

    func testDatabaseWithAnotherApplicationIDIsRefused() throws {
        let path = databasePath()
        try withConnection(path) { connection in
            try connection.execute("PRAGMA application_id = 1234; CREATE TABLE rooms(x)")
        }
        let error = openError(path)
        XCTAssertTrue(error.contains("is not a chatd history database (application_id 0x4d2"), error)
    }

    func testNewerSchemaIsRefused() throws {
        let path = databasePath()
        close(try open(path))
        try withConnection(path) { connection in
            try connection.execute("PRAGMA user_version = 99")
        }
        XCTAssertTrue(openError(path).contains("was written by a newer chatd (schema version 99"))
    }

    func testEmptyFileBecomesAStore() throws {
        let path = databasePath()
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data()))
        let history = try open(path)
        store(1...2, in: "dev", into: history)
        XCTAssertEqual(try history.lastMessages(in: "dev", count: 5).count, 2)
    }

    func testReadOnlyFileSystemIsReportedNotWritable() throws {
        // Tests run as root, where permission bits are ignored: a read-only tmpfs is the real thing.
        let mountOptions = "size=4m,mode=0700"
        let target = try mountTmpfs("ro", options: mountOptions)
        let existing = target + "/history.db"
        let history = try open(existing)
        store(1...3, in: "dev", into: history)
        close(history)
        try remountReadOnly(target, options: mountOptions)
        let error = openError(existing)
        XCTAssertTrue(error.hasPrefix("history database \(existing) is not writable: "), error)
        let fresh = target + "/fresh.db"
        let freshError = openError(fresh)
        XCTAssertTrue(freshError.hasPrefix("history database \(fresh) is not writable: "), freshError)
        XCTAssertTrue(freshError.contains("Read-only file system"), freshError)
        let nested = target + "/sub/history.db"
        let nestedError = openError(nested)
        XCTAssertTrue(nestedError.hasPrefix("history database \(nested) is not writable: "), nestedError)
    }

    func testDirectoryInPlaceOfTheFileCannotBeOpened() throws {
        let path = databasePath()
        mkdir(path, 0o700)
        let error = openError(path)
        XCTAssertTrue(error.hasPrefix("history database \(path) "), error)
    }
}
