extension ChatService {
    /// Puts a member into a room (created on demand) under a sanitised, unique name and sends the join sequence:
    /// JSON members get `welcome`, `gap` (when needed), `history`, `presence`; plain members get the welcome
    /// line, a gap notice (when needed) and the history as lines. Then the whole room (joiner included) sees the
    /// join. A member that is already joined first leaves its current room.
    public func join(member: MemberID, request: JoinRequest, now: Int64) throws(JoinRefusal) -> [ChatAction] {
        try checkCapacity(forJoining: request.room)
        var actions = leave(member: member, now: now)
        let room = try roomForJoining(request.room)
        let name = uniqueName(basedOn: request.requestedName, in: room)
        let nameKey = NameKey.of(name)
        let others = room.memberCount
        room.add(member, name: name, key: nameKey, chatProtocol: request.chatProtocol)
        let bucket = TokenBucket(capacity: limits.rateBurst, now: now)
        let record = ChatMember(
            name: name, nameKey: nameKey, room: room, chatProtocol: request.chatProtocol, bucket: bucket)
        members[member] = record
        let resume = ResumePlan(room: room, since: request.since, epoch: request.epoch)
        switch request.chatProtocol {
        case .json:
            actions += jsonJoinSequence(for: member, record: record, resume: resume)
        case .plainText:
            actions += plainJoinSequence(for: member, record: record, others: others, resume: resume)
        }
        actions += broadcast(
            in: room, plain: { PlainEvents.join(room: room.name, name: name) },
            json: { JSONEvents.join(room: room.name, name: name, timestamp: now) })
        return actions
    }

    /// `welcome`, optional `gap`, `history`, `presence` for a JSON joiner.
    private func jsonJoinSequence(for member: MemberID, record: ChatMember, resume: ResumePlan) -> [ChatAction] {
        let room = record.room
        var actions: [ChatAction] = [
            .send(
                JSONEvents.welcome(
                    member: member, name: record.name, room: room.name, epoch: room.epoch,
                    lastID: room.lastMessageID, limits: limits),
                to: member)
        ]
        for gap in resume.gaps {
            actions.append(
                .send(
                    JSONEvents.gap(room: room.name, after: gap.after, before: gap.before, reason: gap.reason),
                    to: member))
        }
        actions.append(.send(JSONEvents.history(room: room.name, messages: resume.messages), to: member))
        actions.append(.send(JSONEvents.presence(room: room.name, members: room.sortedNames()), to: member))
        return actions
    }

    /// The welcome line, an optional gap notice and one line per history message for a plain-text joiner.
    private func plainJoinSequence(for member: MemberID, record: ChatMember, others: Int, resume: ResumePlan)
        -> [ChatAction]
    {
        var actions: [ChatAction] = [
            .send(PlainEvents.welcome(name: record.name, room: record.room.name, others: others), to: member)
        ]
        for gap in resume.gaps {
            actions.append(.send(PlainEvents.gap(after: gap.after, before: gap.before, reason: gap.reason), to: member))
        }
        for message in resume.messages {
            actions.append(.send(PlainEvents.message(message), to: member))
        }
        return actions
    }

    /// Removes a member (its connection is closing); with `announce` the remaining members see it leave. Without
    /// it the member leaves silently: on shutdown every room closes at once, and a leave per member to everyone
    /// still there would make stopping cost N²/2 deliveries. A room left empty is kept while it has history.
    /// Safe to call for unknown members (returns []).
    public func leave(member: MemberID, now: Int64, announce: Bool = true) -> [ChatAction] {
        guard let record = members.removeValue(forKey: member) else { return [] }
        let room = record.room
        room.remove(member, key: record.nameKey, chatProtocol: record.chatProtocol)
        guard room.memberCount > 0 else {
            roomBecameEmpty(room)
            return []
        }
        guard announce else { return [] }
        let name = record.name
        return broadcast(
            in: room, plain: { PlainEvents.leave(room: room.name, name: name) },
            json: { JSONEvents.leave(room: room.name, name: name, timestamp: now) })
    }
}
