import Glibc
import Reactor
import Testing

// Shared helpers for the Reactor tests: real descriptors (socket pairs, loopback TCP), bounded waits, a
// recording handler, and ways to run code that blocks or touches process-wide state without hanging the run.

/// A connected Unix stream socket pair, both ends non-blocking and close-on-exec, closed when the test lets go
/// of it. Most Reactor tests need two connected descriptors without a network; this is the cheapest way.
final class SocketPair {
    /// The end the code under test writes to or watches.
    private(set) var writer: Int32
    /// The peer end the test reads from (or writes into) to see or cause what the writer end observes.
    private(set) var reader: Int32

    /// Creates the pair; `sendBuffer` shrinks the writer's SO_SNDBUF so large writes come out partial.
    init(sendBuffer: Int32? = nil) throws {
        var fds: [Int32] = [-1, -1]
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { throw SystemCallError("socketpair") }
        writer = fds[0]
        reader = fds[1]
        if var size = sendBuffer {
            setsockopt(writer, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    deinit {
        closeWriter()
        closeReader()
    }

    /// Closes the reader end early (the peer goes away); the pair will not close it again.
    func closeReader() {
        Self.shutDownAndClose(reader)
        reader = -1
    }

    /// Closes the writer end early; the pair will not close it again.
    func closeWriter() {
        Self.shutDownAndClose(writer)
        writer = -1
    }

    /// Shuts both directions down before closing, so the other end sees the close at once even while a child
    /// forked by a parallel test (`runInChildProcess`) still holds a copy of the descriptor.
    private static func shutDownAndClose(_ fd: Int32) {
        guard fd >= 0 else { return }
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// Hands the writer end to the caller, who closes it; the pair forgets it.
    func releaseWriter() -> Int32 {
        defer { writer = -1 }
        return writer
    }

    /// Reads everything currently available on the reader end.
    func drain() -> [UInt8] {
        read(upTo: Int.max)
    }

    /// Reads at most `limit` bytes of what is currently available on the reader end.
    func read(upTo limit: Int) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            let wanted = min(buffer.count, limit - result.count)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(reader, $0.baseAddress, wanted) }
            guard count > 0 else { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }
}

/// Writes `bytes` to `fd` once; returns what `write` returned.
@discardableResult
func writeBytes(_ fd: Int32, _ bytes: [UInt8]) -> Int {
    bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
}

/// Waits (at most `timeoutMilliseconds`) until `fd` is readable; every wait in these tests is bounded this way.
func waitUntilReadable(_ fd: Int32, timeoutMilliseconds: Int32 = 2000) -> Bool {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&entry, 1, timeoutMilliseconds) == 1
}

/// True when O_NONBLOCK is set: a loop descriptor without it would block the whole reactor (and hang a test).
func isNonBlocking(_ fd: Int32) -> Bool {
    let flags = fcntl(fd, F_GETFL)
    return flags >= 0 && flags & O_NONBLOCK != 0
}

/// True when FD_CLOEXEC is set, so the descriptor does not leak into spawned processes.
func isCloseOnExec(_ fd: Int32) -> Bool {
    let flags = fcntl(fd, F_GETFD)
    return flags >= 0 && flags & FD_CLOEXEC != 0
}

/// Sleeps at least `milliseconds` on the monotonic clock (usleep may return early).
func sleepMilliseconds(_ milliseconds: Int64) {
    let deadline = SocketIO.monotonicMilliseconds() + milliseconds + 1
    while SocketIO.monotonicMilliseconds() < deadline { usleep(1000) }
}

/// A descriptor number that is certainly closed and that no parallel test will be handed: the kernel gives out
/// the lowest free number, and this one sits at the top of the table.
func closedDescriptor() throws -> Int32 {
    var limit = rlimit()
    guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
        throw SystemCallError("getrlimit")
    }
    let high = fcntl(STDERR_FILENO, F_DUPFD, Int32(clamping: limit.rlim_cur - 1))
    guard high >= 0 else { throw SystemCallError("fcntl(F_DUPFD)") }
    close(high)
    return high
}

/// The port of an address in SocketAddress's "host:port" form.
func port(of address: SocketAddress) throws -> UInt16 {
    try #require(UInt16(address.description.split(separator: ":").last ?? ""))
}

/// An IPv4 loopback address; port 0 asks the kernel for a free one.
func loopback(port: UInt16 = 0) throws -> SocketAddress {
    try #require(SocketAddress(host: "127.0.0.1", port: port))
}

/// The sockaddr for 127.0.0.1:`port`, for clients (SocketAddress keeps its sockaddr internal).
func loopbackSockaddr(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(INADDR_LOOPBACK).bigEndian
    return address
}

/// Connects a blocking TCP socket to `address`; returns the descriptor or -1. Plain system calls only, so it is
/// also safe in a forked child.
func connectClient(to address: sockaddr_in) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return -1 }
    var target = address
    let connected = withUnsafePointer(to: &target) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        close(fd)
        return -1
    }
    return fd
}

