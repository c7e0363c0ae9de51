/// One chat message as a history store keeps it: enough to render it again for a joiner after a restart.
public struct HistoryMessage: Sendable, Equatable {
    /// Per-room sequence number within the room's epoch (1, 2, 3, ...); never reused.
    public var id: UInt64
    /// The sender's display name at the time of sending.
    public var from: String
    /// The chat text, verbatim.
    public var text: String
    /// Server time in milliseconds since the Unix epoch.
    public var timestamp: Int64
    /// True for `/me` emotes.
    public var isAction: Bool

    /// A message as the chat layer posted it.
    public init(id: UInt64, from: String, text: String, timestamp: Int64, isAction: Bool) {
        self.id = id
        self.from = from
        self.text = text
        self.timestamp = timestamp
        self.isAction = isAction
    }
}
