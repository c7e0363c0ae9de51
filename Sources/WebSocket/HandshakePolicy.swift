/// Server-side handshake settings: which browser origins may connect and which subprotocols we speak.
public struct HandshakePolicy: Sendable, Equatable {
    /// Exact origins like "https://chat.example.com" (case-insensitive), or "*" for any. A request without
    /// Origin is always allowed, and so is an Origin whose host[:port] equals the request's Host header.
    public var allowedOrigins: [String]
    /// Subprotocols we support; the first client-offered one that we support is selected.
    public var supportedSubprotocols: [String]

    /// Creates a policy; by default only same-host origins and the `chatd.v1` subprotocol.
    public init(allowedOrigins: [String] = [], supportedSubprotocols: [String] = ["chatd.v1"]) {
        self.allowedOrigins = allowedOrigins
        self.supportedSubprotocols = supportedSubprotocols
    }
}