/// Connects a TCP client to 127.0.0.1:`port`, throwing when it cannot.
func connectLoopbackClient(port: UInt16) throws -> Int32 {
    let fd = connectClient(to: loopbackSockaddr(port: port))
    guard fd >= 0 else { throw SystemCallError("connect(127.0.0.1:\(port))") }
    return fd
}

/// The local port a socket is bound to, read back with getsockname.
func boundPort(of fd: Int32) throws -> UInt16 {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let result = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard result == 0 else { throw SystemCallError("getsockname") }
    return UInt16(bigEndian: address.sin_port)
}

/// Waits for a pending connection and accepts it, failing the test when none arrives within the bound.
func acceptPending(on listener: ListeningSocket) throws -> ListeningSocket.Accepted {
    try #require(waitUntilReadable(listener.fd), "no connection became pending")
    let result = listener.acceptOne()
    guard case .accepted(let accepted) = result else {
        Issue.record("expected a connection, got \(result)")
        throw SystemCallError("accept", code: EAGAIN)
    }
    return accepted
}

/// An event handler that records every dispatch and optionally runs a reaction (unregister, stop, read...).
/// Reactions that need the loop must capture it `unowned`: the loop keeps its handlers alive.
final class RecordingHandler: EventHandler {
    /// The readiness of every call, in order.
    private(set) var calls: [ReadinessEvents] = []
    /// Runs after each call is recorded.
    var reaction: ((ReadinessEvents) -> Void)?

    /// A handler that only records, or also reacts.
    init(reaction: ((ReadinessEvents) -> Void)? = nil) {
        self.reaction = reaction
    }

    func handleEvents(_ events: ReadinessEvents) {
        calls.append(events)
        reaction?(events)
    }
}

/// Hands a non-Sendable value (an EventLoop) to another thread in tests that then only touch it from there.
final class UncheckedBox<Value>: @unchecked Sendable {
    /// The wrapped value.
    let value: Value

    /// Wraps `value`.
    init(_ value: Value) { self.value = value }
}

/// What `runOnThread` runs, and the pipe on which the thread says it has finished. Owned jointly by the caller
/// and the thread, so a thread left behind after a timeout still has a pipe to write to.
private final class ThreadJob: @unchecked Sendable {
    let body: @Sendable () -> Void
    let doneReader: Int32
    let doneWriter: Int32

    init(_ body: @escaping @Sendable () -> Void) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemCallError("pipe") }
        self.body = body
        doneReader = fds[0]
        doneWriter = fds[1]
    }

    deinit {
        close(doneReader)
        close(doneWriter)
    }
}

