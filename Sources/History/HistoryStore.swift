/// Where room history lives beyond a room's in-memory tail: the seam between the chat layer and storage
/// (memory, SQLite, later Redis). Every call comes from the loop thread.
///
/// Appends are grouped into batches: the chat layer appends while it handles a pass's events, the server closes
/// the batch at the end of the pass with `submitBatch()`, and shows the batch's messages to members only once
/// `takeOutcomes()` reports it (stored before seen). Reads are synchronous and cheap (indexed).
public protocol HistoryStore: AnyObject {
    /// The stored state of a room that is not in memory, with its newest `recent` messages; nil when the store
    /// has never seen the room. Sees every batch submitted before the call. Throws when the store cannot be read
    /// (then the room must not be recreated, or ids could repeat).
    func loadRoom(_ room: String, recent: Int) throws(HistoryStoreError) -> StoredRoom?
    /// A new room (or a new epoch of one) starts now; recorded with the current batch.
    func roomCreated(_ room: String, epoch: String)
    /// Adds a message to the current batch.
    func append(_ message: HistoryMessage, room: String)
    /// Stored messages of `room` with an id greater than `id`, oldest first, at most `limit`.
    func messages(in room: String, after id: UInt64, limit: Int) throws(HistoryStoreError) -> [HistoryMessage]
    /// The newest `count` stored messages of `room`, oldest first.
    func lastMessages(in room: String, count: Int) throws(HistoryStoreError) -> [HistoryMessage]
    /// The room left memory (evicted while empty). A durable store keeps its history; the memory store forgets it.
    func roomEvicted(_ room: String)
    /// How much history is kept; a config reload may change it (takes effect for the following appends).
    var retention: HistoryRetention { get set }

    /// True when the current batch holds appends or room creations not yet submitted.
    var hasUncommittedWork: Bool { get }
    /// Closes the current batch and starts making it durable; returns its sequence number (increasing from 1).
    func submitBatch() -> UInt64
    /// Outcomes of the batches finished since the last call, in submission order.
    func takeOutcomes() -> [BatchOutcome]
    /// A descriptor that becomes readable when a batch finishes (register it with the loop, then call
    /// `takeOutcomes()`); nil when batches finish inside `submitBatch()`.
    var completionDescriptor: Int32? { get }
    /// Blocks until every submitted batch has finished (before reading a room back, and at shutdown).
    func waitForSubmittedBatches()
    /// Blocks until every submitted batch has finished or `microseconds` have passed; true when all finished.
    /// The loop waits this briefly at the end of a pass, after writing everything else, so that a fast commit
    /// is shown in the same pass instead of one wake-up later.
    func waitForSubmittedBatches(atMostMicroseconds microseconds: Int) -> Bool
    /// Healthy, or degraded while writes fail.
    var health: HistoryStoreHealth { get }
    /// Finishes every submitted batch and releases the store; nothing may be called afterwards.
    func close()
}

extension HistoryStore {
    /// Stores whose batches finish inside `submitBatch()` never have to wait.
    public func waitForSubmittedBatches(atMostMicroseconds microseconds: Int) -> Bool { true }
}
