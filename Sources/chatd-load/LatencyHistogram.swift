/// Latencies in log-linear buckets (32 per power of two, about 3% resolution): constant time per
/// sample, no allocation after init, exact count and maximum.
struct LatencyHistogram {
    private static let subBuckets = 32
    private var buckets = [Int](repeating: 0, count: 64 * 32)
    private(set) var count = 0
    private(set) var maximum: UInt64 = 0

    /// Records one latency in nanoseconds.
    @inline(__always)
    mutating func record(_ nanoseconds: UInt64) {
        count &+= 1
        if nanoseconds > maximum { maximum = nanoseconds }
        buckets[Self.bucket(of: nanoseconds)] &+= 1
    }

    /// Adds another histogram's samples.
    mutating func merge(_ other: LatencyHistogram) {
        for index in buckets.indices { buckets[index] &+= other.buckets[index] }
        count &+= other.count
        maximum = max(maximum, other.maximum)
    }

    /// The latency (ns) at or below which `fraction` of the samples fall (upper bucket bound).
    func percentile(_ fraction: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((Double(count) * fraction).rounded(.up)))
        var seen = 0
        for (index, samples) in buckets.enumerated() where samples > 0 {
            seen += samples
            if seen >= rank { return min(Self.upperBound(of: index), maximum) }
        }
        return maximum
    }

    @inline(__always)
    private static func bucket(of value: UInt64) -> Int {
        if value < UInt64(subBuckets) { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount  // >= 5
        let shift = exponent - 5
        let mantissa = Int(value >> UInt64(shift)) - subBuckets  // 0..<32
        return (shift + 1) * subBuckets + mantissa
    }

    private static func upperBound(of index: Int) -> UInt64 {
        if index < subBuckets { return UInt64(index) }
        let shift = index / subBuckets - 1
        let mantissa = index % subBuckets + subBuckets
        return (UInt64(mantissa + 1) << UInt64(shift)) - 1
    }
}
