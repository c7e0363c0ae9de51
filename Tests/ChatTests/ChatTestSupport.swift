import Chat

/// Small accessors that let tests compare actions regardless of broadcast recipient order.
extension ChatAction {
    /// The text carried by a send or broadcast, nil for a disconnect.
    var text: String? {
        switch self {
        case .send(let text, _), .broadcast(let text, _): return text
        case .disconnect: return nil
        }
    }

    /// Everyone this action addresses.
    var recipients: Set<MemberID> {
        switch self {
        case .send(_, let member), .disconnect(let member): return [member]
        case .broadcast(_, let members): return Set(members)
        }
    }
}

/// Member ids used across the tests.
enum Members {
    static let alice = MemberID(1)
    static let bob = MemberID(2)
    static let carol = MemberID(3)
    static let dave = MemberID(4)
}

/// Joins and returns the name the service chose, failing the test on refusal.
func joinedName(_ service: ChatService, _ member: MemberID, room: String = "lobby", as name: String?) throws -> String?
{
    _ = try service.join(member: member, room: room, requestedName: name)
    return service.name(of: member)
}
