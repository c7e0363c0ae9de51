/// The parsed request line and headers of one HTTP/1.x request (chatd never reads request bodies).
public struct HTTPRequestHead: Sendable, Equatable {
    /// The method, e.g. "GET" (case-sensitive, as sent).
    public var method: String
    /// The raw request target, e.g. "/chat/room?name=x".
    public var target: String
    /// The target's path without the query, NOT percent-decoded, e.g. "/chat/room".
    public var path: String
    /// The raw query after the first "?", or nil when the target has none.
    public var query: String?
    /// The protocol version, "HTTP/1.1" or "HTTP/1.0".
    public var version: String
    /// The header fields in wire order.
    public var headers: HTTPHeaders

    /// Creates a head; `path` and `query` are derived from `target`.
    public init(method: String, target: String, version: String = "HTTP/1.1", headers: HTTPHeaders = HTTPHeaders()) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        (self.path, self.query) = HTTPRequestHead.splitTarget(target)
    }

    /// Splits a request target into path and query; absolute-form targets ("http://host/p") yield their path.
    static func splitTarget(_ target: String) -> (path: String, query: String?) {
        var pathPart = Substring(target)
        var query: String?
        if let questionMark = pathPart.firstIndex(of: "?") {
            query = String(pathPart[pathPart.index(after: questionMark)...])
            pathPart = pathPart[..<questionMark]
        }
        if let hash = pathPart.firstIndex(of: "#") {
            pathPart = pathPart[..<hash]
        }
        if !pathPart.hasPrefix("/") && pathPart != "*", let schemeEnd = pathPart.firstRange(of: "://") {
            let authorityAndPath = pathPart[schemeEnd.upperBound...]
            if let slash = authorityAndPath.firstIndex(of: "/") {
                pathPart = authorityAndPath[slash...]
            } else {
                pathPart = "/"
            }
        }
        return (String(pathPart), query)
    }
}
