/// A ring buffer of a room's most recent messages: appending is O(1) and never copies the stored messages.
/// Ids in the buffer increase, oldest first; they are consecutive unless the room came back from a store that
/// could not store some messages (a resume reports those as an `unstored` gap).
struct MessageHistory {
    /// The stored messages; once full, `start` marks the oldest one.
    private var storage: [StoredMessage] = []
    /// Index of the oldest message in `storage` (non-zero only while the buffer is full).
    private var start = 0

    /// Number of stored messages.
    var count: Int { storage.count }

    /// The oldest stored message's id, nil when empty.
    var oldestID: UInt64? { storage.isEmpty ? nil : storage[start].id }

    /// Stores `message`, dropping the oldest ones so that at most `capacity` remain (the capacity may change
    /// between calls after a config reload). Returns the change in stored message count.
    mutating func append(_ message: StoredMessage, capacity: Int) -> Int {
        let before = storage.count
        guard capacity > 0 else {
            storage.removeAll()
            start = 0
            return -before
        }
        if storage.count == capacity {
            storage[start] = message
            start = (start &+ 1) % capacity
            return 0
        }
        if start != 0 || storage.count > capacity {
            storage = ordered()
            start = 0
            if storage.count >= capacity {
                storage.removeFirst(storage.count &- capacity &+ 1)
            }
        }
        storage.append(message)
        return storage.count &- before
    }

    /// A buffer holding `messages` (oldest first), as a room brought back from the store starts.
    init(restoring messages: [StoredMessage] = []) {
        storage = messages
    }

    /// All stored messages, oldest first.
    func ordered() -> [StoredMessage] {
        Array(storage[start...] + storage[..<start])
    }

    /// The stored messages with an id greater than `id`, oldest first.
    func messages(after id: UInt64) -> [StoredMessage] {
        ordered().filter { $0.id > id }
    }
}
