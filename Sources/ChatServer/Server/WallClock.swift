import Glibc

/// Wall-clock time for chat timestamps (`ts`) and the instance id that makes room epochs unique
/// across restarts. Deadlines use the loop's monotonic clock instead.
enum WallClock {
    /// Milliseconds since the Unix epoch.
    static func milliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) &* 1000 &+ Int64(time.tv_nsec) / 1_000_000
    }

    /// This process's start time in base 36: differs between restarts, so resumed clients notice a reset.
    static func instanceID() -> String {
        String(milliseconds(), radix: 36)
    }
}
