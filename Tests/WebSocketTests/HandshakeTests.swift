import Testing
import WebSocket

/// RFC 6455 §4.2 opening handshake: accept vectors and every rejection path.
@Suite struct HandshakeTests {
    static let validKey = "dGhlIHNhbXBsZSBub25jZQ=="

    /// The headers of a valid upgrade request, to be modified per test.
    static let validHeaders: [(name: String, value: String)] = [
        (name: "Host", value: "chat.example.com:8080"),
        (name: "Upgrade", value: "websocket"),
        (name: "Connection", value: "Upgrade"),
        (name: "Sec-WebSocket-Key", value: validKey),
        (name: "Sec-WebSocket-Version", value: "13"),
    ]

    /// A request head with `validHeaders` minus `removing`, with `replacing` values swapped in and `adding` appended.
    static func request(
        method: String = "GET", version: String = "HTTP/1.1", removing: [String] = [],
        replacing: [String: String] = [:], adding: [(name: String, value: String)] = []
    ) -> HTTPRequestHead {
        var entries = validHeaders.filter { !removing.contains($0.name) }
        for index in entries.indices {
            if let value = replacing[entries[index].name] { entries[index].value = value }
        }
        entries += adding
        return HTTPRequestHead(method: method, target: "/echo", version: version, headers: HTTPHeaders(entries))
    }

    /// The rejection status, or nil when accepted.
    static func rejection(_ head: HTTPRequestHead, policy: HandshakePolicy = HandshakePolicy()) -> HTTPStatus? {
        if case .reject(let status, _) = WebSocketHandshake.evaluate(head, policy: policy) { return status }
        return nil
    }

    /// The full response text of the outcome.
    static func responseText(_ outcome: HandshakeOutcome) -> String {
        switch outcome {
        case .accept(let response, _): return String(decoding: response, as: UTF8.self)
        case .reject(_, let response): return String(decoding: response, as: UTF8.self)
        }
    }

    @Test func rfcSampleKeyProducesRFCAcceptValue() {
        #expect(WebSocketHandshake.acceptValue(forKey: "dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    @Test func otherKnownAcceptVector() {
        // The well-known example key/accept pair used in many WebSocket tutorials.
        #expect(WebSocketHandshake.acceptValue(forKey: "x3JJHMbDL1EzLkh9GBhXDw==") == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=")
    }

    @Test func validRequestIsAcceptedWith101() throws {
        let outcome = WebSocketHandshake.evaluate(Self.request(), policy: HandshakePolicy())
        guard case .accept(_, let subprotocol) = outcome else {
            Issue.record("expected accept, got \(outcome)")
            return
        }
        #expect(subprotocol == nil)
        let text = Self.responseText(outcome)
        #expect(text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(text.contains("\r\nUpgrade: websocket\r\n"))
        #expect(text.contains("\r\nConnection: Upgrade\r\n"))
        #expect(text.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        #expect(!text.contains("Content-Length"))
        #expect(!text.contains("Sec-WebSocket-Protocol"))
        #expect(text.hasSuffix("\r\n\r\n"))
    }

    @Test func headerNamesAndTokensAreCaseInsensitive() {
        let head = HTTPRequestHead(
            method: "GET", target: "/", version: "HTTP/1.1",
            headers: HTTPHeaders([
                (name: "host", value: "h"), (name: "UPGRADE", value: "WebSocket"),
                (name: "connection", value: "keep-alive, UPGRADE"),
                (name: "sec-websocket-key", value: Self.validKey), (name: "SEC-WEBSOCKET-VERSION", value: "13"),
            ]))
        #expect(Self.rejection(head) == nil)
        #expect(WebSocketHandshake.isUpgradeRequest(head))
    }

    @Test func isUpgradeRequestNeedsWebsocketToken() {
        #expect(WebSocketHandshake.isUpgradeRequest(Self.request()))
        #expect(!WebSocketHandshake.isUpgradeRequest(Self.request(removing: ["Upgrade"])))
        #expect(!WebSocketHandshake.isUpgradeRequest(Self.request(replacing: ["Upgrade": "h2c"])))
        #expect(WebSocketHandshake.isUpgradeRequest(Self.request(replacing: ["Upgrade": "foo, WebSocket"])))
    }

