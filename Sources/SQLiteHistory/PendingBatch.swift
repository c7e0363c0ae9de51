import History

/// One thing the chat layer asked the store to record, in the order it asked.
enum BatchOperation: Sendable {
    /// `roomCreated(room, epoch:)`: the room starts over with this epoch (old messages go).
    case roomCreated(room: String, epoch: String)
    /// `append(message, room:)`.
    case append(room: String, message: HistoryMessage)
    /// `roomEvicted(room)`: a room that never had a message is forgotten (its row goes), so joining ever new
    /// room names cannot grow the file without bound; a room with history keeps everything.
    case roomLeftMemory(room: String)
}

/// A batch as the loop thread built it and hands it to the writer thread: its number and its operations in
/// order. It exists so a batch crosses threads as one value, and so a failed batch can report exactly which of
/// its messages were not stored.
struct PendingBatch: Sendable {
    /// The number `submitBatch()` returned for it.
    var number: UInt64
    /// What to record, in order.
    var operations: [BatchOperation]
    /// How many of the operations are messages (the queue bound counts messages).
    var messageCount: Int

    /// The runs of messages this batch failed to store: one per room, spanning its lowest to highest id.
    func unstoredRuns() -> [UnstoredMessages] {
        var runs: [UnstoredMessages] = []
        var index: [String: Int] = [:]
        for case .append(let room, let message) in operations {
            if let position = index[room] {
                runs[position].firstID = min(runs[position].firstID, message.id)
                runs[position].lastID = max(runs[position].lastID, message.id)
                runs[position].count += 1
            } else {
                index[room] = runs.count
                runs.append(UnstoredMessages(room: room, firstID: message.id, lastID: message.id, count: 1))
            }
        }
        return runs
    }
}
