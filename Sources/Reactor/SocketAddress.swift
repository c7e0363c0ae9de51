import CLinux
import Glibc

/// An IPv4 or IPv6 socket address, parsed from text for binding and formatted for logs.
public struct SocketAddress: Sendable, CustomStringConvertible {
    /// The raw sockaddr storage.
    var storage = sockaddr_storage()
    /// How many bytes of `storage` are meaningful.
    var length: socklen_t = 0

    /// Parses a numeric IPv4 or IPv6 host ("127.0.0.1", "::1", "" / "*" for any IPv4) and a port.
    public init?(host: String, port: UInt16) {
        var v4 = sockaddr_in()
        if host.isEmpty || host == "*" || inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            if host.isEmpty || host == "*" { v4.sin_addr.s_addr = 0 }
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            withUnsafeBytes(of: v4) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            return
        }
        var v6 = sockaddr_in6()
        guard inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 else { return nil }
        v6.sin6_family = sa_family_t(AF_INET6)
        v6.sin6_port = port.bigEndian
        withUnsafeBytes(of: v6) { source in
            withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
        }
        length = socklen_t(MemoryLayout<sockaddr_in6>.size)
    }

    /// Wraps an address filled in by the kernel (accept, getsockname).
    init(storage: sockaddr_storage, length: socklen_t) {
        self.storage = storage
        self.length = length
    }

    /// The address family (AF_INET or AF_INET6).
    public var family: Int32 { Int32(storage.ss_family) }

    /// "1.2.3.4:80" or "[::1]:80".
    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var copy = storage
        return withUnsafePointer(to: &copy) { pointer -> String in
            if family == AF_INET {
                return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var address = v4.pointee.sin_addr
                    inet_ntop(AF_INET, &address, &text, socklen_t(text.count))
                    return "\(Self.string(fromCString: text)):\(UInt16(bigEndian: v4.pointee.sin_port))"
                }
            }
            if family == AF_INET6 {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var address = v6.pointee.sin6_addr
                    inet_ntop(AF_INET6, &address, &text, socklen_t(text.count))
                    return "[\(Self.string(fromCString: text))]:\(UInt16(bigEndian: v6.pointee.sin6_port))"
                }
            }
            return "unknown"
        }
    }

    /// Decodes a NUL-terminated C character buffer.
    private static func string(fromCString characters: [CChar]) -> String {
        String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs `body` with the address as a `sockaddr` pointer and its length.
    func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafePointer(to: storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
