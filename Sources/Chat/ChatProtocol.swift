/// Which wire format a member speaks, chosen by the WebSocket subprotocol at the handshake.
public enum ChatProtocol: Sendable, Equatable {
    /// No subprotocol: the seed's human-readable lines plus slash commands.
    case plainText
    /// `chatd.v1`: one JSON object per text frame.
    case json
}
