import Glibc

/// The two clocks the store reads: monotonic microseconds to time transactions, wall-clock milliseconds to
/// compare with message timestamps when pruning by age.
enum Clocks {
    /// Microseconds of `CLOCK_MONOTONIC`.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) &* 1_000_000 &+ UInt64(now.tv_nsec / 1_000)
    }

    /// Milliseconds since the Unix epoch (`CLOCK_REALTIME`), the unit of `HistoryMessage.timestamp`.
    static func wallMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) &* 1_000 &+ Int64(now.tv_nsec / 1_000_000)
    }
}
