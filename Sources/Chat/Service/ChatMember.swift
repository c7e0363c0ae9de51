/// What the service remembers about one joined member.
final class ChatMember {
    /// The member's unique-in-room display name.
    var name: String
    /// `NameKey.of(name)`, kept to free the name in O(1).
    var nameKey: String
    /// The room the member is in.
    let room: Room
    /// The wire format the member speaks.
    let chatProtocol: ChatProtocol
    /// The member's rate limiter.
    var bucket: TokenBucket
    /// Consecutive rate-limited messages; past `rateBurst` the member is disconnected with 1008.
    var rejectedInARow = 0

    /// Creates the record for a member that just joined `room`.
    init(name: String, nameKey: String, room: Room, chatProtocol: ChatProtocol, bucket: TokenBucket) {
        self.name = name
        self.nameKey = nameKey
        self.room = room
        self.chatProtocol = chatProtocol
        self.bucket = bucket
    }
}
