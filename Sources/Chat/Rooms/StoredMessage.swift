/// One chat message as kept in a room's history; the JSON rendering is made once and reused for the live
/// broadcast and every later history delivery.
struct StoredMessage: Sendable, Equatable {
    /// Per-room sequence number within the room's epoch (1, 2, 3, ...).
    let id: UInt64
    /// The sender's display name at the time of sending.
    let from: String
    /// The chat text, verbatim.
    let text: String
    /// Server time in milliseconds since the Unix epoch.
    let timestamp: Int64
    /// True for `/me` emotes.
    let isAction: Bool
    /// The `message` event as sent to JSON members.
    let json: String
}
