import CLinux
import Glibc

/// Signals delivered as readable events on a signalfd instead of async handlers, so the loop handles a stop or
/// reload request between two passes like any other event.
public final class SignalSource {
    /// The signals a daemon reacts to by default: stop (TERM, INT) and reload (HUP).
    public static let daemonSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP]

    /// The signalfd to register with the loop.
    public let fd: Int32

    /// Blocks `signals` for normal delivery on this thread and opens a signalfd reporting them.
    public init(signals: [Int32] = SignalSource.daemonSignals) throws(SystemCallError) {
        let fd = signals.withUnsafeBufferPointer { clinux_signalfd_for($0.baseAddress, Int32($0.count)) }
        guard fd >= 0 else { throw SystemCallError("signalfd") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Reads every pending signal number (the kernel reports standard signals lowest number first, and repeats of
    /// one signal merge); empty when none is pending.
    public func drain() -> [Int32] {
        var received: [Int32] = []
        var info = signalfd_siginfo()
        let size = MemoryLayout<signalfd_siginfo>.size
        while read(fd, &info, size) == size {
            received.append(Int32(bitPattern: info.ssi_signo))
        }
        return received
    }
}
