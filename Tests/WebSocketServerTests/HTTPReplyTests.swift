import Testing
import WebSocket

@testable import GlueTestSupport
@testable import WebSocketServer

/// The error replies the connection layer sends and the router of a table that has no applications.
@Suite struct HTTPReplyTests {
    @Test func errorReplyIsACompletePlainTextResponseThatCloses() {
        let reply = HTTPReply.error(.methodNotAllowed, extraHeaders: [("Allow", "GET")])
        let text = String(decoding: reply.bytes, as: UTF8.self)
        #expect(reply.status == .methodNotAllowed)
        #expect(text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(text.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        #expect(text.contains("\r\nAllow: GET\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n"))
        #expect(text.contains("\r\nContent-Length: 23\r\n"))
        #expect(text.hasSuffix("\r\n\r\n405 Method Not Allowed\n"))
    }

    @Test func tableWithoutApplicationsAnswers404ToEverything() throws {
        let router = NotFoundRouter()
        let head = HTTPRequestHead(method: "GET", target: "/anything")
        #expect(router.response(to: head).status == .notFound)
        #expect(router.application(forUpgrade: head) == nil)

        let harness = try TableHarness()
        harness.table.router = NotFoundRouter()
        let client = try harness.connect()
        client.send(ClientBytes.upgrade("/app"))
        #expect(harness.run { client.receiveEnd() })
        #expect(client.receivedText.hasPrefix("HTTP/1.1 404 "))
        #expect(harness.app.opened.isEmpty)
    }
}
