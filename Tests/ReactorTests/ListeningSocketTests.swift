import Glibc
import Reactor
import Testing

/// The listening socket: binding, what accepted connections look like, adoption of a socket from systemd, and
/// surviving descriptor exhaustion.
@Suite struct ListeningSocketTests {
    @Test func reportsTheKernelsPortAndAcceptsThere() throws {
        let listener = try ListeningSocket(address: loopback())
        let port = try port(of: listener.localAddress)
        #expect(port != 0)
        #expect(try boundPort(of: listener.fd) == port)
        #expect(listener.localAddress.description == "127.0.0.1:\(port)")
        #expect(listener.localAddress.family == AF_INET)
        #expect(isNonBlocking(listener.fd))
        #expect(isCloseOnExec(listener.fd))
        let client = try connectLoopbackClient(port: port)
        defer { close(client) }
        let accepted = try acceptPending(on: listener)
        close(accepted.fd)
    }

    @Test func acceptOneIsEmptyWithNothingPending() throws {
        let listener = try ListeningSocket(address: loopback())
        try #require(isNonBlocking(listener.fd), "acceptOne would block")
        guard case .empty = listener.acceptOne() else {
            Issue.record("expected .empty")
            return
        }
    }

    @Test func acceptedConnectionIsNonBlockingCloseOnExecNoDelayWithPeerAddress() throws {
        let listener = try ListeningSocket(address: loopback())
        let client = try connectLoopbackClient(port: try port(of: listener.localAddress))
        defer { close(client) }
        let accepted = try acceptPending(on: listener)
        defer { close(accepted.fd) }
        #expect(isNonBlocking(accepted.fd))
        #expect(isCloseOnExec(accepted.fd))
        var noDelay: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(accepted.fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, &size) == 0)
        #expect(noDelay != 0, "small frames go out at once")
        #expect(accepted.peer.description == "127.0.0.1:\(try boundPort(of: client))")
        guard case .empty = listener.acceptOne() else {
            Issue.record("one client, one connection")
            return
        }
    }

    @Test func acceptedConnectionCarriesBytesBothWays() throws {
        let listener = try ListeningSocket(address: loopback())
        let client = try connectLoopbackClient(port: try port(of: listener.localAddress))
        defer { close(client) }
        let accepted = try acceptPending(on: listener)
        defer { close(accepted.fd) }
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(writeBytes(client, Array("hi".utf8)) == 2)
        try #require(waitUntilReadable(accepted.fd))
        #expect(buffer.withUnsafeMutableBytes { SocketIO.read(accepted.fd, into: $0) } == .bytes(2))
        #expect(Array(buffer.prefix(2)) == Array("hi".utf8))
        SocketIO.writeBestEffort(accepted.fd, Array("yo".utf8))
        try #require(waitUntilReadable(client))
        #expect(read(client, &buffer, buffer.count) == 2)
        #expect(Array(buffer.prefix(2)) == Array("yo".utf8))
    }

    @Test func bindingAPortInUseNamesTheCallAndAddress() throws {
        let first = try ListeningSocket(address: loopback())
        let port = try port(of: first.localAddress)
        let error = try #require(throws: SystemCallError.self) {
            _ = try ListeningSocket(address: loopback(port: port))
        }
        #expect(error.code == EADDRINUSE)
        #expect(error.call == "bind(127.0.0.1:\(port))")
        #expect(error.description.hasPrefix("bind(127.0.0.1:\(port)): "))
    }

    @Test func ipv6SocketIsV6OnlySoBothWildcardsCanListenOnOnePort() throws {
        let v4 = try ListeningSocket(address: try #require(SocketAddress(host: "0.0.0.0", port: 0)))
        let port = try port(of: v4.localAddress)
        // Without IPV6_V6ONLY, [::]:port would also claim IPv4 and fail with EADDRINUSE.
        let v6 = try ListeningSocket(address: try #require(SocketAddress(host: "::", port: port)))
        #expect(v6.localAddress.description == "[::]:\(port)")
        #expect(v6.localAddress.family == AF_INET6)
        var v6Only: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        #expect(getsockopt(v6.fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &v6Only, &size) == 0)
        #expect(v6Only == 1)
    }

    @Test func adoptsAnAlreadyListeningDescriptor() throws {
        // What systemd hands over: a blocking socket, bound and listening.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = loopbackSockaddr(port: 0)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw SystemCallError("bind/listen")
        }
        let listener = ListeningSocket(adopting: fd)  // owns fd from here on
        #expect(listener.fd == fd)
        try #require(isNonBlocking(fd), "adoption makes the socket non-blocking (or acceptOne would block)")
        let port = try boundPort(of: fd)
        #expect(listener.localAddress.description == "127.0.0.1:\(port)")
        guard case .empty = listener.acceptOne() else {
            Issue.record("expected .empty")
            return
        }
        let client = try connectLoopbackClient(port: port)
        defer { close(client) }
        let accepted = try acceptPending(on: listener)
        #expect(isNonBlocking(accepted.fd))
        close(accepted.fd)
    }
}

