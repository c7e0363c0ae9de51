import History
import XCTest

@testable import SQLiteHistory

/// The reads and the pruning deletes are range scans of the primary key or the timestamp index, never a scan
/// of the table, so they stay cheap with millions of rows.
final class QueryPlanTests: StoreTestCase {
    private func plan(_ sql: String, _ connection: SQLiteConnection) throws -> String {
        try connection.texts("EXPLAIN QUERY PLAN " + sql).joined(separator: " | ")
    }

    private func planDetails(_ sql: String, _ connection: SQLiteConnection) throws -> [String] {
        let statement = try connection.prepare("EXPLAIN QUERY PLAN " + sql)
        defer { statement.finalize() }
        var details: [String] = []
        while try statement.step() {
            details.append(statement.text(3))
        }
        return details
    }

    func testReadsAndPruningUseTheKeyOrTheIndex() throws {
        let history = try open()
        store(1...10, in: "dev", into: history)
        close(history)
        try withConnection(databasePath()) { connection in
            let reads = [
                "SELECT id, ts, sender, text, is_action FROM messages WHERE room_id = ?1 ORDER BY id DESC LIMIT ?2",
                "SELECT id, ts, sender, text, is_action FROM messages WHERE room_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                "SELECT room_id, epoch, last_id FROM rooms WHERE name = ?1",
                WriterStatements.pruneRoomSQL,
                WriterStatements.pruneOldSQL,
                "SELECT last_id, (SELECT min(id) FROM messages WHERE room_id = ?1) FROM rooms WHERE room_id = ?1",
            ]
            for sql in reads {
                let details = try planDetails(sql, connection)
                XCTAssertFalse(details.isEmpty, sql)
                for detail in details where detail.hasPrefix("SCAN") {
                    XCTFail("\(sql) scans: \(details)")
                }
                XCTAssertTrue(details.contains { $0.hasPrefix("SEARCH") }, "\(sql): \(details)")
            }
            let newest = try planDetails(reads[0], connection).joined()
            XCTAssertTrue(newest.contains("PRIMARY KEY (room_id=?)"), newest)
            let after = try planDetails(reads[1], connection).joined()
            XCTAssertTrue(after.contains("PRIMARY KEY (room_id=? AND id>?)"), after)
            let aged = try planDetails(WriterStatements.pruneOldSQL, connection).joined(separator: " | ")
            XCTAssertTrue(aged.contains("messages_ts (ts<?)"), aged)
            _ = try plan(reads[0], connection)
        }
    }
}
