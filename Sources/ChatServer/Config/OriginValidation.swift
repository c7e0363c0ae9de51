/// Checks `[http] allowed_origins` entries so a malformed origin is caught at start-up instead of
/// silently never matching a browser's `Origin` header.
enum OriginValidation {
    /// Nil when `origin` is `"*"` or `http(s)://host[:port]`; otherwise what is wrong with it.
    static func problem(with origin: String) -> String? {
        if origin == "*" { return nil }
        let example = "expected \"*\" or an origin like \"https://chat.example.com\" or \"http://localhost:8080\""
        let quotedOrigin = ConfigTableReader.quoted(origin)
        let lowered = origin.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") {
            scheme = "https://"
        } else if lowered.hasPrefix("http://") {
            scheme = "http://"
        } else {
            return "origin \(quotedOrigin) must start with http:// or https:// (\(example))"
        }
        let authority = lowered.dropFirst(scheme.count)
        if authority.contains("/") || authority.contains("?") || authority.contains("#") {
            return "origin \(quotedOrigin) must not have a path, query or trailing slash (\(example))"
        }
        if authority.contains("@") { return "origin \(quotedOrigin) must not contain user information (\(example))" }
        guard isValidAuthority(authority) else {
            return "origin \(quotedOrigin) has an invalid host or port (\(example))"
        }
        return nil
    }

    /// `host[:port]` with a DNS-style or bracketed IPv6 host and an optional port 1...65535.
    private static func isValidAuthority(_ authority: Substring) -> Bool {
        var host = authority
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return false }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return false }
                port = rest.dropFirst()
            }
            guard ListenAddressParser.isIPv6Literal(host) else { return false }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                host = authority[..<colon]
                port = authority[authority.index(after: colon)...]
            }
            let allowed = host.utf8.allSatisfy { byte in
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                    || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            }
            guard !host.isEmpty, allowed else { return false }
        }
        if let port {
            guard (try? ListenAddressParser.parsePort(port, in: String(authority))) != nil else { return false }
        }
        return true
    }
}
