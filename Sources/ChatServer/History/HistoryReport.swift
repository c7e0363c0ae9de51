import History
import Logging
import WebSocketServer

/// Tells the operator what the history store could not do: every run of messages that was delivered but never
/// stored (`history_unstored`, naming the room and the ids; runs of consecutive failed batches are merged and
/// written at most once a second, so a full disk cannot flood the journal), the store turning degraded
/// (`history_degraded`) and recovering (`history_recovered`). Keeps the counts that `STATUS=` and `/healthz` show.
final class HistoryReport {
    /// How often merged `history_unstored` lines are written while messages keep failing.
    static let unstoredIntervalMilliseconds: Int64 = 1000

    private let log: ServerLog
    /// Messages delivered but never stored since start.
    private(set) var unstoredTotal: UInt64 = 0
    /// The store's health as last observed.
    private(set) var health: HistoryStoreHealth = .healthy
    /// Unstored runs not yet logged, oldest first; consecutive ids of one room are one run.
    private var pending: [UnstoredMessages] = []
    /// The index in `pending` of each room's newest run.
    private var newestRun: [String: Int] = [:]
    /// Why the newest failed batch failed.
    private var lastFailure = "-"
    private var lastLoggedAt: Int64 = 0

    /// Reports through `log`.
    init(log: ServerLog) {
        self.log = log
    }

    /// Notes a finished batch: unstored messages are counted and merged into the runs to log (the text never is).
    func record(_ outcome: BatchOutcome, now: Int64) {
        for run in outcome.unstored {
            unstoredTotal &+= UInt64(max(run.count, 0))
            if let index = newestRun[run.room], run.firstID == pending[index].lastID &+ 1 {
                pending[index].lastID = run.lastID
                pending[index].count &+= run.count
            } else {
                newestRun[run.room] = pending.count
                pending.append(run)
            }
        }
        if let failure = outcome.failure { lastFailure = failure }
        logUnstoredIfDue(now: now)
    }

    /// Writes the pending `history_unstored` lines once a second has passed since the last ones.
    func logUnstoredIfDue(now: Int64) {
        guard !pending.isEmpty, now &- lastLoggedAt >= Self.unstoredIntervalMilliseconds else { return }
        logUnstored(now: now)
    }

    /// Writes every pending `history_unstored` line now (on recovery and at shutdown).
    func logUnstored(now: Int64) {
        for run in pending {
            log.logger.warning(
                "messages delivered but not stored; a resume after a restart reports them as a gap",
                metadata: [
                    "event": "history_unstored", "room": "\(run.room)", "first_id": "\(run.firstID)",
                    "last_id": "\(run.lastID)", "count": "\(run.count)", "reason": "\(lastFailure)",
                    "unstored_total": "\(unstoredTotal)",
                ])
        }
        pending.removeAll()
        newestRun.removeAll()
        lastLoggedAt = now
    }

    /// Logs a change of the store's health (pending unstored runs first, so they precede `history_recovered`).
    func observe(_ current: HistoryStoreHealth, now: Int64) {
        logUnstoredIfDue(now: now)
        guard current != health else { return }
        let previous = health
        health = current
        switch current {
        case .degraded(let reason):
            log.logger.error(
                "history store degraded: messages are delivered but not stored until writes succeed again",
                metadata: ["event": "history_degraded", "reason": "\(reason)"])
        case .healthy:
            guard case .degraded = previous else { return }
            logUnstored(now: now)
            log.logger.notice(
                "history store recovered: messages are stored again",
                metadata: ["event": "history_recovered", "unstored_total": "\(unstoredTotal)"])
        }
    }

    /// `history store: REASON (N messages not stored)` while degraded, nil when healthy: `STATUS=` and `/healthz`
    /// put `degraded: ` before it.
    var degradedSummary: String? {
        guard case .degraded(let reason) = health else { return nil }
        return "history store: \(reason) (\(unstoredTotal) messages not stored)"
    }
}