    @Test(arguments: ["POST", "PUT", "HEAD", "get"])
    func nonGetMethodIsRejectedWith405(method: String) {
        let outcome = WebSocketHandshake.evaluate(Self.request(method: method), policy: HandshakePolicy())
        guard case .reject(let status, _) = outcome else {
            Issue.record("expected reject")
            return
        }
        #expect(status == .methodNotAllowed)
        #expect(Self.responseText(outcome).hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n"))
        #expect(Self.responseText(outcome).contains("\r\nAllow: GET\r\n"))
    }

    @Test func http10IsRejectedWith400() {
        #expect(Self.rejection(Self.request(version: "HTTP/1.0")) == .badRequest)
    }

    @Test func missingHostIsRejectedWith400() {
        #expect(Self.rejection(Self.request(removing: ["Host"])) == .badRequest)
    }

    @Test func duplicateHostIsRejectedWith400() {
        #expect(Self.rejection(Self.request(adding: [(name: "Host", value: "other")])) == .badRequest)
    }

    @Test(arguments: [nil, "h2c", "websocket2"])
    func missingOrWrongUpgradeIsRejectedWith400(value: String?) {
        let head =
            value.map { Self.request(replacing: ["Upgrade": $0]) } ?? Self.request(removing: ["Upgrade"])
        #expect(Self.rejection(head) == .badRequest)
    }

    @Test(arguments: [nil, "keep-alive", "close", "upgraded"])
    func missingOrWrongConnectionIsRejectedWith400(value: String?) {
        let head =
            value.map { Self.request(replacing: ["Connection": $0]) } ?? Self.request(removing: ["Connection"])
        #expect(Self.rejection(head) == .badRequest)
    }

    @Test(arguments: [nil, "8", "12", "14", "13, 8", " "])
    func wrongVersionIsRejectedWith426AndAdvertises13(value: String?) {
        let head =
            value.map { Self.request(replacing: ["Sec-WebSocket-Version": $0]) }
            ?? Self.request(removing: ["Sec-WebSocket-Version"])
        let outcome = WebSocketHandshake.evaluate(head, policy: HandshakePolicy())
        guard case .reject(let status, _) = outcome else {
            Issue.record("expected reject")
            return
        }
        #expect(status == .upgradeRequired)
        let text = Self.responseText(outcome)
        #expect(text.hasPrefix("HTTP/1.1 426 Upgrade Required\r\n"))
        #expect(text.contains("\r\nSec-WebSocket-Version: 13\r\n"))
        #expect(text.contains("\r\nConnection: close\r\n"))
    }

    @Test(arguments: [
        nil,
        "",
        "AAAAAAAAAAAAAAAAAAAA",  // 20 chars: 15 bytes
        "AAAAAAAAAAAAAAAAAAAAAAAA",  // 24 chars but 18 bytes
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // 32 chars
        "!!!!!!!!!!!!!!!!!!!!!!==",  // right length, not base64
        "dGhlIHNhbXBsZSBub25jZQ=",  // truncated padding
        "dGhlIHNhbXBsZSBub25jZQ==x",
    ])
    func badKeyIsRejectedWith400(key: String?) {
        let head =
            key.map { Self.request(replacing: ["Sec-WebSocket-Key": $0]) }
            ?? Self.request(removing: ["Sec-WebSocket-Key"])
        #expect(Self.rejection(head) == .badRequest)
    }

    @Test func twoKeysAreRejectedWith400() {
        let head = Self.request(adding: [(name: "Sec-WebSocket-Key", value: "AQIDBAUGBwgJCgsMDQ4PEA==")])
        #expect(Self.rejection(head) == .badRequest)
    }

    @Test func anotherSixteenByteKeyIsAccepted() {
        #expect(Self.rejection(Self.request(replacing: ["Sec-WebSocket-Key": "AQIDBAUGBwgJCgsMDQ4PEA=="])) == nil)
    }

    @Test func foreignOriginIsRejectedWith403() {
        let head = Self.request(adding: [(name: "Origin", value: "https://evil.example.net")])
        let outcome = WebSocketHandshake.evaluate(head, policy: HandshakePolicy())
        guard case .reject(let status, _) = outcome else {
            Issue.record("expected reject")
            return
        }
        #expect(status == .forbidden)
        #expect(Self.responseText(outcome).hasPrefix("HTTP/1.1 403 Forbidden\r\n"))
        #expect(Self.responseText(outcome).contains("\r\nConnection: close\r\n"))
    }

    @Test func originEqualToHostIsAllowed() {
        let head = Self.request(adding: [(name: "Origin", value: "http://chat.example.com:8080")])
        #expect(Self.rejection(head) == nil)
        let upper = Self.request(adding: [(name: "Origin", value: "HTTPS://CHAT.EXAMPLE.COM:8080")])
        #expect(Self.rejection(upper) == nil)
    }

