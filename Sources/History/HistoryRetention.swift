/// How much history a store keeps: at most `keepMessages` per room, and (when `keepDays` > 0) nothing older
/// than that many days. The last id of a room is kept even when all its messages are pruned.
public struct HistoryRetention: Sendable, Equatable {
    /// Most messages kept per room (at least 1).
    public var keepMessages: Int
    /// Days a message is kept; 0 keeps messages regardless of age.
    public var keepDays: Int

    /// Retention limits; `keepMessages` below 1 is taken as 1.
    public init(keepMessages: Int = 10_000, keepDays: Int = 0) {
        self.keepMessages = max(1, keepMessages)
        self.keepDays = max(0, keepDays)
    }

    /// The oldest timestamp (milliseconds) kept at time `now`, nil when age does not matter.
    public func oldestKeptTimestamp(now: Int64) -> Int64? {
        guard keepDays > 0 else { return nil }
        let (span, overflow) = Int64(keepDays).multipliedReportingOverflow(by: 86_400_000)
        guard !overflow else { return nil }
        let (oldest, underflow) = now.subtractingReportingOverflow(span)
        return underflow ? nil : oldest
    }
}
