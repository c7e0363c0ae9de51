import CLinux
import Glibc

/// A bound, listening, non-blocking TCP socket that accepts until EAGAIN and survives running out
/// of file descriptors by keeping one spare descriptor in reserve.
public final class ListeningSocket {
    /// The listening descriptor.
    public let fd: Int32
    /// The address actually bound (with the kernel's port when 0 was asked for).
    public let localAddress: SocketAddress
    private var reserveFD: Int32

    /// Creates, binds and listens. IPv6 sockets are v6-only so "0.0.0.0" and "::" can be listed together.
    public init(address: SocketAddress, backlog: Int32 = 1024) throws(SystemCallError) {
        let fd = socket(
            address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
            0)
        guard fd >= 0 else { throw SystemCallError("socket(\(address))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = address.withSockaddr { bind(fd, $0, $1) }
        guard bound == 0 else {
            let error = SystemCallError("bind(\(address))")
            close(fd)
            throw error
        }
        guard listen(fd, backlog) == 0 else {
            let error = SystemCallError("listen(\(address))")
            close(fd)
            throw error
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        self.fd = fd
        self.localAddress = SocketAddress(storage: storage, length: length)
        self.reserveFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    /// Adopts an already listening descriptor (e.g. one handed over by systemd).
    public init(adopting fd: Int32) {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        self.fd = fd
        self.localAddress = SocketAddress(storage: storage, length: length)
        self.reserveFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    deinit {
        close(fd)
        if reserveFD >= 0 { close(reserveFD) }
    }

    /// One accepted connection.
    public struct Accepted {
        /// The connected, non-blocking descriptor.
        public let fd: Int32
        /// The peer's address.
        public let peer: SocketAddress
    }

    /// What one accept attempt produced.
    public enum AcceptResult {
        /// A new connection.
        case accepted(Accepted)
        /// No more pending connections.
        case empty
        /// Out of descriptors: one pending connection was accepted and closed to keep the backlog moving.
        case shedForLackOfDescriptors
        /// Another error (logged by the caller; the loop keeps going).
        case failed(SystemCallError)
    }

    /// Accepts one pending connection.
    public func acceptOne() -> AcceptResult {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let client = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { clinux_accept_nonblocking(fd, $0, &length) }
        }
        if client >= 0 {
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            return .accepted(Accepted(fd: client, peer: SocketAddress(storage: storage, length: length)))
        }
        let code = clinux_errno()
        switch code {
        case EAGAIN, EWOULDBLOCK: return .empty
        case EMFILE, ENFILE:
            // Free the spare descriptor, take the connection off the backlog and drop it, then re-arm the spare.
            // Without this the listening socket would stay readable and the loop would spin.
            // Linux reports EMFILE even with an empty backlog, so an empty backlog here ends the round.
            if reserveFD >= 0 { close(reserveFD) }
            let dropped = accept(fd, nil, nil)
            if dropped >= 0 { close(dropped) }
            reserveFD = open("/dev/null", O_RDONLY | O_CLOEXEC)
            return dropped >= 0 ? .shedForLackOfDescriptors : .empty
        case EINTR, ECONNABORTED, EPROTO: return .failed(SystemCallError("accept", code: code))
        default: return .failed(SystemCallError("accept", code: code))
        }
    }
}
