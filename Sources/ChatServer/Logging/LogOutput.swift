import Glibc

/// Where log bytes go, written without ever blocking: stderr through a descriptor of its own in non-blocking mode
/// (or `send(MSG_DONTWAIT)` when stderr is a socket), the journal as datagrams on a non-blocking socket.
enum LogOutput {
    /// What one write attempt did.
    enum WriteResult: Equatable {
        /// This many bytes went out (for a datagram: all of them).
        case wrote(Int)
        /// The reader is behind; try again later.
        case wouldBlock
        /// The output is gone or refuses this entry; drop it.
        case failed
    }

    /// A byte stream (stderr): a pipe, terminal or socket written without blocking, or a regular file.
    case stream(fd: Int32, isSocket: Bool)
    /// The journal's native socket.
    case journal(fd: Int32)

    /// Path of journald's native protocol socket.
    static let journalSocketPath = "/run/systemd/journal/socket"

    /// stderr, made non-blocking without touching the descriptor other processes share: a socket is written with
    /// `MSG_DONTWAIT`; a pipe or terminal is reopened through /proc as a new, non-blocking open file; a regular
    /// file is written as is (a disk does not stall on a slow reader).
    static func standardError() -> LogOutput {
        var status = stat()
        guard fstat(STDERR_FILENO, &status) == 0 else { return .stream(fd: STDERR_FILENO, isSocket: false) }
        switch status.st_mode & S_IFMT {
        case S_IFSOCK:
            return .stream(fd: STDERR_FILENO, isSocket: true)
        case S_IFIFO, S_IFCHR:
            let reopened = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_APPEND)
            if reopened >= 0 { return .stream(fd: reopened, isSocket: false) }
            _ = fcntl(STDERR_FILENO, F_SETFL, fcntl(STDERR_FILENO, F_GETFL) | O_NONBLOCK)
            return .stream(fd: STDERR_FILENO, isSocket: false)
        default:
            return .stream(fd: STDERR_FILENO, isSocket: false)
        }
    }

    /// A non-blocking datagram socket connected to journald (nil when there is none).
    static func journal() -> LogOutput? {
        let fd = socket(
            AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(journalSocketPath.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        var size: Int32 = 8 << 20
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        return .journal(fd: fd)
    }

    /// The descriptor written to.
    var fd: Int32 {
        switch self {
        case .stream(let fd, _), .journal(let fd): return fd
        }
    }

    /// Tries to write `bytes` once, never blocking.
    func write(_ bytes: UnsafeRawBufferPointer) -> WriteResult {
        while true {
            let written: Int
            switch self {
            case .stream(let fd, let isSocket):
                written =
                    isSocket
                    ? send(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
                    : Glibc.write(fd, bytes.baseAddress, bytes.count)
            case .journal(let fd):
                written = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL))
            }
            if written >= 0 { return .wrote(written) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK, ENOBUFS: return .wouldBlock
            default: return .failed
            }
        }
    }

    /// Waits up to `milliseconds` for the output to take more bytes; false on timeout.
    func waitWritable(milliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }
}
