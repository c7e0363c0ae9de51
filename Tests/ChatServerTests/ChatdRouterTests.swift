import Testing
import WebSocket
import WebSocketServer

@testable import ChatServer
@testable import GlueTestSupport

/// chatd's routes: the page and `/healthz` over plain HTTP, `/echo` and `/chat/ROOM` upgrades to their
/// applications, the right error for everything else.
@Suite struct ChatdRouterTests {
    /// A request head for `method` and `target`.
    static func head(_ method: String, _ target: String) -> HTTPRequestHead {
        HTTPRequestHead(method: method, target: target)
    }

    /// The response text for `method` and `target`.
    static func respond(_ method: String, _ target: String) -> String {
        String(decoding: ChatdRouter.respond(to: head(method, target)).bytes, as: UTF8.self)
    }

    @Test func pageAndHealthCheck() {
        for path in ["/", "/index.html"] {
            let page = Self.respond("GET", path)
            #expect(page.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(page.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"))
            #expect(page.hasSuffix(String(decoding: ChatdRouter.page, as: UTF8.self)))
        }
        let health = Self.respond("GET", "/healthz")
        #expect(health.hasSuffix("\r\n\r\nok\n"))
        #expect(health.contains("\r\nCache-Control: no-cache\r\n"))
        #expect(health.contains("\r\nContent-Length: 3\r\n"))
    }

    @Test func headHasTheHeadersOfGetAndNoBody() {
        let get = Self.respond("GET", "/healthz")
        let head = Self.respond("HEAD", "/healthz")
        #expect(head + "ok\n" == get)
        #expect(head.hasSuffix("\r\n\r\n"))
    }

    @Test func errors() {
        let post = Self.respond("POST", "/healthz")
        #expect(post.hasPrefix("HTTP/1.1 405 "))
        #expect(post.contains("\r\nAllow: GET, HEAD\r\n"))
        let echo = Self.respond("GET", "/echo")
        #expect(echo.hasPrefix("HTTP/1.1 426 "))
        #expect(echo.contains("\r\nUpgrade: websocket\r\n"))
        #expect(echo.contains("\r\nSec-WebSocket-Version: 13\r\n"))
        #expect(Self.respond("GET", "/nothing").hasPrefix("HTTP/1.1 404 "))
        #expect(Self.respond("GET", "/chat/room").hasPrefix("HTTP/1.1 404 "), "a room is only a WebSocket")
    }

    @Test func upgradesGoToTheirApplications() throws {
        let harness = try ServerHarness()
        let router = ChatdRouter(chat: harness.server.chat, echo: harness.server.echo)
        #expect(router.application(forUpgrade: Self.head("GET", "/echo")) === harness.server.echo)
        #expect(router.application(forUpgrade: Self.head("GET", "/chat/lobby?name=x")) === harness.server.chat)
        #expect(router.application(forUpgrade: Self.head("GET", "/chat/")) == nil)
        #expect(router.application(forUpgrade: Self.head("GET", "/")) === harness.server.chat, "the lobby")
        #expect(router.application(forUpgrade: Self.head("GET", "/a/b/c")) == nil)
        #expect(router.application(forUpgrade: Self.head("GET", "/echo/more")) == nil)
    }

    @Test func healthCheckOverASocket() throws {
        let harness = try ServerHarness()
        let client = try harness.connect()
        client.send(ClientBytes.get("/healthz"))
        #expect(harness.run { client.receiveEnd() })
        #expect(client.receivedText.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(client.receivedText.hasSuffix("\r\n\r\nok\n"))
        let upgrade = try harness.connect()
        upgrade.send(ClientBytes.upgrade("/a/b/c"))
        #expect(harness.run { upgrade.receiveEnd() })
        #expect(upgrade.receivedText.hasPrefix("HTTP/1.1 404 "))
    }
}
