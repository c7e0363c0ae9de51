extension ChatService {
    /// The sanitised requested name (or a fresh `guest-N`), suffixed `-2`, `-3`, ... until no one in the room
    /// uses it (compared by `NameKey`). Suffixed names still fit `maxNameLength` where possible.
    func uniqueName(basedOn requested: String?, in room: Room) -> String {
        let maxLength = limits.maxNameLength
        var base = requested.map { NameSanitizer.sanitize($0, maxLength: maxLength) } ?? ""
        if base.isEmpty {
            guestCounter &+= 1
            base = "guest-\(guestCounter)"
        }
        guard room.isNameTaken(key: NameKey.of(base)) else { return base }
        var number = 2
        while true {
            let suffix = "-\(number)"
            let baseLength = max(1, maxLength &- suffix.count)
            let candidate = NameSanitizer.truncate(base, toCharacters: baseLength) + suffix
            if !room.isNameTaken(key: NameKey.of(candidate)) { return candidate }
            number &+= 1
        }
    }

    /// Renames a member: `invalid_name` when nothing is left after sanitising or the name is longer than
    /// `maxNameLength`, `name_taken` when someone else in the room has it; otherwise the room sees the rename.
    /// Renaming to exactly the current name does nothing.
    func rename(_ member: MemberID, _ record: ChatMember, to requested: String, now: Int64) -> [ChatAction] {
        let newName = NameSanitizer.cleaned(requested)
        guard !newName.isEmpty else {
            return [reply(to: record, id: member, error: ChatError(.invalidName, "the name is empty or invalid"))]
        }
        guard newName.count <= limits.maxNameLength else {
            let error = ChatError(.invalidName, "names are at most \(limits.maxNameLength) characters")
            return [reply(to: record, id: member, error: error)]
        }
        guard newName != record.name else { return [] }
        let newKey = NameKey.of(newName)
        let room = record.room
        if newKey != record.nameKey && room.isNameTaken(key: newKey) {
            let error = ChatError(.nameTaken, "the name \(newName) is already taken in this room")
            return [reply(to: record, id: member, error: error)]
        }
        let oldName = record.name
        room.rename(fromKey: record.nameKey, toName: newName, key: newKey)
        record.name = newName
        record.nameKey = newKey
        return broadcast(
            in: room, plain: { PlainEvents.rename(from: oldName, to: newName) },
            json: { JSONEvents.rename(room: room.name, from: oldName, to: newName, timestamp: now) })
    }
}
