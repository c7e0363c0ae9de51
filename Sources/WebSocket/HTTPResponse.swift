/// Encodes complete HTTP/1.1 responses (status line, headers, body) into bytes ready to write.
public enum HTTPResponse {
    /// A complete response: status line, given headers, Content-Length, `Connection: close` when `close` is true,
    /// a `Server: chatd` header, blank line, body. 1xx/204/304 responses get no Content-Length (RFC 9110 §8.6).
    public static func encode(status: HTTPStatus, headers: [(String, String)], body: [UInt8], close: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status.code) \(status.reason)\r\nServer: chatd\r\n"
        var hasContentLength = false
        var hasConnection = false
        for (name, value) in headers {
            if ASCII.equalsIgnoringCase(name, "Content-Length") { hasContentLength = true }
            if ASCII.equalsIgnoringCase(name, "Connection") { hasConnection = true }
            text += "\(name): \(value)\r\n"
        }
        let forbidsBody = (100..<200).contains(status.code) || status.code == 204 || status.code == 304
        if !hasContentLength && !forbidsBody {
            text += "Content-Length: \(body.count)\r\n"
        }
        if close && !hasConnection {
            text += "Connection: close\r\n"
        }
        text += "\r\n"
        var bytes = Array(text.utf8)
        bytes.append(contentsOf: body)
        return bytes
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
