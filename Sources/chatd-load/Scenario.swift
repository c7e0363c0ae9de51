/// What a load mode does when its clients open, receive text and end.
protocol Scenario: AnyObject {
    /// The handshake completed (101 received).
    func opened(_ client: ClientConnection, at now: UInt64)
    /// A complete text message arrived.
    func text(_ client: ClientConnection, _ payload: UnsafeRawBufferPointer, at now: UInt64)
    /// The connection ended: server close frame (`code`), end of stream, reset or refused handshake.
    func ended(_ client: ClientConnection, reason: EndReason, at now: UInt64)
}

/// Why a client connection ended.
enum EndReason: Equatable {
    /// The server sent a close frame with this code (nil: no code).
    case closeFrame(UInt16?)
    /// The server closed the TCP stream without a close frame.
    case endOfStream
    /// A socket error (errno): reset, refused, ...
    case failed(Int32)
    /// The handshake did not end in "101 Switching Protocols".
    case refused(String)
    /// The generator itself closed it.
    case local
}
