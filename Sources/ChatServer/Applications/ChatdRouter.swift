import Chat
import WebSocket
import WebSocketServer

/// chatd's routes: the embedded chat page and a health check over plain HTTP; `/echo` and `/chat/ROOM` as
/// WebSocket applications; correct errors for everything else.
final class ChatdRouter: RequestRouter {
    /// The chat page, embedded in the binary at build time.
    static let page: [UInt8] = PackageResources.index_html

    private let chat: ChatApplication
    private let echo: EchoApplication

    /// Routes upgrades to the two applications.
    init(chat: ChatApplication, echo: EchoApplication) {
        self.chat = chat
        self.echo = echo
    }

    /// `/echo` → echo; `/chat/ROOM` with a valid room name → chat; anything else → 404.
    func application(forUpgrade request: HTTPRequestHead) -> (any WebSocketApplication)? {
        if request.path == "/echo" { return echo }
        if RoomPath.roomName(forPath: request.path) != nil { return chat }
        return nil
    }

    /// The response for a request that did not ask for a WebSocket upgrade.
    func response(to request: HTTPRequestHead) -> HTTPReply {
        Self.respond(to: request, degraded: chat.historyReport.degradedSummary)
    }

    /// The page, `/healthz`, 426 for a plain GET of `/echo`, 405 for methods other than GET and HEAD, else 404.
    /// `/healthz` says `ok`, or `degraded: ...` while the history store cannot write (still 200: chat is served).
    static func respond(to head: HTTPRequestHead, degraded: String? = nil) -> HTTPReply {
        let isHead = head.method == "HEAD"
        guard head.method == "GET" || isHead else {
            return .error(.methodNotAllowed, extraHeaders: [("Allow", "GET, HEAD")])
        }
        let response: (status: HTTPStatus, contentType: String, body: [UInt8])
        switch head.path {
        case "/", "/index.html":
            response = (.ok, "text/html; charset=utf-8", page)
        case "/healthz":
            let body = degraded.map { "degraded: \($0)\n" } ?? "ok\n"
            response = (.ok, "text/plain; charset=utf-8", Array(body.utf8))
        case "/echo":
            return .error(.upgradeRequired, extraHeaders: [("Upgrade", "websocket"), ("Sec-WebSocket-Version", "13")])
        default:
            return .error(.notFound)
        }
        let headers = [("Content-Type", response.contentType), ("Cache-Control", "no-cache")]
        var bytes = HTTPResponse.encode(status: response.status, headers: headers, body: response.body, close: true)
        if isHead { bytes.removeLast(response.body.count) }
        return HTTPReply(status: response.status, bytes: bytes)
    }
}
