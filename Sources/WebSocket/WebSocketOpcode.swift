/// The RFC 6455 §5.2 frame opcodes chatd understands (all others are reserved and fail the connection).
public enum WebSocketOpcode: UInt8, Sendable {
    /// A continuation fragment of a text or binary message.
    case continuation = 0
    /// The first frame of a UTF-8 text message.
    case text = 1
    /// The first frame of a binary message.
    case binary = 2
    /// A close frame (control).
    case close = 8
    /// A ping (control); answered with a pong.
    case ping = 9
    /// A pong (control); ignored.
    case pong = 10

    /// Control frames (close, ping, pong) have the high opcode bit set.
    public var isControl: Bool { rawValue & 0x08 != 0 }
}

/// Whether a complete message is text (validated UTF-8) or binary.
public enum WebSocketMessageKind: Sendable, Equatable {
    /// UTF-8 text.
    case text
    /// Arbitrary bytes.
    case binary

    /// The opcode that starts a message of this kind.
    public var opcode: WebSocketOpcode { self == .text ? .text : .binary }
}
