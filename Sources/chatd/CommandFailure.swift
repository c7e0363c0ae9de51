import ArgumentParser

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a fatal problem into exactly one `chatd: ...` line on stderr and exit status 1, instead of
/// ArgumentParser's usage dump or a crash with a backtrace.
enum CommandFailure {
    /// Writes `chatd: MESSAGE` to stderr and returns the error that makes ArgumentParser exit with status 1.
    static func report(_ message: String) -> ExitCode {
        let bytes = Array("chatd: \(message)\n".utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
        return ExitCode.failure
    }
}
