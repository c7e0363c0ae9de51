import WebSocket

/// Everything the connection layer enforces that an operator can tune; a configuration reload replaces it.
public struct ConnectionSettings: Sendable, Equatable {
    /// Simultaneous connections; more are answered 503 and closed.
    public var maxConnections: Int
    /// Bounds on the HTTP request head.
    public var headerLimits: HTTPParserLimits
    /// Origins and subprotocols the handshake accepts.
    public var handshakePolicy: HandshakePolicy
    /// Time allowed to complete the HTTP request / upgrade.
    public var handshakeTimeoutMilliseconds: Int64
    /// Silence after which a WebSocket peer is pinged.
    public var idleTimeoutMilliseconds: Int64
    /// Time after that ping before a still-silent peer is closed (1001 "idle timeout").
    public var pongTimeoutMilliseconds: Int64
    /// Time to wait for the peer's close reply, and for its FIN after ours.
    public var closeTimeoutMilliseconds: Int64
    /// When a peer that does not read is cut.
    public var outbound: OutboundPolicy
    /// Bytes of partly received messages all connections together may hold; past it the largest are closed.
    public var inputBudgetBytes: Int

    /// Creates settings; the defaults are chatd's built-in configuration.
    public init(
        maxConnections: Int = 10_000, headerLimits: HTTPParserLimits = HTTPParserLimits(),
        handshakePolicy: HandshakePolicy = HandshakePolicy(), handshakeTimeoutMilliseconds: Int64 = 10_000,
        idleTimeoutMilliseconds: Int64 = 60_000, pongTimeoutMilliseconds: Int64 = 20_000,
        closeTimeoutMilliseconds: Int64 = 5000,
        outbound: OutboundPolicy = OutboundPolicy(
            hardLimitBytes: 8 << 20, softLimitBytes: 1 << 20, softLimitMilliseconds: 30_000),
        inputBudgetBytes: Int = 128 << 20
    ) {
        self.maxConnections = maxConnections
        self.headerLimits = headerLimits
        self.handshakePolicy = handshakePolicy
        self.handshakeTimeoutMilliseconds = handshakeTimeoutMilliseconds
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        self.pongTimeoutMilliseconds = pongTimeoutMilliseconds
        self.closeTimeoutMilliseconds = closeTimeoutMilliseconds
        self.outbound = outbound
        self.inputBudgetBytes = inputBudgetBytes
    }
}
