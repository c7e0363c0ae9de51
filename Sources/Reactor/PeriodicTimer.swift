import CLinux
import Glibc

/// A timerfd that fires every interval: the one sweep timer that checks every connection's deadline,
/// instead of one timer object per socket.
public final class PeriodicTimer {
    /// The timerfd to register with the loop.
    public let fd: Int32

    /// Starts a timer firing every `intervalMilliseconds`, which must be positive: a zero interval would disarm the
    /// timer (it would never fire), and a negative one fails after the timerfd is created, leaking it.
    public init(intervalMilliseconds: Int) throws(SystemCallError) {
        guard intervalMilliseconds > 0 else {
            throw SystemCallError("timerfd(\(intervalMilliseconds) ms)", code: EINVAL)
        }
        let fd = clinux_periodic_timerfd(intervalMilliseconds)
        guard fd >= 0 else { throw SystemCallError("timerfd") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Consumes the expiration count so the timer stops being readable; returns how many intervals elapsed since
    /// the last call (0 when none did).
    @discardableResult
    public func acknowledge() -> UInt64 {
        var expirations: UInt64 = 0
        let count = read(fd, &expirations, MemoryLayout<UInt64>.size)
        return count == MemoryLayout<UInt64>.size ? expirations : 0
    }
}
