#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a config file with plain POSIX calls (no Foundation), rejecting files that cannot be a config.
enum ConfigFileReader {
    /// Config files are small; anything bigger is almost certainly the wrong file.
    static let maxFileBytes = 1 << 20

    /// The file's text; errors say why it could not be read (`No such file or directory`, ...).
    static func contents(ofPath path: String) throws(ConfigError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw failure(path, "cannot open: \(lastErrorText())") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path, "cannot read: \(lastErrorText())")
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            guard bytes.count <= maxFileBytes else {
                throw failure(path, "file is larger than \(maxFileBytes) bytes; is this really a chatd config?")
            }
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw failure(path, "file is not valid UTF-8")
        }
        return text
    }

    /// The 1-based line of the first NUL character, which TOML forbids and C parsers would truncate at.
    static func lineOfFirstNUL(in text: String) -> Int? {
        var line = 1
        for byte in text.utf8 {
            if byte == 0 { return line }
            if byte == UInt8(ascii: "\n") { line += 1 }
        }
        return nil
    }

    /// A file-level error without line or key.
    private static func failure(_ path: String, _ message: String) -> ConfigError {
        ConfigError(fileName: path, message: message)
    }

    /// `strerror(errno)` as a String.
    private static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }
}
