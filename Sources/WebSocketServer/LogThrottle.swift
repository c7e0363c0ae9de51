/// Lets one log line per event kind through per interval, so a client flood hitting a limit cannot
/// flood the journal; the next line that gets through says how many were held back.
public struct LogThrottle {
    /// Minimum milliseconds between two lines of the same kind.
    public let intervalMilliseconds: Int64
    private var lastAt: [String: Int64] = [:]
    private var heldBack: [String: Int] = [:]

    /// A throttle letting one line per kind through every `intervalMilliseconds`.
    public init(intervalMilliseconds: Int64) {
        self.intervalMilliseconds = intervalMilliseconds
    }

    /// Nil when the line must be held back; otherwise how many lines of this kind were held back before it.
    public mutating func admit(_ kind: String, now: Int64) -> Int? {
        if let last = lastAt[kind], now &- last < intervalMilliseconds {
            heldBack[kind, default: 0] &+= 1
            return nil
        }
        lastAt[kind] = now
        return heldBack.removeValue(forKey: kind) ?? 0
    }
}
