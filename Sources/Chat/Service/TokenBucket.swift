/// Per-member rate limiter: holds up to `capacity` tokens, refills `ratePerSecond` tokens per second of wall-clock
/// time, and every counted client message takes one.
struct TokenBucket {
    /// Tokens currently available (fractional between refills).
    private(set) var tokens: Double
    /// Time of the last refill in milliseconds; never moves backwards.
    private var lastRefill: Int64

    /// A full bucket at time `now`.
    init(capacity: Int, now: Int64) {
        tokens = Double(max(0, capacity))
        lastRefill = now
    }

    /// Refills for the time elapsed since the last call, then takes one token if available. A clock that jumps
    /// backwards refills nothing (the bucket just waits for time to pass `now` again).
    mutating func take(now: Int64, ratePerSecond: Double, capacity: Int) -> Bool {
        let capacityTokens = Double(max(0, capacity))
        if now > lastRefill {
            let (difference, overflow) = now.subtractingReportingOverflow(lastRefill)
            let elapsed = overflow ? Double.greatestFiniteMagnitude : Double(difference)
            let refill = ratePerSecond.isFinite && ratePerSecond > 0 ? elapsed * ratePerSecond / 1000 : 0
            tokens = min(capacityTokens, tokens + refill)
            lastRefill = now
        }
        tokens = min(tokens, capacityTokens)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
