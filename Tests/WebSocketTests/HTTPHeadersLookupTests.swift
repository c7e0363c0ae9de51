import Testing
import WebSocket

/// The allocation-free header lookups the handshake uses agree with the list-building ones.
@Suite struct HTTPHeadersLookupTests {
    static let headers = HTTPHeaders([
        (name: "Connection", value: "keep-alive, Upgrade"), (name: "X-Multi", value: "a"),
        (name: "x-multi", value: " b ,\tC ,, "), (name: "Host", value: "example.com"),
        (name: "X-Accent", value: "caf\u{E9}, websocket"), (name: "X-Combining", value: "websocket,\u{301}x"),
    ])

    @Test func containsTokenMatchesTokensContains() {
        let headers = Self.headers
        let cases: [(String, String)] = [
            ("Connection", "upgrade"), ("connection", "keep-alive"), ("Connection", "close"), ("X-Multi", "a"),
            ("X-Multi", "b"), ("X-Multi", "c"), ("X-Multi", ""), ("X-Multi", "b ,"), ("Missing", "a"),
            ("X-Accent", "websocket"), ("X-Accent", "caf\u{E9}"), ("X-Combining", "websocket"),
        ]
        for (name, token) in cases {
            #expect(
                headers.containsToken(name, token) == headers.tokens(name).contains(token), "\(name) \(token)")
        }
    }

    @Test func combiningMarkAfterCommaIsNotASeparator() {
        #expect(!Self.headers.containsToken("X-Combining", "websocket"))
        #expect(Self.headers.containsToken("X-Accent", "websocket"))
    }

    @Test func onlyValueNeedsExactlyOneOccurrence() {
        #expect(Self.headers.onlyValue("host") == "example.com")
        #expect(Self.headers.onlyValue("X-Multi") == nil)
        #expect(Self.headers.onlyValue("Origin") == nil)
    }
}
