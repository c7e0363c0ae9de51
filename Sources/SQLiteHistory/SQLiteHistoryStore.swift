import Glibc
import History

/// Durable room history in one SQLite file (WAL mode): chatd's default `HistoryStore`.
///
/// Built on the system libsqlite3 through the `CSQLite` system-library target and a thin wrapper, not GRDB,
/// because the store needs exact control of threads (one writer thread, a read connection on the loop thread),
/// of transactions (one per group of batches), of `synchronous`, and of SQLite's result codes (`SQLITE_FULL`,
/// `IOERR`, `NOTADB`, `CORRUPT`, `BUSY`, `READONLY`), each mapped to chatd behaviour; GRDB brings Foundation and
/// its own dispatch-queue concurrency model.
///
/// Threads: every method is called on the loop thread. `append` and `roomCreated` only add to the current batch
/// in memory; `submitBatch()` hands the batch to the writer thread, which takes every queued batch at once,
/// commits them in one transaction, and reports one outcome per batch, in order, through `completionDescriptor`
/// (an eventfd) and `takeOutcomes()`. When more than `Options.maxQueuedMessages` messages are submitted and not
/// yet committed, `submitBatch()` blocks until the writer is below the bound again: the loop slows to disk speed
/// instead of growing without limit. Reads use a second connection on the loop thread and first wait for every
/// submitted batch, so they see everything submitted before them.
///
/// Faults: a failed transaction (full disk, I/O error) reports its batches as failed with their unstored runs,
/// makes `health` degraded, puts `<path>-degraded` on disk, and remembers every room's highest handed-out id (and
/// new epoch); the next successful transaction writes those first, so ids are never reused after space returns.
/// While degraded and idle the writer retries about once a second. A marker found at open means the previous run
/// stopped while degraded: every room gets a new epoch (see `openWarnings`).
///
/// Exclusive: `<path>.lock` is held with `flock` for the store's life, so two chatd processes never share a file.
public final class SQLiteHistoryStore: HistoryStore {
    /// The database file.
    public let path: String
    /// Things the server should log once after opening (e.g. epochs renewed after a degraded stop).
    public private(set) var openWarnings: [String]

    private let files: StoreFiles
    private let lock: StoreLock
    private let queue: WriterQueue
    private let completion: CompletionSignal
    private let reader: HistoryReader
    private let thread: pthread_t
    private var operations: [BatchOperation] = []
    private var operationMessages = 0
    private var lastBatch: UInt64 = 0
    private var isClosed = false

    /// Opens (or creates) the store at `options.path`, takes its lock, checks the file is a chatd history
    /// database, and starts the writer thread. Errors name the file and the reason in one line.
    public init(options: Options) throws(HistoryStoreError) {
        let files = StoreFiles(path: options.path)
        let opened = try StoreOpener(files: files, options: options).open()
        let queue = WriterQueue(retention: options.retention, maxQueuedMessages: options.maxQueuedMessages)
        let completion = try CompletionSignal(path: options.path)
        let reader: HistoryReader
        let writer: HistoryWriter
        do throws(SQLiteError) {
            reader = try HistoryReader(connection: opened.reader)
            writer = try HistoryWriter(
                connection: opened.writer, queue: queue, completion: completion, files: files,
                synchronous: options.synchronous, retention: options.retention)
        } catch {
            completion.close()
            throw StoreErrors.opening(options.path, error)
        }
        guard let thread = WriterThread.start(writer) else {
            reader.close()
            writer.checkpoints.uninstall()
            writer.statements.finalize()
            completion.close()
            throw StoreErrors.cannotOpen(options.path, "cannot start the writer thread")
        }
        path = options.path
        openWarnings = opened.warnings
        self.files = files
        lock = opened.lock
        self.queue = queue
        self.completion = completion
        self.reader = reader
        self.thread = thread
    }

    deinit {
        close()
    }

    /// Retention limits; a change reaches the writer thread at once and is applied incrementally.
    public var retention: HistoryRetention {
        get { queue.retention }
        set { queue.retention = newValue }
    }

    /// How long group commits take (loop thread, any time).
    public var commitStatistics: CommitStatistics { queue.statistics }

    // MARK: HistoryStore

    /// See `HistoryStore.loadRoom`: waits for the submitted batches first; a read error throws (the caller then
    /// refuses the join rather than restart the room's ids). While writes fail, the ids and epoch handed out but
    /// not yet written count: a room evicted meanwhile comes back with them.
    public func loadRoom(_ room: String, recent: Int) throws(HistoryStoreError) -> StoredRoom? {
        try read(room) { (debt) throws(SQLiteError) in
            RoomDebt.merge(debt, into: try reader.loadRoom(room, recent: recent))
        }
    }

