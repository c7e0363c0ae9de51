#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One address the server listens on, as written in the config file or on the command line
/// (`127.0.0.1:8080`, `[::1]:8080`). Only numeric hosts are accepted, so binding never depends on DNS.
public struct ListenAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The numeric host without brackets: `127.0.0.1`, `0.0.0.0`, `::1`, `::`.
    public var host: String
    /// The TCP port, 1...65535.
    public var port: UInt16

    /// Creates an address from parts that are already known to be valid.
    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` or `[IPV6]:PORT`, the form used in the config file and by `--listen`.
    public init(_ text: String) throws(ListenAddressError) {
        self = try ListenAddressParser.parse(text)
    }

    /// True when `host` is an IPv6 literal, so the server knows which socket family to open.
    public var isIPv6: Bool { host.contains(":") }

    /// `host:port`, with the host bracketed for IPv6 so the result parses back to the same address.
    public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a listen address was rejected; the description is a complete sentence for error messages.
public enum ListenAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing usable was given.
    case empty
    /// The `:PORT` part is absent.
    case missingPort(String)
    /// The port is not a decimal number.
    case invalidPort(String)
    /// The port is a number outside 1...65535.
    case portOutOfRange(String)
    /// The host is not a numeric IPv4 or bracketed IPv6 address.
    case invalidHost(String)
    /// An IPv6 address was written without brackets, so its port cannot be told apart.
    case unbracketedIPv6(String)

    /// A readable explanation including the offending text.
    public var description: String {
        switch self {
        case .empty:
            return "empty listen address (expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)"
        case .missingPort(let text):
            return "listen address \"\(text)\" has no port (expected HOST:PORT, e.g. 127.0.0.1:8080)"
        case .invalidPort(let text):
            return "listen address \"\(text)\" has an invalid port (expected a number 1-65535)"
        case .portOutOfRange(let text):
            return "listen address \"\(text)\": port must be between 1 and 65535"
        case .invalidHost(let text):
            return "listen address \"\(text)\": host must be a numeric IPv4 address or a bracketed IPv6 address"
        case .unbracketedIPv6(let text):
            return "listen address \"\(text)\": IPv6 addresses must be bracketed, e.g. [::1]:8080"
        }
    }
}

/// The parsing rules behind `ListenAddress.init(_:)`, kept apart so the type itself stays small.
enum ListenAddressParser {
    /// Splits `text` into host and port and validates both.
    static func parse(_ text: String) throws(ListenAddressError) -> ListenAddress {
        guard !text.isEmpty, text.utf8.count <= 128 else {
            throw text.isEmpty ? .empty : .invalidHost(String(text.prefix(64)) + "...")
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidHost(text) }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw rest.isEmpty ? .missingPort(text) : .invalidHost(text) }
            portText = rest.dropFirst()
            guard isIPv6Literal(host) else { throw .invalidHost(text) }
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .missingPort(text) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") { throw .unbracketedIPv6(text) }
            guard isIPv4Literal(host) else { throw .invalidHost(text) }
        }
        let port = try parsePort(portText, in: text)
        return ListenAddress(host: String(host), port: port)
    }

    /// A decimal port 1...65535; long digit strings are rejected without overflowing.
    static func parsePort(_ text: Substring, in whole: String) throws(ListenAddressError) -> UInt16 {
        guard !text.isEmpty else { throw .missingPort(whole) }
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw .invalidPort(whole)
        }
        guard text.utf8.count <= 5, let value = Int(text), (1...65_535).contains(value) else {
            throw .portOutOfRange(whole)
        }
        return UInt16(value)
    }

    /// True for a dotted-quad IPv4 address as accepted by `inet_pton`.
    static func isIPv4Literal(_ host: Substring) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, String(host), &address) == 1
    }

    /// True for an IPv6 address as accepted by `inet_pton` (no zone index).
    static func isIPv6Literal(_ host: Substring) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET6, String(host), &address) == 1
    }
}
