/// The server's answer to a WebSocket upgrade request, as ready-to-write bytes.
public enum HandshakeOutcome: Sendable, Equatable {
    /// Upgrade accepted: `response` is the full 101 response; `subprotocol` is the negotiated one, if any.
    case accept(response: [UInt8], subprotocol: String?)
    /// Upgrade refused: `response` is a full error response with `Connection: close`.
    case reject(status: HTTPStatus, response: [UInt8])
}
