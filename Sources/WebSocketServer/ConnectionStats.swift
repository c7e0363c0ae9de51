/// Counters behind STATUS=, the minute summary and the logs.
public struct ConnectionStats: Sendable, Equatable {
    /// Connections accepted since start.
    public var acceptedConnections: UInt64 = 0
    /// Connections refused for lack of room (connection limit, descriptors).
    public var shedConnections: UInt64 = 0
    /// Complete messages received from peers.
    public var messagesReceived: UInt64 = 0
    /// Messages queued to peers (a broadcast counts once per recipient).
    public var messagesDelivered: UInt64 = 0
    /// Connections closed as slow consumers.
    public var slowConsumers: UInt64 = 0
    /// Connections closed because the input budget was exceeded.
    public var inputBudgetCloses: UInt64 = 0

    /// All zero.
    public init() {}
}
