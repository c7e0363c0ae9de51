import CLinux
import Glibc

/// Small, non-throwing wrappers for the socket calls connections make on every event.
public enum SocketIO {
    /// The outcome of one read.
    public enum ReadResult: Equatable, Sendable {
        /// This many bytes landed at the start of the buffer.
        case bytes(Int)
        /// The peer closed its sending side.
        case endOfStream
        /// Nothing to read right now.
        case wouldBlock
        /// The connection failed (errno).
        case failed(Int32)
    }

    /// Reads once into `buffer`.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .endOfStream }
            let code = clinux_errno()
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(code)
        }
    }

    /// Stops sending (FIN) while still reading, so a final frame is not destroyed by a reset.
    public static func shutdownWrite(_ fd: Int32) {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes the descriptor.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Best-effort immediate write of a small response on a socket that is about to be closed.
    public static func writeBestEffort(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The current monotonic clock in milliseconds.
    public static func monotonicMilliseconds() -> Int64 { Int64(clinux_monotonic_ms()) }
}
