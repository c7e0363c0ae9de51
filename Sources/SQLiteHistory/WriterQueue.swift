import Glibc
import History

/// What the writer thread is to do next.
enum WriterWork {
    /// Every batch queued so far, oldest first: commit them in one transaction.
    case batches([PendingBatch])
    /// Nothing queued (the wait timed out, the writer asked not to wait, or retention changed): time for retries
    /// and pruning.
    case idle
    /// `close()` was called and the queue is empty.
    case stop
}

/// Everything the loop thread and the writer thread share, behind one pthread mutex with two conditions: the
/// submitted batches, the finished outcomes, health, retention and the commit statistics. It exists so the
/// hand-over between the threads is this small, auditable class and nothing else (both threads' other state is
/// their own). `@unchecked Sendable`: every stored property is read and written only with `mutex` held.
final class WriterQueue: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    /// Signalled when work arrives for the writer (a batch, a stop, a resume).
    private let workArrived = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// Broadcast when batches finish, for a loop thread waiting on them.
    private let batchesFinished = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    private let maxQueuedMessages: Int
    private var pending: [PendingBatch] = []
    /// Messages submitted and not yet finished (queued or in the writer's current transaction).
    private var unfinishedMessages = 0
    private var lastSubmitted: UInt64 = 0
    private var lastFinished: UInt64 = 0
    private var outcomes: [BatchOutcome] = []
    private var currentHealth: HistoryStoreHealth = .healthy
    private var currentRetention: HistoryRetention
    /// Set by a retention change until the writer has seen it.
    private var retentionChanged = false
    private var histogram = CommitHistogram()
    /// The writer's debts (ids and epochs handed out that the file does not show), for reads on the loop thread.
    private var owed: [String: RoomDebt] = [:]
    private var prunedRows = 0
    private var mostPrunedInOneTransaction = 0
    private var stopping = false
    private var writerRunning = true
    private var paused = false

    /// An empty queue that blocks submitters beyond `maxQueuedMessages` unfinished messages.
    init(retention: HistoryRetention, maxQueuedMessages: Int) {
        self.maxQueuedMessages = max(1, maxQueuedMessages)
        currentRetention = retention
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(workArrived, &attributes)
        pthread_cond_init(batchesFinished, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(workArrived)
        pthread_cond_destroy(batchesFinished)
        pthread_mutex_destroy(mutex)
        workArrived.deallocate()
        batchesFinished.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    private func locked<Result>(_ body: () -> Result) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    // MARK: Loop thread

    /// Queues `batch` for the writer, then blocks while more than `maxQueuedMessages` messages are unfinished
    /// (the loop slows to disk speed rather than queueing without limit).
    func submit(_ batch: PendingBatch) {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        pending.append(batch)
        unfinishedMessages += batch.messageCount
        lastSubmitted = batch.number
        pthread_cond_signal(workArrived)
        while unfinishedMessages > maxQueuedMessages && writerRunning {
            pthread_cond_wait(batchesFinished, mutex)
        }
    }

    /// Blocks until every submitted batch has finished.
    func waitUntilFinished() {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while lastFinished < lastSubmitted && writerRunning {
            pthread_cond_wait(batchesFinished, mutex)
        }
    }

    /// Blocks until every submitted batch has finished or `microseconds` have passed; true when all finished.
    func waitUntilFinished(atMostMicroseconds microseconds: Int) -> Bool {
        var deadline = timespec()
        clock_gettime(CLOCK_MONOTONIC, &deadline)
        let nanoseconds = Int(deadline.tv_nsec) &+ max(0, min(microseconds, 1_000_000)) &* 1000
        deadline.tv_sec &+= nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while lastFinished < lastSubmitted && writerRunning {
            if pthread_cond_timedwait(batchesFinished, mutex, &deadline) == ETIMEDOUT { break }
        }
        return lastFinished >= lastSubmitted || !writerRunning
    }

    /// True while some submitted batch has not finished.
    var hasUnfinishedBatches: Bool { locked { lastFinished < lastSubmitted } }

    /// Outcomes finished since the last call, in order.
    func takeOutcomes() -> [BatchOutcome] {
        locked {
            defer { outcomes.removeAll(keepingCapacity: true) }
            return outcomes
        }
    }

    /// Records outcomes that finished without the writer (after `close()`).
    func appendOutcome(_ outcome: BatchOutcome) {
        locked { outcomes.append(outcome) }
    }

    /// Healthy, or degraded while writes fail.
    var health: HistoryStoreHealth { locked { currentHealth } }

    /// What the file does not show yet about `room`, while writes fail.
    func debt(for room: String) -> RoomDebt? {
        locked { owed.isEmpty ? nil : owed[room] }
    }

    /// The commit timings so far.
    var statistics: CommitStatistics { locked { histogram.statistics } }

    /// The retention the writer applies; setting it wakes the writer to prune accordingly.
    var retention: HistoryRetention {
        get { locked { currentRetention } }
        set {
            locked {
                currentRetention = newValue
                retentionChanged = true
                pthread_cond_signal(workArrived)
            }
        }
    }

    /// Asks the writer to finish the queue and stop.
    func requestStop() {
        locked {
            stopping = true
            paused = false
            pthread_cond_signal(workArrived)
        }
    }

    /// Testing: holds the writer before it takes the next batches (the queue fills up), or lets it go.
    func setPaused(_ value: Bool) {
        locked {
            paused = value
            pthread_cond_signal(workArrived)
        }
    }

    // MARK: Writer thread

    /// Waits for work: the queued batches, or `.idle` after `timeoutMilliseconds` (nil waits for ever, 0 does
    /// not wait), or `.stop` once stopping with nothing queued.
    func next(timeoutMilliseconds: Int?) -> WriterWork {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let deadline = timeoutMilliseconds.map { Self.deadline(afterMilliseconds: $0) }
        while true {
            if !pending.isEmpty && !paused {
                defer { pending.removeAll(keepingCapacity: true) }
                return .batches(pending)
            }
            if stopping && pending.isEmpty {
                return .stop
            }
            if retentionChanged {
                retentionChanged = false
                return .idle
            }
            if var deadline {
                if timeoutMilliseconds == 0 { return .idle }
                if pthread_cond_timedwait(workArrived, mutex, &deadline) == ETIMEDOUT && !stopping
                    && (pending.isEmpty || paused)
                {
                    return .idle
                }
            } else {
                pthread_cond_wait(workArrived, mutex)
            }
        }
    }

    /// Publishes finished batches: their outcomes, the health after them and the transaction's duration (nil when
    /// no transaction ran), and wakes any loop thread waiting for them.
    func finish(
        _ finished: [BatchOutcome], messages: Int, health: HistoryStoreHealth, commitMicroseconds: UInt64?
    ) {
        locked {
            outcomes.append(contentsOf: finished)
            unfinishedMessages -= messages
            if let last = finished.last {
                lastFinished = max(lastFinished, last.batch)
            }
            currentHealth = health
            if let commitMicroseconds {
                histogram.record(commitMicroseconds)
            }
            pthread_cond_broadcast(batchesFinished)
        }
    }

    /// Publishes the writer's debts (before the outcomes of the batches that caused them), or clears them once
    /// the file shows them.
    func setDebts(_ debts: [String: RoomDebt]) {
        locked { owed = debts }
    }

    /// Counts rows a committed transaction pruned.
    func recordPruned(_ rows: Int) {
        guard rows > 0 else { return }
        locked {
            prunedRows += rows
            mostPrunedInOneTransaction = max(mostPrunedInOneTransaction, rows)
        }
    }

    /// Rows pruned so far, and the most in one transaction (tests check the bound).
    var pruneCounts: (total: Int, largest: Int) { locked { (prunedRows, mostPrunedInOneTransaction) } }

    /// Publishes a health change that came without batches (a retry succeeded while idle).
    func setHealth(_ health: HistoryStoreHealth) {
        locked { currentHealth = health }
    }

    /// The writer thread is gone: nobody waits for it any more.
    func writerStopped() {
        locked {
            writerRunning = false
            pthread_cond_broadcast(batchesFinished)
        }
    }

    /// The absolute `CLOCK_MONOTONIC` time `milliseconds` from now, for `pthread_cond_timedwait`.
    private static func deadline(afterMilliseconds milliseconds: Int) -> timespec {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nanoseconds = Int(now.tv_nsec) + (milliseconds % 1_000) * 1_000_000
        now.tv_sec += milliseconds / 1_000 + nanoseconds / 1_000_000_000
        now.tv_nsec = nanoseconds % 1_000_000_000
        return now
    }
}
