/// Rooms, members and the plain-text chat behaviour (as in the seed chat servers). Single-threaded: the
/// server's reactor thread owns it. It does no I/O; every call returns the `ChatAction`s to perform.
public final class ChatService {
    /// What the service remembers about one joined member.
    private struct MemberRecord {
        /// The member's unique-in-room display name.
        var name: String
        /// The room the member is in.
        var room: Room
    }

    /// Limits applied to future joins; a config reload may change them (existing members stay).
    public var limits: ChatLimits
    /// Rooms by name; a room exists while it has members.
    private var rooms: [String: Room] = [:]
    /// Joined members.
    private var members: [MemberID: MemberRecord] = [:]
    /// Last number used for a generated `guest-N` name.
    private var guestCounter: UInt64 = 0

    /// Creates an empty service.
    public init(limits: ChatLimits) {
        self.limits = limits
    }

    /// Number of rooms that currently have members.
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

    /// Puts a member into a room (created on demand) under a sanitised, unique name. The joiner gets a welcome,
    /// then the whole room (joiner included) gets `* NAME joined ROOM`. A member that is already joined first
    /// leaves its current room.
    public func join(member: MemberID, room roomName: String, requestedName: String?) throws(JoinRefusal)
        -> [ChatAction]
    {
        if let existing = rooms[roomName] {
            guard existing.count < limits.maxMembersPerRoom else { throw .roomFull }
        } else {
            guard rooms.count < limits.maxRooms else { throw .tooManyRooms }
        }
        var actions = leave(member: member)
        let room = rooms[roomName] ?? createRoom(named: roomName)
        let name = uniqueName(basedOn: requestedName, in: room)
        let others = room.count
        room.add(member, name: name)
        members[member] = MemberRecord(name: name, room: room)
        let welcome =
            "Welcome, \(name)! You are in room \(room.name) with \(others) other(s). Type /quit to leave."
        actions.append(.send(welcome, to: member))
        actions.append(.broadcast("* \(name) joined \(room.name)", to: room.members))
        return actions
    }

    /// Handles one text message: `quit`/`/quit` leaves and disconnects, blank text is ignored, anything else
    /// goes to the whole room (sender included) as `NAME: text`. Unknown members get nothing.
    public func receive(text: String, from member: MemberID) -> [ChatAction] {
        guard let record = members[member] else { return [] }
        guard !ChatService.isBlank(text) else { return [] }
        if ChatService.isQuitCommand(text) {
            var actions = leave(member: member)
            actions.append(.disconnect(member))
            return actions
        }
        return [.broadcast("\(record.name): \(text)", to: record.room.members)]
    }

    /// Removes a member (connection closed); the remaining members get `* NAME left ROOM` and an empty room
    /// is deleted. Safe to call for unknown members (returns []).
    public func leave(member: MemberID) -> [ChatAction] {
        guard let record = members.removeValue(forKey: member) else { return [] }
        let room = record.room
        room.remove(member, name: record.name)
        if room.count == 0 {
            rooms.removeValue(forKey: room.name)
            return []
        }
        return [.broadcast("* \(record.name) left \(room.name)", to: room.members)]
    }

    /// Registers a new, empty room.
    private func createRoom(named name: String) -> Room {
        let room = Room(name: name)
        rooms[name] = room
        return room
    }

    /// The sanitised requested name (or a fresh `guest-N`), suffixed `-2`, `-3`, ... until no one in the room
    /// uses it (case-insensitive). Suffixed names still fit `maxNameLength` where possible.
    private func uniqueName(basedOn requested: String?, in room: Room) -> String {
        let maxLength = limits.maxNameLength
        var base = requested.map { NameSanitizer.sanitize($0, maxLength: maxLength) } ?? ""
        if base.isEmpty {
            guestCounter &+= 1
            base = "guest-\(guestCounter)"
        }
        guard room.isNameTaken(base) else { return base }
        var number = 2
        while true {
            let suffix = "-\(number)"
            let baseLength = max(1, maxLength &- suffix.count)
            let candidate = NameSanitizer.truncate(base, toCharacters: baseLength) + suffix
            if !room.isNameTaken(candidate) { return candidate }
            number &+= 1
        }
    }

    /// True when the text holds nothing but whitespace (or nothing at all).
    private static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// True for `quit` and `/quit`, ignoring surrounding whitespace and case.
    private static func isQuitCommand(_ text: String) -> Bool {
        let trimmed = trimmingWhitespace(text)
        guard trimmed.utf8.count <= 5 else { return false }
        let lowered = trimmed.lowercased()
        return lowered == "quit" || lowered == "/quit"
    }

    /// `text` without leading and trailing whitespace.
    private static func trimmingWhitespace(_ text: String) -> Substring {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return Substring(scalars[first...last])
    }
}
