/// Per-session bounds on what a peer may make us buffer.
public struct WebSocketLimits: Sendable, Equatable {
    /// Largest complete message (sum of all its fragments) we accept; more → close 1009.
    public var maxMessageBytes: Int

    /// Creates limits; 1 MiB by default.
    public init(maxMessageBytes: Int = 1 << 20) {
        self.maxMessageBytes = maxMessageBytes
    }
}
