import History

extension ChatService {
    /// Handles one text frame from a member: a JSON request (`chatd.v1`) or a plain-text line / slash command.
    /// Every request except `ping`, `/quit` and blank plain lines costs one rate-limit token, invalid ones
    /// included. Unknown members get nothing.
    public func receive(text: String, from member: MemberID, now: Int64) -> [ChatAction] {
        guard let record = members[member] else { return [] }
        let request: ClientRequest
        switch record.chatProtocol {
        case .json:
            switch JSONRequestDecoder.decode(text) {
            case .success(let decoded):
                request = decoded
            case .failure(let error):
                guard admit(record, now: now) else { return rateLimited(member, record, now: now) }
                return [reply(to: record, id: member, error: error)]
            }
        case .plainText:
            request = PlainRequestDecoder.decode(text)
            if case .message(let line, isAction: false) = request, TextWhitespace.isBlank(line) { return [] }
        }
        if request.costsToken {
            guard admit(record, now: now) else { return rateLimited(member, record, now: now) }
        }
        return handle(request, from: member, record: record, now: now)
    }

    /// A binary frame: chat is text only, so the member gets `binary_unsupported` (and stays connected).
    public func receiveBinary(from member: MemberID) -> [ChatAction] {
        guard let record = members[member] else { return [] }
        let error = ChatError(.binaryUnsupported, "binary messages are not supported; send text")
        return [reply(to: record, id: member, error: error)]
    }

    /// Carries out an admitted request.
    private func handle(_ request: ClientRequest, from member: MemberID, record: ChatMember, now: Int64)
        -> [ChatAction]
    {
        switch request {
        case .message(let text, let isAction):
            return post(text, isAction: isAction, from: member, record: record, now: now)
        case .rename(let name):
            return rename(member, record, to: name, now: now)
        case .who:
            let room = record.room
            let names = room.sortedNames()
            return [
                reply(
                    to: record, id: member, plain: { PlainEvents.presence(room: room.name, members: names) },
                    json: { JSONEvents.presence(room: room.name, members: names) })
            ]
        case .ping:
            return [.send(JSONEvents.pong(timestamp: now), to: member)]
        case .help:
            return [.send(PlainEvents.help, to: member)]
        case .quit:
            return quit(member, now: now)
        case .unknownCommand(let command):
            return [.send(PlainEvents.unknownCommand(command), to: member)]
        }
    }

    /// Validates a chat text, stores it in the room's history under the next id and sends it to the room.
    private func post(_ text: String, isAction: Bool, from member: MemberID, record: ChatMember, now: Int64)
        -> [ChatAction]
    {
        guard text.utf8.count <= limits.maxTextBytes else {
            let error = ChatError(.textTooLong, "the text is longer than \(limits.maxTextBytes) bytes")
            return [reply(to: record, id: member, error: error)]
        }
        guard !TextWhitespace.isBlank(text) else {
            return [reply(to: record, id: member, error: ChatError(.emptyText, "the text is empty"))]
        }
        let room = record.room
        let id = room.allocateMessageID()
        let json = JSONEvents.message(
            id: id, room: room.name, from: record.name, text: text, timestamp: now, isAction: isAction)
        let stored = StoredMessage(
            id: id, from: record.name, text: text, timestamp: now, isAction: isAction, json: json)
        messagesStored &+= room.store(stored, capacity: limits.historySize)
        store.append(
            HistoryMessage(id: id, from: record.name, text: text, timestamp: now, isAction: isAction), room: room.name)
        return broadcast(
            in: room, plain: { PlainEvents.message(from: stored.from, text: text, isAction: isAction) },
            json: { json })
    }

    /// Leaves the room (the others see it) and asks the server to close with 1000.
    private func quit(_ member: MemberID, now: Int64) -> [ChatAction] {
        var actions = leave(member: member, now: now)
        actions.append(.disconnect(member, code: 1000, reason: "bye"))
        return actions
    }

    /// Takes a rate-limit token; a success resets the member's run of rejected messages.
    private func admit(_ record: ChatMember, now: Int64) -> Bool {
        guard record.bucket.take(now: now, ratePerSecond: limits.ratePerSecond, capacity: limits.rateBurst) else {
            return false
        }
        record.rejectedInARow = 0
        return true
    }

    /// `rate_limited`; after more than `rateBurst` rejections in a row the member is removed from the room and
    /// disconnected with 1008.
    private func rateLimited(_ member: MemberID, _ record: ChatMember, now: Int64) -> [ChatAction] {
        record.rejectedInARow &+= 1
        let rate = ChatService.formatRate(limits.ratePerSecond)
        var actions = [
            reply(
                to: record, id: member,
                error: ChatError(.rateLimited, "slow down: at most \(rate) messages per second"))
        ]
        if record.rejectedInARow > limits.rateBurst {
            actions += leave(member: member, now: now)
            actions.append(.disconnect(member, code: 1008, reason: "rate limit exceeded"))
        }
        return actions
    }

    /// `5` for whole rates, `2.5` otherwise.
    private static func formatRate(_ rate: Double) -> String {
        if rate.isFinite, rate == rate.rounded(), abs(rate) < 1e15 { return String(Int64(rate)) }
        return String(rate)
    }
}
