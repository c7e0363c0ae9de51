/// What one `HTTPRequestParser.parse` call produced.
public enum HTTPParseResult: Sendable, Equatable {
    /// The head is not complete yet; feed more bytes.
    case needMoreData
    /// The head is complete. `consumed` is how many bytes of THIS call's input belong to it; the rest
    /// belongs to whatever follows (e.g. WebSocket frames).
    case complete(HTTPRequestHead, consumed: Int)
    /// The request is unacceptable; answer with this status and close.
    case failure(HTTPStatus)
}
