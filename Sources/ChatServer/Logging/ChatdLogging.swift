import Logging

/// Chooses where chatd's logs go: straight into the systemd journal (structured fields) when stderr is
/// connected to it, otherwise one readable line per event on stderr.
public enum ChatdLogging {
    /// Installs the process-wide log handler. Call once, before the first `Logger` is created.
    public static func bootstrap(level: Logger.Level) {
        let useJournal = JournalStreamDetection.stderrIsJournal()
        LoggingSystem.bootstrap { label in
            makeHandler(label: label, level: level, journal: useJournal)
        }
    }

    /// The handler `bootstrap` installs, exposed so tests and tools can build one without bootstrapping.
    public static func makeHandler(label: String, level: Logger.Level, journal: Bool) -> any LogHandler {
        var handler = ChatdLogHandler(label: label, destination: journal ? .journal : .standardError)
        handler.logLevel = level
        return handler
    }
}
