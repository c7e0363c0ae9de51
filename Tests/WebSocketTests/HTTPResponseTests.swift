import Testing
import WebSocket

/// Encoding of complete HTTP responses.
@Suite struct HTTPResponseTests {
    @Test func encodesStatusHeadersLengthCloseAndBody() {
        let bytes = HTTPResponse.encode(
            status: .notFound, headers: [("Content-Type", "text/plain")], body: Array("nope\n".utf8), close: true)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 404 Not Found\r\n"))
        #expect(text.contains("\r\nServer: chatd\r\n"))
        #expect(text.contains("\r\nContent-Type: text/plain\r\n"))
        #expect(text.contains("\r\nContent-Length: 5\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n"))
        #expect(text.hasSuffix("\r\n\r\nnope\n"))
    }

    @Test func keepAliveResponseHasNoConnectionClose() {
        let text = String(
            decoding: HTTPResponse.encode(status: .ok, headers: [], body: Array("ok".utf8), close: false),
            as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nServer: chatd\r\nContent-Length: 2\r\n\r\nok")
    }

    @Test func switchingProtocolsHasNoContentLength() {
        let text = String(
            decoding: HTTPResponse.encode(
                status: .switchingProtocols, headers: [("Upgrade", "websocket")], body: [],
                close: false),
            as: UTF8.self)
        #expect(text == "HTTP/1.1 101 Switching Protocols\r\nServer: chatd\r\nUpgrade: websocket\r\n\r\n")
    }

    @Test func plainTextSetsContentType() {
        let text = String(
            decoding: HTTPResponse.plainText(status: .badRequest, body: "bad\n", close: true), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(text.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        #expect(text.contains("\r\nContent-Length: 4\r\n"))
        #expect(text.hasSuffix("\r\n\r\nbad\n"))
    }

    @Test func statusConstantsHaveTheRightCodes() {
        let expected: [(HTTPStatus, Int)] = [
            (.ok, 200), (.switchingProtocols, 101), (.badRequest, 400), (.forbidden, 403), (.notFound, 404),
            (.methodNotAllowed, 405), (.uriTooLong, 414), (.upgradeRequired, 426),
            (.requestHeaderFieldsTooLarge, 431), (.serviceUnavailable, 503), (.httpVersionNotSupported, 505),
            (.internalServerError, 500),
        ]
        for (status, code) in expected {
            #expect(status.code == code)
            #expect(!status.reason.isEmpty)
        }
    }
}
