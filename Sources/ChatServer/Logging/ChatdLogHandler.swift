import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// chatd's swift-log handler: structured journal entries when stderr is the journal (so
/// `journalctl -u chatd CHATD_EVENT=connect` works), otherwise one readable line per event on stderr.
public struct ChatdLogHandler: LogHandler {
    /// Where events go.
    public enum Destination: Sendable {
        /// Native journal entries (journald's datagram protocol), metadata as `CHATD_*` fields.
        case journal
        /// `LogLineFormatter` lines on fd 2.
        case standardError
    }

    /// The logger's label; not written (chatd has one logger, the identifier is always `chatd`).
    public let label: String
    /// Where this handler writes.
    public let destination: Destination
    /// Least severe level passed through.
    public var logLevel: Logger.Level = .info
    /// Metadata attached to every event of this logger.
    public var metadata: Logger.Metadata = [:]
    /// Optional task-local metadata source.
    public var metadataProvider: Logger.MetadataProvider?

    /// Creates a handler for the logger named `label`.
    public init(label: String, destination: Destination) {
        self.label = label
        self.destination = destination
    }

    /// Reads or writes one metadata entry of this logger.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Hands one event to the non-blocking sink; a reader that cannot keep up loses lines, never the server's time.
    public func log(event: LogEvent) {
        let merged = LogMetadataMerge.merged(handler: metadata, provider: metadataProvider, event: event)
        switch destination {
        case .journal:
            ChatdLogging.sink.write(
                JournalDatagram.encode(
                    JournalFields.fields(
                        level: event.level, message: event.message.description, metadata: merged,
                        file: event.file, function: event.function, line: event.line)))
        case .standardError:
            let line = LogLineFormatter.format(
                millisecondsSinceEpoch: WallClock.milliseconds(), level: event.level,
                message: event.message.description, metadata: merged)
            ChatdLogging.sink.write(Array((line + "\n").utf8))
        }
    }
}
