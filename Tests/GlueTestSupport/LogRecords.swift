import Logging
import Synchronization

/// Log lines captured by a `LogHandler`, shared between the handler copies swift-log makes.
final class LogRecords: Sendable {
    /// One captured line.
    struct Entry: Sendable {
        /// Its level.
        let level: Logger.Level
        /// Its message.
        let message: String
        /// Its metadata, rendered.
        let metadata: [String: String]
    }

    private let entries = Mutex<[Entry]>([])

    /// Everything captured so far.
    var all: [Entry] { entries.withLock { $0 } }

    /// The captured lines whose `event` metadata is `event`.
    func events(_ event: String) -> [Entry] { all.filter { $0.metadata["event"] == event } }

    /// A logger writing here (its level is what the server sets from the configuration).
    func logger() -> Logger {
        Logger(label: "test") { _ in RecordingLogHandler(records: self) }
    }

    /// Stores one line.
    func append(_ entry: Entry) {
        entries.withLock { $0.append(entry) }
    }
}

/// Sends every line to a `LogRecords`.
struct RecordingLogHandler: LogHandler {
    /// Where lines go.
    let records: LogRecords
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var rendered: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            rendered[key] = "\(value)"
        }
        records.append(LogRecords.Entry(level: event.level, message: "\(event.message)", metadata: rendered))
    }
}
