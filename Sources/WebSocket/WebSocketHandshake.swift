import Crypto
import ExtrasBase64

/// The server side of the RFC 6455 §4.2 opening handshake: validates an upgrade request and builds the response.
public enum WebSocketHandshake {
    /// The GUID RFC 6455 appends to the client's key before hashing.
    static let acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    /// Whether the request asks for a WebSocket upgrade (its Upgrade header has the token "websocket").
    public static func isUpgradeRequest(_ head: HTTPRequestHead) -> Bool {
        head.headers.containsToken("Upgrade", "websocket")
    }

    /// Validates the upgrade request against RFC 6455 and `policy`; returns the 101 response or an error response.
    public static func evaluate(_ head: HTTPRequestHead, policy: HandshakePolicy) -> HandshakeOutcome {
        let headers = head.headers
        guard head.method == "GET" else {
            return reject(.methodNotAllowed, "WebSocket upgrade requires GET", extraHeaders: [("Allow", "GET")])
        }
        guard head.version == "HTTP/1.1" else { return reject(.badRequest, "WebSocket upgrade requires HTTP/1.1") }
        guard let host = headers.onlyValue("Host"), !host.isEmpty else {
            return reject(.badRequest, "missing or duplicate Host header")
        }
        guard headers.containsToken("Upgrade", "websocket") else {
            return reject(.badRequest, "Upgrade header must contain websocket")
        }
        guard headers.containsToken("Connection", "upgrade") else {
            return reject(.badRequest, "Connection header must contain Upgrade")
        }
        guard headers.onlyValue("Sec-WebSocket-Version") == "13" else {
            return reject(
                .upgradeRequired, "unsupported WebSocket version (only 13)",
                extraHeaders: [("Sec-WebSocket-Version", "13")])
        }
        guard let key = headers.onlyValue("Sec-WebSocket-Key"), isValidKey(key) else {
            return reject(.badRequest, "Sec-WebSocket-Key must be base64 of 16 bytes")
        }
        if let origin = headers["Origin"], !isOriginAllowed(origin, host: host, policy: policy) {
            return reject(.forbidden, "origin not allowed")
        }
        let subprotocol = selectSubprotocol(offered: headers.rawTokens("Sec-WebSocket-Protocol"), policy: policy)
        var responseHeaders = [
            ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", acceptValue(forKey: key)),
        ]
        if let subprotocol { responseHeaders.append(("Sec-WebSocket-Protocol", subprotocol)) }
        let response = HTTPResponse.encode(
            status: .switchingProtocols, headers: responseHeaders, body: [], close: false)
        return .accept(response: response, subprotocol: subprotocol)
    }

    /// `base64(SHA1(key + GUID))`, the value of `Sec-WebSocket-Accept`.
    public static func acceptValue(forKey key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Array((key + acceptGUID).utf8))
        return Base64.encodeToString(bytes: Array(digest))
    }

    /// A key is valid when it is exactly 24 base64 characters decoding to 16 bytes.
    static func isValidKey(_ key: String) -> Bool {
        guard key.utf8.count == 24, let decoded = try? Base64.decode(string: key) else { return false }
        return decoded.count == 16
    }

    /// The first subprotocol the client offered that the policy supports (client order = client preference).
    static func selectSubprotocol(offered: [String], policy: HandshakePolicy) -> String? {
        offered.first { policy.supportedSubprotocols.contains($0) }
    }

    /// Origin check: "*" allows all, listed origins match case-insensitively, and a same-host origin always passes.
    static func isOriginAllowed(_ origin: String, host: String, policy: HandshakePolicy) -> Bool {
        let trimmedOrigin = String(ASCII.trimmingWhitespace(Substring(origin)))
        if policy.allowedOrigins.contains("*") { return true }
        let normalized = stripTrailingSlash(trimmedOrigin)
        if policy.allowedOrigins.contains(where: { ASCII.equalsIgnoringCase(stripTrailingSlash($0), normalized) }) {
            return true
        }
        guard let (scheme, authority) = splitOrigin(normalized) else { return false }
        return ASCII.equalsIgnoringCase(
            normalizeAuthority(authority, scheme: scheme), normalizeAuthority(host, scheme: scheme))
    }

    /// "https://a/" and "https://a" name the same origin.
    private static func stripTrailingSlash(_ value: String) -> String {
        value.hasSuffix("/") ? String(value.dropLast()) : value
    }

    /// Splits "scheme://authority" into its parts; nil for opaque origins such as "null".
    private static func splitOrigin(_ origin: String) -> (scheme: String, authority: String)? {
        guard let separator = origin.firstRange(of: "://") else { return nil }
        let scheme = ASCII.lowercased(String(origin[..<separator.lowerBound]))
        let authority = origin[separator.upperBound...]
        guard !authority.isEmpty, !authority.contains("/") else { return nil }
        return (scheme, String(authority))
    }

    /// Drops the scheme's default port so "example.com" and "example.com:80" compare equal for http.
    private static func normalizeAuthority(_ authority: String, scheme: String) -> String {
        let defaultPort: String
        switch scheme {
        case "http", "ws": defaultPort = ":80"
        case "https", "wss": defaultPort = ":443"
        default: return authority
        }
        return authority.hasSuffix(defaultPort) ? String(authority.dropLast(defaultPort.utf8.count)) : authority
    }

    /// A rejection with a plain-text explanation and `Connection: close`.
    private static func reject(
        _ status: HTTPStatus, _ message: String, extraHeaders: [(String, String)] = []
    ) -> HandshakeOutcome {
        .reject(
            status: status,
            response: HTTPResponse.plainText(status: status, body: message + "\n", headers: extraHeaders, close: true))
    }
}
