/// What the server must do after the chat service handled an event: the service itself does no I/O.
public enum ChatAction: Sendable, Equatable {
    /// Send this text to one member.
    case send(String, to: MemberID)
    /// Send the same text to every listed member; the server encodes the frame once.
    /// The array is the room's own member storage (shared copy-on-write, not copied per message).
    case broadcast(String, to: [MemberID])
    /// The member asked to quit: the server closes its connection with 1000 (normal closure).
    case disconnect(MemberID)
}
