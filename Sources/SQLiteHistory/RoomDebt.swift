import History

/// What a room is owed after a failed transaction: ids were handed out (and maybe a new epoch started) that the
/// file does not show. The next successful transaction writes it first, so ids are never reused after space
/// returns. It exists because the failed batches themselves are dropped, but their ids must not be forgotten.
struct RoomDebt: Sendable, Equatable {
    /// The epoch the room was recreated with, when a failed batch recreated it.
    var epoch: String?
    /// The highest id handed out (within `epoch` when that is set).
    var lastID: UInt64 = 0

    /// Folds a failed batch's operations into `debts`, in order: a recreation restarts the room's debt.
    static func record(_ batch: PendingBatch, into debts: inout [String: RoomDebt]) {
        for operation in batch.operations {
            switch operation {
            case .roomCreated(let room, let epoch):
                debts[room] = RoomDebt(epoch: epoch, lastID: 0)
            case .append(let room, let message):
                debts[room, default: RoomDebt()].lastID = max(debts[room]?.lastID ?? 0, message.id)
            case .roomLeftMemory:
                break
            }
        }
    }

    /// A room as the loop thread must see it while `debt` is unpaid: a failed recreation's epoch with its ids
    /// (the file's messages belong to the epoch it replaced), or the file's room with the higher last id.
    static func merge(_ debt: RoomDebt?, into stored: StoredRoom?) -> StoredRoom? {
        guard let debt else { return stored }
        if let epoch = debt.epoch {
            return StoredRoom(epoch: epoch, lastID: debt.lastID, recent: [])
        }
        guard var stored else { return StoredRoom(epoch: "", lastID: debt.lastID, recent: []) }
        stored.lastID = max(stored.lastID, debt.lastID)
        return stored
    }
}
