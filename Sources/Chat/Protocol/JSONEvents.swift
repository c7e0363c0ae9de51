/// Renders every `chatd.v1` server→client event. Keys appear in the documented order.
enum JSONEvents {
    /// `welcome`: the joiner's id, name, room, the room's epoch and last message id, and the limits it must obey.
    static func welcome(
        member: MemberID, name: String, room: String, epoch: String, lastID: UInt64, limits: ChatLimits
    ) -> String {
        var limitsObject = JSONObjectWriter()
        limitsObject.add("max_text_bytes", integer: Int64(limits.maxTextBytes))
        limitsObject.add("max_name_length", integer: Int64(limits.maxNameLength))
        limitsObject.add("rate_per_second", number: limits.ratePerSecond)
        limitsObject.add("rate_burst", integer: Int64(limits.rateBurst))
        var writer = JSONObjectWriter()
        writer.add("type", string: "welcome")
        writer.add("id", string: String(member.rawValue))
        writer.add("name", string: name)
        writer.add("room", string: room)
        writer.add("epoch", string: epoch)
        writer.add("last_id", unsigned: lastID)
        writer.add("limits", object: limitsObject)
        return writer.finish()
    }

    /// `history`: already-rendered `message` events, oldest first.
    static func history(room: String, messages: [StoredMessage]) -> String {
        var writer = JSONObjectWriter(capacity: 64 &+ messages.reduce(0) { $0 &+ $1.json.utf8.count &+ 1 })
        writer.add("type", string: "history")
        writer.add("room", string: room)
        writer.add("messages", encodedElements: messages.map(\.json))
        return writer.finish()
    }

    /// `gap`: messages with `after < id < before` cannot be delivered (`expired`, `unstored` or `reset`).
    static func gap(room: String, after: UInt64, before: UInt64, reason: String) -> String {
        var writer = JSONObjectWriter()
        writer.add("type", string: "gap")
        writer.add("room", string: room)
        writer.add("after", unsigned: after)
        writer.add("before", unsigned: before)
        writer.add("reason", string: reason)
        return writer.finish()
    }

    /// `message`: one chat text (`action` true for `/me`).
    static func message(id: UInt64, room: String, from: String, text: String, timestamp: Int64, isAction: Bool)
        -> String
    {
        var writer = JSONObjectWriter(capacity: 96 &+ text.utf8.count)
        writer.add("type", string: "message")
        writer.add("id", unsigned: id)
        writer.add("room", string: room)
        writer.add("from", string: from)
        writer.add("text", string: text)
        writer.add("ts", integer: timestamp)
        writer.add("action", bool: isAction)
        return writer.finish()
    }

    /// `join`: someone entered the room.
    static func join(room: String, name: String, timestamp: Int64) -> String {
        membership("join", room: room, name: name, timestamp: timestamp)
    }

    /// `leave`: someone left the room.
    static func leave(room: String, name: String, timestamp: Int64) -> String {
        membership("leave", room: room, name: name, timestamp: timestamp)
    }

    /// `rename`: someone changed their name.
    static func rename(room: String, from: String, to: String, timestamp: Int64) -> String {
        var writer = JSONObjectWriter()
        writer.add("type", string: "rename")
        writer.add("room", string: room)
        writer.add("from", string: from)
        writer.add("to", string: to)
        writer.add("ts", integer: timestamp)
        return writer.finish()
    }

    /// `presence`: the room's member names, sorted case-insensitively.
    static func presence(room: String, members: [String]) -> String {
        var writer = JSONObjectWriter()
        writer.add("type", string: "presence")
        writer.add("room", string: room)
        writer.add("members", strings: members)
        return writer.finish()
    }

    /// `error`: a refused request.
    static func error(_ error: ChatError) -> String {
        var writer = JSONObjectWriter()
        writer.add("type", string: "error")
        writer.add("code", string: error.code.rawValue)
        writer.add("message", string: error.message)
        return writer.finish()
    }

    /// `pong`: answer to a client `ping`, carrying the server clock.
    static func pong(timestamp: Int64) -> String {
        var writer = JSONObjectWriter()
        writer.add("type", string: "pong")
        writer.add("ts", integer: timestamp)
        return writer.finish()
    }

    /// `join`/`leave` share one shape.
    private static func membership(_ type: String, room: String, name: String, timestamp: Int64) -> String {
        var writer = JSONObjectWriter()
        writer.add("type", string: type)
        writer.add("room", string: room)
        writer.add("name", string: name)
        writer.add("ts", integer: timestamp)
        return writer.finish()
    }
}
