/// What a store knows of a room that is not in memory: its epoch, the last id it handed out and its newest
/// messages, so the room comes back exactly where it stopped (same epoch, ids continuing).
public struct StoredRoom: Sendable, Equatable {
    /// The room's epoch, unchanged since the room was created (unless the store had to replace it).
    public var epoch: String
    /// The highest message id ever handed out in this epoch that the store knows of (kept even when the messages
    /// themselves were pruned), so ids continue after it.
    public var lastID: UInt64
    /// The newest stored messages, oldest first (ids may skip where messages could not be stored).
    public var recent: [HistoryMessage]

    /// A room's stored state.
    public init(epoch: String, lastID: UInt64, recent: [HistoryMessage]) {
        self.epoch = epoch
        self.lastID = lastID
        self.recent = recent
    }
}
