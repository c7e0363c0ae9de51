import History

/// Rooms, members, history and both chat protocols (plain text and `chatd.v1` JSON). Single-threaded: the
/// server's reactor thread owns it. It does no I/O; every call returns the `ChatAction`s to perform, and history
/// goes through the injected `HistoryStore` (appends are batched; the server shows them once stored).
public final class ChatService {
    /// Limits applied from now on; a config reload may change them (existing members and rooms stay).
    public var limits: ChatLimits
    /// This server run's identity, the first half of every room epoch.
    let instanceID: String
    /// Rooms by name: rooms with members, plus empty rooms kept for their history.
    var rooms: [String: Room] = [:]
    /// Empty rooms by name, with the tick at which they became empty (oldest is evicted first).
    var emptyRooms: [String: UInt64] = [:]
    /// Joined members.
    var members: [MemberID: ChatMember] = [:]
    /// Last number used for a generated `guest-N` name.
    var guestCounter: UInt64 = 0
    /// Rooms created so far: the second half of each room epoch.
    var roomsCreated: UInt64 = 0
    /// A counter that orders room activity for eviction.
    var tick: UInt64 = 0
    /// Total messages held in all room histories.
    public internal(set) var messagesStored = 0
    /// Where every message is appended and where rooms not in memory come back from.
    public let store: any HistoryStore

    /// Creates an empty service. `instanceID` must differ between server runs (e.g. the start time in base 36) so
    /// new rooms get epochs no earlier run used; rooms the store knows keep theirs.
    public init(limits: ChatLimits, instanceID: String, store: any HistoryStore = MemoryHistoryStore()) {
        self.limits = limits
        self.instanceID = instanceID
        self.store = store
    }

    /// Number of rooms, including empty rooms kept for their history.
    public var roomCount: Int { rooms.count }

    /// Number of joined members across all rooms.
    public var memberCount: Int { members.count }

    /// The display name of a joined member, nil when unknown.
    public func name(of member: MemberID) -> String? {
        members[member]?.name
    }

    /// The room of a joined member, nil when unknown.
    public func room(of member: MemberID) -> String? {
        members[member]?.room.name
    }
}
