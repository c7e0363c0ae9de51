/// When a peer that does not read counts as a slow consumer (Redis's client output limits): at once when its
/// queue passes the hard limit, or when the queue stays above the soft limit for longer than the soft duration.
/// A briefly slow reader survives; a persistently slow one is cut before it costs much.
public struct OutboundPolicy: Sendable, Equatable {
    /// Queued bytes past which a peer is cut at once.
    public var hardLimitBytes: Int
    /// Queued bytes that may be exceeded only for `softLimitMilliseconds`; at or above the hard limit it has no
    /// effect.
    public var softLimitBytes: Int
    /// How long a queue may stay above the soft limit.
    public var softLimitMilliseconds: Int64

    /// A policy; the soft limit is clamped to the hard one.
    public init(hardLimitBytes: Int, softLimitBytes: Int, softLimitMilliseconds: Int64) {
        self.hardLimitBytes = max(hardLimitBytes, 0)
        self.softLimitBytes = min(max(softLimitBytes, 0), self.hardLimitBytes)
        self.softLimitMilliseconds = max(softLimitMilliseconds, 0)
    }

    /// Why a queue of `queued` bytes, above the soft limit since `aboveSoftSince` (`Int64.max` when it is not),
    /// makes its peer a slow consumer at `now`; nil while it does not.
    public func violation(queued: Int, aboveSoftSince: Int64, now: Int64) -> SlowConsumerReason? {
        if queued > hardLimitBytes { return .hardLimit }
        guard queued > softLimitBytes, aboveSoftSince != Int64.max else { return nil }
        return now &- aboveSoftSince >= softLimitMilliseconds ? .softLimit : nil
    }
}

/// Which outbound limit a slow consumer broke (for the log).
public enum SlowConsumerReason: Sendable, Equatable {
    /// More than the hard limit queued.
    case hardLimit
    /// More than the soft limit queued for longer than allowed.
    case softLimit
}
