import Logging

/// Chooses where chatd's logs go: straight into the systemd journal (structured fields) when stderr is
/// connected to it, otherwise one readable line per event on stderr; either way through a non-blocking sink.
public enum ChatdLogging {
    /// True when stderr is the journal (decided once, at the first use).
    static let writesToJournal = JournalStreamDetection.stderrIsJournal()

    /// The process's log sink: never blocks, drops and counts what a slow reader cannot take.
    public static let sink: LogSink = {
        if writesToJournal, let journal = LogOutput.journal() {
            return LogSink(output: journal) { dropped in
                JournalDatagram.encode(
                    JournalFields.fields(
                        level: .warning, message: droppedMessage(dropped),
                        metadata: ["event": "log_dropped", "dropped": "\(dropped)"], file: #fileID,
                        function: #function, line: #line))
            }
        }
        return LogSink(output: LogOutput.standardError()) { dropped in
            let line = LogLineFormatter.format(
                millisecondsSinceEpoch: WallClock.milliseconds(), level: .warning, message: droppedMessage(dropped),
                metadata: ["event": "log_dropped", "dropped": "\(dropped)"])
            return Array((line + "\n").utf8)
        }
    }()

    /// The text of the line that reports lost lines.
    static func droppedMessage(_ count: Int) -> String {
        "\(count) log lines dropped: the log reader was too slow"
    }

    /// Installs the process-wide log handler. Call once, before the first `Logger` is created.
    public static func bootstrap(level: Logger.Level) {
        let journal = sink.isJournal
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, level: level, journal: journal)
        }
    }

    /// The handler `bootstrap` installs, exposed so tests and tools can build one without bootstrapping.
    public static func makeHandler(label: String, level: Logger.Level, journal: Bool) -> any LogHandler {
        var handler = ChatdLogHandler(label: label, destination: journal ? .journal : .standardError)
        handler.logLevel = level
        return handler
    }
}