/// Runs `body` on a new thread and waits at most `timeoutMilliseconds` for it to return. For code that blocks
/// until something happens (EventLoop.run()): a broken stop() then fails the test instead of hanging the run.
/// Returns false on timeout; the thread is then detached and keeps what it captured.
func runOnThread(timeoutMilliseconds: Int32 = 2000, _ body: @escaping @Sendable () -> Void) throws -> Bool {
    let job = try ThreadJob(body)
    let context = Unmanaged.passRetained(job).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(
        &thread, nil,
        { raw in
            guard let raw else { return nil }
            let job = Unmanaged<ThreadJob>.fromOpaque(raw).takeRetainedValue()
            job.body()
            var done: UInt8 = 1
            _ = write(job.doneWriter, &done, 1)
            return nil
        }, context)
    guard created == 0 else {
        Unmanaged<ThreadJob>.fromOpaque(context).release()
        throw SystemCallError("pthread_create", code: created)
    }
    let finished = waitUntilReadable(job.doneReader, timeoutMilliseconds: timeoutMilliseconds)
    if finished {
        pthread_join(thread, nil)
    } else {
        pthread_detach(thread)
    }
    return finished
}

/// How a forked child ended.
enum ChildOutcome: Equatable {
    /// It exited with this status (the body's result).
    case exited(Int32)
    /// A signal killed it.
    case killed(signal: Int32)
    /// It did not finish in time and was killed.
    case timedOut
    /// fork or waitpid failed.
    case failed(errno: Int32)
}

/// Runs `body` in a forked child and reports how it ended; the exit status is body's result. For tests that must
/// change process-wide state (the descriptor limit, the SIGPIPE disposition) without disturbing the tests that run
/// in parallel in this process. fork copies other threads' locks mid-flight, so `body` should make system calls and
/// use code the parent has already run once. The child is killed after `timeoutMilliseconds`, so it cannot hang.
/// The child briefly holds copies of every descriptor, so a parallel test must not rely on a plain close() being
/// seen by the peer at once: it shuts the socket down first (SocketPair does) or waits for the close (bounded).
func runInChildProcess(timeoutMilliseconds: Int64 = 2000, _ body: () -> Int32) -> ChildOutcome {
    let child = fork()
    if child == 0 { _exit(body()) }
    guard child > 0 else { return .failed(errno: errno) }
    let deadline = SocketIO.monotonicMilliseconds() + timeoutMilliseconds
    var status: Int32 = 0
    while true {
        let waited = waitpid(child, &status, WNOHANG)
        if waited == child { break }
        if waited < 0 && errno != EINTR { return .failed(errno: errno) }
        if SocketIO.monotonicMilliseconds() > deadline {
            kill(child, SIGKILL)
            _ = waitpid(child, &status, 0)
            return .timedOut
        }
        usleep(1000)
    }
    let signal = status & 0x7F
    return signal == 0 ? .exited((status >> 8) & 0xFF) : .killed(signal: signal)
}

/// Compares byte streams outside #expect, whose failure report diffs two collections (quadratic: a mismatch in a
/// few hundred kilobytes would stall the run); records the lengths and the first differing offset instead.
func expectSameBytes(
    _ actual: [UInt8], _ expected: [UInt8], _ what: String = "bytes",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual != expected else { return }
    let firstDifference =
        actual.indices.first { $0 >= expected.count || actual[$0] != expected[$0] } ?? actual.count
    Issue.record(
        "\(what): got \(actual.count) bytes, expected \(expected.count); they differ from offset \(firstDifference)",
        sourceLocation: sourceLocation)
}

/// A deterministic random source (SplitMix64), so a failing sequence of sizes and steps can be replayed.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

/// Bytes `start..<start+count` of an endless position-dependent stream: a chunk cut from it at any offset can only
/// match the expected output if every byte landed exactly in place (constant fill would hide offset mistakes).
func streamBytes(from start: Int, count: Int) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
        var position = start
        for index in 0..<count {
            buffer[index] = UInt8(truncatingIfNeeded: (position &* 2_654_435_761) >> 13)
            position &+= 1
        }
        initialized = count
    }
}
