import History
import Logging
import WebSocketServer

/// Tells the operator what the history store could not do: each run of messages that was delivered but never
/// stored (`history_unstored`, throttled), the store turning degraded (`history_degraded`) and recovering
/// (`history_recovered`). Keeps the counts that `STATUS=` and `/healthz` show.
final class HistoryReport {
    private let log: ServerLog
    /// Messages delivered but never stored since start.
    private(set) var unstoredTotal: UInt64 = 0
    /// The store's health as last observed.
    private(set) var health: HistoryStoreHealth = .healthy

    /// Reports through `log`.
    init(log: ServerLog) {
        self.log = log
    }

    /// Notes a finished batch: unstored messages are counted and logged (the text never is).
    func record(_ outcome: BatchOutcome, now: Int64) {
        for run in outcome.unstored {
            unstoredTotal &+= UInt64(max(run.count, 0))
            log.limitHit(
                "history_unstored", "messages delivered but not stored; a resume after a restart reports them as a gap",
                metadata: [
                    "room": "\(run.room)", "first_id": "\(run.firstID)", "last_id": "\(run.lastID)",
                    "count": "\(run.count)", "reason": "\(outcome.failure ?? "-")",
                    "unstored_total": "\(unstoredTotal)",
                ], now: now)
        }
    }

    /// Logs a change of the store's health.
    func observe(_ current: HistoryStoreHealth) {
        guard current != health else { return }
        let previous = health
        health = current
        switch current {
        case .degraded(let reason):
            log.logger.error(
                "history store degraded: messages are delivered but not stored until writes succeed again",
                metadata: ["event": "history_degraded", "reason": "\(reason)"])
        case .healthy:
            if case .degraded = previous {
                log.logger.notice(
                    "history store recovered: messages are stored again",
                    metadata: ["event": "history_recovered", "unstored_total": "\(unstoredTotal)"])
            }
        }
    }

    /// `history store: REASON (N messages not stored)` while degraded, nil when healthy: `STATUS=` and `/healthz`
    /// put `degraded: ` before it.
    var degradedSummary: String? {
        guard case .degraded(let reason) = health else { return nil }
        return "history store: \(reason) (\(unstoredTotal) messages not stored)"
    }
}
