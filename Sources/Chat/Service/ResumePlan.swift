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
        gaps = Self.holes(after: since, in: missed, lastID: room.lastMessageID, oldestHeld: room.history.oldestID)
    }

    /// The ids in `since + 1 ... lastID` that `missed` lacks, as gaps. A hole that starts before the oldest
    /// message the room holds has aged out (`expired`); a hole after it was handed out but never stored
    /// (`unstored`: the room came back from a store that could not write those messages).
    private static func holes(after since: UInt64, in missed: [StoredMessage], lastID: UInt64, oldestHeld: UInt64?)
        -> [Gap]
    {
        guard since < lastID else { return [] }
        var gaps: [Gap] = []
        var previous = since
        func hole(before next: UInt64) {
            let agedOut = oldestHeld.map { previous &+ 1 < $0 } ?? true
            gaps.append(Gap(after: previous, before: next, reason: agedOut ? "expired" : "unstored"))
        }
        for message in missed {
            if message.id > previous &+ 1 { hole(before: message.id) }
            previous = message.id
        }
        if previous < lastID { hole(before: lastID &+ 1) }
        return gaps
    }
}
