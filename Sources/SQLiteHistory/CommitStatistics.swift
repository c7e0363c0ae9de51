/// How long the store's successful group commits take, in microseconds, from `BEGIN` to the end of `COMMIT`
/// (including the bounded pruning that rides along; not the WAL checkpoints, which run after outcomes are
/// reported). It exists so an operator can see what disk speed the chat is running at
/// (`/metrics`, `STATUS=`), and so the choice of `synchronous` can be judged by numbers.
public struct CommitStatistics: Sendable, Equatable {
    /// Transactions measured.
    public var count: Int
    /// Sum of their durations.
    public var totalMicroseconds: UInt64
    /// The longest.
    public var maxMicroseconds: UInt64
    /// The median, as the upper edge of its histogram bucket (within 25 %).
    public var p50Microseconds: UInt64
    /// The 99th percentile, as the upper edge of its histogram bucket (within 25 %).
    public var p99Microseconds: UInt64

    /// Statistics as measured.
    public init(
        count: Int = 0, totalMicroseconds: UInt64 = 0, maxMicroseconds: UInt64 = 0, p50Microseconds: UInt64 = 0,
        p99Microseconds: UInt64 = 0
    ) {
        self.count = count
        self.totalMicroseconds = totalMicroseconds
        self.maxMicroseconds = maxMicroseconds
        self.p50Microseconds = p50Microseconds
        self.p99Microseconds = p99Microseconds
    }

    /// The mean duration (0 before the first transaction).
    public var meanMicroseconds: UInt64 { count > 0 ? totalMicroseconds / UInt64(count) : 0 }
}

/// A log-scale histogram of durations: four buckets per power of two, so any percentile is known within 25 %
/// from 252 counters, whatever the range. It exists because a p99 must not need every sample kept.
struct CommitHistogram {
    private static let bucketCount = 252
    private var buckets = [UInt32](repeating: 0, count: bucketCount)
    private var count = 0
    private var total: UInt64 = 0
    private var maximum: UInt64 = 0

    /// Adds one duration.
    mutating func record(_ microseconds: UInt64) {
        let index = Self.bucket(of: microseconds)
        buckets[index] &+= 1
        count += 1
        total &+= microseconds
        maximum = max(maximum, microseconds)
    }

    /// The summary the store publishes.
    var statistics: CommitStatistics {
        CommitStatistics(
            count: count, totalMicroseconds: total, maxMicroseconds: maximum,
            p50Microseconds: percentile(0.50), p99Microseconds: percentile(0.99))
    }

    /// The upper edge of the bucket holding the `fraction` quantile, capped at the maximum seen.
    func percentile(_ fraction: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((Double(count) * fraction).rounded(.up)))
        var seen = 0
        for (index, hits) in buckets.enumerated() {
            seen += Int(hits)
            if seen >= rank {
                return min(Self.upperEdge(of: index), maximum)
            }
        }
        return maximum
    }

    /// Values 0...3 have a bucket each; above, `4 * (e - 1) + (the two bits after the leading one)` where
    /// `e = floor(log2(value))`.
    static func bucket(of value: UInt64) -> Int {
        guard value >= 4 else { return Int(value) }
        let exponent = UInt64.bitWidth - value.leadingZeroBitCount - 1
        let fraction = Int((value >> UInt64(exponent - 2)) & 3)
        return 4 * (exponent - 1) + fraction
    }

    /// The largest value that falls into bucket `index`.
    static func upperEdge(of index: Int) -> UInt64 {
        guard index >= 4 else { return UInt64(index) }
        let exponent = index / 4 + 1
        let fraction = UInt64(index % 4)
        let width = UInt64(1) << UInt64(exponent - 2)
        let (lower, overflow) = (4 + fraction).multipliedReportingOverflow(by: width)
        guard !overflow else { return UInt64.max }
        return lower &+ (width &- 1)
    }
}
