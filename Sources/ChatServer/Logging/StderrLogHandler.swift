import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes one readable line per event to stderr (see `LogLineFormatter`), for terminals and plain
/// process supervisors. Each line goes out in a single `write` so concurrent writers do not interleave.
public struct StderrLogHandler: LogHandler {
    /// The logger's label; not printed (chatd has one logger).
    public let label: String
    /// Least severe level passed through.
    public var logLevel: Logger.Level = .info
    /// Metadata attached to every event of this logger.
    public var metadata: Logger.Metadata = [:]
    /// Optional task-local metadata source.
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler for the logger named `label`.
    public init(label: String) {
        self.label = label
    }

    /// Reads or writes one metadata entry of this logger.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats and writes one event; write errors are ignored (logging must never stop the server).
    public func log(event: LogEvent) {
        let line = LogLineFormatter.format(
            millisecondsSinceEpoch: Self.nowMilliseconds(),
            level: event.level,
            message: event.message.description,
            metadata: LogMetadataMerge.merged(handler: metadata, provider: metadataProvider, event: event)
        )
        Self.writeToStderr(line + "\n")
    }

    /// Wall-clock time in milliseconds since the Unix epoch.
    static func nowMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// Writes all of `text` to fd 2, retrying on EINTR and short writes.
    static func writeToStderr(_ text: String) {
        let bytes = Array(text.utf8)
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
    }
}
