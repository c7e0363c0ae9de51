import Foundation
import Glibc
import History
import XCTest

@testable import SQLiteHistory

/// Numbers for the report, not assertions: run with `CHATD_MEASURE=1 swift test --filter MeasurementTests`.
/// File size per million messages, commit time per batch for `synchronous` normal and full, read latency with
/// a million messages stored, and what opening (and `PRAGMA quick_check`) costs on such a file.
final class MeasurementTests: StoreTestCase {
    /// A 60-byte chat line.
    private let text = "the quick brown fox jumps over the lazy dog 0123456789abcdef"

    override func setUpWithError() throws {
        guard ProcessInfo.processInfo.environment["CHATD_MEASURE"] == "1" else {
            throw XCTSkip("set CHATD_MEASURE=1 to measure")
        }
        try super.setUpWithError()
    }

    private func microseconds(_ body: () throws -> Void) rethrows -> UInt64 {
        let start = Clocks.monotonicMicroseconds()
        try body()
        return Clocks.monotonicMicroseconds() - start
    }

    private func summary(_ samples: [UInt64]) -> String {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return "no samples" }
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.99))]
        return "p50 \(p50) µs, p99 \(p99) µs, max \(sorted[sorted.count - 1]) µs (n=\(sorted.count))"
    }

    func testCommitTimePerBatch() throws {
        for synchronous in [SQLiteHistoryStore.Options.Synchronous.normal, .full] {
            for size in [1, 32, 1_000] {
                let path = databasePath("commit-\(synchronous)-\(size).db")
                let history = try open(
                    path, synchronous: synchronous, retention: HistoryRetention(keepMessages: 1 << 30))
                let rounds = size == 1_000 ? 300 : 1_000
                var next: UInt64 = 1
                var waits: [UInt64] = []
                for _ in 0..<rounds {
                    for _ in 0..<size {
                        history.append(message(next, text: text), room: "room-\(next % 10)")
                        next += 1
                    }
                    waits.append(
                        microseconds {
                            _ = history.submitBatch()
                            history.waitForSubmittedBatches()
                        })
                    _ = history.takeOutcomes()
                }
                let statistics = history.commitStatistics
                print(
                    "MEASURE commit sync=\(synchronous) batch=\(size): transaction p50 \(statistics.p50Microseconds) "
                        + "µs, p99 \(statistics.p99Microseconds) µs, max \(statistics.maxMicroseconds) µs, mean "
                        + "\(statistics.meanMicroseconds) µs (n=\(statistics.count)); submit-to-outcome "
                        + summary(waits))
                close(history)
            }
        }
    }

    func testMillionMessages() throws {
        let path = databasePath("million.db")
        var history = try open(path, retention: HistoryRetention(keepMessages: 1 << 30))
        let rooms = 100
        let perRoom = 10_000
        let started = Clocks.monotonicMicroseconds()
        for room in 0..<rooms {
            history.roomCreated("room-\(room)", epoch: "e\(room)")
        }
        for first in stride(from: 1, through: perRoom, by: 10) {
            for room in 0..<rooms {
                for id in first..<(first + 10) {
                    history.append(message(UInt64(id), from: "user-\(id % 50)", text: text), room: "room-\(room)")
                }
            }
            _ = history.submitBatch()
            _ = history.takeOutcomes()
        }
        history.waitForSubmittedBatches()
        let writeSeconds = Double(Clocks.monotonicMicroseconds() - started) / 1e6
        print("MEASURE wrote 1,000,000 messages in batches of 1,000 in \(writeSeconds) s")
        close(history)
        var status = stat()
        stat(path, &status)
        print("MEASURE file size for 1,000,000 messages of \(text.utf8.count)-byte texts: \(status.st_size) bytes")

        let openTime = try microseconds { history = try open(path, retention: HistoryRetention(keepMessages: 1 << 30)) }
        print("MEASURE open of the 1M-message file: \(openTime) µs")
        var loads: [UInt64] = []
        var lasts: [UInt64] = []
        var afters: [UInt64] = []
        for index in 0..<2_000 {
            let room = "room-\((index &* 37) % rooms)"
            loads.append(
                try microseconds { XCTAssertEqual(try history.loadRoom(room, recent: 100)?.recent.count, 100) })
            lasts.append(try microseconds { XCTAssertEqual(try history.lastMessages(in: room, count: 100).count, 100) })
            let since = UInt64((index &* 7_919) % (perRoom - 100))
            afters.append(
                try microseconds { XCTAssertEqual(try history.messages(in: room, after: since, limit: 100).count, 100) }
            )
        }
        print("MEASURE loadRoom(recent: 100) with 1M stored: " + summary(loads))
        print("MEASURE lastMessages(100) with 1M stored: " + summary(lasts))
        print("MEASURE messages(after:limit: 100) with 1M stored: " + summary(afters))
        close(history)

        for check in ["PRAGMA quick_check", "PRAGMA integrity_check"] {
            // Cold-ish: a fresh connection; the file is in the page cache after the writes above.
            let time = try microseconds {
                try withConnection(path) { connection in
                    XCTAssertEqual(try connection.texts(check), ["ok"])
                }
            }
            print("MEASURE \(check) on the 1M-message file: \(time) µs")
        }
    }
}
