/// Which stored messages a joiner receives and whether a gap notice precedes them, from `?since=` and `?epoch=`.
struct ResumePlan {
    /// Messages with `after < id < before` that cannot be delivered, and why (`expired` or `reset`).
    struct Gap: Equatable {
        /// The highest id the client has.
        let after: UInt64
        /// The first id the client will see next.
        let before: UInt64
        /// `expired` (aged out of the history) or `reset` (another epoch).
        let reason: String
    }

    /// The gap notice to send before the history, if any.
    let gap: Gap?
    /// The history to send, oldest first.
    let messages: [StoredMessage]

    /// No `since` → the whole stored history. Same epoch → exactly the stored messages after `since`, with an
    /// `expired` gap when some of them aged out. Other or missing epoch → a `reset` gap and the whole history.
    init(room: Room, since: UInt64?, epoch: String?) {
        guard let since else {
            gap = nil
            messages = room.history.ordered()
            return
        }
        guard epoch == room.epoch else {
            let before = room.history.oldestID ?? room.lastMessageID &+ 1
            gap = Gap(after: since, before: before, reason: "reset")
            messages = room.history.ordered()
            return
        }
        let missed = room.history.messages(after: since)
        messages = missed
        let firstAvailable = missed.first?.id ?? room.lastMessageID &+ 1
        if since < room.lastMessageID && firstAvailable > since &+ 1 {
            gap = Gap(after: since, before: firstAvailable, reason: "expired")
        } else {
            gap = nil
        }
    }
}
