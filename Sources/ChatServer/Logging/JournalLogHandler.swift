import CSystemd
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends each log event to the systemd journal as structured fields via `sd_journal_sendv`, so
/// `journalctl -u chatd CHATD_EVENT=connect` works. (The variadic `sd_journal_send` is not callable from Swift.)
public struct JournalLogHandler: LogHandler {
    /// The logger's label; not sent, the identifier is always `chatd`.
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

    /// Writes one event to the journal; failures are ignored (logging must never stop the server).
    public func log(event: LogEvent) {
        let fields = JournalFields.fields(
            level: event.level,
            message: event.message.description,
            metadata: LogMetadataMerge.merged(handler: metadata, provider: metadataProvider, event: event),
            file: event.file,
            function: event.function,
            line: event.line
        )
        JournalWriter.send(fields)
    }
}

/// The C boundary: packs fields into one buffer and hands journald an iovec per field.
enum JournalWriter {
    /// Calls `sd_journal_sendv` with `NAME=value` entries; values may contain any bytes, newlines included.
    static func send(_ fields: [(name: String, value: String)]) {
        var buffer: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(fields.count)
        for field in fields {
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append(start..<buffer.count)
        }
        buffer.withUnsafeMutableBytes { bytes in
            guard let base = bytes.baseAddress else { return }
            var vectors = ranges.map { range in
                iovec(iov_base: base + range.lowerBound, iov_len: range.count)
            }
            _ = sd_journal_sendv(&vectors, Int32(vectors.count))
        }
    }
}
