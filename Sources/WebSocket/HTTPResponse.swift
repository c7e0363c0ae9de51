/// Encodes complete HTTP/1.1 responses (status line, headers, body) into bytes ready to write.
public enum HTTPResponse {
    /// A complete response: status line, given headers, Content-Length, `Connection: close` when `close` is true,
    /// a `Server: chatd` header, blank line, body. 1xx/204/304 responses get no Content-Length (RFC 9110 §8.6).
    public static func encode(status: HTTPStatus, headers: [(String, String)], body: [UInt8], close: Bool) -> [UInt8] {
        // Appended as bytes: string interpolation and `+=` on a growing String cost more than the SHA-1 of the
        // handshake did.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 &+ body.count)
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        bytes.append(contentsOf: String(status.code).utf8)
        bytes.append(ASCII.space)
        bytes.append(contentsOf: status.reason.utf8)
        bytes.append(contentsOf: "\r\nServer: chatd\r\n".utf8)
        var hasContentLength = false
        var hasConnection = false
        for (name, value) in headers {
            if ASCII.equalsIgnoringCase(name, "Content-Length") { hasContentLength = true }
            if ASCII.equalsIgnoringCase(name, "Connection") { hasConnection = true }
            appendField(name, value, to: &bytes)
        }
        let forbidsBody = (100..<200).contains(status.code) || status.code == 204 || status.code == 304
        if !hasContentLength && !forbidsBody {
            appendField("Content-Length", String(body.count), to: &bytes)
        }
        if close && !hasConnection {
            appendField("Connection", "close", to: &bytes)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        bytes.append(contentsOf: body)
        return bytes
    }

    /// Appends `name: value` and CRLF.
    private static func appendField(_ name: String, _ value: String, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: ": ".utf8)
        bytes.append(contentsOf: value.utf8)
        bytes.append(contentsOf: "\r\n".utf8)
    }

    /// A plain-text response (`Content-Type: text/plain; charset=utf-8`), handy for errors and /healthz.
    public static func plainText(status: HTTPStatus, body: String, headers: [(String, String)] = [], close: Bool)
        -> [UInt8]
    {
        encode(
            status: status, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers, body: Array(body.utf8),
            close: close)
    }
}
