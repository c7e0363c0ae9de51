import CSystemd

/// systemd's watchdog (`WatchdogSec=`): the event loop's own sweep timer sends `WATCHDOG=1`, so a
/// loop that stops turning is noticed, killed and restarted by systemd.
public struct Watchdog: Sendable {
    /// How often to ping: half the interval systemd expects, in milliseconds.
    public let pingIntervalMilliseconds: Int64
    private var lastPingAt: Int64 = .min

    /// The watchdog systemd asked for, or nil when `WatchdogSec=` is not set for this process.
    public static func fromEnvironment() -> Watchdog? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return Watchdog(pingIntervalMilliseconds: max(Int64(clamping: microseconds / 2000), 1))
    }

    /// A watchdog pinged every `pingIntervalMilliseconds`.
    public init(pingIntervalMilliseconds: Int64) {
        self.pingIntervalMilliseconds = pingIntervalMilliseconds
    }

    /// True when a ping is due at `now` (monotonic ms); records the ping.
    public mutating func pingIsDue(now: Int64) -> Bool {
        guard lastPingAt == .min || now &- lastPingAt >= pingIntervalMilliseconds else { return false }
        lastPingAt = now
        return true
    }
}
