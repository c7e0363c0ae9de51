import History
import Logging
import SQLiteHistory

/// Opens the history store the configuration asks for: SQLite at the resolved path (its directory created and
/// checked first), or memory. Every failure is a `ServerStartError` naming the file and the reason, so chatd
/// refuses to start instead of serving with ids it could repeat.
enum HistoryStoreOpener {
    /// The store for `config`, with the environment that resolves the state directory.
    static func open(for config: ChatdConfig, environment: [String: String], logger: Logger) throws
        -> any HistoryStore
    {
        switch config.historyStore {
        case .memory:
            logger.info(
                "history kept in memory only: it is lost on restart",
                metadata: ["event": "history_opened", "store": "memory"])
            return MemoryHistoryStore(retention: config.historyRetention, now: WallClock.milliseconds)
        case .sqlite:
            let path = config.resolvedHistoryPath(environment: environment)
            do {
                try StateDirectory.prepare(forFile: path)
            } catch {
                throw ServerStartError(message: "\(error)")
            }
            let options = SQLiteHistoryStore.Options(
                path: path, synchronous: config.historySync == .full ? .full : .normal,
                retention: config.historyRetention)
            let store: SQLiteHistoryStore
            do {
                store = try SQLiteHistoryStore(options: options)
            } catch {
                throw ServerStartError(message: "\(error)")
            }
            logger.info(
                "history stored in SQLite",
                metadata: [
                    "event": "history_opened", "store": "sqlite", "path": "\(path)", "sync": "\(config.historySync)",
                ])
            for warning in store.openWarnings {
                logger.warning("\(warning)", metadata: ["event": "history_warning", "path": "\(path)"])
            }
            return store
        }
    }

    /// Logs how long the store's commits took (at shutdown), for the operator judging disk speed and `sync`.
    static func logStatistics(of store: any HistoryStore, logger: Logger) {
        guard let sqlite = store as? SQLiteHistoryStore else { return }
        let statistics = sqlite.commitStatistics
        logger.info(
            "history commit times",
            metadata: [
                "event": "history_stats", "commits": "\(statistics.count)",
                "mean_us": "\(statistics.meanMicroseconds)", "p50_us": "\(statistics.p50Microseconds)",
                "p99_us": "\(statistics.p99Microseconds)", "max_us": "\(statistics.maxMicroseconds)",
            ])
    }
}
