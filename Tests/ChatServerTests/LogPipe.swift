import Glibc
import Reactor

/// A log reader for the sink tests: a pipe of one page (so it fills after 4 KiB), both ends non-blocking, which
/// reads only when the test says so. Closes both ends when released.
final class LogPipe {
    /// `F_SETPIPE_SZ` (Linux; not exported by the Glibc module).
    static let setPipeSize: Int32 = 1031
    /// The end the sink writes to.
    let writer: Int32
    /// The end the test reads from.
    let reader: Int32

    /// A pipe holding at most `capacity` bytes (rounded up to a page by the kernel).
    init(capacity: Int32 = 4096) throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw SystemCallError("pipe") }
        reader = fds[0]
        writer = fds[1]
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        _ = fcntl(writer, Self.setPipeSize, capacity)
    }

    deinit {
        close(reader)
        close(writer)
    }

    /// Everything the pipe holds now.
    func drain() -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, $0.count) }
            guard count > 0 else { return result }
            result.append(contentsOf: buffer[0..<count])
        }
    }
}

/// A non-blocking socket pair standing in for the journal's datagram socket (or a stream socket as stderr).
final class LogSocketPair {
    /// The end the sink writes to.
    let writer: Int32
    /// The end the test reads from (-1 once closed).
    private(set) var reader: Int32

    /// A pair of `type` (SOCK_DGRAM or SOCK_STREAM).
    init(type: Int32) throws {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, type | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0
        else { throw SystemCallError("socketpair") }
        writer = fds[0]
        reader = fds[1]
    }

    deinit {
        close(writer)
        closeReader()
    }

    /// The reader goes away: writes fail from now on.
    func closeReader() {
        if reader >= 0 { close(reader) }
        reader = -1
    }

    /// Every datagram waiting, oldest first.
    func datagrams() -> [[UInt8]] {
        var result: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(reader, $0.baseAddress, $0.count, 0) }
            guard count >= 0 else { return result }
            result.append(Array(buffer[0..<count]))
        }
    }
}
