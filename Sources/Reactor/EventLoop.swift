import CLinux
import Glibc

/// The single-threaded epoll reactor: file-descriptor handlers, a loop-wide read buffer, and an
/// end-of-pass hook where corked output is flushed once per connection.
public final class EventLoop {
    /// Size of the loop-wide read buffer every handler reads into.
    public static let readBufferSize = 64 * 1024
    private static let maxEventsPerWait: Int32 = 1024

    private let epollFD: Int32
    private var handlers: [(any EventHandler)?] = []
    private var events: UnsafeMutablePointer<epoll_event>
    private var running = false

    /// One buffer shared by every read in the loop: bytes are consumed before the next read.
    public let readBuffer: UnsafeMutableRawBufferPointer
    /// Monotonic milliseconds, refreshed once per loop pass so handlers share one cheap clock.
    public private(set) var nowMilliseconds: Int64
    /// Runs after every pass's events are dispatched: the place to flush corked output.
    public var endOfPass: (() -> Void)?

    /// Creates the epoll instance and the loop-wide buffers.
    public init() throws(SystemCallError) {
        let fd = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard fd >= 0 else { throw SystemCallError("epoll_create1") }
        epollFD = fd
        events = .allocate(capacity: Int(Self.maxEventsPerWait))
        readBuffer = .allocate(byteCount: Self.readBufferSize, alignment: 16)
        nowMilliseconds = Int64(clinux_monotonic_ms())
        clinux_ignore_sigpipe()
    }

    deinit {
        close(epollFD)
        events.deallocate()
        readBuffer.deallocate()
    }

    /// Starts watching `fd` for `interest`, dispatching readiness to `handler`.
    public func register(_ fd: Int32, interest: Interest, handler: any EventHandler) throws(SystemCallError) {
        guard fd >= 0 else { throw SystemCallError("epoll_ctl(ADD)", code: EBADF) }
        let index = Int(fd)
        if index >= handlers.count {
            handlers.append(contentsOf: repeatElement(nil, count: index + 1 - handlers.count))
        }
        guard clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, interest.rawValue) == 0 else {
            throw SystemCallError("epoll_ctl(ADD)")
        }
        handlers[index] = handler
    }

    /// Changes what `fd` is watched for (e.g. adds `.write` while output is queued).
    public func modify(_ fd: Int32, interest: Interest) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, interest.rawValue)
    }

    /// Stops watching `fd`; call before closing it.
    public func unregister(_ fd: Int32) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0)
        let index = Int(fd)
        if index >= 0 && index < handlers.count { handlers[index] = nil }
    }

    /// Runs passes until `stop()` is called: wait, dispatch, end-of-pass hook.
    public func run() {
        running = true
        while running {
            guard runOnce(timeoutMilliseconds: -1) else { break }
        }
    }

    /// One pass: waits up to `timeoutMilliseconds` (-1 = no limit, 0 = just poll) for readiness, dispatches it,
    /// then runs the end-of-pass hook. Returns false only when epoll itself failed. Tests drive the loop with it.
    @discardableResult
    public func runOnce(timeoutMilliseconds: Int32) -> Bool {
        let count = epoll_wait(epollFD, events, Self.maxEventsPerWait, timeoutMilliseconds)
        nowMilliseconds = Int64(clinux_monotonic_ms())
        if count < 0 {
            return clinux_errno() == EINTR
        }
        for index in 0..<Int(count) {
            let fd = Int(clinux_epoll_event_fd(events + index))
            let mask = clinux_epoll_event_mask(events + index)
            // A handler unregistered earlier in this pass is skipped.
            guard fd < handlers.count, let handler = handlers[fd] else { continue }
            handler.handleEvents(ReadinessEvents(rawValue: mask))
        }
        endOfPass?()
        return true
    }

    /// True between `run()` starting and `stop()` being called.
    public var isRunning: Bool { running }

    /// True when a handler is registered for `fd`.
    public func isRegistered(_ fd: Int32) -> Bool {
        fd >= 0 && Int(fd) < handlers.count && handlers[Int(fd)] != nil
    }

    /// Makes `run()` return after the current pass.
    public func stop() {
        running = false
    }
}
