/// A dense array of member ids plus an index map, so broadcasting hands out the array as is and removal is an
/// O(1) swap-remove.
struct MemberList {
    /// Current members in no particular order; passed to `.broadcast` (copy-on-write, no per-message copy).
    private(set) var ids: [MemberID] = []
    /// Position of each member in `ids`.
    private var indexByMember: [MemberID: Int] = [:]

    /// Number of members.
    var count: Int { ids.count }

    /// True when nobody is in the list.
    var isEmpty: Bool { ids.isEmpty }

    /// Adds a member (no-op when already present).
    mutating func add(_ member: MemberID) {
        guard indexByMember[member] == nil else { return }
        indexByMember[member] = ids.count
        ids.append(member)
    }

    /// Removes a member by moving the last one into its slot; false for non-members.
    @discardableResult
    mutating func remove(_ member: MemberID) -> Bool {
        guard let index = indexByMember.removeValue(forKey: member) else { return false }
        let last = ids.removeLast()
        if index < ids.count {
            ids[index] = last
            indexByMember[last] = index
        }
        return true
    }
}
