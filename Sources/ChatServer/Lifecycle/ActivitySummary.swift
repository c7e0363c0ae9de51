import WebSocketServer

/// The info-level minute summary: busy servers log one line a minute instead of one per connection
/// (those are at debug level).
struct ActivitySummary {
    /// Milliseconds between two summaries.
    static let intervalMilliseconds: Int64 = 60_000
    private var lastAt: Int64
    private var lastStats = ConnectionStats()

    /// Starts the first interval at `now`.
    init(now: Int64) { lastAt = now }

    /// The line to log when an interval ended and something happened in it, else nil.
    mutating func due(now: Int64, stats: ConnectionStats, connections: Int, rooms: Int) -> String? {
        guard now &- lastAt >= Self.intervalMilliseconds else { return nil }
        let seconds = (now &- lastAt) / 1000
        lastAt = now
        defer { lastStats = stats }
        let accepted = stats.acceptedConnections &- lastStats.acceptedConnections
        let received = stats.messagesReceived &- lastStats.messagesReceived
        let delivered = stats.messagesDelivered &- lastStats.messagesDelivered
        let shed = stats.shedConnections &- lastStats.shedConnections
        guard accepted > 0 || received > 0 || shed > 0 else { return nil }
        return "last \(seconds) s: \(accepted) connections accepted, \(shed) shed, \(received) messages received, "
            + "\(delivered) delivered; now \(connections) connections in \(rooms) rooms"
    }
}
