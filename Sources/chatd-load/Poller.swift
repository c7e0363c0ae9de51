import CLinux
import Glibc

/// A thin epoll wrapper: the load generator's only way to wait for its sockets.
final class Poller {
    private let epollFD: Int32
    private var events: UnsafeMutablePointer<epoll_event>
    private let capacity: Int32 = 1024

    /// Creates the epoll set; fails loudly because nothing can run without it.
    init() throws(LoadError) {
        epollFD = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollFD >= 0 else { throw LoadError.system("epoll_create1", clinux_errno()) }
        events = .allocate(capacity: Int(capacity))
    }

    deinit {
        events.deallocate()
        Glibc.close(epollFD)
    }

    /// Starts watching `fd` for the given interest.
    func add(_ fd: Int32, _ interest: UInt32) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, interest)
    }

    /// Changes what `fd` is watched for.
    func modify(_ fd: Int32, _ interest: UInt32) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, interest)
    }

    /// Stops watching `fd` (before it is closed).
    func remove(_ fd: Int32) {
        _ = clinux_epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, 0)
    }

    /// Waits up to `timeoutMs` and calls `body(fd, mask)` for every ready descriptor.
    @inline(__always)
    func wait(timeoutMs: Int32, _ body: (Int32, UInt32) -> Void) {
        let count = epoll_wait(epollFD, events, capacity, timeoutMs)
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            let event = events + index
            body(clinux_epoll_event_fd(event), clinux_epoll_event_mask(event))
        }
    }
}

/// Interest masks the generator uses (epoll's EPOLLIN | EPOLLRDHUP, EPOLLOUT).
enum Interest {
    static let read: UInt32 = 0x001 | 0x2000
    static let write: UInt32 = 0x004
    static let readWrite = read | write
    static let none: UInt32 = 0
}

/// Event mask bits reported by epoll (EPOLLIN, EPOLLOUT, EPOLLERR | EPOLLHUP).
enum Ready {
    static let input: UInt32 = 0x001
    static let output: UInt32 = 0x004
    static let failure: UInt32 = 0x008 | 0x010
}