    @Test func originWithDifferentPortThanHostIsRejected() {
        let head = Self.request(adding: [(name: "Origin", value: "http://chat.example.com:9090")])
        #expect(Self.rejection(head) == .forbidden)
    }

    @Test func defaultPortsCompareEqual() {
        let plain = Self.request(
            replacing: ["Host": "chat.example.com"], adding: [(name: "Origin", value: "http://chat.example.com:80")])
        #expect(Self.rejection(plain) == nil)
        let tls = Self.request(
            replacing: ["Host": "chat.example.com:443"], adding: [(name: "Origin", value: "https://chat.example.com")])
        #expect(Self.rejection(tls) == nil)
    }

    @Test func wildcardAllowsAnyOrigin() {
        let head = Self.request(adding: [(name: "Origin", value: "https://evil.example.net")])
        #expect(Self.rejection(head, policy: HandshakePolicy(allowedOrigins: ["*"])) == nil)
        let opaque = Self.request(adding: [(name: "Origin", value: "null")])
        #expect(Self.rejection(opaque, policy: HandshakePolicy(allowedOrigins: ["*"])) == nil)
    }

    @Test func listedOriginIsAllowedCaseInsensitively() {
        let policy = HandshakePolicy(allowedOrigins: ["https://Chat.Example.org"])
        let head = Self.request(adding: [(name: "Origin", value: "https://chat.example.org")])
        #expect(Self.rejection(head, policy: policy) == nil)
        let other = Self.request(adding: [(name: "Origin", value: "https://chat.example.org.evil.net")])
        #expect(Self.rejection(other, policy: policy) == .forbidden)
    }

    @Test func missingOriginIsAllowed() {
        #expect(Self.rejection(Self.request(), policy: HandshakePolicy(allowedOrigins: ["https://x.example"])) == nil)
    }

    @Test func opaqueNullOriginIsRejectedWithoutWildcard() {
        #expect(Self.rejection(Self.request(adding: [(name: "Origin", value: "null")])) == .forbidden)
    }

    @Test func originCheckRunsAfterProtocolChecks() {
        let head = Self.request(
            replacing: ["Sec-WebSocket-Version": "8"], adding: [(name: "Origin", value: "https://evil.example.net")])
        #expect(Self.rejection(head) == .upgradeRequired)
    }

    @Test func firstSupportedOfferedSubprotocolIsSelected() {
        let policy = HandshakePolicy(supportedSubprotocols: ["chatd.v1", "chatd.v2"])
        let head = Self.request(adding: [(name: "Sec-WebSocket-Protocol", value: "mqtt, chatd.v2, chatd.v1")])
        let outcome = WebSocketHandshake.evaluate(head, policy: policy)
        guard case .accept(_, let subprotocol) = outcome else {
            Issue.record("expected accept")
            return
        }
        #expect(subprotocol == "chatd.v2")
        #expect(Self.responseText(outcome).contains("\r\nSec-WebSocket-Protocol: chatd.v2\r\n"))
    }

    @Test func subprotocolOffersAcrossSeveralHeadersAreCombined() {
        let head = Self.request(adding: [
            (name: "Sec-WebSocket-Protocol", value: "mqtt"), (name: "Sec-WebSocket-Protocol", value: "chatd.v1"),
        ])
        guard case .accept(_, let subprotocol) = WebSocketHandshake.evaluate(head, policy: HandshakePolicy()) else {
            Issue.record("expected accept")
            return
        }
        #expect(subprotocol == "chatd.v1")
    }

    @Test func unsupportedSubprotocolsAreNotSelected() {
        let head = Self.request(adding: [(name: "Sec-WebSocket-Protocol", value: "mqtt, CHATD.V1")])
        let outcome = WebSocketHandshake.evaluate(head, policy: HandshakePolicy())
        guard case .accept(_, let subprotocol) = outcome else {
            Issue.record("expected accept")
            return
        }
        #expect(subprotocol == nil)
        #expect(!Self.responseText(outcome).contains("Sec-WebSocket-Protocol"))
    }

    @Test func parsedRequestIsAccepted() throws {
        let head = try #require(
            TestSupport.head(
                "GET /chat/lobby?name=al HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\n"
                    + "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: \(Self.validKey)\r\n"
                    + "Sec-WebSocket-Version: 13\r\nOrigin: http://localhost:8080\r\n\r\n"))
        #expect(Self.rejection(head) == nil)
    }
}
