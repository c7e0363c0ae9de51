/// What the server must do after feeding bytes to a `WebSocketSession`, in order.
public enum WebSocketAction: Sendable, Equatable {
    /// One complete, validated message (text is valid UTF-8).
    case message(WebSocketMessageKind, [UInt8])
    /// Bytes to queue to the peer (pong, close reply, close on error).
    case send([UInt8])
    /// After flushing what is queued, close TCP. Nothing follows.
    case closeTransport(WebSocketCloseInfo)
}

/// Why and how a WebSocket connection ended, for logs and metrics.
public struct WebSocketCloseInfo: Sendable, Equatable {
    /// The code we sent (or the peer's code we echoed); nil when the close carried no code.
    public var code: UInt16?
    /// True when the peer started the close handshake (or sent a close frame we answered).
    public var initiatedByPeer: Bool
    /// Human-readable reason for logs: "peer closed", "protocol error: unmasked frame", ...
    public var reason: String

    /// Creates close info.
    public init(code: UInt16?, initiatedByPeer: Bool, reason: String) {
        self.code = code
        self.initiatedByPeer = initiatedByPeer
        self.reason = reason
    }
}
