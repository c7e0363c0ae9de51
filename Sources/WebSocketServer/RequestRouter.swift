import WebSocket

/// Decides what a request is for: the connection layer parses it and runs the handshake, the product says which
/// plain-HTTP answer or which WebSocket application a path gets.
public protocol RequestRouter: AnyObject {
    /// The complete answer to a request that did not ask for a WebSocket upgrade (sent, then the connection closes).
    func response(to request: HTTPRequestHead) -> HTTPReply

    /// The application that serves WebSocket upgrades of this request's path; nil answers 404.
    func application(forUpgrade request: HTTPRequestHead) -> (any WebSocketApplication)?
}

/// A complete HTTP response and its status (for the log line).
public struct HTTPReply: Sendable, Equatable {
    /// The status it carries.
    public let status: HTTPStatus
    /// The encoded response, head and body.
    public let bytes: [UInt8]

    /// Wraps an already encoded response.
    public init(status: HTTPStatus, bytes: [UInt8]) {
        self.status = status
        self.bytes = bytes
    }

    /// A small plain-text error response that closes the connection.
    public static func error(_ status: HTTPStatus, extraHeaders: [(String, String)] = []) -> HTTPReply {
        let body = Array("\(status.code) \(status.reason)\n".utf8)
        let headers = [("Content-Type", "text/plain; charset=utf-8")] + extraHeaders
        return HTTPReply(
            status: status, bytes: HTTPResponse.encode(status: status, headers: headers, body: body, close: true))
    }
}

/// The router of a table with no applications yet: every request gets 404.
public final class NotFoundRouter: RequestRouter {
    /// A router that knows no paths.
    public init() {}

    /// 404 for everything.
    public func response(to request: HTTPRequestHead) -> HTTPReply { .error(.notFound) }

    /// No application.
    public func application(forUpgrade request: HTTPRequestHead) -> (any WebSocketApplication)? { nil }
}
