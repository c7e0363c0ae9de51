import CLinux
import Glibc

/// Opening and using the generator's non-blocking TCP sockets.
enum ClientSocket {
    /// Starts a non-blocking connect from `source` (port chosen by the kernel) to `host:port`; a
    /// `receiveBuffer` (bytes) pins SO_RCVBUF before the connect, so the window stays that small.
    static func connect(host: String, port: UInt16, source: String, receiveBuffer: Int32? = nil) throws(LoadError)
        -> Int32
    {
        let fd = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("socket", clinux_errno()) }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        // Lets many short-lived client sockets reuse source ports still in TIME_WAIT (churn, connect).
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if var size = receiveBuffer {
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        // IP_BIND_ADDRESS_NO_PORT (24): bind only the address and let connect() pick the port per
        // destination; bind(port 0) searches every port in use and crawls once thousands are in TIME_WAIT.
        _ = setsockopt(fd, Int32(IPPROTO_IP), 24, &one, socklen_t(MemoryLayout<Int32>.size))
        var local = try address(source, port: 0)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let code = clinux_errno()
            Glibc.close(fd)
            throw .system("bind \(source)", code)
        }
        var remote = try address(host, port: port)
        let result = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 && clinux_errno() != EINPROGRESS {
            let code = clinux_errno()
            Glibc.close(fd)
            throw .system("connect \(host):\(port)", code)
        }
        return fd
    }

    /// The pending error of a socket whose connect finished (0 when it succeeded).
    static func pendingError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
        return code
    }

    /// Writes what it can; returns bytes written, 0 when the socket is full, -errno on failure.
    @inline(__always)
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int {
        while true {
            let written = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if written >= 0 { return written }
            let code = clinux_errno()
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return 0 }
            return -Int(code)
        }
    }

    private static func address(_ text: String, port: UInt16) throws(LoadError) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, text, &address.sin_addr) == 1 else {
            throw .usage("not an IPv4 address: \(text)")
        }
        return address
    }
}
