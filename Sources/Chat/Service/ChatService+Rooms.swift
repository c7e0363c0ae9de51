extension ChatService {
    /// Throws unless a member could join `roomName` now: an existing room must have space; a new room needs a
    /// free slot under `maxRooms`, possibly made by evicting empty rooms.
    func checkCapacity(forJoining roomName: String) throws(JoinRefusal) {
        if let existing = rooms[roomName] {
            guard existing.memberCount < limits.maxMembersPerRoom else { throw .roomFull }
            return
        }
        let evictionsNeeded = rooms.count &- limits.maxRooms &+ 1
        guard evictionsNeeded <= emptyRooms.count else { throw .tooManyRooms }
    }

    /// The existing room, or a new one with a fresh epoch after evicting the least recently active empty rooms
    /// as needed to stay within `maxRooms`.
    func roomForJoining(_ roomName: String) -> Room {
        if let existing = rooms[roomName] {
            emptyRooms.removeValue(forKey: roomName)
            return existing
        }
        while rooms.count >= limits.maxRooms, evictLeastRecentlyActiveEmptyRoom() {}
        roomsCreated &+= 1
        let room = Room(name: roomName, epoch: "\(instanceID)-\(roomsCreated)")
        rooms[roomName] = room
        return room
    }

    /// Called when the last member left: a room with history is kept (so reconnects can resume), any other is
    /// deleted.
    func roomBecameEmpty(_ room: Room) {
        guard room.history.count > 0 else {
            rooms.removeValue(forKey: room.name)
            return
        }
        tick &+= 1
        emptyRooms[room.name] = tick
    }

    /// Drops the empty room that has been empty longest; false when there is none.
    private func evictLeastRecentlyActiveEmptyRoom() -> Bool {
        guard let oldest = emptyRooms.min(by: { $0.value < $1.value })?.key else { return false }
        emptyRooms.removeValue(forKey: oldest)
        if let room = rooms.removeValue(forKey: oldest) {
            messagesStored &-= room.history.count
        }
        return true
    }
}