/// Running out of descriptors: the listener sheds pending connections instead of leaving them in the backlog
/// (where they would keep the socket readable and the loop spinning). The descriptor limit is process-wide, so
/// the exhaustion happens in a forked child; tests running in parallel in this process never see it.
@Suite struct ListeningSocketExhaustionTests {
    /// Where the child stopped; its exit status.
    private enum Step: Int32 {
        case passed = 0
        case connect = 10
        case notPending
        case setLimit
        case notExhausted
        case firstNotShed
        case secondNotShed
        case notEmptyAfterShedding
        case clientSawNoClose
    }

    @Test func shedsPendingConnectionsWhenOutOfDescriptors() throws {
        let listener = try ListeningSocket(address: loopback())
        let address = loopbackSockaddr(port: try port(of: listener.localAddress))
        guard case .empty = listener.acceptOne() else {  // also runs acceptOne once before fork
            Issue.record("expected .empty")
            return
        }
        let outcome = runInChildProcess { () -> Int32 in
            let step = Self.exhaustAndAccept(listener, address)
            return step.rawValue
        }
        #expect(outcome == .exited(Step.passed.rawValue), "child result: \(outcome) (see Step)")
    }

    /// The child's work: queue two clients, fill the descriptor table, then accept. System calls only.
    private static func exhaustAndAccept(_ listener: ListeningSocket, _ address: sockaddr_in) -> Step {
        let first = connectClient(to: address)
        let second = connectClient(to: address)
        guard first >= 0, second >= 0 else { return .connect }
        guard waitUntilReadable(listener.fd, timeoutMilliseconds: 1000) else { return .notPending }
        // A limit just above the highest open descriptor, then every free slot below it taken.
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        var highest = Int32(clamping: limit.rlim_cur) - 1
        while highest > 0 && fcntl(highest, F_GETFD) < 0 { highest -= 1 }
        limit.rlim_cur = rlim_t(highest) + 8
        guard setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return .setLimit }
        while dup(first) >= 0 {}
        guard errno == EMFILE else { return .notExhausted }
        guard case .shedForLackOfDescriptors = listener.acceptOne() else { return .firstNotShed }
        // The spare descriptor was re-armed, so the next pending connection is shed as well.
        guard waitUntilReadable(listener.fd, timeoutMilliseconds: 1000),
            case .shedForLackOfDescriptors = listener.acceptOne()
        else { return .secondNotShed }
        // Linux reports EMFILE even with an empty backlog; that ends the accept round.
        guard case .empty = listener.acceptOne() else { return .notEmptyAfterShedding }
        // The shed client sees its connection closed.
        var byte: UInt8 = 0
        guard waitUntilReadable(first, timeoutMilliseconds: 1000), read(first, &byte, 1) == 0 else {
            return .clientSawNoClose
        }
        return .passed
    }
}
