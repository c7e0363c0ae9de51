import WebSocket

/// The plain-HTTP side of the port: the embedded chat page, a health check, and correct errors.
enum HTTPRoutes {
    /// The chat page, embedded in the binary at build time.
    static let page: [UInt8] = PackageResources.index_html

    /// The response for a request that did not ask for a WebSocket upgrade.
    static func respond(to head: HTTPRequestHead) -> (status: HTTPStatus, bytes: [UInt8]) {
        let isHead = head.method == "HEAD"
        guard head.method == "GET" || isHead else {
            return error(.methodNotAllowed, extraHeaders: [("Allow", "GET, HEAD")])
        }
        let response: (status: HTTPStatus, contentType: String, body: [UInt8])
        switch head.path {
        case "/", "/index.html":
            response = (.ok, "text/html; charset=utf-8", page)
        case "/healthz":
            response = (.ok, "text/plain; charset=utf-8", Array("ok\n".utf8))
        case "/echo":
            return error(.upgradeRequired, extraHeaders: [("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")])
        default:
            return error(.notFound)
        }
        let headers = [("Content-Type", response.contentType), ("Cache-Control", "no-cache")]
        var bytes = HTTPResponse.encode(status: response.status, headers: headers, body: response.body, close: true)
        if isHead { bytes.removeLast(response.body.count) }
        return (response.status, bytes)
    }

    /// A small plain-text error response that closes the connection.
    static func error(_ status: HTTPStatus, extraHeaders: [(String, String)] = []) -> (
        status: HTTPStatus, bytes: [UInt8]
    ) {
        let body = Array("\(status.code) \(status.reason)\n".utf8)
        let headers = [("Content-Type", "text/plain; charset=utf-8")] + extraHeaders
        return (status, HTTPResponse.encode(status: status, headers: headers, body: body, close: true))
    }
}
