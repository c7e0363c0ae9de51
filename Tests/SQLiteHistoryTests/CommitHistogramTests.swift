import XCTest

@testable import SQLiteHistory

/// The log-scale histogram behind `commitStatistics`.
final class CommitHistogramTests: XCTestCase {
    func testBucketsAreContiguousAndEdgesContainTheirValues() {
        var previous = -1
        for value in UInt64(0)...5_000 {
            let bucket = CommitHistogram.bucket(of: value)
            XCTAssertTrue(bucket == previous || bucket == previous + 1, "\(value)")
            XCTAssertLessThanOrEqual(value, CommitHistogram.upperEdge(of: bucket))
            if bucket > 0 {
                XCTAssertGreaterThan(value, CommitHistogram.upperEdge(of: bucket - 1))
            }
            previous = bucket
        }
        XCTAssertEqual(CommitHistogram.bucket(of: UInt64.max), 251)
        XCTAssertEqual(CommitHistogram.upperEdge(of: 251), UInt64.max)
    }

    func testPercentilesAreWithinAQuarter() {
        var histogram = CommitHistogram()
        for value in UInt64(1)...1_000 {
            histogram.record(value)
        }
        let statistics = histogram.statistics
        XCTAssertEqual(statistics.count, 1_000)
        XCTAssertEqual(statistics.maxMicroseconds, 1_000)
        XCTAssertEqual(statistics.totalMicroseconds, 500_500)
        XCTAssertEqual(statistics.meanMicroseconds, 500)
        XCTAssertGreaterThanOrEqual(statistics.p50Microseconds, 500)
        XCTAssertLessThanOrEqual(statistics.p50Microseconds, 625)
        XCTAssertGreaterThanOrEqual(statistics.p99Microseconds, 990)
        XCTAssertLessThanOrEqual(statistics.p99Microseconds, 1_000)
    }

    func testEmptyHistogramReportsZeros() {
        XCTAssertEqual(CommitHistogram().statistics, CommitStatistics())
    }
}
