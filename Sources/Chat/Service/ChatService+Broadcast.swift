extension ChatService {
    /// One room event to everyone in the room: each rendering closure runs at most once, and only when members
    /// of that protocol are present; the room's stored member arrays are the recipients (no copy).
    func broadcast(in room: Room, plain: () -> String, json: () -> String) -> [ChatAction] {
        var actions: [ChatAction] = []
        if !room.plainMembers.isEmpty {
            actions.append(.broadcast(plain(), to: room.plainMembers.ids))
        }
        if !room.jsonMembers.isEmpty {
            actions.append(.broadcast(json(), to: room.jsonMembers.ids))
        }
        return actions
    }

    /// A reply to one member rendered in its protocol.
    func reply(to member: ChatMember, id: MemberID, plain: () -> String, json: () -> String) -> ChatAction {
        switch member.chatProtocol {
        case .plainText: return .send(plain(), to: id)
        case .json: return .send(json(), to: id)
        }
    }

    /// An error reply (`error` event or `! code: message` line).
    func reply(to member: ChatMember, id: MemberID, error: ChatError) -> ChatAction {
        reply(to: member, id: id, plain: { PlainEvents.error(error) }, json: { JSONEvents.error(error) })
    }
}
