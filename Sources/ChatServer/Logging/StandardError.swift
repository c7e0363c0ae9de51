import Glibc

/// Unbuffered writes to fd 2, each line in one `write` so concurrent writers do not interleave.
public enum StandardError {
    /// Writes all of `text` to fd 2, retrying on EINTR and short writes.
    public static func write(_ text: String) {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(STDERR_FILENO, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}
