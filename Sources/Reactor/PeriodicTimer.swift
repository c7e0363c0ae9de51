import CLinux
import Glibc

/// A timerfd that fires every interval: the one sweep timer that checks every connection's deadline,
/// instead of one timer object per socket.
public final class PeriodicTimer {
    /// The timerfd to register with the loop.
    public let fd: Int32

    /// Starts a timer firing every `intervalMilliseconds`.
    public init(intervalMilliseconds: Int) throws(SystemCallError) {
        let fd = clinux_periodic_timerfd(intervalMilliseconds)
        guard fd >= 0 else { throw SystemCallError("timerfd") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Consumes the expiration count so the timer stops being readable.
    public func acknowledge() {
        var expirations: UInt64 = 0
        _ = read(fd, &expirations, MemoryLayout<UInt64>.size)
    }
}
