/// One chat room's membership: a dense member array for broadcasting plus an index map for O(1) removal.
final class Room {
    /// The room's name as taken from the request path.
    let name: String
    /// Current members in no particular order; handed to `.broadcast` as is (copy-on-write, no per-message copy).
    private(set) var members: [MemberID] = []
    /// Position of each member in `members`, so leaving is a swap-remove instead of a search.
    private var indexByMember: [MemberID: Int] = [:]
    /// Lower-cased names in use, for case-insensitive duplicate detection.
    private var nameKeys: Set<String> = []

    /// Creates an empty room.
    init(name: String) {
        self.name = name
    }

    /// Number of members currently in the room.
    var count: Int { members.count }

    /// True when some member already uses `name`, ignoring case.
    func isNameTaken(_ name: String) -> Bool {
        nameKeys.contains(Room.nameKey(name))
    }

    /// Adds a member under its (already unique) name.
    func add(_ member: MemberID, name: String) {
        indexByMember[member] = members.count
        members.append(member)
        nameKeys.insert(Room.nameKey(name))
    }

    /// Removes a member in O(1) by moving the last member into its slot; returns false for non-members.
    @discardableResult
    func remove(_ member: MemberID, name: String) -> Bool {
        guard let index = indexByMember.removeValue(forKey: member) else { return false }
        let last = members.removeLast()
        if index < members.count {
            members[index] = last
            indexByMember[last] = index
        }
        nameKeys.remove(Room.nameKey(name))
        return true
    }

    /// The key under which a name is compared: case-insensitive.
    private static func nameKey(_ name: String) -> String {
        name.lowercased()
    }
}
