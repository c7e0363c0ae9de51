import WebSocket

/// The request-head parser of a connection still in its HTTP phase, kept behind a reference: the parser's state
/// (limits, line buffer, request line, headers) is then not part of every connection object for its whole life,
/// and an upgraded connection keeps only a nil pointer.
final class PendingRequest {
    /// The parser itself.
    var parser: HTTPRequestParser

    /// Boxes a fresh parser.
    init(_ parser: HTTPRequestParser) {
        self.parser = parser
    }
}
