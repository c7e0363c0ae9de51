/// Everything the server learned from a chat connection's handshake that matters for joining a room.
public struct JoinRequest: Sendable, Equatable {
    /// The room to join (already validated by `RoomPath.roomName(forPath:)`).
    public var room: String
    /// The raw `?name=` value, sanitised by the service; nil picks a `guest-N` name.
    public var requestedName: String?
    /// The wire format the member negotiated.
    public var chatProtocol: ChatProtocol
    /// `?since=`: the highest message id the client has already seen (reconnect resume).
    public var since: UInt64?
    /// `?epoch=`: the room epoch that `since` belongs to.
    public var epoch: String?

    /// Creates a join request; only the room is required.
    public init(
        room: String, requestedName: String? = nil, chatProtocol: ChatProtocol = .plainText, since: UInt64? = nil,
        epoch: String? = nil
    ) {
        self.room = room
        self.requestedName = requestedName
        self.chatProtocol = chatProtocol
        self.since = since
        self.epoch = epoch
    }
}
