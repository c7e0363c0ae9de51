/// What the server must do after the chat service handled an event: the service itself does no I/O.
public enum ChatAction: Sendable, Equatable {
    /// Send this text to one member.
    case send(String, to: MemberID)
    /// Send the same text to every listed member; the server encodes the frame once. A room event yields up to
    /// two of these: one plain-text rendering for plain members and one JSON rendering for JSON members.
    /// The array is the room's own member storage (shared copy-on-write, not copied per message).
    case broadcast(String, to: [MemberID])
    /// Close the member's connection with this WebSocket close code and reason. The service has already removed
    /// the member from its room (so a later `leave` returns nothing): quit → 1000 "bye", persistent rate-limit
    /// abuse → 1008 "rate limit exceeded".
    case disconnect(MemberID, code: UInt16, reason: String)
}
