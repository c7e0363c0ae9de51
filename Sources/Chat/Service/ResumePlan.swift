/// Which stored messages a joiner receives and which gap notices precede them, from `?since=` and `?epoch=`.
struct ResumePlan {
    /// Messages with `after < id < before` that cannot be delivered, and why: `expired` (aged out of the history),
    /// `unstored` (delivered once but never stored, so lost across a restart) or `reset` (another epoch).
    struct Gap: Equatable {
        /// The highest id the client has (or the last id before the hole).
        let after: UInt64
        /// The next id the client will see after the hole.
        let before: UInt64
        /// `expired`, `unstored` or `reset`.
        let reason: String
    }

    /// The gap notices to send before the history, oldest first.
    let gaps: [Gap]
    /// The history to send, oldest first.
    let messages: [StoredMessage]

    /// No `since` → the whole stored history. Same epoch → exactly the stored messages after `since`, with an
    /// `expired` gap when older ones aged out and an `unstored` gap for every hole after that (ids that were
    /// handed out but never stored). Other or missing epoch → a `reset` gap and the whole history.
    init(room: Room, since: UInt64?, epoch: String?) {
        guard let since else {
            gaps = []
            messages = room.history.ordered()
            return
        }
        guard epoch == room.epoch else {
            let before = room.history.oldestID ?? room.lastMessageID &+ 1
            gaps = [Gap(after: since, before: before, reason: "reset")]
            messages = room.history.ordered()
            return
        }
        let missed = room.history.messages(after: since)
        messages = missed
        gaps = Self.holes(after: since, in: missed, lastID: room.lastMessageID, historyIsEmpty: room.history.count == 0)
    }

    /// The ids in `since + 1 ... lastID` that `missed` lacks, as gaps: a hole before the first missed message has
    /// aged out (`expired`); later holes, and a hole at the end while older messages are still held, were never
    /// stored (`unstored`).
    private static func holes(after since: UInt64, in missed: [StoredMessage], lastID: UInt64, historyIsEmpty: Bool)
        -> [Gap]
    {
        guard since < lastID else { return [] }
        var gaps: [Gap] = []
        var previous = since
        for message in missed {
            if message.id > previous &+ 1 {
                gaps.append(
                    Gap(
                        after: previous, before: message.id,
                        reason: gaps.isEmpty && previous == since
                            ? "expired" : "unstored"))
            }
            previous = message.id
        }
        if previous < lastID {
            let reason = missed.isEmpty && historyIsEmpty ? "expired" : "unstored"
            gaps.append(Gap(after: previous, before: lastID &+ 1, reason: reason))
        }
        return gaps
    }
}