    /// See `HistoryStore.roomCreated`: recorded with the current batch; the room's old messages go with it.
    public func roomCreated(_ room: String, epoch: String) {
        operations.append(.roomCreated(room: room, epoch: epoch))
    }

    /// See `HistoryStore.append`: added to the current batch in memory, no I/O.
    public func append(_ message: HistoryMessage, room: String) {
        operations.append(.append(room: room, message: message))
        operationMessages += 1
    }

    /// See `HistoryStore.messages(in:after:limit:)`: waits for the submitted batches first; none while a failed
    /// batch started the room over and the file still holds the old epoch's messages.
    public func messages(in room: String, after id: UInt64, limit: Int) throws(HistoryStoreError) -> [HistoryMessage] {
        try read(room) { (debt) throws(SQLiteError) in
            debt?.epoch != nil ? [] : try reader.messages(in: room, after: id, limit: limit)
        }
    }

    /// See `HistoryStore.lastMessages(in:count:)`: waits for the submitted batches first; none while a failed
    /// batch started the room over and the file still holds the old epoch's messages.
    public func lastMessages(in room: String, count: Int) throws(HistoryStoreError) -> [HistoryMessage] {
        try read(room) { (debt) throws(SQLiteError) in
            debt?.epoch != nil ? [] : try reader.lastMessages(in: room, count: count)
        }
    }

    /// The history stays on disk; only a room that never had a message is forgotten (with the current batch).
    public func roomEvicted(_ room: String) {
        operations.append(.roomLeftMemory(room: room))
    }

    /// See `HistoryStore.hasUncommittedWork`.
    public var hasUncommittedWork: Bool { !operations.isEmpty }

    /// Hands the current batch to the writer thread and returns its number. Blocks while more than
    /// `maxQueuedMessages` messages are submitted and not yet committed.
    public func submitBatch() -> UInt64 {
        lastBatch &+= 1
        let batch = PendingBatch(number: lastBatch, operations: operations, messageCount: operationMessages)
        operations = []
        operationMessages = 0
        if isClosed {
            let reason = "history database \(path) is closed"
            queue.appendOutcome(BatchOutcome(batch: batch.number, unstored: batch.unstoredRuns(), failure: reason))
        } else {
            queue.submit(batch)
        }
        return batch.number
    }

    /// See `HistoryStore.takeOutcomes()`: clears the completion descriptor, then returns what finished.
    public func takeOutcomes() -> [BatchOutcome] {
        if !isClosed {
            completion.drain()
        }
        return queue.takeOutcomes()
    }

    /// The eventfd the writer signals when batches finish; unregister it before `close()`, which closes it.
    public var completionDescriptor: Int32? { completion.descriptor }

    /// See `HistoryStore.waitForSubmittedBatches()`.
    public func waitForSubmittedBatches() {
        queue.waitUntilFinished()
    }

    /// Waits at most `microseconds` for the submitted batches (the loop's short wait at the end of a pass).
    public func waitForSubmittedBatches(atMostMicroseconds microseconds: Int) -> Bool {
        queue.waitUntilFinished(atMostMicroseconds: microseconds)
    }

    /// Healthy, or degraded while writes fail (readable from the loop thread at any time).
    public var health: HistoryStoreHealth { queue.health }

    /// Waits for the queue to drain, stops and joins the writer thread (which closes the writer connection, the
    /// last one, so SQLite checkpoints and removes the WAL), closes the read connection and the completion
    /// descriptor, and releases the lock.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        queue.setPaused(false)
        queue.waitUntilFinished()
        reader.close()
        queue.requestStop()
        WriterThread.join(thread)
        completion.close()
        lock.release()
    }

    // MARK: Testing

    /// Holds the writer before it takes the next batches, or lets it go (tests of the queue bound).
    func pauseWriterForTesting(_ paused: Bool) {
        queue.setPaused(paused)
    }

    /// Rows pruned so far and the most in one transaction.
    var pruneCountsForTesting: (total: Int, largest: Int) { queue.pruneCounts }

    /// Waits for the submitted batches, then runs a read with the room's debt (read first: a retry that pays it
    /// meanwhile only makes the file agree with it), naming the room in its error.
    private func read<Result>(
        _ room: String, _ body: (RoomDebt?) throws(SQLiteError) -> Result
    ) throws(HistoryStoreError) -> Result {
        guard !isClosed else { throw StoreErrors.closed(path) }
        queue.waitUntilFinished()
        let debt = queue.debt(for: room)
        do throws(SQLiteError) {
            return try body(debt)
        } catch {
            throw StoreErrors.read(path, room: room, error)
        }
    }
}
