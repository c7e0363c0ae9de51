import CLinux
import Glibc

/// TERM, INT and HUP delivered as readable events on a signalfd instead of async handlers.
public final class SignalSource {
    /// The signalfd to register with the loop.
    public let fd: Int32

    /// Blocks the signals for normal delivery and opens the signalfd.
    public init() throws(SystemCallError) {
        let fd = clinux_signalfd_for_shutdown_and_reload()
        guard fd >= 0 else { throw SystemCallError("signalfd") }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Reads every pending signal number (SIGTERM, SIGINT, SIGHUP).
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
