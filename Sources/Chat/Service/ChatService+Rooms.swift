import History

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

    /// The existing room; else the room as the store kept it (same epoch, ids continuing, its newest messages);
    /// else a new one with a fresh epoch. Room slots come from evicting the least recently active empty rooms as
    /// needed to stay within `maxRooms`. Throws when the store cannot be read.
    func roomForJoining(_ roomName: String) throws(JoinRefusal) -> Room {
        if let existing = rooms[roomName] {
            emptyRooms.removeValue(forKey: roomName)
            return existing
        }
        let stored: StoredRoom?
        do {
            stored = try store.loadRoom(roomName, recent: limits.historySize)
        } catch {
            throw .historyUnavailable
        }
        while rooms.count >= limits.maxRooms, evictLeastRecentlyActiveEmptyRoom() {}
        let room: Room
        if let stored {
            room = restore(roomName, from: stored)
        } else {
            roomsCreated &+= 1
            room = Room(name: roomName, epoch: "\(instanceID)-\(roomsCreated)")
            store.roomCreated(roomName, epoch: room.epoch)
        }
        rooms[roomName] = room
        return room
    }

    /// A room as the store kept it, its newest messages rendered again for joiners.
    private func restore(_ roomName: String, from stored: StoredRoom) -> Room {
        let messages = stored.recent.suffix(max(limits.historySize, 0)).map { message in
            StoredMessage(
                id: message.id, from: message.from, text: message.text, timestamp: message.timestamp,
                isAction: message.isAction,
                json: JSONEvents.message(
                    id: message.id, room: roomName, from: message.from, text: message.text,
                    timestamp: message.timestamp, isAction: message.isAction))
        }
        messagesStored &+= messages.count
        let lastID = max(stored.lastID, messages.last?.id ?? 0)
        return Room(
            name: roomName, epoch: stored.epoch, lastMessageID: lastID,
            history: MessageHistory(restoring: Array(messages)))
    }

    /// Called when the last member left: a room with history is kept (so reconnects can resume), any other is
    /// deleted from memory (the store keeps its epoch and last id).
    func roomBecameEmpty(_ room: Room) {
        guard room.history.count > 0 else {
            rooms.removeValue(forKey: room.name)
            store.roomEvicted(room.name)
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
        store.roomEvicted(oldest)
        return true
    }
}
