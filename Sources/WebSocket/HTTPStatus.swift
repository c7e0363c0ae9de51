/// An HTTP response status (code + reason phrase), so callers never hand-write status lines.
public struct HTTPStatus: Sendable, Equatable {
    /// The numeric status code, e.g. 404.
    public let code: Int
    /// The reason phrase, e.g. "Not Found".
    public let reason: String

    /// Creates a status; the statics below cover everything chatd sends.
    public init(code: Int, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// 101: the WebSocket upgrade succeeded.
    public static let switchingProtocols = HTTPStatus(code: 101, reason: "Switching Protocols")
    /// 200: plain success.
    public static let ok = HTTPStatus(code: 200, reason: "OK")
    /// 400: the request (or the handshake) is malformed.
    public static let badRequest = HTTPStatus(code: 400, reason: "Bad Request")
    /// 403: the Origin is not allowed.
    public static let forbidden = HTTPStatus(code: 403, reason: "Forbidden")
    /// 404: unknown path or room.
    public static let notFound = HTTPStatus(code: 404, reason: "Not Found")
    /// 405: only GET is served.
    public static let methodNotAllowed = HTTPStatus(code: 405, reason: "Method Not Allowed")
    /// 414: the request target is longer than the header limit.
    public static let uriTooLong = HTTPStatus(code: 414, reason: "URI Too Long")
    /// 426: the client asked for a WebSocket version other than 13.
    public static let upgradeRequired = HTTPStatus(code: 426, reason: "Upgrade Required")
    /// 431: the header block exceeds the configured limits.
    public static let requestHeaderFieldsTooLarge = HTTPStatus(code: 431, reason: "Request Header Fields Too Large")
    /// 500: an unexpected server-side failure.
    public static let internalServerError = HTTPStatus(code: 500, reason: "Internal Server Error")
    /// 503: the server is at capacity or shutting down.
    public static let serviceUnavailable = HTTPStatus(code: 503, reason: "Service Unavailable")
    /// 505: an HTTP version other than 1.0/1.1.
    public static let httpVersionNotSupported = HTTPStatus(code: 505, reason: "HTTP Version Not Supported")
}
