/// The result of one submitted batch, reported back on the loop thread: the batch may now be shown to members.
public struct BatchOutcome: Sendable, Equatable {
    /// The batch's sequence number, as `submitBatch()` returned it.
    public var batch: UInt64
    /// Messages of this batch that could not be stored (empty on success).
    public var unstored: [UnstoredMessages]
    /// Why the batch failed (nil on success).
    public var failure: String?

    /// An outcome.
    public init(batch: UInt64, unstored: [UnstoredMessages] = [], failure: String? = nil) {
        self.batch = batch
        self.unstored = unstored
        self.failure = failure
    }
}

/// A run of one room's messages that were delivered but never stored; a resume after a restart reports them as
/// a gap.
public struct UnstoredMessages: Sendable, Equatable {
    /// The room.
    public var room: String
    /// The first unstored id.
    public var firstID: UInt64
    /// The last unstored id.
    public var lastID: UInt64
    /// How many messages (ids in between may belong to other batches).
    public var count: Int

    /// A run of unstored messages.
    public init(room: String, firstID: UInt64, lastID: UInt64, count: Int) {
        self.room = room
        self.firstID = firstID
        self.lastID = lastID
        self.count = count
    }
}
