/// The parts of a ws:// URL the generator needs: an IPv4 host, a port and the request target.
struct WebSocketURL {
    let host: String
    let port: UInt16
    /// Path and query, e.g. "/chat/bench" or "/echo?x=1".
    let target: String

    /// Parses "ws://HOST:PORT/PATH[?QUERY]"; only plain ws and numeric IPv4 hosts (loopback tests).
    init(parsing text: String) throws(LoadError) {
        guard text.hasPrefix("ws://") else { throw .usage("--url must start with ws:// (got \(text))") }
        let rest = text.dropFirst(5)
        let authority = rest.prefix { $0 != "/" }
        let path = rest.dropFirst(authority.count)
        guard let colon = authority.lastIndex(of: ":"),
            let port = UInt16(authority[authority.index(after: colon)...]), port > 0
        else { throw .usage("--url needs HOST:PORT (got \(text))") }
        host = String(authority[..<colon])
        self.port = port
        target = path.isEmpty ? "/" : String(path)
    }

    /// The request target with `name=` added to the query.
    func target(withName name: String) -> String {
        target + (target.contains("?") ? "&" : "?") + "name=" + name
    }

    /// The request target of room number `room` under this URL's path (the path is a prefix: "/chat/mix" gives
    /// "/chat/mix-7"), with `name=` added to the query.
    func target(room: Int, name: String) -> String {
        let path = target.prefix { $0 != "?" }
        let query = target.dropFirst(path.count + 1)
        return path + "-\(room)?" + (query.isEmpty ? "" : query + "&") + "name=" + name
    }
}
