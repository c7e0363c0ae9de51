/// One chat room: its members split by protocol (each list is a ready-made broadcast target), the names in use,
/// and the message history with its epoch and id sequence.
final class Room {
    /// The room's name as taken from the request path.
    let name: String
    /// Identifies this incarnation of the room; message ids restart at 1 in a new epoch.
    let epoch: String
    /// Members speaking plain text.
    private(set) var plainMembers = MemberList()
    /// Members speaking `chatd.v1` JSON.
    private(set) var jsonMembers = MemberList()
    /// Display names in use, by uniqueness key.
    private(set) var namesByKey: [String: String] = [:]
    /// Recent messages.
    private(set) var history = MessageHistory()
    /// The last message id handed out (0 before the first message).
    private(set) var lastMessageID: UInt64 = 0

    /// Creates an empty room, or brings back a stored one: `lastMessageID` continues the stored id sequence and
    /// `history` holds its newest stored messages.
    init(name: String, epoch: String, lastMessageID: UInt64 = 0, history: MessageHistory = MessageHistory()) {
        self.name = name
        self.epoch = epoch
        self.lastMessageID = lastMessageID
        self.history = history
    }

    /// Number of members across both protocols.
    var memberCount: Int { plainMembers.count &+ jsonMembers.count }

    /// True when a member already uses a name with this uniqueness key.
    func isNameTaken(key: String) -> Bool {
        namesByKey[key] != nil
    }

    /// Adds a member under its (already unique) name.
    func add(_ member: MemberID, name: String, key: String, chatProtocol: ChatProtocol) {
        switch chatProtocol {
        case .plainText: plainMembers.add(member)
        case .json: jsonMembers.add(member)
        }
        namesByKey[key] = name
    }

    /// Removes a member and frees its name.
    func remove(_ member: MemberID, key: String, chatProtocol: ChatProtocol) {
        switch chatProtocol {
        case .plainText: plainMembers.remove(member)
        case .json: jsonMembers.remove(member)
        }
        namesByKey.removeValue(forKey: key)
    }

    /// Replaces a member's name (the new key must be free or equal to the old one).
    func rename(fromKey oldKey: String, toName newName: String, key newKey: String) {
        namesByKey.removeValue(forKey: oldKey)
        namesByKey[newKey] = newName
    }

    /// Member names sorted case-insensitively (ties broken by the exact name), for presence lists.
    func sortedNames() -> [String] {
        namesByKey.sorted { lhs, rhs in lhs.key != rhs.key ? lhs.key < rhs.key : lhs.value < rhs.value }
            .map(\.value)
    }

    /// The next message id.
    func allocateMessageID() -> UInt64 {
        lastMessageID &+= 1
        return lastMessageID
    }

    /// Stores a message; returns the change in stored message count.
    func store(_ message: StoredMessage, capacity: Int) -> Int {
        history.append(message, capacity: capacity)
    }
}
