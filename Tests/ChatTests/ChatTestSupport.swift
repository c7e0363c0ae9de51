@testable import Chat

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
        case .send(_, let member), .disconnect(let member, _, _): return [member]
        case .broadcast(_, let members): return Set(members)
        }
    }

    /// True for `.broadcast`.
    var isBroadcast: Bool {
        if case .broadcast = self { return true }
        return false
    }
}

/// Shorthands for the tests: plain-text members at time 0 unless told otherwise.
extension ChatService {
    /// A service with default limits and a fixed instance id.
    convenience init(limits: ChatLimits) {
        self.init(limits: limits, instanceID: "test")
    }

    /// Joins with the given protocol and resume parameters.
    func join(
        member: MemberID, room: String = "lobby", requestedName: String?, chatProtocol: ChatProtocol = .plainText,
        since: UInt64? = nil, epoch: String? = nil, now: Int64 = 0
    ) throws(JoinRefusal) -> [ChatAction] {
        try join(
            member: member,
            request: JoinRequest(
                room: room, requestedName: requestedName, chatProtocol: chatProtocol, since: since, epoch: epoch),
            now: now)
    }

    /// Receives a text at time 0.
    func receive(text: String, from member: MemberID) -> [ChatAction] {
        receive(text: text, from: member, now: 0)
    }

    /// Leaves at time 0.
    func leave(member: MemberID) -> [ChatAction] {
        leave(member: member, now: 0)
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
func joinedName(
    _ service: ChatService, _ member: MemberID, room: String = "lobby", as name: String?,
    chatProtocol: ChatProtocol = .plainText
) throws -> String? {
    _ = try service.join(member: member, room: room, requestedName: name, chatProtocol: chatProtocol)
    return service.name(of: member)
}

/// Limits that never rate-limit, for tests that send many messages.
let unlimitedRate = ChatLimits(ratePerSecond: 1_000_000, rateBurst: 1_000_000)

/// The texts of the actions, in order.
func texts(_ actions: [ChatAction]) -> [String] {
    actions.compactMap(\.text)
}

/// The value of `key` in a JSON object text, via the module's own parser (scalars only).
func jsonField(_ key: String, in text: String?) -> JSONValue? {
    text.flatMap { JSONObjectParser.parseObject($0)?[key] }
}

/// The `type` of a JSON event.
func jsonType(_ text: String?) -> String? {
    if case .string(let type) = jsonField("type", in: text) { return type }
    return nil
}

/// The message ids inside the JSON `history` event among the actions, in order.
func historyIDs(_ actions: [ChatAction]) -> [UInt64] {
    guard let history = actions.first(where: { jsonType($0.text) == "history" })?.text else { return [] }
    var ids: [UInt64] = []
    var rest = Substring(history)
    while let range = rest.range(of: #"{"type":"message","id":"#) {
        rest = rest[range.upperBound...]
        ids.append(UInt64(rest.prefix { $0.isNumber }) ?? 0)
    }
    return ids
}
